//! Unit tests of `parse_bounce` on small hand-written emails.

use super::*;
use proptest::prelude::*;

/// A Postfix-style DSN: two recipients, a folded Diagnostic-Code, the original message with
/// `X-` headers. `\n` line ends; [`crlf`] converts.
const POSTFIX: &str = "Return-Path: <>
Date: Mon,  3 Mar 2025 10:00:00 +0000 (UTC)
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: sender@example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary=\"B1/mx.example.org\"
Message-Id: <20250303100000.1@mx.example.org>

This is a MIME-encapsulated message.

--B1/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B1/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: 1
X-Postfix-Sender: rfc822; sender@example.com
Arrival-Date: Mon,  3 Mar 2025 09:59:58 +0000 (UTC)

Final-Recipient: rfc822; bob@example.net
Original-Recipient: rfc822;Bob@Example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient address
    rejected: User unknown in virtual mailbox table

final-recipient: RFC822; <carol@example.net>
ACTION: Delayed (will retry)
Status: 4.2.2 (mailbox full)
Diagnostic-Code: X-Postfix; host mx.example.net[192.0.2.1] said: 452 4.2.2
    Mailbox full (in reply to RCPT TO command)
Will-Retry-Until: Tue,  8 Mar 2025 10:00:00 +0000 (UTC)

--B1/mx.example.org
Content-Description: Undelivered Message
Content-Type: message/rfc822

Return-Path: <sender@example.com>
Message-ID: <abc.123@example.com>
From: Sender <sender@example.com>
To: bob@example.net, Carol <carol@example.net>
Subject: =?UTF-8?Q?Caf=C3=A9?=
X-Campaign-Id: 42
X-Mailer: test
 folded

Hello.

--B1/mx.example.org--
";

fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

/// A multipart/report around a delivery-status body given with its part headers.
fn report(ds_headers: &str, ds_body: &str) -> String {
    format!(
        "From: MAILER-DAEMON@example.org\nTo: s@example.com\nSubject: failure\nMIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"XX\"\n\n\
--XX\nContent-Type: text/plain\n\nFailed.\n\n--XX\n{ds_headers}\n{ds_body}\n--XX--\n"
    )
}

const DS_BODY: &str = "Reporting-MTA: dns; mta.example.org\n\nFinal-Recipient: rfc822; dave@example.com\n\
Action: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n";

#[test]
fn postfix_dsn_two_recipients() {
    for raw in [POSTFIX.to_string(), crlf(POSTFIX)] {
        let r = parse_bounce(raw.as_bytes()).unwrap();
        assert_eq!(r.format, "rfc3464");
        assert_eq!(r.reporting_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(r.arrival_date.as_deref(), Some("Mon, 3 Mar 2025 09:59:58 +0000 (UTC)"));
        assert_eq!(r.recipients.len(), 2);

        let bob = &r.recipients[0];
        assert_eq!(bob.address, "bob@example.net");
        assert_eq!(bob.original_recipient.as_deref(), Some("Bob@Example.net"));
        assert_eq!(bob.action.as_deref(), Some("failed"));
        assert_eq!(bob.status.unwrap().to_string(), "5.1.1");
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.net"));
        assert_eq!(bob.diagnostic_type.as_deref(), Some("smtp"));
        assert_eq!(
            bob.diagnostic_text.as_deref(),
            Some("550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table")
        );
        let reply = bob.reply.as_ref().unwrap();
        assert_eq!(reply.code().unwrap().value(), 550);
        assert_eq!(bob.reason, Reason::UserUnknown);
        assert_eq!(bob.bounce, Bounce::Hard);

        let carol = &r.recipients[1];
        assert_eq!(carol.address, "carol@example.net");
        assert_eq!(carol.action.as_deref(), Some("delayed"));
        assert_eq!(carol.status.unwrap().to_string(), "4.2.2");
        assert_eq!(carol.diagnostic_type.as_deref(), Some("X-Postfix"));
        assert_eq!(carol.smtp_command.as_deref(), Some("RCPT TO"));
        // No Remote-MTA field: the host the reply names.
        assert_eq!(carol.remote_mta.as_deref(), Some("mx.example.net[192.0.2.1]"));
        assert_eq!(carol.reason, Reason::MailboxFull);
        assert_eq!(carol.bounce, Bounce::Soft);
        assert_eq!(carol.will_retry_until.as_deref(), Some("Tue, 8 Mar 2025 10:00:00 +0000 (UTC)"));

        assert_eq!(r.original.message_id.as_deref(), Some("abc.123@example.com"));
        assert_eq!(r.original.from.as_deref(), Some("sender@example.com"));
        assert_eq!(r.original.to, ["bob@example.net", "carol@example.net"]);
        assert_eq!(r.original.subject.as_deref(), Some("Café"));
        assert_eq!(
            r.original.x_headers,
            [("X-Campaign-Id".to_string(), "42".to_string()), ("X-Mailer".to_string(), "test folded".to_string())]
        );
    }
}

#[test]
fn cr_only_line_ends() {
    let raw = POSTFIX.replace('\n', "\r");
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 2);
    assert_eq!(r.recipients[0].address, "bob@example.net");
    assert_eq!(r.recipients[1].reason, Reason::MailboxFull);

    // CR-only lines in the delivery-status part of an LF email.
    let raw = report("Content-Type: message/delivery-status\n", &DS_BODY.replace('\n', "\r"));
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].address, "dave@example.com");
    assert_eq!(r.recipients[0].reason, Reason::MailboxFull);
}

#[test]
fn base64_and_quoted_printable_parts() {
    let b64 = "UmVwb3J0aW5nLU1UQTogZG5zOyBtdGEuZXhhbXBsZS5vcmcKCkZpbmFsLVJlY2lwaWVudDogcmZj\nODIyOyBkYXZlQGV4YW1wbGUuY29tCkFjdGlvbjogZmFpbGVkClN0YXR1czogNS4yLjIKRGlhZ25v\nc3RpYy1Db2RlOiBzbXRwOyA1NTIgNS4yLjIgTWFpbGJveCBmdWxsCg==\n";
    let raw = report("Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n", b64);
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients[0].address, "dave@example.com");
    assert_eq!(r.recipients[0].reason, Reason::MailboxFull);

    let qp = "Reporting-MTA: dns; mta.example.org\n\nFinal-Recipient: rfc822; dave@example.com\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox =\nfull =3D over quota\n";
    let raw = report("Content-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable\n", qp);
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients[0].diagnostic_text.as_deref(), Some("552 5.2.2 Mailbox full = over quota"));
}

#[test]
fn lenient_field_groups() {
    // No blank line between the per-message fields and the recipients, nor between the two
    // recipients; a status comment; a broken fold (no indentation) in a Diagnostic-Code.
    let body = "Reporting-MTA: dns; mta.example.org\nFinal-Recipient: rfc822; a@example.com\nAction: failed\n\
Status: 5.0.0 (permanent failure)\nDiagnostic-Code: smtp; 550 5.7.1 Message rejected\nbecause of spam content\n\
Final-Recipient: rfc822; b@example.com\nAction: failed\nStatus: 4.4.1 (connection refused)\n";
    let raw = report("Content-Type: message/delivery-status\n", body);
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.reporting_mta.as_deref(), Some("mta.example.org"));
    assert_eq!(r.recipients.len(), 2);
    let a = &r.recipients[0];
    assert_eq!(a.status.unwrap().to_string(), "5.0.0");
    assert_eq!(a.reply.as_ref().unwrap().status().unwrap().to_string(), "5.7.1");
    assert_eq!(a.diagnostic_text.as_deref(), Some("550 5.7.1 Message rejected because of spam content"));
    // No diagnostic: the reply is the status, with the Status comment as its text.
    let b = &r.recipients[1];
    assert_eq!(b.address, "b@example.com");
    let reply = b.reply.as_ref().unwrap();
    assert_eq!((reply.code(), reply.status().unwrap().to_string()), (None, "4.4.1".to_string()));
    assert_eq!(reply.text(), "connection refused");
    assert_eq!(b.bounce, Bounce::Soft);
}

#[test]
fn status_and_diagnostic_edge_cases() {
    // A Status that is not an RFC 3463 code is dropped; a diagnostic that is no reply keeps its
    // text in a status-only reply.
    let body = "Reporting-MTA: dns; m.example.org\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\n\
Status: 5.0.9999\nDiagnostic-Code: X-Unix; 77\n\nFinal-Recipient: rfc822; b@example.com\nAction: failed\n\
Status: 5.3.0\nDiagnostic-Code: X-Unix; mailbox is locked\n\nFinal-Recipient: rfc822; c@example.com\nAction: failed\n";
    let r = parse_bounce(report("Content-Type: message/delivery-status\n", body).as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 3);
    let a = &r.recipients[0];
    assert_eq!((a.status, a.reply.is_none()), (None, true));
    assert_eq!((a.diagnostic_type.as_deref(), a.diagnostic_text.as_deref()), (Some("X-Unix"), Some("77")));
    assert_eq!((a.reason, a.bounce), (Reason::Undefined, Bounce::Unknown));
    let b = &r.recipients[1];
    let reply = b.reply.as_ref().unwrap();
    assert_eq!(
        (reply.status().unwrap().to_string(), reply.text()),
        ("5.3.0".to_string(), "mailbox is locked".to_string())
    );
    let c = &r.recipients[2];
    assert_eq!((c.reply.is_none(), c.reason), (true, Reason::Undefined));
}

#[test]
fn address_choice() {
    // A pipe or a source route as Final-Recipient gives way to a mailbox Original-Recipient;
    // RFC 6533 utf-8 addresses are decoded; a quoted local part stays quoted.
    let body = "Reporting-MTA: dns; m.example.org\n\nOriginal-Recipient: rfc822; a@example.com\n\
Final-Recipient: rfc822; @lmtp.example.org:a@internal\nAction: failed\nStatus: 5.2.2\n\n\
Final-Recipient: utf-8; j\\x{00F6}rg@example.com\nAction: failed\nStatus: 5.1.1\n\n\
Final-Recipient: rfc822; \"x..y\"@example.com\nAction: failed\nStatus: 5.1.1\n";
    let raw = report("Content-Type: message/global-delivery-status\n", body);
    let r = parse_bounce(raw.as_bytes()).unwrap();
    let got: Vec<&str> = r.recipients.iter().map(|x| x.address.as_str()).collect();
    assert_eq!(got, ["a@example.com", "jörg@example.com", "\"x..y\"@example.com"]);
}

#[test]
fn nested_and_double_bounces() {
    // A bounce forwarded as message/rfc822 inside an ordinary email.
    let inner = crlf(POSTFIX);
    let fwd = format!(
        "From: admin@example.com\r\nTo: ops@example.com\r\nSubject: Fwd: bounce\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"F\"\r\n\r\n--F\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
--F\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--F--\r\n"
    );
    let r = parse_bounce(fwd.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 2);
    assert_eq!(r.original.message_id.as_deref(), Some("abc.123@example.com"));

    // A double bounce: the outer report wins over the bounce it returns.
    let dbl = format!(
        "From: MAILER-DAEMON@outer.example\nTo: postmaster@example.org\nSubject: Undeliverable\nMIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"O\"\n\n--O\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; outer.example\n\nFinal-Recipient: rfc822; postmaster@example.org\nAction: failed\nStatus: 5.4.4\n\n\
--O\nContent-Type: message/rfc822\n\n{POSTFIX}\n--O--\n"
    );
    let r = parse_bounce(dbl.as_bytes()).unwrap();
    assert_eq!(r.reporting_mta.as_deref(), Some("outer.example"));
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].address, "postmaster@example.org");
    assert_eq!(r.original.message_id.as_deref(), Some("20250303100000.1@mx.example.org"));
}

#[test]
fn rfc822_headers_original_and_broken_mime() {
    let raw = report(
        "Content-Type: message/delivery-status\n",
        &format!(
            "{DS_BODY}\n--XX\nContent-Type: text/rfc822-headers\n\nMessage-ID: <m1@example.com>\nFrom: s@example.com\nX-Id: 7\n"
        ),
    );
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.original.message_id.as_deref(), Some("m1@example.com"));
    assert_eq!(r.original.x_headers, [("X-Id".to_string(), "7".to_string())]);

    // The boundary lines lost: the fields are found in the text.
    let raw = format!(
        "From: MAILER-DAEMON@example.org\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"gone\"\n\n\
Some text.\n\n{DS_BODY}\nReturn-Path: <s@example.com>\nFrom: s@example.com\n\nHello\n"
    );
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].address, "dave@example.com");
}

/// mail-parser's `Date:` parser runs on into the next field after a zone written `UT`
/// (RFC 5322 §4.3); the Date is not parsed, so the `From` under it is read.
#[test]
fn original_from_after_a_ut_date() {
    let raw = report(
        "Content-Type: message/delivery-status\n",
        &format!(
            "{DS_BODY}\n--XX\nContent-Type: message/rfc822\n\nDate: Thu, 20 Apr 2008 23:34:45 UT\n\
From: Sender <s@example.com>\nTo: dave@example.com\n\nHello\n"
        ),
    );
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.original.from.as_deref(), Some("s@example.com"));
    assert_eq!(r.original.to, ["dave@example.com"]);
}

#[test]
fn truncated_mime() {
    let raw = crlf(POSTFIX);
    // Cut inside the second recipient's group, and before the delivery-status part.
    let cut = raw.find("X-Postfix; host").unwrap();
    let r = parse_bounce(&raw.as_bytes()[..cut]).unwrap();
    assert_eq!(r.recipients.len(), 2);
    assert_eq!(r.recipients[0].reason, Reason::UserUnknown);
    let cut = raw.find("Content-Description: Delivery report").unwrap();
    assert!(matches!(parse_bounce(&raw.as_bytes()[..cut]), Err(Error::NotABounce { .. })));
    // Every prefix: no panic.
    for end in (0..raw.len()).step_by(7) {
        let _ = parse_bounce(&raw.as_bytes()[..end]);
    }
}

const ARF: &str = "From: fbl@isp.example\nTo: abuse@example.com\nSubject: FW: complaint\nMIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=feedback-report;\n boundary=\"A\"\n\n--A\nContent-Type: text/plain\n\n\
This is an email abuse report.\n\n--A\nContent-Type: message/feedback-report\n\nFeedback-Type: Abuse\n\
User-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Mail-From: <sender@example.com>\n\
Original-Rcpt-To: <user1@isp.example>\nOriginal-Rcpt-To: user2@isp.example\nArrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n\
Reporting-MTA: dns; mail.isp.example\nSource-IP: 192.0.2.1\n\n--A\nContent-Type: message/rfc822\n\n\
From: <sender@example.com>\nTo: <user1@isp.example>\nSubject: Offer\nMessage-ID: <8787KJKJ3K4J3K4J3K4J3.mail@example.com>\n\
X-List-Id: 99\n\nBuy now.\n--A--\n";

#[test]
fn arf_report() {
    let r = parse_bounce(ARF.as_bytes()).unwrap();
    assert_eq!(r.format, "arf");
    assert_eq!(r.feedback_type.as_deref(), Some("abuse"));
    assert_eq!(r.reporting_mta.as_deref(), Some("mail.isp.example"));
    assert_eq!(r.arrival_date.as_deref(), Some("Thu, 8 Mar 2005 14:00:00 EDT"));
    let got: Vec<&str> = r.recipients.iter().map(|x| x.address.as_str()).collect();
    assert_eq!(got, ["user1@isp.example", "user2@isp.example"]);
    assert!(r.recipients.iter().all(|x| x.reason == Reason::Feedback && x.bounce == Bounce::None));
    assert_eq!(r.original.message_id.as_deref(), Some("8787KJKJ3K4J3K4J3K4J3.mail@example.com"));
    assert_eq!(r.original.x_headers, [("X-List-Id".to_string(), "99".to_string())]);

    // Without Original-Rcpt-To: the original message's To.
    let raw = ARF.replace("Original-Rcpt-To: <user1@isp.example>\nOriginal-Rcpt-To: user2@isp.example\n", "");
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].address, "user1@isp.example");
}

const VACATION: &str = "Return-Path: <>\nFrom: Kim <kim@example.net>\nTo: sender@example.com\n\
Subject: Out of office\nIn-Reply-To: <orig-1@example.com>\nAuto-Submitted: auto-replied (vacation)\n\n\
I am away until Monday.\n";

#[test]
fn auto_replies() {
    let r = parse_bounce(VACATION.as_bytes()).unwrap();
    assert_eq!(r.format, "rfc3834");
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].address, "kim@example.net");
    assert_eq!((r.recipients[0].reason, r.recipients[0].bounce), (Reason::Vacation, Bounce::None));
    assert_eq!(r.original.message_id.as_deref(), Some("orig-1@example.com"));
    assert_eq!(r.original.from.as_deref(), Some("sender@example.com"));

    for header in
        ["X-Autoreply: yes", "X-Autorespond: Out of office", "Precedence: auto_reply", "X-Apple-Action: VACATION"]
    {
        let raw = VACATION.replace("Auto-Submitted: auto-replied (vacation)", header);
        assert_eq!(parse_bounce(raw.as_bytes()).unwrap().format, "rfc3834", "{header}");
    }
    // Not auto-replies: `Auto-Submitted: no`, and a bounce from MAILER-DAEMON (Exim's bounces
    // carry Auto-Submitted without a report).
    let raw = VACATION.replace("Auto-Submitted: auto-replied (vacation)", "Auto-Submitted: no");
    assert!(matches!(parse_bounce(raw.as_bytes()), Err(Error::NotABounce { .. })));
    let raw = VACATION.replace("Kim <kim@example.net>", "Mail Delivery System <Mailer-Daemon@example.net>");
    assert!(matches!(parse_bounce(raw.as_bytes()), Err(Error::NotABounce { .. })));
}

#[test]
fn not_bounces_and_not_emails() {
    let plain = "From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nHello.\r\n";
    let e = parse_bounce(plain.as_bytes()).unwrap_err();
    assert!(matches!(e, Error::NotABounce { .. }));
    assert!(e.to_string().contains("expected a delivery status notification"), "{e}");

    // A delivery-status part that names no recipient.
    let raw = report("Content-Type: message/delivery-status\n", "Reporting-MTA: dns; m.example.org\n");
    let e = parse_bounce(raw.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("rfc3464 report names no recipient"), "{e}");

    for garbage in
        [&b""[..], b"   \r\n\t", b"\x00\x01\x02\xff\xfe binary", b"Hello world\nno header here", b": no name\n"]
    {
        let e = parse_bounce(garbage).unwrap_err();
        assert!(matches!(e, Error::NotAnEmail { .. }), "{garbage:?}: {e}");
        assert!(e.to_string().contains("expected an RFC 5322 message"), "{e}");
    }
    // A byte-order mark and blank lines in front are skipped.
    let bom = format!("\u{FEFF}\r\n\r\n{VACATION}");
    assert_eq!(parse_bounce(bom.as_bytes()).unwrap().format, "rfc3834");
    // An mbox "From " line in front is skipped.
    let mbox = format!("From MAILER-DAEMON  Mon Sep 20 19:29:27 2021\n{VACATION}");
    assert_eq!(parse_bounce(mbox.as_bytes()).unwrap().format, "rfc3834");
}

#[test]
fn size_limit() {
    let big = vec![b'a'; MAX_EMAIL_BYTES + 1];
    let e = parse_bounce(&big).unwrap_err();
    assert_eq!(e, Error::EmailTooLarge { len: MAX_EMAIL_BYTES + 1, max: MAX_EMAIL_BYTES });
    assert!(e.to_string().contains("expected at most 67108864 bytes"), "{e}");
}

#[test]
fn deep_nesting_is_bounded() {
    // Thousands of nested message/rfc822 parts: no stack overflow, the report found only
    // within MAX_NESTING levels.
    let mut raw = String::new();
    for _ in 0..200_000 {
        raw.push_str("From: a@example.com\nContent-Type: message/rfc822\n\n");
    }
    raw.push_str(POSTFIX);
    assert!(parse_bounce(raw.as_bytes()).is_err());
    let mut raw = String::new();
    for _ in 0..3 {
        raw.push_str("From: a@example.com\nContent-Type: message/rfc822\n\n");
    }
    raw.push_str(POSTFIX);
    assert_eq!(parse_bounce(raw.as_bytes()).unwrap().recipients.len(), 2);
}

#[test]
fn many_recipients_linear() {
    let mut body = String::from("Reporting-MTA: dns; m.example.org\n");
    for i in 0..20_000 {
        body.push_str(&format!("\nFinal-Recipient: rfc822; u{i}@example.com\nAction: failed\nStatus: 5.1.1\n"));
    }
    let raw = report("Content-Type: message/delivery-status\n", &body);
    let t = std::time::Instant::now();
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 20_000);
    assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
}

/// Pieces of MIME structure that mutations insert.
const TOKENS: [&[u8]; 8] = [
    b"\n--",
    b"\r\n\r\n",
    b"Content-Type: message/rfc822\n\n",
    b"--B1/mx.example.org",
    b"--B1/mx.example.org--",
    b"Content-Transfer-Encoding: base64\n",
    b"(",
    b"\n ",
];

/// A valid DSN with a few changes: bytes replaced, deleted or inserted, MIME pieces inserted,
/// the end cut.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let base = crlf(POSTFIX).into_bytes();
    let n = base.len();
    (prop::collection::vec((0..n, any::<u8>(), 0u8..5), 1..20)).prop_map(move |edits| {
        let mut v = base.clone();
        for (pos, byte, op) in edits {
            let pos = pos.min(v.len());
            match op {
                0 if pos < v.len() => v[pos] = byte,
                1 if pos < v.len() => {
                    v.remove(pos);
                }
                2 => v.insert(pos, byte),
                3 => {
                    let t = TOKENS[usize::from(byte) % TOKENS.len()];
                    v.splice(pos..pos, t.iter().copied());
                }
                _ => v.truncate(pos.max(1)),
            }
        }
        v
    })
}

#[test]
fn broken_multipart_that_trips_mail_parser() {
    // Found by fuzzing: a nested message right after a boundary line without its line end
    // reaches a `debug_assert!` in mail-parser 0.11.9. Release builds parse it; debug builds
    // catch the assertion and say the structure is broken. Neither panics.
    let raw = b"Content-Type:multipart/\n\tboundary=B1/mx.example.org\n\n--B1/mx.example.orgContent-Type:message/rfc822\n\nContent-Type:message/rfc822\n\n\n--B1/mx.example.org--";
    match parse_bounce(raw) {
        Err(Error::NotAnEmail { .. } | Error::NotABounce { .. }) => {}
        other => panic!("{other:?}"),
    }
}

/// Lines of the plain-text formats' wording, which the text-bounce strategy strings together
/// with random lines so that every extractor's reading is exercised.
const TEXT_PIECES: &[&str] = &[
    "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.",
    "Below is a copy of the original message:",
    "This is the mail system at host mx.example.org.",
    "<bob@example.net> (expanded from <b@example.org>): host mx.example.net[192.0.2.1] said: 550",
    "    5.1.1 unknown (in reply to RCPT TO command)",
    "Reporting-MTA: dns; mx.example.org",
    "Final-Recipient: rfc822; bob@example.net",
    "Status: 5.1.1",
    "** Message not delivered **",
    "The response was:",
    "Delivery has failed to these recipients or groups:",
    "Diagnostic information for administrators:",
    "Generating server: mx.example.org",
    "Remote Server returned '< #5.1.1 smtp;550 5.1.1 x>'",
    "Your mail sent on: Thu, 29 Apr 2013",
    "     Could not be delivered to: <bob@example.net>",
    "------- Failure Reasons  --------",
    "------- Returned Message --------",
    "Unable to deliver message to the following address(es).",
    "<bob@example.net>:",
    "This is an automatically generated Delivery Status Notification",
    "Delivery to the following recipients failed permanently:",
    "   * bob@example.net",
    "Technical details:",
    "SMTP:RCPT host 192.0.2.1: 553 5.3.0 x",
    "---The following addresses had delivery errors---",
    "bob@example.net [User unknown]",
    "We had trouble delivering your message. Full details follow:",
    "The following recipients returned permanent errors: bob@example.net. Reason: Server <192.0.2.1> refused to accept your message (DATA), with the following error message: [554",
    "Unable to deliver message to: <bob@example.net>",
    "Delivery failed for the following reason:",
    "Message from InterScan Messaging Security Suite",
    "Sent <<< RCPT TO:<bob@example.net>",
    "Received >>> 550 5.1.1 x",
    "Unknown user: bob@example.net",
    "Body of message generated response:",
    "Could not be delivered because of",
    "The following recipients were affected:",
    "Additional Information",
    "Remote-MTA: <192.0.2.1>",
    "----- The following addresses had permanent fatal errors -----",
    ">>> bob@example.net",
    "----- Transcript of session follows -----",
    "----- The following addresses had delivery problems -----",
    "----- Non-delivered information -----",
    "This message was created automatically by mail delivery software.",
    "--- The header of the original message is following. ---",
    "The following address failed:",
    "bob@example.net:",
    "SMTP error from remote server for RCPT command, host: mx reason: 550",
    "Error message below:",
    "Message details:",
    "  RCPT TO: bob@example.net",
    "-------server message",
    "-------SMTP command",
    "-------original message",
    "Message could not be delivered to mobile.",
    "Original Message:",
    "To: bob@example.net",
    "You are not a member of this mailing list <cats@example.org>.",
    "recipient addresses that were incorrectly constructed:",
    "  x <bob@example.net>: malformed address: y",
    "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":\"bob@example.net\"",
    "!",
    "",
];

/// A plain-text bounce: headers that several detectors look for, then lines of their wording
/// and random text.
fn text_bounce() -> impl Strategy<Value = String> {
    let line = prop_oneof![(0..TEXT_PIECES.len()).prop_map(|i| TEXT_PIECES[i].to_string()), "[ -~]{0,40}"];
    (prop::collection::vec(line, 0..40), any::<bool>()).prop_map(|(lines, json)| {
        let head = "From: MAILER-DAEMON@example.org (cats-admin)\nSubject: Undeliverable Mail\n\
X-Failed-Recipients: bob@example.net\nX-MLServer: fml\n\n";
        let body = lines.join("\n");
        if json { format!("{head}{{{body}") } else { format!("{head}{body}") }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_bytes(raw in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = parse_bounce(&raw);
    }

    #[test]
    fn never_panics_on_header_like_text(raw in "([A-Za-z-]{1,12}:[ -~]{0,40}(\r\n|\n|\r)( [ -~]{0,20}\n)?){0,12}(\n)?(--[a-z]{0,3}\n|[ -~\n]{0,80}){0,6}") {
        let _ = parse_bounce(raw.as_bytes());
    }

    #[test]
    fn never_panics_on_mutated_dsn(raw in mutated()) {
        if let Ok(r) = parse_bounce(&raw) {
            prop_assert!(!r.recipients.is_empty());
        }
    }

    #[test]
    fn never_panics_on_text_bounces(raw in text_bounce()) {
        if let Ok(r) = parse_bounce(raw.as_bytes()) {
            prop_assert!(!r.recipients.is_empty());
        }
    }
}

#[test]
fn many_text_recipients_linear() {
    let mut opensmtpd = String::from(
        "From: MAILER-DAEMON@example.org\nSubject: Delivery status notification: error\n\n\
    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n",
    );
    let mut postfix = String::from(
        "From: MAILER-DAEMON@example.org\nSubject: x\n\nThis is the mail system at host m.example.org.\n\n",
    );
    let mut office = String::from(
        "From: postmaster@example.org\nSubject: x\n\nDelivery has failed to these recipients or groups:\n\n",
    );
    for i in 0..20_000 {
        opensmtpd.push_str(&format!("u{i}@example.com: 550 5.1.1 <u{i}@example.com>... User Unknown\n"));
        postfix.push_str(&format!("<u{i}@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1\n    unknown (in reply to RCPT TO command)\n\n"));
        office.push_str(&format!(
            "u{i}@example.com\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n\n"
        ));
    }
    for raw in [opensmtpd, postfix, office] {
        let t = std::time::Instant::now();
        let r = parse_bounce(raw.as_bytes()).unwrap();
        assert_eq!(r.recipients.len(), 20_000, "{}", r.format);
        assert!(t.elapsed().as_secs() < 30, "{} took {:?}", r.format, t.elapsed());
    }
}

/// A DSN without `Diagnostic-Code` fields (as OpenSMTPD, Exim and Gmail write them): each
/// recipient's reason comes from the line of the human-readable part that names it.
const DSN_WITHOUT_DIAGNOSTIC: &str = "From: Mailer Daemon <MAILER-DAEMON@mx.example.org>
Subject: Delivery status notification: failed
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"

--B
Content-Type: text/plain; charset=us-ascii

    An error has occurred while attempting to deliver a message for
    the following list of recipients:

bob@example.net: Domain does not exist
carol@example.net: 421 4.7.0 Messages temporarily deferred due to user complaints

  save to /var/mail/dave
    generated by dave@example.net
    mailbox is full: retry timeout exceeded

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; bob@example.net
Action: failed
Status: 5.0.0

Final-Recipient: rfc822; carol@example.net
Action: delayed
Status: 4.0.0

Final-Recipient: rfc822; /var/mail/dave
Action: failed
Status: 5.0.0

Final-Recipient: rfc822; erin@example.net
Action: failed
Status: 5.0.0

--B--
";

#[test]
fn dsn_without_diagnostic_reads_human_text() {
    let r = parse_bounce(DSN_WITHOUT_DIAGNOSTIC.as_bytes()).unwrap();
    assert_eq!(r.format, "rfc3464");
    let [bob, carol, dave, erin] = &r.recipients[..] else { panic!("{:?}", r.recipients) };
    assert_eq!(bob.diagnostic_text.as_deref(), Some("bob@example.net: Domain does not exist"));
    assert_eq!(bob.reason, Reason::HostUnknown);
    assert_eq!(bob.status.unwrap().to_string(), "5.0.0");
    assert_eq!(carol.reply.as_ref().unwrap().code().unwrap().value(), 421);
    assert_eq!(carol.reason, Reason::BadReputation);
    assert_eq!(
        dave.diagnostic_text.as_deref(),
        Some("save to /var/mail/dave generated by dave@example.net mailbox is full: retry timeout exceeded")
    );
    assert_eq!(dave.reason, Reason::MailboxFull);
    // Not named in the text: nothing added.
    assert!(erin.diagnostic_text.is_none());
    assert_eq!(erin.reason, Reason::Undefined);
}

#[test]
fn dsn_without_diagnostic_many_recipients_linear() {
    let mut human = String::new();
    let mut status = String::new();
    for i in 0..20_000 {
        human.push_str(&format!("u{i}@example.com: Domain does not exist\n"));
        status.push_str(&format!("Final-Recipient: rfc822; u{i}@example.com\nAction: failed\nStatus: 5.0.0\n\n"));
    }
    let raw = format!(
        "From: MAILER-DAEMON@example.org\nContent-Type: multipart/report; report-type=delivery-status; \
         boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n{human}\n--B\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; example.org\n\n{status}--B--\n"
    );
    let t = std::time::Instant::now();
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.recipients.len(), 20_000);
    assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
}

#[test]
fn exim_pipe_line_kept_as_text() {
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.org>
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  pipe to |/usr/bin/autoreply bob@example.net
    generated by bob@example.net
";
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.format, "exim");
    let bob = &r.recipients[0];
    assert_eq!(bob.address, "bob@example.net");
    assert!(bob.diagnostic_text.as_deref().unwrap().starts_with("pipe to |/usr/bin/autoreply"));
    assert_eq!(bob.reason, Reason::MailerError);
}

#[test]
fn gmail_warning_without_details_keeps_its_text() {
    let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
Subject: Delivery Status Notification (Delay)

THIS IS A WARNING MESSAGE ONLY.

Delivery to the following recipient has been delayed:

     bob@example.net

Message will be retried for 2 more day(s)

----- Original message -----

Subject: hi
";
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.format, "gmail");
    let bob = &r.recipients[0];
    assert_eq!(bob.address, "bob@example.net");
    assert_eq!(bob.action.as_deref(), Some("delayed"));
    assert_eq!(bob.diagnostic_text.as_deref(), Some("Message will be retried for 2 more day(s)"));
}

#[test]
fn dsn_without_diagnostic_reads_every_line_naming_the_recipient() {
    // Sendmail names the recipient in its list of failed addresses, then in the transcript.
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\n\n\
\x20  ----- The following addresses had permanent fatal errors -----\n<bob@example.net>\n\n\
\x20  ----- Transcript of session follows -----\n\
<bob@example.net>... Deferred: Name server: example.net.: host name lookup failure\n\
Message could not be delivered for 5 days\n\n--B\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: RFC822; bob@example.net\nAction: failed\nStatus: 4.4.7\n\n--B--\n";
    let r = parse_bounce(raw.as_bytes()).unwrap();
    let [bob] = &r.recipients[..] else { panic!("{:?}", r.recipients) };
    assert_eq!(
        bob.diagnostic_text.as_deref(),
        Some("<bob@example.net> <bob@example.net>... Deferred: Name server: example.net.: host name lookup failure")
    );
    assert_eq!(bob.reason, Reason::NetworkError);
}

#[test]
fn dsn_without_a_content_type_reads_its_delivery_status_part() {
    // The MIME parts are in the body, but the email has no Content-Type (so: text/plain).
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n\
Subject: Returned mail: see transcript for details\n\n\
This is a MIME-encapsulated message\n\n--B/mx.example.org\n\n\
\x20  ----- Transcript of session follows -----\nbob... Deferred: Connection refused by [127.0.0.1]\n\n\
--B/mx.example.org\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: RFC822; bob@example.org\nAction: failed\nStatus: 4.4.7\n\n\
--B/mx.example.org\nContent-Type: message/rfc822\n\nFrom: bob@example.org\nTo: bob\nSubject: cron\n\nx\n\n\
--B/mx.example.org--\n";
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.format, "rfc3464");
    assert_eq!(r.reporting_mta.as_deref(), Some("mx.example.org"));
    let [bob] = &r.recipients[..] else { panic!("{:?}", r.recipients) };
    assert_eq!((bob.address.as_str(), bob.reason), ("bob@example.org", Reason::Expired));
    // Without such a part, a plain email is still not a bounce.
    let plain =
        "From: a@example.org\nSubject: hi\n\n--\nContent-Type: text/plain\n\nFinal-Recipient: rfc822; x@example.org\n";
    assert!(parse_bounce(plain.as_bytes()).is_err());
}

/// Inputs the fuzzer found (tests/data/fuzz): slow ones must read and stay linear, and a reply
/// must survive its wire form.
#[test]
fn fuzz_regressions_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let email = std::fs::read(root.join("parse_bounce-slow-nonascii-diagnostic.eml")).unwrap();
    let report = parse_bounce(&email).unwrap();
    assert_eq!(report.recipients.len(), 20);
    let reply = std::fs::read(root.join("parse_reply-slow-nonascii.txt")).unwrap();
    let r = crate::reply::parse_bytes(&reply).unwrap();
    assert_eq!(crate::classify(&r).reason, crate::Reason::UserUnknown);
    // A status followed by vertical tabs, which `trim` drops: it is a status, so that the wire
    // form (`550-5.1.0`, the tabs gone) parses back to the same reply.
    let vt = std::fs::read(root.join("parse_reply-vertical-tab-after-status.txt")).unwrap();
    let r = crate::reply::parse_bytes(&vt).unwrap();
    assert_eq!(r.status().map(|s| s.to_string()).as_deref(), Some("5.1.0"));
    let back = crate::parse(&r.to_wire()).unwrap();
    assert_eq!((back.code(), back.status(), back.lines()), (r.code(), r.status(), r.lines()));
    // Postfix's `(in reply to … command)` split over lines is text, not a trailer, before and
    // after the wire form joins the lines.
    let split = std::fs::read(root.join("parse_reply-in-reply-to-across-lines.txt")).unwrap();
    let r = crate::reply::parse_bytes(&split).unwrap();
    assert_eq!(r.smtp_command(), None);
    let back = crate::parse(&r.to_wire()).unwrap();
    assert_eq!((back.code(), back.status(), back.lines()), (r.code(), r.status(), r.lines()));
}

/// One diagnostic shared by a huge number of recipients: a clear error, not gigabytes of copies
/// and not a silently shortened list.
#[test]
fn shared_diagnostic_copies_are_bounded() {
    let mut email = String::from(
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: sender@example.com\n\
         Subject: Delivery Status Notification (Failure)\nContent-Type: text/plain; charset=utf-8\n\n\
         Delivery to the following recipient failed permanently:\n\n",
    );
    for i in 0..100_000 {
        email.push_str(&format!("     u{i}@example.com\n"));
    }
    email.push_str(
        "\nTechnical details of permanent failure:\nThe error that the other server returned was:\n550 5.1.1 ",
    );
    email.push_str(&"mailbox unavailable ".repeat(400));
    email.push_str("\n\n   ----- Original message -----\n\nSubject: hi\n");
    match parse_bounce(email.as_bytes()) {
        Err(Error::ReportTooLarge { recipients, each, .. }) => {
            assert!(recipients * each > super::text::MAX_COPIED_BYTES);
            assert!(recipients < 100_000);
        }
        other => panic!("expected ReportTooLarge, got {:?}", other.map(|r| r.recipients.len())),
    }
}

/// Every recipient gets a decision, with or without a reply (`BounceRecipient::decide`).
#[test]
fn recipients_without_a_reply_get_a_decision() {
    use crate::retry::{Action, Outcome, RetryPolicy, Scope};
    let policy = RetryPolicy::default();
    // An ARF abuse report: the recipient complained; never mail them again.
    let r = parse_bounce(ARF.as_bytes()).unwrap();
    let ft = r.feedback_type.as_deref();
    for x in &r.recipients {
        assert!(x.reply.is_none());
        assert_eq!(x.outcome(ft), Outcome::Complaint);
        let d = x.decide(ft, 1, None, &policy);
        assert_eq!((d.action, d.suppress, d.scope), (Action::Suppress, true, Scope::Address), "{}", d.explanation);
        assert!(d.explanation.contains("unwanted"), "{}", d.explanation);
    }
    // A DMARC failure report (RFC 6591) is feedback, not a complaint: the message was delivered.
    let auth = parse_bounce(ARF.replace("Feedback-Type: Abuse", "Feedback-Type: auth-failure").as_bytes()).unwrap();
    let x = &auth.recipients[0];
    assert_eq!(x.decide(auth.feedback_type.as_deref(), 1, None, &policy).action, Action::Delivered);
    assert_eq!(Outcome::of_feedback(Some("Not-Spam")), Outcome::Delivered);
    assert_eq!(Outcome::of_feedback(Some("abuse")), Outcome::Complaint);
    assert_eq!(x.outcome(Some("some-new-type")), Outcome::Complaint, "an unlisted type is a complaint");
    // An auto-reply: delivered, nothing to do.
    let v = parse_bounce(VACATION.as_bytes()).unwrap();
    assert_eq!(v.recipients[0].decide(None, 1, None, &policy).action, Action::Delivered);
    // A DSN recipient with only its Action and a reason from the words.
    let mut x = BounceRecipient::bare("bob@example.net".into(), Reason::UserUnknown, Bounce::Hard);
    x.action = Some("failed".into());
    assert_eq!(x.decide(None, 1, None, &policy).action, Action::Suppress);
    let mut x = BounceRecipient::bare("bob@example.net".into(), Reason::MailboxFull, Bounce::Soft);
    x.action = Some("delayed".into());
    let d = x.decide(None, 1, None, &policy);
    assert_eq!((d.action, d.delay), (Action::Retry, Some(policy.base_delay)));
    assert!(d.explanation.starts_with("no reply (mailboxfull)"), "{}", d.explanation);
    // No Action: the status class, else the verdict.
    x.action = None;
    x.status = crate::status::EnhancedStatus::parse("5.2.2").ok();
    assert_eq!(x.outcome(None), Outcome::Permanent);
    x.status = None;
    assert_eq!(x.outcome(None), Outcome::Transient);
    x.bounce = Bounce::Unknown;
    assert_eq!(x.outcome(None), Outcome::Permanent);
}

/// A Japanese MTA's DSN with ISO-2022-JP written as it is into its Diagnostic-Code (Domino):
/// decoded, and classified by the words.
#[test]
fn iso_2022_jp_in_delivery_status_fields() {
    let mut raw = b"From: MAILER-DAEMON@example.jp\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.example.jp\r\n\r\nFinal-Recipient: rfc822; bob@example.jp\r\nAction: failed\r\nStatus: 5.0.0\r\n\
Diagnostic-Code: X-Notes; "
        .to_vec();
    // ユーザー bob は Domino ディレクトリには見つかりません。 in ISO-2022-JP.
    raw.extend_from_slice(
        b"\x1b$B%f!<%6!<\x1b(B bob \x1b$B$O\x1b(B Domino \x1b$B%G%#%l%/%H%j$K$O8+$D$+$j$^$;$s!#\x1b(B",
    );
    raw.extend_from_slice(b"\r\n--b--\r\n");
    let r = parse_bounce(&raw).unwrap();
    let bob = &r.recipients[0];
    assert!(bob.diagnostic_text.as_deref().unwrap().contains("ディレクトリには見つかりません"), "{bob:?}");
    assert_eq!(bob.reason, Reason::UserUnknown);
}

/// A delay warning whose status says nothing specific (`4.5.0`, `421` alone): the message is
/// waiting in the queue, `expired` and soft, not a syntax error to fix; a specific status keeps
/// its reason.
#[test]
fn delayed_with_a_generic_status_is_expired() {
    let dsn = |status: &str, diagnostic: &str| {
        format!(
            "From: MAILER-DAEMON@example.org\r\nSubject: Warning: could not send message for past 4 hours\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n\
--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; bob@example.com\r\nAction: delayed\r\nStatus: {status}\r\nDiagnostic-Code: smtp; {diagnostic}\r\n--b--\r\n"
        )
    };
    let r = parse_bounce(dsn("4.5.0", "421 4.5.0").as_bytes()).unwrap();
    assert_eq!(r.kind, crate::bounce::ReportKind::Delay);
    assert_eq!((r.recipients[0].reason, r.recipients[0].bounce), (Reason::Expired, Bounce::Soft));
    let r = parse_bounce(dsn("4.2.2", "452 4.2.2 Mailbox full").as_bytes()).unwrap();
    assert_eq!(r.recipients[0].reason, Reason::MailboxFull);
}

/// A delay warning that quotes no reply but says why keeps the reason its words give; only a
/// recipient with no reason (or only a generic status) is `expired`.
#[test]
fn delayed_without_a_reply_keeps_the_reason_its_words_give() {
    let raw = "From: MAILER-DAEMON@example.org\nTo: alice@example.org\nSubject: Delayed Mail (still being retried)\n\n\
The mail system could not deliver it yet: this is a warning only.\n\n<bob@example.com>:\nThe mailbox is full.\n";
    let r = parse_bounce(raw.as_bytes()).unwrap();
    assert_eq!(r.kind, crate::bounce::ReportKind::Delay);
    let bob = &r.recipients[0];
    assert!(bob.reply.is_none(), "{bob:?}");
    assert_eq!((bob.action.as_deref(), bob.reason, bob.bounce), (Some("delayed"), Reason::MailboxFull, Bounce::Soft));
}
