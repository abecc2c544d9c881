//! The registry of bounce formats: every extractor, in the order they are tried. This is the
//! one list of formats; the format names in [`super::BounceReport::format`] are these.

use super::{BounceReport, Email, fallback, formats, standard};

/// One bounce format: `run` returns `None` when the email is not in that format, else the
/// report (possibly with no recipients, when the format is recognised but says nothing usable).
pub struct Extractor {
    /// The format's name, as reports read by it carry it.
    pub format: &'static str,
    /// Other names its reports may carry: variants of the layout that it reads and names for
    /// what they are (Yahoo's bounce in qmail's layout is `yahoo`).
    pub also: &'static [&'static str],
    pub(crate) run: for<'a, 'x> fn(&'a Email<'x>) -> Option<BounceReport>,
}

/// The extractors, tried in order; the first report with recipients wins.
pub static EXTRACTORS: &[Extractor] = &[
    Extractor { format: "rfc3464", also: &[], run: standard::rfc3464::extract },
    Extractor { format: "arf", also: &[], run: standard::arf::extract },
    // Non-standard formats (MTA- and provider-specific), more specific detectors first, before
    // the auto-reply check.
    Extractor { format: "amazonses", also: &[], run: formats::amazonses::extract },
    Extractor { format: "x3", also: &[], run: formats::x3::extract },
    Extractor { format: "dragonfly", also: &[], run: formats::dragonfly::extract },
    Extractor { format: "qmail", also: &["yahoo"], run: formats::qmail::extract },
    Extractor { format: "gmail", also: &[], run: formats::gmail::extract },
    Extractor { format: "google", also: &[], run: formats::google::extract },
    Extractor { format: "googlegroups", also: &[], run: formats::googlegroups::extract },
    Extractor { format: "v5sendmail", also: &[], run: formats::v5sendmail::extract },
    Extractor { format: "sendmail", also: &[], run: formats::sendmail::extract },
    Extractor { format: "courier", also: &[], run: formats::courier::extract },
    Extractor { format: "exchange2003", also: &[], run: formats::exchange2003::extract },
    Extractor { format: "zoho", also: &[], run: formats::zoho::extract },
    Extractor { format: "ezweb", also: &[], run: formats::ezweb::extract },
    Extractor { format: "amazonworkmail", also: &[], run: formats::amazonworkmail::extract },
    Extractor { format: "gmx", also: &[], run: formats::gmx::extract },
    // 1&1 copies Exim's wording with its own layout and copy marker: before Exim.
    Extractor { format: "einsundeins", also: &[], run: formats::einsundeins::extract },
    Extractor { format: "exim", also: &[], run: formats::exim::extract },
    // Added later; each detector needs its format's own wording, so their order matters little.
    Extractor { format: "opensmtpd", also: &[], run: formats::opensmtpd::extract },
    Extractor { format: "office365", also: &[], run: formats::office365::extract },
    Extractor { format: "kddi", also: &[], run: formats::kddi::extract },
    Extractor { format: "notes", also: &[], run: formats::notes::extract },
    Extractor { format: "postfix", also: &[], run: formats::postfix::extract },
    Extractor { format: "x2", also: &["x4"], run: formats::qmailclone::extract },
    Extractor { format: "x1", also: &[], run: formats::x1::extract },
    Extractor { format: "x6", also: &[], run: formats::x6::extract },
    Extractor { format: "mailfoundry", also: &[], run: formats::mailfoundry::extract },
    Extractor { format: "interscanmss", also: &[], run: formats::interscanmss::extract },
    Extractor { format: "imailserver", also: &[], run: formats::imailserver::extract },
    Extractor { format: "mailmarshal", also: &[], run: formats::mailmarshal::extract },
    Extractor { format: "activehunter", also: &[], run: formats::activehunter::extract },
    Extractor { format: "biglobe", also: &[], run: formats::biglobe::extract },
    Extractor { format: "mxlogic", also: &[], run: formats::mxlogic::extract },
    Extractor { format: "apachejames", also: &[], run: formats::apachejames::extract },
    Extractor { format: "mfilter", also: &[], run: formats::mfilter::extract },
    Extractor { format: "messagingserver", also: &[], run: formats::messagingserver::extract },
    Extractor { format: "messagelabs", also: &[], run: formats::messagelabs::extract },
    Extractor { format: "mcafee", also: &[], run: formats::mcafee::extract },
    Extractor { format: "verizon", also: &[], run: formats::verizon::extract },
    Extractor { format: "fml", also: &[], run: formats::fml::extract },
    Extractor { format: "exim", also: &[], run: formats::eximmalformed::extract },
    // A delivery-status part in an email that lost its MIME header, after the text formats.
    Extractor { format: "rfc3464", also: &[], run: standard::rfc3464::extract_unlabelled },
    Extractor { format: "rfc3834", also: &[], run: standard::rfc3834::extract },
    // Any other report, recognised by its signals: bounces and delay warnings, then complaints
    // of feedback loops that do not use ARF.
    Extractor { format: "fallback", also: &[], run: fallback::extract },
    Extractor { format: "fbl", also: &[], run: fallback::extract_complaint },
];

/// The format name `name` as the registry spells it (every name a report may carry).
pub fn format_name(name: &str) -> Option<&'static str> {
    EXTRACTORS.iter().flat_map(|e| std::iter::once(e.format).chain(e.also.iter().copied())).find(|f| *f == name)
}
