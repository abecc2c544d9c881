//! The provider behind a destination (Gmail, Microsoft, Yahoo, the filtering gateways …), from
//! `data/providers.toml`: a sender's throttles and blocks are the provider's, whichever of its
//! customers' domains the mail was for.

/// One provider of `data/providers.toml`.
#[derive(Debug)]
pub struct Provider {
    /// Short lower-case id (`google`, `microsoft`).
    pub id: &'static str,
    /// Its name for people.
    pub name: &'static str,
    /// Where its MX names and reply words come from.
    pub source: &'static str,
    /// Suffixes of its receiving hosts' names, matched on label boundaries.
    pub mx: &'static [&'static str],
    /// Words its own replies carry (lower case).
    pub markers: &'static [&'static str],
    /// Its own recipient domains.
    pub domains: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/providers_data.rs"));

/// True when `host` is `suffix` or ends with `.suffix` (ASCII case-insensitive).
fn has_suffix(host: &str, suffix: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host.len() < suffix.len() || !host.is_char_boundary(host.len() - suffix.len()) {
        return false;
    }
    let (head, tail) = host.split_at(host.len() - suffix.len());
    tail.eq_ignore_ascii_case(suffix) && (head.is_empty() || head.ends_with('.'))
}

/// The host name in a Remote-MTA / wrapper host value: `mx.example.com[192.0.2.1]`,
/// `dns; mx.example.com`, `mx.example.com (192.0.2.1)`.
pub fn host_name(value: &str) -> &str {
    let v = value.trim();
    let v = v.split_once(';').map_or(v, |(_, h)| h.trim());
    v.split(['[', '(', ' ', ']']).next().unwrap_or("").trim_end_matches('.')
}

/// The provider behind a destination: by its receiving host (`mx`), else by the words of its
/// reply (`text`), else by the recipient `domain`. `None` when nothing names one.
pub fn detect(domain: &str, mx: Option<&str>, text: Option<&str>) -> Option<&'static Provider> {
    if let Some(host) = mx.map(host_name).filter(|h| !h.is_empty())
        && let Some(p) = PROVIDERS.iter().find(|p| p.mx.iter().any(|s| has_suffix(host, s)))
    {
        return Some(p);
    }
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        let lower = text.to_ascii_lowercase();
        if let Some(p) = PROVIDERS.iter().find(|p| p.markers.iter().any(|m| lower.contains(m))) {
            return Some(p);
        }
    }
    PROVIDERS.iter().find(|p| p.domains.iter().any(|d| domain.eq_ignore_ascii_case(d)))
}

/// The provider with id `id`.
pub fn by_id(id: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_mx_text_and_domain() {
        let id = |d: &str, mx: Option<&str>, t: Option<&str>| detect(d, mx, t).map(|p| p.id);
        assert_eq!(id("example.com", Some("aspmx.l.google.com[142.250.1.26]"), None), Some("google"));
        assert_eq!(id("example.com", Some("dns; example-com.mail.protection.outlook.com"), None), Some("microsoft"));
        assert_eq!(id("example.com", Some("mta5.am0.yahoodns.net."), None), Some("yahoo"));
        assert_eq!(id("example.com", Some("notgoogle.com"), None), None);
        assert_eq!(id("example.com", None, Some("5.7.1 blocked. 1si123 - gsmtp")), Some("google"));
        assert_eq!(id("Hotmail.com", None, None), Some("microsoft"));
        assert_eq!(id("aol.com", None, None), Some("yahoo"));
        assert_eq!(id("example.org", Some("mx.example.org"), Some("550 no such user")), None);
        // The host decides before the words: a Mimecast gateway in front of Microsoft 365.
        assert_eq!(id("example.com", Some("eu-smtp-inbound-1.mimecast.com"), Some("outlook.com")), Some("mimecast"));
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name("mx.example.com[192.0.2.1]"), "mx.example.com");
        assert_eq!(host_name("dns; mx.example.com."), "mx.example.com");
        assert_eq!(host_name("mx.example.com (192.0.2.1)"), "mx.example.com");
        assert_eq!(host_name(""), "");
    }

    #[test]
    fn every_provider_has_a_way_in() {
        for p in PROVIDERS {
            assert!(!p.mx.is_empty() || !p.domains.is_empty(), "{}", p.id);
            assert_eq!(by_id(p.id).map(|q| q.name), Some(p.name));
        }
    }
}
