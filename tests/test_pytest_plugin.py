"""smtpcodes' pytest plugin, run the way its users run it: pytest on a test file of theirs
(``pytester``), in a subprocess (and once in-process), with and without ``-p no:smtpcodes``.

Most runs are subprocesses: pytester's in-process runs restore ``sys.modules`` afterwards, and a
hypothesis imported for the first time inside one is imported again later in this process,
which other entry points (hypothesis' own, smtpcodes' strategies hook) do not all survive.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=120)

USES_SERVER = """
import smtplib

import pytest

import smtpcodes as sc

MSG = b"From: alice@example.com\\r\\nTo: bob@example.com\\r\\nSubject: hi\\r\\n\\r\\nhello\\r\\n"


def connect(server):
    return smtplib.SMTP(server.host, server.port, local_hostname="client.test", timeout=5)


def test_unknown_user(smtp_server):
    smtp_server.reply("RCPT", "550 5.1.1 User unknown", recipient="bob@example.com")
    with connect(smtp_server) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
            client.sendmail("alice@example.com", ["bob@example.com"], MSG)
    decisions = sc.decide(sc.from_exception(info.value))
    assert decisions["bob@example.com"].action is sc.Action.SUPPRESS
    assert smtp_server.envelopes[0].accepted_rcpts == []


def test_accepts_by_default(smtp_server):
    with connect(smtp_server) as client:
        assert client.sendmail("alice@example.com", ["bob@example.com"], MSG) == {}
    assert [m["Subject"] for m in smtp_server.messages] == ["hi"]


def test_each_test_gets_a_fresh_server(smtp_server):
    assert smtp_server.sessions == [] and smtp_server.messages == []
"""


def test_fixture_in_a_subprocess(pytester: pytest.Pytester) -> None:
    # The entry point loads the plugin in a fresh interpreter, with no conftest.
    pytester.makepyfile(test_mail=USES_SERVER)
    result = run(pytester)
    result.assert_outcomes(passed=3)


def test_fixture_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mail=USES_SERVER)
    # (hypothesis' plugin off: see the module docstring)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=3)


def test_server_stops_after_a_failing_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fail="""
        import smtplib

        seen = []

        def test_fails_while_connected(smtp_server):
            seen.append(smtp_server)
            client = smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5)
            client.ehlo()
            assert False, "boom"

        def test_previous_server_stopped():
            [server] = seen
            assert not server.running
            assert server.sessions[0].commands[0][0].startswith("EHLO")
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: boom*"])


def test_disabled_with_p_no_smtpcodes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_disabled="""
        import smtpcodes as sc

        def test_uses_fixture(smtp_server):
            pass

        def test_reply_compare():
            assert sc.parse("550 5.1.1 a") == sc.parse("550 5.1.2 a")
        """
    )
    result = run(pytester, "-p", "no:smtpcodes")
    result.assert_outcomes(errors=1, failed=1)
    result.stdout.fnmatch_lines(["*fixture 'smtp_server' not found*"])
    result.stdout.no_fnmatch_line("*Reply == Reply failed*")


def test_assertrepr_compare_replies(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_compare="""
        import smtpcodes as sc

        def test_reply_compare():
            assert sc.parse("550 5.1.1 a") == sc.parse("550 5.1.2 a")

        def test_decision_compare():
            assert sc.decide(sc.parse("451 4.3.0 later")) == sc.decide(sc.parse("550 5.1.1 unknown"))

        def test_equal_replies_pass():
            assert sc.parse("550 5.1.1 a") == sc.parse("550  5.1.1  a")
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*Reply == Reply failed:",
            "*  code: 550  |  code: 550",
            "*! status: '5.1.1'  |  status: '5.1.2'",
            "*  text: 'a'  |  text: 'a'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*RetryDecision == RetryDecision failed:",
            "*! action: 'retry'  |  action: 'suppress'",
        ]
    )


def test_assert_reply_failure_reads_well(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_helper="""
        import smtpcodes as sc
        from smtpcodes.testing import assert_reply

        def test_helper():
            assert_reply(sc.parse("452 4.2.2 Mailbox full"), code=452, status="4.2.2", bounce="hard", reason="mailboxfull")
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: Reply(code=452, status='4.2.2', text='Mailbox full') differs:",
            "*  bounce: expected 'hard', got <Bounce.SOFT: 'soft'>",
        ]
    )
    # Only the field that differs is listed.
    result.stdout.no_fnmatch_line("*status: expected*")
    result.stdout.no_fnmatch_line("*reason: expected*")


def test_fixture_without_aiosmtpd(pytester: pytest.Pytester) -> None:
    # A package named aiosmtpd that fails to import, first on the subprocess's path: the plugin
    # still loads (its assertion output works), and only the fixture fails, saying what to do.
    hidden = pytester.mkpydir("aiosmtpd").joinpath("__init__.py")
    hidden.write_text("raise ImportError(\"No module named 'aiosmtpd' (hidden for this test)\")\n")
    pytester.makepyfile(
        test_missing="""
        import pytest

        import smtpcodes as sc

        def test_uses_fixture(smtp_server):
            pass

        def test_reply_compare():
            assert sc.parse("550 5.1.1 a") == sc.parse("550 5.1.2 a")

        def test_module_imports_and_scripts_without_aiosmtpd():
            from smtpcodes.smtp_server import ScriptedSMTPServer

            server = ScriptedSMTPServer()
            server.reply("RCPT", "550 5.1.1 User unknown")
            with pytest.raises(ImportError, match=r"pip install 'smtpcodes\\[pytest\\]'"):
                server.start()
            assert not server.running
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1, failed=1, passed=1)
    result.stdout.re_match_lines(
        [r".*the smtp_server fixture needs aiosmtpd \(No module named 'aiosmtpd'.*\): pip install 'smtpcodes\[pytest\]'$"]
    )
    # One readable line, not a chain of tracebacks.
    result.stdout.no_fnmatch_line("*During handling of the above exception*")
    result.stdout.no_fnmatch_line("*direct cause of the following exception*")
    result.stdout.fnmatch_lines(["*Reply == Reply failed:*"])
