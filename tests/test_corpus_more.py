"""parse_bounce on the 100 unlabelled real emails of ../shared/corpus-more (see its README.md).

The table below was written by reading each email, not by running smtpcodes on it: for a bounce
or a delay, the recipients the email itself names as failed (or delayed) — its `Final-Recipient:`
fields, or the MTA's own "the following address(es) failed" / `<address>:` list — lower-cased,
and the `Status:` field where the email has one. The kind is index.jsonl's. Nothing else is
asserted: these emails have no labels, so no reason or hard/soft verdict is checked.

Files the parser gets wrong today are marked xfail(strict=True) with what is wrong; an XPASS means
the parser was fixed, and the mark must go. Skipped when the folder is absent (a user's checkout
has no ../shared). The emails are read in place, never copied into the project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

import smtpcodes as sc

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-more"


class Row(NamedTuple):
    kind: str  # bounce | delay | feedback | autoreply | other (index.jsonl)
    failed: frozenset[str] = frozenset()  # failed (or delayed) recipients as the email names them, lower-cased
    status: str | None = None  # the Status: field's code for those recipients, when the email has one
    rewritten: str | None = None  # Final-Recipient, where it is an internal rewrite of `failed` (README)


def bounce(address: str, status: str | None = None, rewritten: str | None = None) -> Row:
    return Row("bounce", frozenset({address}), status, rewritten)


FEEDBACK = Row("feedback")
AUTOREPLY = Row("autoreply")
OTHER = Row("other")

PHP = "php-bounce-handler/"
CWS = "cws-mail-bounce-handler/"

# file -> what the email shows, in index.jsonl's order.
TABLE: dict[str, Row] = {
    # qmail (prima.com.ar): "<address>:" then the reply text; no Status: field.
    PHP + "1.eml": bounce("somat@ciudad.com.ar"),  # "Sorry, no mailbox here by that name. (#5.1.1)"
    # Exim (ar2.outmailing.net): "The following address(es) failed:", the same address in
    # X-Failed-Recipients; no Status: field.
    PHP + "2.eml": bounce("aranoe22@hotmail.com"),
    PHP + "3.eml": bounce("araceliceleste@hotmail.com"),
    PHP + "4.eml": bounce("aracelibarrios@ubbi.com"),  # qmail: "Esta casilla ha expirado por falta de uso."
    PHP + "5.eml": bounce("anto_2302@hotmail.com"),
    PHP + "6.eml": bounce("annyevalente@ig.com.br"),  # 554 ... (#5.2.1) in the reply text only
    PHP + "7.eml": bounce("anto_mdq@hotmail.com"),
    PHP + "8.eml": bounce("anvinicky@hotmail.com"),
    PHP + "9.eml": bounce("antogalvez@hotmail.com"),
    # Hotmail DSN (Exchange-style): "Delivery to the following recipients failed." + Final-Recipient.
    PHP + "10.eml": bounce("animecox_x@hotmail.com", "5.5.0"),
    PHP + "11.eml": bounce("anitaculiyas@hotmail.com"),
    # Sun ONE Messaging Server (fibertel): Original-recipient is the address used, Final-recipient
    # a source-routed internal rewrite.
    PHP + "12.eml": bounce("andressaravia@fibertel.com.ar", "5.2.0", "@stov1.fibertel.com.ar:andressaravia@ims_daemon"),
    PHP + "13.eml": bounce("anitadechar@hotamail.com"),  # "Unrouteable address"
    PHP + "14.eml": bounce("animar@fibertel.com.ar"),
    PHP + "15.eml": bounce("anibalferreyra@hotmail.com"),
    PHP + "16.eml": bounce("angel_benitezcollante@hotmail.com"),
    PHP + "17.eml": bounce("angelasalgado38@hotmail.com"),
    PHP + "18.eml": bounce("angus20@hotmail.com"),
    PHP + "19.eml": bounce("angelmarianog21@hotmail.com"),
    PHP + "20.eml": bounce("angelica_maco@hotmail.com", "5.5.0"),  # Hotmail DSN
    PHP + "21.eml": bounce("angelferchu@hotmail.com"),
    PHP + "22.eml": bounce("angel_bentezcollante@hotmail.com"),
    PHP + "23.eml": bounce("angel.sedm@hotmail.com"),
    PHP + "24.eml": bounce("angelclandestina@hotmail.com"),
    PHP + "25.eml": bounce("andrepardo@hotmail.com"),
    PHP + "26.eml": bounce("andres_ferrero@ciudad.com.ar"),  # qmail: "Mailbox quota usage exceeded."
    PHP + "27.eml": bounce("pastor@cfcmartinez.com"),  # Exim: "retry timeout exceeded"
    PHP + "28.eml": bounce("sonia-chandra@supanet.com"),  # Exim (supanet): "mailbox is full: retry timeout exceeded"
    # Exim delay warning: "The address to which the message has not yet been delivered is:".
    PHP + "29.eml": Row("delay", frozenset({"carla@towebs.com"})),
    PHP + "30.eml": bounce("rodatri@ciudad.com.ar"),  # qmail: quota
    PHP + "31.eml": bounce("solperleov@hotmail.com"),
    PHP + "32.eml": bounce("stellamiranda@interlink.com.ar", "5.7.1"),  # Barracuda DSN, base64 text part
    PHP + "33.eml": bounce("soniabeaton99@hotmail.com"),
    PHP + "34.eml": bounce("spidergirl_ce@yahoo.com.ar"),  # Exim, Yahoo 554 "account ... disabled" after data
    PHP + "35.eml": bounce("smaranca@hotmail.com"),
    PHP + "36.eml": bounce("silvina.garcia.tobar@ef.com", "5.1.1"),  # Exchange DSN, no Diagnostic-Code
    PHP + "37.eml": bounce("silvanasimkin@hotmail.com"),
    PHP + "38.eml": bounce("sharon_vera@yahoo.com"),
    PHP + "39.eml": bounce("silchal@hotmail.com"),
    PHP + "40.eml": bounce("sezapata@criba.edu.ar"),
    PHP + "41.eml": bounce("rominamontivero@ciudad.com.ar"),  # qmail: quota
    PHP + "42.eml": bounce("sclauzeroandy@yahoo.com.ar"),
    PHP + "43.eml": bounce("saliotti@criba.edu.ar"),
    PHP + "44.eml": bounce("sachp@latinmail.com"),
    PHP + "45.eml": bounce("ritauhrig@uolsinectis.com.ar", "5.0.0"),  # Postfix DSN
    # Exim delay warning, the address alone with no "Delay reason:" line.
    PHP + "46.eml": Row("delay", frozenset({"geoffrey@gels.biz"})),
    PHP + "47.eml": bounce("nicruone@fibertel.com.ar", "5.2.0", "@stov2.fibertel.com.ar:nicruone@ims_daemon"),  # as 12
    PHP + "48.eml": bounce("qmi@ciudad.com.ar"),  # qmail: "Esta casilla ha expirado"
    PHP + "49.eml": bounce("andrea77f@hotmail.com"),
    PHP + "50.eml": bounce("sabrinablanco05@hotmail.com"),
    PHP + "51.eml": bounce("psd_ami@hotmail.com", "5.2.2"),  # Hotmail DSN
    PHP + "52.eml": bounce("rwatman@sinectis.com.ar"),
    PHP + "53.eml": bounce("anacheta_7@hotmail.com"),
    PHP + "54.eml": bounce("ana13_13@hotmail.com"),
    PHP + "55.eml": bounce("anabalbuena@hotmail.com"),
    PHP + "56.eml": bounce("an_mdq@hotmail.com"),
    PHP + "57.eml": bounce("amoroculto_01@hotmail.com"),
    PHP + "58.eml": bounce("aminto1@hotmail.com"),
    PHP + "59.eml": bounce("aminna_caa@hotmail.com"),
    PHP + "60.eml": bounce("amich81@yahoo.com.ar"),
    PHP + "61.eml": bounce("user@yahoo.com", "5.7.9"),  # Postfix DSN
    # Postfix DSN: Original-Recipient is the address used, Final-Recipient the virtual rewrite.
    PHP + "62.eml": bounce("user@domain.com", "5.7.0", "user@mailcluster.local"),
    # "Final-Recipient: <someuser@somedomain.com>" (no address type); the text part has it QP-encoded.
    PHP + "5.1.1.eml": bounce("someuser@somedomain.com", "5.1.1"),
    PHP + "arf1.txt": FEEDBACK,  # Feedback-Type: abuse, no recipient named
    PHP + "arf2.txt": FEEDBACK,  # Feedback-Type: opt-out, Removal-Recipient: user@example.com
    PHP + "arf3.txt": FEEDBACK,  # Feedback-Type: abuse, Original-Rcpt-To: <user@example.com>
    PHP + "arf4.txt": FEEDBACK,  # Yahoo ARF, Feedback-Type: abuse
    PHP + "arf5.txt": FEEDBACK,  # AOL ARF, Feedback-Type: abuse, addresses redacted
    PHP + "arf6.txt": FEEDBACK,  # Hotmail's non-ARF complaint: the reported message, X-HmXmrOriginalRecipient
    # Exchange DSNs (each file starts with an empty line and a line of spaces).
    PHP + "exchange1.eml": bounce("phk@nordiskeiendom.no", "5.1.1"),
    PHP + "exchange2.eml": bounce("inger.lise.hole@adecco.no", "5.1.1"),
    PHP + "exchange3.eml": bounce("petter.gulbrandsen@no.compuware.com", "5.1.1"),
    PHP + "fbl-aol.txt": FEEDBACK,  # AOL ARF, Feedback-Type: abuse
    PHP + "fbl-comcast.txt": FEEDBACK,  # Return Path ARF, Feedback-Type: abuse
    PHP + "fbl-hotmail.txt": FEEDBACK,  # Hotmail non-ARF complaint (multipart/mixed, message/rfc822)
    PHP + "fbl-yahoo.txt": FEEDBACK,  # Yahoo ARF, Feedback-Type: abuse
    PHP + "hotmailbounce.txt": FEEDBACK,  # Hotmail non-ARF complaint, despite its name
    PHP + "issue_9_testcase.eml": bounce("someone@some.where", "5.1.1"),  # MessageLabs DSN
    PHP + "sendmail-dsn-hdrs-503.eml": bounce("autorespondtest@example.net", "5.1.1"),
    PHP + "sendmail-dsn-hdrs-552-allaboutspam.eml": bounce("test@allaboutspam.com", "5.2.2"),
    PHP + "sendmail-dsn-hdrs-delivered.eml": OTHER,  # return receipt: Action: relayed, Status: 2.1.5
    PHP + "sendmail-dsn-hdrs-invalidhost.eml": bounce("richard+test@example.invalid", "5.1.2"),
    PHP + "sendmail-invaliduser.eml": bounce("invaliduser@invaliduser.invalid", "5.1.1"),
    PHP + "sendmail-nohost.eml": bounce("baddomain@baddomainxxxsdkjfhsdhfkdsfhsd.com", "5.1.2"),
    PHP + "testfile.eml": bounce("leopold_skryd@mail.ru", "5.0.0"),  # Postfix DSN
    PHP + "unsubscribe.txt": OTHER,  # a script's log with a forwarded newsletter inside
    # Auto-replies: Auto-Submitted: auto-replied (vac1-4, vac6, vac7), X-Autorespond / Precedence (vac5).
    PHP + "vac1": AUTOREPLY,
    PHP + "vac2": AUTOREPLY,
    PHP + "vac3": AUTOREPLY,
    PHP + "vac4": AUTOREPLY,
    PHP + "vac5": AUTOREPLY,
    PHP + "vac6": AUTOREPLY,
    PHP + "vac7": AUTOREPLY,
    # Sendmail DSNs.
    CWS + "bounce_511_057.eml": bounce("this-user-does-not-exist-for-example@gmail.com", "5.1.1"),
    # Yahoo's own text: "Unable to deliver message to the following address(es)." then "<address>:".
    CWS + "bounce_511_058.eml": bounce("akponseuliette@yahoo.fr"),
    CWS + "bounce_534_001.eml": bounce("this-message-excees-limit-5000kb@docomo.ne.jp", "5.3.4"),
    CWS + "bounce_534_002.eml": bounce("this-message-is-too-big-for-the-host@ezweb.ne.jp", "5.3.4"),
    CWS + "bounce_570_001.eml": bounce("illegal-attachment-on-the-message@gmail.com", "5.7.0"),
    CWS + "fbl_hotmail_002.eml": bounce("sdfsdqfdsf67657657@hotmail.com", "5.0.0"),  # a Postfix DSN, despite its name
    CWS + "unknown_007.eml": OTHER,  # ordinary mail, "Cannot parse", no report
}

# file -> what smtpcodes gets wrong today (none: every email is read as its kind). An entry is
# an xfail(strict=True): remove it when its XPASS says it is fixed.
XFAIL: dict[str, str] = {}


def failed_addresses(report: sc.BounceReport) -> set[str]:
    """The recipients whose outcome is a failure: action `failed`, or no action and a bounce."""
    return {
        r.address.lower()
        for r in report.recipients
        if r.action == "failed" or (r.action is None and r.bounce is not sc.Bounce.NONE)
    }


def observed_kind(report: sc.BounceReport) -> str:
    """What the report says the email is, in index.jsonl's words (a success report is "other")."""
    return {sc.ReportKind.DELIVERY: "other"}.get(report.kind, report.kind.value)


def accepted(row: Row) -> list[set[str]]:
    """The failed sets that match the email: the address the sender used, or (12, 47, 62) the
    Final-Recipient rewrite, as written or without its RFC 5321 source route (`@host:`)."""
    sets = [set(row.failed)]
    if row.rewritten is not None:
        sets += [{row.rewritten}, {row.rewritten.rpartition(":")[2]}]
    return sets


def load(name: str) -> bytes:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus-more is not here")
    return (CORPUS / name).read_bytes()


def params(names: list[str], xfail: dict[str, str] | None = None) -> list[object]:
    """One param per file, its id the file name, xfail(strict=True) where `xfail` says what is wrong."""
    xfail = xfail or {}
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(strict=True, reason=xfail[name])] if name in xfail else [],
            id=Path(name).name,
        )
        for name in names
    ]


def test_table_covers_the_index():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus-more is not here")
    index = [json.loads(line) for line in (CORPUS / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {d["file"]: d["kind"] for d in index} == {name: row.kind for name, row in TABLE.items()}
    assert set(XFAIL) <= set(TABLE)
    # Every bounce and delay here names its failed (or delayed) address.
    for name, row in TABLE.items():
        assert all(a == a.lower() for a in row.failed), name
        assert bool(row.failed) == (row.kind in ("bounce", "delay")), name


@pytest.mark.parametrize("name", params(list(TABLE), XFAIL))
def test_corpus_more(name: str):
    """Each email is read as the kind it is, with the failed (or delayed) recipients it names."""
    row = TABLE[name]
    raw = load(name)
    try:
        report = sc.parse_bounce(raw)
    except sc.BounceParseError as e:
        if row.kind == "other":
            return
        pytest.fail(f"refused as not a bounce: {e}")
    recipients = report.recipients
    if row.kind == "other":
        assert not [r.address for r in recipients if r.action == "failed"]
        return
    assert observed_kind(report) == row.kind, [(r.address, r.action, r.reason, r.bounce) for r in recipients]
    if row.kind == "bounce":
        assert failed_addresses(report) in accepted(row)
    elif row.kind == "delay":
        assert row.failed <= {r.address.lower() for r in recipients}
        assert all(r.action == "delayed" for r in recipients)
        assert not [r.address for r in recipients if r.bounce is sc.Bounce.HARD]
    elif row.kind == "feedback":
        assert all(r.reason is sc.Reason.FEEDBACK for r in recipients)
        # A recipient is a mailbox; a redacted one ("Undisclosed Recipients") is none.
        assert all("@" in r.address for r in recipients)
    elif row.kind == "autoreply":
        assert all(r.reason is sc.Reason.VACATION for r in recipients)
        assert not failed_addresses(report)


@pytest.mark.parametrize("name", params([n for n, row in TABLE.items() if row.status is not None]))
def test_corpus_more_status(name: str):
    """Where the email has a Status: field, the recipient it names carries that status."""
    row = TABLE[name]
    report = sc.parse_bounce(load(name))
    names = set().union(*accepted(row))
    matching = [r for r in report.recipients if r.address.lower() in names]
    assert matching, [r.address for r in report.recipients]
    assert {str(r.status) for r in matching} == {row.status}
