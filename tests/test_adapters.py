"""from_exception: smtplib and aiosmtplib exceptions and results -> replies; decide() takes them."""

from __future__ import annotations

import smtplib
import socket

import pytest

import smtpcodes as sc
from smtpcodes import Action

aiosmtplib = pytest.importorskip("aiosmtplib")


@pytest.mark.parametrize(
    ("exc", "code", "status", "reason"),
    [
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"), 554, "5.7.1", None),
        (smtplib.SMTPSenderRefused(553, b"5.1.8 Sender domain does not exist", "a@example.com"), 553, "5.1.8", "rejected"),
        (smtplib.SMTPHeloError(501, b"5.5.4 Invalid HELO name"), 501, "5.5.4", "blocked"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"), 535, "5.7.8", "securityerror"),
        (smtplib.SMTPConnectError(421, b"4.7.0 Too many connections"), 421, "4.7.0", None),
        (smtplib.SMTPResponseException(451, "4.3.0 Temporary failure"), 451, "4.3.0", None),
        (smtplib.SMTPDataError(552, b"5.3.4 Message size exceeds fixed limit\n(max 10 MB)"), 552, "5.3.4", "mesgtoobig"),
        (aiosmtplib.SMTPResponseException(550, "5.7.26 Unauthenticated email"), 550, "5.7.26", "authfailure"),
        (aiosmtplib.SMTPDataError(451, "4.3.0 Try later"), 451, "4.3.0", None),
        (aiosmtplib.SMTPSenderRefused(550, "5.7.1 Sender rejected", "a@example.com"), 550, "5.7.1", None),
        (aiosmtplib.SMTPHeloError(421, "4.3.2 Service shutting down"), 421, "4.3.2", None),
    ],
)
def test_exceptions_with_a_reply(exc, code, status, reason):
    r = sc.from_exception(exc)
    assert isinstance(r, sc.Reply)
    assert (r.code, str(r.status)) == (code, status)
    if reason:
        assert r.reason.value == reason
    assert isinstance(sc.decide(r), sc.RetryDecision)


def test_multi_line_smtplib_messages_keep_their_lines():
    r = sc.from_exception(smtplib.SMTPDataError(552, b"5.3.4 Message too big\nfor this system"))
    assert r.lines == ("Message too big", "for this system")


def test_recipients_refused_give_one_reply_per_recipient_and_decide_takes_the_dict():
    exc = smtplib.SMTPRecipientsRefused(
        {"bob@example.com": (550, b"5.1.1 User unknown"), "ann@example.com": (452, b"4.2.2 Mailbox full")}
    )
    replies = sc.from_exception(exc)
    assert set(replies) == {"bob@example.com", "ann@example.com"}
    decisions = sc.decide(replies)
    assert decisions["bob@example.com"].action is Action.SUPPRESS
    assert decisions["ann@example.com"].action is Action.RETRY
    a = aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "5.1.1 No such user", "bob@example.com")])
    assert sc.from_exception(a)["bob@example.com"].reason is sc.Reason.USER_UNKNOWN


def test_aiosmtplib_send_result_and_smtplib_sendmail_result():
    result = ({"bob@example.com": aiosmtplib.SMTPResponse(550, "5.1.1 User unknown")}, "OK")
    assert sc.decide(sc.from_exception(result))["bob@example.com"].suppress
    assert sc.from_exception({"bob@example.com": (550, b"5.1.1 User unknown")})["bob@example.com"].code == 550
    assert sc.from_exception(({}, "OK")) == {}


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "4.4.2"),
        (ConnectionResetError(104, "Connection reset by peer"), "4.4.2"),
        (TimeoutError("timed out"), "4.4.2"),
        (socket.timeout("timed out"), "4.4.2"),
        (ConnectionRefusedError(111, "Connection refused"), "4.4.1"),
        (socket.gaierror(-2, "Name or service not known"), "4.4.3"),
        (smtplib.SMTPConnectError(-1, b"unknown error"), "4.4.2"),
        (aiosmtplib.SMTPServerDisconnected("Unexpected EOF"), "4.4.2"),
        (aiosmtplib.SMTPConnectError("Error connecting to mx.example.com on port 25"), "4.4.1"),
        (aiosmtplib.SMTPConnectTimeoutError("Timed out connecting"), "4.4.1"),
        (aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response"), "4.4.2"),
    ],
)
def test_connection_failures_are_transient_network_failures(exc, status):
    r = sc.from_exception(exc)
    assert (r.code, str(r.status)) == (None, status)
    assert r.is_transient
    d = sc.decide(r)
    assert d.action is Action.RETRY
    # "Name or service not known" is a DNS failure for the destination: the text rules say so.
    assert r.reason in (sc.Reason.NETWORK_ERROR, sc.Reason.HOST_UNKNOWN)
    assert r.bounce is sc.Bounce.SOFT


@pytest.mark.parametrize("bad", [ValueError("x"), "550 x", 550, None, smtplib.SMTPNotSupportedError("no")])
def test_anything_else_is_a_type_error(bad):
    with pytest.raises(TypeError):
        sc.from_exception(bad)
