//! Recognition: is an email a bounce, a delay warning, a complaint, an auto-reply, or none of
//! these? This is its own step, before and beside the formats: the formats read what a report
//! says; recognition decides whether an email no format claims is a report at all, and what
//! kind a report is.
//!
//! It combines the signals the RFCs and practice give:
//! - the null reverse path, `Return-Path: <>` (RFC 5321 §4.5.5, RFC 3464 §2, RFC 3834 §3.3);
//! - the sender: `MAILER-DAEMON`, `postmaster`, "Mail Delivery System" (`sender-local`,
//!   `sender-name` in `data/recognition.toml`);
//! - the subject, in the languages bounces are written in (`subject-*`);
//! - `multipart/report` (RFC 6522), `Auto-Submitted` (RFC 3834 §5), `X-Failed-Recipients` (Exim);
//! - the body's failure and delay phrases (`body-*`), and the words of challenge-response
//!   systems and of success notices, which are not bounces;
//! - the header of a challenge-response system (`X-Delivery-Agent: TMDA`).
//!
//! The phrases live in `data/recognition.toml`, each row with its source; they are matched in
//! one pass per field (a double-array Aho-Corasick automaton, as the reply rules are) over the
//! lower-cased, white-space-collapsed text, so the cost is linear in the text.

use super::fields;
use super::mime;
use super::text;
use crate::classify::rules::normalize;
use daachorse::DoubleArrayAhoCorasick;
use mail_parser::Message;
use std::sync::LazyLock;

/// One kind of evidence; the `kind` of a row of `data/recognition.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    SubjectBounce,
    SubjectDelay,
    SubjectAutoReply,
    SubjectComplaint,
    SubjectChallenge,
    SenderLocal,
    SenderName,
    BodyFailure,
    BodyDelay,
    BodyChallenge,
    BodyDelivered,
}

impl Signal {
    const fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// A row of `data/recognition.toml`.
pub(crate) struct SignalRow {
    pub kind: Signal,
    pub phrases: &'static [&'static str],
    #[allow(dead_code)] // read by the tests, kept with the data
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/recognition_data.rs"));

/// How much of a body is searched for phrases: the opening of a report says what it is.
const MAX_BODY: usize = 4 * 1024;

/// The phrases of one field (subject, sender name, body), each with the signal bits it gives.
struct Phrases {
    automaton: DoubleArrayAhoCorasick<u32>,
}

impl Phrases {
    fn new(kinds: &[Signal]) -> Phrases {
        let mut all: Vec<(&'static str, u32)> = Vec::new();
        for row in SIGNALS.iter().filter(|r| kinds.contains(&r.kind)) {
            for p in row.phrases {
                all.push((p, row.kind.bit()));
            }
        }
        let automaton = DoubleArrayAhoCorasick::with_values(all.iter().map(|(p, k)| (p.as_bytes(), *k)))
            .unwrap_or_else(|e| panic!("data/recognition.toml: {e} (a data bug, caught by the tests)"));
        Phrases { automaton }
    }

    /// The signal bits of every phrase in `normalized` (lower-cased, spaces collapsed).
    fn bits(&self, normalized: &str) -> u32 {
        self.automaton.find_overlapping_iter(normalized).fold(0, |acc, m| acc | m.value())
    }
}

struct Automata {
    subject: Phrases,
    name: Phrases,
    body: Phrases,
    locals: Vec<&'static str>,
}

static AUTOMATA: LazyLock<Automata> = LazyLock::new(|| {
    use Signal::*;
    Automata {
        subject: Phrases::new(&[SubjectBounce, SubjectDelay, SubjectAutoReply, SubjectComplaint, SubjectChallenge]),
        name: Phrases::new(&[SenderName]),
        body: Phrases::new(&[BodyFailure, BodyDelay, BodyChallenge, BodyDelivered]),
        locals: SIGNALS.iter().filter(|r| r.kind == SenderLocal).flat_map(|r| r.phrases.iter().copied()).collect(),
    }
});

/// True when `local` (a `From` local part) is one that bounce senders use.
pub(crate) fn daemon_local(local: &str) -> bool {
    AUTOMATA.locals.iter().any(|l| local.eq_ignore_ascii_case(l))
}

/// The signal bits of the failure and delay phrases in `text` (any case and spacing).
pub(crate) fn body_bits(text: &str) -> u32 {
    AUTOMATA.body.bits(&normalize(text::prefix(text, MAX_BODY)))
}

/// True when `text` has one of the body's failure or delay phrases (a delay warning names its
/// recipients in the same sentences a bounce does: `Delivery of the message to "bob@…" has been
/// postponed`).
pub(crate) fn says_failure_or_delay(text: &str) -> bool {
    body_bits(text) & (Signal::BodyFailure.bit() | Signal::BodyDelay.bit()) != 0
}

/// The prefixes mail clients put before the subject of a reply or a forward (English, German,
/// French, Spanish, Italian, Dutch, Scandinavian, Chinese), lower case with the colon.
const PERSON_PREFIXES: &[&str] = &[
    "re:", "fw:", "fwd:", "aw:", "wg:", "tr:", "rv:", "sv:", "vs:", "antw:", "doorst:", "r:", "i:", "enc:", "res:",
    "回复:", "答复:", "转发:", "回覆:", "轉寄:",
];

/// True when `subject` is that of a reply or a forward (`Re: Returned mail`).
fn person_subject(subject: &str) -> bool {
    let s = subject.trim_start().to_lowercase();
    PERSON_PREFIXES.iter().any(|p| s.starts_with(p))
}

/// The text without its quoted lines (`> …`): words a person quotes are not the report's.
fn unquoted(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.lines().any(|l| l.trim_start().starts_with('>')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !l.trim_start().starts_with('>')) {
        out.push_str(line);
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

/// What an email shows of being a report, as far as its headers and opening text tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Signals {
    bits: u32,
    /// `Return-Path: <>`.
    pub null_path: bool,
    /// The top-level type is `multipart/report` (RFC 6522).
    pub report: bool,
    /// `Auto-Submitted` with a value other than `no` (RFC 3834 §5).
    pub auto_submitted: bool,
    /// An `X-Failed-Recipients` header (Exim and others list the failed addresses there).
    pub failed_recipients: bool,
    /// The header of a challenge-response system: `X-Delivery-Agent: TMDA…` (TMDA writes it
    /// on its challenges; Mail::DeliveryStatus::BounceParser ignores such emails by it).
    pub challenge_agent: bool,
}

impl Signals {
    /// Reads the signals of `msg`, whose first text body is `body`.
    pub(crate) fn of(msg: &Message<'_>, body: &str) -> Signals {
        let a = &*AUTOMATA;
        let raw = |name: &str| text::raw_header(msg, name);
        let subject = text::subject(msg);
        // A reply or a forward is a person's message, whatever the subject it answers.
        let mut bits = if person_subject(&subject) { 0 } else { a.subject.bits(&normalize(&subject)) };
        let from_raw = raw("from").unwrap_or_default();
        bits |= a.name.bits(&normalize(&from_raw));
        if daemon_local(&text::from_local(msg)) {
            bits |= Signal::SenderLocal.bit();
        }
        bits |= a.body.bits(&normalize(&unquoted(text::prefix(body, MAX_BODY))));
        let null_path = raw("return-path").is_some_and(|v| v.trim().trim_matches(['<', '>']).trim().is_empty());
        let report = msg.parts.first().is_some_and(|p| mime::mime_type(p) == "multipart/report");
        let auto_submitted = raw("auto-submitted").as_deref().and_then(fields::token).is_some_and(|v| v != "no");
        let failed_recipients = text::has_header(msg, "x-failed-recipients");
        let challenge_agent = raw("x-delivery-agent")
            .is_some_and(|v| v.trim_start().get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tmda")));
        Signals { bits, null_path, report, auto_submitted, failed_recipients, challenge_agent }
    }

    fn has(&self, s: Signal) -> bool {
        self.bits & s.bit() != 0
    }

    /// The sender is a daemon by its address or name (`MAILER-DAEMON`, "Mail Delivery System").
    pub(crate) fn daemon(&self) -> bool {
        self.has(Signal::SenderLocal) || self.has(Signal::SenderName)
    }

    /// The subject is a bounce's or a delay warning's.
    pub(crate) fn bounce_subject(&self) -> bool {
        self.has(Signal::SubjectBounce) || self.has(Signal::SubjectDelay)
    }

    /// A challenge of a challenge-response system (confirm you are human, click to deliver):
    /// not a bounce, unless the email is a report by its structure.
    pub(crate) fn challenge(&self) -> bool {
        (self.has(Signal::SubjectChallenge) || self.has(Signal::BodyChallenge) || self.challenge_agent)
            && !self.report
            && !self.failed_recipients
            && !self.has(Signal::SubjectBounce)
    }

    /// The email is a delay warning by its words: its subject or its opening says delivery is
    /// still being tried.
    pub(crate) fn delay(&self) -> bool {
        self.has(Signal::SubjectDelay) || self.has(Signal::BodyDelay)
    }

    /// The email is a delivery report (a bounce or a delay warning) by its signals: the list of
    /// failed recipients in the header, or a failure or delay phrase in the body together with
    /// a report's sender, subject or structure, or a report's sender with a report's subject.
    pub(crate) fn bounce(&self) -> bool {
        if self.failed_recipients {
            return true;
        }
        if self.challenge() {
            return false;
        }
        let (subject, sender) = (self.bounce_subject(), self.daemon());
        let words = self.has(Signal::BodyFailure) || self.has(Signal::BodyDelay);
        // A notice that the message was delivered or relayed, from the same senders and under
        // the same subjects as a bounce, is no failure unless its words also say one.
        if self.has(Signal::BodyDelivered) && !words {
            return false;
        }
        // An auto-reply by its subject is one, unless a daemon sent it or its subject also says
        // it is a bounce.
        if self.has(Signal::SubjectAutoReply) && !subject && !sender {
            return false;
        }
        (words && (sender || subject || self.report || self.null_path || self.auto_submitted)) || (sender && subject)
    }

    /// An auto-reply by its subject ("Automatic reply:", "Out of Office", in the languages of
    /// the mail clients), not sent by a daemon and not a bounce by its words.
    pub(crate) fn auto_reply(&self) -> bool {
        self.has(Signal::SubjectAutoReply) && !self.bounce() && !self.challenge()
    }

    /// A complaint of a feedback loop that does not use ARF (Microsoft's JMRP, older AOL):
    /// its subject is the provider's fixed wording.
    pub(crate) fn complaint(&self) -> bool {
        self.has(Signal::SubjectComplaint) && !self.has(Signal::SubjectBounce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounce::PARSER;

    fn signals(email: &str) -> Signals {
        let msg = PARSER.parse(email.as_bytes()).unwrap();
        let body = crate::bounce::text::body(&msg);
        Signals::of(&msg, &body)
    }

    #[test]
    fn data_compiles_and_every_row_has_a_source() {
        let _ = &*AUTOMATA;
        assert!(SIGNALS.iter().all(|r| !r.source.is_empty() && !r.phrases.is_empty()));
    }

    #[test]
    fn bounces_by_their_signals() {
        // A translated qmail bounce: a daemon sender, a failure subject and phrase.
        let s = signals(
            "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\n\
             Su mensaje no pudo ser entregado - Your message could not be delivered.\n\n<bob@example.com>:\nNo mailbox.\n",
        );
        assert!(s.bounce() && !s.delay() && !s.auto_reply());
        // No subject, no daemon: the null path and a failure phrase.
        let s = signals("Return-Path: <>\nFrom: mail@mx.example.org\nSubject: hi\n\nUser unknown: bob@example.com\n");
        assert!(s.bounce());
        // The header alone.
        let s = signals("From: x@example.org\nX-Failed-Recipients: bob@example.com\nSubject: hi\n\nhello\n");
        assert!(s.bounce());
        // A delay warning in German.
        let s = signals(
            "From: Mail Delivery System <MAILER-DAEMON@example.org>\nSubject: Zustellung verzögert\n\nBitte nicht antworten.\n",
        );
        assert!(s.bounce() && s.delay());
    }

    #[test]
    fn not_bounces() {
        // Ordinary mail that talks about a failed delivery.
        let s = signals(
            "From: Alice <alice@example.org>\nSubject: lunch\n\nMy last message could not be delivered, sorry.\n",
        );
        assert!(!s.bounce());
        // A challenge-response message, though it comes from a robot.
        let s = signals(
            "Return-Path: <>\nFrom: spam-filter@example.org\nSubject: Please confirm your message\n\n\
             Your message was not delivered yet. Please confirm that you are a human: click the link below.\n",
        );
        assert!(!s.bounce() && s.challenge());
        // An auto-reply by its subject.
        let s = signals(
            "Return-Path: <>\nFrom: Bob <bob@example.org>\nSubject: Automatische Antwort: Termin\n\nIch bin nicht im Büro.\n",
        );
        assert!(!s.bounce() && s.auto_reply());
        // A feedback loop's complaint without ARF.
        let s = signals("From: staff@hotmail.com\nSubject: complaint about message from 192.0.2.1\n\nx\n");
        assert!(s.complaint() && !s.bounce());
    }
}
