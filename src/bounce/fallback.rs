//! The general fallback: any bounce that no format claims, recognised as one by its signals
//! (`recognition.rs`), read by what every bounce has in common rather than by one generator's
//! wording.
//!
//! The failed recipients, from the most to the least explicit source (the first that names any
//! wins):
//! 1. the `X-Failed-Recipients` header (Exim, and MTAs that copy it);
//! 2. the lines of the human-readable text that name an address as a failed recipient: a line
//!    that is only the address (`<bob@example.com>:`, the qmail layout that many MTAs copy), an
//!    SMTP transcript line (`RCPT TO:<bob@example.com>`, `>>> RCPT To:<…>`), a field-like line
//!    (`Recipient address: …`, `Original-Recipient: …`, `Destinatario: …`), a line that also
//!    gives a reply code, a failure or delay phrase or the words `addressed to` (`User's mailbox
//!    is full: <bob@example.com>`), or any address line in the list under a heading that says
//!    delivery failed or is delayed (`The following recipients could not be reached:`);
//! 3. the recipients named by their local part alone in the list under such a heading
//!    (`bob (user not found)`, GroupWise, AOL, Yale, CompuServe), completed with the returned
//!    message's `To` address of that local part, else with the domain of the bounce's sender;
//! 4. the returned message's `To` (the attached message, else a header block in the text).
//!
//! The text is read up to where the returned message starts. Addresses that are the bounce's
//! own (its `From`, `To`, `Reply-To`, the returned message's sender) or a daemon's
//! (`postmaster@…`) are never recipients.
//!
//! Each recipient's diagnostic is the text around it: its line and the lines after it up to
//! the next recipient or blank line. The reply in it (a reply code or an enhanced status, as
//! `text::find_reply` reads them) gives the reason; without one, the words do, through the same
//! text rules as replies (`data/rules.toml`). When its own text says nothing, the reply or the
//! words of the whole text are used. Nothing is invented: no code or status that the text does
//! not have.

use super::recognition;
use super::text;
use super::{BounceRecipient, BounceReport, Email, OriginalMessage};
use crate::classify::Reason;
use rustc_hash::FxHashMap;

/// How much of the human-readable text is read.
const MAX_HEAD: usize = 32 * 1024;
/// How many lines of the text are looked at.
const MAX_LINES: usize = 1_000;
/// How many lines after an address line belong to its block.
const MAX_BLOCK_LINES: usize = 20;
/// How many places of one address are read for its diagnostic.
const MAX_OCCURRENCES: usize = 4;
/// What one recipient's diagnostic may cost (its block, at most `MAX_BLOCK_LINES` lines of an
/// 8 KiB-bounded text), for the memory bound of `text::MAX_COPIED_BYTES`.
const MAX_BLOCK_BYTES: usize = 16 * 1024;
/// How many distinct recipients are taken from the text (a real report names a few; a list of
/// thousands is a mailing list's text, not a bounce).
const MAX_RECIPIENTS: usize = 1_000;

pub(crate) fn extract(email: &Email<'_>) -> Option<BounceReport> {
    let sig = email.signals();
    if !sig.bounce() {
        return None;
    }
    let msg = &email.message;
    let body = email.body();
    let (head, after) = split_returned(text::prefix(body, MAX_HEAD));
    let original = text::original(msg);
    let skip = Skip::of(email, &original);
    let lines: Vec<&str> = head.lines().take(MAX_LINES).collect();
    let found = candidates(&lines, &skip);

    // Where each address occurs (lower case -> line indexes), and what each line names.
    let mut at: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    let mut order: Vec<String> = Vec::new();
    let mut by_line: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    for (k, (a, i)) in found.iter().enumerate() {
        let key = a.to_lowercase();
        if !at.contains_key(&key) && order.len() < MAX_RECIPIENTS {
            order.push(a.clone());
        }
        at.entry(key).or_default().push(*i);
        if let Some(l) = by_line.get_mut(*i) {
            l.push(k);
        }
    }
    let mut addresses: Vec<String> = failed_header(msg, &skip);
    if addresses.is_empty() {
        addresses = order;
    }
    if addresses.is_empty() {
        let names = bare_names(&lines);
        let domain = super::mime::addresses(msg, "from")
            .into_iter()
            .next()
            .and_then(|a| a.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()));
        if let (false, Some(domain)) = (names.is_empty(), domain) {
            for (name, i) in names {
                let a = original
                    .to
                    .iter()
                    .find(|t| t.rsplit_once('@').is_some_and(|(l, _)| l.eq_ignore_ascii_case(&name)))
                    .cloned()
                    .unwrap_or_else(|| format!("{name}@{domain}"));
                if !skip.skips(&a) && !addresses.iter().any(|o| o.eq_ignore_ascii_case(&a)) {
                    at.entry(a.to_lowercase()).or_default().push(i);
                    addresses.push(a);
                }
            }
        }
    }
    if addresses.is_empty() {
        addresses = returned_to(&original, after).into_iter().filter(|a| !skip.skips(a)).collect();
    }

    let delay = sig.delay();
    let whole = std::cell::OnceCell::new();
    let mut recipients = Vec::with_capacity(addresses.len());
    for address in addresses {
        let blocks: Vec<String> = at
            .get(&address.to_lowercase())
            .map(|lines_at| {
                lines_at.iter().take(MAX_OCCURRENCES).map(|i| block(&lines, *i, &found, &by_line)).collect()
            })
            .unwrap_or_default();
        let r =
            recipient(address, &blocks, || whole.get_or_init(|| text::recipient(String::new(), head)).clone(), delay);
        recipients.push(r);
        if (recipients.len()).saturating_mul(MAX_BLOCK_BYTES) > text::MAX_COPIED_BYTES {
            email.too_large.set(Some((recipients.len(), MAX_BLOCK_BYTES)));
            break;
        }
    }
    Some(text::report("fallback", recipients, original))
}

/// A complaint of a feedback loop that does not use ARF (RFC 5965): Microsoft's JMRP and
/// Outlook.com's older reports, AOL's before ARF. Recognised by the provider's fixed subject
/// (`recognition.rs`) with the complained-about message attached, or by the header Microsoft
/// adds to name the recipient who complained (`X-HmXmrOriginalRecipient`), in the attached
/// message or, in the older inline form, in the complained-about message itself, re-sent. The
/// recipient is the one that header names, else the message's `To`.
pub(crate) fn extract_complaint(email: &Email<'_>) -> Option<BounceReport> {
    let msg = &email.message;
    let inline = text::has_header(msg, JMRP_RECIPIENT);
    if !inline && !email.signals().complaint() {
        return None;
    }
    let original = if inline { super::mime::original_from_message(msg) } else { text::original(msg) };
    let named = original
        .x_headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(JMRP_RECIPIENT))
        .and_then(|(_, v)| text::address_in(v));
    let addresses: Vec<String> = named.map_or_else(|| original.to.clone(), |a| vec![a]);
    let recipients = addresses
        .into_iter()
        .map(|a| BounceRecipient::bare(a, Reason::Feedback, crate::classify::Bounce::None))
        .collect();
    let mut report = text::report("fbl", recipients, original);
    report.feedback_type = Some("abuse".to_string());
    Some(report)
}

/// The header in which Microsoft's feedback loop names the recipient who complained.
const JMRP_RECIPIENT: &str = "x-hmxmroriginalrecipient";

/// One recipient from the blocks of text about it: the first block that has a reply, else the
/// first whose words give a reason, else the whole text.
fn recipient(
    address: String,
    blocks: &[String],
    whole: impl FnOnce() -> BounceRecipient,
    delay: bool,
) -> BounceRecipient {
    let mut best: Option<BounceRecipient> = None;
    for b in blocks {
        let r = text::recipient(address.clone(), b);
        if r.reply.is_some() {
            return finish(r, delay);
        }
        if best.as_ref().is_none_or(|x| x.reason == Reason::Undefined && r.reason != Reason::Undefined) {
            best = Some(r);
        }
    }
    match best {
        Some(r) if r.reason != Reason::Undefined => finish(r, delay),
        _ => {
            let mut r = BounceRecipient { address, ..whole() };
            // The whole text's diagnostic is the report's, not one written about this address.
            r.diagnostic_text = best.and_then(|b| b.diagnostic_text).or(r.diagnostic_text);
            finish(r, delay)
        }
    }
}

fn finish(mut r: BounceRecipient, delay: bool) -> BounceRecipient {
    let permanent = r.reply.as_ref().is_some_and(|x| x.is_permanent());
    r.action = Some(if delay && !permanent { "delayed" } else { "failed" }.to_string());
    r
}

/// Addresses that are not failed recipients: the bounce's own and daemons'.
struct Skip {
    own: Vec<String>,
}

impl Skip {
    fn of(email: &Email<'_>, original: &OriginalMessage) -> Skip {
        let msg = &email.message;
        let mut own = Vec::new();
        for name in ["from", "to", "cc", "reply-to", "sender"] {
            own.extend(super::mime::addresses(msg, name));
        }
        if let Some(rp) = text::raw_header(msg, "return-path").and_then(|v| text::address_in(&v)) {
            own.push(rp);
        }
        if let Some(from) = &original.from {
            own.push(from.clone());
        }
        own.iter_mut().for_each(|a| a.make_ascii_lowercase());
        Skip { own }
    }

    fn skips(&self, address: &str) -> bool {
        let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
        // The daemons' own addresses, which reports ask you to write to; not `root`, `nobody`
        // or `bounce`, which sign some reports but are also real recipients.
        let daemon = recognition::daemon_local(local)
            && !["root", "nobody", "bounce", "bounces"].iter().any(|l| local.eq_ignore_ascii_case(l));
        daemon || self.own.iter().any(|o| o.eq_ignore_ascii_case(address))
    }
}

/// The addresses of `X-Failed-Recipients` (comma-separated, possibly repeated).
fn failed_header(msg: &mail_parser::Message<'_>, skip: &Skip) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in super::mime::root_headers(msg).iter().filter(|h| h.name().eq_ignore_ascii_case("x-failed-recipients")) {
        let Some(v) = super::mime::raw_value(msg, h) else { continue };
        for a in v.split([',', ' ', '\t']).filter_map(text::clean_address) {
            if !skip.skips(&a) && !out.iter().any(|o| o.eq_ignore_ascii_case(&a)) && out.len() < MAX_RECIPIENTS {
                out.push(a);
            }
        }
    }
    out
}

/// Markers after which a report's text returns the original message (lower case): qmail's,
/// Exim's, Mailman's and flufl.bounce's SimpleMatch end markers (Smail, newmail.ru, usa.net,
/// hotpop, demon.co.uk, Microsoft SMTPSVC, earthlink, Dadoservice, MailEnable, Yahoo).
const RETURNED: &[&str] = &[
    "--- below this line is a copy of the message",
    "--- enclosed is a copy of the message",
    "------ this is a copy of the message",
    "----- original message -----",
    "-----original message-----",
    "original message follows",
    "--- mensaje original",
    "----- the original message",
    "------ original message",
    "----- message text follows",
    "here is your returned mail",
    "message text follows:",
    "--- below the next line is a copy of the message",
    "--------returned mail follows--------",
    "original message attached",
    "---- start of returned message ----",
    "--- returned message ---",
    "old message:",
    "a copy of the original message",
    "your message reads",
    "message headers follow",
    "---below this line is a copy of the message",
    "content-type: message/rfc822",
    "content-type: text/rfc822-headers",
];

/// Header fields that only a returned message's header block starts with (lower case).
const RETURNED_FIELDS: &[&str] = &["received:", "return-path:", "message-id:", "mime-version:", "dkim-signature:"];

/// The text up to where the returned message starts, and the rest: at the first of the
/// [`RETURNED`] markers, or at the first line that starts a header block of the returned
/// message.
fn split_returned(body: &str) -> (&str, &str) {
    let lower = body.to_ascii_lowercase(); // ASCII lower-casing keeps every byte offset
    let marker = RETURNED.iter().filter_map(|m| lower.find(m)).min();
    let header = super::fields::line_spans(&lower)
        .find(|(_, line)| RETURNED_FIELDS.iter().any(|f| line.starts_with(f)))
        .map(|(at, _)| at);
    let cut = match (marker, header) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(body.len()),
    };
    // `cut` is the start of an ASCII marker or a line in the same bytes: a character boundary.
    (body.get(..cut).unwrap_or(body), body.get(cut..).unwrap_or_default())
}

/// The returned message's `To`: the attached message's, else the first `To:` line of the
/// header block in the text after the cut.
fn returned_to(original: &OriginalMessage, after: &str) -> Vec<String> {
    if !original.to.is_empty() {
        return original.to.clone();
    }
    let mut in_headers = false;
    for line in after.lines().take(MAX_LINES) {
        if line.trim().is_empty() && in_headers {
            break;
        }
        if let Some((name, value)) = super::fields::split_field(line) {
            in_headers = true;
            if name.eq_ignore_ascii_case("to") {
                return value.split(',').filter_map(text::address_in).collect();
            }
        }
    }
    Vec::new()
}

/// Field names of header-like lines whose addresses are never recipients (message ids, the
/// sender, routing), lower case with the colon.
const NOT_RECIPIENT_FIELDS: &[&str] = &[
    "message-id:",
    "in-reply-to:",
    "references:",
    "received:",
    "from:",
    "sender:",
    "reply-to:",
    "return-path:",
    "envelope-from:",
    "x-original-sender:",
    "date:",
];

/// The mail addresses in a line that may be recipients.
fn addresses_in_line(line: &str, skip: &Skip) -> Vec<String> {
    if !line.contains('@') {
        return Vec::new();
    }
    let lower = line.trim_start().to_ascii_lowercase();
    if NOT_RECIPIENT_FIELDS.iter().any(|f| lower.starts_with(f)) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    let mut previous = ["", ""];
    for word in line.split(|c: char| c.is_whitespace() || c == ',') {
        // No recipient: an address after `from`, a sender's (`not accepting mail from
        // list@example.org`); after a greeting, the reader's (`Sorry alice@example.org.`), both
        // dropped by BounceParser _extract_reports and p_aol_senderblock; after `reply to` or
        // `contact`, a helpdesk's (Netscape Messaging Server's `Please reply to <…> if you feel
        // this message to be in error`, skipped by flufl.bounce _detectors/netscape.py).
        let [two_before, before] = previous;
        previous = [before, word];
        let reply_to = before.eq_ignore_ascii_case("to") && two_before.eq_ignore_ascii_case("reply");
        if reply_to
            || ["from", "sorry", "dear", "hello", "hi", "contact"].iter().any(|w| before.eq_ignore_ascii_case(w))
        {
            continue;
        }
        // `RCPT TO:<bob@example.com>`, `To:bob@example.com`, `(bob@example.com)`.
        let word = word.rsplit_once(':').filter(|(_, a)| a.contains('@')).map_or(word, |(_, a)| a);
        // Exchange IMS writes the X.400 form `c=US;a= ;p=…;dda:SMTP=bob@example.com;`
        // (flufl.bounce _detectors/exchange.py `SMTP=(?P<addr>[^;]+); on`; BounceParser
        // _cleanup_email `s/.*:SMTP=//`).
        let word = match word.get(..5) {
            Some(p) if p.eq_ignore_ascii_case("smtp=") => word.get(5..).unwrap_or(word),
            _ => word,
        };
        if !word.contains('@') {
            continue;
        }
        let Some(a) = text::clean_address(word) else { continue };
        if super::fields::is_mailbox(&a) && !skip.skips(&a) && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// True when a line is nothing but addresses and punctuation (`<bob@example.com>:`).
fn address_only(line: &str) -> bool {
    line.split_whitespace().all(|w| w.contains('@') || w.trim_matches(|c: char| c.is_ascii_punctuation()).is_empty())
}

/// Field names (lower case, before the colon) that introduce a recipient.
fn recipient_field(line: &str) -> bool {
    let Some((name, _)) = line.split_once(':') else { return false };
    let name = name.trim().to_lowercase();
    name.len() <= 40
        && [
            "recipient",
            "receiver",
            "rcpt",
            "destinat",
            "empfänger",
            "adresse",
            "address",
            "error-for",
            "userid",
            "宛先",
            "收件人",
        ]
        .iter()
        .any(|w| name.contains(w))
}

/// True when a line gives a reason for a failure in the words of the reply rules
/// (`Local mailbox bob@example.net is unavailable: user not found`): Mail::DeliveryStatus::
/// BounceParser's `_extract_reports` takes an address with the reason next to it.
fn states_reason(line: &str) -> bool {
    crate::classify::classify_text(text::prefix(line, MAX_LINE_REASON), false).reason != Reason::Undefined
}

/// How much of a line is classified by [`states_reason`].
const MAX_LINE_REASON: usize = 1024;

/// A line that says the addresses under it failed: a failure phrase, or a colon after a word
/// for recipients.
fn heading(line: &str) -> bool {
    recognition::says_failure_or_delay(line) || (line.ends_with(':') && recipient_field(line))
}

/// A recipient written as its local part alone (`bob (user not found)`, `bob    Mailbox
/// unknown`, `bobscreenname`): a word of the characters of a local part, alone on its line or
/// followed by a comment in parentheses or by a column gap (a tab or two spaces) and a reason.
/// Reports of systems that name the user of their own domain write it so: Novell GroupWise 5.2
/// (BounceParser p_novell_groupwise_5_2: `lsinger (user not found)`), AOL (flufl.bounce
/// _detectors/aol.py: the screen names under "mail to the following recipients could not be
/// delivered"; BounceParser p_aol_senderblock), Yale (flufl.bounce _detectors/yale.py: the user
/// name under "Message not delivered to the following"), CompuServe (BounceParser p_compuserve:
/// `Receiver not found: lallison`).
fn bare_name(line: &str) -> Option<&str> {
    let t = line.trim();
    let word = t.split_whitespace().next()?;
    let after = t.get(word.len()..).unwrap_or_default();
    let rest = after.trim_start();
    let gap = after.len() - rest.len();
    let ok_word = (1..=64).contains(&word.len())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
        && word.chars().any(|c| c.is_ascii_alphabetic())
        && !word.starts_with(['.', '-'])
        && !word.ends_with(['.', '-']);
    let ok_rest =
        rest.is_empty() || (rest.starts_with('(') && rest.ends_with(')')) || gap >= 2 || after.starts_with('\t');
    (ok_word && ok_rest).then_some(word)
}

/// The recipients the text names by their local part alone ([`bare_name`]): the lines of the
/// list right under a heading that says delivery to "the following" failed and ends with a
/// colon (not "for the following reason:", whose list is of reasons), or the value of a
/// recipient field (`Receiver not found: bob`). Used only when the text names no address.
fn bare_names(lines: &[&str]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut in_list = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        // A heading may name the sender (`not accepting mail from list@example.org:`).
        if t.contains('@') {
            in_list = list_heading(t);
            continue;
        }
        if in_list && let Some(name) = bare_name(t) {
            out.push((name.to_string(), i));
            continue;
        }
        in_list = list_heading(t);
        if let Some((_, value)) = t.split_once(':').filter(|_| recipient_field(t))
            && let Some(name) = bare_name(value).filter(|n| value.trim() == *n)
        {
            out.push((name.to_string(), i));
        }
        if out.len() >= MAX_RECIPIENTS {
            break;
        }
    }
    out
}

/// A heading of a list of recipients ([`bare_names`]).
fn list_heading(line: &str) -> bool {
    let lower = line.to_lowercase();
    line.ends_with(':') && lower.contains("the following") && !lower.contains("reason") && heading(line)
}

/// Every `(address, line index)` of the text that names a failed recipient (see the module
/// documentation), in order.
fn candidates(lines: &[&str], skip: &Skip) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut in_list = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let found = addresses_in_line(t, skip);
        if found.is_empty() {
            in_list = heading(t);
            continue;
        }
        let lower = t.to_ascii_lowercase();
        let named = address_only(t)
            || lower.contains("rcpt to")
            || lower.contains("addressed to")
            || recipient_field(t)
            || in_list
            || text::mentions_reply(t)
            || recognition::says_failure_or_delay(t)
            || states_reason(t);
        if named {
            out.extend(found.into_iter().map(|a| (a, i)));
        }
        in_list = in_list || (address_only(t) && i > 0 && lines.get(i - 1).is_some_and(|l| heading(l.trim())));
    }
    out
}

/// The block of text about the address at line `at`: that line and the ones after it, up to
/// the next line that names another recipient, or the first blank line after some text (one
/// blank line right after the address is skipped), at most [`MAX_BLOCK_LINES`].
fn block(lines: &[&str], at: usize, found: &[(String, usize)], by_line: &[Vec<usize>]) -> String {
    let Some(first) = lines.get(at) else { return String::new() };
    let named = |i: usize| by_line.get(i).into_iter().flatten().filter_map(|k| found.get(*k)).map(|(a, _)| a.as_str());
    let own: Vec<&str> = named(at).collect();
    let mut out = String::from(first.trim());
    out.push('\n');
    let mut taken = 0;
    for (j, line) in lines.iter().enumerate().skip(at + 1).take(MAX_BLOCK_LINES) {
        let other = named(j).any(|a| !own.contains(&a));
        if other {
            break;
        }
        if line.trim().is_empty() {
            if taken > 0 {
                break;
            }
            continue;
        }
        taken += 1;
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::bounce::parse_bounce;
    use crate::classify::Reason;

    fn read(email: &str) -> crate::bounce::BounceReport {
        parse_bounce(email.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn qmail_layout_translated() {
        let r = read(
            "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: Undeliverable mail\n\n\
             (mx.example.org)\nSu mensaje no pudo ser entregado - Your message could not be delivered.\n\n\
             <bob@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n\
             <carol@example.com>:\nMailbox quota usage exceeded. Espacio en casilla de mail agotado.\n\n\
             --- Mensaje original adjunto.\n\nTo: bob@example.com\nFrom: alice@example.org\n",
        );
        assert_eq!(r.format, "fallback");
        let got: Vec<_> = r.recipients.iter().map(|x| (x.address.as_str(), x.reason)).collect();
        assert_eq!(got, [("bob@example.com", Reason::UserUnknown), ("carol@example.com", Reason::MailboxFull)]);
        assert_eq!(r.recipients[0].status.unwrap().to_string(), "5.1.1");
        assert_eq!(r.recipients[0].action.as_deref(), Some("failed"));
    }

    #[test]
    fn address_on_the_line_with_the_reason() {
        let r = read(
            "From: MAILER-DAEMON@example.com\nTo: <alice@example.org>\nSubject: Returned mail: Hello\n\n\
             User's mailbox is full: <bob@example.jp>\nUnable to deliver mail.\n",
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.jp");
        assert_eq!(r.recipients[0].reason, Reason::MailboxFull);
        assert!(r.recipients[0].reply.is_none(), "no code is invented");
    }

    #[test]
    fn heading_then_list_then_reason() {
        let r = read(
            "From: Mail Administrator <postmaster@example.net>\nTo: alice@example.org\nSubject: Mail System Error - Returned Mail\n\n\
             This Message was undeliverable due to the following reason:\n\n\
             The following destination addresses were unknown (please check the addresses and re-mail the message):\n\n\
             bob@example.net\n\nPlease reply to postmaster@example.net if you feel this message to be in error.\n",
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.net");
    }

    #[test]
    fn transcript_and_failed_header() {
        let r = read(
            "From: MAILER-DAEMON@example.net\nTo: alice@example.org\nX-Failed-Recipients: bob@example.com\nSubject: x\n\n\
             ... while talking to mx.example.com.:\n>>> RCPT To:<bob@example.com>\n<<< 550 5.1.1 <bob@example.com>... User unknown\n",
        );
        assert_eq!(r.recipients.len(), 1);
        let bob = &r.recipients[0];
        assert_eq!(bob.reply.as_ref().unwrap().code().unwrap().value(), 550);
        assert_eq!(bob.reason, Reason::UserUnknown);
    }

    #[test]
    fn returned_to_as_last_resort() {
        let r = read(
            "Return-Path: <>\nFrom: MAILER-DAEMON@example.net\nTo: alice@example.org\nSubject: Undeliverable mail\n\n\
             Your message could not be delivered: the mailbox is over quota.\n\n\
             Return-Path: <alice@example.org>\nReceived: from x\nTo: Bob <bob@example.com>\nFrom: alice@example.org\n\nhi\n",
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.com");
        assert_eq!(r.recipients[0].reason, Reason::MailboxFull);
    }

    #[test]
    fn delay_warning_is_delayed_and_soft() {
        let r = read(
            "From: MAILER-DAEMON@example.net\nTo: alice@example.org\nSubject: Warning: could not send message for past 4 hours\n\n\
             **********************************************\n**      THIS IS A WARNING MESSAGE ONLY      **\n\
             **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n**********************************************\n\n\
             The original message was received at Mon, 1 Jan 2024 from localhost\n\n\
             ----- Transcript of session follows -----\n<bob@example.com>... Deferred: Connection timed out with mx.example.com.\n\
             Warning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n",
        );
        assert_eq!(r.recipients.len(), 1);
        let bob = &r.recipients[0];
        assert_eq!(bob.action.as_deref(), Some("delayed"));
        assert_ne!(bob.bounce, crate::Bounce::Hard);
        assert_eq!(r.kind, crate::bounce::ReportKind::Delay);
    }

    /// The family of layouts the fallback reads, each written as its generator writes it (the
    /// comment names it); the addresses and the reason come from the text alone.
    #[test]
    fn layouts_of_many_generators() {
        let cases: &[(&str, &str, &[&str], Reason)] = &[
            // Netscape / iPlanet / Sun Messaging Server's text part.
            (
                "Undeliverable: hello",
                "This report relates to a message you sent with the following header fields:\n\n  Subject: hello\n\n\
                 Your message cannot be delivered to the following recipients:\n\n  Recipient address: bob@example.com\n\
                   Reason: Remote SMTP server has rejected address\n  Diagnostic code: smtp;550 5.1.1 unknown or illegal alias: bob@example.com\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            // Google's former text: a heading, the address alone, the details after.
            (
                "Delivery Status Notification (Failure)",
                "Delivery to the following recipient failed permanently:\n\n     bob@example.com\n\n\
                 Technical details of permanent failure:\nThe email account that you tried to reach does not exist.\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            // A one-line report with the reason before the address.
            (
                "Returned mail",
                "User mailbox exceeds allowed size: bob@example.com\n",
                &["bob@example.com"],
                Reason::MailboxFull,
            ),
            // `root` signs some reports, but is a recipient like any other here; the postmaster
            // the report asks you to write to is not.
            (
                "Returned mail",
                "User unknown: root@example.com\nWrite to postmaster@mx.example.org for help.\n",
                &["root@example.com"],
                Reason::UserUnknown,
            ),
            // The address in brackets inside the reply.
            (
                "failure notice",
                "550 User [bob@example.com] does not exist\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            // MDaemon: the addresses quoted with `>` under its heading.
            (
                "Permanent Delivery Failure",
                "The following addresses did NOT receive a copy of your message:\n\n> bob@example.com\n\n\
                 --- Session Transcript ---\n Sat 2024-01-06 10:00:00: 550 5.1.1 Mailbox not found\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            // German, the address on the line that says it failed.
            (
                "Unzustellbar: Termin",
                "Ihre Nachricht konnte nicht zugestellt werden an: bob@example.com\nGrund: 550 5.1.1 Benutzer unbekannt\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            // Smail 3 (notify.c: `Subject: mail failed, …`, the "Failed addresses follow" rule
            // and ` ADDRESS ... failed: ERROR`), and Deutsche Telekom's fork of it (the address in
            // angle brackets, the reply on the next line).
            (
                "mail failed, returning to sender",
                "|------------------------- Message log follows: -------------------------|\n\
                  no valid recipients were found for this message\n\
                 |------------------------- Failed addresses follow: ---------------------|\n\
                  bob@example.com ... failed: unknown user\n\
                 |------------------------- Message text follows: ------------------------|\n\
                 Received: from x\nTo: bob@example.com\n\nhi\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            (
                "mail failed, returning to sender",
                "|------------------------- Failed addresses follow: ---------------------|\n\
                  <bob@example.com>\n\
                    552 5.2.2 <bob@example.com> Quota exceeded (mailbox for user is full)\n\n\
                 |------------------------- Message header follows: ----------------------|\n\
                 Received: from mail.example.org\n",
                &["bob@example.com"],
                Reason::MailboxFull,
            ),
            // Mimecast: the address after `-- `, the problem and the additional information as
            // `-- ` lines after it.
            (
                "[Postmaster] Email Delivery Failure",
                "An email that you attempted to send to the following address could not be delivered:\n\n\
                 -- bob@example.com\n\nThe problem appears to be :\n\n-- Recipient email address is possibly incorrect\n\n\
                 Additional information follows :\n\n-- 5.4.1 Recipient address rejected: Access denied.\n",
                &["bob@example.com"],
                Reason::UserUnknown,
            ),
            // Two recipients in qmail's layout, one of them a host failure.
            (
                "failure notice",
                "<bob@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n<carol@example.net>:\n\
                 Sorry, I couldn't find any host named example.net. (#5.1.2)\n",
                &["bob@example.com", "carol@example.net"],
                Reason::UserUnknown,
            ),
        ];
        for (subject, body, addresses, reason) in cases {
            let email = format!(
                "Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: alice@example.org\nSubject: {subject}\n\n{body}"
            );
            let r = parse_bounce(email.as_bytes()).unwrap_or_else(|e| panic!("{subject}: {e}"));
            let got: Vec<&str> = r.recipients.iter().map(|x| x.address.as_str()).collect();
            assert_eq!(&got, addresses, "{subject}: {body}");
            assert_eq!(r.recipients[0].reason, *reason, "{subject}: {body}");
            assert_eq!(r.kind, crate::bounce::ReportKind::Bounce, "{subject}");
        }
    }

    /// Reports in the languages MTAs are localised to, and one in HTML only: recognised by their
    /// subject and words, the recipient by its line.
    #[test]
    fn other_languages_and_html() {
        for (subject, body) in [
            ("Mensagem não entregue", "Sua mensagem não pôde ser entregue para bob@example.com: caixa postal cheia.\n"),
            ("Non remis : Réunion", "Votre message n'a pas pu être remis à bob@example.com.\nUtilisateur inconnu.\n"),
            ("Non recapitabile: riunione", "Non è stato possibile recapitare il messaggio a bob@example.com\n"),
            (
                "No se puede entregar: reunión",
                "Su mensaje no pudo ser entregado a bob@example.com: usuario desconocido\n",
            ),
            ("Не доставлено: встреча", "Ваше сообщение не доставлено: bob@example.com — пользователь не найден\n"),
            ("配信不能: 会議", "次の宛先へのメッセージは配信できませんでした: bob@example.com\n"),
        ] {
            let email = format!(
                "From: postmaster@mx.example.org\nTo: alice@example.org\nSubject: {subject}\n\
                 Content-Type: text/plain; charset=utf-8\n\n{body}"
            );
            let r = parse_bounce(email.as_bytes()).unwrap_or_else(|e| panic!("{subject}: {e}"));
            let got: Vec<&str> = r.recipients.iter().map(|x| x.address.as_str()).collect();
            assert_eq!(got, ["bob@example.com"], "{subject}");
            assert_eq!(r.kind, crate::bounce::ReportKind::Bounce, "{subject}");
        }
        let html = "From: MAILER-DAEMON@mx.example.org\nTo: alice@example.org\nSubject: Undeliverable\n\
                    Content-Type: text/html\n\n<html><body><p>Your message could not be delivered to \
                    <b>bob@example.com</b>.</p><p>550 5.1.1 User unknown</p></body></html>\n";
        let r = read(html);
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.com");
    }

    /// Google Workspace's notice that names no address in its text: the recipient is the
    /// returned message's `To`, the reason Google's sentence.
    #[test]
    fn google_workspace_notice() {
        let r = read(
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: alice@example.org\n\
             Subject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n\
             --b\nContent-Type: text/plain\n\n** Message not delivered **\n\n\
             Your message wasn't delivered to the recipient because the address couldn't be found. Check for typos or \
             unnecessary spaces and try again.\n\n--b\nContent-Type: message/rfc822\n\n\
             From: alice@example.org\nTo: Bob <bob@example.com>\nSubject: hi\n\nhi\n--b--\n",
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.com");
        assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
    }

    #[test]
    fn delay_warnings_of_other_generators() {
        for (subject, body) in [
            // Exchange / Office 365.
            (
                "Delivery delayed:hello",
                "Delivery is delayed to these recipients or groups:\n\nbob@example.com\n\n\
                 This message hasn't been delivered yet. Delivery will continue to be attempted.\n",
            ),
            // Gmail.
            (
                "Delivery Status Notification (Delay)",
                "This is an automatically generated Delivery Status Notification\n\nTHIS IS A WARNING MESSAGE ONLY.\n\n\
                 YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\nDelivery to the following recipient has been delayed:\n\n     bob@example.com\n\n\
                 Message will be retried for 2 more day(s)\n",
            ),
        ] {
            let email = format!("From: postmaster@example.org\nTo: alice@example.org\nSubject: {subject}\n\n{body}");
            let r = parse_bounce(email.as_bytes()).unwrap_or_else(|e| panic!("{subject}: {e}"));
            assert_eq!(r.kind, crate::bounce::ReportKind::Delay, "{subject}");
            assert_eq!(r.recipients.len(), 1, "{subject}");
            let bob = &r.recipients[0];
            assert_eq!((bob.address.as_str(), bob.action.as_deref()), ("bob@example.com", Some("delayed")));
            assert_eq!(bob.bounce, crate::Bounce::Soft);
        }
    }

    /// Thousands of addresses, on lines of their own and on one line: the recipients are
    /// bounded and the work stays linear (each line is looked at a bounded number of times).
    #[test]
    fn many_addresses_are_bounded() {
        let mut body = String::from("The following recipients could not be reached:\n\n");
        for i in 0..5_000 {
            body.push_str(&format!("<user{i}@example.com>:\nUser unknown\n"));
        }
        let one_line: Vec<String> = (0..3_000).map(|i| format!("x{i}@example.net")).collect();
        body.push_str(&format!("User unknown: {}\n", one_line.join(" ")));
        let email = format!("From: MAILER-DAEMON@example.org\nSubject: Undeliverable\n\n{body}");
        let r = read(&email);
        assert!(!r.recipients.is_empty() && r.recipients.len() <= super::MAX_RECIPIENTS);
        assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
    }

    #[test]
    fn complaints_without_arf() {
        // Microsoft's JMRP: the fixed subject, the message attached, the recipient in its header.
        let r = read(
            "From: staff@hotmail.com\nTo: abuse@example.org\nSubject: complaint about message from 192.0.2.1\n\
             MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n\
             X-HmXmrOriginalRecipient: bob@example.com\nTo: list@example.com\nFrom: news@example.org\nSubject: hi\n\nhi\n--b--\n",
        );
        assert_eq!((r.format, r.kind), ("fbl", crate::bounce::ReportKind::Feedback));
        assert_eq!(r.recipients[0].address, "bob@example.com");
        assert_eq!(r.recipients[0].reason, Reason::Feedback);
        // The older inline form: the complained-about message itself, re-sent with the header.
        let r = read(
            "Return-Path: staff@hotmail.com\nX-HmXmrOriginalRecipient: carol@example.com\nTo: carol@example.com\n\
             From: news@example.org\nSubject: Offers\n\nBuy now.\n",
        );
        assert_eq!((r.format, r.kind), ("fbl", crate::bounce::ReportKind::Feedback));
        assert_eq!(r.recipients[0].address, "carol@example.com");
    }

    #[test]
    fn arf_drafts_and_redacted_recipients() {
        let arf = |fields: &str, to: &str| {
            format!(
                "From: <abuse@example.net>\nSubject: report\nMIME-Version: 1.0\n\
                 Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n\
                 --b\nContent-Type: text/plain\n\nA report.\n--b\nContent-Type: message/feedback-report\n\n{fields}\n\
                 --b\nContent-Type: text/rfc822-header\n\nFrom: <x@example.org>\nTo: {to}\nSubject: x\n--b--\n"
            )
        };
        // An opt-out report of the drafts names the address in `Removal-Recipient`.
        let r = read(&arf(
            "Feedback-Type: opt-out\nVersion: 0.1\nRemoval-Recipient: bob@example.com\n",
            "<Undisclosed Recipients>",
        ));
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].address, "bob@example.com");
        // A complaint that names nobody is still a complaint, with no recipient.
        let r = read(&arf("Feedback-Type: abuse\nVersion: 1\n", "<Undisclosed Recipients>"));
        assert_eq!(r.kind, crate::bounce::ReportKind::Feedback);
        assert!(r.recipients.is_empty());
        // The same recipient twice is one recipient.
        let r = read(&arf(
            "Feedback-Type: abuse\nOriginal-Rcpt-To: bob@example.com\nOriginal-Rcpt-To: BOB@example.com\n",
            "x",
        ));
        assert_eq!(r.recipients.len(), 1);
    }

    #[test]
    fn ordinary_mail_and_challenges_are_not_bounces() {
        for email in [
            "From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: re: lunch\n\n\
             The mail I sent to carol@example.net could not be delivered, user unknown.\n",
            "Return-Path: <>\nFrom: Verify <verify@example.net>\nTo: alice@example.org\nSubject: Please confirm your message\n\n\
             Your message to bob@example.net was not delivered yet. Please confirm that you are a human: click the link below.\n",
        ] {
            assert!(parse_bounce(email.as_bytes()).is_err(), "{email}");
        }
    }
}
