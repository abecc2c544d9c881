//! What a sender should do with a reply: deliver, retry (when), slow down, give up, suppress
//! the address, or fix its own configuration.

use crate::classify::rules::RuleAction;
use crate::classify::{Bounce, Classification, Fault, Reason, classify};
use crate::reply::Reply;
use regex::Regex;
use std::sync::LazyLock;

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
    /// Delay before trying again after a greylisting deferral: 300 s, Postgrey's default
    /// `--delay` (https://postgrey.schweikert.ch/), after which the retry is accepted.
    pub greylist_delay: u64,
    /// A mailbox that has been full (or disabled) for this long is treated as abandoned: the
    /// address is suppressed. Default 5 days, Postfix's `maximal_queue_lifetime`: a mailbox
    /// that stayed full through a whole queue lifetime is not being read.
    pub suppress_full_after: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_delay: 300,
            max_delay: 4000,
            max_age: 5 * 24 * 3600,
            max_attempts: None,
            throttle_delay: 900,
            greylist_delay: 300,
            suppress_full_after: 5 * 24 * 3600,
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

    /// The least time that has passed since the first attempt when attempt `attempt` is made
    /// under this policy: the back-off delays of the attempts before it,
    /// `backoff(1) + … + backoff(attempt - 1)`. What [`decide`] assumes when it is not told
    /// when the first attempt was, so that attempts alone end a message's retries.
    pub fn min_elapsed(&self, attempt: u32) -> u64 {
        let waits = attempt.saturating_sub(1);
        // The delay doubles until it reaches `max_delay` (at most 64 doublings), then stays.
        let mut total: u64 = 0;
        let mut k: u32 = 1;
        while k <= waits {
            let d = self.backoff(k);
            if d >= self.max_delay || k >= 64 {
                return total.saturating_add(u64::from(waits - k + 1).saturating_mul(d));
            }
            total = total.saturating_add(d);
            k += 1;
        }
        total
    }
}

named_enum! {
    /// What to do now.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Action {
        /// The reply is positive: nothing to do.
        Delivered = "delivered",
        /// Try again after `delay`.
        Retry = "retry",
        /// Slow down towards this destination, then try again after `delay`.
        Throttle = "throttle",
        /// Stop trying this message; the address may still be good.
        GiveUp = "give_up",
        /// Stop and never mail this address again.
        Suppress = "suppress",
        /// The sender's own setup is at fault (authentication, TLS, DNS, protocol): fix it first.
        FixConfig = "fix_config",
    }
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
    /// Seconds to wait before the next attempt (`Retry` and `Throttle`, and `FixConfig` after a
    /// temporary refusal: retry once the setup is fixed).
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

/// Reasons whose remedy is on the sender's side (authentication, TLS, relay permission, DNS,
/// protocol, the envelope sender's address or domain): the sender must fix its setup; a
/// transient one may be retried once it is fixed.
fn is_sender_config(r: Reason) -> bool {
    matches!(
        r,
        Reason::SecurityError
            | Reason::AuthFailure
            | Reason::FailedStarttls
            | Reason::NoRelaying
            | Reason::RequirePtr
            | Reason::SyntaxError
            | Reason::Rejected
    )
}

/// The scope of a sender-side problem: the sending host's own setup (its reverse DNS, its TLS)
/// makes the destination refuse everything from it; the rest (authentication, the envelope
/// sender, relay permission, protocol) is about how this message was sent.
fn sender_config_scope(r: Reason) -> Scope {
    match r {
        Reason::RequirePtr | Reason::FailedStarttls => Scope::Destination,
        _ => Scope::Message,
    }
}

/// Reasons about the sender's reputation: not the address's fault, so never suppress it.
fn is_reputation(r: Reason) -> bool {
    matches!(r, Reason::Blocked | Reason::BadReputation)
}

/// A full or disabled mailbox: the address may come back, unless it stays so for long.
fn is_full(r: Reason) -> bool {
    matches!(r, Reason::MailboxFull | Reason::Suspend | Reason::ExceedLimit)
}

/// "try again in 5 minutes", "retry after 300 seconds", "please retry in 1 hour": the wait the
/// server asks for, in seconds.
static DELAY_HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:try(?: again)?|retry(?: again)?|resend|wait)(?: later)?,? (?:in|after|for)(?: at least)? (\d{1,6}) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b",
    )
    .unwrap_or_else(|e| panic!("DELAY_HINT does not compile: {e}"))
});

/// The delay a reply's text asks for, in seconds.
pub fn delay_hint(text: &str) -> Option<u64> {
    let c = DELAY_HINT.captures(text)?;
    let n: u64 = c.get(1)?.as_str().parse().ok()?;
    let unit = c.get(2)?.as_str().to_ascii_lowercase();
    let mult = match unit.as_bytes().first() {
        Some(b's') => 1,
        Some(b'm') => 60,
        Some(b'h') => 3600,
        _ => return None,
    };
    Some((n * mult).max(1))
}

/// Decides what to do with `reply` on attempt number `attempt` (1 = first), `elapsed` seconds
/// after the first attempt (when known).
///
/// The rules, in order: success → DELIVERED; a hard bounce → SUPPRESS (address); a mailbox full
/// for longer than `suppress_full_after` → SUPPRESS; a rate limit, or a temporary refusal for
/// the sender's reputation → THROTTLE (destination),
/// after the delay the server asks for or `throttle_delay`; a permanent failure whose remedy is
/// on the sending side (authentication, TLS, relay, PTR, syntax, the envelope sender refused) →
/// FIX_CONFIG (destination scope for the sending host's PTR and TLS, else the message); a
/// permanent block or bad reputation → GIVE_UP for the message with destination scope (never
/// suppress); another permanent failure → GIVE_UP (RFC 5321 §4.2.1: do not repeat the exact
/// request); a transient failure past `max_age` or `max_attempts` → GIVE_UP; a transient
/// refusal whose remedy is on the sending side → FIX_CONFIG with the delay after which to retry;
/// greylisting → RETRY after `greylist_delay`; another transient failure → RETRY after the delay
/// the server asks for or the back-off.
pub fn decide(reply: &Reply, attempt: u32, elapsed: Option<u64>, policy: &RetryPolicy) -> RetryDecision {
    let k = classify(reply);
    let p = plan(reply, &k, attempt, elapsed, policy);
    let what = describe(reply, &k);
    explained(p, k, &what, policy)
}

/// [`decide`] for a delivery that no reply describes, only its [`Outcome`] and classification:
/// a bounce recipient without a reply code (an ARF complaint, an auto-reply, a DSN with only an
/// `Action` and a reason from its words). `what` names it in the explanation (its status, say).
pub fn decide_outcome(
    outcome: Outcome,
    k: Classification,
    what: &str,
    attempt: u32,
    elapsed: Option<u64>,
    policy: &RetryPolicy,
) -> RetryDecision {
    let p = plan_outcome(outcome, &k, || None, attempt, elapsed, policy);
    let what = format!("{what} ({})", k.reason.value());
    explained(p, k, &what, policy)
}

/// A plan with its sentence.
fn explained(p: Plan, k: Classification, what: &str, policy: &RetryPolicy) -> RetryDecision {
    let explanation = match p.why {
        Why::Delivered => format!("{what}: accepted; nothing to do."),
        Why::Complaint => {
            format!("{what}: the recipient reported the message as unwanted; never mail this address again.")
        }
        Why::Hard => format!("{what}: the address will not work again; remove it from your lists."),
        Why::Disabled => {
            format!("{what}: the account is disabled and refuses mail for good; remove it from your lists.")
        }
        Why::FullTooLong => format!(
            "{what}: the mailbox has not accepted mail for {} days or more; treat the address as abandoned.",
            policy.suppress_full_after / 86400
        ),
        Why::Throttle => format!(
            "{what}: the destination limits your sending rate; slow down towards it and retry in {} s.",
            p.delay.unwrap_or_default()
        ),
        Why::SenderConfig => {
            format!("{what}: the problem is on the sending side; fix your configuration before sending again.")
        }
        Why::SenderConfigRetry => format!(
            "{what}: a temporary refusal because of the sending side's setup; fix your configuration, then retry in {} s.",
            p.delay.unwrap_or_default()
        ),
        Why::Reputation => format!(
            "{what}: the destination refuses your sending IP or domain, not the address; do not suppress it, fix your reputation or listing first."
        ),
        Why::Permanent => format!("{what}: permanent failure; do not retry this message as it is."),
        Why::TooOld => format!("{what}: temporary failure, but the message is older than the retry limit; give up."),
        Why::TooManyRetries { attempts } => format!(
            "{what}: temporary failure, but {attempts} attempts at the policy's back-off take longer than the retry limit of {} days; give up.",
            policy.max_age / 86400
        ),
        Why::TooManyAttempts => format!("{what}: temporary failure, but the attempt limit is reached; give up."),
        Why::Documented { rule } => {
            let todo = match p.action {
                Action::Suppress => "the address will not work again; remove it from your lists".to_string(),
                Action::GiveUp if p.scope == Scope::Destination => {
                    "do not retry; the destination refuses your sending IP or domain, not the address".to_string()
                }
                Action::GiveUp => "do not retry this message as it is; the address may still be good".to_string(),
                Action::Throttle => format!(
                    "the destination has limited you for a while; slow down towards it and retry in {} s",
                    p.delay.unwrap_or_default()
                ),
                Action::FixConfig => match p.delay {
                    Some(d) => {
                        format!("the problem is on the sending side; fix your configuration, then retry in {d} s")
                    }
                    None => {
                        "the problem is on the sending side; fix your configuration before sending again".to_string()
                    }
                },
                Action::Retry => format!(
                    "a temporary failure of this message, not of the destination; retry in {} s",
                    p.delay.unwrap_or_default()
                ),
                Action::Delivered => "accepted".to_string(),
            };
            format!("{what}: {todo} (as its provider documents it, rule {rule:?} of data/rules.toml).")
        }
        Why::Greylisting => {
            format!("{what}: greylisting; the retry after {} s is normally accepted.", p.delay.unwrap_or_default())
        }
        Why::Transient { asked } => format!(
            "{what}: temporary failure; retry in {} s{}.",
            p.delay.unwrap_or_default(),
            if asked { " (as the server asks)" } else { "" }
        ),
    };
    RetryDecision {
        action: p.action,
        delay: p.delay,
        suppress: p.suppress,
        scope: p.scope,
        classification: k,
        explanation,
    }
}

/// What [`decide`] decides, without its sentence: the batch API's hot path, which must not
/// allocate per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub action: Action,
    /// Seconds to wait before the next attempt (`Retry` and `Throttle` only).
    pub delay: Option<u64>,
    pub suppress: bool,
    pub scope: Scope,
    why: Why,
}

/// Which of [`decide`]'s rules applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Delivered,
    Complaint,
    Hard,
    FullTooLong,
    Disabled,
    Throttle,
    SenderConfig,
    /// A transient refusal for the sender's setup: fix it, then retry.
    SenderConfigRetry,
    Reputation,
    Permanent,
    TooOld,
    /// Too old by the attempts made: their back-off alone passes `max_age`.
    TooManyRetries {
        attempts: u32,
    },
    TooManyAttempts,
    Greylisting,
    /// A rule's documented action (data/rules.toml `action`).
    Documented {
        rule: &'static str,
    },
    Transient {
        asked: bool,
    },
}

/// How a delivery attempt ended, as far as a reply or a report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Accepted: a 2yz reply, a `2.X.X` status, DSN `Action: delivered`, `relayed` or `expanded`.
    Delivered,
    /// Not yet delivered, may still be: a 4yz reply, a `4.X.X` status, DSN `Action: delayed`.
    Transient,
    /// Failed: a 5yz reply, a `5.X.X` status, DSN `Action: failed` (RFC 3464 §2.3.3).
    Permanent,
    /// Delivered, and the recipient reported it as unwanted: an ARF `Feedback-Type: abuse`
    /// report (RFC 5965), a provider's complaint notification.
    Complaint,
}

impl Outcome {
    /// The outcome of a feedback report (ARF, a provider's complaint) of type `feedback_type`:
    /// a complaint, unless the type is one of the other values of the IANA MARF Feedback Type
    /// registry (RFC 5965 `fraud`, `virus`, `other`; RFC 6591 `auth-failure`; RFC 6430
    /// `not-spam`), which say the message was delivered. `abuse`, no type, and a type no
    /// registry lists are complaints.
    pub fn of_feedback(feedback_type: Option<&str>) -> Outcome {
        const NOT_COMPLAINTS: [&str; 5] = ["auth-failure", "fraud", "not-spam", "virus", "other"];
        match feedback_type {
            Some(t) if NOT_COMPLAINTS.iter().any(|n| t.eq_ignore_ascii_case(n)) => Outcome::Delivered,
            _ => Outcome::Complaint,
        }
    }

    /// The outcome a reply says: from its basic code, else its status class.
    pub fn of_reply(reply: &Reply) -> Outcome {
        if reply.is_success() {
            Outcome::Delivered
        } else if reply.is_permanent() {
            Outcome::Permanent
        } else {
            Outcome::Transient
        }
    }
}

/// [`decide`]'s rules for a reply already classified as `k` (see [`decide`] for the order).
pub fn plan(reply: &Reply, k: &Classification, attempt: u32, elapsed: Option<u64>, policy: &RetryPolicy) -> Plan {
    // A class 4 status in a 5yz reply (`550 4.2.1`) says the refusal may pass: never final for
    // the address.
    let transient_status =
        reply.status().is_some_and(|s| s.class() == crate::status::StatusClass::PersistentTransientFailure);
    plan_with(Outcome::of_reply(reply), k, || delay_hint(&reply.text_cow()), attempt, elapsed, policy, transient_status)
}

/// [`plan`] for an outcome classified as `k`; `hint` gives the wait the server asked for, if
/// any. A complaint suppresses the address: the recipient said the mail is unwanted, and
/// feedback-loop practice is to stop mailing them (M3AAWG, "Complaint Feedback Loop Best
/// Current Practices").
pub fn plan_outcome(
    outcome: Outcome,
    k: &Classification,
    hint: impl Fn() -> Option<u64>,
    attempt: u32,
    elapsed: Option<u64>,
    policy: &RetryPolicy,
) -> Plan {
    plan_with(outcome, k, hint, attempt, elapsed, policy, false)
}

/// [`plan_outcome`], told whether the reply's status is of class 4 (`transient_status`).
fn plan_with(
    outcome: Outcome,
    k: &Classification,
    hint: impl Fn() -> Option<u64>,
    attempt: u32,
    elapsed: Option<u64>,
    policy: &RetryPolicy,
    transient_status: bool,
) -> Plan {
    let attempt = attempt.max(1);
    let make = |action, delay, suppress, scope, why| Plan { action, delay, suppress, scope, why };
    if outcome == Outcome::Complaint {
        return make(Action::Suppress, None, true, Scope::Address, Why::Complaint);
    }
    if outcome == Outcome::Delivered {
        return make(Action::Delivered, None, false, Scope::Message, Why::Delivered);
    }
    let permanent = outcome == Outcome::Permanent;
    if permanent && k.bounce == Bounce::Hard {
        return make(Action::Suppress, None, true, Scope::Address, Why::Hard);
    }
    // How long the mailbox has refused: since the first attempt, else at least the back-off of
    // the attempts made.
    let at_least = elapsed.unwrap_or_else(|| policy.min_elapsed(attempt));
    if is_full(k.reason) && at_least >= policy.suppress_full_after {
        return make(Action::Suppress, None, true, Scope::Address, Why::FullTooLong);
    }
    // A transient failure ends at the retry limits, whatever its reason: `max_age` since the
    // first attempt (RFC 5321 §4.5.4.1; Postfix's maximal_queue_lifetime), and `max_attempts`.
    // Without the time of the first attempt, at least the back-off delays of the attempts made
    // have passed (`RetryPolicy::min_elapsed`), so that attempts alone end the retries.
    if !permanent {
        if elapsed.is_some_and(|e| e >= policy.max_age) {
            return make(Action::GiveUp, None, false, Scope::Message, Why::TooOld);
        }
        if elapsed.is_none() && policy.min_elapsed(attempt) >= policy.max_age {
            return make(Action::GiveUp, None, false, Scope::Message, Why::TooManyRetries { attempts: attempt });
        }
        if policy.max_attempts.is_some_and(|m| attempt >= m) {
            return make(Action::GiveUp, None, false, Scope::Message, Why::TooManyAttempts);
        }
    }
    // What the provider documents for this reply, where the reason alone would decide otherwise
    // (the rule's `action` and its source in data/rules.toml).
    if let Some(m) = k.rule
        && let Some(action) = m.rule.action
    {
        let scope = if m.rule.destination { Scope::Destination } else { Scope::Message };
        let why = Why::Documented { rule: m.rule.id };
        return match action {
            RuleAction::Suppress => make(Action::Suppress, None, true, Scope::Address, why),
            RuleAction::GiveUp => make(Action::GiveUp, None, false, scope, why),
            RuleAction::Throttle => {
                make(Action::Throttle, Some(hint().unwrap_or(policy.throttle_delay)), false, Scope::Destination, why)
            }
            RuleAction::FixConfig if permanent => make(Action::FixConfig, None, false, scope, why),
            RuleAction::FixConfig => {
                make(Action::FixConfig, Some(hint().unwrap_or_else(|| policy.backoff(attempt))), false, scope, why)
            }
            RuleAction::Message if permanent => make(Action::GiveUp, None, false, Scope::Message, why),
            RuleAction::Message => {
                make(Action::Retry, Some(hint().unwrap_or_else(|| policy.backoff(attempt))), false, Scope::Message, why)
            }
        };
    }
    // A rate limit, or a temporary refusal for the sender's reputation (Yahoo [TSS04],
    // Microsoft 4.7.650 "rate limited due to IP reputation"): slow down towards the destination.
    if is_throttle(k.reason) || (!permanent && is_reputation(k.reason)) {
        let delay = hint().unwrap_or(policy.throttle_delay);
        return make(Action::Throttle, Some(delay), false, Scope::Destination, Why::Throttle);
    }
    if permanent {
        // A disabled or suspended account, refused for good (`550 5.2.1 The email account that
        // you tried to reach is disabled`, Google's SMTP error reference; Yahoo's "This mailbox
        // is disabled"): providers close such accounts, and sending services suppress them.
        // The bounce stays soft (the mailbox exists; Sisimai's `suspend`), the address is done.
        if k.reason == Reason::Suspend && !transient_status {
            return make(Action::Suppress, None, true, Scope::Address, Why::Disabled);
        }
        // RFC 5321 §4.2.1: after a 5yz reply the client should not repeat the exact request.
        // MTAs act on the basic code, so `550 4.2.2` stops here too (its reason stays soft).
        if is_sender_config(k.reason) {
            return make(Action::FixConfig, None, false, sender_config_scope(k.reason), Why::SenderConfig);
        }
        if is_reputation(k.reason) {
            return make(Action::GiveUp, None, false, Scope::Destination, Why::Reputation);
        }
        let scope = if k.reason.entry().fault == Fault::Sender { Scope::Destination } else { Scope::Message };
        return make(Action::GiveUp, None, false, scope, Why::Permanent);
    }
    // Transient (4yz, or a bare 4.X.X status); past the retry limits it was given up above.
    let hint = hint();
    // A temporary refusal whose remedy is the sender's setup (Gmail's 421 4.7.26–4.7.40 "rate
    // limited because it is unauthenticated / SPF / DKIM / DMARC …", a missing PTR): fix it; the
    // message may be retried after the delay.
    if is_sender_config(k.reason) {
        let delay = hint.unwrap_or_else(|| policy.backoff(attempt));
        return make(Action::FixConfig, Some(delay), false, sender_config_scope(k.reason), Why::SenderConfigRetry);
    }
    if k.rule.is_some_and(|m| m.rule.greylisting) {
        return make(
            Action::Retry,
            Some(hint.unwrap_or(policy.greylist_delay)),
            false,
            Scope::Message,
            Why::Greylisting,
        );
    }
    let delay = hint.unwrap_or_else(|| policy.backoff(attempt));
    make(Action::Retry, Some(delay), false, Scope::Message, Why::Transient { asked: hint.is_some() })
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
        // Mailbox full: retry, then suppress once it has lasted suppress_full_after.
        assert_eq!(d("452 4.2.2 full", 1, Some(3600)).action, Action::Retry);
        let x = d("452 4.2.2 full", 9, Some(5 * 86400));
        assert_eq!((x.action, x.suppress, x.scope), (Action::Suppress, true, Scope::Address));
        // Gmail's 4.7.28 (mail flood) is a rate limit: throttle the destination.
        let x = d("421 4.7.28 unusual rate", 1, None);
        assert_eq!((x.action, x.delay, x.scope), (Action::Throttle, Some(900), Scope::Destination));
        // The server's own delay wins.
        assert_eq!(d("451 4.3.0 Please try again in 10 minutes", 1, None).delay, Some(600));
        assert_eq!(d("421 4.7.28 retry after 30 seconds", 1, None).delay, Some(30));
    }

    #[test]
    fn min_elapsed_is_the_backoff_so_far() {
        let p = RetryPolicy::default();
        assert_eq!((1..=7).map(|a| p.min_elapsed(a)).collect::<Vec<_>>(), vec![0, 300, 900, 2100, 4500, 8500, 12500]);
        // Each later wait is max_delay: the sum, not a loop over every attempt.
        assert_eq!(p.min_elapsed(1000), 4500 + 4000 * 995);
        assert_eq!(p.min_elapsed(u32::MAX), 4500 + 4000 * u64::from(u32::MAX - 5));
        let slow = RetryPolicy { base_delay: 1, max_delay: u64::MAX, ..p };
        assert!(slow.min_elapsed(u32::MAX) > 0);
    }

    /// Attempts alone end the retries: without the time of the first attempt, the back-off of
    /// the attempts made is the least time that has passed (issue: `decide(reply,
    /// attempt=1000)` used to say RETRY for ever).
    #[test]
    fn retries_end_by_attempts() {
        let p = RetryPolicy::default();
        // 4,000 s a wait from the fifth: past 5 days (432,000 s) at attempt 112.
        let first_past = (1..200).find(|&a| p.min_elapsed(a) >= p.max_age).unwrap();
        assert_eq!(first_past, 112);
        assert_eq!(d("451 4.3.0 try later", first_past - 1, None).action, Action::Retry);
        let x = d("451 4.3.0 try later", first_past, None);
        assert_eq!((x.action, x.scope), (Action::GiveUp, Scope::Message));
        assert!(x.explanation.contains("112 attempts"), "{}", x.explanation);
        assert_eq!(d("451 4.3.0 try later", 1000, None).action, Action::GiveUp);
        // Rate limits end too, and a mailbox full that long is abandoned.
        assert_eq!(d("421 4.7.28 unusual rate", 1000, None).action, Action::GiveUp);
        assert_eq!(d("452 4.2.2 full", 1000, None).action, Action::Suppress);
        // A known first attempt wins over the estimate.
        assert_eq!(d("451 4.3.0 try later", 1000, Some(60)).action, Action::Retry);
        // max_attempts ends it first when set, and says so.
        let capped = RetryPolicy { max_attempts: Some(5), ..p };
        let x = decide(&parse("451 4.3.0 try later").unwrap(), 5, None, &capped);
        assert_eq!(x.action, Action::GiveUp);
        assert!(x.explanation.contains("attempt limit"), "{}", x.explanation);
        assert_eq!(decide(&parse("451 4.3.0 try later").unwrap(), 4, None, &capped).action, Action::Retry);
    }

    #[test]
    fn disabled_accounts_are_suppressed() {
        let x = d("550 5.2.1 The email account that you tried to reach is disabled.", 1, None);
        assert_eq!((x.action, x.suppress, x.scope), (Action::Suppress, true, Scope::Address));
        assert_eq!(x.classification.bounce, Bounce::Soft);
        // A recipient receiving too fast is the recipient's limit, not the destination's (Google's
        // SMTP error reference: "resend your message at a later time"): retry this message.
        let x = d("450 4.2.1 The user you are trying to contact is receiving mail too quickly", 1, None);
        assert_eq!((x.action, x.scope), (Action::Retry, Scope::Message));
        assert!(x.explanation.contains("recipient-receiving-too-fast"), "{}", x.explanation);
        let x = d("550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents it", 1, None);
        assert_eq!((x.action, x.suppress), (Action::GiveUp, false));
    }

    #[test]
    fn providers_documented_actions() {
        // Gmail's 421 4.7.26–4.7.40 authentication rate limits: the fix is the sender's setup, and
        // the message may be retried afterwards (issue 15).
        let x = d("421 4.7.26 This mail has been rate limited because it is unauthenticated.", 1, None);
        assert_eq!((x.action, x.scope), (Action::FixConfig, Scope::Message));
        assert!(x.delay.is_some_and(|s| s > 0) && x.explanation.contains("then retry"), "{x:?}");
        let x = d("421 4.7.27 This mail has been rate limited because SPF didn't pass.", 1, None);
        assert_eq!(x.action, Action::FixConfig);
        // The sender's address refused: FIX_CONFIG, not GIVE_UP.
        assert_eq!(d("553 5.1.8 <a@b>: Sender address rejected: Domain not found", 1, None).action, Action::FixConfig);
        // A missing PTR keeps the whole destination shut until fixed.
        let x = d("450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.1]", 1, None);
        assert_eq!((x.action, x.scope), (Action::FixConfig, Scope::Destination));
        // Yahoo's 421 [TS03] is final despite its code.
        let x = d("421 4.7.1 [TS03] All messages from 192.0.2.1 permanently deferred", 1, None);
        assert_eq!((x.action, x.scope), (Action::GiveUp, Scope::Destination));
        assert!(x.explanation.contains("yahoo-permanently-deferred"), "{}", x.explanation);
        // Blocks the provider lifts by itself: THROTTLE, although the code is 5yz.
        let x = d(
            "554 192.0.2.1 has been temporarily blocked for attempting to mail too many invalid recipients. IB112",
            1,
            None,
        );
        assert_eq!((x.action, x.scope, x.suppress), (Action::Throttle, Scope::Destination, false));
        // The recipient's organisation blocks this sender: give up, nothing to configure.
        assert_eq!(d("550 Administrative prohibition - envelope blocked", 1, None).action, Action::GiveUp);
        // Connection limits slow down.
        assert_eq!(d("421 4.7.0 Too many open connections", 1, None).action, Action::Throttle);
        // A documented action never outlives the retry limits of a transient reply.
        assert_eq!(
            d("421 4.7.26 rate limited because it is unauthenticated", 1, Some(6 * 86400)).action,
            Action::GiveUp
        );
    }

    #[test]
    fn delay_hints() {
        assert_eq!(delay_hint("try again in 5 minutes"), Some(300));
        assert_eq!(delay_hint("Please retry after 300 seconds"), Some(300));
        assert_eq!(delay_hint("try again later in 1 hour"), Some(3600));
        assert_eq!(delay_hint("wait for 2 hrs"), Some(7200));
        assert_eq!(delay_hint("try again later"), None);
        assert_eq!(delay_hint("retry in 0 s"), Some(1));
    }
}
