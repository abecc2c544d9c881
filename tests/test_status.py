"""EnhancedStatus: construction, validation, registry data, ordering, hashing, pickling."""

from __future__ import annotations

import copy
import pickle

import pytest

import smtpcodes as sc
from smtpcodes import EnhancedStatus, ParseError, StatusClass, Subject


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("5.7.1", (5, 7, 1)),
        ("2.0.0", (2, 0, 0)),
        ("4.2.2", (4, 2, 2)),
        ("4.7.650", (4, 7, 650)),
        ("5.1.10", (5, 1, 10)),
        ("5.999.999", (5, 999, 999)),
        ("2.9.0", (2, 9, 0)),
    ],
)
def test_construct_from_string_and_numbers(text, args):
    a = EnhancedStatus(text)
    b = EnhancedStatus(*args)
    assert a == b
    assert hash(a) == hash(b)
    assert str(a) == str(b) == text
    assert (int(a.klass), int(a.subject), a.detail) == args
    assert EnhancedStatus(a) == a


@pytest.mark.parametrize("text", [" 5.7.1", "5.7.1 ", "\t5.7.1\r\n"])
def test_surrounding_white_space_is_allowed(text):
    assert EnhancedStatus(text) == EnhancedStatus(5, 7, 1)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("3.1.1", "class must be 2, 4 or 5"),
        ("6.1.1", "class must be 2, 4 or 5"),
        ("1.1.1", "class must be 2, 4 or 5"),
        ("0.0.0", "class must be 2, 4 or 5"),
        ("5.1000.1", "enhanced status code"),
        ("5.1.1000", "enhanced status code"),
        ("5.1", "enhanced status code"),
        ("5", "enhanced status code"),
        ("5.1.", "enhanced status code"),
        ("5..1", "enhanced status code"),
        ("x", "enhanced status code"),
        ("x.1.1", "enhanced status code"),
        ("X.1.1", "enhanced status code"),
        ("", "enhanced status code"),
        ("   ", "enhanced status code"),
        ("5.1.1.1", "enhanced status code"),
        ("55.1.1", "enhanced status code"),
        ("5.1.1 x", "enhanced status code"),
        ("5.1.1a", "enhanced status code"),
        ("-5.1.1", "enhanced status code"),
        ("５.1.1", "enhanced status code"),
    ],
)
def test_invalid_strings_raise_parse_error(text, fragment):
    with pytest.raises(ParseError, match=fragment) as exc:
        EnhancedStatus(text)
    assert isinstance(exc.value, ValueError)
    assert exc.value.position is not None


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((3, 1, 1), "class must be 2, 4 or 5"),
        ((6, 1, 1), "class must be 2, 4 or 5"),
        ((1, 0, 0), "class must be 2, 4 or 5"),
        ((0, 0, 0), "class must be 2, 4 or 5"),
        ((5, 1000, 1), "0-999"),
        ((5, 1, 1000), "0-999"),
        ((4, 1000, 1000), "0-999"),
    ],
)
def test_invalid_numbers_raise_parse_error(args, fragment):
    with pytest.raises(ParseError, match=fragment):
        EnhancedStatus(*args)


@pytest.mark.parametrize(
    "args",
    [
        (),
        (5, 1),
        (5, 1, 1, 1),
        (5,),
        (None,),
        (5.0, 1, 1),
        ("5", 1, 1),
        (5, "1", 1),
        ([5, 1, 1],),
        ((5, 1, 1),),
        (b"5.1.1",),
    ],
)
def test_wrong_arity_or_types_raise_type_error(args):
    with pytest.raises(TypeError):
        EnhancedStatus(*args)


@pytest.mark.parametrize(
    ("text", "klass"),
    [("2.0.0", StatusClass.SUCCESS), ("4.2.2", StatusClass.PERSISTENT_TRANSIENT_FAILURE), ("5.1.1", StatusClass.PERMANENT_FAILURE)],
)
def test_klass(text, klass):
    assert EnhancedStatus(text).klass is klass


@pytest.mark.parametrize(
    ("n", "member"),
    [
        (0, Subject.OTHER),
        (1, Subject.ADDRESSING),
        (2, Subject.MAILBOX),
        (3, Subject.MAIL_SYSTEM),
        (4, Subject.NETWORK_AND_ROUTING),
        (5, Subject.MAIL_DELIVERY_PROTOCOL),
        (6, Subject.MESSAGE_CONTENT_OR_MEDIA),
        (7, Subject.SECURITY_OR_POLICY),
    ],
)
def test_subject_members(n, member):
    assert EnhancedStatus(5, n, 0).subject is member


@pytest.mark.parametrize("n", [8, 9, 10, 99, 999])
def test_subject_outside_rfc_3463_is_a_plain_int(n):
    s = EnhancedStatus(5, n, 1)
    assert type(s.subject) is int
    assert s.subject == n
    assert not s.registered


@pytest.mark.parametrize("detail", [0, 1, 10, 650, 999])
def test_detail(detail):
    s = EnhancedStatus(4, 7, detail)
    assert type(s.detail) is int
    assert s.detail == detail


def test_registered_status_data():
    s = EnhancedStatus("5.7.1")
    assert s.title == "Delivery not authorized, message refused"
    assert s.description.startswith("The sender is not authorized to send to the destination.")
    assert s.reference == "RFC 3463"
    assert s.reply_codes == (451, 454, 502, 503, 533, 550, 551)
    assert s.registered is True


@pytest.mark.parametrize(
    ("text", "title", "reference", "reply_codes"),
    [
        ("5.1.1", "Bad destination mailbox address", "RFC 3463", (451, 550)),
        ("4.1.1", "Bad destination mailbox address", "RFC 3463", (451, 550)),
        ("2.1.5", "Destination address valid", "RFC 3463", (250,)),
        ("5.2.2", "Mailbox full", "RFC 3463", (552,)),
        ("5.1.10", "Recipient address has null MX", "RFC 7505, RFC 7504", (556,)),
        ("5.7.30", "REQUIRETLS support required", "RFC 8689", (550,)),
        ("5.0.0", "Other undefined Status", "RFC 3463", ()),
    ],
)
def test_registry_fields(text, title, reference, reply_codes):
    s = EnhancedStatus(text)
    assert s.title == title
    assert s.reference == reference
    assert s.reply_codes == reply_codes
    assert s.registered
    assert isinstance(s.description, str) and s.description


@pytest.mark.parametrize("text", ["5.9.1", "4.7.650", "5.7.515", "2.0.99", "5.1.999"])
def test_unregistered_status(text):
    s = EnhancedStatus(text)
    assert s.registered is False
    assert s.description is None
    assert s.reference is None
    assert s.reply_codes == ()
    assert s.title  # falls back to the class (and subject) meaning


def test_unregistered_title_names_class_and_subject():
    assert EnhancedStatus("5.9.1").title.startswith("Permanent Failure")
    t = EnhancedStatus("4.7.650").title
    assert t.startswith("Persistent Transient Failure") and "Security or Policy" in t


def test_describe_languages():
    s = EnhancedStatus("5.2.2")
    assert s.describe() == s.describe("en") == s.title == "Mailbox full"
    assert s.describe("fr") == "Boîte aux lettres saturée"
    with pytest.raises(ValueError):
        s.describe("xx")


@pytest.mark.parametrize("text", ["5.7.1", "2.0.0", "4.7.650", "5.999.999"])
def test_str_and_repr(text):
    s = EnhancedStatus(text)
    assert str(s) == text
    assert repr(s) == f"EnhancedStatus('{text}')"
    assert eval(repr(s), {"EnhancedStatus": EnhancedStatus}) == s


def test_ordering():
    codes = ["5.1.10", "4.9.9", "5.1.1", "2.0.0", "5.1.2", "5.10.0", "4.7.650", "2.1.5", "5.2.0"]
    statuses = [EnhancedStatus(c) for c in codes]
    assert [str(s) for s in sorted(statuses)] == [
        "2.0.0", "2.1.5", "4.7.650", "4.9.9", "5.1.1", "5.1.2", "5.1.10", "5.2.0", "5.10.0",
    ]
    a, b = EnhancedStatus("5.1.1"), EnhancedStatus("5.1.2")
    assert a < b and a <= b and b > a and b >= a and a != b
    assert not (a > b) and not (a >= b)
    assert a <= EnhancedStatus("5.1.1") >= a
    assert max(statuses) == EnhancedStatus("5.10.0")
    assert min(statuses) == EnhancedStatus("2.0.0")


def test_compares_with_strings():
    s = EnhancedStatus("5.1.1")
    assert s == "5.1.1"
    assert "5.1.1" == s
    assert s != "5.1.2"
    assert s < "5.1.2"
    assert s > "4.9.9"
    assert s != "garbage"
    assert not (s == "garbage")


@pytest.mark.parametrize("other", [5, 5.11, None, (5, 1, 1), b"5.1.1"])
def test_not_equal_to_other_types(other):
    s = EnhancedStatus("5.1.1")
    assert s != other
    assert not (s == other)


@pytest.mark.parametrize("other", [5, None, (5, 1, 1), "garbage", "5.1"])
def test_ordering_other_types_is_a_type_error(other):
    with pytest.raises(TypeError):
        EnhancedStatus("5.1.1") < other  # noqa: B015


def test_hashing():
    s = EnhancedStatus("5.7.1")
    assert hash(s) == hash("5.7.1")
    assert hash(s) == hash(EnhancedStatus(5, 7, 1))
    assert len({s, EnhancedStatus(5, 7, 1), EnhancedStatus("5.7.1")}) == 1
    assert len({s, "5.7.1"}) == 1
    d = {s: "policy"}
    assert d["5.7.1"] == "policy"
    assert d[EnhancedStatus(5, 7, 1)] == "policy"
    assert {"5.7.1": 1}[s] == 1
    assert "5.7.1" in {s}
    assert len({EnhancedStatus(c) for c in ["5.1.1", "4.1.1", "5.1.1", "2.1.5", "4.1.1"]}) == 3


# Regression: == once accepted any string EnhancedStatus() parses ("5.01.1", " 5.1.1") while
# __hash__ hashed the canonical form, so equal objects hashed differently.
@pytest.mark.parametrize("other", ["5.01.1", "5.1.01", "5.001.001", " 5.1.1", "5.1.1 "])
def test_equal_strings_hash_equal(other):
    s = EnhancedStatus("5.1.1")
    # Objects that compare equal must hash equal (either answer to == is fine, not both at once).
    assert s != other or hash(s) == hash(other)
    assert (other in {s}) == (s == other)


@pytest.mark.parametrize("text", ["5.7.1", "2.0.0", "4.7.650", "5.9.1", "5.999.999"])
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle(text, protocol):
    s = EnhancedStatus(text)
    back = pickle.loads(pickle.dumps(s, protocol))
    assert type(back) is EnhancedStatus
    assert back == s
    assert hash(back) == hash(s)
    assert (back.klass, back.subject, back.detail) == (s.klass, s.subject, s.detail)


def test_copy():
    s = EnhancedStatus("5.7.1")
    assert copy.copy(s) == s
    assert copy.deepcopy(s) == s


@pytest.mark.parametrize("attr", ["klass", "subject", "detail", "title", "foo"])
def test_frozen(attr):
    s = EnhancedStatus("5.7.1")
    with pytest.raises(AttributeError):
        setattr(s, attr, 1)


def test_parse_gives_enhanced_status():
    st = sc.parse("550 5.7.1 x").status
    assert isinstance(st, EnhancedStatus)
    assert st == EnhancedStatus(5, 7, 1)
