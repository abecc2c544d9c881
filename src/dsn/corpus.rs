//! Measurement against the shared corpus of real bounces (`../shared/corpus`, Sisimai's
//! `set-of-emails` with the answers of Sisimai 5.1.0p3). Prints the agreement per field and
//! every mismatch, and per extractor format and per Sisimai module; asserts that nothing panics
//! and that the number of emails parsed and the recipient-count agreement (standard formats;
//! the others) do not fall below the levels reached. Skipped when the corpus is absent.
//!
//! Run: `cargo test dsn::corpus -- --nocapture`.

use super::parse_bounce;
use crate::error::Error;
use std::collections::BTreeMap;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Emails of the standard formats whose recipient count agrees with Sisimai's (the level
/// reached; raise it when the parser improves, never lower it without a reason).
const COUNT_FLOOR: usize = 19;
/// Corpus emails (of all 399) parsed to at least one recipient (the level reached).
const PARSED_FLOOR: usize = 391;
/// Emails of the non-standard modules whose recipient count agrees with Sisimai's.
const NONSTANDARD_COUNT_FLOOR: usize = 371;

/// Where we differ from Sisimai on the standard formats and why (printed, not asserted).
const KNOWN: &[(&str, &str)] = &[
    (
        "rfc3464-04.eml",
        "broken MIME (no boundary lines): read by the fallback; Status 5.5.0 without a diagnostic; the 554 and the pipe failure are only in the human-readable text",
    ),
    (
        "rfc3464-35.eml",
        "RFC 3464 Appendix example. #2 `Action: delayed`, `Status: 4.0.0 (host name lookup failure)`: Sisimai says expired, but nothing expired (delayed, RFC 3464 §2.3.3); the comment's text gives a DNS/network reason. #3 `550 user unknown`: Sisimai says filtered, the text says user unknown",
    ),
    ("rfc3464-36.eml", "`Diagnostic-Code: smtp; 426 connection timed out`: the email has the 426 that Sisimai drops"),
    (
        "rfc3464-38.eml",
        "plain-text bounce without a delivery-status part (Sisimai's text heuristics): for a later extractor",
    ),
    ("rfc3464-39.eml", "plain-text bounce without a delivery-status part: for a later extractor"),
    (
        "rfc3464-42.eml",
        "`The email account that you tried to reach does not exist` is user unknown by its text; Sisimai says filtered",
    ),
    (
        "rfc3834-02.eml",
        "Outlook auto-reply: no Auto-Submitted header, only `Subject: Automatic reply:` (subjects are not used)",
    ),
    ("rfc3834-04.eml", "Outlook auto-reply, as rfc3834-02"),
    (
        "arf-23.eml",
        "Microsoft JMRP complaint: multipart/mixed with the message only, no message/feedback-report part (not RFC 5965)",
    ),
    ("arf-24.eml", "Microsoft JMRP complaint, as arf-23"),
];

#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.agree += usize::from(ok);
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = if self.total == 0 { 100.0 } else { 100.0 * self.agree as f64 / self.total as f64 };
        write!(f, "{}/{} ({pct:.1} %)", self.agree, self.total)
    }
}

/// Sisimai's invented `X.0.9NN` statuses, which no email contains.
fn invented(status: &str) -> bool {
    let parts: Vec<&str> = status.split('.').collect();
    parts.len() == 3 && parts[1] == "0" && parts[2].len() == 3 && parts[2].starts_with('9')
}

fn standard(file: &str, module: &str) -> bool {
    matches!(module, "RFC3464" | "ARF" | "RFC3834")
        || ["rfc3464-", "arf-", "rfc3834-"].iter().any(|p| file.starts_with(p))
}

#[derive(Default)]
struct Fields {
    count: Tally,
    address: Tally,
    status: Tally,
    replycode: Tally,
    reason: Tally,
    feedback_type: Tally,
}

/// Compares one email's report with Sisimai's answer, tallying into `t` and noting mismatches.
fn compare(file: &str, raw: &[u8], expected: &serde_json::Value, t: &mut Fields, notes: &mut Vec<String>) -> bool {
    let empty = Vec::new();
    let want = expected["recipients"].as_array().unwrap_or(&empty);
    let mut feedback = None;
    let got = match parse_bounce(raw) {
        Ok(r) => {
            feedback = r.feedback_type;
            r.recipients
        }
        Err(e) => {
            if !want.is_empty() {
                let short = match e {
                    Error::NotABounce { why } => format!("not a bounce: {why}"),
                    other => other.to_string(),
                };
                notes.push(format!("{file}: error, {short}"));
            }
            Vec::new()
        }
    };
    let count_ok = got.len() == want.len();
    t.count.add(count_ok);
    if !count_ok && !got.is_empty() {
        notes.push(format!("{file}: {} recipients, expected {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        let s = |k: &str| w[k].as_str().unwrap_or_default().to_string();
        let (addr, status, code, reason) = (s("recipient"), s("status"), s("replycode"), s("reason"));
        let ok = g.address.eq_ignore_ascii_case(&addr);
        t.address.add(ok);
        if !ok {
            notes.push(format!("{file}: address {:?}, expected {addr:?}", g.address));
        }
        // The reply's status (the diagnostic's own, else the Status field) is what the verdict
        // rests on; Sisimai too prefers the diagnostic's `5.7.1` to a generic `Status: 5.0.0`.
        let our_status = g.reply.as_ref().and_then(|r| r.status()).or(g.status).map(|s| s.to_string());
        if !status.is_empty() && !invented(&status) {
            let ok = our_status.as_deref() == Some(status.as_str());
            t.status.add(ok);
            if !ok {
                notes.push(format!("{file}: status {our_status:?}, expected {status}"));
            }
        }
        let our_code = g.reply.as_ref().and_then(|r| r.code()).map(|c| c.value().to_string()).unwrap_or_default();
        if !code.is_empty() || !our_code.is_empty() {
            let ok = our_code == code;
            t.replycode.add(ok);
            if !ok {
                notes.push(format!("{file}: reply code {our_code:?}, expected {code:?}"));
            }
        }
        if let Some(ft) = w["feedbacktype"].as_str() {
            let ours = feedback.as_deref().unwrap_or_default();
            t.feedback_type.add(ours == ft);
            if ours != ft {
                notes.push(format!("{file}: feedback type {ours:?}, expected {ft:?}"));
            }
        }
        let ok = g.reason.value() == reason;
        t.reason.add(ok);
        if !ok {
            let text = g.reply.as_ref().map(|r| r.to_string()).unwrap_or_default();
            notes.push(format!(
                "{file}: reason {}, expected {reason} (action {:?}; {text:.120})",
                g.reason.value(),
                g.action
            ));
        }
    }
    count_ok
}

fn print(title: &str, t: &Fields) {
    println!("{title}");
    println!("  recipient count: {}", t.count);
    println!("  address:         {}", t.address);
    println!("  status:          {}  (Sisimai's X.0.9NN skipped)", t.status);
    println!("  reply code:      {}", t.replycode);
    println!("  reason:          {}", t.reason);
    println!("  feedback type:   {}", t.feedback_type);
}

#[test]
fn corpus_agreement() {
    let dir = Path::new(CORPUS);
    let Ok(lines) = std::fs::read_to_string(dir.join("expected.jsonl")) else {
        println!("corpus absent, skipped");
        return;
    };
    let mut expected: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("expected.jsonl line is JSON");
        let file = v["file"].as_str().unwrap_or_default().to_string();
        // rhost-cox-01.eml (an mbox of two bounces) is listed twice; the first line is kept.
        expected.entry(file).or_insert(v);
    }

    let (mut std_t, mut all_t) = (Fields::default(), Fields::default());
    let (mut std_notes, mut all_notes) = (Vec::new(), Vec::new());
    let mut formats: BTreeMap<String, usize> = BTreeMap::new();
    let mut claimed_wrongly: Vec<String> = Vec::new();
    let mut by_module: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_format: BTreeMap<&'static str, Fields> = BTreeMap::new();
    let mut unread: Vec<String> = Vec::new();
    let (mut total, mut with_recipients) = (0, 0);
    for (file, want) in &expected {
        let Ok(raw) = std::fs::read(dir.join("emails").join(file)) else { continue };
        total += 1;
        let module = want["module"].as_str().unwrap_or_default();
        let result = parse_bounce(&raw);
        if file.starts_with("is-not-bounce") {
            println!(
                "{file} (ordinary mail): {}",
                if result.is_ok() { "READ AS A BOUNCE" } else { "not a bounce, as it should be" }
            );
        }
        let label = match &result {
            Ok(r) => {
                with_recipients += 1;
                if !standard(file, module) && matches!(r.format, "arf" | "rfc3834") {
                    claimed_wrongly.push(format!("{file} ({module}) read as {}", r.format));
                }
                r.format.to_string()
            }
            Err(Error::NotABounce { .. }) => "error: not a bounce".to_string(),
            Err(Error::NotAnEmail { .. }) => "error: not an email".to_string(),
            Err(_) => "error: other".to_string(),
        };
        *formats.entry(label).or_default() += 1;
        let entry = by_module.entry(module.to_string()).or_default();
        entry.1 += 1;
        entry.0 += usize::from(result.is_ok());
        if standard(file, module) {
            compare(file, &raw, want, &mut std_t, &mut std_notes);
        } else if let Ok(r) = &result {
            compare(file, &raw, want, &mut all_t, &mut all_notes);
            let mut ignored = Vec::new();
            compare(file, &raw, want, by_format.entry(r.format).or_default(), &mut ignored);
        } else {
            unread.push(format!("{file} ({module})"));
        }
    }

    print("Standard formats (RFC3464, ARF, RFC3834 emails):", &std_t);
    for n in &std_notes {
        println!("    {n}");
    }
    println!("  known differences:");
    for (file, why) in KNOWN {
        println!("    {file}: {why}");
    }
    println!("All {total} corpus emails, by outcome:");
    for (k, v) in &formats {
        println!("  {k}: {v}");
    }
    println!("  parsed to at least one recipient: {with_recipients}/{total}");
    print("Non-standard-module emails that parse (any format):", &all_t);
    for n in &all_notes {
        println!("    {n}");
    }
    println!("Non-standard-module emails by the format they were read as:");
    for (format, t) in &by_format {
        println!(
            "  {format}: count {}, address {}, status {}, code {}, reason {}",
            t.count, t.address, t.status, t.replycode, t.reason
        );
    }
    println!("Emails parsed per Sisimai module (parsed/total):");
    for (module, (ok, n)) in &by_module {
        println!("  {module}: {ok}/{n}");
    }
    println!("Non-standard emails not read:");
    for n in &unread {
        println!("    {n}");
    }
    println!("Non-standard emails read as arf/rfc3834 (should be none):");
    for n in &claimed_wrongly {
        println!("    {n}");
    }
    assert!(std_t.count.agree >= COUNT_FLOOR, "recipient-count agreement fell to {}", std_t.count);
    assert!(with_recipients >= PARSED_FLOOR, "parsed emails fell to {with_recipients}/{total}");
    assert!(
        all_t.count.agree >= NONSTANDARD_COUNT_FLOOR,
        "non-standard recipient-count agreement fell to {}",
        all_t.count
    );
    assert!(claimed_wrongly.is_empty(), "non-standard emails read as arf/rfc3834: {claimed_wrongly:?}");
}
