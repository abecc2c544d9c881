//! Bytes → `smtpcodes::parse_bounce`; on success every documented promise of `BounceReport`
//! (src/bounce/mod.rs) and, for each recipient's reply, the reply invariants and classify /
//! explain / decide (fuzz_targets/common.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtpcodes::retry::Outcome;
use smtpcodes::bounce::ReportKind;
use smtpcodes::{Action, Error, Reason, parse_bounce};

mod common;

fn lower(s: &str) -> bool {
    !s.bytes().any(|b| b.is_ascii_uppercase())
}

fuzz_target!(|data: &[u8]| {
    match parse_bounce(data) {
        Ok(report) => {
            assert!(smtpcodes::bounce::format_name(report.format).is_some(), "format {:?} not in the registry", report.format);
            // "One entry per recipient reported, in order; never empty, except for a complaint
            // whose recipient the feedback loop redacted."
            assert!(
                !report.recipients.is_empty() || report.kind == ReportKind::Feedback,
                "Ok with no recipients: {report:?}"
            );
            // The kind agrees with the recipients.
            let all = |f: &dyn Fn(&smtpcodes::BounceRecipient) -> bool| report.recipients.iter().all(f);
            match report.kind {
                ReportKind::Delay => assert!(
                    all(&|r| matches!(r.action.as_deref(), Some("delayed" | "delivered" | "relayed" | "expanded"))),
                    "{report:?}"
                ),
                ReportKind::Delivery => assert!(
                    all(&|r| matches!(r.action.as_deref(), Some("delivered" | "relayed" | "expanded"))),
                    "{report:?}"
                ),
                ReportKind::AutoReply => assert!(all(&|r| r.reason == Reason::Vacation), "{report:?}"),
                ReportKind::Feedback | ReportKind::Bounce => {}
            }
            if let Some(f) = &report.feedback_type {
                assert!(lower(f), "feedback_type not lower case: {f:?}");
            }
            let _ = (&report.reporting_mta, &report.arrival_date, format!("{report:?}"));
            let o = &report.original;
            let _ = (&o.message_id, &o.from, o.to.len(), &o.subject, o.x_headers.len());
            // Formats that give one diagnostic for all addresses copy the same reply to each
            // recipient: check each distinct reply once (the checks are deterministic).
            let mut checked: Vec<&smtpcodes::Reply> = Vec::new();
            for (i, r) in report.recipients.iter().enumerate() {
                if let Some(a) = &r.action {
                    assert!(lower(a), "action not lower case: {a:?}");
                }
                let _ = (r.reason.value(), r.bounce, &r.original_recipient, &r.remote_mta, &r.smtp_command);
                let _ = (&r.diagnostic_type, &r.diagnostic_text, &r.last_attempt_date, &r.will_retry_until);
                if let Some(s) = r.status {
                    let _ = s.to_string();
                }
                // Every recipient is decided (src/bounce/mod.rs `BounceRecipient::decide`): a
                // complaint suppresses, an accepted delivery needs nothing, only an address
                // decision suppresses, and only a retry, a throttle or a temporary FIX_CONFIG waits.
                let ft = report.feedback_type.as_deref();
                let d = r.decide(ft, 1, None, &smtpcodes::RetryPolicy::default());
                match r.outcome(ft) {
                    Outcome::Complaint => assert_eq!(d.action, Action::Suppress, "{r:?}"),
                    Outcome::Delivered => assert_eq!(d.action, Action::Delivered, "{r:?}"),
                    Outcome::Transient | Outcome::Permanent => assert_ne!(d.action, Action::Delivered, "{r:?}"),
                }
                assert_eq!(d.suppress, d.action == Action::Suppress, "{d:?}");
                // FIX_CONFIG after a temporary refusal carries the delay after which to retry.
                let waits = matches!(d.action, Action::Retry | Action::Throttle)
                    || (d.action == Action::FixConfig && r.outcome(ft) == Outcome::Transient);
                assert_eq!(d.delay.is_some(), waits, "{d:?}");
                if let Some(reply) = &r.reply
                    && !checked.contains(&reply)
                {
                    common::check_reply(reply, data.len() + i);
                    checked.push(reply);
                }
            }
        }
        Err(e) => {
            assert!(
                matches!(e, Error::NotAnEmail { .. } | Error::NotABounce { .. } | Error::EmailTooLarge { .. } | Error::ReportTooLarge { .. }),
                "parse_bounce returned an error it does not document: {e:?}"
            );
            assert!(!e.to_string().is_empty());
        }
    }
});
