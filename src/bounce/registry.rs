//! The registry of bounce formats: every extractor, in the order they are tried. This is the
//! one list of formats; the format names in [`super::BounceReport::format`] are these.

use super::{BounceReport, Email, formats, standard};

/// One bounce format: `run` returns `None` when the email is not in that format, else the
/// report (possibly with no recipients, when the format is recognised but says nothing usable).
pub struct Extractor {
    pub format: &'static str,
    pub(crate) run: for<'a, 'x> fn(&'a Email<'x>) -> Option<BounceReport>,
}

/// The extractors, tried in order; the first report with recipients wins.
pub static EXTRACTORS: &[Extractor] = &[
    Extractor { format: "rfc3464", run: standard::rfc3464::extract },
    Extractor { format: "arf", run: standard::arf::extract },
    // Non-standard formats (MTA- and provider-specific), more specific detectors first, before
    // the auto-reply check.
    Extractor { format: "amazonses", run: formats::amazonses::extract },
    Extractor { format: "x3", run: formats::x3::extract },
    Extractor { format: "dragonfly", run: formats::dragonfly::extract },
    Extractor { format: "qmail", run: formats::qmail::extract },
    Extractor { format: "gmail", run: formats::gmail::extract },
    Extractor { format: "google", run: formats::google::extract },
    Extractor { format: "googlegroups", run: formats::googlegroups::extract },
    Extractor { format: "v5sendmail", run: formats::v5sendmail::extract },
    Extractor { format: "exchange2003", run: formats::exchange2003::extract },
    Extractor { format: "zoho", run: formats::zoho::extract },
    Extractor { format: "ezweb", run: formats::ezweb::extract },
    Extractor { format: "amazonworkmail", run: formats::amazonworkmail::extract },
    Extractor { format: "gmx", run: formats::gmx::extract },
    Extractor { format: "exim", run: formats::exim::extract },
    // Added later; each detector needs its format's own wording, so their order matters little.
    Extractor { format: "opensmtpd", run: formats::opensmtpd::extract },
    Extractor { format: "office365", run: formats::office365::extract },
    Extractor { format: "kddi", run: formats::kddi::extract },
    Extractor { format: "notes", run: formats::notes::extract },
    Extractor { format: "postfix", run: formats::postfix::extract },
    Extractor { format: "qmailclone", run: formats::qmailclone::extract },
    Extractor { format: "x1", run: formats::x1::extract },
    Extractor { format: "x6", run: formats::x6::extract },
    Extractor { format: "mailfoundry", run: formats::mailfoundry::extract },
    Extractor { format: "interscanmss", run: formats::interscanmss::extract },
    Extractor { format: "imailserver", run: formats::imailserver::extract },
    Extractor { format: "mailmarshal", run: formats::mailmarshal::extract },
    Extractor { format: "activehunter", run: formats::activehunter::extract },
    Extractor { format: "biglobe", run: formats::biglobe::extract },
    Extractor { format: "einsundeins", run: formats::einsundeins::extract },
    Extractor { format: "mxlogic", run: formats::mxlogic::extract },
    Extractor { format: "apachejames", run: formats::apachejames::extract },
    Extractor { format: "mfilter", run: formats::mfilter::extract },
    Extractor { format: "messagingserver", run: formats::messagingserver::extract },
    Extractor { format: "messagelabs", run: formats::messagelabs::extract },
    Extractor { format: "mcafee", run: formats::mcafee::extract },
    Extractor { format: "verizon", run: formats::verizon::extract },
    Extractor { format: "fml", run: formats::fml::extract },
    Extractor { format: "eximmalformed", run: formats::eximmalformed::extract },
    // A delivery-status part in an email that lost its MIME header, after the text formats.
    Extractor { format: "rfc3464", run: standard::rfc3464::extract_unlabelled },
    Extractor { format: "rfc3834", run: standard::rfc3834::extract },
];
