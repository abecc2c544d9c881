//! BIGLOBE's bounce (`From: postmaster@biglobe.ne.jp`, `Subject: Returned mail: …`): `----- The
//! following addresses had delivery problems -----`, the addresses one per line, then `-----
//! Non-delivered information -----` and the reason in English (`The number of messages in
//! recipient's mailbox exceeded the local limit.`); the returned message in a `message/rfc822`
//! part. The text has no SMTP reply.

use crate::bounce::text;
use crate::bounce::{BounceReport, Email};

const LIST: &str = "----- The following addresses had delivery problems -----";
const INFO: &str = "----- Non-delivered information -----";

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let body = email.body();
    let at = text::find(body, LIST)?;
    let rest = body.get(at + LIST.len()..)?;
    let info_at = text::find(rest, INFO)?;
    let list = rest.get(..info_at)?;
    let info = rest.get(info_at + INFO.len()..)?.trim();
    let info = info.split("\n\n").next().unwrap_or_default();
    let mut template = text::recipient(String::new(), info);
    template.action.get_or_insert_with(|| "failed".to_string());
    let recipients = text::for_all(
        email,
        &template,
        list.lines().map(str::trim).filter(|l| !l.contains(' ')).filter_map(text::clean_address),
    );
    Some(text::report("biglobe", recipients, text::original(msg)))
}

#[cfg(test)]
mod tests {
    use crate::parse_bounce;

    #[test]
    fn biglobe_bounce() {
        let email = "From: postmaster@example.ne.jp\nSubject: Returned mail: Service unavailable\n\n\
   ----- The following addresses had delivery problems -----\nbob@example.ne.jp\n\n\
   ----- Non-delivered information -----\n\
The number of messages in recipient's mailbox exceeded the local limit.\n";
        let r = parse_bounce(email.as_bytes()).unwrap();
        assert_eq!(r.format, "biglobe");
        assert_eq!(r.recipients[0].address, "bob@example.ne.jp");
        assert!(r.recipients[0].reply.is_none());
    }
}
