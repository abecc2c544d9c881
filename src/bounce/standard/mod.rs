//! The standard reports: delivery status notifications (RFC 3464, RFC 6533 for internationalised
//! addresses), feedback reports (ARF, RFC 5965) and auto-replies (RFC 3834).

pub(crate) mod arf;
pub(crate) mod rfc3464;
pub(crate) mod rfc3834;
