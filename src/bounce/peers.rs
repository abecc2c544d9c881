//! The layouts other bounce parsers know, as fixtures of our own.
//!
//! Each case is written from what a peer detector looks for (its opening line, where it finds
//! the failed address, what ends the block): flufl.bounce's `_detectors/*.py` (GNU Mailman's
//! `Mailman/Bouncers/*.py` are the same detectors), Mail::DeliveryStatus::BounceParser's
//! preprocessors and `_std_reason`, and bounce_email's subject and status patterns. None is
//! copied from their test emails: the addresses are example.com/example.net/example.org, the
//! IPs 192.0.2.x, the wording the generator's as the detector quotes it, the rest what such a
//! system writes around it. The comment on each case names the detector.
//!
//! Positive cases give the failed addresses (exactly, in order), the kind and, where the layout
//! states it plainly, the reason; negative cases are emails the detectors guard against
//! (ordinary mail, challenge-response, auto-replies, forwarding notices) that must not be read
//! as bounces.

use super::{ReportKind, parse_bounce};
use crate::classify::Reason;

struct Case {
    /// The peer detector (and variant) the layout comes from.
    name: &'static str,
    email: &'static str,
    /// Convert the line ends to CRLF.
    crlf: bool,
    addresses: &'static [&'static str],
    kind: ReportKind,
    /// The reason of every recipient, where the layout states it.
    reason: Option<Reason>,
}

const fn case(
    name: &'static str,
    email: &'static str,
    addresses: &'static [&'static str],
    kind: ReportKind,
    reason: Option<Reason>,
) -> Case {
    Case { name, email, crlf: false, addresses, kind, reason }
}

const fn crlf(c: Case) -> Case {
    Case { crlf: true, ..c }
}

use ReportKind::{Bounce, Delay};

static CASES: &[Case] = &[
    // ------------------------------------------------------------------ flufl.bounce SimpleMatch
    // "here is your list of failed recipients" ... <addr> ... "here is your returned mail" (sdm.de).
    case(
        "simplematch: list of failed recipients",
        "Return-Path: <>
From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Returned mail: User unknown

Hi,

here is your list of failed recipients:

 <bob@example.net>

 bob@example.net... User unknown

here is your returned mail

From: list@example.org
To: list@example.org
Subject: news
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // "this message was created automatically by mail delivery software" ... "rcpt to: <addr>"
    // ... "original message follows" (demon.co.uk, an Exim before X-Failed-Recipients).
    crlf(case(
        "simplematch: created automatically, RCPT TO transcript",
        "Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@relay.example.net>
To: list-bounces@example.org
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to all of its recipients. The
following address(es) failed:

  SMTP error from remote mailer after RCPT TO:<bob@example.net>:
    host mx.example.net [192.0.2.10]: 550 5.1.1 unknown user

------ This is a copy of the message, including all the headers. ------

From: list@example.org
To: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    )),
    // Smail: "failed addresses follow:" ... addresses ... "message text follows:".
    case(
        "simplematch: Smail failed addresses follow",
        "Return-Path: <>
From: MAILER-DAEMON@gw.example.net
To: owner-list@example.org
Subject: mail failed, returning to sender

|------------------------- Failed addresses follow: ---------------------|
 bob@example.net ... unknown user
 carol@example.net ... unknown user
|------------------------- Message text follows: ------------------------|
Received: from example.org by gw.example.net
From: list@example.org
To: list@example.org
",
        &["bob@example.net", "carol@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // newmail.ru: "This is the machine generated message from mail service." ... <addr> ...
    // "--- Below the next line is a copy of the message."
    case(
        "simplematch: machine generated message from mail service",
        "From: MAILER-DAEMON <MAILER-DAEMON@mx.example.net>
To: list-bounces@example.org
Subject: Undeliverable mail

This is the machine generated message from mail service.
Unable to deliver message to the following address(es).

<bob@example.net>:
Mailbox is over quota.

--- Below the next line is a copy of the message.

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // MDaemon 3.5: "The following addresses did NOT receive a copy of your message:" ... "> addr"
    // ... "--- Session Transcript ---".
    case(
        "simplematch: MDaemon did NOT receive a copy",
        "From: MDaemon@mail.example.net
To: list-bounces@example.org
Subject: Permanent Delivery Failure

The attached message had PERMANENT fatal delivery errors!

After one or more unsuccessful delivery attempts the attached message has
been removed from the mail queue on this server.  The number and frequency
of delivery attempts are determined by local configuration parameters.

YOU SHOULD NOT ATTEMPT TO REDELIVER THE ATTACHED MESSAGE WITHOUT FIRST
CORRECTING THE ERRORS WHICH CAUSED THE FAILURE.

The following addresses did NOT receive a copy of your message:

>    bob@example.net

--- Session Transcript ---
 Mon 2003-01-06 10:00:00: Parsing message <mail.example.net\\pd35000000001.msg>
 Mon 2003-01-06 10:00:00: * To: bob@example.net
 Mon 2003-01-06 10:00:01: Attempting SMTP connection to [192.0.2.10 : 25]
 Mon 2003-01-06 10:00:01: <-- 550 5.1.1 No such user
--- End Transcript ---
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // usa.net: "Intended recipient: addr" ... "--------RETURNED MAIL FOLLOWS--------".
    case(
        "simplematch: usa.net intended recipient",
        "From: Postmaster <postmaster@example.net>
To: list-bounces@example.org
Subject: Delivery failure

Message from example.net.
Unable to deliver mail.

       Intended recipient: bob@example.net
       Reason: account not activated

--------RETURNED MAIL FOLLOWS--------
From: list@example.org
To: list@example.org
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // hotpop.com: "Undeliverable Address: addr" ... "Original message attached".
    case(
        "simplematch: hotpop undeliverable address",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Mail Delivery Failure

The following message could not be delivered.

Undeliverable Address: bob@example.net
Reason: User account is over quota.

Original message attached.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // demon.co.uk: "This message was created automatically by mail delivery" ... "addressed to
    // 'addr'" ... "---- START OF RETURNED MESSAGE ----".
    case(
        "simplematch: addressed to 'addr'",
        "From: Mail Delivery System <MAILER-DAEMON@post.example.net>
To: list-bounces@example.org
Subject: Mail delivery failed

This message was created automatically by mail delivery software.

A message that you sent has not been delivered to one or more of its
recipients. The message addressed to 'bob@example.net' failed because
the user's mailbox is full.

---- START OF RETURNED MESSAGE ----
From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // Prodigy: "User's mailbox is full: <addr>" ... "Unable to deliver mail."
    case(
        "simplematch: Prodigy mailbox full",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Returned mail: Quota exceeded

User's mailbox is full: <bob@example.net>
Unable to deliver mail.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // Microsoft SMTPSVC: "The email below could not be delivered to the following user:" ...
    // <addr> ... "Old message:".
    crlf(case(
        "simplematch: SMTPSVC email below",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Delivery failure

The email below could not be delivered to the following user:

\"Bob\" <bob@example.net>

Old message:

From: list@example.org
To: list@example.org
",
        &["bob@example.net"],
        Bounce,
        None,
    )),
    // Yahoo on behalf of other domains: "Unable to deliver message to the following
    // address(es)." ... "<addr>:" ... "--- Original message follows."
    case(
        "simplematch: Yahoo for other domains",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: failure notice

Hi. This is the qmail-send program at mta.example.net.
Unable to deliver message to the following address(es).

<bob@example.net>:
192.0.2.10 does not like recipient.
Remote host said: 550 Requested action not taken: mailbox unavailable
Giving up on 192.0.2.10.

--- Original message follows.

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // googlemail.com: "Delivery to the following recipient failed" ... the address alone on
    // its line ... "----- Original message -----".
    case(
        "simplematch: googlemail permanent",
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: list-bounces@example.org
Subject: Delivery Status Notification (Failure)

This is an automatically generated Delivery Status Notification

Delivery to the following recipient failed permanently:

     bob@example.net

Technical details of permanent failure:
The recipient server did not accept our requests to connect. Learn more at ...
[mx.example.net (1): Connection refused]

   ----- Original message -----

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        // Gmail gave up on a host that refused its connections: Sisimai's Gmail reader says
        // expired, bounce_email says 5.3.2; the layout does not settle it.
        None,
    ),
    // kundenserver.de: "A message that you sent could not be delivered" ... "addr:" at the
    // start of a line (no brackets) ... "^---".
    case(
        "simplematch: kundenserver addr colon",
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: list-bounces@example.org
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

bob@example.net:
    mailbox is full

--- The header of the original message is following. ---

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // thehartford.com / songbird: "Delivery to the following recipients failed." then the
    // addresses alone, maybe starred.
    case(
        "simplematch: delivery to the following recipients failed",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Failure)

This is an automatically generated Delivery Status Notification.

Delivery to the following recipients failed.

       * bob@example.net
       * carol@example.net

",
        &["bob@example.net", "carol@example.net"],
        Bounce,
        None,
    ),
    // thehartford.com: "Your message" ... the address alone ... "because:".
    case(
        "simplematch: Your message ... because",
        "From: Postmaster <postmaster@example.net>
To: list-bounces@example.org
Subject: Undeliverable Mail

Your message

  Subject: news

was not delivered to:

  bob@example.net

because:

  User unknown
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // earthlink.net: "Sorry, unable to deliver your message to addr for the following reason:"
    // ... "A copy of the original message".
    case(
        "simplematch: earthlink sorry unable to deliver",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: Undeliverable mail

Sorry, unable to deliver your message to bob@example.net for the following reason:

552 Quota violation for bob@example.net

A copy of the original message below this line:

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // ademe.fr: "A message could not be delivered to:" then the address alone.
    case(
        "simplematch: a message could not be delivered to",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: Mail delivery failure

A message could not be delivered to:
bob@example.net

Subject: news
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // andrew.ac.jp: "Invalid final delivery userid:" ... "Original message follows."
    case(
        "simplematch: invalid final delivery userid",
        "From: Postmaster <postmaster@example.net>
To: list-bounces@example.org
Subject: Undeliverable mail

Invalid final delivery userid: bob@example.net

Original message follows.
From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // E500 SMTP Mail Service: "------ Failed Recipients ------" ... <addr> ... "Returned Mail".
    case(
        "simplematch: E500 failed recipients",
        "From: E500_SMTP_Mail_Service@example.net
To: list-bounces@example.org
Subject: Returned mail

Your message could not be delivered to one or more recipients.

------ Failed Recipients ------
<bob@example.net>: User unknown

-------- Returned Mail --------
From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // LSMTP for Windows: "--> Error description:" ... "Error-for: addr" ... "Error-End:".
    case(
        "simplematch: LSMTP error-for",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery failure

The enclosed message could not be delivered.

--> Error description:
Error-For:  bob@example.net
Error-Code: 5.1.1
Error-Text: No such user here.

Error-End: 1 error(s)
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // socgen.com: "Your message could not be delivered to addr" and the blank line ends it.
    case(
        "simplematch: could not be delivered to on one line",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Undeliverable: news

Your message could not be delivered to bob@example.net (Mailbox full)

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // dadoservice.it: "Your message has encountered delivery problems" ... "addressed to addr"
    // ... "Your message reads".
    case(
        "simplematch: encountered delivery problems",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: Undeliverable message

Your message has encountered delivery problems
to local user bob.
(Originally addressed to bob@example.net)

User not known

Your message reads (in part):

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // gomaps.com: "Did not reach the following recipient(s):" ... " addr ..." to the blank line.
    case(
        "simplematch: did not reach the following recipient",
        "From: System Administrator <postmaster@example.net>
To: list-bounces@example.org
Subject: Undeliverable: news

Your message

  To:      list@example.org
  Subject: news
  Sent:    Thu, 6 Feb 2003 10:00:00 -0800

did not reach the following recipient(s):

bob@example.net on Thu, 6 Feb 2003 10:00:05 -0800
    The recipient name is not recognized
    The MTS-ID of the original message is: c=us;a= ;p=example;l=MAIL0302061800
    MSEXCH:IMS:Example:Site:MAIL 0 (000C05A6) Unknown Recipient
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // EYOU MTA: "This is the deliver program at" ... "addr" at the line start ... "^-".
    case(
        "simplematch: EYOU deliver program",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: Returned mail: see transcript for details

This is the deliver program at example.net.
I'm sorry to inform you that the message below could not be delivered.
When delivering, we got the error(s) below:

bob@example.net: delivery failed, user's mailbox is full

-------- original message --------
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // ieo.it: "this is the email server at" ... " addr, ..." ... "^-".
    case(
        "simplematch: this is the email server at",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: failure notice

Hi. This is the email server at mail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

 bob@example.net, User unknown

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // pla.net.py (MDaemon.PRO): "addr ... - no such user here" ... "There is no user".
    case(
        "simplematch: no such user here",
        "From: MDaemon@example.net
To: list-bounces@example.org
Subject: Returned mail

bob@example.net - no such user here.

There is no user by that name at this server.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // mxlogic.net: "The following address failed:" ... <addr> ... "Included is a copy of the
    // message header".
    case(
        "simplematch: the following address failed",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: Delivery failure notification

The following address failed:

    <bob@example.net>

    Reason: 550 5.1.1 User unknown

Included is a copy of the message header:
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // fastdnsservers.com: "The following recipient(s) could not be reached:" ... addr at the
    // line start ... "Error Type".
    case(
        "simplematch: recipient(s) could not be reached",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Undeliverable Mail

The following recipient(s) could not be reached:

bob@example.net
        Error Type: SMTP
        Remote server (192.0.2.10) issued an error.
        hMailServer sent: RCPT TO:<bob@example.net>
        Remote server replied: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // "Could not deliver message to the following recipient(s):" ... "Failed Recipient: addr"
    // ... "-- The header".
    case(
        "simplematch: Failed Recipient field",
        "From: MAILER-DAEMON@example.net
To: list-bounces@example.org
Subject: Delivery Failure

Could not deliver message to the following recipient(s):

Failed Recipient: bob@example.net
Reason: Remote host said: 550 5.1.1 User unknown

   -- The header and top 20 lines of the message follows --
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // uci.edu: "Message not delivered to the following addresses:" ... "Error detail".
    case(
        "simplematch: message not delivered to the following addresses",
        "From: MAILER-DAEMON@example.edu
To: list-bounces@example.org
Subject: Undeliverable mail

Message not delivered to the following addresses:

    bob@example.edu

Error detail:
    User unknown
",
        &["bob@example.edu"],
        Bounce,
        None,
    ),
    // InterScan NT (kviv.be): "Unable to deliver message to <addr>." ... "*** End of message ***".
    case(
        "simplematch: InterScan unable to deliver",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Mail could not be delivered

****** Message from InterScan E-Mail VirusWall NT ******

Unable to deliver message to <bob@example.net>.
Sender: <list-bounces@example.org>

************************ End of message **********************
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // ------------------------------------------------------------- flufl.bounce SimpleWarning
    // "The address to which the message has not yet been delivered is:" ... "No action is
    // required on your part".
    case(
        "simplewarning: not yet been delivered",
        "From: Mail Delivery System <Mailer-Daemon@mail.example.net>
To: list-bounces@example.org
Subject: Warning: message 1ABCde-0001xy-00 delayed 24 hours

This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mail.example.net.

The message identifier is:     1ABCde-0001xy-00
The subject of the message is: news

The address to which the message has not yet been delivered is:

  bob@example.net
    Delay reason: mailbox is full

No action is required on your part. Delivery attempts will continue for
some time, and this warning may be repeated at intervals if the message
remains undelivered. Eventually the mail delivery software will give up,
and when that happens, the message will be returned to you.
",
        &["bob@example.net"],
        Delay,
        None,
    ),
    // MessageSwitch: "This is just a warning, you do not need to take any action".
    case(
        "simplewarning: MessageSwitch just a warning",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery Delayed

Your message to bob@example.net has been delayed.
This is just a warning, you do not need to take any action, the message
will be retried for up to 4 days.
",
        &["bob@example.net"],
        Delay,
        None,
    ),
    // Symantec AntiVirus for SMTP Gateways: "Delivery attempts will continue to be made for".
    case(
        "simplewarning: Symantec delivery attempts will continue",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Delay)

Your message could not be delivered to the following recipient yet:

<bob@example.net>: 421 4.4.2 Connection timed out

Delivery attempts will continue to be made for 4 days.
",
        &["bob@example.net"],
        Delay,
        None,
    ),
    // Exchange advisory: "This is an advisory-only email" ... "\"addr\"" ... "has been postponed".
    crlf(case(
        "simplewarning: Exchange advisory",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Delay)

This is an advisory-only email.  Please do not reply to it.

Delivery of the message to \"bob@example.net\" has been postponed.
The message will be retried for 2 more days.
",
        &["bob@example.net"],
        Delay,
        None,
    )),
    // -------------------------------------------------------------- flufl.bounce other detectors
    // qmail (QSBMF) with a non-standard introduction: "Hi. The MTA program at".
    case(
        "qmail: Hi. The MTA program at",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

Hi. The MTA program at mail.example.net was unable to deliver your message to the
following addresses.
This is a permanent error.

<bob@example.net>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // qmail: "We're sorry. There's a problem with the e-mail address(es) you specified."
    case(
        "qmail: We're sorry. There's a problem",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Delivery Notification: Delivery has failed

We're sorry. There's a problem with the e-mail address(es) you specified.

<bob@example.net>:
The user's email quota has been exceeded. (#5.2.2)

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // qmail: "Check your send e-mail address."
    case(
        "qmail: Check your send e-mail address",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

Check your send e-mail address.

<bob@example.net>:
No such user. (#5.1.1)

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // qmail: "Unfortunately, your mail was not delivered".
    case(
        "qmail: Unfortunately, your mail was not delivered",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

Unfortunately, your mail was not delivered to the following address:

<bob@example.net>:
192.0.2.10 does not like recipient.
Remote host said: 550 5.1.1 <bob@example.net>: User unknown

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // qmail: "This is the mail delivery agent at".
    case(
        "qmail: This is the mail delivery agent at",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

This is the mail delivery agent at mail.example.net.
I was not able to deliver your message to the following addresses.

<bob@example.net>:
Mailbox quota exceeded (#4.2.2)

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // Postfix clones: "The Keftamail program" in a multipart/mixed with a "Notification" part.
    case(
        "postfix: Keftamail",
        "Return-Path: <>
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
To: list-bounces@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"B.1\"

--B.1
Content-Description: Notification
Content-Type: text/plain

This is the Keftamail program at host mail.example.net.

I'm sorry to have to inform you that the message returned
below could not be delivered to one or more destinations.

For further assistance, please send mail to <postmaster>

\t\t\tThe Keftamail program

<bob@example.net>: unknown user: \"bob\"

--B.1
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: list@example.org
To: list@example.org
Subject: news

hello
--B.1--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // Postfix clones: the "BNS Postfix" / "SMTP_Gateway" salutation, or "Failure Reason:".
    case(
        "postfix: SMTP_Gateway failure reason",
        "From: SMTP_Gateway <postmaster@gw.example.net>
To: list-bounces@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"xyz\"

--xyz
Content-Type: text/plain
Content-Description: Notification

The SMTP_Gateway program at gw.example.net could not deliver your message.

Failure Reason:

<bob@example.net>: mailbox is full

--xyz--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // Yahoo: "Message from yahoo.com." then "<addr>:" lines, "--- Original message follows."
    case(
        "yahoo: message from yahoo",
        "From: MAILER-DAEMON@yahoo.com
To: list-bounces@example.org
Subject: failure notice

Message from  yahoo.com.
Unable to deliver message to the following address(es).

<bob@example.net>:
Sorry your message to bob@example.net cannot be delivered.  This account has been disabled or discontinued [#102].

--- Original message follows.

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::Suspend),
    ),
    // Sina: From mailer-daemon@sina.com, multipart, "<addr>" at the line start of the first part.
    case(
        "sina: addresses at the line start",
        "From: mailer-daemon@sina.com
To: list-bounces@example.org
Subject: Undelivered Mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"sina\"

--sina
Content-Type: text/plain; charset=us-ascii

This is the mail system at host sina.com.

Your message could not be delivered to the following recipient(s):

<bob@example.net> (mailbox full)

--sina
Content-Type: message/rfc822

From: list@example.org
To: list@example.org

hi
--sina--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // caiwireless: "the following recipients did not receive this message:" then "<addr>".
    case(
        "caiwireless: did not receive this message",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Returned Mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"cai\"

--cai

The following recipients did not receive this message:

<bob@example.net>

Please reply to postmaster@mail.example.net
if you feel this message to be in error.

--cai--
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // Netscape Messaging Server: "This Message was undeliverable due to the following reason:"
    // ... <addr> lines, "Please reply to <postmaster@…>" excluded.
    crlf(case(
        "netscape: undeliverable due to the following reason",
        "From: Mail Administrator <Postmaster@mail.example.net>
To: list-bounces@example.org
Subject: Mail System Error - Returned Mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"NMS\"

--NMS
Content-Type: text/plain

This Message was undeliverable due to the following reason:

Each of the following recipients was rejected by a remote mail server.
The reasons given by the server are included to help you determine why
each recipient was rejected.

    Recipient: <bob@example.net>
    Reason:    550 5.1.1 <bob@example.net>... User unknown

Please reply to <Postmaster@mail.example.net>
if you feel this message to be in error.

--NMS
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net

--NMS--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    )),
    // Microsoft SMTPSVC (flufl microsoft.py): multipart/mixed, the first part without a type,
    // "transcript of session follows" and then the addresses.
    case(
        "microsoft: SMTPSVC transcript",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Undeliverable Mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"smtpsvc\"

--smtpsvc

Unable to deliver message to the following recipients, due to being unable
to connect successfully to the destination mail server.

   ----- Transcript of session follows -----
\tbob@example.net

--smtpsvc
Content-Type: message/rfc822

From: list@example.org
To: list@example.org

hi
--smtpsvc--
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // Exchange / IMS (flufl exchange.py, BounceParser p_ims): "did not reach the following
    // recipient(s):" then "addr on <date>" or "…SMTP=addr; on <date>", up to "MSEXCH:".
    case(
        "exchange: IMS SMTP= form",
        "From: System Administrator <postmaster@example.net>
To: list-bounces@example.org
Subject: Undeliverable: news
X-Mailer: Internet Mail Service (5.5.2653.19)
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"ims\"

--ims
Content-Type: text/plain

Your message

  To:      list@example.org
  Subject: news
  Sent:    Thu, 19 Sep 2002 10:00:00 -0400

did not reach the following recipient(s):

c=US;a= ;p=EXAMPLE;o=MAIL;dda:SMTP=bob@example.net; on Thu, 19 Sep 2002 10:00:05 -0400
    The recipient name is not recognized
\tThe MTS-ID of the original message is: c=US;a= ;p=EXAMPLE;l=MAIL0209191400
    MSEXCH:IMS:EXAMPLE:MAIL:MAIL 0 (000C05A6) Unknown Recipient

--ims--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // Novell GroupWise 5.2 (BounceParser p_novell_groupwise_5_2, flufl groupwise.py): the
    // recipient's local part alone with the reason in parentheses; the domain is the sender's.
    case(
        "groupwise: 5.2 local part only",
        "From: Mailer-Daemon@example.net
To: list-bounces@example.org
Subject: Message status - undeliverable
X-Mailer: Novell GroupWise 5.2
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"=_GW52\"

--=_GW52
Content-Type: text/plain; charset=US-ASCII
Content-Disposition: inline

The message that you sent was undeliverable to the following:
\tbob (user not found)

Possibly truncated original message follows:

--=_GW52
Content-Type: message/rfc822

From: list@example.org
To: list@example.org

hi
--=_GW52--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // GroupWise Internet Agent 5.5 / NTMail: the addresses in angle brackets in the text part.
    case(
        "groupwise: internet agent, bracketed",
        "From: Mailer-Daemon@gw.example.net
To: list-bounces@example.org
Subject: Message status - undeliverable
X-Mailer: Novell GroupWise Internet Agent 5.5.3.1
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"=_GW55\"

--=_GW55
Content-Type: text/plain

The message that you sent was undeliverable to the following:
\t<bob@example.net> (Mailbox full)

Possibly truncated original message follows:

--=_GW55--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // SMTP32 / IMail (X-Mailer: <SMTP32 v…>): "user mailbox …:", "delivery failed …:",
    // "unknown user …:", "undeliverable to", up to "original message follows".
    case(
        "smtp32: unknown user",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Delivery failure
X-Mailer: <SMTP32 v8.15>

Unknown user: bob@example.net

Original message follows.

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    case(
        "smtp32: undeliverable to",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Undeliverable Mail
X-Mailer: <SMTP32 v8.15>

undeliverable to bob@example.net

Original message follows.

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    case(
        "smtp32: user mailbox exceeds allowed size",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Undeliverable Mail
X-Mailer: <SMTP32 v8.15>

User mailbox exceeds allowed size: bob@example.net

Original message follows.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // LLNL's custom Sendmail: the address between commas on one line.
    case(
        "llnl: address between commas",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@example.gov>
To: list-bounces@example.org
Subject: Returned mail: User unknown

Your message could not be delivered, bob@example.gov, user unknown, please check the address.
",
        &["bob@example.gov"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // AOL (flufl aol.py): "mail to the following recipients could not be delivered" then the
    // screen names, without a domain: the domain is AOL's, the sender's.
    case(
        "aol: screen names",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.com>
To: list-bounces@example.org
Subject: Returned mail: User unknown

The mail you sent could not be delivered to one or more recipients.
Your mail to the following recipients could not be delivered because they are not accepting mail from example.org:
\tbobscreenname
",
        &["bobscreenname@aol.com"],
        Bounce,
        None,
    ),
    // Yale (flufl yale.py): "Message not delivered to the following:" then the user name alone
    // and its reason, up to "Error Detail".
    case(
        "yale: user names",
        "From: MAILER-DAEMON@example.edu
To: list-bounces@example.org
Subject: Returned mail

Message not delivered to the following:

    bob    Mailbox unknown

Error Detail:
    No such mailbox
",
        &["bob@example.edu"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // Compuserve (Mailman Compuserve.py): "Invalid receiver address: addr" after "your message
    // could not be delivered".
    case(
        "compuserve: invalid receiver address",
        "From: CompuServe Postmaster <postmaster@compuserve.com>
To: list-bounces@example.org
Subject: Undeliverable Message

Your message could not be delivered as addressed.

--- Invalid receiver address: bob@example.net

--- Returned Message ---

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // Compuserve (BounceParser p_compuserve): "Receiver not found: name", the domain the sender's.
    case(
        "compuserve: receiver not found",
        "From: CompuServe Postmaster <postmaster@compuserve.com>
Sender: CompuServe Postmaster <auto.reply@compuserve.com>
To: list-bounces@example.org
Subject: Undeliverable Message

Receiver not found: bobsmith


Your message could not be delivered as addressed.

--- Message From Postmaster ---

Please contact postmaster@compuserve.com if you need additional formatting
information for other types of addresses.

--- Returned Message ---

Sender: list-bounces@example.org
Received: from example.org by mx.compuserve.com
",
        &["bobsmith@compuserve.com"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // ------------------------------------------------ Mail::DeliveryStatus::BounceParser text
    // The plain Sendmail transcript (p_plain_smtp_transcript): the addresses with permanent
    // fatal errors, the transcript, "Message header follows".
    case(
        "bounceparser: plain sendmail transcript",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Returned mail: User unknown

The original message was received at Thu, 19 Sep 2002 13:51:36 -0700 (MST)
from daemon@localhost

   ----- The following addresses had permanent fatal errors -----
<bob@example.net>

   ----- Transcript of session follows -----
... while talking to mx.example.net.:
>>> RCPT To:<bob@example.net>
<<< 550 <bob@example.net>... User unknown
550 <bob@example.net>... User unknown
   ----- Message header follows -----

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // The reason before or after the address (_extract_reports), in _std_reason's wordings.
    case(
        "bounceparser: std_reason domain error",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Undeliverable mail

Your message could not be delivered.
bob@nowhere.example.net: host not found

Original message follows.
",
        &["bob@nowhere.example.net"],
        Bounce,
        Some(Reason::HostUnknown),
    ),
    case(
        "bounceparser: std_reason not our customer",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Returned mail

Delivery to the following recipient failed permanently:
   bob@example.net
551 not our customer

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    case(
        "bounceparser: std_reason administratively disabled",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Undeliverable mail

<bob@example.net>:
550 address is administratively disabled

",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // ------------------------------------------------------------------ bounce_email wordings
    case(
        "bounce_email: does not like recipient",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

<bob@example.net>:
192.0.2.10 does not like recipient.
Giving up on 192.0.2.10.

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    case(
        "bounce_email: I couldn't find any host named",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

<bob@nohost.example.net>:
Sorry, I couldn't find any host named nohost.example.net. (#5.1.2)

",
        &["bob@nohost.example.net"],
        Bounce,
        Some(Reason::HostUnknown),
    ),
    case(
        "bounce_email: retry timeout exceeded",
        "From: Mail Delivery System <Mailer-Daemon@mail.example.net>
To: list-bounces@example.org
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: bob@example.net

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  bob@example.net
    retry timeout exceeded

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::Expired),
    ),
    case(
        "bounce_email: Esta casilla ha expirado por falta de uso",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

Su mensaje no pudo ser entregado - Your message could not be delivered.

<bob@example.net>:
Esta casilla ha expirado por falta de uso. (#5.1.1)

",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    case(
        "bounce_email: user has exhausted allowed storage space",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

<bob@example.net>:
192.0.2.10 failed after I sent the message.
Remote host said: 552 user has exhausted allowed storage space

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    case(
        "bounce_email: Windows Live Hotmail policy",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

<bob@example.net>:
192.0.2.10 does not like recipient.
Remote host said: 550 OU-002 Mail rejected by Windows Live Hotmail for policy reasons.

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::PolicyViolation),
    ),
    // ------------------------------------------------------------------- more of the same families
    // flufl.bounce dsn.py: a Final-Recipient with an angle-addr and no address type (seen from
    // SMTP-GATEWAY01), an Action with a comment.
    case(
        "dsn: final-recipient without a type",
        "From: postmaster@gw.example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=\"gw\"

--gw
Content-Type: text/plain

Your message could not be delivered.

--gw
Content-Type: message/delivery-status

Reporting-MTA: dns; gw.example.net

Final-Recipient: <bob@example.net>
Action: Failed (permanent)
Status: 5.1.1

--gw--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // flufl.bounce exim.py: X-Failed-Recipients, folded over two lines, two addresses.
    crlf(case(
        "exim: folded X-Failed-Recipients",
        "From: Mail Delivery System <Mailer-Daemon@mail.example.net>
To: list-bounces@example.org
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: bob@example.net,
  carol@example.net
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  bob@example.net
    Unrouteable address
  carol@example.net
    Unrouteable address

------ This is a copy of the message, including all the headers. ------
",
        &["bob@example.net", "carol@example.net"],
        Bounce,
        Some(Reason::HostUnknown),
    )),
    // flufl.bounce postfix.py: an old Postfix without a delivery-status part (multipart/mixed,
    // the "Notification" part, "<addr>: reason" lines).
    case(
        "postfix: old Postfix, multipart/mixed",
        "From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
To: list-bounces@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"old.postfix\"

--old.postfix
Content-Description: Notification
Content-Type: text/plain

This is the Postfix program at host mail.example.net.

I'm sorry to have to inform you that the message returned
below could not be delivered to one or more destinations.

For further assistance, please contact <postmaster@mail.example.net>

If you do so, please include this problem report. You can
delete your own text from the message returned below.

\t\t\tThe Postfix program

<bob@example.net>: host mx.example.net[192.0.2.10] said: 550 5.1.1
    <bob@example.net>... User unknown (in reply to RCPT TO command)

--old.postfix
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: list@example.org
To: list@example.org

hi
--old.postfix--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // BounceParser p_ims: the Exchange IMS report as plain text (not multipart), "did not reach
    // the following recipient(s):", the returned headers after it.
    case(
        "bounceparser: IMS plain text",
        "From: System Administrator <postmaster@example.net>
To: list-bounces@example.org
Subject: Undeliverable: news
X-Mailer: Internet Mail Service (5.5.2653.19)

Your message

  To:      list@example.org
  Subject: news
  Sent:    Thu, 19 Sep 2002 10:00:00 -0400

did not reach the following recipient(s):

bob@example.net on Thu, 19 Sep 2002 10:00:05 -0400
    The recipient name is not recognized
\tThe MTS-ID of the original message is: c=us;a= ;p=example;l=MAIL0209191400
    MSEXCH:IMS:EXAMPLE:MAIL:MAIL 0 (000C05A6) Unknown Recipient

Message-ID: <1234@example.org>
From: list@example.org
To: list@example.org
Subject: news
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // BounceParser p_aol_senderblock (Mailer: AirMail): the sender's own address after "Sorry",
    // the list's after "not accepting mail from"; the recipients are the screen names.
    case(
        "bounceparser: AOL AirMail sender block",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.com>
To: list-bounces@example.org
Subject: Returned mail: Sender blocked
Mailer: AirMail

Sorry alice@example.org. Your mail to the following recipients could not be delivered because they are not accepting mail from list@example.org:
    bobscreenname
",
        &["bobscreenname@aol.com"],
        Bounce,
        None,
    ),
    // BounceParser: a transient error is not a failure ($Not_An_Error: "transient ... error").
    case(
        "bounceparser: transient error",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Warning: message delayed

Your message to <bob@example.net> could not be delivered yet because of a
transient error: 451 4.3.0 Mail server temporarily rejected message.
Delivery will be retried.
",
        &["bob@example.net"],
        Delay,
        None,
    ),
    // Sendmail (flufl simplematch, sz-sb.de): the failed address and the alias it was expanded
    // from; the address the mail was delivered to is the one that failed.
    case(
        "simplematch: sendmail expanded from",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Returned mail: see transcript for details

The original message was received at Mon, 6 Jan 2003 10:00:00 +0100
from list.example.org [192.0.2.20]

   ----- The following addresses had permanent fatal errors -----
<bob.smith@mailhost.example.net>
    (reason: 550 5.2.1 Mailbox disabled)
    (expanded from: <bob@example.net>)

   ----- Transcript of session follows -----
... while talking to mailhost.example.net.:
>>> DATA
<<< 550 5.2.1 Mailbox disabled
554 5.0.0 Service unavailable
",
        &["bob.smith@mailhost.example.net"],
        Bounce,
        Some(Reason::Suspend),
    ),
    // bounce_email / BounceParser _std_reason wordings the rules now carry.
    case(
        "bounceparser: Yahoo user doesn't have an account",
        "From: MAILER-DAEMON@yahoo.com
To: list-bounces@example.org
Subject: failure notice

Message from  yahoo.com.
Unable to deliver message to the following address(es).

<bob@yahoo.com>:
This user doesn't have a yahoo.com account (bob@yahoo.com) [0]

--- Original message follows.
",
        &["bob@yahoo.com"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    case(
        "bounceparser: address not known here",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Mail delivery failed

The following address(es) failed:

<bob@example.net>: address not known here

",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    case(
        "bounceparser: Smail no data record",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: mail failed, returning to sender

|------------------------- Failed addresses follow: ---------------------|
 <bob@nowhere.example.net> ... no data record of requested type
|------------------------- Message text follows: ------------------------|
",
        &["bob@nowhere.example.net"],
        Bounce,
        Some(Reason::HostUnknown),
    ),
    // flufl.bounce caiwireless.py: "This format thinks it's a MIME, but it really isn't": a
    // multipart/mixed whose boundary never comes.
    case(
        "caiwireless: multipart without its boundary",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Returned Mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"never-here\"

The following recipients did not receive this message:

     <bob@example.net>

Please reply to postmaster@mail.example.net
if you feel this message to be in error.
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // flufl.bounce netscape.py (NMS 4.1): the reason first, then the address, then "Please reply
    // to <…>" with an address that is not the recipient.
    crlf(case(
        "netscape: NMS 4.1, reply-to address after the list",
        "From: Mail Administrator <Postmaster@mail.example.net>
To: list-bounces@example.org
Subject: Mail System Error - Returned Mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"NMS41\"

--NMS41
Content-Type: text/plain

This Message was undeliverable due to the following reason:

The user(s) account is temporarily over quota.

<bob@example.net>

Please reply to <helpdesk@mail.example.net>
if you feel this message to be in error.

--NMS41--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    )),
    // flufl.bounce simplematch.py (thehartford.com, "simple_30 … an apparent misspelling"):
    // "Delevery to the following recipients failed." / "… was aborted".
    case(
        "simplematch: Delevery misspelt",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Failure)

This is an automatically generated Delivery Status Notification.

Delevery to the following recipients failed.

       bob@example.net

",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    case(
        "simplematch: delivery was aborted",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Failure)

This is an automatically generated Delivery Status Notification.

Delivery to the following recipients was aborted after 2 second(s):

  * bob@example.net

",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // flufl.bounce smtp32.py: "delivery failed …: addr".
    case(
        "smtp32: delivery failed n attempts",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Undeliverable Mail
X-Mailer: <SMTP32 v8.15>

Delivery failed 3 attempts: bob@example.net

Original message follows.
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // flufl.bounce yahoo.py: several "<addr>:" paragraphs.
    case(
        "yahoo: two recipients",
        "From: MAILER-DAEMON@yahoo.com
To: list-bounces@example.org
Subject: failure notice

Message from  yahoo.com.
Unable to deliver message to the following address(es).

<bob@example.net>:
Remote host said: 550 5.1.1 unknown or illegal alias: bob@example.net [RCPT_TO]

<carol@example.net>:
Remote host said: 552 5.2.2 Mailbox over quota [RCPT_TO]

--- Original message follows.
",
        &["bob@example.net", "carol@example.net"],
        Bounce,
        None,
    ),
    // BounceParser p_xdelivery_status: XWall (an Exchange gateway) labels its report part
    // message/xdelivery-status.
    case(
        "bounceparser: message/xdelivery-status",
        "From: postmaster@xwall.example.net
To: list-bounces@example.org
Subject: Undeliverable: news
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=\"xw\"

--xw
Content-Type: text/plain

The message could not be delivered.

--xw
Content-Type: message/xdelivery-status

Reporting-MTA: dns; xwall.example.net

Final-Recipient: rfc822; bob@example.net
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--xw--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // flufl.bounce exchange.py family, Exchange 2000/2003 as plain text: "could not be reached",
    // "addr on date", the status in angle brackets.
    case(
        "exchange: 2003 plain text",
        "From: System Administrator <postmaster@example.net>
To: list-bounces@example.org
Subject: Undeliverable: news

Your message did not reach some or all of the intended recipients.

      Subject:\tnews
      Sent:\t1/6/2003 10:00 AM

The following recipient(s) could not be reached:

      bob@example.net on 1/6/2003 10:00 AM
            The e-mail account does not exist at the organization this message was sent to.  Check the e-mail address, or contact the recipient directly to find out the correct address.
            <mail.example.net #5.1.1>
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // ------------------------------------------------ GNU Mailman 2.1 SimpleMatch, later patterns
    // Dovecot LDA's rejection as a disposition notification ("bogus - should be DSN"): "Your
    // message to <addr> was automatically rejected:" ... "Reporting".
    case(
        "mailman simplematch: Dovecot LDA rejection MDN",
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>
To: list-bounces@example.org
Subject: Automatically rejected mail
Auto-Submitted: auto-replied (rejected)
Precedence: bulk
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification;
\tboundary=\"dovecot\"

--dovecot
Content-Type: text/plain; charset=utf-8

Your message to <bob@example.net> was automatically rejected:
Quota exceeded (mailbox for user is full)

--dovecot
Content-Type: message/disposition-notification

Reporting-UA: mail.example.net; Dovecot Mail Delivery Agent
Final-Recipient: rfc822; bob@example.net
Original-Message-ID: <1234@example.org>
Disposition: automatic-action/MDN-sent-automatically; deleted

--dovecot--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // mail.ru: "A message that you sent was rejected" ... "This is a copy of your message".
    case(
        "mailman simplematch: mail.ru rejected by scanning code",
        "From: Mail Delivery System <mailer-daemon@mx.example.net>
To: list-bounces@example.org
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent was rejected by the local scanning code that
checks incoming messages on this system. The following error was given:

  Message was not accepted -- invalid mailbox.  Local mailbox bob@example.net is unavailable: user not found

------ This is a copy of your message, including all the headers. ------
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // MailEnable: "Message could not be delivered to some recipients." ... "Recipient:
    // [SMTP:addr]" ... "Message headers follow".
    crlf(case(
        "mailman simplematch: MailEnable SMTP: recipient",
        "From: POSTMASTER@mail.example.net
To: list-bounces@example.org
Subject: Message Delivery Failure

MailEnable: Message could not be delivered to some recipients.
The following recipient(s) could not be reached:

\tRecipient: [SMTP:bob@example.net]
\tReason: The message could not be delivered because the domain name (example.net) does not appear to be registered.

Message headers follow:

From: list@example.org
",
        &["bob@example.net"],
        Bounce,
        None,
    )),
    // Yahoo, "wasn't able to deliver the following message" ... "To: addr" ... "---Below this
    // line is a copy of the message."
    case(
        "mailman simplematch: Yahoo To: line",
        "From: MAILER-DAEMON@yahoo.com
To: list-bounces@example.org
Subject: Failure Notice

Message from  yahoo.com.
Sorry, I wasn't able to deliver the following message to the following address.

To: bob@example.net
Reason: Mailbox is over quota

---Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::MailboxFull),
    ),
    // "This is a delivery failure notification message" ... "-- addr" ... "The problem appears
    // to be".
    case(
        "mailman simplematch: delivery failure notification message",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Delivery failure

This is a delivery failure notification message indicating that
an email you addressed to email address :

  -- bob@example.net

could not be delivered. The problem appears to be :

  -- Recipient email address is possibly incorrect

Additional information follows :

  -- 550 5.1.1 Mailbox does not exist
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // uci.edu: "--------Message not delivered" ... the address alone ... "--------Error Detail".
    case(
        "mailman simplematch: uci.edu dashed markers",
        "From: MAILER-DAEMON@example.edu
To: list-bounces@example.org
Subject: Undeliverable mail

--------Message not delivered to the following:

          bob@example.edu    Mailbox unknown

--------Error Detail (phquery=Yes):
   The message could not be delivered because no matching name was found.
",
        &["bob@example.edu"],
        Bounce,
        None,
    ),
    // GNU Mailman 2.1 Qmail.py: the introduction "Your mail message to the following".
    case(
        "mailman qmail: Your mail message to the following",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: failure notice

Your mail message to the following address(es) could not be delivered.
This is a permanent error.

<bob@example.net>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // GNU Mailman 2.1 Yahoo.py: "Sorry, we were unable to deliver your message to the following
    // address." ... "--- Below this line is a copy of the message."
    crlf(case(
        "mailman yahoo: Sorry, we were unable to deliver",
        "From: MAILER-DAEMON@yahoo.com
To: list-bounces@example.org
Subject: Failure Notice

Sorry, we were unable to deliver your message to the following address.

<bob@example.net>:
Remote host said: 554 delivery error: dd Sorry your message to bob@example.net cannot be delivered. This mailbox is disabled (554.30) [RCPT_TO]

--- Below this line is a copy of the message.
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::Suspend),
    )),
    // GNU Mailman 2.1 SimpleWarning.py: "We will continue to try to deliver" (RS ver 1.0.95vs).
    case(
        "mailman simplewarning: we will continue to try to deliver",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Delivery Status Notification

Your message to <bob@example.net> could not be delivered yet: the
receiving server did not answer.
We will continue to try to deliver your message for 5 days.
",
        &["bob@example.net"],
        Delay,
        None,
    ),
    // GNU Mailman GroupWise.py for NTMail (X-Mailer: NTMail v4.30): the address first on its
    // line in the text part, the reason after it.
    case(
        "groupwise: NTMail",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Returned mail - nameserver error report
X-Mailer: NTMail v4.30.0012
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"ntmail\"

--ntmail
Content-Type: text/plain; charset=\"us-ascii\"

The following recipients did not receive your message:

bob@example.net  unknown user

--ntmail
Content-Type: message/rfc822

From: list@example.org
To: list@example.org

hi
--ntmail--
",
        &["bob@example.net"],
        Bounce,
        Some(Reason::UserUnknown),
    ),
    // A reason alone on its line under "for the following reason:" is no local part: the
    // recipient is the returned message's.
    case(
        "bare words under a reason heading",
        "From: MAILER-DAEMON@mail.example.net
To: list-bounces@example.org
Subject: Undeliverable mail
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"r\"

--r
Content-Type: text/plain

Delivery failed for the following reason:

    Timeout

--r
Content-Type: message/rfc822

From: list@example.org
To: bob@example.net
Subject: news

hi
--r--
",
        &["bob@example.net"],
        Bounce,
        None,
    ),
    // ---------------------------------------------------- auto-replies by bounce_email's subjects
    // bounce_email check_if_bounce/get_code: /auto.*reply|vacation|(out|away).*office|on holiday|
    // abwesenheits|autorespond|Automatische|eingangsbestätigung/ (code 99, an auto-reply).
    case(
        "bounce_email: autoresponder subject",
        "From: Sales <sales@example.net>
To: alice@example.org
Subject: Autoresponder: your enquiry

Thank you for your message. We will answer within two working days.
",
        &["sales@example.net"],
        ReportKind::AutoReply,
        Some(Reason::Vacation),
    ),
    case(
        "bounce_email: away from office subject",
        "From: Bob <bob@example.net>
To: alice@example.org
Subject: Away from office until Monday

I am away from the office with limited access to e-mail.
",
        &["bob@example.net"],
        ReportKind::AutoReply,
        Some(Reason::Vacation),
    ),
    case(
        "bounce_email: Eingangsbestätigung subject",
        "From: Kundenservice <service@example.net>
To: alice@example.org
Subject: Eingangsbestätigung: Ihre Anfrage

Vielen Dank für Ihre Nachricht. Wir melden uns in Kürze.
",
        &["service@example.net"],
        ReportKind::AutoReply,
        Some(Reason::Vacation),
    ),
];

/// Emails the peer detectors take care not to read as bounces; each must be refused or read
/// as an auto-reply (or, for a success notice, a delivery report).
static NOT_BOUNCES: &[(&str, &str)] = &[
    // BounceParser: TMDA's challenge (X-Delivery-Agent: TMDA).
    (
        "bounceparser: TMDA challenge",
        "Return-Path: <>
From: bob-confirm+1234.abcd@example.net
To: list-bounces@example.org
Subject: Please confirm your message (re: news)
X-Delivery-Agent: TMDA/1.1.12 (Macallan)
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

Your message to bob@example.net has not been delivered yet. To release
it, reply to this message or click the link below. This is a one-time
confirmation to prove that you are a human, not a robot.
",
    ),
    // BounceParser: a vacation message (short text/plain, "auto reply", "out of the office").
    (
        "bounceparser: vacation",
        "From: Bob <bob@example.net>
To: list@example.org
Subject: Auto Reply: news

I am out of the office until Monday and will reply to your message when I return.
",
    ),
    // BounceParser: the address-change notice, the message forwarded.
    (
        "bounceparser: address changed, forwarded",
        "From: postmaster@example.net
To: list-bounces@example.org
Subject: Address change notification

The email address bob@example.net has changed to bob.smith@example.com.
Your message has been forwarded to the new address.
Please update your address book.
",
    ),
    // BounceParser: CompuServe's forwarding notice ("automatically forwarded").
    (
        "bounceparser: compuserve forwarded",
        "From: CompuServe Postmaster <postmaster@compuserve.com>
To: list-bounces@example.org
Subject: Address change

bob@compuserve.com has a new CompuServe e-mail address.  The new e-mail
address is bob@example.com and CompuServe has automatically forwarded
your message. Please take this opportunity to update your address book.
",
    ),
    // BounceParser: a content filter notice (WebShield).
    (
        "bounceparser: content filter notice",
        "From: WebShield@example.net
To: list-bounces@example.org
Subject: Content filter notice

Network Associates WebShield SMTP V4.5 MR1a on webshield intercepted a mail
from <list@example.org> which caused the Content Filter Block extension COM
to be triggered.
",
    ),
    // Ordinary mail that talks about a bounce and quotes one.
    (
        "ordinary mail quoting a bounce",
        "From: Alice <alice@example.org>
To: Bob <bob@example.net>
Subject: Re: your message

Hi Bob,

my last mail to carol@example.net came back:

> The following addresses had permanent fatal errors
> <carol@example.net>
> User unknown

Do you have her new address?

Alice
",
    ),
    // BounceParser: TMDA's challenge known by its header alone (X-Delivery-Agent: TMDA), its
    // subject a reply's.
    (
        "bounceparser: TMDA challenge by its header",
        "From: bob-confirm-1234.abcd@example.net
To: list-bounces@example.org
Subject: Re: news
X-Delivery-Agent: TMDA/1.1.12 (Macallan)
Precedence: bulk

This message was created automatically by mail delivery software.

Your message attached below is being held because the address
<list-bounces@example.org> has not been verified.

To release your message for delivery, please send an empty message
to the following address, or use your mailer's Reply feature.

   bob-confirm-1234.abcd@example.net
",
    ),
    // BounceParser $Not_An_Error: a report that the message was delivered.
    (
        "bounceparser: delivered to the following recipient",
        "From: postmaster@mail.example.net
To: list-bounces@example.org
Subject: Delivery Status Notification (Relay)

This is an automatically generated Delivery Status Notification.

Your message has been successfully relayed to the following recipients,
but the requested delivery status notifications may not be generated by
the destination.

       bob@example.net
",
    ),
    // An Exchange out-of-office, multipart/alternative.
    (
        "bounceparser: vacation, multipart/alternative",
        "From: Bob <bob@example.net>
To: list@example.org
Subject: Out of Office: news
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=\"alt\"

--alt
Content-Type: text/plain

I will be out of the office until 6 January with no access to e-mail.

--alt
Content-Type: text/html

<META NAME=\"Generator\" CONTENT=\"MS Exchange Server version 5.5.2653.12\">
<p>I will be out of the office until 6 January with no access to e-mail.</p>
--alt--
",
    ),
    // A read receipt (RFC 8098 disposition notification): a report, but of no failure.
    (
        "read receipt",
        "From: Bob <bob@example.net>
To: alice@example.org
Subject: Read: news
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary=\"mdn\"

--mdn
Content-Type: text/plain

Your message

  To: bob@example.net
  Subject: news

was read on Mon, 6 Jan 2003 10:00:00 +0100.

--mdn
Content-Type: message/disposition-notification

Reporting-UA: mail.example.net; Microsoft Exchange Server
Final-Recipient: rfc822;bob@example.net
Original-Message-ID: <1234@example.org>
Disposition: automatic-action/MDN-sent-automatically; displayed

--mdn--
",
    ),
    // A mailing list's moderation notice: the post is held, nothing failed (the notices Mailman
    // sends itself, which its bounce detectors must not take for bounces).
    (
        "mailing list moderation hold",
        "From: news-owner@example.org
To: alice@example.net
Subject: Your message to News awaits moderator approval

Your mail to 'News' with the subject

    hello

Is being held until the list moderator can review it for approval.

The reason it is being held:

    Post by non-member to a members-only list

Either the message will get posted to the list, or you will receive
notification of the moderator's decision.
",
    ),
    // A person forwarding a bounce: the bounce's words, a person's sender and a forward's subject.
    (
        "a person forwarding a bounce",
        "From: Alice <alice@example.org>
To: Help Desk <help@example.net>
Subject: Fwd: Undelivered Mail Returned to Sender

Can you look at this? Thanks, Alice

---------- Forwarded message ----------
From: Mail Delivery System <MAILER-DAEMON@mail.example.org>
Subject: Undelivered Mail Returned to Sender

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<carol@example.net>: host mx.example.net[192.0.2.10] said: 550 5.1.1 User unknown
",
    ),
    // bounce_email: an autoresponder by its Precedence and subject.
    (
        "bounce_email: autorespond",
        "From: Sales <sales@example.net>
To: list@example.org
Subject: Eingangsbestätigung: news
Precedence: auto_reply

Vielen Dank für Ihre Nachricht. Wir melden uns in Kürze.
",
    ),
];

fn run(c: &Case) -> Result<(), String> {
    let email = if c.crlf { c.email.replace('\n', "\r\n") } else { c.email.to_string() };
    let r = parse_bounce(email.as_bytes()).map_err(|e| format!("{}: refused: {e}", c.name))?;
    let got: Vec<&str> = r.recipients.iter().map(|x| x.address.as_str()).collect();
    if got != c.addresses {
        return Err(format!("{}: addresses {got:?}, expected {:?} (format {})", c.name, c.addresses, r.format));
    }
    if r.kind != c.kind {
        return Err(format!("{}: kind {:?}, expected {:?} (format {})", c.name, r.kind, c.kind, r.format));
    }
    if let Some(reason) = c.reason {
        for x in &r.recipients {
            if x.reason != reason {
                return Err(format!(
                    "{}: {} reason {:?}, expected {reason:?} (format {}, diagnostic {:?})",
                    c.name, x.address, x.reason, r.format, x.diagnostic_text
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn peer_layouts() {
    let failures: Vec<String> = CASES.iter().filter_map(|c| run(c).err()).collect();
    assert!(failures.is_empty(), "{} of {} cases fail:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn peer_non_bounces() {
    let mut failures = Vec::new();
    for (name, email) in NOT_BOUNCES {
        match parse_bounce(email.as_bytes()) {
            Err(_) => {}
            Ok(r) if matches!(r.kind, ReportKind::AutoReply | ReportKind::Delivery) => {}
            Ok(r) => failures.push(format!(
                "{name}: read as {:?} ({}) for {:?}",
                r.kind,
                r.format,
                r.recipients.iter().map(|x| x.address.as_str()).collect::<Vec<_>>()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sendmail's `(expanded from: <alias>)`: the address the sender wrote, which GNU Mailman's
/// SimpleMatch (sz-sb.de) reports too, is the recipient's original address.
#[test]
fn sendmail_expanded_from_is_the_original_recipient() {
    let c = CASES.iter().find(|c| c.name == "simplematch: sendmail expanded from").map(|c| c.email);
    let r = parse_bounce(c.unwrap_or_default().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.recipients[0].original_recipient.as_deref(), Some("bob@example.net"));
}
