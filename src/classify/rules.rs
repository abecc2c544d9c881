//! Text rules (`data/rules.toml`): phrases and linear-time regexes that refine the reason a
//! reply's codes give. All phrases of all rules are compiled once into one Aho-Corasick
//! automaton, searched in one pass, and each regex (finite automata, no backtracking) runs only
//! when a literal it needs occurs ([`RuleSet`]), so the time to match grows linearly with the
//! text, whatever the number of rules.
//!
//! Semantics: the text matched is the reply text, lower-cased, with every run of white space
//! collapsed to one space ([`normalize`]). A rule matches when one of its phrases is a
//! substring of it or its regex matches it, and all its constraints (basic codes, class,
//! enhanced statuses) hold. Among matching rules the highest `priority` wins; ties go to the
//! match found earliest in the text, then to the rule that comes first in the file.

use crate::classify::{Bounce, Reason};
use crate::reply::Reply;
use crate::status::is_space;
use daachorse::DoubleArrayAhoCorasick;
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// An enhanced status a rule is limited to; `class: None` is the registry's `X.` wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusPattern {
    pub class: Option<u16>,
    pub subject: u16,
    pub detail: u16,
}

/// One rule of `data/rules.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    pub id: &'static str,
    pub reason: Reason,
    /// Lower-case literal phrases, any of which matches.
    pub phrases: &'static [&'static str],
    /// A regex (Rust `regex` syntax, matched case-insensitively).
    pub regex: Option<&'static str>,
    /// The reply's basic code must be one of these (empty: any).
    pub codes: &'static [u16],
    /// First digit of the code, or the status class without a code.
    pub class: Option<u16>,
    /// The reply's enhanced status must match one of these (empty: any).
    pub status: &'static [StatusPattern],
    /// The SMTP command the reply answered must be one of these (`MAIL`, `RCPT`, `DATA`, …)
    /// when the reply names it; a reply that does not name its command is not held to it.
    pub commands: &'static [&'static str],
    /// The remote host must be one of these domains or a subdomain of one (`outlook.com`
    /// matches `mx1.eur.protection.outlook.com`): provider-specific wording. A reply that does
    /// not name its host never matches such a rule.
    pub hosts: &'static [&'static str],
    pub priority: i32,
    /// Overrides the reason's default bounce type.
    pub bounce: Option<Bounce>,
    /// The reply is a greylisting deferral (`hint = "greylisting"`): retry after a short delay.
    pub greylisting: bool,
    /// What the provider documents the sender should do, where the reason's usual decision is
    /// not it (`action` in rules.toml; see [`RuleAction`]).
    pub action: Option<RuleAction>,
    /// `action` is about the whole destination (`scope = "destination"`), not this message.
    pub destination: bool,
    /// Where the phrase comes from: provider documentation, RFC, MTA source, corpus file.
    pub source: &'static str,
}

/// What a rule's source documents the sender should do (`action` in rules.toml), applied by
/// [`crate::retry::decide`] in place of the decision the reason alone would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleAction {
    /// Slow down towards the destination and retry (a block the provider lifts by itself).
    Throttle,
    /// An ordinary failure of this message, not of the destination: retry when transient, give
    /// up when permanent (a recipient receiving too fast).
    Message,
    /// Stop, even when the code is transient (Yahoo's "permanently deferred").
    GiveUp,
    /// The sender's setup is at fault.
    FixConfig,
    /// Never mail the address again.
    Suppress,
}

include!(concat!(env!("OUT_DIR"), "/rules_data.rs"));

impl Rule {
    /// True when the reply satisfies the rule's code, class and status constraints.
    pub fn applies_to(&self, reply: &Reply) -> bool {
        let code = reply.code().map(|c| c.value());
        if !self.codes.is_empty() && !code.is_some_and(|c| self.codes.contains(&c)) {
            return false;
        }
        if let Some(class) = self.class {
            let first = code.map(|c| c / 100).or_else(|| reply.status().map(|s| s.class().digit()));
            if first != Some(class) {
                return false;
            }
        }
        if !self.commands.is_empty()
            && let Some(cmd) = reply.smtp_command()
            && !self.commands.contains(&command_verb(cmd))
        {
            return false;
        }
        if !self.hosts.is_empty() {
            let Some(host) = reply.remote_mta().map(host_name) else { return false };
            let host = host.to_ascii_lowercase();
            let matches = |d: &&str| host == *d || host.strip_suffix(*d).is_some_and(|rest| rest.ends_with('.'));
            if !self.hosts.iter().any(matches) {
                return false;
            }
        }
        if !self.status.is_empty() {
            let Some(st) = reply.status() else {
                return false;
            };
            let hit = self.status.iter().any(|p| {
                p.subject == st.subject() && p.detail == st.detail() && p.class.is_none_or(|c| c == st.class().digit())
            });
            if !hit {
                return false;
            }
        }
        true
    }
}

/// The command verb of Postfix's `(in reply to X command)` wording: `RCPT TO` → `RCPT`,
/// `MAIL FROM` → `MAIL`, `end of DATA` → `DATA`, `HELO`/`EHLO` → themselves.
pub fn command_verb(command: &str) -> &'static str {
    let upper = command.trim().to_ascii_uppercase();
    let word = upper.strip_prefix("END OF ").unwrap_or(&upper);
    let verb = word.split([' ', ':']).next().unwrap_or("");
    ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "STARTTLS", "AUTH", "CONNECT"]
        .into_iter()
        .find(|v| *v == verb)
        .unwrap_or("")
}

/// The host name of a Remote-MTA or Postfix `host` value: `mx.example.com[192.0.2.1]` →
/// `mx.example.com`, `dns; mx.example.com` → `mx.example.com`, without a trailing dot.
pub fn host_name(remote: &str) -> &str {
    let s = remote.rsplit(';').next().unwrap_or(remote).trim();
    let s = s.split('[').next().unwrap_or(s).trim();
    s.trim_end_matches('.')
}

/// A rule that matched, with the span of the match in the normalized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleMatch {
    pub rule: &'static Rule,
    /// Byte range of the match in [`normalize`]d text.
    pub start: usize,
    pub end: usize,
}

/// The compiled form of a rule list.
///
/// Phrases go into one double-array Aho-Corasick automaton (daachorse), searched once per text
/// with overlapping matches (every phrase that occurs is a candidate; [`RuleSet::best`] picks by
/// priority). The double array takes ~12 bytes a state, ~0.3 MB for the shipped rules, so the
/// search stays in the CPU caches: the aho-corasick crate's DFA of the same phrases took 19 MB
/// and was 3× slower per byte, its NFAs no faster than that. Each regex also puts
/// the literals every one of its matches must start (or end) with into that automaton, found by
/// regex-syntax's literal extractor; a regex runs only when one of its literals occurs. When
/// every match starts with one of the literals, the regex runs anchored at each place a literal
/// starts (a few bytes each, most fail at once: `ip` inside `recipient` cannot start
/// `\bip\b…`) instead of searching the whole text. A regex without such literals is tried on
/// every text.
pub struct RuleSet {
    rules: &'static [Rule],
    /// Each distinct automaton pattern's value is its index in `meanings`.
    phrases: DoubleArrayAhoCorasick<u32>,
    /// What each automaton pattern stands for: a phrase of one or more rules, a regex trigger.
    meanings: Vec<Vec<Pattern>>,
    regex_rule: Vec<usize>,
    regexes: Vec<Regex>,
    /// Regexes with no literal to wait for, a bit each (regex `k` is bit `k`).
    always: u128,
    /// Regexes whose every match starts with one of their literals: probed where one starts.
    anchored: u128,
}

/// Where literals of regexes probed anchored start in one text, at most [`Starts::MAX`] of them;
/// a regex with more falls back to a search of the whole text.
struct Starts {
    len: usize,
    at: [(u8, u32); Starts::MAX],
    overflow: u128,
}

impl Starts {
    const MAX: usize = 16;
    fn push(&mut self, k: usize, start: usize) {
        match (self.at.get_mut(self.len), u32::try_from(start)) {
            (Some(slot), Ok(start)) => {
                *slot = (k as u8, start);
                self.len += 1;
            }
            _ => self.overflow |= 1 << k,
        }
    }
}

/// An automaton pattern: a rule's phrase, or a literal that triggers a regex.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    Phrase(usize),
    Trigger(usize),
}

/// The literals every match of `src` must start with, or end with (whichever is the better
/// prefilter), when there are such literals of at least 2 bytes; `true` when they start it.
fn required_literals(src: &str) -> Option<(Vec<String>, bool)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new().build().parse(src).ok()?;
    let mut best: Option<(Vec<String>, bool)> = None;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let prefix = matches!(kind, ExtractKind::Prefix);
        let mut seq = Extractor::new().kind(kind).extract(&hir);
        seq.optimize_for_prefix_by_preference();
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < 2) {
            continue;
        }
        let Ok(lits) = lits.iter().map(|l| String::from_utf8(l.as_bytes().to_vec())).collect::<Result<Vec<_>, _>>()
        else {
            continue;
        };
        // Short literals ("ip") occur in most texts: prefer sets whose literals are all 4 bytes or
        // longer, then fewer literals, then longer ones.
        let score = |v: &Vec<String>| {
            let shortest = v.iter().map(String::len).min().unwrap_or(0);
            (shortest < 4, v.len(), std::cmp::Reverse(shortest))
        };
        if best.as_ref().is_none_or(|(b, _)| score(&lits) < score(b)) {
            best = Some((lits, prefix));
        }
    }
    best
}

impl RuleSet {
    /// Compiles `rules`; an error names the rule whose regex does not compile.
    pub fn new(rules: &'static [Rule]) -> Result<RuleSet, String> {
        let mut pats: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        let mut regex_rule = Vec::new();
        let mut regexes = Vec::new();
        let mut always = 0u128;
        let mut anchored = 0u128;
        let with_regex = rules.iter().filter(|r| r.regex.is_some()).count();
        if with_regex > 128 {
            return Err(format!("{with_regex} rules have a regex; at most 128 can (one bit each per search)"));
        }
        for (i, r) in rules.iter().enumerate() {
            for p in r.phrases {
                pats.push((*p).to_string());
                patterns.push(Pattern::Phrase(i));
            }
            if let Some(src) = r.regex {
                // ASCII word boundaries: with Unicode ones the lazy DFA gives up on the first
                // non-ASCII byte and falls back to the PikeVM, tens of times slower (seen on a
                // bounce quoting a long non-English text). The rules' words are ASCII.
                let src = src.replace(r"\b", r"(?-u:\b)");
                // The `regex` crate's configuration of `Regex::new`, case-insensitive; the meta
                // regex itself for its anchored searches.
                let re = meta::Builder::new()
                    .configure(
                        meta::Config::new()
                            .nfa_size_limit(Some(10 << 20))
                            .hybrid_cache_capacity(2 << 20)
                            .match_kind(MatchKind::LeftmostFirst)
                            .utf8_empty(true),
                    )
                    .syntax(syntax::Config::new().case_insensitive(true).utf8(true))
                    .build(&src)
                    .map_err(|e| format!("rule {}: regex does not compile: {e}", r.id))?;
                let k = regexes.len();
                // Texts are normalized to lower case, so the literals are the pattern's own.
                match required_literals(&src) {
                    Some((lits, prefix)) => {
                        if prefix {
                            anchored |= 1 << k;
                        }
                        for l in lits {
                            pats.push(l);
                            patterns.push(Pattern::Trigger(k));
                        }
                    }
                    None => always |= 1 << k,
                }
                regexes.push(re);
                regex_rule.push(i);
            }
        }
        // The automaton takes each pattern once: one text may be the phrase of several rules, or
        // a phrase and a regex's trigger.
        let mut index: FxHashMap<&str, u32> = FxHashMap::default();
        let mut meanings: Vec<Vec<Pattern>> = Vec::new();
        for (p, meaning) in pats.iter().zip(patterns) {
            if p.is_empty() {
                return Err(format!("an empty phrase or regex literal ({meaning:?}) would match every text"));
            }
            let next = meanings.len() as u32;
            let k = *index.entry(p.as_str()).or_insert(next);
            if k == next {
                meanings.push(Vec::new());
            }
            meanings[k as usize].push(meaning);
        }
        let phrases = DoubleArrayAhoCorasick::with_values(index.iter().map(|(p, k)| (p.as_bytes(), *k)))
            .map_err(|e| format!("phrases do not compile: {e}"))?;
        Ok(RuleSet { rules, phrases, meanings, regex_rule, regexes, always, anchored })
    }

    pub fn rules(&self) -> &'static [Rule] {
        self.rules
    }

    /// The winning rule for `reply`, whose [`normalize`]d text is `text`.
    pub fn best(&self, text: &str, reply: &Reply) -> Option<RuleMatch> {
        self.best_by(text, |r| r.applies_to(reply))
    }

    /// The winning rule for a [`normalize`]d text with no reply code and no status (a bounce
    /// that quotes no reply): only rules without code, class, status or host constraints.
    pub fn best_for_text(&self, text: &str) -> Option<RuleMatch> {
        self.best_by(text, |r| r.codes.is_empty() && r.class.is_none() && r.status.is_empty() && r.hosts.is_empty())
    }

    fn best_by(&self, text: &str, applies: impl Fn(&Rule) -> bool) -> Option<RuleMatch> {
        // The best so far: (priority, start, rule index, end). A match beats it with a higher
        // priority, then an earlier start, then a rule that comes first in the file.
        let mut best: Option<(i32, usize, usize, usize)> = None;
        let beats = |best: Option<(i32, usize, usize, usize)>, idx: usize, start: usize| {
            best.is_none_or(|(p, s, i, _)| {
                (self.rules[idx].priority, std::cmp::Reverse(start), std::cmp::Reverse(idx))
                    > (p, std::cmp::Reverse(s), std::cmp::Reverse(i))
            })
        };
        // Regexes to run: those without a literal, and those whose literal occurs (a bit each).
        let mut triggered = self.always;
        let mut starts = Starts { len: 0, at: [(0, 0); Starts::MAX], overflow: 0 };
        for m in self.phrases.find_overlapping_iter(text) {
            for meaning in &self.meanings[m.value() as usize] {
                match *meaning {
                    Pattern::Phrase(idx) => {
                        if beats(best, idx, m.start()) && applies(&self.rules[idx]) {
                            best = Some((self.rules[idx].priority, m.start(), idx, m.end()));
                        }
                    }
                    Pattern::Trigger(k) => {
                        triggered |= 1 << k;
                        if self.anchored & (1 << k) != 0 {
                            starts.push(k, m.start());
                        }
                    }
                }
            }
        }
        while triggered != 0 {
            let k = triggered.trailing_zeros() as usize;
            triggered &= triggered - 1;
            let idx = self.regex_rule[k];
            let r = &self.rules[idx];
            // A regex whose rule cannot win (lower priority than the best so far) or does not
            // apply to this reply is not run at all.
            if best.is_some_and(|(p, ..)| p > r.priority) || !applies(r) {
                continue;
            }
            let found = if (self.anchored & !starts.overflow) & (1 << k) != 0 {
                // Every match starts where a literal does: the leftmost match is the anchored
                // match at the first such start that has one (leftmost-first semantics).
                let mut first: Option<regex_automata::Match> = None;
                for &(_, at) in starts.at[..starts.len].iter().filter(|(j, _)| usize::from(*j) == k) {
                    let at = at as usize;
                    if first.is_some_and(|f| f.start() <= at) {
                        continue;
                    }
                    let input = Input::new(text).range(at..).anchored(Anchored::Yes);
                    if let Some(m) = self.regexes[k].search(&input) {
                        first = Some(m);
                    }
                }
                first
            } else {
                self.regexes[k].find(text)
            };
            if let Some(m) = found
                && beats(best, idx, m.start())
            {
                best = Some((r.priority, m.start(), idx, m.end()));
            }
        }
        best.map(|(_, start, idx, end)| RuleMatch { rule: &self.rules[idx], start, end })
    }
}

/// The rules of `data/rules.toml`, compiled on first use.
pub static RULESET: LazyLock<RuleSet> = LazyLock::new(|| {
    RuleSet::new(RULES).unwrap_or_else(|e| panic!("data/rules.toml: {e} (a data bug, caught by the tests)"))
});

/// Lower-cases `text` and collapses every run of white space to one space (trimmed).
pub fn normalize(text: &str) -> String {
    normalize_with_map(text, false).0
}

/// [`normalize`], plus for each byte of the result the byte offset it came from in `text`
/// (when `map` is true), so that a match can be located in the original text.
pub fn normalize_with_map(text: &str, map: bool) -> (String, Vec<usize>) {
    if !map {
        return (
            if text.is_ascii() { normalize_ascii(text) } else { normalize_chars(text, &mut NoOffsets) },
            Vec::new(),
        );
    }
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let out = normalize_chars(text, &mut offsets);
    (out, offsets)
}

/// The offsets [`normalize_chars`] is not asked for: its two uses compile to two loops, the
/// one without offsets doing none of their work.
struct NoOffsets;

impl Extend<usize> for NoOffsets {
    fn extend<I: IntoIterator<Item = usize>>(&mut self, _: I) {}
}

/// [`normalize`] character by character, adding each output byte's source offset to `offsets`
/// (and `text.len()` at the end). ASCII characters and characters of scripts without case (most
/// non-Latin text in bounces: Japanese, Chinese, Arabic, Hebrew, Hindi …) are copied without a
/// look-up in the lower-case table.
fn normalize_chars(text: &str, offsets: &mut impl Extend<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space: Option<usize> = None;
    for (i, ch) in text.char_indices() {
        let space = match u8::try_from(ch) {
            Ok(b) if b.is_ascii() => is_space(b),
            _ => ch.is_whitespace(),
        };
        if space {
            if !out.is_empty() && pending_space.is_none() {
                pending_space = Some(i);
            }
            continue;
        }
        if let Some(at) = pending_space.take() {
            out.push(' ');
            offsets.extend([at]);
        }
        let before = out.len();
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else if caseless(ch) {
            out.push(ch);
        } else {
            out.extend(ch.to_lowercase());
        }
        offsets.extend(std::iter::repeat_n(i, out.len() - before));
    }
    offsets.extend([text.len()]);
    out
}

/// Blocks of characters that have no lower-case mapping (checked for every character by a test):
/// Hebrew to Myanmar (U+0590–U+109F: Hebrew, Arabic, Syriac, Thaana, the Indic scripts, Thai, Lao,
/// Tibetan, Myanmar), and Hiragana to Yi and Vai (U+3040–U+A63F: Kana, the CJK ideographs, Hangul
/// compatibility letters, Yi), and the Hangul syllables (U+AC00–U+D7A3).
fn caseless(ch: char) -> bool {
    matches!(ch, '\u{0590}'..='\u{109F}' | '\u{3040}'..='\u{A63F}' | '\u{AC00}'..='\u{D7A3}')
}

/// Two spaces in a row: built once, not per text.
static DOUBLE_SPACE: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new(b"  "));

/// [`normalize`] for ASCII text, byte by byte (the common case, three times faster).
fn normalize_ascii(text: &str) -> String {
    // Most replies are one line of single spaces: lower-case them in one (vectorised) pass, and
    // check in vectorised passes that no white space but single inner spaces is left.
    let mut out = text.as_bytes().to_ascii_lowercase();
    let clean = out.first().is_some_and(|&b| b != b' ')
        && out.last().is_some_and(|&b| b != b' ')
        && !out.iter().fold(false, |any, &b| any | (b != b' ' && is_space(b)))
        && DOUBLE_SPACE.find(&out).is_none();
    if clean {
        return String::from_utf8(out).unwrap_or_default();
    }
    // Collapse every run of white space to one space, in place, trimmed.
    let mut n = 0;
    let mut pending = false;
    for i in 0..out.len() {
        let b = out[i];
        if is_space(b) {
            pending = n > 0;
            continue;
        }
        if pending {
            out[n] = b' ';
            n += 1;
            pending = false;
        }
        out[n] = b;
        n += 1;
    }
    out.truncate(n);
    // Only ASCII bytes are left.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::parse;

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_normalizes_like_the_general_one(text in "[ -~\t\n\r\x0b\x0c]{0,60}") {
            proptest::prop_assert_eq!(normalize_ascii(&text), normalize_with_map(&text, true).0);
        }

        #[test]
        fn unicode_path_normalizes_like_lowercased_words_joined(
            text in proptest::prop_oneof![
                proptest::prelude::any::<String>(),
                "[ -~\t\n\u{0b}\u{0c}\r\u{85}\u{a0}\u{3000}À-ɏА-яא-תぁ-ヿ一-龥가-힣]{0,40}",
            ]
        ) {
            let words: Vec<String> =
                text.split_whitespace().map(|w| w.chars().flat_map(char::to_lowercase).collect()).collect();
            proptest::prop_assert_eq!(normalize(&text), words.join(" "));
            let (mapped, offsets) = normalize_with_map(&text, true);
            proptest::prop_assert_eq!(&mapped, &words.join(" "));
            proptest::prop_assert_eq!(offsets.len(), mapped.len() + 1);
        }
    }

    #[test]
    fn at_most_128_regexes() {
        let many: &'static [Rule] = Box::leak(
            (0..129)
                .map(|_| Rule { regex: Some("x[0-9]+y"), ..rule("r", Reason::Blocked, &[]) })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        assert!(RuleSet::new(many).err().is_some_and(|e| e.contains("at most 128")));
        assert!(RuleSet::new(&many[..128]).is_ok());
    }

    #[test]
    fn every_regex_with_literals_is_found_through_them() {
        // A regex is skipped when none of its literals occurs: each regex's own example must
        // still match through the automaton (the literals are lower-case pattern text).
        for src in
            [r"\brbl\b", r"(?:^|[0-9:] ): user unknown", r"^temporary failure\.?$", r"\b(?:ofr|lpn)[0-9]*[-_]417\b"]
        {
            let (lits, _) = required_literals(&src.replace(r"\b", r"(?-u:\b)")).expect(src);
            assert!(lits.iter().all(|l| l.len() >= 2), "{src}: {lits:?}");
        }
    }

    /// A test rule: phrases only, no constraints.
    const fn rule(id: &'static str, reason: Reason, phrases: &'static [&'static str]) -> Rule {
        Rule {
            id,
            reason,
            phrases,
            regex: None,
            codes: &[],
            class: None,
            status: &[],
            commands: &[],
            hosts: &[],
            priority: 0,
            bounce: None,
            greylisting: false,
            action: None,
            destination: false,
            source: "test",
        }
    }

    static TEST_RULES: &[Rule] = &[
        rule("spamhaus", Reason::Blocked, &["spamhaus"]),
        Rule { codes: &[550], ..rule("user-unknown", Reason::UserUnknown, &["user unknown"]) },
        Rule {
            regex: Some(r"mailbox (is )?full"),
            class: Some(4),
            status: &[StatusPattern { class: None, subject: 2, detail: 2 }],
            priority: 5,
            ..rule("full", Reason::MailboxFull, &[])
        },
    ];

    fn best(s: &str) -> Option<&'static str> {
        let set = RuleSet::new(TEST_RULES).unwrap();
        let r = parse(s).unwrap();
        set.best(&normalize(&r.text()), &r).map(|m| m.rule.id)
    }

    #[test]
    fn phrases_regexes_and_constraints() {
        assert_eq!(best("550 5.7.1 blocked using zen.SPAMHAUS.org"), Some("spamhaus"));
        assert_eq!(best("550 User   Unknown"), Some("user-unknown"));
        assert_eq!(best("551 user unknown"), None, "code constraint");
        assert_eq!(best("452 4.2.2 Mailbox is FULL"), Some("full"));
        assert_eq!(best("552 5.2.2 mailbox full"), None, "class constraint");
        assert_eq!(best("452 4.3.1 mailbox full"), None, "status constraint");
        // Earliest match wins among equal priorities; priority beats position.
        assert_eq!(best("550 user unknown, spamhaus"), Some("user-unknown"));
        assert_eq!(best("452 4.2.2 spamhaus says mailbox full"), Some("full"));
    }

    #[test]
    fn command_constraints() {
        static R: &[Rule] = &[Rule { commands: &["MAIL"], ..rule("sender", Reason::Rejected, &["rejected"]) }];
        let set = RuleSet::new(R).unwrap();
        let at = |s: &str| {
            let r = parse(s).unwrap();
            set.best(&normalize(&r.text()), &r).map(|m| m.rule.id)
        };
        assert_eq!(at("host h said: 550 rejected (in reply to MAIL FROM command)"), Some("sender"));
        assert_eq!(at("host h said: 550 rejected (in reply to RCPT TO command)"), None);
        assert_eq!(at("550 rejected"), Some("sender"), "no command named: not held to it");
        assert_eq!(command_verb("end of DATA"), "DATA");
        assert_eq!(command_verb("RCPT TO"), "RCPT");
        assert_eq!(command_verb("xyz"), "");
    }

    #[test]
    fn host_constraints() {
        static R: &[Rule] = &[Rule { hosts: &["outlook.com"], ..rule("ms", Reason::Blocked, &["banned"]) }];
        let set = RuleSet::new(R).unwrap();
        let at = |s: &str| {
            let r = parse(s).unwrap();
            set.best(&normalize(&r.text()), &r).map(|m| m.rule.id)
        };
        assert_eq!(at("host mx1.eur.protection.outlook.com[192.0.2.1] said: 550 banned"), Some("ms"));
        assert_eq!(at("host OUTLOOK.COM said: 550 banned"), Some("ms"));
        assert_eq!(at("host notoutlook.com[192.0.2.1] said: 550 banned"), None);
        assert_eq!(at("550 banned"), None, "no host named: a host rule does not apply");
        assert_eq!(host_name("dns; mx.example.com."), "mx.example.com");
    }

    #[test]
    fn normalization_is_unicode_aware() {
        assert_eq!(normalize("  ПОЛЬЗОВАТЕЛЬ\u{00A0}НЕ\u{3000}найден "), "пользователь не найден");
        assert_eq!(normalize("Benutzer\r\n\tUNBEKANNT"), "benutzer unbekannt");
        assert_eq!(normalize("İ"), "i\u{307}");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn caseless_blocks_have_no_lower_case() {
        for ch in ('\u{80}'..=char::MAX).filter(|c| caseless(*c)) {
            assert!(ch.to_lowercase().eq([ch]), "{ch:?} ({:04X}) has a lower case", u32::from(ch));
        }
    }

    #[test]
    fn normalization_maps_back() {
        let (n, map) = normalize_with_map("  Über\t\tFULL  box ", true);
        assert_eq!(n, "über full box");
        let start = n.find("full").unwrap();
        assert_eq!(&"  Über\t\tFULL  box "[map[start]..map[start] + 4], "FULL");
        assert_eq!(map.len(), n.len() + 1);
    }

    /// [`RuleSet::best_for_text`] the slow way: every phrase searched with `str::find` at every
    /// position, every regex searched over the whole text; the same order of preference.
    fn best_naive(text: &str) -> Option<(&'static str, usize, usize)> {
        let set = &*RULESET;
        let mut best: Option<(i32, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>, usize)> = None;
        // Ties between phrases of one rule at one start go to the one that ends first (the
        // automaton reports matches in the order they end); a regex must do strictly better.
        let mut offer = |idx: usize, start: usize, end: usize, phrase: bool| {
            let key = (set.rules[idx].priority, std::cmp::Reverse(start), std::cmp::Reverse(idx), end);
            let better = best.is_none_or(|b| {
                let (new, old) = ((key.0, key.1, key.2), (b.0, b.1, b.2));
                new > old || (phrase && new == old && end < b.3)
            });
            if better {
                best = Some(key);
            }
        };
        let mut k = 0;
        for (idx, r) in set.rules.iter().enumerate() {
            if !(r.codes.is_empty() && r.class.is_none() && r.status.is_empty() && r.hosts.is_empty()) {
                k += usize::from(r.regex.is_some());
                continue;
            }
            for p in r.phrases {
                for (start, _) in text.match_indices(p) {
                    offer(idx, start, start + p.len(), true);
                }
            }
            if r.regex.is_some() {
                if let Some(m) = set.regexes[k].find(text) {
                    offer(idx, m.start(), m.end(), false);
                }
                k += 1;
            }
        }
        best.map(|(_, start, idx, end)| (set.rules[idx.0].id, start.0, end))
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]
        /// Texts made of the rules' own phrases and regex literals, pieces of them, words, codes
        /// and punctuation: the automaton, the literal triggers and the anchored regex probes
        /// pick what searching everything would.
        #[test]
        fn the_automaton_and_probes_pick_what_a_full_search_does(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(shipped_fragments()),
                    shipped_regex_matches(),
                    "[a-z0-9]{1,6}".prop_map(String::from),
                    proptest::sample::select(
                        [" ", "-", "_", "#", ".", ":", "(", ")", "@", "[", "]", ";", "é", "ſ"].map(String::from).to_vec()
                    ),
                ],
                0..12,
            ),
        ) {
            let text = normalize(&parts.concat());
            let fast = RULESET.best_for_text(&text).map(|m| (m.rule.id, m.start, m.end));
            proptest::prop_assert_eq!(fast, best_naive(&text), "{:?}", text);
        }
    }

    /// Texts that each shipped regex matches, generated from the regex (without its anchors and
    /// word boundaries, which the generator does not know; the concatenation may break them).
    fn shipped_regex_matches() -> proptest::strategy::BoxedStrategy<String> {
        let gens: Vec<_> = RULESET
            .rules()
            .iter()
            .filter_map(|r| r.regex)
            .filter_map(|src| {
                let plain = src.replace(r"\b", "").replace(['^', '$'], "").replace(r"\S", "[a-z0-9.@]");
                proptest::string::string_regex(&plain).ok().map(|g| g.prop_map(|t| t.to_lowercase()).boxed())
            })
            .collect();
        assert!(gens.len() > 20, "most shipped regexes generate examples");
        proptest::strategy::Union::new(gens).boxed()
    }

    /// Phrases of the shipped rules, their regexes' literals, and halves of both.
    fn shipped_fragments() -> Vec<String> {
        let mut out = Vec::new();
        for r in RULESET.rules() {
            let mut whole: Vec<String> = r.phrases.iter().map(|p| p.to_string()).collect();
            if let Some(src) = r.regex
                && let Some((lits, _)) = required_literals(&src.replace(r"\b", r"(?-u:\b)"))
            {
                whole.extend(lits);
            }
            for w in whole {
                let half = w.char_indices().map(|(i, _)| i).nth(w.chars().count() / 2).unwrap_or(0);
                out.push(w[..half].to_string());
                out.push(w[half..].to_string());
                out.push(w);
            }
        }
        out.retain(|f| !f.is_empty());
        out
    }

    #[test]
    fn shipped_rules_compile_and_are_well_formed() {
        let set = &*RULESET;
        let mut ids = std::collections::HashSet::new();
        for r in set.rules() {
            assert!(ids.insert(r.id), "duplicate rule id {}", r.id);
            assert!(!r.phrases.is_empty() || r.regex.is_some(), "{} matches nothing", r.id);
            assert!(!r.source.trim().is_empty(), "{} has no source", r.id);
            for p in r.phrases {
                assert_eq!(*p, normalize(p), "{}: phrase {p:?} is not normalized", r.id);
            }
        }
    }
}

#[cfg(test)]
mod prefilter {
    /// Every shipped regex waits for a literal of its own (a regex without one runs on every
    /// text: one such rule made every classification a fifth slower).
    #[test]
    fn every_regex_has_literals_to_wait_for() {
        for r in super::RULES.iter() {
            if let Some(src) = r.regex {
                let src = src.replace(r"\b", r"(?-u:\b)");
                assert!(
                    super::required_literals(&src).is_some(),
                    "rule {}: its regex has no literal to wait for",
                    r.id
                );
            }
        }
    }
}
