//! Measurement against the shared corpus of real bounces (`../shared/corpus`, Sisimai's
//! `set-of-emails` with the answers of Sisimai 5.1.0p3). Prints the agreement per field and
//! every mismatch, and per extractor format and per Sisimai module; asserts that nothing panics
//! and that the number of emails parsed and the recipient-count agreement (standard formats;
//! the others) do not fall below the levels reached. Skipped when the corpus is absent.
//!
//! Run: `cargo test bounce::corpus -- --nocapture`.

use super::parse_bounce;
use crate::classify::Bounce;
use crate::error::Error;
use std::collections::BTreeMap;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Corpus emails (of all 399) parsed to at least one recipient (the level reached).
const PARSED_FLOOR: usize = 398;

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
        "rfc3464-42.eml",
        "`The email account that you tried to reach does not exist` is user unknown by its text; Sisimai says filtered",
    ),
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
    hardbounce: Tally,
    feedback_type: Tally,
    /// Emails Sisimai reads to at least one recipient that we refuse (not a bounce, not an email).
    refused: Tally,
}

/// Which quarter of the corpus is held back from tuning: FNV-1a (64-bit) of the file name,
/// modulo 4, is 0. `tests/test_bounces.py` uses the same hash. Work from the other three
/// quarters and the generators' sources; the held-back quarter is only measured, and this test
/// prints no detail of it (no file names, no mismatches), so that it stays unseen.
pub(crate) fn held_back(file: &str) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in file.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.is_multiple_of(4)
}

/// Compares one email's report with Sisimai's answer, tallying into `t` and noting mismatches.
fn compare(file: &str, raw: &[u8], expected: &serde_json::Value, t: &mut Fields, notes: &mut Vec<String>) -> bool {
    let empty = Vec::new();
    let want = expected["recipients"].as_array().unwrap_or(&empty);
    let mut feedback = None;
    let got = match parse_bounce(raw) {
        Ok(r) => {
            feedback = r.feedback_type;
            if !want.is_empty() {
                t.refused.add(false);
            }
            r.recipients
        }
        Err(e) => {
            if !want.is_empty() {
                t.refused.add(true);
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
    for (j, w) in want.iter().enumerate() {
        let s = |k: &str| w[k].as_str().unwrap_or_default().to_string();
        let (addr, status, code, reason) = (s("recipient"), s("status"), s("replycode"), s("reason"));
        let hard = w["hardbounce"].as_i64().unwrap_or_default() == 1;
        let Some(g) = got.get(j) else {
            t.address.add(false);
            t.reason.add(false);
            t.hardbounce.add(false);
            if !status.is_empty() && !invented(&status) {
                t.status.add(false);
            }
            if !code.is_empty() {
                t.replycode.add(false);
            }
            continue;
        };
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
        if !code.is_empty() {
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
        let text = g.reply.as_ref().map(|r| r.to_string()).or_else(|| g.diagnostic_text.clone()).unwrap_or_default();
        let ok = g.reason.value() == reason;
        t.reason.add(ok);
        if !ok {
            notes.push(format!(
                "{file}: reason {}, expected {reason} (action {:?}; {text:.120})",
                g.reason.value(),
                g.action
            ));
        }
        let ok = (g.bounce == Bounce::Hard) == hard;
        t.hardbounce.add(ok);
        if !ok {
            notes.push(format!("{file}: bounce {:?}, expected hard={hard} ({reason}; {text:.100})", g.bounce));
        }
    }
    count_ok
}

fn print(title: &str, t: &Fields) {
    println!("{title}");
    println!("  refused (Sisimai reads them): {} of {}", t.refused.agree, t.refused.total);
    println!("  recipient count: {}  (per email)", t.count);
    println!("  address:         {}  (per expected recipient, from here on)", t.address);
    println!("  status:          {}  (Sisimai's X.0.9NN skipped)", t.status);
    println!("  reply code:      {}", t.replycode);
    println!("  reason:          {}", t.reason);
    println!("  hard/soft:       {}", t.hardbounce);
    println!("  feedback type:   {}", t.feedback_type);
}

/// Floors of the levels reached (raise them as the parser improves, never lower them without
/// a reason): emails whose recipient count agrees, expected recipients whose reason agrees, and
/// expected recipients whose hard/soft agrees; for the tuned part and the held-back part.
// Session 7 lowered reason and hard/soft by one each on purpose: lhost-exim-30.eml's "554 5.7.1
// <a>: Recipient address rejected: Access denied" is Postfix access(5)'s default REJECT text, a
// site's policy (rule recipient-access-map-reject), not Microsoft's 5.4.1 unknown recipient that
// Sisimai reads into it; and raised reason by one for lhost-qmail-03.eml (MAIL FROM refused).
const TUNED_FLOORS: (usize, usize, usize) = (297, 281, 292);
const HELD_FLOORS: (usize, usize, usize) = (101, 101, 103);

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

    let (mut tuned, mut held) = (Fields::default(), Fields::default());
    let mut notes = Vec::new();
    let mut formats: BTreeMap<String, usize> = BTreeMap::new();
    let mut claimed_wrongly: Vec<String> = Vec::new();
    let mut by_module: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_format: BTreeMap<&'static str, Fields> = BTreeMap::new();
    let (mut total, mut with_recipients, mut held_total) = (0, 0, 0);
    for (file, want) in &expected {
        let Ok(raw) = std::fs::read(dir.join("emails").join(file)) else { continue };
        let module = want["module"].as_str().unwrap_or_default();
        let result = parse_bounce(&raw);
        with_recipients += usize::from(result.is_ok());
        if let Ok(r) = &result {
            assert!(super::format_name(r.format).is_some(), "{} is not a format name of the registry", r.format);
        }
        if held_back(file) {
            held_total += 1;
            let mut unseen = Vec::new();
            compare(file, &raw, want, &mut held, &mut unseen);
            if (file.starts_with("is-not-bounce") && result.is_ok())
                || (!standard(file, module) && matches!(&result, Ok(r) if matches!(r.format, "arf" | "rfc3834")))
            {
                claimed_wrongly.push("(a held-back email)".to_string());
            }
            continue;
        }
        total += 1;
        if file.starts_with("is-not-bounce") {
            println!(
                "{file} (ordinary mail): {}",
                if result.is_ok() { "READ AS A BOUNCE" } else { "not a bounce, as it should be" }
            );
            if result.is_ok() {
                claimed_wrongly.push(format!("{file} (ordinary mail) read as a bounce"));
            }
        }
        let label = match &result {
            Ok(r) => {
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
        compare(file, &raw, want, &mut tuned, &mut notes);
        if let Ok(r) = &result {
            let mut ignored = Vec::new();
            compare(file, &raw, want, by_format.entry(r.format).or_default(), &mut ignored);
        }
    }

    println!("Tuned part: {total} emails, by outcome:");
    for (k, v) in &formats {
        println!("  {k}: {v}");
    }
    println!("By the format they were read as:");
    for (format, t) in &by_format {
        println!(
            "  {format}: count {}, address {}, status {}, code {}, reason {}, hard/soft {}",
            t.count, t.address, t.status, t.replycode, t.reason, t.hardbounce
        );
    }
    println!("Emails read per Sisimai module (read/total):");
    for (module, (ok, n)) in &by_module {
        println!("  {module}: {ok}/{n}");
    }
    println!("Mismatches (tuned part only):");
    for n in &notes {
        println!("    {n}");
    }
    println!("Known differences on the standard formats:");
    for (file, why) in KNOWN {
        println!("    {file}: {why}");
    }
    println!("Emails read to at least one recipient: {with_recipients} of {}", total + held_total);
    print(&format!("TUNED PART ({total} emails):"), &tuned);
    print(&format!("HELD-BACK QUARTER ({held_total} emails, not opened while tuning):"), &held);
    assert!(with_recipients >= PARSED_FLOOR, "parsed emails fell to {with_recipients}");
    assert!(claimed_wrongly.is_empty(), "emails read as the wrong kind: {claimed_wrongly:?}");
    for (name, t, floors) in [("tuned", &tuned, TUNED_FLOORS), ("held-back", &held, HELD_FLOORS)] {
        assert!(t.count.agree >= floors.0, "{name}: recipient-count agreement fell to {}", t.count);
        assert!(t.reason.agree >= floors.1, "{name}: reason agreement fell to {}", t.reason);
        assert!(t.hardbounce.agree >= floors.2, "{name}: hard/soft agreement fell to {}", t.hardbounce);
    }
}

/// `../shared/corpus-more` (unlabelled real emails; its `index.jsonl` gives each one's kind by
/// what the email shows): every bounce read with at least one failed recipient, every delay
/// warning a delay, every complaint and auto-reply recognised as one, and nothing else read as
/// a failure. Prints each email's outcome. Skipped when the folder is absent.
#[test]
fn corpus_more_kinds() {
    use super::ReportKind;
    let dir = Path::new(CORPUS).with_file_name("corpus-more");
    let Ok(index) = std::fs::read_to_string(dir.join("index.jsonl")) else {
        println!("corpus-more absent, skipped");
        return;
    };
    let mut wrong = Vec::new();
    for line in index.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("index.jsonl line is JSON");
        let (file, kind) = (v["file"].as_str().unwrap_or_default(), v["kind"].as_str().unwrap_or_default());
        let raw = std::fs::read(dir.join(file)).expect("indexed file exists");
        let got = parse_bounce(&raw);
        let shown = match &got {
            Ok(r) => format!(
                "{} {}: {}",
                r.format,
                r.kind.value(),
                r.recipients
                    .iter()
                    .map(|x| format!("{} {:?} {}", x.address, x.action, x.reason.value()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(e) => format!("error: {e:.90}"),
        };
        println!("{kind:9} {file}: {shown}");
        let failed = |r: &super::BounceReport| r.recipients.iter().any(|x| x.action.as_deref() == Some("failed"));
        let ok = match (kind, &got) {
            ("bounce", Ok(r)) => r.kind == ReportKind::Bounce,
            ("delay", Ok(r)) => r.kind == ReportKind::Delay,
            ("feedback", Ok(r)) => r.kind == ReportKind::Feedback,
            ("autoreply", Ok(r)) => r.kind == ReportKind::AutoReply && !failed(r),
            ("other", Ok(r)) => !failed(r),
            ("other", Err(_)) => true,
            _ => false,
        };
        if !ok {
            wrong.push(format!("{file} ({kind}): {shown}"));
        }
    }
    println!("Wrong kind ({}):", wrong.len());
    for w in &wrong {
        println!("    {w}");
    }
    assert!(wrong.is_empty(), "corpus-more emails read as the wrong kind: {wrong:#?}");
}
