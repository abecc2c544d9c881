"""The catalogue pages of the documentation site, generated from the data at build time.

An mkdocs hook (``hooks:`` in mkdocs.yml): ``on_files`` adds the pages of ``PAGES`` to the site,
each written from the files that are the single source of truth, never copied by hand:

- ``catalogue/reasons.md``: data/reasons.toml (and data/status_reasons.toml, data/rules.toml for
  what gives each reason);
- ``catalogue/rules.md``: data/rules.toml, one anchor per rule id (the id ``explain()`` prints);
- ``catalogue/reply-codes.md``: data/reply_codes.toml, data/digits.toml, data/outlook_errors.toml,
  in English and French (data/i18n/fr.toml);
- ``catalogue/enhanced-status.md``: data/enhanced_status.toml (the IANA registry) in English and
  French, with data/status_reasons.toml;
- ``catalogue/wrappers.md``: data/wrappers.toml;
- ``catalogue/formats.md``: the bounce formats, in the order the parser tries them, read from
  src/bounce/registry.rs (the one list of formats; the Python package does not expose it), each
  with the doc comment of the file that reads it, which names where its wording comes from.

The page functions need only the standard library, so tests/test_docs.py checks the catalogue
without mkdocs.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BOUNCE_SRC = ROOT / "src" / "bounce"

GENERATED = (
    "<!-- Generated at build time by docs/hooks.py from {sources}: edit those files, not this page. -->\n\n"
)


@cache
def _toml(name: str) -> dict[str, Any]:
    with (DATA / name).open("rb") as f:
        return tomllib.load(f)


def _fr() -> dict[str, Any]:
    return _toml("i18n/fr.toml")


# ----------------------------------------------------------------------------------- Markdown

_URL = re.compile(r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:)\]]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def _escape(text: str) -> str:
    """Plain text as Markdown that shows it as written."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def text(value: str) -> str:
    """Prose from a data file (a source, a description): escaped, its URLs made links."""
    out, pos = [], 0
    for m in _URL.finditer(value):
        out.append(_escape(value[pos : m.start()]))
        out.append(f"<{m.group(0)}>")
        pos = m.end()
    out.append(_escape(value[pos:]))
    return " ".join("".join(out).split())


def code(value: str) -> str:
    """A literal (a phrase, a regex, a code) as inline code, exactly as written."""
    if value and value == value.strip() and "`" not in value and "\n" not in value:
        return f"`{value}`"
    # Backticks, line breaks or edge spaces: an HTML code element, spaces kept visible.
    body = _escape(value).replace("\n", "\\n").replace(" ", "&nbsp;")
    return f"<code>{body}</code>"


def fence(value: str, lang: str = "text") -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", value)), default=0) + 1)
    return f"{ticks}{lang}\n{value}\n{ticks}"


def cell(value: str) -> str:
    """Prose for a table cell."""
    return text(value).replace("\n", " ")


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def anchor(ident: str) -> str:
    return f'<a id="{html.escape(ident)}"></a>'


def status_anchor(code: str) -> str:
    """The anchor of a registry entry: ``X.1.1`` -> ``x.1.1``."""
    return code.lower()


# ------------------------------------------------------------------------------------ reasons


def _reasons() -> list[dict[str, Any]]:
    return _toml("reasons.toml")["reason"]


def _rules() -> list[dict[str, Any]]:
    return _toml("rules.toml")["rule"]


def reasons_page() -> str:
    rules_by_reason: dict[str, int] = {}
    for rule in _rules():
        rules_by_reason[rule["reason"]] = rules_by_reason.get(rule["reason"], 0) + 1
    statuses: dict[str, list[str]] = {}
    for row in _toml("status_reasons.toml")["status"]:
        statuses.setdefault(row["reason"], []).append(f"[{row['code']}](enhanced-status.md#{status_anchor(row['code'])})")
    replies: dict[str, list[str]] = {}
    for row in _toml("status_reasons.toml")["reply"]:
        replies.setdefault(row["reason"], []).append(f"[{row['code']}](reply-codes.md#{row['code']})")
    rows = []
    for r in _reasons():
        value = r["value"]
        n = rules_by_reason.get(value, 0)
        rules = f"[{n}](rules.md#reason-{value})" if n else "0"
        from_codes = ", ".join(statuses.get(value, []) + replies.get(value, [])) or "–"
        rows.append(
            [
                f"{anchor(value)}`{value}`",
                f"`Reason.{r['name']}`",
                cell(r["description"]),
                r["fault"],
                r["bounce"],
                rules,
                from_codes,
            ]
        )
    return (
        "# Reasons\n\n"
        + GENERATED.format(sources="data/reasons.toml, data/rules.toml and data/status_reasons.toml")
        + f"Every reason a reply or a bounce can have: {len(rows)} reasons, the values of "
        "`smtpcodes.Reason`. The values are [Sisimai](https://libsisimai.org/en/reason/)'s reason "
        "names. *Default bounce* is the bounce type of a permanent failure with the reason (a "
        "transient reply is never hard); *fault* is whose problem it usually is "
        "(`Reason.fault`, `Reason.default_bounce`). *Text rules* counts the "
        "[rules](rules.md) that give the reason; *from codes* lists the enhanced status codes "
        "and basic reply codes that give it when no text rule matches.\n\n"
        + table(["reason", "member", "description", "fault", "default bounce", "text rules", "from codes"], rows)
        + "\n"
    )


# -------------------------------------------------------------------------------------- rules


def _rule_entry(rule: dict[str, Any]) -> str:
    rid = rule["id"]
    head = (
        f"{anchor(rid)}\n**[`{rid}`](#{rid})** → reason [`{rule['reason']}`](reasons.md#{rule['reason']}), "
        f"priority {rule.get('priority', 0)}"
    )
    items = []
    if rule.get("phrases"):
        items.append("phrases: " + " · ".join(code(p) for p in rule["phrases"]))
    if rule.get("regex"):
        items.append("regex: " + code(rule["regex"]))
    constraints = []
    if rule.get("codes"):
        constraints.append("codes " + ", ".join(f"[{c}](reply-codes.md#{c})" for c in rule["codes"]))
    if rule.get("class") is not None:
        constraints.append(f"class {rule['class']}")
    if rule.get("status"):
        constraints.append("status " + ", ".join(code(s) for s in rule["status"]))
    if rule.get("commands"):
        constraints.append("commands " + ", ".join(code(c) for c in rule["commands"]))
    if rule.get("hosts"):
        constraints.append("hosts " + ", ".join(code(h) for h in rule["hosts"]))
    if constraints:
        items.append("only when: " + "; ".join(constraints))
    if rule.get("bounce"):
        items.append(f"bounce: {rule['bounce']}")
    if rule.get("hint"):
        items.append(f"hint: {rule['hint']} (retry after `RetryPolicy.greylist_delay`)")
    if rule.get("action"):
        items.append(f"action: `{rule['action']}`, scope `{rule.get('scope', 'message')}`")
    items.append("source: " + text(rule["source"]))
    return head + "\n\n" + "\n".join(f"- {i}" for i in items)


def rules_page() -> str:
    rules = _rules()
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for rule in rules:
        by_reason.setdefault(rule["reason"], []).append(rule)
    sections = []
    for r in _reasons():
        group = by_reason.pop(r["value"], [])
        if not group:
            continue
        sections.append(
            f"## {r['value']} {{#reason-{r['value']}}}\n\n"
            f"{text(r['description'])} ([reason](reasons.md#{r['value']}); {len(group)} "
            f"rule{'s' if len(group) != 1 else ''})\n\n" + "\n\n".join(_rule_entry(rule) for rule in group)
        )
    if by_reason:  # build.rs refuses unknown reasons; say so here too rather than drop rules
        raise ValueError(f"data/rules.toml: rules with unknown reasons: {sorted(by_reason)}")
    with_action = [r for r in rules if r.get("action")]
    documented = table(
        ["rule", "reason", "action", "scope"],
        (
            [f"[`{r['id']}`](#{r['id']})", f"`{r['reason']}`", f"`{r['action']}`", f"`{r.get('scope', 'message')}`"]
            for r in with_action
        ),
    )
    return (
        "# Text rules\n\n"
        + GENERATED.format(sources="data/rules.toml")
        + f"The {len(rules)} text rules, grouped by the reason they give. The anchor of each rule is its "
        "id, as `Reply.explain()` and `smtpcodes explain` print it: "
        "`catalogue/rules/#postfix-user-unknown-in-table`.\n\n"
        "How they are used ([replies](../replies.md#how-a-reply-is-classified)): the text of a reply "
        "(without its code and status, lines joined, lower-cased, white space collapsed) matches a rule "
        "when one of its phrases occurs in it, or its regex (Rust `regex`, case-insensitive) matches, and "
        "every constraint holds (`codes`: the basic code; `class`: 4 or 5; `status`: the enhanced status; "
        "`commands`: the command the reply answered, when the reply names one; `hosts`: the remote host "
        "or a subdomain). The highest priority wins; on a tie, the phrase found earliest, then the order "
        "below. A transient reply is never a hard bounce, whatever the rule. "
        "\n\n## Documented actions {#documented-actions}\n\n"
        f"{len(with_action)} rules carry the action their provider documents for the reply, where it differs "
        "from the reason's usual decision ([retry decisions](../retry.md#documented-provider-actions)): "
        "`throttle`, `message` (an ordinary failure of this message: retry if transient, give up if permanent), "
        "`give_up` (even when transient), `fix_config` or `suppress`; the scope is `message` or `destination`. "
        "Each rule's entry below names the provider's page.\n\n"
        + documented + "\n\n" + "\n\n".join(sections) + "\n"
    )


# ---------------------------------------------------------------------------- codes and status


def _status_reasons() -> tuple[dict[str, dict[str, Any]], dict[int, dict[str, Any]]]:
    sr = _toml("status_reasons.toml")
    return {r["code"]: r for r in sr["status"]}, {r["code"]: r for r in sr["reply"]}


def _digits(section: str) -> list[dict[str, Any]]:
    return _toml("digits.toml")[section]


def digits_table(section: str, first: str = "digit") -> str:
    """What each value of one digit means (data/digits.toml), in English and French."""
    fr = _fr()[section]
    return table(
        [first, "member", "meaning", "en français"],
        ([str(d["digit"]), f"`{d['name']}`", cell(d["text"]), cell(fr[str(d["digit"])])] for d in _digits(section)),
    )


def reply_codes_page() -> str:
    fr = _fr()
    _, by_reply = _status_reasons()
    kinds = {k["digit"]: k for k in _digits("kind")}
    out = [
        "# Basic reply codes\n",
        GENERATED.format(sources="data/reply_codes.toml, data/digits.toml, data/outlook_errors.toml and data/i18n/fr.toml"),
        f"Every basic reply code an RFC defines ({len(_toml('reply_codes.toml')['reply'])} codes), with the "
        "text of the defining RFC, in English and French (`smtpcodes.describe(code, lang=\"fr\")`, "
        "`smtpcodes.registry.replies()`). *Reason* is what the code alone gives, when the reply has "
        "neither an enhanced status nor words a [text rule](rules.md) knows.\n",
        "## What the digits mean\n",
        "First digit (`Reply.kind`, `smtpcodes.ReplyKind`; RFC 5321 §4.2.1):\n",
        digits_table("kind"),
        "\nSecond digit (`Reply.category`, `smtpcodes.Category`; RFC 5321 §4.2.1):\n",
        digits_table("category"),
    ]
    by_kind: dict[int, list[dict[str, Any]]] = {}
    for r in _toml("reply_codes.toml")["reply"]:
        by_kind.setdefault(r["code"] // 100, []).append(r)
    for digit, replies in sorted(by_kind.items()):
        name = kinds[digit]["name"] if digit in kinds else str(digit)
        rows = []
        for r in replies:
            reason = by_reply.get(r["code"])
            rows.append(
                [
                    f"{anchor(str(r['code']))}**{r['code']}**",
                    cell(r["text"]),
                    cell(fr["reply"].get(str(r["code"]), "–")),
                    cell(r["source"]),
                    "<br>".join(cell(u) for u in r.get("other_uses", [])) or "–",
                    f"[`{reason['reason']}`](reasons.md#{reason['reason']})" if reason else "–",
                ]
            )
        out.append(f"\n## {digit}yz: {name.replace('_', ' ').lower()} {{#kind-{digit}}}\n")
        out.append(table(["code", "text", "en français", "source", "other uses", "reason"], rows))
    outlook = _toml("outlook_errors.toml")["error"]
    out.append("\n## Outlook Express and Windows Mail error numbers {#outlook}\n")
    out.append(
        f"The {len(outlook)} SMTP error numbers of Outlook Express and Windows Mail (Microsoft's "
        "imnxport.h), with the reply code each stands for (`smtpcodes.outlook_error(number)`, "
        "`smtpcodes.registry.outlook_errors()`).\n"
    )
    out.append(
        table(
            ["number", "name", "reply code", "text", "en français"],
            (
                [
                    f"`0x{e['number']:08X}`",
                    f"`{e['name']}`",
                    f"[{e['reply_code']}](#{e['reply_code']})" if e.get("reply_code") else "–",
                    cell(e["text"]),
                    cell(fr["outlook"].get(f"0x{e['number']:08X}", "–")),
                ]
                for e in outlook
            ),
        )
    )
    return "\n".join(out) + "\n"


def enhanced_status_page() -> str:
    fr = _fr()
    by_status, _ = _status_reasons()
    entries = _toml("enhanced_status.toml")["status"]
    out = [
        "# Enhanced status codes\n",
        GENERATED.format(sources="data/enhanced_status.toml, data/digits.toml, data/status_reasons.toml and data/i18n/fr.toml"),
        f"Every entry of the IANA \"Enumerated Status Codes\" registry ({len(entries)} entries; RFC 3463, "
        "RFC 5248 and the RFCs named per entry), in English and French "
        "(`smtpcodes.EnhancedStatus(\"5.1.1\").title`, `.describe(\"fr\")`, `smtpcodes.registry.enhanced(\"fr\")`). "
        "`X` stands for the class: 2 success, 4 persistent transient failure, 5 permanent failure. "
        "*Reason* is what the status gives when no [text rule](rules.md) matches, with its source "
        "(data/status_reasons.toml); a `4.X.X` status is never a hard bounce.\n",
        "## Classes\n",
        digits_table("class", first="class"),
    ]
    subjects = {s["digit"]: s for s in _digits("subject")}
    by_subject: dict[int, list[dict[str, Any]]] = {}
    for e in entries:
        by_subject.setdefault(int(e["code"].split(".")[1]), []).append(e)
    for subject, group in sorted(by_subject.items()):
        s = subjects[subject]
        sfr = fr["subject"][str(subject)]
        out.append(f"\n## X.{subject}.XXX {s['title']} {{#subject-{subject}}}\n")
        out.append(f"{text(s['text'])} ({text(s['source'])})\n\n*{text(sfr['title'])}* : {text(sfr['text'])}\n")
        for e in group:
            efr = fr["status"].get(e["code"], {})
            reason = by_status.get(e["code"])
            facts = [
                "basic codes: " + text(e["reply_codes_text"]),
                "reference: " + text(", ".join(e["reference"])),
            ]
            if reason:
                facts.append(f"reason: [`{reason['reason']}`](reasons.md#{reason['reason']}) ({text(reason['source'])})")
            if e.get("deprecated"):
                facts.append("**deprecated**")
            block = [
                anchor(status_anchor(e["code"])),
                f"### {e['code']} {text(e['title'])}\n",
                text(e["description"]) + "\n",
            ]
            if efr:
                block.append(f"> *{text(efr['title'])}* : {text(efr['description'])}\n")
            block.append(" · ".join(facts))
            out.append("\n".join(block) + "\n")
    return "\n".join(out)


# ----------------------------------------------------------------------------------- wrappers


def wrappers_page() -> str:
    wrappers = _toml("wrappers.toml")["wrapper"]
    out = [
        "# Reply wrappers\n",
        GENERATED.format(sources="data/wrappers.toml"),
        f"The {len(wrappers)} shapes of text that MTAs, bounce messages and sending libraries write around "
        "an SMTP reply, which `smtpcodes.parse()` takes off to find the reply inside "
        "([replies](../replies.md#wrappers)). `Reply.unwrapped` and `Reply.explain()` name them by id. "
        "A wrapper's `pattern` (Rust `regex`, case-insensitive) ends where the reply begins, and counts "
        "only when a code or an enhanced status follows it; `after` ends the reply; the named groups "
        "`host`/`ip` fill `Reply.remote_mta` and `command` `Reply.smtp_command`. Each example below is "
        "parsed by the tests with the code, status, host and command shown.\n",
    ]
    for w in wrappers:
        out.append(f"## {w['id']} {{#{w['id']}}}\n")
        out.append("Source: " + text(w["source"]) + "\n")
        facts = []
        if w.get("command"):
            facts.append(f"implies the command `{w['command']}`")
        if w.get("nested"):
            facts.append("may stand inside the text of a reply that parses on its own (the inner reply wins)")
        if w.get("line_prefix"):
            facts.append(f"continuation lines start with {code(w['line_prefix'])}")
        if w.get("escapes"):
            facts.append("writes line breaks as escapes (`\\r\\n`, `\\n`)")
        if facts:
            out.append("It " + "; ".join(facts) + ".\n")
        out.append("Pattern:\n\n" + fence(w["pattern"], "text") + "\n")
        if w.get("after"):
            out.append("After the reply:\n\n" + fence(w["after"], "text") + "\n")
        out.append("Examples:\n")
        for ex in w["examples"]:
            gives = [f"{k} {code(str(ex[k]))}" for k in ("code", "status", "host", "command") if k in ex]
            out.append(fence(ex["text"], "text") + "\n\n" + "gives " + ", ".join(gives) + "\n")
    return "\n".join(out)


# ------------------------------------------------------------------------------------ formats

_REGISTRY = BOUNCE_SRC / "registry.rs"
_EXTRACTORS = re.compile(r"pub static EXTRACTORS: &\[Extractor\] = &\[(?P<body>.*?)\n\];", re.S)
_EXTRACTOR = re.compile(
    r'Extractor\s*\{\s*format:\s*"(?P<format>[^"]+)",\s*also:\s*&\[(?P<also>[^\]]*)\],\s*run:\s*(?P<run>[\w:]+)\s*,?\s*\}'
)


def formats() -> list[dict[str, Any]]:
    """The extractors of src/bounce/registry.rs, in order: format, other names, reader file and
    its doc comment. Anything the pattern does not read fails the build rather than vanish."""
    source = _REGISTRY.read_text(encoding="utf-8")
    m = _EXTRACTORS.search(source)
    if m is None:
        raise ValueError(f"{_REGISTRY}: no `pub static EXTRACTORS: &[Extractor] = &[ … ];` found")
    body = re.sub(r"//[^\n]*", "", m.group("body"))
    found = list(_EXTRACTOR.finditer(body))
    if len(found) != body.count("Extractor {") or not found:
        raise ValueError(f"{_REGISTRY}: read {len(found)} of {body.count('Extractor {')} extractors; update docs/hooks.py")
    out = []
    for e in found:
        module = e.group("run").split("::")[:-1]
        path = BOUNCE_SRC.joinpath(*module).with_suffix(".rs")
        if not path.exists():
            path = BOUNCE_SRC.joinpath(*module, "mod.rs")
        if not path.exists():
            raise ValueError(f"{_REGISTRY}: no source file for {e.group('run')}")
        doc = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("//!"):
                break
            doc.append(line[4:] if line.startswith("//! ") else line[3:])
        out.append(
            {
                "format": e.group("format"),
                "also": re.findall(r'"([^"]+)"', e.group("also")),
                "run": e.group("run"),
                "file": path.relative_to(ROOT).as_posix(),
                "doc": "\n".join(doc).strip(),
            }
        )
    return out


def _rustdoc(doc: str) -> str:
    """A Rust doc comment as Markdown: intra-doc links (`[`x`]`) become plain code."""
    return re.sub(r"\[(`[^`]+`)\](?!\()", r"\1", doc)


def formats_page() -> str:
    readers = formats()
    names: dict[str, list[dict[str, Any]]] = {}
    for r in readers:
        names.setdefault(r["format"], []).append(r)
    rows = [
        [
            str(i),
            f"[`{r['format']}`](#{r['format']})",
            ", ".join(f"`{a}`" for a in r["also"]) or "–",
            f"`{r['file']}` (`{r['run'].split('::')[-1]}`)",
        ]
        for i, r in enumerate(readers, 1)
    ]
    out = [
        "# Bounce formats\n",
        GENERATED.format(sources="src/bounce/registry.rs and the doc comments of the readers it names"),
        f"The {len(names)} formats `smtpcodes.parse_bounce()` reads, in the order their {len(readers)} readers "
        "are tried (the first report with recipients wins): the standard reports, then the reports of MTAs "
        "and services, each written from what its generator writes, then the general fallback. "
        "`BounceReport.format` is the format's name (or one of its other names). Each section below is "
        "the reader's own documentation, which names the source of the wording it reads "
        "([bounce emails](../bounces.md)).\n",
        table(["order", "format", "also reported as", "reader"], rows),
    ]
    for name, group in names.items():
        out.append(f"\n## {name} {{#{name}}}\n")
        for r in group:
            also = f" (also reported as {', '.join(f'`{a}`' for a in r['also'])})" if r["also"] else ""
            out.append(f"Read by `{r['file']}`, `{r['run'].split('::')[-1]}`{also}:\n\n{_rustdoc(r['doc'])}\n")
    return "\n".join(out)


# -------------------------------------------------------------------------------------- mkdocs

PAGES: dict[str, Callable[[], str]] = {
    "catalogue/reasons.md": reasons_page,
    "catalogue/rules.md": rules_page,
    "catalogue/reply-codes.md": reply_codes_page,
    "catalogue/enhanced-status.md": enhanced_status_page,
    "catalogue/wrappers.md": wrappers_page,
    "catalogue/formats.md": formats_page,
}


def pages() -> dict[str, str]:
    """Every generated page: its path under docs/ and its Markdown."""
    return {uri: make() for uri, make in PAGES.items()}


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for uri, content in pages().items():
        files.append(File.generated(config, uri, content=content))
    return files
