//! qmail's bounce (qmail-send.c): `Subject: failure notice`, the opening `Hi. This is the
//! qmail-send program at HOST.` and `I'm afraid I wasn't able to deliver your message to the
//! following addresses.`, then per recipient a line `<address>:` followed by what qmail-remote
//! or qmail-local said (`Remote host said: 550 …`, `Sorry, no mailbox here by that name.
//! (#5.1.1)`), and the returned message after `--- Below this line is a copy of the message.`
//! (`--- Enclosed is a copy of the message.` when it is a MIME attachment).
//!
//! Yahoo's bounce has the same layout with its own opening, `Sorry, we were unable to deliver
//! your message to the following address.`, the reply as `Remote host said: 550 … [RCPT_TO]`
//! (the command as a tag) or `550: 5.1.1 …`; it is read here and reported as `yahoo`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use std::borrow::Cow;

const MARKERS: &[&str] = &[
    "This is the qmail-send program at",
    "I'm afraid I wasn't able to deliver your message to the following addresses",
];
const YAHOO: &str = "Sorry, we were unable to deliver your message to the following address";
const COPY_MARKERS: &[&str] =
    &["--- Below this line is a copy of the message", "--- Enclosed is a copy of the message"];
/// Text qmail adds after the reply, which is not part of it.
const TAIL_MARKERS: &[&str] = &["Giving up on ", "I'm not going to try again", "(Other MXes tried"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let yahoo = text::contains(body, YAHOO);
    if !yahoo && !MARKERS.iter().any(|m| text::contains(body, m)) {
        return None;
    }
    let head = text::cut(body, COPY_MARKERS);
    // Yahoo's `550: 5.2.2 …`: the colon after the code is not SMTP's. (A header line starts
    // with `<`, so this never changes one.)
    let lines = head.lines().map(|line| {
        let t = line.trim();
        match (yahoo, t.split_once(": ")) {
            (true, Some((code, rest))) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => {
                Cow::Owned(format!("{code} {rest}"))
            }
            _ => Cow::Borrowed(t),
        }
    });
    let blocks = text::address_blocks(lines, |t| {
        if t.starts_with('<') && t.ends_with(">:") { text::clean_address(t) } else { None }
    });
    let recipients = blocks
        .into_iter()
        .map(|(address, block)| {
            let block = text::cut(&block, TAIL_MARKERS);
            let cmd = command(block);
            let block = text::cut(block, &["[RCPT_TO]", "[MAIL_FROM]", "[DATA]"]);
            text::recipient_with(address, block, remote(block), cmd)
        })
        .collect();
    Some(text::report(if yahoo { "yahoo" } else { "qmail" }, recipients, text::original(msg)))
}

/// The host qmail-remote names: `Connected to 192.0.2.1 but …`, `192.0.2.1 does not like
/// recipient.`, `remote host 192.0.2.1 said:`, `… RCPT: <a@b> 192.0.2.1 failed after …`.
fn remote(block: &str) -> Option<String> {
    let words: Vec<&str> = block.split_whitespace().take(64).collect();
    for (i, w) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied().unwrap_or_default();
        let host = if w.eq_ignore_ascii_case("to") && i > 0 && words.get(i - 1) == Some(&"Connected") {
            next(1)
        } else if (next(1) == "does" && next(2) == "not" && next(3) == "like")
            || (next(1) == "failed" && next(2) == "after")
        {
            w
        } else {
            continue;
        };
        if host.contains('.') && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':') {
            return Some(host.to_string());
        }
    }
    text::remote_host_in(block)
}

/// The command qmail-remote's wording names.
fn command(block: &str) -> Option<String> {
    let c = if text::contains(block, "does not like recipient") || text::contains(block, "[RCPT_TO]") {
        "RCPT TO"
    } else if text::contains(block, "sender was rejected") || text::contains(block, "[MAIL_FROM]") {
        "MAIL FROM"
    } else if text::contains(block, "my name was rejected") {
        "HELO"
    } else if text::contains(block, "failed after I sent the message")
        || text::contains(block, "failed on DATA command")
        || text::contains(block, "[DATA]")
    {
        "DATA"
    } else {
        return text::command_in(block);
    };
    Some(c.to_string())
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    const BOUNCE: &str = r#"From: MAILER-DAEMON@mx.example.org
To: alice@example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bob@example.net>:
192.0.2.7 does not like recipient.
Remote host said: 550 5.1.1 <bob@example.net>... User Unknown
Giving up on 192.0.2.7.

<carol@example.net>:
Sorry, I couldn't find any host named example.net. (#5.1.2)

<dave@example.net>:
This address no longer accepts mail.

--- Below this line is a copy of the message.

From: alice@example.org
Subject: 550 5.7.1

hi
"#;

    #[test]
    fn qmail_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "qmail");
        assert_eq!(r.recipients.len(), 3);
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.remote_mta.as_deref(), Some("192.0.2.7"));
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
        let carol = &r.recipients[1];
        assert!(carol.reply.as_ref().unwrap().code().is_none());
        assert_eq!(carol.status.unwrap().to_string(), "5.1.2");
        assert!(r.recipients[2].reply.is_none());
    }

    #[test]
    fn yahoo_bounce() {
        let email = "From: MAILER-DAEMON@yahoo.example\nSubject: Failure Notice\n\n\
Sorry, we were unable to deliver your message to the following address.\n\n\
<bob@example.net>:\nRemote host said: 550 5.2.2 <bob@example.net>... Mailbox Full [RCPT_TO]\n\n\
<carol@example.net>:\n501: 5.1.8 Sender address rejected\n\n\
--- Below this line is a copy of the message.\n\nSubject: 550 5.1.1\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "yahoo");
        let bob = &r.recipients[0];
        assert_eq!(bob.smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(bob.reason, crate::Reason::MailboxFull);
        let carol = r.recipients[1].reply.as_ref().unwrap();
        assert_eq!(carol.code().unwrap().value(), 501);
        assert_eq!(carol.status().unwrap().to_string(), "5.1.8");
    }
}
