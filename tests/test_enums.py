"""The public enums mirror the core's tables member for member."""

from __future__ import annotations

import enum
import pickle

import pytest

import smtpcodes as sc
from smtpcodes import _native

INT_ENUMS = ["ReplyKind", "Category", "StatusClass", "Subject"]
STR_ENUMS = ["Bounce", "Reason", "Fault", "Action", "Scope", "ReportKind", "EventKind", "EventSource", "AddressStatus", "SuppressionCause", "Advice"]
ALL = INT_ENUMS + STR_ENUMS


def _pairs(cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(m.name, str(m.value)) for m in cls]


@pytest.mark.parametrize("name", ALL)
def test_is_a_real_enum(name):
    cls = getattr(sc, name)
    assert isinstance(cls, enum.EnumMeta)
    assert issubclass(cls, enum.Enum)
    assert name in sc.__all__
    assert len(cls) > 0


@pytest.mark.parametrize("name", INT_ENUMS)
def test_int_enums(name):
    cls = getattr(sc, name)
    assert issubclass(cls, enum.IntEnum)
    for m in cls:
        assert type(m.value) is int
        assert cls(m.value) is m


@pytest.mark.parametrize("name", STR_ENUMS)
def test_str_enums(name):
    cls = getattr(sc, name)
    assert issubclass(cls, enum.StrEnum)
    for m in cls:
        assert type(m.value) is str
        assert m == m.value
        assert cls(m.value) is m


# Regression: _enum_members("Fault") once listed faults in the order reasons.toml first uses them
# (RECIPIENT, CONTENT, DESTINATION, SENDER, …), not in the core's declaration order.
@pytest.mark.parametrize("name", ALL)
def test_members_match_the_core_in_order(name):
    assert _pairs(getattr(sc, name)) == _native._enum_members(name)


@pytest.mark.parametrize("name", ALL)
def test_members_match_the_core_as_sets(name):
    core = _native._enum_members(name)
    assert len(core) == len(set(core))
    assert set(_pairs(getattr(sc, name))) == set(core)


def test_enum_members_rejects_unknown_names():
    with pytest.raises(ValueError):
        _native._enum_members("NotAnEnum")


@pytest.mark.parametrize("reason", list(sc.Reason), ids=lambda r: r.name)
def test_reason_properties(reason):
    assert isinstance(reason.description, str) and reason.description.strip()
    assert isinstance(reason.fault, sc.Fault)
    assert isinstance(reason.default_bounce, sc.Bounce)


@pytest.mark.parametrize(
    ("reason", "fault", "bounce"),
    [
        (sc.Reason.USER_UNKNOWN, sc.Fault.RECIPIENT, sc.Bounce.HARD),
        (sc.Reason.HOST_UNKNOWN, sc.Fault.RECIPIENT, sc.Bounce.HARD),
        (sc.Reason.MAILBOX_FULL, sc.Fault.RECIPIENT, sc.Bounce.SOFT),
        (sc.Reason.DELIVERED, sc.Fault.NONE, sc.Bounce.NONE),
        (sc.Reason.UNDEFINED, sc.Fault.UNKNOWN, sc.Bounce.UNKNOWN),
    ],
)
def test_reason_property_values(reason, fault, bounce):
    assert reason.fault is fault
    assert reason.default_bounce is bounce


def test_reason_values_are_sisimai_names():
    assert sc.Reason("userunknown") is sc.Reason.USER_UNKNOWN
    assert sc.Reason.MAILBOX_FULL.value == "mailboxfull"
    for m in sc.Reason:
        assert m.value == m.value.lower()
        assert m.value.isalpha()


def test_reason_faults_cover_every_fault():
    assert {r.fault for r in sc.Reason} == set(sc.Fault)


@pytest.mark.parametrize("member", [m for n in ALL for m in getattr(sc, n)], ids=repr)
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_members_pickle(member, protocol):
    assert pickle.loads(pickle.dumps(member, protocol)) is member


def test_values_returned_by_the_library_are_members():
    r = sc.parse("550 5.1.1 x")
    assert type(r.kind) is sc.ReplyKind
    assert type(r.category) is sc.Category
    assert type(r.bounce) is sc.Bounce
    assert type(r.reason) is sc.Reason
    assert type(r.status.klass) is sc.StatusClass
    assert type(r.status.subject) is sc.Subject
    d = r.retry()
    assert type(d.action) is sc.Action
    assert type(d.scope) is sc.Scope
    assert type(d.reason) is sc.Reason
    assert type(d.bounce) is sc.Bounce
