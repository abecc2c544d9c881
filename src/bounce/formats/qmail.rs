//! qmail's bounce, as qmail-send.c writes it (`injectbounce()` and `addbounce()` in
//! notqmail/notqmail qmail-send.c, the same in netqmail 1.06): `Subject: failure notice`, a
//! `Received: (qmail N invoked for bounce)` line, the opening `Hi. This is the qmail-send
//! program at HOST.` and `I'm afraid I wasn't able to deliver your message to the following
//! addresses.` (for a bounce of a bounce: `I tried to deliver a bounce message to this address,
//! but the bounce bounced!`), then per recipient a line `<address>:` followed by what
//! qmail-remote or qmail-local said (`Remote host said: 550 …`, `Connected to 192.0.2.1 but
//! sender was rejected.`, `Sorry, I couldn't find any host named example.net. (#5.1.2)`,
//! `Sorry, no mailbox here by that name. (#5.1.1)`; vpopmail and chkuser append their name to
//! the status, `(#5.1.1 - chkuser)`), the returned message after `--- Below this line is a copy
//! of the message.` (`--- Below this line is the original bounce.`; `--- Enclosed is a copy of
//! the message.` and `--- Enclosed are the original headers of the message.` with the MIME and
//! header-only patches). `addbounce()` writes a blank line inside a report as a line starting
//! with `/`. qmail sends no delay warnings: a temporary failure becomes a bounce only when the
//! message has been queued too long (`I'm not going to try again; this message has been in the
//! queue too long.` appended), so every recipient of a qmail bounce has failed for good.
//!
//! Derivatives that renamed the program (`Hi. This is the slowq-send program at …`, indimail)
//! or replaced the opening (the `bouncemessage` control file of patched qmail) are recognised by
//! qmail's other marks: the `failure notice` subject or the `invoked for bounce` trace line,
//! together with the copy marker or the `<address>:` layout.
//!
//! Yahoo's bounce has the same layout with its own opening, `Sorry, we were unable to deliver
//! your message to the following address.`, the reply as `Remote host said: 550 … [RCPT_TO]`
//! (the command as a tag) or `550: 5.1.1 …`; it is read here and reported as `yahoo`.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};
use mail_parser::Message;
use std::borrow::Cow;

/// Openings written by qmail-send.c (and kept by its derivatives).
const MARKERS: &[&str] = &[
    "This is the qmail-send program",
    "I'm afraid I wasn't able to deliver your message to the following addresses",
    "I tried to deliver a bounce message to this address, but the bounce bounced",
];
const YAHOO: &str = "Sorry, we were unable to deliver your message to the following address";
const COPY_MARKERS: &[&str] = &[
    "--- Below this line is a copy of the message",
    "--- Below this line is the original bounce",
    "--- Enclosed is a copy of the message",
    "--- Enclosed are the original headers of the message",
];
/// Text qmail adds after the reply, which is not part of it.
const TAIL_MARKERS: &[&str] = &["Giving up on ", "I'm not going to try again", "(Other MXes tried"];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let yahoo = text::contains(body, YAHOO);
    if !yahoo && !MARKERS.iter().any(|m| text::contains(body, m)) && !rewrapped(email) && !derivative(msg, body) {
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
            // addbounce() writes a blank line inside a report as a line starting with `/`.
            (false, _) => Cow::Borrowed(t.strip_prefix('/').map_or(t, str::trim_start)),
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
            let mut r = text::recipient_with(address, block, remote(block), cmd);
            if !yahoo {
                // qmail-send bounces only what it has given up on (see the module comment).
                r.action = Some("failed".to_string());
            }
            r
        })
        .collect();
    Some(text::report(if yahoo { "yahoo" } else { "qmail" }, recipients, text::original(msg)))
}

/// qmail's opening wrapped at other places than qmail's (a relay that reflowed the text):
/// looked for with the white space squeezed, near the top.
fn rewrapped(email: &Email<'_>) -> bool {
    // Words of the markers that no reflow splits: without one, no marker is there.
    if !["qmail-send", "afraid", "bounced"].iter().any(|w| text::contains(email.body(), w)) {
        return false;
    }
    let top = email.top();
    MARKERS.iter().any(|m| text::contains(top, m))
}

/// A qmail bounce under another opening: the `failure notice` subject or the `(qmail N invoked
/// for bounce)` trace line, with qmail's copy marker or a line `<address>:` followed by one of
/// the texts qmail-remote and qmail-local write.
fn derivative(msg: &Message<'_>, body: &str) -> bool {
    let subject = text::subject(msg);
    // The trace line is looked for in the raw header block first (one search), then per field.
    let header_block =
        msg.parts.first().and_then(|p| msg.raw_message.get(..p.offset_body as usize)).unwrap_or_default();
    let traced = subject.trim().eq_ignore_ascii_case("failure notice")
        || memchr::memmem::find(header_block, b"invoked for bounce)").is_some()
            && crate::bounce::mime::root_headers(msg)
                .iter()
                .filter(|h| h.name().eq_ignore_ascii_case("received"))
                .take(32)
                .any(|h| {
                    crate::bounce::mime::raw_value(msg, h)
                        .is_some_and(|v| text::contains(&v, "(qmail ") && text::contains(&v, "invoked for bounce)"))
                });
    if !traced {
        return false;
    }
    if COPY_MARKERS.iter().any(|m| text::contains(body, m)) {
        return true;
    }
    let head = text::prefix(body, 64 * 1024);
    let mut after_address = false;
    for line in head.lines() {
        let t = line.trim();
        if after_address && QMAIL_TEXTS.iter().any(|m| text::contains(t, m)) {
            return true;
        }
        after_address =
            (t.starts_with('<') && t.ends_with(">:") && t.contains('@')) || (after_address && !t.is_empty());
    }
    false
}

/// What qmail-remote and qmail-local write about a recipient (qmail-remote.c, qmail-local.c).
const QMAIL_TEXTS: &[&str] = &[
    "Remote host said:",
    "does not like recipient.",
    "Connected to ",
    "Sorry, I couldn't find any host",
    "Sorry, I wasn't able to establish an SMTP connection",
    "Sorry, no mailbox here by that name",
    "(#5.",
    "(#4.",
];

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
    use crate::bounce::seen;
    use crate::parse_bounce;
    use crate::{Bounce, Reason};

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

    /// netqmail's wording with CRLF line ends, a report with a blank line (written as `/`), a
    /// temporary failure given up on, vpopmail's status and a sender rejection.
    #[test]
    fn qmail_variants() {
        let email = "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: failure notice\n\n\
Hi. This is the qmail-send program at mx.example.org.\n\
I'm afraid I wasn't able to deliver your message to the following addresses.\n\
This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
<bob@example.net>:\n\
Connected to 192.0.2.8 but sender was rejected.\n\
Remote host said: 553 sorry, your envelope sender is in my badmailfrom list (#5.7.1)\n\n\
<carol@example.net>:\n\
192.0.2.9 does not like recipient.\n\
Remote host said: 450 4.2.0 <carol@example.net>: Recipient address rejected: Greylisted\n\
/\n\
Giving up on 192.0.2.9.\n\
I'm not going to try again; this message has been in the queue too long.\n\n\
<dave@example.com>:\n\
Sorry, no mailbox here by that name. vpopmail (#5.1.1)\n\n\
--- Below this line is a copy of the message.\n\nReturn-Path: <alice@example.org>\nSubject: 421 4.4.1\n\nhi\n"
            .replace('\n', "\r\n");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "qmail");
        assert_eq!(r.recipients.len(), 3);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(553), Some("5.7.1".into()), bob.reason));
        assert_eq!(bob.smtp_command.as_deref(), Some("MAIL FROM"));
        assert_eq!(bob.remote_mta.as_deref(), Some("192.0.2.8"));
        assert_eq!(bob.action.as_deref(), Some("failed"));
        let carol = &r.recipients[1];
        assert_eq!(seen(carol).0, "carol@example.net");
        assert_eq!(seen(carol).1, Some(450));
        assert_eq!(carol.smtp_command.as_deref(), Some("RCPT TO"));
        // Given up on: a failure, however temporary the last reply was.
        assert_eq!(carol.action.as_deref(), Some("failed"));
        let dave = &r.recipients[2];
        assert_eq!(seen(dave), ("dave@example.com", None, Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(dave.bounce, Bounce::Hard);
    }

    /// The bounce of a bounce, and a banner without `at HOST`.
    #[test]
    fn qmail_double_bounce() {
        let email = "From: MAILER-DAEMON@mx.example.org\nTo: postmaster@example.org\nSubject: failure notice\n\n\
Hi. This is the qmail-send program.\n\
I tried to deliver a bounce message to this address, but the bounce bounced!\n\n\
<alice@example.net>:\n\
Sorry, I couldn't find any host named example.net. (#5.1.2)\n\n\
--- Below this line is the original bounce.\n\nReturn-Path: <>\n\n\
Hi. This is the qmail-send program at mx.example.org.\n<x@example.com>:\n550 5.1.1 no\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "qmail");
        assert_eq!(r.recipients.len(), 1);
        let alice = &r.recipients[0];
        assert_eq!(seen(alice), ("alice@example.net", None, Some("5.1.2".into()), Reason::HostUnknown));
    }

    /// A derivative that renamed the program, and a patched qmail whose opening is the site's
    /// own text (`bouncemessage`): known by the subject or the trace line and qmail's layout.
    #[test]
    fn qmail_derivatives() {
        let renamed = BOUNCE.replace("qmail-send program", "slowq-send program");
        let r = parse_bounce(renamed.as_bytes()).unwrap();
        assert_eq!(r.format, "qmail");
        assert_eq!(r.recipients.len(), 3);
        let custom = "From: MAILER-DAEMON@mx.example.org\n\
Received: (qmail 4242 invoked for bounce); 1 Mar 2024 10:00:00 -0000\nSubject: Undeliverable\n\n\
Ihre Nachricht konnte nicht zugestellt werden.\n\n\
<bob@example.net>:\n\
192.0.2.7 does not like recipient.\n\
Remote host said: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown\n\
Giving up on 192.0.2.7.\n\n";
        let r = parse_bounce(custom.as_bytes()).unwrap();
        assert_eq!(r.format, "qmail");
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
    }

    /// Ordinary mail that quotes a qmail bounce is not one.
    #[test]
    fn qmail_quoted_in_ordinary_mail() {
        let email = "From: alice@example.org\nTo: bob@example.net\nSubject: Re: our mail server\n\n\
Hi Bob, the server said this when I wrote to Carol:\n\n\
> <carol@example.net>:\n> Remote host said: 550 5.1.1 User unknown\n\n\
Does she still work there?\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
        let subject_only = "From: alice@example.org\nSubject: failure notice\n\n\
The failure notice for the committee:\n<carol@example.net>:\nplease reply by Friday.\n";
        assert!(parse_bounce(subject_only.as_bytes()).is_err());
    }

    /// A blank line between the address and the report (ezmlm's rejection through
    /// qmail-local), and a reply without an enhanced status.
    #[test]
    fn qmail_blank_line_and_plain_reply() {
        let email = "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\n\
Hi. This is the qmail-send program at mx.example.org.\n\
I'm afraid I wasn't able to deliver your message to the following addresses.\n\
This is a permanent error; I've given up. Sorry it didn't work out.\n\n\
<list@example.org>:\n\n\
ezmlm-reject: fatal: Sorry, I don't accept messages larger than 30000 bytes (#5.2.3)\n\n\
<bob@example.net>:\n\
192.0.2.7 does not like recipient.\n\
Remote host said: 550 No such user here\n\
Giving up on 192.0.2.7.\n\n\
--- Enclosed is a copy of the message.\n\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(seen(&r.recipients[0]).0, "list@example.org");
        assert_eq!(r.recipients[0].status.map(|s| s.to_string()).as_deref(), Some("5.2.3"));
        assert_eq!(seen(&r.recipients[1]), ("bob@example.net", Some(550), None, Reason::UserUnknown));
    }

    /// The opening reflowed by a relay.
    #[test]
    fn qmail_rewrapped_opening() {
        let email = BOUNCE
            .replace("Subject: failure notice", "Subject: Returned mail")
            .replace("Hi. This is the qmail-send program at mx.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.", "Hi. This is the qmail-send\nprogram at mx.example.org. I'm afraid I wasn't able to deliver your\nmessage to the following addresses.");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "qmail");
        assert_eq!(r.recipients.len(), 3);
    }
}
