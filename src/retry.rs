//! What a sender should do with a reply: deliver, retry (when), slow down, give up, suppress
//! the address, or fix its own configuration.

use crate::classify::{Bounce, Classification, Fault, Reason, classify};
use crate::reply::Reply;

/// The knobs of [`decide`]. Every default comes from what mail servers do; the source is
/// next to each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// First retry delay, doubled on each attempt. Postfix `minimal_backoff_time` = 300 s.
    pub base_delay: u64,
    /// Longest retry delay. Postfix `maximal_backoff_time` = 4000 s.
    pub max_delay: u64,
    /// Give up once the first attempt is this old. RFC 5321 §4.5.4.1 asks for at least 4–5
    /// days; Postfix `maximal_queue_lifetime` = 5 days = 432000 s.
    pub max_age: u64,
    /// Give up after this many attempts (`None`: no limit but `max_age`, as Postfix does).
    pub max_attempts: Option<u32>,
    /// Delay before trying again after a rate-limit reply: 900 s, three times Postfix's
    /// minimal backoff, so that a per-minute or per-quarter-hour sending window has passed.
    pub throttle_delay: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_delay: 300,
            max_delay: 4000,
            max_age: 5 * 24 * 3600,
            max_attempts: None,
            throttle_delay: 900,
        }
    }
}

impl RetryPolicy {
    /// The back-off delay before attempt `attempt + 1`: `base_delay * 2^(attempt-1)`, capped
    /// at `max_delay` (Postfix doubles its back-off the same way).
    pub fn backoff(&self, attempt: u32) -> u64 {
        let shift = attempt.saturating_sub(1).min(32);
        self.base_delay.saturating_mul(1u64 << shift).min(self.max_delay)
    }
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The reply is positive: nothing to do.
    Delivered,
    /// Try again after `delay`.
    Retry,
    /// Slow down towards this destination, then try again after `delay`.
    Throttle,
    /// Stop trying this message; the address may still be good.
    GiveUp,
    /// Stop and never mail this address again.
    Suppress,
    /// The sender's own setup is at fault (authentication, TLS, DNS, protocol): fix it first.
    FixConfig,
}

/// Whom the advice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The recipient address (suppress it).
    Address,
    /// This message (retry it, fix it or drop it).
    Message,
    /// The whole destination domain or IP (slow down or pause it).
    Destination,
}

/// The decision for one reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetryDecision {
    pub action: Action,
    /// Seconds to wait before the next attempt (`Retry` and `Throttle` only).
    pub delay: Option<u64>,
    /// Never mail this address again.
    pub suppress: bool,
    pub scope: Scope,
    pub classification: Classification,
    /// One sentence a human can read.
    pub explanation: String,
}

fn is_throttle(r: Reason) -> bool {
    matches!(r, Reason::RateLimited | Reason::Speeding | Reason::TooManyConn)
}

/// Reasons whose remedy is on the sender's side, when the failure is permanent.
fn is_sender_config(r: Reason) -> bool {
    matches!(
        r,
        Reason::SecurityError
            | Reason::AuthFailure
            | Reason::FailedStarttls
            | Reason::NoRelaying
            | Reason::RequirePtr
            | Reason::SyntaxError
    )
}

/// Decides what to do with `reply` on attempt number `attempt` (1 = first), `elapsed` seconds
/// after the first attempt (when known).
pub fn decide(reply: &Reply, attempt: u32, elapsed: Option<u64>, policy: &RetryPolicy) -> RetryDecision {
    let k = classify(reply);
    let what = describe(reply, &k);
    let attempt = attempt.max(1);
    let make = |action, delay, suppress, scope, explanation: String| RetryDecision {
        action,
        delay,
        suppress,
        scope,
        classification: k,
        explanation,
    };
    if reply.is_success() {
        return make(
            Action::Delivered,
            None,
            false,
            Scope::Message,
            format!("{what}: the server accepted the command; nothing to do."),
        );
    }
    if reply.is_permanent() {
        // RFC 5321 §4.2.1: after a 5yz reply the client should not repeat the exact request.
        // MTAs act on the basic code, so `550 4.2.2` stops here too (its reason stays soft).
        if k.bounce == Bounce::Hard {
            return make(
                Action::Suppress,
                None,
                true,
                Scope::Address,
                format!("{what}: the address will not work again; remove it from your lists."),
            );
        }
        if is_sender_config(k.reason) {
            return make(
                Action::FixConfig,
                None,
                false,
                Scope::Message,
                format!("{what}: the problem is on the sending side; fix your configuration before sending again."),
            );
        }
        let scope = if k.reason.entry().fault == Fault::Sender { Scope::Destination } else { Scope::Message };
        return make(
            Action::GiveUp,
            None,
            false,
            scope,
            format!("{what}: permanent failure; do not retry this message as it is."),
        );
    }
    // Transient (4yz, or a bare 4.X.X status).
    let out_of_time = elapsed.is_some_and(|e| e >= policy.max_age);
    let out_of_tries = policy.max_attempts.is_some_and(|m| attempt >= m);
    if out_of_time || out_of_tries {
        let why =
            if out_of_time { "the message is older than the retry limit" } else { "the attempt limit is reached" };
        return make(
            Action::GiveUp,
            None,
            false,
            Scope::Message,
            format!("{what}: temporary failure, but {why}; give up."),
        );
    }
    if is_throttle(k.reason) {
        return make(
            Action::Throttle,
            Some(policy.throttle_delay),
            false,
            Scope::Destination,
            format!(
                "{what}: the destination limits your sending rate; slow down and retry in {} s.",
                policy.throttle_delay
            ),
        );
    }
    let delay = policy.backoff(attempt);
    make(Action::Retry, Some(delay), false, Scope::Message, format!("{what}: temporary failure; retry in {delay} s."))
}

fn describe(reply: &Reply, k: &Classification) -> String {
    let mut s = String::new();
    if let Some(c) = reply.code() {
        s.push_str(&c.to_string());
    }
    if let Some(st) = reply.status() {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&st.to_string());
    }
    format!("{s} ({})", k.reason.value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::parse;

    fn d(s: &str, attempt: u32, elapsed: Option<u64>) -> RetryDecision {
        decide(&parse(s).unwrap(), attempt, elapsed, &RetryPolicy::default())
    }

    #[test]
    fn postfix_backoff() {
        let p = RetryPolicy::default();
        assert_eq!((1..=6).map(|a| p.backoff(a)).collect::<Vec<_>>(), vec![300, 600, 1200, 2400, 4000, 4000]);
        assert_eq!(p.backoff(u32::MAX), 4000);
    }

    #[test]
    fn actions() {
        assert_eq!(d("250 OK", 1, None).action, Action::Delivered);
        let x = d("550 5.1.1 User unknown", 1, None);
        assert_eq!((x.action, x.suppress, x.scope), (Action::Suppress, true, Scope::Address));
        assert_eq!(d("550 5.7.26 DMARC", 1, None).action, Action::FixConfig);
        assert_eq!(d("552 5.2.2 full", 1, None).action, Action::GiveUp);
        let r = d("451 4.3.0 try later", 3, Some(1000));
        assert_eq!((r.action, r.delay), (Action::Retry, Some(1200)));
        assert_eq!(d("451 4.3.0 try later", 3, Some(6 * 86400)).action, Action::GiveUp);
        assert_eq!(d("550 4.2.2 full", 1, None).action, Action::GiveUp);
        assert_eq!(d("4.2.2 full", 1, None).action, Action::Retry);
        assert!(d("550 5.1.1 x", 1, None).explanation.contains("userunknown"));
    }
}
