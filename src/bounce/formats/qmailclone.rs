//! Bounces of MTAs that copy qmail's layout under their own opening (Sisimai's "X2" and "X4"):
//! per recipient a line `<address>:` and what the server said below it, then the returned
//! message after `--- Original message follows.` or `--- Below this line is a copy of the
//! message.`. Openings: `Message from HOST.` and `Unable to deliver message to the following
//! address(es).` (reported as `x2`); `Your mail message to the following address(es) could not
//! be delivered.` (reported as `x4`), wherever they are wrapped. The status qmail appends
//! (`(#4.4.1)`) is read as qmail's. Like qmail (qmail.rs), they bounce only what they gave up
//! on: every recipient has failed.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const X2: &str = "Unable to deliver message to the following address(es).";
const X4: &str = "Your mail message to the following address(es) could not be delivered.";
const COPY_MARKERS: &[&str] = &["--- Original message follows.", "--- Below this line is a copy of the message."];
/// Text after the reply, which is not part of it.
const TAIL_MARKERS: &[&str] = &["I'm not going to try again", "Giving up on "];

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let (format, at) = match (text::find(body, X2), text::find(body, X4)) {
        (Some(i), _) => ("x2", i),
        (None, Some(i)) => ("x4", i),
        // The opening wrapped at another place (a relay's reflow): looked for with the white
        // space squeezed, near the top; the blocks are read from the start.
        // (`address(es)` is a word no reflow splits: without it, neither opening is there.)
        (None, None) if !text::contains(body, "address(es)") => return None,
        (None, None) => {
            let top = email.top();
            match (text::contains(top, X2), text::contains(top, X4)) {
                (true, _) => ("x2", 0),
                (false, true) => ("x4", 0),
                (false, false) => return None,
            }
        }
    };
    let head = text::cut(body.get(at..)?, COPY_MARKERS);
    // qmail's addbounce() writes a blank line inside a report as a line starting with `/`.
    let lines = head.lines().map(|l| {
        let t = l.trim();
        t.strip_prefix('/').map_or(t, str::trim_start)
    });
    let blocks = text::address_blocks(lines, |t| {
        if t.starts_with('<') && t.ends_with(">:") { text::clean_address(t) } else { None }
    });
    let recipients = blocks
        .into_iter()
        .map(|(address, block)| {
            let expired = text::contains(&block, TAIL_MARKERS[0]);
            let mut r = text::recipient(address, text::cut(&block, TAIL_MARKERS));
            if r.action.is_none() || expired {
                // qmail gives up for good: the bounce is final even after a temporary error.
                r.action = Some("failed".to_string());
            }
            r
        })
        .collect();
    Some(text::report(format, recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    const BOUNCE: &str = "From: MAILER-DAEMON@mx.example.org\nSubject: Delivery failure\n\n\
Message from mx.example.org.\n\
Unable to deliver message to the following address(es).\n\n\
<bob@example.net>:\n\
Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\n\
I'm not going to try again; this message has been in the queue too long.\n\n\
<carol@example.net>:\n\
192.0.2.1 does not like recipient.\n\
Remote host said: 550 5.1.1 <carol@example.net>: unknown user\n\n\
--- Original message follows.\n\n\
From: alice@example.org\nTo: bob@example.net\nSubject: 552 5.2.2\n\nhi\n";

    #[test]
    fn x2_bounce() {
        let r = parse_bounce(BOUNCE.as_bytes()).unwrap();
        assert_eq!(r.format, "x2");
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert!(bob.reply.as_ref().unwrap().code().is_none());
        assert_eq!(bob.status.unwrap().to_string(), "4.4.1");
        assert_eq!(bob.action.as_deref(), Some("failed"));
        let carol = &r.recipients[1];
        assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(carol.reason, crate::Reason::UserUnknown);
    }

    #[test]
    fn x4_bounce() {
        let email = BOUNCE
            .replace(
                "Message from mx.example.org.\nUnable to deliver message to the following address(es).",
                "Your mail message to the following address(es) could not be delivered. This\nis a permanent error.",
            )
            .replace("--- Original message follows.", "--- Below this line is a copy of the message.");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "x4");
        assert_eq!(r.recipients.len(), 2);
    }

    /// The opening wrapped elsewhere, CRLF line ends; ordinary mail quoting it is refused.
    #[test]
    fn x2_wrapped_and_quoted() {
        let email = BOUNCE
            .replace(
                "Unable to deliver message to the following address(es).",
                "Unable to deliver message to the\nfollowing address(es).",
            )
            .replace('\n', "\r\n");
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "x2");
        assert_eq!(r.recipients.len(), 2);
        let quoted = "From: alice@example.org\nSubject: Re: mail\n\n\
> Unable to deliver message to the following address(es).\n> <bob@example.net>:\n> 550 no\n";
        assert!(parse_bounce(quoted.as_bytes()).is_err());
    }
}
