//! A destination's health: how a recipient domain, or the provider behind it, has been
//! answering lately, and what the sender should do about it (go on, slow down, or stop until
//! it has been quiet).
//!
//! The model is a circuit breaker over a sliding window, the way MTAs treat a destination as a
//! whole: Postfix's queue manager stops delivering to a destination its connections keep
//! failing on ("delivery temporarily suspended", `qmgr(8)`), and slows its concurrency after
//! negative feedback (`default_destination_concurrency_negative_feedback`). The thresholds are
//! [`LedgerPolicy`]'s.

use super::{EventKind, Fact, LedgerPolicy, duration, order, secs_to_micros};
use crate::classify::Reason;
use crate::retry::Action;

named_enum! {
    /// What to do about a destination.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Advice {
        /// Keep sending.
        Ok = "ok",
        /// Send more slowly: pause, then send at most the suggested rate.
        SlowDown = "slow-down",
        /// Stop sending until the destination has been quiet (the circuit is open).
        Stop = "stop",
    }
}

/// How a refusal counts against a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// Rate limits and connection limits: slow down.
    Throttled,
    /// Reputation blocks and spam refusals: the destination refuses the sender.
    Blocked,
    /// Refusals by the destination's policy or for the sender's configuration.
    Policy,
    /// The destination or the network failed (timeouts, system errors).
    Unavailable,
}

/// How a reason (and the decision taken on it) counts against the destination, if it does.
pub fn trouble(reason: Reason, action: Option<Action>) -> Option<Trouble> {
    use Reason::*;
    if action == Some(Action::Throttle) {
        return Some(Trouble::Throttled);
    }
    Some(match reason {
        RateLimited | Speeding | TooManyConn => Trouble::Throttled,
        Blocked | BadReputation | SpamDetected | VirusDetected => Trouble::Blocked,
        PolicyViolation | Rejected | RequirePtr | SecurityError | AuthFailure | FailedStarttls | NoRelaying
        | ContentError | NotCompliantRfc | SyntaxError => Trouble::Policy,
        Expired | NetworkError | SystemError | SystemFull | MailerError => Trouble::Unavailable,
        _ => return None,
    })
}

/// A destination's health over the window ending at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationHealth {
    /// Delivery attempts in the window (deliveries, deferrals, bounces).
    pub attempts: u32,
    pub delivered: u32,
    pub deferred: u32,
    pub bounced: u32,
    pub throttled: u32,
    pub blocked: u32,
    pub policy: u32,
    pub unavailable: u32,
    pub advice: Advice,
    /// How long to pause before sending again (slow down: the retry policy's throttle delay).
    pub pause: Option<u64>,
    /// The most messages per hour to send after the pause: half the rate the destination
    /// accepted in the window (a multiplicative decrease, as TCP's congestion control and
    /// Postfix's negative concurrency feedback back off).
    pub rate_per_hour: Option<u64>,
    /// Until when to stop (the last block or policy refusal plus the quiet period).
    pub until: Option<i64>,
    /// The facts behind the advice, one sentence each.
    pub reasons: Vec<String>,
}

fn per_mille(n: u32, of: u32) -> u32 {
    if of == 0 { 0 } else { (u64::from(n) * 1000 / u64::from(of)) as u32 }
}

fn share(n: u32, of: u32, what: &str, window: u64) -> String {
    format!(
        "{n} of {of} attempts ({:.0} %) in the last {} were {what}",
        per_mille(n, of) as f64 / 10.0,
        duration(window)
    )
}

/// The health of a destination from its events (any order; repeats of an id count once) at
/// `now`: only events in the window `(now - policy.window, now]` count.
pub fn destination_health(facts: &[Fact<'_>], policy: &LedgerPolicy, now: i64) -> DestinationHealth {
    let start = now.saturating_sub(secs_to_micros(policy.window));
    let mut seen: Vec<Fact<'_>> = facts.iter().filter(|f| f.at > start && f.at <= now).copied().collect();
    order(&mut seen);
    let mut h = DestinationHealth {
        attempts: 0,
        delivered: 0,
        deferred: 0,
        bounced: 0,
        throttled: 0,
        blocked: 0,
        policy: 0,
        unavailable: 0,
        advice: Advice::Ok,
        pause: None,
        rate_per_hour: None,
        until: None,
        reasons: Vec::new(),
    };
    let mut last_bad: Option<i64> = None;
    for f in seen {
        match f.kind {
            EventKind::Delivered => h.delivered += 1,
            EventKind::Deferred => h.deferred += 1,
            EventKind::Bounced => h.bounced += 1,
            _ => continue,
        }
        h.attempts += 1;
        let t = trouble(f.reason, f.action);
        match t {
            Some(Trouble::Throttled) => h.throttled += 1,
            Some(Trouble::Blocked) => h.blocked += 1,
            Some(Trouble::Policy) => h.policy += 1,
            Some(Trouble::Unavailable) => h.unavailable += 1,
            None => {}
        }
        if matches!(t, Some(Trouble::Blocked | Trouble::Policy)) {
            last_bad = last_bad.max(Some(f.at));
        }
    }
    if h.attempts < policy.min_attempts {
        if h.attempts > 0 {
            h.reasons.push(format!(
                "{} attempts in the last {}: fewer than the {} the policy judges on",
                h.attempts,
                duration(policy.window),
                policy.min_attempts
            ));
        }
        return h;
    }
    let refused = h.blocked + h.policy;
    if per_mille(refused, h.attempts) >= u32::from(policy.stop_share) {
        h.advice = Advice::Stop;
        h.until = last_bad.map(|t| t.saturating_add(secs_to_micros(policy.quiet_period)));
        h.reasons.push(share(refused, h.attempts, "blocked or refused by policy", policy.window));
        h.reasons.push(format!("stop until {} without a block", duration(policy.quiet_period)));
        return h;
    }
    if per_mille(h.throttled, h.attempts) >= u32::from(policy.throttle_share) {
        h.reasons.push(share(h.throttled, h.attempts, "rate-limited", policy.window));
    }
    if per_mille(h.deferred, h.attempts) >= u32::from(policy.deferred_share) {
        h.reasons.push(share(h.deferred, h.attempts, "deferred", policy.window));
    }
    if !h.reasons.is_empty() {
        h.advice = Advice::SlowDown;
        h.pause = Some(policy.retry.throttle_delay);
        let hours = (policy.window as f64 / 3600.0).max(1.0 / 3600.0);
        h.rate_per_hour = Some(((f64::from(h.delivered) / hours) / 2.0).floor().max(1.0) as u64);
    }
    h
}
