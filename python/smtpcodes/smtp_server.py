"""A real SMTP server for tests whose replies are scripted per command and per recipient.

:class:`ScriptedSMTPServer` runs aiosmtpd's threaded ``Controller`` on ``127.0.0.1`` and a port
the OS picks, accepts everything by default (like aiosmtpd's ``Sink``, but keeping the
messages), answers the commands you script with the replies you give, and records every
session, envelope and message. The pytest plugin offers it as the ``smtp_server`` fixture;
without pytest, use it as a context manager. It needs aiosmtpd (``pip install
'smtpcodes[pytest]'``); without it this module still imports and scripts, and ``start()``
raises :class:`ImportError` saying what to install.

>>> import smtplib
>>> with ScriptedSMTPServer() as server:
...     server.reply("RCPT", "550 5.1.1 User unknown", recipient="bob@example.com")
...     with smtplib.SMTP(server.host, server.port, local_hostname="client.test", timeout=5) as client:
...         refused = client.sendmail(
...             "alice@example.com",
...             ["bob@example.com", "carol@example.com"],
...             b"Subject: hi\\r\\n\\r\\nhello\\r\\n",
...         )
>>> refused
{'bob@example.com': (550, b'5.1.1 User unknown')}
>>> server.envelopes[0].rcpt_tos, server.envelopes[0].accepted_rcpts
(['bob@example.com', 'carol@example.com'], ['carol@example.com'])
>>> [message["Subject"] for message in server.messages]
['hi']
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import functools
import re
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Protocol

import smtpcodes


def _aiosmtpd_missing() -> ImportError | None:
    """Why aiosmtpd does not import, if it does not: this module imports without it, the
    server needs it."""
    try:
        import aiosmtpd.controller  # noqa: F401
        import aiosmtpd.smtp  # noqa: F401
    except ImportError as error:
        return error
    return None


_AIOSMTPD_MISSING: Final = _aiosmtpd_missing()

if TYPE_CHECKING or _AIOSMTPD_MISSING is None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP
    from aiosmtpd.smtp import Envelope as _AioEnvelope
    from aiosmtpd.smtp import Session as _AioSession

__all__ = ["COMMANDS", "Envelope", "ScriptedSMTPServer", "Session", "normalize_reply"]

#: The commands :meth:`ScriptedSMTPServer.reply` can script. ``CONNECT`` is the greeting the
#: server sends when a client connects; ``DATA`` is the reply to the message content (after the
#: final dot), the ``354`` that invites the content is not scriptable.
COMMANDS: Final = frozenset({"CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT"})

INSTALL_HINT: Final = "the scripted SMTP server needs aiosmtpd: pip install 'smtpcodes[pytest]'"

_REPLY_LINE = re.compile(r"(?P<code>[2-5][0-9][0-9])(?:[ -](?P<text>.*))?\Z", re.DOTALL)


@dataclass
class Envelope:
    """One mail transaction: a ``MAIL FROM`` (accepted or not) and what followed it."""

    #: The ``MAIL FROM`` address (``""`` for the null sender).
    mail_from: str
    #: Every ``RCPT TO`` address of the transaction, in order, accepted or not.
    rcpt_tos: list[str] = field(default_factory=list)
    #: The content received after ``DATA`` (without the final dot), ``b""`` until then.
    content: bytes = b""
    #: The ``RCPT TO`` addresses the server answered with a 2xx reply.
    accepted_rcpts: list[str] = field(default_factory=list)
    #: Whether the server answered the content with a 2xx reply (then the message is in
    #: :attr:`ScriptedSMTPServer.messages`).
    delivered: bool = False


@dataclass
class Session:
    """One client connection."""

    #: The client's ``(address, port)``.
    peer: tuple[str, int]
    #: The greeting the server sent (``""`` when the connection was dropped at connect).
    greeting: str = ""
    #: The host name the client gave in its last ``EHLO``/``HELO`` (accepted or not).
    helo: str | None = None
    #: The transactions of the session, in order.
    envelopes: list[Envelope] = field(default_factory=list)
    #: ``(command line as received, reply sent back)`` pairs, in order; the command name is
    #: upper-cased and a multi-line reply is joined with ``"\\r\\n"``. After
    #: ``("DATA", "354 ...")`` comes ``(".", <reply to the content>)``. The reply is ``""``
    #: when the server dropped the connection instead of answering.
    commands: list[tuple[str, str]] = field(default_factory=list)
    #: Whether the server dropped the connection (:meth:`ScriptedSMTPServer.drop_connection`).
    dropped: bool = False


class _Drop:
    """A rule's outcome: close the connection without a reply."""


_DROP: Final = _Drop()


@dataclass
class _Rule:
    command: str
    outcome: str | _Drop
    recipient: str | None = None
    times: int | None = None
    per_recipient: bool = False
    used: int = 0
    per_recipient_used: dict[str, int] = field(default_factory=dict)

    def take(self, command: str, recipient: str | None) -> bool:
        """Whether this rule answers ``command`` (counting the use if it does)."""
        if command != self.command:
            return False
        if self.recipient is not None and (recipient is None or recipient.lower() != self.recipient):
            return False
        if self.per_recipient:
            key = (recipient or "").lower()
            used = self.per_recipient_used.get(key, 0)
            if self.times is not None and used >= self.times:
                return False
            self.per_recipient_used[key] = used + 1
            return True
        if self.times is not None and self.used >= self.times:
            return False
        self.used += 1
        return True


def _check_command(command: str) -> str:
    name = command.strip().upper()
    if name not in COMMANDS:
        raise ValueError(f"unknown SMTP command {command!r}; scriptable: {', '.join(sorted(COMMANDS))}")
    return name


def _check_times(times: int | None) -> None:
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(f"times must be a positive int or None, not {times!r}")


def normalize_reply(reply: str) -> str:
    """Checks a scripted reply and returns it as sent on the wire (without the final CRLF):
    every line starts with the same 3-digit code, lines are joined with CRLF and all but the
    last have a hyphen after the code. Raises :class:`ValueError` on anything else.

    >>> normalize_reply("550 5.1.1 User unknown")
    '550 5.1.1 User unknown'
    >>> normalize_reply("250 first\\n250 second")
    '250-first\\r\\n250 second'
    >>> normalize_reply("User unknown")
    Traceback (most recent call last):
    ...
    ValueError: bad scripted SMTP reply 'User unknown': line 1 does not start with a 3-digit code 2xx-5xx
    """
    if not isinstance(reply, str):
        raise TypeError(f"a scripted reply is a str, not {type(reply).__name__}")
    lines = reply.removesuffix("\r\n").removesuffix("\n").replace("\r\n", "\n").split("\n")
    codes, texts = [], []
    for number, line in enumerate(lines, 1):
        match = _REPLY_LINE.match(line)
        if match is None or "\r" in line:
            raise ValueError(
                f"bad scripted SMTP reply {reply!r}: line {number} does not start with a 3-digit code 2xx-5xx"
            )
        codes.append(match["code"])
        texts.append(match["text"] or "")
    if len(set(codes)) != 1:
        raise ValueError(f"bad scripted SMTP reply {reply!r}: the lines have different codes {codes}")
    try:
        smtpcodes.parse(reply)
    except smtpcodes.ParseError as error:
        raise ValueError(f"bad scripted SMTP reply {reply!r}: {error}") from error
    code = codes[0]
    wire = [f"{code}-{text}" for text in texts[:-1]]
    wire.append(f"{code} {texts[-1]}".rstrip() if texts[-1] else code)
    return "\r\n".join(wire)


def _is_success(reply: str) -> bool:
    return reply.startswith("2")


def _closes_connection(reply: str) -> bool:
    """RFC 5321 §3.8: after a 421 reply the server closes the connection."""
    return reply.rsplit("\r\n", 1)[-1].startswith("421")


class ScriptedSMTPServer:
    """A real SMTP server on ``host``:``port`` whose replies are scripted per command and per
    recipient and which records every session, envelope and message.

    Without scripts it accepts everything with ``250`` replies. Scripts are checked in the order
    they were added, the ones for a given recipient first; the first that applies (``times``
    not used up) answers, otherwise the default does. A ``421`` reply closes the connection
    after it is sent, as RFC 5321 §3.8 asks. The server runs in a thread: script it and read
    the records from the test's thread; every record is complete before the reply the client
    waits for is sent.

    >>> server = ScriptedSMTPServer().start()
    >>> server.reply("MAIL", "552 5.3.4 Message too big for system")
    >>> import smtplib
    >>> with smtplib.SMTP(server.host, server.port, local_hostname="client.test", timeout=5) as client:
    ...     client.ehlo()[0], client.mail("alice@example.com")
    (250, (552, b'5.3.4 Message too big for system'))
    >>> server.sessions[0].commands[1]
    ('MAIL FROM:<alice@example.com>', '552 5.3.4 Message too big for system')
    >>> server.stop()
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        server_hostname: str = "smtp.smtpcodes.test",
        ready_timeout: float = 10.0,
    ) -> None:
        #: The address the server listens on.
        self.host: str = host
        #: The port the server listens on (the one the OS picked once started, when given 0).
        self.port: int = port
        self.server_hostname = server_hostname
        self.ready_timeout = ready_timeout
        self._lock = threading.RLock()
        self._rules: list[_Rule] = []
        self._sessions: list[Session] = []
        self._envelopes: list[Envelope] = []
        self._messages: list[EmailMessage] = []
        self._connections: set[Any] = set()
        self._live = False
        self._controller: Controller | None = None

    # --- scripting -------------------------------------------------------------------------

    def reply(self, command: str, reply: str, *, recipient: str | None = None, times: int | None = None) -> None:
        """Answers ``command`` with ``reply``: ``"CONNECT"`` (the greeting), ``"EHLO"``,
        ``"HELO"``, ``"MAIL"``, ``"RCPT"``, ``"DATA"`` (the reply to the content, after the
        final dot), ``"RSET"``, ``"NOOP"`` or ``"QUIT"``. ``reply`` is a full SMTP reply such as
        ``"550 5.1.1 User unknown"`` (several lines joined with ``"\\r\\n"``); ``recipient``
        limits the script to ``RCPT TO`` that address (case-insensitive); ``times`` to the first
        N commands it answers (``None``: always).

        A 2xx reply to ``MAIL``/``RCPT``/``DATA``/``EHLO``/``HELO`` has the effect of the
        default one (the sender or recipient is taken, the message stored, the client greeted).

        >>> server = ScriptedSMTPServer()
        >>> server.reply("RCPT", "550 5.1.1 User unknown", recipient="Bob@Example.com")
        >>> server.reply("DATA", "451 4.3.0 Try again", times=1)
        >>> server.reply("DATA", "Try again")
        Traceback (most recent call last):
        ...
        ValueError: bad scripted SMTP reply 'Try again': line 1 does not start with a 3-digit code 2xx-5xx
        """
        name = _check_command(command)
        _check_times(times)
        wire = normalize_reply(reply)
        if recipient is not None and name != "RCPT":
            raise ValueError(f"recipient= only applies to RCPT, not {name}")
        self._add(_Rule(name, wire, recipient=_address_key(recipient), times=times))

    def greylist(self, times: int = 1, reply: str = "450 4.2.0 Greylisted, please try again later") -> None:
        """Greylisting: answers the first ``times`` ``RCPT TO`` of each recipient with ``reply``,
        then lets that recipient through.

        >>> server = ScriptedSMTPServer()
        >>> server.greylist(times=2)
        """
        _check_times(times)
        wire = normalize_reply(reply)
        self._add(_Rule("RCPT", wire, times=times, per_recipient=True))

    def drop_connection(self, command: str, *, times: int | None = 1) -> None:
        """Closes the connection without a reply when ``command`` arrives (the first ``times``
        times; ``None``: always). ``"CONNECT"`` closes before the greeting; ``"DATA"`` after
        the content, where its reply would go (the message may be lost or not: the client
        cannot tell), like :meth:`reply`'s ``"DATA"``.

        >>> server = ScriptedSMTPServer()
        >>> server.drop_connection("DATA")
        """
        name = _check_command(command)
        _check_times(times)
        self._add(_Rule(name, _DROP, times=times))

    def reset(self) -> None:
        """Forgets every script and record (the server keeps running; a session still open
        goes on being recorded, but is no longer listed).

        >>> server = ScriptedSMTPServer()
        >>> server.reply("NOOP", "250 2.0.0 fine")
        >>> server.reset()
        >>> server.sessions, server.envelopes, server.messages
        ([], [], [])
        """
        with self._lock:
            self._rules.clear()
            self._sessions.clear()
            self._envelopes.clear()
            self._messages.clear()

    def _add(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    # --- records ---------------------------------------------------------------------------

    @property
    def sessions(self) -> list[Session]:
        """Every client connection, in order (a copy of the list)."""
        with self._lock:
            return list(self._sessions)

    @property
    def envelopes(self) -> list[Envelope]:
        """Every transaction of every session, in order (a copy of the list)."""
        with self._lock:
            return list(self._envelopes)

    @property
    def messages(self) -> list[EmailMessage]:
        """The messages whose content the server accepted, parsed (a copy of the list)."""
        with self._lock:
            return list(self._messages)

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._controller is not None

    def start(self) -> ScriptedSMTPServer:
        """Starts listening (in a thread) and returns the server; raises :class:`ImportError`
        when aiosmtpd is missing."""
        if self._controller is not None:
            raise RuntimeError("the scripted SMTP server is already running")
        if _AIOSMTPD_MISSING is not None:
            raise ImportError(INSTALL_HINT) from _AIOSMTPD_MISSING
        controller = _ScriptedController(
            self,
            _Handler(self),
            hostname=self.host,
            port=self.port,
            ready_timeout=self.ready_timeout,
            server_hostname=self.server_hostname,
        )
        try:
            controller.start()
        except BaseException:
            with contextlib.suppress(Exception):
                controller.stop(no_assert=True)  # the thread may have started
            raise
        self.port = controller.port
        with self._lock:
            self._live = True
        self._controller = controller
        return self

    def stop(self) -> None:
        """Closes the open connections and stops the server (records stay readable)."""
        controller, self._controller = self._controller, None
        with self._lock:
            self._live = False
        if controller is None:
            return
        controller.loop.call_soon_threadsafe(self._close_connections)
        controller.stop()

    def _close_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()

    def __enter__(self) -> ScriptedSMTPServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ScriptedSMTPServer {self.host}:{self.port} {state}, {len(self._sessions)} session(s)>"

    # --- called from the server thread -------------------------------------------------------

    def _connected(self, connection: _Connection, peer: Any) -> str | _Drop | None:
        """A client connected: records the session (unless it is the controller's start-up
        probe) and says how to greet it."""
        with self._lock:
            self._connections.add(connection)
            if not self._live:
                return None
            address = (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) else (str(peer), 0)
            connection.record = Session(peer=address)
            self._sessions.append(connection.record)
            return self._outcome("CONNECT", None)

    def _disconnected(self, connection: _Connection) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _outcome(self, command: str, recipient: str | None) -> str | _Drop | None:
        with self._lock:
            for specific in (True, False):
                for rule in self._rules:
                    if (rule.recipient is not None) == specific and rule.take(command, recipient):
                        return rule.outcome
            return None

    def _begin(self, connection: _Connection, line: str) -> None:
        with self._lock:
            if connection.record is not None:
                connection.entry = len(connection.record.commands)
                connection.record.commands.append((line, ""))

    def _replied(self, connection: _Connection, reply: str) -> None:
        with self._lock:
            record = connection.record
            if record is None:
                return
            if connection.greeting_pending:
                connection.greeting_pending = False
                record.greeting = reply
                return
            if connection.entry is None:
                return  # a reply to a line that is not a command (bad syntax, unknown command)
            line, sent = record.commands[connection.entry]
            if line.startswith("DATA") and sent.startswith("3"):
                # The reply to the content, after "354 End data with <CR><LF>.<CR><LF>".
                connection.entry = len(record.commands)
                record.commands.append((".", reply))
                return
            record.commands[connection.entry] = (line, f"{sent}\r\n{reply}" if sent else reply)

    def _dropped(self, connection: _Connection) -> None:
        with self._lock:
            if connection.record is not None:
                connection.record.dropped = True
        connection.drop()

    def _mail(self, connection: _Connection, address: str) -> None:
        with self._lock:
            if connection.record is None:
                return
            connection.envelope_record = Envelope(mail_from=address)
            connection.record.envelopes.append(connection.envelope_record)
            self._envelopes.append(connection.envelope_record)

    def _rcpt(self, connection: _Connection, address: str, accepted: bool) -> None:
        with self._lock:
            if connection.envelope_record is not None:
                connection.envelope_record.rcpt_tos.append(address)
                if accepted:
                    connection.envelope_record.accepted_rcpts.append(address)

    def _data(self, connection: _Connection, content: bytes, delivered: bool) -> None:
        with self._lock:
            envelope, connection.envelope_record = connection.envelope_record, None
            if envelope is None:
                return
            envelope.content = content
            envelope.delivered = delivered
            if delivered:
                # Parsed with Python's line ending, as email.policy.default writes them.
                parser = email.parser.BytesParser(policy=email.policy.default)
                self._messages.append(parser.parsebytes(content.replace(b"\r\n", b"\n")))

    def _end_transaction(self, connection: _Connection) -> None:
        with self._lock:
            connection.envelope_record = None


def _address_key(address: str | None) -> str | None:
    if address is None:
        return None
    return address.strip().removeprefix("<").removesuffix(">").lower()


class _Connection(Protocol):
    """What the server keeps per client connection (on the aiosmtpd ``SMTP`` protocol object)."""

    record: Session | None
    envelope_record: Envelope | None
    entry: int | None
    greeting_pending: bool
    transport: Any

    def drop(self) -> None: ...


class _Handler:
    """aiosmtpd handler: asks the :class:`ScriptedSMTPServer` for every reply."""

    def __init__(self, owner: ScriptedSMTPServer) -> None:
        self.owner = owner

    def _answer(self, server: Any, command: str, default: str, recipient: str | None = None) -> str | None:
        """The reply to send, or ``None`` after dropping the connection."""
        outcome = self.owner._outcome(command, _address_key(recipient)) if server.record is not None else None
        if isinstance(outcome, _Drop):
            self.owner._dropped(server)
            return None
        return default if outcome is None else outcome

    async def handle_HELO(self, server: Any, session: _AioSession, envelope: _AioEnvelope, hostname: str) -> str:
        self._helo(server, hostname)
        reply = self._answer(server, "HELO", f"250 {server.hostname}")
        if reply is not None and _is_success(reply):
            session.host_name = hostname
        return reply or ""

    async def handle_EHLO(
        self, server: Any, session: _AioSession, envelope: _AioEnvelope, hostname: str, responses: list[str]
    ) -> list[str]:
        self._helo(server, hostname)
        reply = self._answer(server, "EHLO", "\r\n".join(responses))
        if reply is None:
            return []
        if _is_success(reply):
            session.host_name = hostname
        return reply.split("\r\n")

    def _helo(self, server: Any, hostname: str) -> None:
        with self.owner._lock:
            if server.record is not None:
                server.record.helo = hostname
        self.owner._end_transaction(server)

    async def handle_MAIL(
        self, server: Any, session: _AioSession, envelope: _AioEnvelope, address: str, mail_options: list[str]
    ) -> str:
        self.owner._mail(server, address)
        reply = self._answer(server, "MAIL", "250 OK")
        if reply is None:
            return ""
        if _is_success(reply):
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
        return reply

    async def handle_RCPT(
        self, server: Any, session: _AioSession, envelope: _AioEnvelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self._answer(server, "RCPT", "250 OK", recipient=address)
        accepted = reply is not None and _is_success(reply)
        self.owner._rcpt(server, address, accepted)
        if accepted:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
        return reply or ""

    async def handle_DATA(self, server: Any, session: _AioSession, envelope: _AioEnvelope) -> str:
        self.owner._begin(server, ".")
        reply = self._answer(server, "DATA", "250 OK")
        content = envelope.original_content or b""
        self.owner._data(server, content, delivered=reply is not None and _is_success(reply))
        return reply or ""

    async def handle_RSET(self, server: Any, session: _AioSession, envelope: _AioEnvelope) -> str:
        self.owner._end_transaction(server)
        return self._answer(server, "RSET", "250 OK") or ""

    async def handle_NOOP(self, server: Any, session: _AioSession, envelope: _AioEnvelope, arg: str | None) -> str:
        return self._answer(server, "NOOP", "250 OK") or ""

    async def handle_QUIT(self, server: Any, session: _AioSession, envelope: _AioEnvelope) -> str:
        return self._answer(server, "QUIT", "221 Bye") or ""


# aiosmtpd's Controller and SMTP subclassed (only when aiosmtpd imports).
if TYPE_CHECKING or _AIOSMTPD_MISSING is None:

    class _ScriptedSMTP(SMTP):
        """aiosmtpd's protocol, recording each command with the reply sent back, sending the
        scripted greeting, dropping connections and closing after a 421 reply."""

        def __init__(self, owner: ScriptedSMTPServer, handler: _Handler, **kwargs: Any) -> None:
            super().__init__(handler, **kwargs)
            self.owner = owner
            self.record: Session | None = None
            self.envelope_record: Envelope | None = None
            self.entry: int | None = None
            self.greeting_pending = True
            self.greeting: str | None = None
            self.dropping = False
            for name, method in list(self._smtp_methods.items()):
                self._smtp_methods[name] = self._recording(name, method)

        def _recording(
            self, name: str, method: Callable[[str | None], Awaitable[None]]
        ) -> Callable[[str | None], Awaitable[None]]:
            @functools.wraps(method)
            async def run(arg: str | None) -> None:
                self.owner._begin(self, f"{name} {arg}" if arg else name)
                await method(arg)

            return run

        def drop(self) -> None:
            self.dropping = True
            if self.transport is not None:
                self.transport.close()

        def connection_lost(self, error: Exception | None) -> None:
            self.owner._disconnected(self)
            super().connection_lost(error)

        async def _handle_client(self) -> None:
            assert self.session is not None
            outcome = self.owner._connected(self, self.session.peer)
            if isinstance(outcome, _Drop):
                self.owner._dropped(self)
                return
            self.greeting = outcome
            await super()._handle_client()

        async def push(self, status: str | bytes) -> None:  # type: ignore[override]
            text = status if isinstance(status, str) else status.decode("utf-8", "replace")
            if self.greeting_pending and self.greeting is not None:
                text = self.greeting
            if self.dropping:
                return
            self.owner._replied(self, text)
            self.greeting_pending = False
            await super().push(text)
            if _closes_connection(text) and self.transport is not None:
                self.transport.close()

    class _ScriptedController(Controller):
        def __init__(self, owner: ScriptedSMTPServer, handler: _Handler, **kwargs: Any) -> None:
            super().__init__(handler, **kwargs)
            self.owner = owner

        def factory(self) -> SMTP:
            return _ScriptedSMTP(self.owner, self.handler, **self.SMTP_kwargs)

        def _trigger_server(self) -> None:
            # Learn the port the OS picked, then make aiosmtpd create the protocol once (as the
            # base class does), waiting for the whole greeting: this probe is not recorded.
            assert isinstance(self.server, asyncio.Server)
            self.port = int(self.server.sockets[0].getsockname()[1])
            with socket.create_connection((self.hostname, self.port), timeout=self.ready_timeout) as probe:
                probe.recv(1024)
