//! The reports of particular MTAs and services, one file each, each read by its generator's own
//! wording (the file's doc comment names the source it follows). The order they are tried in,
//! and their names, are in [`super::registry::EXTRACTORS`].

pub(crate) mod activehunter;
pub(crate) mod amazonses;
pub(crate) mod amazonworkmail;
pub(crate) mod apachejames;
pub(crate) mod biglobe;
pub(crate) mod courier;
pub(crate) mod dragonfly;
pub(crate) mod einsundeins;
pub(crate) mod exchange2003;
pub(crate) mod exim;
pub(crate) mod eximmalformed;
pub(crate) mod ezweb;
pub(crate) mod fml;
pub(crate) mod gmail;
pub(crate) mod gmx;
pub(crate) mod google;
pub(crate) mod googlegroups;
pub(crate) mod imailserver;
pub(crate) mod interscanmss;
pub(crate) mod kddi;
pub(crate) mod mailfoundry;
pub(crate) mod mailmarshal;
pub(crate) mod mcafee;
pub(crate) mod messagelabs;
pub(crate) mod messagingserver;
pub(crate) mod mfilter;
pub(crate) mod mxlogic;
pub(crate) mod notes;
pub(crate) mod office365;
pub(crate) mod opensmtpd;
pub(crate) mod postfix;
pub(crate) mod qmail;
pub(crate) mod qmailclone;
pub(crate) mod sendmail;
pub(crate) mod v5sendmail;
pub(crate) mod verizon;
pub(crate) mod x1;
pub(crate) mod x3;
pub(crate) mod x6;
pub(crate) mod zoho;
