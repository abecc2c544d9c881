use super::replay::{VecRows, replay};
use super::*;
use proptest::prelude::*;

const DAY: i64 = 86_400 * MICROS;
const T0: i64 = 1_780_000_000 * MICROS;

fn ev(kind: EventKind, at: i64, reason: Reason, bounce: Bounce, id: &str) -> Event {
    let mut e = Event::new("Bob@Example.COM", at, kind, Source::Manual).unwrap();
    e.reason = reason;
    e.bounce = bounce;
    e.id = id.to_string();
    e
}

fn state(events: &[Event], policy: &LedgerPolicy, now: i64) -> AddressState {
    let facts: Vec<Fact<'_>> = events.iter().map(Event::fact).collect();
    address_state(&facts, policy, now)
}

fn soft(at: i64, id: &str) -> Event {
    ev(EventKind::Bounced, at, Reason::MailboxFull, Bounce::Soft, id)
}

#[test]
fn addresses_are_normalized() {
    assert_eq!(normalize_address(" <Bob@Example.COM> ").unwrap(), "bob@example.com");
    for bad in ["", "bob", "@example.com", "bob@", "bo b@example.com", "a@b\u{1}c"] {
        assert!(normalize_address(bad).is_err(), "{bad:?}");
    }
    assert!(normalize_address(&format!("{}@example.com", "a".repeat(400))).is_err());
    assert_eq!(domain_of("bob@example.com"), "example.com");
}

#[test]
fn a_hard_bounce_suppresses_at_once_and_for_good() {
    let p = LedgerPolicy::default();
    let e = [ev(EventKind::Bounced, T0, Reason::UserUnknown, Bounce::Hard, "b1")];
    let s = state(&e, &p, T0 + 400 * DAY);
    assert_eq!(s.status, AddressStatus::Suppressed);
    assert_eq!(s.cause, Some(Cause::HardBounce));
    assert_eq!(s.reason, Some(Reason::UserUnknown));
    assert_eq!((s.since, s.until), (Some(T0), None));
    assert_eq!(s.events, vec!["b1".to_string()]);
    assert!(!s.can_send());
    assert!(s.explanation(&p).contains("hard-bounced (userunknown)"), "{}", s.explanation(&p));
    // A delivery later does not lift a suppression: only a release or its end does.
    let mut later = e.to_vec();
    later.push(ev(EventKind::Delivered, T0 + DAY, Reason::Delivered, Bounce::None, "d1"));
    assert_eq!(state(&later, &p, T0 + 2 * DAY).status, AddressStatus::Suppressed);
    later.push(ev(EventKind::Released, T0 + 2 * DAY, Reason::Suppressed, Bounce::None, "r1"));
    let s = state(&later, &p, T0 + 3 * DAY);
    assert_eq!((s.status, s.released), (AddressStatus::Active, Some(T0 + 2 * DAY)));
    assert!(s.can_send());
    assert!(s.explanation(&p).contains("lifted by a release"), "{}", s.explanation(&p));
}

#[test]
fn a_hard_bounce_suppression_may_expire() {
    let p = LedgerPolicy { hard_bounce_ttl: Some(30 * 86_400), ..LedgerPolicy::default() };
    let e = [ev(EventKind::Bounced, T0, Reason::UserUnknown, Bounce::Hard, "b1")];
    assert_eq!(state(&e, &p, T0 + 29 * DAY).until, Some(T0 + 30 * DAY));
    let s = state(&e, &p, T0 + 30 * DAY);
    assert_eq!((s.status, s.expired), (AddressStatus::Active, Some(T0 + 30 * DAY)));
    assert!(s.explanation(&p).contains("ended"), "{}", s.explanation(&p));
}

#[test]
fn a_complaint_suppresses_and_outranks_a_bounce() {
    let p = LedgerPolicy::default();
    let e = [
        ev(EventKind::Bounced, T0, Reason::UserUnknown, Bounce::Hard, "b1"),
        ev(EventKind::Complained, T0 + DAY, Reason::Feedback, Bounce::None, "c1"),
    ];
    let s = state(&e, &p, T0 + 2 * DAY);
    assert_eq!((s.status, s.cause, s.since), (AddressStatus::Complained, Some(Cause::Complaint), Some(T0)));
    assert_eq!(s.events, vec!["b1".to_string(), "c1".to_string()]);
    let off = LedgerPolicy { complaint_suppresses: false, ..p };
    assert_eq!(state(&e[1..], &off, T0 + 2 * DAY).status, AddressStatus::Active);
}

#[test]
fn soft_bounces_suppress_after_the_limit_over_the_span() {
    let p = LedgerPolicy::default();
    // Seven in one day: one outage, not a dead mailbox.
    let burst: Vec<Event> = (0..7).map(|i| soft(T0 + i * 3600 * MICROS, &format!("s{i}"))).collect();
    let s = state(
        &burst,
        &LedgerPolicy { retry: RetryPolicy { suppress_full_after: 99 * 86_400, ..p.retry }, ..p },
        T0 + DAY,
    );
    assert_eq!((s.status, s.soft_count), (AddressStatus::SoftBouncing, 7));
    assert!(s.can_send());
    // Seven over six days: suppressed.
    let spread: Vec<Event> = (0..7)
        .map(|i| ev(EventKind::Bounced, T0 + i * DAY, Reason::Undefined, Bounce::Soft, &format!("s{i}")))
        .collect();
    let s = state(&spread, &p, T0 + 7 * DAY);
    assert_eq!((s.status, s.cause, s.soft_count), (AddressStatus::Suppressed, Some(Cause::SoftBounces), 7));
    assert_eq!(s.events.len(), 7);
    assert!(s.explanation(&p).contains("soft-bounced 7 times"), "{}", s.explanation(&p));
    // A delivery in between starts the count again.
    let mut broken = spread.clone();
    broken.push(ev(EventKind::Delivered, T0 + 3 * DAY + 1, Reason::Delivered, Bounce::None, "d"));
    let s = state(&broken, &p, T0 + 7 * DAY);
    assert_eq!((s.status, s.soft_count), (AddressStatus::SoftBouncing, 3));
}

#[test]
fn blocks_and_rate_limits_never_count_against_the_address() {
    let p = LedgerPolicy::default();
    let e: Vec<Event> = (0..20)
        .map(|i| {
            let r = if i % 2 == 0 { Reason::Blocked } else { Reason::RateLimited };
            ev(EventKind::Bounced, T0 + i * DAY, r, Bounce::Soft, &format!("x{i}"))
        })
        .collect();
    let s = state(&e, &p, T0 + 30 * DAY);
    assert_eq!((s.status, s.soft_count), (AddressStatus::Active, 0));
    assert!(!about_address(Reason::Blocked) && about_address(Reason::MailboxFull));
}

#[test]
fn a_mailbox_full_for_the_retry_policys_limit_is_suppressed() {
    let p = LedgerPolicy::default();
    let e = [
        ev(EventKind::Deferred, T0, Reason::MailboxFull, Bounce::Soft, "f1"),
        ev(EventKind::Deferred, T0 + 2 * DAY, Reason::MailboxFull, Bounce::Soft, "f2"),
        ev(EventKind::Deferred, T0 + 5 * DAY, Reason::MailboxFull, Bounce::Soft, "f3"),
    ];
    assert_eq!(state(&e[..2], &p, T0 + 2 * DAY).status, AddressStatus::Active);
    let s = state(&e, &p, T0 + 5 * DAY);
    assert_eq!((s.status, s.cause), (AddressStatus::Suppressed, Some(Cause::MailboxFull)));
    assert!(s.explanation(&p).contains("mailbox has been full for 5.0 days"), "{}", s.explanation(&p));
}

#[test]
fn a_decision_to_suppress_suppresses() {
    let p = LedgerPolicy::default();
    let mut e = ev(EventKind::Bounced, T0, Reason::Suspend, Bounce::Soft, "x");
    e.action = Some(Action::Suppress);
    assert_eq!(state(&[e], &p, T0).cause, Some(Cause::HardBounce));
}

#[test]
fn manual_suppressions_and_unsubscribes() {
    let p = LedgerPolicy::default();
    let mut m = ev(EventKind::Suppressed, T0, Reason::Suppressed, Bounce::None, "m");
    m.until = Some(T0 + DAY);
    assert_eq!(state(std::slice::from_ref(&m), &p, T0 + 1).cause, Some(Cause::Manual));
    assert_eq!(state(&[m], &p, T0 + DAY).status, AddressStatus::Active);
    let u = ev(EventKind::Unsubscribed, T0, Reason::Suppressed, Bounce::None, "u");
    assert_eq!(state(&[u], &p, T0 + 900 * DAY).cause, Some(Cause::Unsubscribed));
}

#[test]
fn no_events_is_active() {
    let s = state(&[], &LedgerPolicy::default(), T0);
    assert_eq!(s.status, AddressStatus::Active);
    assert!(s.explanation(&LedgerPolicy::default()).contains("no event"));
}

#[test]
fn from_a_reply_and_its_decision() {
    let r = crate::parse(
        "host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>: User unknown (in reply to RCPT TO command)",
    )
    .unwrap();
    let d = crate::decide(&r, 1, None, &RetryPolicy::default());
    let e = Event::from_reply("bob@example.com", T0, &r, &d).unwrap();
    assert_eq!(
        (e.kind, e.reason, e.bounce, e.action),
        (EventKind::Bounced, Reason::UserUnknown, Bounce::Hard, Some(Action::Suppress))
    );
    assert_eq!(e.mx.as_deref(), Some("mx.example.com"));
    assert!(e.id.starts_with("h:"));
    let g = crate::parse("421-4.7.28 Our system has detected an unusual rate of unsolicited mail. - gsmtp").unwrap();
    let d = crate::decide(&g, 1, None, &RetryPolicy::default());
    let e = Event::from_reply("bob@example.com", T0, &g, &d).unwrap();
    assert_eq!((e.kind, e.provider), (EventKind::Deferred, Some("google")));
    let ok = crate::parse("250 2.0.0 OK").unwrap();
    let d = crate::decide(&ok, 1, None, &RetryPolicy::default());
    assert_eq!(Event::from_reply("bob@example.com", T0, &ok, &d).unwrap().kind, EventKind::Delivered);
}

#[test]
fn from_a_bounce_report() {
    let raw = b"From: MAILER-DAEMON@mx.example.net\r\nTo: sender@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\nArrival-Date: Mon, 7 Dec 2026 06:00:00 +0000\r\n\r\nFinal-Recipient: rfc822; Bob@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.example.com\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m1@example.org>\r\nFrom: sender@example.org\r\n\r\n--B--\r\n";
    let report = crate::parse_bounce(raw).unwrap();
    let e = Event::from_bounce(&report, &report.recipients[0], 0).unwrap();
    assert_eq!(e.address, "bob@example.com");
    assert_eq!((e.kind, e.bounce), (EventKind::Bounced, Bounce::Hard));
    assert_eq!(e.id, "m1@example.org:bob@example.com:bounced");
    assert_eq!(format_time(e.at), "2026-12-07T06:00:00Z");
    assert_eq!(e.mx.as_deref(), Some("mx.example.com"));
}

#[test]
fn times_and_durations_read_well() {
    assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_time(T0), "2026-05-28T20:26:40Z");
    assert_eq!(format_time(-MICROS), "1969-12-31T23:59:59Z");
    assert_eq!(duration(5 * 86_400), "5 days");
    assert_eq!(duration(3600), "1 hour");
    assert_eq!(duration(90), "90 seconds");
    assert_eq!(parse_date("Mon, 7 Dec 2026 06:00:00 +0100"), Some(1_796_619_600 * MICROS));
    assert_eq!(parse_date("not a date"), None);
}

fn health_events(n: u32, bad: u32, reason: Reason, kind: EventKind) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let at = T0 - i64::from(i) * MICROS;
            if i < bad {
                ev(kind, at, reason, Bounce::Soft, &format!("h{i}"))
            } else {
                ev(EventKind::Delivered, at, Reason::Delivered, Bounce::None, &format!("h{i}"))
            }
        })
        .collect()
}

fn health(events: &[Event], p: &LedgerPolicy) -> DestinationHealth {
    let facts: Vec<Fact<'_>> = events.iter().map(Event::fact).collect();
    destination_health(&facts, p, T0)
}

#[test]
fn destination_health_advice() {
    let p = LedgerPolicy::default();
    let h = health(&health_events(40, 2, Reason::RateLimited, EventKind::Deferred), &p);
    assert_eq!((h.advice, h.attempts, h.throttled), (Advice::Ok, 40, 2));
    let h = health(&health_events(40, 12, Reason::RateLimited, EventKind::Deferred), &p);
    assert_eq!(h.advice, Advice::SlowDown);
    assert_eq!((h.pause, h.rate_per_hour), (Some(900), Some(14)));
    assert!(
        h.reasons.iter().any(|r| r.contains("12 of 40 attempts (30 %) in the last 1 hour were deferred")),
        "{:?}",
        h.reasons
    );
    let h = health(&health_events(40, 25, Reason::Blocked, EventKind::Bounced), &p);
    assert_eq!(h.advice, Advice::Stop);
    assert_eq!(h.until, Some(T0 + 3600 * MICROS));
    // Too few attempts to judge; old events are outside the window.
    assert_eq!(health(&health_events(10, 10, Reason::Blocked, EventKind::Bounced), &p).advice, Advice::Ok);
    let mut old = health_events(40, 40, Reason::Blocked, EventKind::Bounced);
    old.iter_mut().for_each(|e| e.at -= 2 * 3600 * MICROS);
    assert_eq!(health(&old, &p).attempts, 0);
}

fn arb_event() -> impl Strategy<Value = Event> {
    let kinds = prop::sample::select(EventKind::ALL.to_vec());
    let reasons = prop::sample::select(vec![
        Reason::UserUnknown,
        Reason::MailboxFull,
        Reason::Blocked,
        Reason::Undefined,
        Reason::RateLimited,
    ]);
    let bounces = prop::sample::select(Bounce::ALL.to_vec());
    (kinds, reasons, bounces, 0i64..20, 0u8..30, prop::option::of(0i64..25))
        .prop_map(|(kind, reason, bounce, day, id, until)| {
            let mut e = ev(kind, T0 + day * DAY, reason, bounce, &format!("e{id}"));
            e.until = until.map(|u| T0 + u * DAY);
            e
        })
        // One id, one event: the same id with other content is not "the same event".
        .prop_map(|mut e| {
            e.id = format!("{}-{:?}-{:?}-{:?}-{}-{:?}", e.id, e.kind, e.reason, e.bounce, e.at, e.until);
            e
        })
}

proptest! {
    /// Replaying the same events in any order of arrival gives the same state.
    #[test]
    fn any_order_gives_the_same_state(events in prop::collection::vec(arb_event(), 0..40), seed in any::<u64>()) {
        let p = LedgerPolicy { soft_bounce_limit: 3, hard_bounce_ttl: Some(5 * 86_400), ..LedgerPolicy::default() };
        let now = T0 + 22 * DAY;
        let a = state(&events, &p, now);
        let mut shuffled = events.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&a, &state(&shuffled, &p, now));
        // Recording an event twice changes nothing.
        let mut twice = events.clone();
        twice.extend(events.iter().take(5).cloned());
        prop_assert_eq!(&a, &state(&twice, &p, now));
        // The destination's health does not depend on order or repeats either.
        prop_assert_eq!(health(&events, &p), health(&shuffled, &p));
    }

    /// A replay over many addresses gives each address the state its own events give.
    #[test]
    fn replay_matches_each_address(events in prop::collection::vec((arb_event(), 0u8..6), 0..60)) {
        let p = LedgerPolicy::default();
        let now = T0 + 22 * DAY;
        let mut rows = VecRows::default();
        let mut by: std::collections::BTreeMap<String, Vec<Event>> = Default::default();
        for (mut e, who) in events {
            e.address = format!("user{who}@example.com");
            rows.push(&e);
            by.entry(e.address.clone()).or_default().push(e);
        }
        let out = replay(&rows, &p, now);
        prop_assert_eq!(out.len(), by.len());
        for r in &out {
            let expected = state(&by[r.address.as_ref()], &p, now);
            prop_assert_eq!(r.full_state(), Some(expected));
        }
    }
}

#[test]
fn replay_reports_bad_rows_and_keeps_input_order() {
    let mut rows = VecRows::default();
    let mut push = |a: Option<&str>, kind: Option<&str>| {
        rows.address.push(a.map(String::from));
        rows.at.push(Some(T0));
        rows.kind.push(kind.map(String::from));
        rows.id.push(None);
        rows.reason.push(Some("userunknown".into()));
        rows.bounce.push(None);
        rows.action.push(None);
        rows.until.push(None);
    };
    push(Some("Zed@Example.com"), Some("bounced"));
    push(Some("not an address"), Some("bounced"));
    push(None, Some("bounced"));
    push(Some("amy@example.com"), Some("bouncd"));
    push(Some("zed@example.com"), Some("delivered"));
    let out = replay(&rows, &LedgerPolicy::default(), T0 + DAY);
    let addresses: Vec<&str> = out.iter().map(|r| r.address.as_ref()).collect();
    assert_eq!(addresses, ["zed@example.com", "not an address", "", "amy@example.com"]);
    assert_eq!(out[0].rows, 2);
    // A reason with no bounce type takes the reason's: userunknown is hard.
    assert_eq!(out[0].state.as_ref().map(|s| s.status), Some(AddressStatus::Suppressed));
    assert!(out[1].error.as_deref().unwrap().contains("not an email address"));
    assert!(out[2].error.as_deref().unwrap().contains("address is missing"));
    assert!(out[3].error.as_deref().unwrap().contains("kind \"bouncd\" is not one of delivered, deferred"));
    assert!(out[3].state.is_none());
}

#[test]
fn from_webhook_events() {
    let payload = br#"[{"email":"Bob@example.com","timestamp":1796601600,"event":"bounce","sg_event_id":"sg-1","type":"bounce","reason":"550 5.1.1 unknown user","status":"5.1.1"},
        {"email":"cy@example.com","timestamp":1796601600,"event":"unsubscribe","sg_event_id":"sg-3"},
        {"email":"eve@example.com","timestamp":1796601600,"event":"click","sg_event_id":"sg-5"}]"#;
    let events = crate::webhooks::parse_webhook(payload, None).unwrap();
    let made: Vec<Option<Event>> = events.iter().map(|w| Event::from_webhook(w, 0).map(Result::unwrap)).collect();
    let bob = made[0].as_ref().unwrap();
    assert_eq!(
        (bob.kind, bob.bounce, bob.id.as_str(), bob.at),
        (EventKind::Bounced, Bounce::Hard, "sg-1", 1_796_601_600 * MICROS)
    );
    assert_eq!((bob.address.as_str(), bob.source), ("bob@example.com", Source::Webhook));
    assert_eq!(made[1].as_ref().map(|e| e.kind), Some(EventKind::Unsubscribed));
    assert!(made[2].is_none());
    assert!(crate::webhooks::unsubscribes(
        &serde_json::json!({"msys": {"unsubscribe_event": {"type": "list_unsubscribe"}}})
    ));
    assert!(!crate::webhooks::unsubscribes(&serde_json::json!({"event": "group_unsubscribe"})));
    assert!(!crate::webhooks::unsubscribes(
        &serde_json::json!({"RecordType": "SubscriptionChange", "SuppressSending": false})
    ));
}
