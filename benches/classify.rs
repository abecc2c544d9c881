//! Classification throughput, `cargo bench --bench classify [-- N]`.
//!
//! Lines: the diagnostic codes of ../shared/corpus (replies.jsonl and provider_replies.jsonl)
//! when present, else examples/replies.txt. Prints lines per second for parse alone, classify
//! alone and both, then the time per byte of classify for texts of growing length (it must stay
//! flat: matching is linear). Timings are best-of-5; compare ratios within one run.

mod common;
use common::best_of;
use std::hint::black_box;
use std::path::Path;

fn lines() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let mut out = Vec::new();
    for name in ["replies.jsonl", "provider_replies.jsonl"] {
        if let Ok(text) = std::fs::read_to_string(corpus.join(name)) {
            for line in text.lines() {
                // Minimal JSON string extraction: the benchmark must not pull in a JSON crate.
                for key in ["\"dsn_diagnostic_code\": \"", "\"text\": \""] {
                    if let Some(i) = line.find(key) {
                        let rest = &line[i + key.len()..];
                        let mut s = String::new();
                        let mut esc = false;
                        for ch in rest.chars() {
                            match (esc, ch) {
                                (true, 'n') => s.push('\n'),
                                (true, c) => s.push(c),
                                (false, '\\') => {
                                    esc = true;
                                    continue;
                                }
                                (false, '"') => break,
                                (false, c) => s.push(c),
                            }
                            esc = false;
                        }
                        if !s.is_empty() {
                            out.push(s);
                            break;
                        }
                    }
                }
            }
        }
    }
    if out.is_empty() {
        let ex = std::fs::read_to_string(root.join("examples/replies.txt")).unwrap_or_default();
        out = ex.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect();
    }
    out
}

fn main() {
    let reps: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let lines = lines();
    let replies: Vec<smtpcodes::Reply> = lines.iter().filter_map(|l| smtpcodes::parse(l).ok()).collect();
    let n = replies.len() * reps;
    println!("{} lines, {} parse; {} repetitions", lines.len(), replies.len(), reps);
    // Warm the rule automata.
    black_box(smtpcodes::classify(&replies[0]));
    let parse = best_of(5, || {
        for _ in 0..reps {
            for l in &lines {
                let _ = black_box(smtpcodes::parse(black_box(l)));
            }
        }
    });
    let classify = best_of(5, || {
        for _ in 0..reps {
            for r in &replies {
                black_box(smtpcodes::classify(black_box(r)));
            }
        }
    });
    let n_lines = (lines.len() * reps) as f64;
    println!("parse            {:>12.0} lines/s", n_lines / parse);
    println!("classify         {:>12.0} lines/s", n as f64 / classify);
    println!("parse + classify {:>12.0} lines/s", 1.0 / (parse / n_lines + classify / n as f64));

    // The batch API's core over every line, unparseable ones included, one thread and all.
    let texts: Vec<Option<&str>> = lines.iter().map(|l| Some(l.as_str())).collect();
    let policy = smtpcodes::RetryPolicy::default();
    let many: Vec<Option<&str>> = (0..reps).flat_map(|_| texts.iter().copied()).collect();
    let one_thread = best_of(3, || {
        for t in &many {
            black_box(smtpcodes::batch::classify_one(black_box(*t), None, &policy));
        }
    });
    let parallel = best_of(3, || {
        black_box(smtpcodes::batch::classify_many(black_box(&many), None, &policy));
    });
    println!("batch row, 1 thread {:>10.0} lines/s", many.len() as f64 / one_thread);
    println!("classify_many       {:>10.0} lines/s ({} threads)", many.len() as f64 / parallel, rayon_threads());

    println!("\nclassify time per byte of text (flat = linear):");
    let base = "The email account that you tried to reach is over quota and inactive. ";
    for len in [100usize, 1_000, 10_000, 60_000] {
        let text: String = base.repeat(len / base.len() + 1).chars().take(len).collect();
        let r = smtpcodes::parse(&format!("452 4.2.2 {text}")).expect("a valid reply");
        let k = (2_000_000 / len).max(5);
        let t = best_of(5, || {
            for _ in 0..k {
                black_box(smtpcodes::classify(black_box(&r)));
            }
        });
        println!("  {len:>6} bytes: {:>8.2} ns/byte", t / k as f64 / len as f64 * 1e9);
    }
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
