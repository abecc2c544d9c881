//! `parse_bounce` throughput, `cargo bench --bench bounce [-- N]`.
//!
//! Emails: ../shared/corpus/emails when present, plus tests/data/bounces and examples/bounces.
//! Prints emails per second on one core over all of them (each read N times, best of 5), then
//! the time for one DSN whose returned message carries a 20 MB base64 attachment, against the
//! same DSN with a 2 KB attachment (src/bounce/clip.rs keeps the first from costing more).

mod common;
use common::best_of;
use std::hint::black_box;
use std::path::Path;

fn emails() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["../shared/corpus/emails", "tests/data/bounces", "examples/bounces"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        out.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
    }
    out
}

/// A DSN whose returned message has a base64 attachment of about `size` bytes.
fn dsn_with_attachment(size: usize) -> Vec<u8> {
    let mut raw = b"From: MAILER-DAEMON@mx.example.org\r\nTo: sender@example.com\r\nSubject: Undelivered\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"outer\"\r\n\r\n\
--outer\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n\
--outer\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.2.2\r\n\
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n\
--outer\r\nContent-Type: message/rfc822\r\n\r\nFrom: sender@example.com\r\nTo: bob@example.net\r\n\
Subject: Report\r\nMessage-ID: <big-1@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
--inner\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    while raw.len() < size {
        raw.extend_from_slice(b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n");
    }
    raw.extend_from_slice(b"--inner--\r\n\r\n--outer--\r\n");
    raw
}

fn main() {
    let reps: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(20);
    let emails = emails();
    let bytes: usize = emails.iter().map(Vec::len).sum();
    let read = emails.iter().filter(|e| smtpcodes::parse_bounce(e).is_ok()).count();
    println!(
        "{} emails ({} read as bounces), {:.1} KB on average; {} repetitions",
        emails.len(),
        read,
        bytes as f64 / emails.len().max(1) as f64 / 1e3,
        reps
    );
    let t = best_of(5, || {
        for _ in 0..reps {
            for e in &emails {
                let _ = black_box(smtpcodes::parse_bounce(black_box(e)));
            }
        }
    });
    let n = (emails.len() * reps) as f64;
    println!(
        "parse_bounce     {:>12.0} emails/s  ({:.1} µs/email, {:.0} MB/s)",
        n / t,
        t / n * 1e6,
        bytes as f64 * reps as f64 / t / 1e6
    );

    let small = dsn_with_attachment(2_000);
    let big = dsn_with_attachment(20_000_000);
    let ts = best_of(20, || drop(black_box(smtpcodes::parse_bounce(black_box(&small)))));
    let tb = best_of(20, || drop(black_box(smtpcodes::parse_bounce(black_box(&big)))));
    println!(
        "DSN with a 2 KB attachment: {:.1} µs; with a {:.0} MB attachment: {:.1} µs ({:.1}×)",
        ts * 1e6,
        big.len() as f64 / 1e6,
        tb * 1e6,
        tb / ts
    );
}
