"""The scripted SMTP server (``smtp_server`` fixture) against real clients: Python's smtplib and
aiosmtplib, through every scripted failure, with the records it keeps and the decisions
smtpcodes takes on what the clients raise (``smtpcodes.from_exception`` + ``smtpcodes.decide``).
"""

from __future__ import annotations

import asyncio
import email.policy
import smtplib
import socket
import threading
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest

import smtpcodes as sc
from smtpcodes.smtp_server import Envelope, ScriptedSMTPServer, Session
from smtpcodes.testing import assert_reply

TIMEOUT = 5
SENDER = "alice@example.com"
BOB = "bob@example.com"
CAROL = "carol@example.com"


def message(subject: str = "hello", to: tuple[str, ...] = (BOB,)) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content("Hello there.\n")
    return msg


def wire(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=email.policy.SMTP)


def client(server: ScriptedSMTPServer) -> smtplib.SMTP:
    return smtplib.SMTP(server.host, server.port, local_hostname="client.test", timeout=TIMEOUT)


def sendmail(server: ScriptedSMTPServer, rcpts: list[str], subject: str = "hello") -> dict[str, tuple[int, bytes]]:
    with client(server) as c:
        return c.sendmail(SENDER, rcpts, wire(message(subject, tuple(rcpts))))


def aio_send(server: ScriptedSMTPServer, rcpts: list[str], subject: str = "hello") -> tuple[dict[str, Any], str]:
    return asyncio.run(
        aiosmtplib.send(
            message(subject, tuple(rcpts)),
            hostname=server.host,
            port=server.port,
            sender=SENDER,
            recipients=rcpts,
            local_hostname="client.test",
            timeout=TIMEOUT,
            start_tls=False,
        )
    )


def reply_of(exc: object) -> sc.Reply:
    """``from_exception`` for a failure of the whole message: a single Reply."""
    reply = sc.from_exception(exc)
    assert isinstance(reply, sc.Reply), reply
    return reply


def replies_of(exc: object) -> dict[str, sc.Reply]:
    """``from_exception`` for refused recipients: ``{address: Reply}``."""
    replies = sc.from_exception(exc)
    assert isinstance(replies, dict), replies
    return replies


def refused_reply(code: int, text: bytes) -> sc.Reply:
    """smtplib's ``(code, text)`` for one refused recipient (the dict ``sendmail`` returns when
    some recipients were accepted) as a Reply."""
    return sc.parse(f"{code} {text.decode()}")


def reply_to(session: Session, command: str) -> str:
    """The reply to the first ``command`` of the session."""
    return next(sent for line, sent in session.commands if line.split(" ", 1)[0] == command)


def command_names(session: Session) -> list[str]:
    return [line.split(" ", 1)[0] for line, _ in session.commands]


# --- default: accept everything --------------------------------------------------------------


def test_accepts_everything_and_records_it(smtp_server: ScriptedSMTPServer) -> None:
    assert smtp_server.host == "127.0.0.1" and smtp_server.port > 0
    assert sendmail(smtp_server, [BOB, CAROL], subject="first") == {}

    [session] = smtp_server.sessions
    assert session.peer[0] == "127.0.0.1"
    assert session.greeting.startswith("220 ")
    assert session.helo == "client.test"
    assert not session.dropped
    assert command_names(session) == ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", ".", "QUIT"]
    assert session.commands[2] == (f"RCPT TO:<{BOB}>", "250 OK")
    assert session.commands[4] == ("DATA", "354 End data with <CR><LF>.<CR><LF>")
    assert session.commands[5] == (".", "250 OK")
    assert session.commands[6] == ("QUIT", "221 Bye")

    [envelope] = smtp_server.envelopes
    assert session.envelopes == [envelope]
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == envelope.accepted_rcpts == [BOB, CAROL]
    assert envelope.delivered
    assert b"Subject: first" in envelope.content

    [msg] = smtp_server.messages
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "first"
    assert msg["To"] == f"{BOB}, {CAROL}"
    assert msg.get_content() == "Hello there.\n"


def test_aiosmtplib_default(smtp_server: ScriptedSMTPServer) -> None:
    errors, data_reply = aio_send(smtp_server, [BOB])
    assert errors == {} and data_reply == "OK"
    assert [m["Subject"] for m in smtp_server.messages] == ["hello"]
    assert smtp_server.sessions[0].helo == "client.test"


def test_helo_noop_rset_quit_scripted(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("HELO", "250 mx.example.net at your service")
    smtp_server.reply("NOOP", "250 2.0.0 Still here")
    smtp_server.reply("RSET", "250 2.0.0 Flushed")
    smtp_server.reply("QUIT", "221 2.0.0 See you")
    with client(smtp_server) as c:
        assert c.helo() == (250, b"mx.example.net at your service")
        assert c.noop() == (250, b"2.0.0 Still here")
        assert c.rset() == (250, b"2.0.0 Flushed")
        assert c.docmd("QUIT") == (221, b"2.0.0 See you")
    [session] = smtp_server.sessions
    assert session.helo == "client.test"
    assert session.commands[-1] == ("QUIT", "221 2.0.0 See you")


def test_multiline_reply(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply(
        "RCPT",
        "550-5.1.1 The email account that you tried to reach does not exist.\r\n"
        "550 5.1.1 Please try double-checking the recipient's email address.",
    )
    with client(smtp_server) as c:
        c.ehlo()
        c.mail(SENDER)
        code, text = c.rcpt(BOB)
    assert code == 550
    assert text == (
        b"5.1.1 The email account that you tried to reach does not exist.\n"
        b"5.1.1 Please try double-checking the recipient's email address."
    )
    sent = smtp_server.sessions[0].commands[2][1]
    assert sent.split("\r\n")[0].startswith("550-5.1.1 ")
    assert_reply(sc.parse(sent), code=550, status="5.1.1", reason="userunknown")


# --- RCPT 550 for one recipient ----------------------------------------------------------------


def test_rcpt_user_unknown_smtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 User unknown", recipient="Bob@Example.COM")

    # One of two refused: sendmail returns the refused ones.
    refused = sendmail(smtp_server, [BOB, CAROL])
    assert refused == {BOB: (550, b"5.1.1 User unknown")}
    reply = refused_reply(*refused[BOB])
    assert_reply(reply, code=550, status="5.1.1", reason="userunknown")
    assert sc.decide(reply).action is sc.Action.SUPPRESS

    # All refused: sendmail raises.
    with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
        sendmail(smtp_server, [BOB])
    assert info.value.recipients == {BOB: (550, b"5.1.1 User unknown")}

    first, second = smtp_server.envelopes
    assert (first.rcpt_tos, first.accepted_rcpts, first.delivered) == ([BOB, CAROL], [CAROL], True)
    assert (second.rcpt_tos, second.accepted_rcpts, second.delivered, second.content) == ([BOB], [], False, b"")
    assert len(smtp_server.messages) == 1
    assert (f"RCPT TO:<{BOB}>", "550 5.1.1 User unknown") in smtp_server.sessions[1].commands

    replies = replies_of(info.value)
    assert set(replies) == {BOB}
    assert_reply(replies[BOB], code=550, status="5.1.1", reason="userunknown")
    decisions = sc.decide(replies)
    assert decisions[BOB].action is sc.Action.SUPPRESS


def test_rcpt_user_unknown_aiosmtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 User unknown", recipient=BOB)

    result = aio_send(smtp_server, [BOB, CAROL])
    errors, _ = result
    assert set(errors) == {BOB} and errors[BOB].code == 550
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as info:
        aio_send(smtp_server, [BOB])

    assert [m["To"] for m in smtp_server.messages] == [f"{BOB}, {CAROL}"]
    assert smtp_server.envelopes[0].accepted_rcpts == [CAROL]
    assert smtp_server.envelopes[1].accepted_rcpts == []

    partial = replies_of(result)
    assert set(partial) == {BOB}
    assert_reply(partial[BOB], code=550, status="5.1.1")
    assert sc.decide(partial)[BOB].action is sc.Action.SUPPRESS
    replies = replies_of(info.value)
    assert set(replies) == {BOB}
    assert sc.decide(replies)[BOB].action is sc.Action.SUPPRESS


# --- DATA 451 once, then accepted ---------------------------------------------------------------


def test_data_451_then_success_smtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("DATA", "451 4.3.0 Temporary server error, try again", times=1)

    with pytest.raises(smtplib.SMTPDataError) as info:
        sendmail(smtp_server, [BOB], subject="attempt 1")
    assert info.value.smtp_code == 451
    assert sendmail(smtp_server, [BOB], subject="attempt 2") == {}  # the retry

    first, second = smtp_server.envelopes
    assert not first.delivered and b"attempt 1" in first.content
    assert second.delivered
    assert [m["Subject"] for m in smtp_server.messages] == ["attempt 2"]
    assert reply_to(smtp_server.sessions[0], ".") == "451 4.3.0 Temporary server error, try again"
    assert reply_to(smtp_server.sessions[1], ".") == "250 OK"

    reply = reply_of(info.value)
    assert_reply(reply, code=451, status="4.3.0")
    assert sc.decide(reply).action is sc.Action.RETRY


def test_data_451_then_success_aiosmtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("DATA", "451 4.3.0 Temporary server error, try again", times=1)
    with pytest.raises(aiosmtplib.SMTPDataError) as info:
        aio_send(smtp_server, [BOB])
    assert aio_send(smtp_server, [BOB])[1] == "OK"
    assert [e.delivered for e in smtp_server.envelopes] == [False, True]
    assert len(smtp_server.messages) == 1

    reply = reply_of(info.value)
    assert_reply(reply, code=451, status="4.3.0")
    assert sc.decide(reply).action is sc.Action.RETRY


# --- greylisting ----------------------------------------------------------------------------


def test_greylisting_smtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.greylist()

    with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
        sendmail(smtp_server, [BOB])
    assert info.value.recipients == {BOB: (450, b"4.2.0 Greylisted, please try again later")}
    # The retry passes for BOB; CAROL is new, so she is greylisted once herself.
    assert sendmail(smtp_server, [BOB, CAROL]) == {CAROL: (450, b"4.2.0 Greylisted, please try again later")}
    assert sendmail(smtp_server, [BOB, CAROL]) == {}

    assert [e.accepted_rcpts for e in smtp_server.envelopes] == [[], [BOB], [BOB, CAROL]]
    assert len(smtp_server.messages) == 2

    replies = replies_of(info.value)
    assert_reply(replies[BOB], code=450, status="4.2.0")
    decision = sc.decide(replies)[BOB]
    assert decision.action is sc.Action.RETRY
    assert decision.delay is not None


def test_greylisting_aiosmtplib_twice(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.greylist(times=2, reply="451 4.7.1 Please try again later (greylisted)")
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as info:
            aio_send(smtp_server, [BOB])
        replies = replies_of(info.value)
        assert_reply(replies[BOB], code=451, status="4.7.1")
        assert sc.decide(replies)[BOB].action is sc.Action.RETRY
    assert aio_send(smtp_server, [BOB])[0] == {}
    assert len(smtp_server.messages) == 1
    assert len(smtp_server.sessions) == 3


# --- 552 at MAIL ------------------------------------------------------------------------------


def test_mail_552_smtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("MAIL", "552 5.3.4 Message size exceeds fixed maximum message size")
    with pytest.raises(smtplib.SMTPSenderRefused) as info:
        sendmail(smtp_server, [BOB])
    assert (info.value.smtp_code, info.value.sender) == (552, SENDER)

    [envelope] = smtp_server.envelopes
    assert envelope == Envelope(mail_from=SENDER)  # no recipients, no content
    assert smtp_server.messages == []
    line, sent = smtp_server.sessions[0].commands[1]
    assert line.startswith(f"MAIL FROM:<{SENDER}>")
    assert sent == "552 5.3.4 Message size exceeds fixed maximum message size"

    reply = reply_of(info.value)
    assert_reply(reply, code=552, status="5.3.4")
    assert sc.decide(reply).action is sc.Action.GIVE_UP


def test_mail_552_aiosmtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("MAIL", "552 5.3.4 Message size exceeds fixed maximum message size")
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as info:
        aio_send(smtp_server, [BOB])
    assert smtp_server.messages == []
    reply = reply_of(info.value)
    assert_reply(reply, code=552, status="5.3.4")
    assert sc.decide(reply).action is sc.Action.GIVE_UP


# --- connection dropped at DATA -----------------------------------------------------------------


def test_dropped_at_data_smtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.drop_connection("DATA")
    with pytest.raises(smtplib.SMTPServerDisconnected) as info:
        sendmail(smtp_server, [BOB], subject="lost?")
    assert sendmail(smtp_server, [BOB], subject="again") == {}  # times=1: the retry goes through

    dropped, fine = smtp_server.sessions
    assert dropped.dropped and not fine.dropped
    assert dropped.commands[-2:] == [("DATA", "354 End data with <CR><LF>.<CR><LF>"), (".", "")]
    assert b"lost?" in dropped.envelopes[0].content and not dropped.envelopes[0].delivered
    assert [m["Subject"] for m in smtp_server.messages] == ["again"]

    reply = reply_of(info.value)
    assert reply.code is None
    assert reply.status == "4.4.2"
    assert sc.decide(reply).action is sc.Action.RETRY


def test_dropped_at_data_aiosmtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.drop_connection("DATA")
    with pytest.raises(aiosmtplib.SMTPServerDisconnected) as info:
        aio_send(smtp_server, [BOB])
    assert smtp_server.messages == []
    reply = reply_of(info.value)
    assert reply.code is None
    assert sc.decide(reply).action is sc.Action.RETRY


def test_drop_always_and_at_rcpt(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.drop_connection("RCPT", times=None)
    for _ in range(2):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            sendmail(smtp_server, [BOB])
    assert [s.dropped for s in smtp_server.sessions] == [True, True]
    assert [s.commands[-1] for s in smtp_server.sessions] == [(f"RCPT TO:<{BOB}>", "")] * 2
    assert [e.accepted_rcpts for e in smtp_server.envelopes] == [[], []]


def test_dropped_at_connect(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.drop_connection("CONNECT", times=2)
    with pytest.raises(smtplib.SMTPServerDisconnected) as info:
        client(smtp_server)
    with pytest.raises(aiosmtplib.SMTPConnectError) as aio_info:
        aio_send(smtp_server, [BOB])
    assert sendmail(smtp_server, [BOB]) == {}
    assert [(s.dropped, s.greeting[:4]) for s in smtp_server.sessions] == [(True, ""), (True, ""), (False, "220 ")]

    for exc in (info.value, aio_info.value):
        reply = reply_of(exc)
        assert reply.code is None
        assert reply.status is not None and reply.status.klass == 4
        assert sc.decide(reply).action is sc.Action.RETRY


# --- 421 at connect and at EHLO ---------------------------------------------------------------


def test_421_at_connect(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("CONNECT", "421 4.3.2 System not accepting network messages")
    with pytest.raises(smtplib.SMTPConnectError) as info:
        client(smtp_server)
    assert info.value.smtp_code == 421
    with pytest.raises(aiosmtplib.SMTPConnectResponseError) as aio_info:
        aio_send(smtp_server, [BOB])
    assert aio_info.value.code == 421

    assert [s.greeting for s in smtp_server.sessions] == ["421 4.3.2 System not accepting network messages"] * 2
    assert [s.commands for s in smtp_server.sessions] == [[], []]
    assert smtp_server.envelopes == []

    for exc in (info.value, aio_info.value):
        reply = reply_of(exc)
        assert_reply(reply, code=421, status="4.3.2")
        assert sc.decide(reply).action is sc.Action.RETRY


def test_421_at_ehlo_smtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("EHLO", "421 4.3.2 Service shutting down, closing", times=2)

    # Asked directly, EHLO answers 421 and the server closes the connection (RFC 5321 §3.8).
    with client(smtp_server) as c:
        code, text = c.ehlo()
        assert (code, text) == (421, b"4.3.2 Service shutting down, closing")
        reply = refused_reply(code, text)
        assert sc.decide(reply).action is sc.Action.RETRY
        with pytest.raises(smtplib.SMTPServerDisconnected):
            c.mail(SENDER)
    # sendmail falls back to HELO on the closed connection: the client sees a disconnection.
    with pytest.raises(smtplib.SMTPServerDisconnected) as info:
        sendmail(smtp_server, [BOB])
    assert sendmail(smtp_server, [BOB]) == {}

    refusal = ("EHLO client.test", "421 4.3.2 Service shutting down, closing")
    assert [s.commands[0] for s in smtp_server.sessions[:2]] == [refusal] * 2
    assert [len(s.commands) for s in smtp_server.sessions[:2]] == [1, 1]
    assert len(smtp_server.messages) == 1

    disconnected = reply_of(info.value)
    assert disconnected.code is None
    assert sc.decide(disconnected).action is sc.Action.RETRY


def test_421_at_ehlo_aiosmtplib(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("EHLO", "421 4.7.0 Too many connections, closing", times=1)
    with pytest.raises(aiosmtplib.SMTPHeloError) as info:
        aio_send(smtp_server, [BOB])
    assert aio_send(smtp_server, [BOB])[0] == {}
    reply = reply_of(info.value)
    assert_reply(reply, code=421, status="4.7.0", reason="toomanyconn")
    # Too many connections: retry later, and slow down towards this destination.
    assert sc.decide(reply).action is sc.Action.THROTTLE


# --- scripting rules ----------------------------------------------------------------------------


def test_scripts_apply_in_order_recipient_first(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("RCPT", "450 4.2.1 Mailbox busy", times=1)
    smtp_server.reply("RCPT", "452 4.2.2 Mailbox full")
    smtp_server.reply("RCPT", "250 2.1.5 Carol is fine", recipient=CAROL)
    with client(smtp_server) as c:
        c.ehlo()
        c.mail(SENDER)
        assert c.rcpt(CAROL) == (250, b"2.1.5 Carol is fine")
        assert c.rcpt(BOB) == (450, b"4.2.1 Mailbox busy")
        assert c.rcpt(BOB) == (452, b"4.2.2 Mailbox full")
        assert c.rcpt(CAROL.upper()) == (250, b"2.1.5 Carol is fine")
    assert smtp_server.envelopes[0].accepted_rcpts == [CAROL, CAROL.upper()]


def test_scripted_success_has_the_default_effect(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("EHLO", "250-mx.example.net\r\n250 8BITMIME")
    smtp_server.reply("MAIL", "250 2.1.0 Sender OK")
    smtp_server.reply("RCPT", "251 2.1.5 User not local; will forward")
    smtp_server.reply("DATA", "250 2.0.0 Ok: queued as 4BZt2X0Qfz")
    with client(smtp_server) as c:
        assert c.ehlo() == (250, b"mx.example.net\n8BITMIME")
        assert c.esmtp_features == {"8bitmime": ""}
        assert c.sendmail(SENDER, [BOB], wire(message())) == {}
    assert smtp_server.envelopes[0].accepted_rcpts == [BOB]
    assert len(smtp_server.messages) == 1


def test_bad_scripts_are_refused(smtp_server: ScriptedSMTPServer) -> None:
    for bad in ["User unknown", "", "650 5.1.1 nope", "5.1.1 User unknown", "250-a\r\n251 b", "55 short", "550 a\rb"]:
        with pytest.raises(ValueError):
            smtp_server.reply("RCPT", bad)
    with pytest.raises(ValueError, match="unknown SMTP command"):
        smtp_server.reply("VRFY", "252 2.0.0 Maybe")
    with pytest.raises(ValueError, match="recipient"):
        smtp_server.reply("MAIL", "550 5.1.8 Bad sender", recipient=BOB)
    for times in (0, -1):
        with pytest.raises(ValueError, match="times"):
            smtp_server.reply("RCPT", "550 5.1.1 x", times=times)
    with pytest.raises(ValueError):
        smtp_server.greylist(reply="greylisted")
    with pytest.raises(ValueError):
        smtp_server.drop_connection("BDAT")
    # Nothing bad was kept: the server still accepts everything.
    assert sendmail(smtp_server, [BOB]) == {}


def test_reset_forgets_scripts_and_records(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 User unknown")
    smtp_server.greylist()
    smtp_server.drop_connection("DATA")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        sendmail(smtp_server, [BOB])
    smtp_server.reset()
    assert (smtp_server.sessions, smtp_server.envelopes, smtp_server.messages) == ([], [], [])
    assert sendmail(smtp_server, [BOB]) == {}
    assert len(smtp_server.sessions) == len(smtp_server.messages) == 1


def test_rset_ends_the_transaction(smtp_server: ScriptedSMTPServer) -> None:
    with client(smtp_server) as c:
        c.ehlo()
        c.mail(SENDER)
        c.rcpt(BOB)
        c.rset()
        c.sendmail("other@example.com", [CAROL], wire(message()))
    first, second = smtp_server.envelopes
    assert (first.mail_from, first.rcpt_tos, first.delivered) == (SENDER, [BOB], False)
    assert (second.mail_from, second.rcpt_tos, second.delivered) == ("other@example.com", [CAROL], True)
    assert smtp_server.sessions[0].envelopes == [first, second]


def test_protocol_errors_are_recorded(smtp_server: ScriptedSMTPServer) -> None:
    with client(smtp_server) as c:
        assert c.docmd("MAIL", f"FROM:<{SENDER}>")[0] == 503  # no EHLO yet: aiosmtpd's own reply
        c.ehlo()
        assert c.docmd("RCPT", f"TO:<{BOB}>")[0] == 503
    commands = smtp_server.sessions[0].commands
    assert commands[0] == (f"MAIL FROM:<{SENDER}>", "503 Error: send HELO first")
    assert commands[2] == (f"RCPT TO:<{BOB}>", "503 Error: need MAIL command")
    assert smtp_server.envelopes == []


# --- concurrency and lifecycle -------------------------------------------------------------------


def test_concurrent_smtplib_clients(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 User unknown", recipient=BOB)
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            for i in range(3):
                assert sendmail(smtp_server, [BOB, CAROL], subject=f"{n}-{i}") == {BOB: (550, b"5.1.1 User unknown")}
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors
    assert len(smtp_server.sessions) == 8 * 3
    assert sorted(m["Subject"] for m in smtp_server.messages) == sorted(f"{n}-{i}" for n in range(8) for i in range(3))
    assert all(e.accepted_rcpts == [CAROL] for e in smtp_server.envelopes)


def test_concurrent_aiosmtplib_clients(smtp_server: ScriptedSMTPServer) -> None:
    smtp_server.greylist()

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(
                aiosmtplib.send(
                    message(f"m{n}", (f"user{n}@example.com",)),
                    hostname=smtp_server.host,
                    port=smtp_server.port,
                    local_hostname="client.test",
                    timeout=TIMEOUT,
                    start_tls=False,
                )
                for n in range(10)
            ),
            return_exceptions=True,
        )

    first = asyncio.run(main())
    assert all(isinstance(r, aiosmtplib.SMTPRecipientsRefused) for r in first)
    second = asyncio.run(main())
    assert all(r == ({}, "OK") for r in second)
    assert sorted(m["Subject"] for m in smtp_server.messages) == sorted(f"m{n}" for n in range(10))


def test_server_without_pytest() -> None:
    server = ScriptedSMTPServer()
    assert not server.running
    with server:
        assert server.running and server.port != 0
        with pytest.raises(RuntimeError):
            server.start()
        with ScriptedSMTPServer() as other:  # two servers at once: two ports
            assert other.port != server.port
        assert sendmail(server, [BOB]) == {}
    assert not server.running
    assert len(server.messages) == 1  # records outlive the server
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=TIMEOUT).close()
    server.stop()  # stopping twice is harmless


def test_stop_closes_open_connections() -> None:
    server = ScriptedSMTPServer().start()
    c = client(server)
    try:
        assert c.ehlo()[0] == 250
        server.stop()
        with pytest.raises(smtplib.SMTPServerDisconnected):
            c.noop()
    finally:
        c.close()
        server.stop()
    assert server.sessions[0].commands[0][0] == "EHLO client.test"
