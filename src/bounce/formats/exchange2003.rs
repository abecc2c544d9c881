//! The non-delivery report of Microsoft Exchange 5.5 to 2003 (the Internet Mail Service and the
//! SMTP connector) and the one Outlook writes from an Exchange report, read from its text:
//!
//! - Exchange 5.5 to 2003: `Your message` with its `To:`, `Subject:` and `Sent:` lines, then `did
//!   not reach the following recipient(s):`, one line per recipient, `ADDRESS on DATE`, each
//!   followed by its indented details (`The recipient name is not recognized`,
//!   `MSEXCH:IMS:…  0 (000C05A6) Unknown Recipient`);
//! - Exchange 2000/2003 and Outlook (also for an Exchange 2007 or later report): `Your message did
//!   not reach some or all of the intended recipients.`, `Subject:`, `Sent:`, then `The following
//!   recipient(s) cannot be reached:` (French: `Impossible de contacter le(s) destinataire(s)
//!   suivant(s) :`, the date after ` le `), then per recipient `'ADDRESS' on DATE` (or a display
//!   name), a sentence saying why (`The e-mail account does not exist at the organization this
//!   message was sent to.`) and the supplementary information `<mx.example.net #5.1.1 smtp;550
//!   5.1.1 User unknown>` or `Server error: '554 5.7.1 …'`.
//!
//! - the Windows SMTP service (IIS, and Exchange 2000/2003 on it), when its report has no
//!   `message/delivery-status` part: `This is an automatically generated Delivery Status
//!   Notification.`, then `Delivery to the following recipients failed.` (or `… has been
//!   delayed.`, or `Unable to deliver message to the following recipients, due to being unable to
//!   connect successfully to the destination mail server.`) and the addresses indented one per
//!   line; the sentence is all the reason there is.
//!
//! The reply is read from the supplementary information, whose shape `"<" remote-mta " #" status
//! " " diagnostic-code ">"` is Microsoft's [MS-OXCMAIL] §2.2.3.7 ("PidTagSupplementaryInfo");
//! else from the details' text, else the details' sentence is classified. Sources: [MS-OXCMAIL]
//! (learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxcmail); Microsoft's
//! troubleshooting article "Can't send an email message when Full Access permission is granted to
//! a shared mailbox in Exchange Server" (the layout `Your message did not reach some or all of the
//! intended recipients.` / `The following recipient(s) cannot be reached:` / `RecipientName on
//! Date_and_Time` and the sentence); the French wording as a French Exchange
//! 2019 server writes it on Microsoft Q&A ("Impossible de contacter le(s) destinataire(s)
//! suivant(s) :", "ADDRESS le 26/03/2025 11:34"); the SMTP service's sentences as bounce handlers'
//! rule lists quote them (PHP bounce handlers' "Delivery to the following recipients failed.").

use crate::bounce::text;
use crate::bounce::{BounceRecipient, BounceReport, Email};
use crate::classify::{Reason, classify_text};
use crate::reply::{self, Reply};

/// The line that opens the recipient list (lower case).
const LIST_STARTS: &[&str] = &[
    "did not reach the following recipient(s):",
    "the following recipient(s) could not be reached:",
    "the following recipient(s) cannot be reached:",
    "impossible de contacter le(s) destinataire(s) suivant(s)",
];
/// What separates the recipient from the date on its line, per language.
const DATE_SEPARATORS: &[&str] = &[" on ", " le "];

/// The Windows SMTP service's (IIS, Exchange 2000/2003) text: its opening, then one of these
/// sentences (lower case) with the recipients indented one per line; whether it is a delay.
const SMTPSVC: &str = "this is an automatically generated delivery status notification";
const SMTPSVC_LISTS: &[(&str, bool)] = &[
    ("delivery to the following recipients failed.", false),
    ("unable to deliver message to the following recipients", false),
    ("delivery to the following recipients has been delayed.", true),
];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let lower = body.to_ascii_lowercase();
    if let Some(recipients) = smtpsvc(body, &lower) {
        return Some(text::report("exchange2003", recipients, text::original(msg)));
    }
    let start = LIST_STARTS.iter().filter_map(|m| text::find(&lower, m).map(|i| i + m.len())).min()?;
    let list = body.get(start..)?;
    // `kijitora@example.jp on Thu, 29 Apr 2010 00:00:00 -0000`, `'bob@example.net' on 6/17/2015
    // 11:06 AM`, or a display name, `Bob Example on 6/17/2015 11:06 AM`, opens a recipient's
    // block; an empty address stands for a name, read from the block's reply later.
    let blocks = text::address_blocks(list.lines().map(str::trim).filter(|t| !t.is_empty()), recipient_line);
    let recipients = blocks
        .into_iter()
        .filter_map(|(address, details)| {
            let address = if address.is_empty() { text::address_in(&details)? } else { address };
            Some(recipient(address, &details))
        })
        .collect();
    Some(text::report("exchange2003", recipients, text::original(msg)))
}

/// The Windows SMTP service's report: per sentence, the addresses indented under it, each with
/// the sentence as its reason. `None` without the opening or a sentence.
fn smtpsvc(body: &str, lower: &str) -> Option<Vec<BounceRecipient>> {
    text::find(lower, SMTPSVC)?;
    let mut out = Vec::new();
    for (sentence, delayed) in SMTPSVC_LISTS {
        let Some(at) = text::find(lower, sentence) else { continue };
        let line_end = lower.get(at..)?.find('\n').map_or(lower.len(), |i| at + i);
        let said = body.get(at..line_end)?.trim();
        let mut listed = false;
        for line in body.get(line_end..)?.lines().skip(1) {
            let t = line.trim();
            match text::clean_address(t).filter(|_| !t.contains(' ') && line.starts_with([' ', '\t'])) {
                Some(address) => {
                    listed = true;
                    let mut r = text::recipient(address, said);
                    r.action = Some(if *delayed { "delayed" } else { "failed" }.to_string());
                    if *delayed && r.reply.is_none() {
                        let c = classify_text(said, true);
                        (r.reason, r.bounce) = (c.reason, c.bounce);
                    }
                    out.push(r);
                }
                None if t.is_empty() && !listed => {}
                None => break,
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The recipient of a `WHO on DATE` line: its address, or "" when it names a person only. The
/// date must have a digit, so that a sentence with " on " in it does not open a block.
fn recipient_line(t: &str) -> Option<String> {
    let (who, date) = DATE_SEPARATORS.iter().find_map(|s| t.split_once(s))?;
    if !date.chars().take(12).any(|c| c.is_ascii_digit()) || who.len() > 200 {
        return None;
    }
    match text::clean_address(who.trim_matches(['\'', '"'])) {
        Some(a) if !who.contains(' ') => Some(a),
        Some(_) => None,
        // A display name (`Bob Example`), a word or two, no sentence.
        None if who.split_whitespace().count() <= 4 && !who.contains(['.', ':', ',']) => Some(String::new()),
        None => None,
    }
}

/// One recipient from its details: the reply of the supplementary information, else of the
/// text, else the text rules on the sentence.
fn recipient(address: String, details: &str) -> BounceRecipient {
    let mut r = match supplementary(details) {
        Some((remote, reply)) => {
            let mut r = text::recipient_from_reply(address, Some(reply), details, false);
            r.remote_mta = r.remote_mta.or(remote);
            r
        }
        // `smtp;550 …`: the reply after Exchange's type, made a word of its own.
        None => text::recipient(address, &details.replace(';', "; ")),
    };
    if r.reason == Reason::Undefined {
        let c = classify_text(text::prefix(details, text::MAX_BLOCK), false);
        (r.reason, r.bounce) = (c.reason, c.bounce);
    }
    r.action = Some("failed".to_string());
    r
}

/// The supplementary information `<mx.example.net #5.1.1 smtp;550 5.1.1 User unknown>`
/// ([MS-OXCMAIL] §2.2.3.7): the remote MTA and the reply.
fn supplementary(details: &str) -> Option<(Option<String>, Reply)> {
    let details = text::prefix(details, text::MAX_BLOCK);
    let line = details.lines().map(str::trim).find(|l| l.starts_with('<') && l.contains(" #"))?;
    let inner = line.strip_prefix('<')?;
    let inner = inner.rsplit_once('>').map_or(inner, |(i, _)| i);
    let (remote, rest) = inner.split_once(" #")?;
    let remote = remote.trim();
    let remote = (!remote.is_empty() && !remote.contains(' ')).then(|| remote.to_string());
    let (status, diagnostic) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = crate::status::EnhancedStatus::parse(status).ok();
    let reply = reply::parse(&format!("#{rest}")).ok().or_else(|| text::typed_reply(diagnostic, status))?;
    Some((remote, reply))
}

#[cfg(test)]
mod tests {
    use crate::Reason;
    use crate::bounce::seen;
    use crate::parse_bounce;

    #[test]
    fn exchange_ims_report() {
        let email = "From: System Administrator <postmaster@example.org>\nTo: alice@example.org\n\
Subject: Undeliverable: hello\n\n\
Your message\n\n  To:      bob@example.net\n  Subject: hello\n  Sent:    Thu, 29 Apr 2010 00:00:00 -0000\n\n\
did not reach the following recipient(s):\n\n\
bob@example.net on Thu, 29 Apr 2010 00:00:00 -0000\n\
    The recipient name is not recognized\n\
    MSEXCH:IMS:EXAMPLE:SITE:SERVER 0 (000C05A6) Unknown Recipient\n\
carol@example.net on Thu, 29 Apr 2010 00:00:00 -0000\n\
    The remote host said: 552 5.2.2 Mailbox full\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "exchange2003");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", None, None, Reason::UserUnknown));
        assert_eq!(bob.action.as_deref(), Some("failed"));
        let carol = &r.recipients[1];
        assert_eq!(seen(carol), ("carol@example.net", Some(552), Some("5.2.2".into()), Reason::MailboxFull));
    }

    const OUTLOOK: &str = "From: System Administrator <postmaster@example.org>\r\nTo: alice@example.org\r\n\
Subject: Undeliverable: hello\r\n\r\n\
Your message did not reach some or all of the intended recipients.\r\n\r\n\
      Subject:\thello\r\n      Sent:\t6/17/2015 11:06 AM\r\n\r\n\
The following recipient(s) cannot be reached:\r\n\r\n\
      bob@example.net on 6/17/2015 11:06 AM\r\n\
            The e-mail account does not exist at the organization this message was sent to.  Check the e-mail address, or contact the recipient directly to find out the correct address.\r\n\
            <mx.example.net #5.1.1 smtp;550 5.1.1 <bob@example.net>... User unknown>\r\n\r\n\
      'carol@example.net' on 6/17/2015 11:06 AM\r\n\
            Server error: '450 too many emails from this sender (rate controlled)'\r\n\r\n\
      Dave Example on 6/17/2015 11:06 AM\r\n\
            Could not deliver the message in the time limit specified.  Please retry or contact your administrator.\r\n\
            <ex1.example.org #4.4.7 smtp;451 4.4.7 <dave@example.net>: expired>\r\n";

    #[test]
    fn outlook_cannot_be_reached() {
        let r = parse_bounce(OUTLOOK.as_bytes()).unwrap();
        assert_eq!(r.format, "exchange2003");
        assert_eq!(r.recipients.len(), 3);
        let bob = &r.recipients[0];
        assert_eq!(seen(bob), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.net");
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 450);
        assert_eq!(carol.reason, Reason::RateLimited);
        let dave = &r.recipients[2];
        assert_eq!(seen(dave), ("dave@example.net", Some(451), Some("4.4.7".into()), Reason::Expired));
        assert_eq!(dave.action.as_deref(), Some("failed"));
    }

    #[test]
    fn outlook_sentence_only() {
        // No reply at all: the sentence says why (the text rules classify it).
        let email = "From: postmaster@example.org\nSubject: Undeliverable: hello\n\n\
Your message did not reach some or all of the intended recipients.\n\n\
The following recipient(s) cannot be reached:\n\n\
      bob@example.net on 3/9/2015 11:09 AM\n\
            The e-mail account does not exist at the organization this message was sent to.\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", None, None, Reason::UserUnknown));
    }

    #[test]
    fn french_exchange() {
        let email = "From: postmaster@example.org\nSubject: Non remis : hello\nContent-Type: text/plain; charset=utf-8\n\n\
Votre message n'a pas pu être remis à certains ou à l'ensemble de ses destinataires.\n\n\
Impossible de contacter le(s) destinataire(s) suivant(s) :\n\n\
      bob@example.net le 26/03/2025 11:34\n\
            <mx.example.net #5.1.1 smtp;550 5.1.1 User unknown>\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "exchange2003");
        assert_eq!(seen(&r.recipients[0]), ("bob@example.net", Some(550), Some("5.1.1".into()), Reason::UserUnknown));
    }

    #[test]
    fn smtp_service_report() {
        let email = "From: postmaster@mail.example.org\r\nSubject: Delivery Status Notification (Failure)\r\n\r\n\
This is an automatically generated Delivery Status Notification.\r\n\r\n\
Delivery to the following recipients failed.\r\n\r\n\
\x20      bob@example.net\r\n\
\x20      carol@example.net\r\n\r\n\r\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "exchange2003");
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(r.recipients[1].address, "carol@example.net");
        assert_eq!(r.recipients[1].action.as_deref(), Some("failed"));
        assert!(r.recipients[1].reply.is_none());
    }

    #[test]
    fn smtp_service_delay() {
        let email = "From: postmaster@mail.example.org\nSubject: Delivery Status Notification (Delay)\n\n\
This is an automatically generated Delivery Status Notification.\n\n\
THIS IS A WARNING MESSAGE ONLY.\n\nYOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n\
Delivery to the following recipients has been delayed.\n\n\
\x20      bob@example.net\n\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "exchange2003");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.action.as_deref(), Some("delayed"));
        assert_ne!(bob.bounce, crate::Bounce::Hard);
    }

    #[test]
    fn ordinary_mail_quoting_the_phrase() {
        let email = "From: alice@example.org\nTo: help@example.net\nSubject: Outlook question\n\n\
Outlook says 'The following recipient(s) cannot be reached:' when I write to the list.\n\
I sent it on Monday, so what is wrong on my side?\n";
        assert!(parse_bounce(email.as_bytes()).is_err());
    }
}
