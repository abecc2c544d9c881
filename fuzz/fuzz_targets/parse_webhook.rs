//! Bytes → `smtpcodes::webhooks::parse_webhook` (the first byte picks a provider, or none);
//! every event it reads becomes a ledger event (`Event::from_webhook`), and the ledger's fold
//! over them holds its promises: the same state in any order and with repeats, and a
//! destination's counts adding up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtpcodes::ledger::{self, Event, Fact, LedgerPolicy};
use smtpcodes::webhooks::parse_webhook;

const PROVIDERS: [Option<&str>; 6] = [None, Some("ses"), Some("sendgrid"), Some("mailgun"), Some("postmark"), Some("sparkpost")];

fuzz_target!(|data: &[u8]| {
    let Some((&first, payload)) = data.split_first() else { return };
    let provider = PROVIDERS[usize::from(first) % PROVIDERS.len()];
    let events = match parse_webhook(payload, provider) {
        Ok(events) => events,
        Err(e) => {
            assert!(!e.message.is_empty());
            return;
        }
    };
    let mut made: Vec<Event> = Vec::new();
    for w in &events {
        if let Some(Ok(e)) = Event::from_webhook(w, 0) {
            assert!(!e.id.is_empty());
            assert_eq!(ledger::normalize_address(&e.address).as_deref(), Ok(e.address.as_str()));
            made.push(e);
        }
    }
    let policy = LedgerPolicy::default();
    let now = made.iter().map(|e| e.at).max().unwrap_or(0);
    for address in made.iter().map(|e| e.address.clone()) {
        let mine: Vec<Fact<'_>> = made.iter().filter(|e| e.address == address).map(Event::fact).collect();
        let state = ledger::address_state(&mine, &policy, now);
        let mut backwards = mine.clone();
        backwards.reverse();
        backwards.extend(mine.iter().copied());
        assert_eq!(ledger::address_state(&backwards, &policy, now), state, "order or repeats changed {address}");
        let _ = state.explanation(&policy);
    }
    let facts: Vec<Fact<'_>> = made.iter().map(Event::fact).collect();
    let h = ledger::destination_health(&facts, &policy, now);
    assert_eq!(h.attempts, h.delivered + h.deferred + h.bounced);
    assert!(h.throttled + h.blocked + h.policy + h.unavailable <= h.attempts);
});
