//! The wrappers of `data/wrappers.toml`: the text MTAs, bounce messages and sending libraries
//! write around an SMTP reply (`SMTP error from remote mail server after RCPT TO:<a@b>: host …:`,
//! `Remote host said:`, `Remote Server returned '…'`, `(550, b'…')` …), each with its source.
//!
//! All patterns are compiled into one multi-pattern meta regex, so that finding the leftmost
//! wrapper is one linear-time pass over the text; the patterns that may stand inside the text of
//! a reply (`nested`) have their own. A wrapper only locates a reply: the caller parses what
//! follows and drops the match when no reply is there.

use std::sync::{LazyLock, OnceLock};

use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};

use crate::status::{EnhancedStatus, Scan, scan};

/// One row of `data/wrappers.toml` (see the file's header for the fields).
#[derive(Debug)]
pub struct Wrapper {
    pub id: &'static str,
    pub pattern: &'static str,
    pub after: Option<&'static str>,
    pub command: Option<&'static str>,
    pub nested: bool,
    pub line_prefix: Option<&'static str>,
    pub escapes: bool,
    /// Bytes every match contains: a text without them is not searched for this wrapper.
    pub needs: Option<&'static str>,
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/wrappers_data.rs"));

struct Compiled {
    /// Every pattern, pattern `i` being `WRAPPERS[i]`, without their groups: finds the leftmost
    /// wrapper in one pass.
    all: Regex,
    /// The `nested` patterns; `nested_ids[k]` is the wrapper of pattern `k`.
    nested: Option<Regex>,
    nested_ids: Vec<usize>,
    /// Each pattern alone with its groups, and its `after`, compiled the first time the wrapper
    /// is found: they are read on the span `all` found (a small NFA, so reading groups is cheap).
    single: Vec<OnceLock<Pieces>>,
}

struct Pieces {
    pattern: Regex,
    after: Option<Regex>,
}

fn build(patterns: &[String], captures: WhichCaptures) -> Result<Regex, String> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .which_captures(captures)
                .nfa_size_limit(Some(20 << 20))
                .hybrid_cache_capacity(4 << 20)
                // Groups are read by the bounded backtracker on one pattern's small NFA (on all
                // patterns at once, clearing its visited set of NFA states x haystack bits took
                // most of the time).
                .backtrack(matches!(captures, WhichCaptures::All))
                .match_kind(MatchKind::LeftmostFirst)
                .utf8_empty(true),
        )
        .syntax(syntax::Config::new().case_insensitive(true).utf8(true))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// ASCII word boundaries: a Unicode `\b` makes the lazy DFA give up on non-ASCII text.
fn ascii_bounds(p: &str) -> String {
    p.replace(r"\b", r"(?-u:\b)")
}

fn compile() -> Result<Compiled, String> {
    let all: Vec<String> = WRAPPERS.iter().map(|w| ascii_bounds(w.pattern)).collect();
    let all_re = build(&all, WhichCaptures::Implicit).map_err(|e| format!("patterns do not compile: {e}"))?;
    let nested_ids: Vec<usize> = (0..WRAPPERS.len()).filter(|&i| WRAPPERS[i].nested).collect();
    let nested_pats: Vec<String> = nested_ids.iter().map(|&i| all[i].clone()).collect();
    let nested = if nested_pats.is_empty() { None } else { Some(build(&nested_pats, WhichCaptures::Implicit)?) };
    let single = WRAPPERS.iter().map(|_| OnceLock::new()).collect();
    Ok(Compiled { all: all_re, nested, nested_ids, single })
}

fn pieces(w: &Wrapper) -> Result<Pieces, String> {
    let pattern = build(&[ascii_bounds(w.pattern)], WhichCaptures::All).map_err(|e| format!("{}: {e}", w.id))?;
    let after = match w.after {
        Some(a) => Some(
            build(&[ascii_bounds(a)], WhichCaptures::All)
                .map_err(|e| format!("{}: `after` does not compile: {e}", w.id))?,
        ),
        None => None,
    };
    Ok(Pieces { pattern, after })
}

static COMPILED: LazyLock<Compiled> =
    LazyLock::new(|| compile().unwrap_or_else(|e| panic!("data/wrappers.toml: {e} (a data bug, caught by the tests)")));

fn pieces_of(c: &Compiled, index: usize) -> Option<&Pieces> {
    let w = WRAPPERS.get(index)?;
    Some(c.single.get(index)?.get_or_init(|| {
        pieces(w).unwrap_or_else(|e| panic!("data/wrappers.toml: {e} (a data bug, caught by the tests)"))
    }))
}

/// A wrapper found in a text, and what it says about the reply after it.
#[derive(Debug, Clone)]
pub struct Found {
    pub wrapper: &'static Wrapper,
    /// Where the wrapper's match starts.
    pub start: usize,
    /// Where the reply starts (the end of the match).
    pub reply_start: usize,
    /// Where the reply ends: where `after` matches, else the end of the text.
    pub reply_end: usize,
    pub host: Option<String>,
    pub command: Option<String>,
    pub code: Option<u16>,
    pub status: Option<EnhancedStatus>,
    /// The wrapper's `after` matched (or it has none): a quote it opened is closed.
    pub closed: bool,
}

/// The leftmost wrapper that starts at or after `from` in `text` (`nested`: only the wrappers
/// that may stand inside a reply's text).
pub fn find(text: &str, from: usize, nested: bool) -> Option<Found> {
    if nested && !may_nest(text) {
        return None;
    }
    let c = &*COMPILED;
    let re = if nested { c.nested.as_ref()? } else { &c.all };
    let m = re.search(&Input::new(text).range(from.min(text.len())..))?;
    let k = m.pattern().as_usize();
    let index = if nested { *c.nested_ids.get(k)? } else { k };
    let wrapper = WRAPPERS.get(index)?;
    // The same pattern, anchored where the leftmost match starts, ends where it ends.
    let pieces = pieces_of(c, index)?;
    let one = &pieces.pattern;
    let mut caps = one.create_captures();
    one.search_captures(&Input::new(text).range(m.start()..).anchored(Anchored::Yes), &mut caps);
    let m = caps.get_match()?;
    let group = |names: &[&str]| group_in(&caps, text, names);
    let name = group(&["host", "host2"]).map(|h| h.trim_end_matches('.'));
    let ip = group(&["ip", "ip2"]);
    let host = match (name, ip) {
        (Some(n), Some(i)) if n != i => Some(format!("{n}[{i}]")),
        (Some(n), _) => Some(n.to_string()),
        (None, Some(i)) => Some(i.to_string()),
        (None, None) => None,
    };
    let code = group(&["code", "code2"]).and_then(|s| s.parse().ok());
    let status = group(&["status"]).and_then(|s| match scan(s.as_bytes(), 0) {
        Scan::Status(st, _) => Some(st),
        _ => None,
    });
    let mut command = group(&["command"]).or(wrapper.command).map(normalize_command);
    let reply_start = m.end();
    let mut reply_end = text.len();
    let mut closed = pieces.after.is_none();
    if let Some(after) = &pieces.after {
        let mut ac = after.create_captures();
        after.search_captures(&Input::new(text).range(reply_start..), &mut ac);
        if let Some(am) = ac.get_match() {
            closed = true;
            reply_end = am.start();
            if let Some(cmd) = group_in(&ac, text, &["command"]) {
                command = Some(normalize_command(cmd));
            }
        }
    }
    Some(Found { wrapper, start: m.start(), reply_start, reply_end, host, command, code, status, closed })
}

/// The `needs` of the nested wrappers, `None` when one of them has none (then every text is
/// searched). Apart from the regexes, so that plain replies never compile those.
static NESTED_NEEDS: LazyLock<Option<Vec<memchr::memmem::Finder<'static>>>> =
    LazyLock::new(|| WRAPPERS.iter().filter(|w| w.nested).map(|w| w.needs.map(memchr::memmem::Finder::new)).collect());

/// False when no `nested` wrapper can match `text`: each has `needs` bytes and none occur.
fn may_nest(text: &str) -> bool {
    NESTED_NEEDS.as_ref().is_none_or(|needs| needs.iter().any(|f| f.find(text.as_bytes()).is_some()))
}

/// The text of the first of the groups `names` that took part in the match, unless empty.
fn group_in<'t>(caps: &Captures, text: &'t str, names: &[&str]) -> Option<&'t str> {
    names.iter().find_map(|n| caps.get_group_by_name(n)).map(|s| &text[s.range()]).filter(|s| !s.is_empty())
}

/// A command as a wrapper writes it, in Postfix's notation: `RCPT TO`, `MAIL FROM`, `DATA`,
/// `end of DATA` (the message sent), `CONNECT` (the greeting), or the verb in upper case.
pub fn normalize_command(raw: &str) -> String {
    let upper = raw.trim().trim_end_matches(':').replace('_', " ").to_ascii_uppercase();
    match upper.as_str() {
        "INITIAL CONNECTION" | "CONNECT" | "CONN" | "GREETING" | "BANNER" => "CONNECT".into(),
        "END OF DATA" | "FINAL DATA" | "SENDING DATA BLOCK" | "DATA END" | "TEXT" | "." | "BODY" => {
            "end of DATA".into()
        }
        "RCPT" | "RCPT TO" => "RCPT TO".into(),
        "MAIL" | "MAIL FROM" => "MAIL FROM".into(),
        _ => upper,
    }
}

/// The text of a wrapped reply as the core parser reads it: `\n`-style escapes turned into line
/// breaks (a Python repr), and with a `line_prefix` (a transcript's `<<<`), only the lines that
/// carry the prefix, without it. `None` when the text needs no change.
pub fn rewrite(w: &Wrapper, text: &str) -> Option<String> {
    let mut owned: Option<String> = None;
    if w.escapes && text.contains('\\') {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(ch) = chars.next() {
            if ch != '\\' {
                out.push(ch);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        owned = Some(out);
    }
    if let Some(prefix) = w.line_prefix {
        let src = owned.as_deref().unwrap_or(text);
        if src.contains(['\n', '\r']) {
            let mut out = String::with_capacity(src.len());
            for (i, line) in src.split(['\n', '\r']).filter(|l| !l.trim().is_empty()).enumerate() {
                if i == 0 {
                    out.push_str(line);
                    continue;
                }
                let Some(rest) = line.trim_start().strip_prefix(prefix) else { break };
                out.push('\n');
                out.push_str(rest.trim_start());
            }
            owned = Some(out);
        }
    }
    owned
}

#[cfg(test)]
pub(crate) fn compiles() -> Result<(), String> {
    compile()?;
    WRAPPERS.iter().try_for_each(|w| pieces(w).map(|_| ()))
}
