//! Invariants shared by the fuzz targets: what `src/reply.rs`, `src/classify` and `src/retry.rs`
//! promise about a reply, checked with `assert!` so that a broken promise is a crash.

use smtpcodes::classify::{Basis, explain};
use smtpcodes::reply::{MAX_INPUT_BYTES, MAX_LINES};
use smtpcodes::{Action, Bounce, Reason, Reply, RetryPolicy, Scope, classify, decide, parse};

/// Checks one reply (parsed, or built by a bounce extractor) and runs the classifier,
/// `explain` and `decide` on it. `seed` varies the attempt number and elapsed time.
pub fn check_reply(r: &Reply, seed: usize) {
    // A reply has a code, a status or both; a code is 2yz–5yz (RFC 5321 §4.2).
    assert!(r.code().is_some() || r.status().is_some(), "reply without code and status: {r:?}");
    if let Some(c) = r.code() {
        assert!((200..=599).contains(&c.value()), "reply code out of range: {r:?}");
    }
    if let Some(s) = r.status() {
        let _ = (s.class(), s.subject(), s.detail(), s.subject_name(), s.registry(), s.to_string());
    }
    // `lines` is never empty and no line holds a line end.
    assert!(!r.lines().is_empty(), "reply without lines: {r:?}");
    assert!(r.lines().iter().all(|l| !l.contains(['\r', '\n'])), "line with CR/LF: {r:?}");
    // Exactly one of success / transient / permanent.
    let kinds = [r.is_success(), r.is_transient(), r.is_permanent()];
    assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "kind flags {kinds:?}: {r:?}");
    let _ = (r.kind(), r.category(), r.conflict(), r.remote_mta(), r.smtp_command(), r.to_string());

    // The wire form parses back to an equal reply when it fits in the limits (reply.rs,
    // `to_wire`); the wrappers (`remote_mta`, `smtp_command`) are not part of the wire form.
    let wire = r.to_wire();
    if wire.len() <= MAX_INPUT_BYTES && r.lines().len() <= MAX_LINES {
        let back = parse(&wire).unwrap_or_else(|e| panic!("to_wire {wire:?} of {r:?} does not parse: {e}"));
        assert_eq!(
            (back.code(), back.status(), back.lines()),
            (r.code(), r.status(), r.lines()),
            "to_wire {wire:?} does not parse back to {r:?}"
        );
        assert_eq!(back.to_wire(), wire, "to_wire is not stable");
    }
    // `Reply::new` promises that what it accepts always round-trips, wrappers included.
    if let Ok(n) = Reply::new(r.code(), r.status(), r.lines().to_vec(), None, None) {
        let w = n.to_wire();
        let back = parse(&w).unwrap_or_else(|e| panic!("to_wire {w:?} of Reply::new {n:?} does not parse: {e}"));
        assert_eq!(back, n, "Reply::new's {n:?} does not round-trip through {w:?}");
    }

    // Classification (src/classify/mod.rs precedence and bounce rules).
    let k = classify(r);
    if r.is_success() {
        assert_eq!((k.reason, k.bounce, k.basis), (Reason::Delivered, Bounce::None, Basis::Success), "{r:?}");
    } else {
        assert_ne!(k.reason, Reason::Delivered, "a failure classified as delivered: {r:?}");
        assert_ne!(k.basis, Basis::Success, "{r:?}");
    }
    let transient =
        r.is_transient() || r.status().is_some_and(|s| s.class() == smtpcodes::StatusClass::PersistentTransientFailure);
    if transient {
        assert_ne!(k.bounce, Bounce::Hard, "a transient reply classified hard: {r:?} {k:?}");
    }
    if r.is_permanent() {
        assert_ne!(k.bounce, Bounce::None, "a permanent failure with bounce none: {r:?} {k:?}");
    }
    let _ = (k.reason.value(), k.reason.entry(), k.basis.name(), k.source);

    let e = explain(r);
    assert_eq!(e.classification, k, "explain disagrees with classify: {r:?}");
    if let Some((words, a, b)) = &e.matched {
        assert_eq!(r.text().get(*a..*b), Some(words.as_str()), "explain's span is not the matched words: {r:?}");
    }
    assert!(e.summary.ends_with('.'), "{:?}", e.summary);

    let attempt = (seed % 9) as u32;
    let elapsed = if seed % 3 == 0 { None } else { Some((seed as u64).wrapping_mul(7919) % 1_000_000) };
    let d = decide(r, attempt, elapsed, &RetryPolicy::default());
    assert_eq!(d.classification, k, "decide's classification differs: {r:?}");
    assert_eq!(d.action == Action::Delivered, r.is_success(), "delivered iff success: {r:?} {d:?}");
    if d.suppress {
        assert_eq!((d.action, d.scope), (Action::Suppress, Scope::Address), "{r:?} {d:?}");
    }
    match d.action {
        Action::Retry | Action::Throttle => assert!(d.delay.is_some(), "retry without delay: {r:?} {d:?}"),
        // A transient refusal for the sender's setup: fix it, then retry after the delay.
        Action::FixConfig => assert_eq!(d.delay.is_some(), !r.is_permanent(), "fix_config delay: {r:?} {d:?}"),
        _ => assert!(d.delay.is_none(), "delay without retry: {r:?} {d:?}"),
    }
    assert!(!d.explanation.is_empty());
}
