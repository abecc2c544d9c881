//! TransWARE Active!hunter's bounce (`Subject: FAILURE NOTICE : …`, MIME boundaries
//! `…_Active!Hunter_…`): Sendmail's wording, `----- The following addresses had permanent fatal
//! errors -----`, the recipients as `>>> address <address>`, then `----- Transcript of session
//! follows -----` and the reply; the returned message in a `message/rfc822` part.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const LIST: &str = "----- The following addresses had permanent fatal errors -----";
const TRANSCRIPT: &str = "----- Transcript of session follows -----";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    if !text::subject(msg).starts_with("FAILURE NOTICE :") {
        return None;
    }
    let body = email.body();
    let at = text::find(body, LIST)?;
    let rest = body.get(at + LIST.len()..)?;
    let (list, transcript) = match text::find(rest, TRANSCRIPT) {
        Some(i) => (rest.get(..i)?, rest.get(i + TRANSCRIPT.len()..)?.trim()),
        None => (rest, ""),
    };
    let mut template = text::recipient(String::new(), transcript);
    template.action.get_or_insert_with(|| "failed".to_string());
    let recipients = text::for_all(
        email,
        &template,
        list.lines().filter_map(|l| l.trim().strip_prefix(">>>")).filter_map(text::address_in),
    );
    Some(text::report("activehunter", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn activehunter_bounce() {
        let email = "From: \"MAILER-DAEMON\" <MAILER-DAEMON@example.org>\nSubject: FAILURE NOTICE : hi\n\n\
The original message was received at Thu, 29 Apr 2011 23:34:45 +0900\nfrom example.org\n\n\
  ----- The following addresses had permanent fatal errors -----\n\n\
>>> bob@example.net <bob@example.net>\n\n\
  ----- Transcript of session follows -----\n\
550 sorry, no mailbox here by that name (#5.1.1 - chkusr)\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "activehunter");
        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, crate::Reason::UserUnknown);
    }
}
