"""Suppression lists in the CSV layouts of SES, SendGrid, Mailgun and Postmark: reading, writing,
telling the layout from the header, the time forms, and errors that say where."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smtpcodes
from smtpcodes import (
    SuppressionKind,
    SuppressionListError,
    SuppressionRecord,
    read_suppressions,
    write_suppressions,
)
from smtpcodes.suppressions import _LAYOUTS, FORMATS

K = SuppressionKind
UTC = timezone.utc
T = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)

# One export of each layout, as the service writes it (see the module's sources), with what it holds.
SAMPLES: dict[str, tuple[str, list[tuple[str, SuppressionKind, datetime | None, str | None]]]] = {
    "ses": (
        "EmailAddress,Reason,LastUpdateTime\n"
        "bob@example.com,BOUNCE,2024-05-01T12:30:15.437000+00:00\n"
        "ann@example.org,COMPLAINT,1714566615\n",
        [("bob@example.com", K.BOUNCE, T.replace(microsecond=437000), None), ("ann@example.org", K.COMPLAINT, T, None)],
    ),
    "ses_import": (
        # The example of SES's bulk import instructions, with its space before a reason.
        "recipient1@example.com,BOUNCE\nrecipient2@example.com, COMPLAINT\n",
        [("recipient1@example.com", K.BOUNCE, None, None), ("recipient2@example.com", K.COMPLAINT, None, None)],
    ),
    "sendgrid_spam_reports": (
        "email,created,ip\nbob@example.com,1714566615,192.0.2.7\n",
        [("bob@example.com", K.COMPLAINT, T, "192.0.2.7")],
    ),
    "sendgrid_invalid_emails": (
        "email,created,reason\nbob@example,1714566615,Mail domain mentioned in email address is unknown\n",
        [("bob@example", K.INVALID, T, "Mail domain mentioned in email address is unknown")],
    ),
    "sendgrid_unsubscribes": (
        "email,created\nbob@example.com,1714566615\n",
        [("bob@example.com", K.UNSUBSCRIBE, T, None)],
    ),
    "mailgun_bounces": (
        'address,code,error,created_at\nbob@example.com,550,No such mailbox,"Wed, 01 May 2024 12:30:15 UTC"\n',
        [("bob@example.com", K.BOUNCE, T, "550 No such mailbox")],
    ),
    "mailgun_complaints": (
        'address,created_at\nbob@example.com,"Wed, 01 May 2024 12:30:15 UTC"\n',
        [("bob@example.com", K.COMPLAINT, T, None)],
    ),
    "mailgun_unsubscribes": (
        'address,tags,created_at\nbob@example.com,*,"Wed, 01 May 2024 12:30:15 UTC"\n',
        [("bob@example.com", K.UNSUBSCRIBE, T, "*")],
    ),
    "postmark": (
        # The suppression dump's example values.
        "EmailAddress,SuppressionReason,Origin,CreatedAt\n"
        "address@wildbit.com,ManualSuppression,Recipient,2019-12-17T08:58:33-05:00\n"
        "bounce.address@wildbit.com,HardBounce,Recipient,2019-12-17T08:58:33-05:00\n"
        "spam.complaint.address@wildbit.com,SpamComplaint,Recipient,2019-12-17T08:58:33-05:00\n"
        "me@wildbit.com,ManualSuppression,Customer,2019-12-17T08:58:33-05:00\n",
        [
            ("address@wildbit.com", K.UNSUBSCRIBE, datetime(2019, 12, 17, 13, 58, 33, tzinfo=UTC), "Recipient"),
            ("bounce.address@wildbit.com", K.BOUNCE, datetime(2019, 12, 17, 13, 58, 33, tzinfo=UTC), "Recipient"),
            (
                "spam.complaint.address@wildbit.com",
                K.COMPLAINT,
                datetime(2019, 12, 17, 13, 58, 33, tzinfo=UTC),
                "Recipient",
            ),
            ("me@wildbit.com", K.MANUAL, datetime(2019, 12, 17, 13, 58, 33, tzinfo=UTC), "Customer"),
        ],
    ),
}
BOUNCES = "email,created,status,reason\nbob@example.com,1714566615,5.1.1,550 5.1.1 The email account does not exist\n"


def _tuples(records: list[SuppressionRecord]) -> list[tuple[str, SuppressionKind, datetime | None, str | None]]:
    return [(r.address, r.reason, r.created, r.detail) for r in records]


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", sorted(SAMPLES))
def test_reads_each_layout_and_tells_it_from_the_header(layout: str) -> None:
    text, expected = SAMPLES[layout]
    for format in (None, layout, _LAYOUTS[layout].service):
        records = read_suppressions(text, format)
        assert _tuples(records) == expected, format
        assert {r.source_format for r in records} == {layout}
        assert all(r.created is None or r.created.tzinfo is UTC for r in records)


def test_sendgrid_bounces_and_blocks_share_a_header_and_need_their_name() -> None:
    for format in (None, "sendgrid"):
        with pytest.raises(
            SuppressionListError, match="is sendgrid_bounces' and sendgrid_blocks': pass format="
        ) as caught:
            read_suppressions(BOUNCES, format)
        assert caught.value.line == 1
    [bounce] = read_suppressions(BOUNCES, "sendgrid_bounces")
    [block] = read_suppressions(BOUNCES, "sendgrid_blocks")
    assert (bounce.reason, block.reason) == (K.BOUNCE, K.BLOCKED)
    assert bounce.detail == block.detail == "550 5.1.1 The email account does not exist"
    assert bounce.created == T
    # Without a reason, the status is the detail.
    [record] = read_suppressions("email,created,status,reason\nbob@example.com,,5.1.1,\n", "sendgrid_bounces")
    assert record.detail == "5.1.1"


def test_ses_with_a_header_of_two_columns_or_none() -> None:
    assert _tuples(read_suppressions("EmailAddress,Reason\nbob@example.com,bounce\n")) == [
        ("bob@example.com", K.BOUNCE, None, None)
    ]
    records = read_suppressions("bob@example.com,COMPLAINT\n", "ses")
    assert [(r.reason, r.source_format) for r in records] == [(K.COMPLAINT, "ses_import")]


def test_header_names_match_in_any_case_and_order() -> None:
    [r] = read_suppressions("Created , EMAIL\n1714566615,bob@example.com\n")
    assert (r.address, r.reason, r.created, r.source_format) == (
        "bob@example.com",
        K.UNSUBSCRIBE,
        T,
        "sendgrid_unsubscribes",
    )


def test_a_named_format_takes_some_of_its_columns() -> None:
    # Mailgun's import files make every column but the address optional.
    [r] = read_suppressions("address\nbob@example.com\n", "mailgun_bounces")
    assert (r.reason, r.created, r.detail) == (K.BOUNCE, None, None)
    [r] = read_suppressions("created_at,address,code\n,bob@example.com,554\n", "mailgun_bounces")
    assert r.detail == "554"
    # ... but never the column that gives the kind.
    with pytest.raises(SuppressionListError, match="'EmailAddress' and 'SuppressionReason'"):
        read_suppressions("EmailAddress,CreatedAt\nbob@example.com,\n", "postmark")
    # Told nothing, a partial header is no layout's.
    with pytest.raises(SuppressionListError, match="cannot tell"):
        read_suppressions("address\nbob@example.com\n")


def test_blank_lines_bom_crlf_and_spaces() -> None:
    text = "\ufeffemail,created\r\n\r\n  Bob@Example.COM  ,1714566615\r\n,\r\n   \r\nann@example.org,\r\n\r\n"
    records = read_suppressions(text)
    assert _tuples(records) == [
        ("Bob@Example.COM", K.UNSUBSCRIBE, T, None),
        ("ann@example.org", K.UNSUBSCRIBE, None, None),
    ]


def test_empty_and_header_only_files() -> None:
    assert read_suppressions("\n\n") == []
    assert read_suppressions("email,created\n") == []
    assert read_suppressions("", "postmark") == []
    assert read_suppressions(io.StringIO("")) == []


def test_sources_path_text_and_file(tmp_path: Path) -> None:
    text, expected = SAMPLES["postmark"]
    path = tmp_path / "suppressions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert _tuples(read_suppressions(path)) == expected
    assert _tuples(read_suppressions(str(path))) == expected
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert _tuples(read_suppressions(handle)) == expected
    assert _tuples(read_suppressions(io.StringIO(text))) == expected
    with pytest.raises(FileNotFoundError):
        read_suppressions(str(tmp_path / "missing.csv"))
    with pytest.raises(TypeError, match="source must be"):
        read_suppressions(42)  # type: ignore[arg-type]


def test_quoted_fields_keep_commas_and_line_breaks() -> None:
    text = 'email,created,reason\n"o,neil@example.com",1714566615,"550 no\nsuch user"\nnext@example.com,,x\n'
    records = read_suppressions(text)
    assert records[0].address == "o,neil@example.com"
    assert records[0].detail == "550 no\nsuch user"
    with pytest.raises(SuppressionListError) as caught:
        read_suppressions(text + "bad,1714566615,x\n")
    assert caught.value.line == 5  # line numbers count the line break inside the quotes


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1714566615", T),
        ("1714566615.5", T + timedelta(microseconds=500000)),
        ("0", datetime(1970, 1, 1, tzinfo=UTC)),
        ("-86400", datetime(1969, 12, 31, tzinfo=UTC)),
        ("2024-05-01T12:30:15Z", T),
        ("2024-05-01T12:30:15+00:00", T),
        ("2024-05-01T14:30:15+02:00", T),
        ("2024-05-01T07:30:15-05:00", T),
        ("2024-05-01T12:30:15.437000+00:00", T.replace(microsecond=437000)),
        ("2024-05-01 12:30:15", T),  # no zone: UTC
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("Wed, 01 May 2024 12:30:15 UTC", T),  # as Mailgun writes it
        ("Wed, 01 May 2024 12:30:15 GMT", T),
        ("Wed, 01 May 2024 12:30:15 +0000", T),
        ("Wed, 01 May 2024 14:30:15 +0200", T),
        ("Wed, 01 May 2024 12:30:15 -0000", T),  # RFC 2822's "no zone known"
        ("1 May 2024 12:30:15 +0000", T),
        ("  1714566615 ", T),
        ("", None),
        ("   ", None),
    ],
)
def test_time_forms(cell: str, expected: datetime | None) -> None:
    [r] = read_suppressions(f'address,created_at\nbob@example.com,"{cell}"\n')
    assert r.created == expected
    if expected is not None:
        assert r.created is not None and r.created.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "cell", ["yesterday", "2024-13-01", "Wed, 32 May 2024 12:30:15 UTC", "99999999999999999", "1e9", "12:30"]
)
def test_bad_times_name_the_line_and_column(cell: str) -> None:
    with pytest.raises(SuppressionListError, match="expected a time") as caught:
        read_suppressions(f'email,created\nbob@example.com,1714566615\n\nann@example.org,"{cell}"\n')
    assert (caught.value.line, caught.value.column, caught.value.format) == (4, "created", "sendgrid_unsubscribes")
    assert str(caught.value).startswith("sendgrid_unsubscribes, line 4, column 'created': ")


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "format", "line", "column", "message"),
    [
        ("email,created\nbob@example.com,1714566615,x\n", None, 2, None, "expected 2 fields (email,created), found 3"),
        ("email,created\nbob@example.com\n", None, 2, None, "expected 2 fields"),
        (
            "email,created\n\n\nnot an address,1\n",
            None,
            4,
            "email",
            "expected an email address, found 'not an address'",
        ),
        ("email,created\n@example.com,1\n", None, 2, "email", "expected an email address"),
        ("email,created\nbob@,1\n", None, 2, "email", "expected an email address"),
        ("email,created\n,1\n", None, 2, "email", "expected an email address, found ''"),
        (
            "EmailAddress,Reason\nbob@example.com,UNSUBSCRIBE\n",
            None,
            2,
            "Reason",
            "expected BOUNCE or COMPLAINT, found 'UNSUBSCRIBE'",
        ),
        ("bob@example.com,BOUNCE\nann@example.org,\n", "ses", 2, "Reason", "expected BOUNCE or COMPLAINT, found ''"),
        (
            "EmailAddress,SuppressionReason,Origin,CreatedAt\nbob@example.com,SoftBounce,Recipient,\n",
            None,
            2,
            "SuppressionReason",
            "expected HardBounce, SpamComplaint or ManualSuppression",
        ),
        (
            "EmailAddress,SuppressionReason,Origin,CreatedAt\nbob@example.com,HardBounce,Somebody,\n",
            None,
            2,
            "Origin",
            "expected Recipient, Customer or Admin, found 'Somebody'",
        ),
        ("address,code,error,created_at\nbob@example.com,5xx,,\n", None, 2, "code", "expected an SMTP reply code"),
        ('email,created\nbob@example.com,"1714566615\n', None, 2, None, "not CSV"),
    ],
)
def test_bad_rows_raise_with_line_and_column(
    text: str, format: str | None, line: int, column: str | None, message: str
) -> None:
    with pytest.raises(SuppressionListError, match=re.escape(message)) as caught:
        read_suppressions(text, format)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, smtpcodes.Error)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert f"line {line}" in str(caught.value)


def test_an_unknown_header_names_itself_and_the_known_formats() -> None:
    with pytest.raises(ValueError, match="cannot tell") as caught:
        read_suppressions("Recipient,When\nbob@example.com,1714566615\n")
    message = str(caught.value)
    assert "'Recipient,When'" in message
    for layout in _LAYOUTS.values():
        assert layout.name in message
        assert ",".join(layout.columns) in message


def test_a_named_format_says_which_header_it_wanted() -> None:
    with pytest.raises(SuppressionListError, match="expected the header 'address,code,error,created_at'") as caught:
        read_suppressions("email,created\nbob@example.com,1\n", "mailgun_bounces")
    assert caught.value.format == "mailgun_bounces"


def test_unknown_format() -> None:
    for call in (lambda: read_suppressions("a,b\n", "sparkpost"), lambda: write_suppressions([], "sparkpost")):
        with pytest.raises(
            ValueError, match="unknown suppression list format 'sparkpost'; known formats: ses, sendgrid"
        ):
            call()


# --- writing ---------------------------------------------------------------------------------

RECORDS = [
    SuppressionRecord("bob@example.com", K.BOUNCE, T, "550 5.1.1 User unknown"),
    SuppressionRecord("ann@example.org", K.COMPLAINT, None),
]


def test_writes_each_layout_as_the_service_does() -> None:
    bounce, complaint = RECORDS
    assert write_suppressions(RECORDS, "ses") == (
        "EmailAddress,Reason,LastUpdateTime\n"
        "bob@example.com,BOUNCE,2024-05-01T12:30:15+00:00\n"
        "ann@example.org,COMPLAINT,\n"
    )
    assert write_suppressions(RECORDS, "ses_import") == "bob@example.com,BOUNCE\nann@example.org,COMPLAINT\n"
    assert write_suppressions([bounce], "sendgrid") == (
        "email,created,status,reason\nbob@example.com,1714566615,5.1.1,550 5.1.1 User unknown\n"
    )
    assert write_suppressions([complaint], "sendgrid") == "email,created,ip\nann@example.org,,\n"
    assert write_suppressions([bounce], "mailgun") == (
        'address,code,error,created_at\nbob@example.com,550,5.1.1 User unknown,"Wed, 01 May 2024 12:30:15 UTC"\n'
    )
    assert write_suppressions([complaint], "mailgun") == "address,created_at\nann@example.org,\n"
    unsubscribe = SuppressionRecord("eve@example.net", K.UNSUBSCRIBE, T)
    assert write_suppressions([unsubscribe], "mailgun") == (
        'address,tags,created_at\neve@example.net,*,"Wed, 01 May 2024 12:30:15 UTC"\n'
    )
    assert write_suppressions([unsubscribe, SuppressionRecord("me@example.net", K.MANUAL)], "postmark") == (
        "EmailAddress,SuppressionReason,Origin,CreatedAt\n"
        "eve@example.net,ManualSuppression,Recipient,2024-05-01T12:30:15+00:00\n"
        "me@example.net,ManualSuppression,Customer,\n"
    )


def test_writes_times_to_the_second_in_utc() -> None:
    when = datetime(2024, 5, 1, 14, 30, 15, 999999, tzinfo=timezone(timedelta(hours=2)))
    record = SuppressionRecord("bob@example.com", K.UNSUBSCRIBE, when)
    assert write_suppressions([record], "sendgrid") == "email,created\nbob@example.com,1714566615\n"
    [back] = read_suppressions(write_suppressions([record], "postmark") or "")
    assert back.created == T


def test_detail_moves_between_services_only_where_it_means_the_same() -> None:
    # SendGrid's reason text becomes Mailgun's code and error, and back.
    [from_sendgrid] = read_suppressions(BOUNCES, "sendgrid_bounces")
    mailgun = write_suppressions([from_sendgrid], "mailgun_bounces") or ""
    assert "bob@example.com,550,5.1.1 The email account does not exist," in mailgun
    assert read_suppressions(mailgun)[0].detail == from_sendgrid.detail
    # Postmark's origin is no reason text: SendGrid gets an empty reason.
    [from_postmark] = [r for r in read_suppressions(SAMPLES["postmark"][0]) if r.reason is K.BOUNCE]
    assert (
        write_suppressions([from_postmark], "sendgrid_bounces")
        == "email,created,status,reason\nbounce.address@wildbit.com,1576591113,,\n"
    )
    # A spam report's IP stays with SendGrid; Mailgun's tags with Mailgun.
    [report] = read_suppressions(SAMPLES["sendgrid_spam_reports"][0])
    assert write_suppressions([report], "sendgrid") == SAMPLES["sendgrid_spam_reports"][0]
    assert write_suppressions([dataclasses.replace(report, source_format=None)], "sendgrid").endswith(",\n")
    [tagged] = read_suppressions("address,tags,created_at\nbob@example.com,newsletter,\n")
    assert write_suppressions([tagged], "mailgun") == "address,tags,created_at\nbob@example.com,newsletter,\n"
    assert (
        write_suppressions([tagged], "postmark")
        == "EmailAddress,SuppressionReason,Origin,CreatedAt\nbob@example.com,ManualSuppression,Recipient,\n"
    )
    # Postmark's Admin origin stays.
    admin = read_suppressions(
        "EmailAddress,SuppressionReason,Origin\nbob@example.com,ManualSuppression,Admin\n", "postmark"
    )
    assert admin[0].reason is K.MANUAL
    assert (
        write_suppressions(admin, "postmark")
        == "EmailAddress,SuppressionReason,Origin,CreatedAt\nbob@example.com,ManualSuppression,Admin,\n"
    )


def test_writing_a_kind_the_layout_cannot_hold() -> None:
    unsubscribe = SuppressionRecord("eve@example.net", K.UNSUBSCRIBE)
    with pytest.raises(
        ValueError, match=r"record 1 \(eve@example.net\) is a unsubscribe: ses holds bounce, complaint only"
    ):
        write_suppressions([RECORDS[0], unsubscribe], "ses")
    with pytest.raises(
        ValueError, match="sendgrid keeps each kind in a list of its own, and these records are bounce, complaint"
    ):
        write_suppressions(RECORDS, "sendgrid")
    with pytest.raises(ValueError, match="no records to choose a mailgun list by"):
        write_suppressions([], "mailgun")
    with pytest.raises(ValueError, match="postmark holds bounce, complaint, unsubscribe, manual only"):
        write_suppressions([SuppressionRecord("bob@example", K.INVALID)], "postmark")
    with pytest.raises(TypeError, match="record 0 is a dict"):
        write_suppressions([{"address": "bob@example.com"}], "postmark")  # type: ignore[list-item]
    # A named list writes its header for no records.
    assert write_suppressions([], "mailgun_complaints") == "address,created_at\n"
    assert write_suppressions([], "ses") == "EmailAddress,Reason,LastUpdateTime\n"


def test_writes_to_a_path_or_a_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_suppressions(RECORDS, "postmark", path) is None
    assert path.read_bytes().decode("utf-8") == write_suppressions(RECORDS, "postmark")
    assert write_suppressions(RECORDS, "postmark", str(path)) is None
    assert _tuples(read_suppressions(path)) == _tuples(read_suppressions(write_suppressions(RECORDS, "postmark") or ""))
    handle = io.StringIO()
    assert write_suppressions(iter(RECORDS), "ses", handle) is None
    assert handle.getvalue().startswith("EmailAddress,Reason,LastUpdateTime\n")


def test_quotes_what_csv_must() -> None:
    record = SuppressionRecord('"o,neil"@example.com', K.BOUNCE, None, 'said "no",\nthen left')
    text = write_suppressions([record], "sendgrid_bounces") or ""
    [back] = read_suppressions(text, "sendgrid_bounces")
    assert (back.address, back.detail) == (record.address, record.detail)


# --- records ---------------------------------------------------------------------------------


def test_record_checks_what_it_holds() -> None:
    assert SuppressionRecord("bob@example.com", "complaint").reason is K.COMPLAINT  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match="reason must be one of bounce, complaint, unsubscribe, manual, invalid, blocked, not 'spam'"
    ):
        SuppressionRecord("bob@example.com", "spam")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware datetime"):
        SuppressionRecord("bob@example.com", K.BOUNCE, datetime(2024, 5, 1))
    with pytest.raises(TypeError, match="created must be a datetime"):
        SuppressionRecord("bob@example.com", K.BOUNCE, 1714566615)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="address must be a str"):
        SuppressionRecord(None, K.BOUNCE)  # type: ignore[arg-type]
    record = SuppressionRecord("bob@example.com", K.BOUNCE, T)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.address = "x"  # type: ignore[misc]
    assert record == SuppressionRecord("bob@example.com", K.BOUNCE, T)
    assert hash(record) == hash(SuppressionRecord("bob@example.com", K.BOUNCE, T))


def test_kinds_and_exports() -> None:
    assert [k.value for k in SuppressionKind] == ["bounce", "complaint", "unsubscribe", "manual", "invalid", "blocked"]
    for name in (
        "SuppressionKind",
        "SuppressionListError",
        "SuppressionRecord",
        "read_suppressions",
        "write_suppressions",
    ):
        assert name in smtpcodes.__all__
    assert set(FORMATS) == set(_LAYOUTS) | {"ses", "sendgrid", "mailgun", "postmark"}
    # Every layout holds at least one kind, and every kind has a layout.
    assert {k for layout in _LAYOUTS.values() for k in layout.kinds} == set(SuppressionKind)


# --- round trips -----------------------------------------------------------------------------

ADDRESSES = st.from_regex(r"[A-Za-z0-9._%+,'\"-]{1,20}@[A-Za-z0-9-]{1,15}(\.[A-Za-z0-9-]{1,10}){0,2}", fullmatch=True)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
TIMES = st.none() | st.datetimes(datetime(1900, 1, 2), datetime(2200, 1, 1), timezones=ZONES)
DETAILS = st.none() | st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@st.composite
def records_for(draw: st.DrawFn, layout: str) -> list[SuppressionRecord]:
    kinds = _LAYOUTS[layout].kinds
    return draw(
        st.lists(
            st.builds(SuppressionRecord, ADDRESSES, st.sampled_from(kinds), TIMES, DETAILS),
            min_size=1,
            max_size=8,
        )
    )


@pytest.mark.parametrize("layout", sorted(_LAYOUTS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_round_trip_keeps_address_kind_and_time_to_the_second(layout: str, data: st.DataObject) -> None:
    records = data.draw(records_for(layout))
    text = write_suppressions(records, layout)
    assert text is not None
    back = read_suppressions(text, layout)
    assert [r.address for r in back] == [r.address for r in records]
    assert [r.reason for r in back] == [r.reason for r in records]
    assert {r.source_format for r in back} == {layout}
    if _LAYOUTS[layout].time is None:
        assert all(r.created is None for r in back)
    else:
        assert [r.created for r in back] == [
            r.created.astimezone(UTC).replace(microsecond=0) if r.created else None for r in records
        ]
    # Written and read again, the records are the same (the first reading strips the details).
    assert read_suppressions(write_suppressions(back, layout) or "", layout) == back
    # And the layout is told from the header, where the header is the layout's alone.
    if layout not in ("sendgrid_bounces", "sendgrid_blocks"):
        assert read_suppressions(text) == back


CSV_CHARS = st.sampled_from(list(',"\n\r @.\ufeff') + list("EmailAddressReasonBOUNCEemailcreated0123456789:-TZ+ "))
HEADERS = st.sampled_from([",".join(layout.columns) + "\n" for layout in _LAYOUTS.values()] + [""])


@settings(max_examples=300, deadline=None)
@given(
    header=HEADERS,
    body=st.text(CSV_CHARS, max_size=120) | st.text(max_size=60),
    format=st.none() | st.sampled_from(FORMATS),
)
def test_any_text_reads_or_raises_value_error(header: str, body: str, format: str | None) -> None:
    # The parser's promise: records that hold what a record holds, or a ValueError; nothing else.
    try:
        records = read_suppressions(io.StringIO(header + body), format)
    except ValueError:
        return
    for r in records:
        assert "@" in r.address and r.address == r.address.strip()
        assert r.created is None or r.created.utcoffset() == timedelta(0)
        assert r.source_format in _LAYOUTS
        assert r.reason in _LAYOUTS[r.source_format].kinds
