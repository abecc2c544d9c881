//! Turns the tables in `data/` into Rust statics (`$OUT_DIR/registry_data.rs`).
//!
//! `data/` is the single source of truth: the IANA enhanced status registry, the basic reply
//! codes, the digit semantics, the Outlook Express error numbers, the reason taxonomy, the
//! status-to-reason table and the translations in `data/i18n/*.toml`. A build fails with a
//! clear message when a table is inconsistent (a translation missing an entry, a duplicate code).

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Deserialize)]
struct EnhancedFile {
    status: Vec<Enhanced>,
}
#[derive(Deserialize)]
struct Enhanced {
    code: String,
    title: String,
    reply_codes: Vec<u16>,
    reply_codes_text: String,
    description: String,
    reference: Vec<String>,
    #[serde(default)]
    deprecated: bool,
}
#[derive(Deserialize)]
struct RepliesFile {
    reply: Vec<ReplyRow>,
}
#[derive(Deserialize)]
struct ReplyRow {
    code: u16,
    text: String,
    source: String,
    #[serde(default)]
    other_uses: Vec<String>,
}
#[derive(Deserialize)]
struct DigitsFile {
    kind: Vec<Digit>,
    category: Vec<Digit>,
    class: Vec<Digit>,
    subject: Vec<Digit>,
}
#[derive(Deserialize)]
struct Digit {
    digit: u16,
    name: String,
    text: String,
    #[serde(default)]
    title: String,
    source: String,
}
#[derive(Deserialize)]
struct OutlookFile {
    error: Vec<Outlook>,
}
#[derive(Deserialize)]
struct Outlook {
    number: u32,
    name: String,
    #[serde(default)]
    reply_code: Option<u16>,
    text: String,
}
#[derive(Deserialize)]
struct ReasonsFile {
    reason: Vec<ReasonRow>,
}
#[derive(Deserialize)]
struct ReasonRow {
    name: String,
    value: String,
    bounce: String,
    fault: String,
    description: String,
}
#[derive(Deserialize)]
struct StatusReasonsFile {
    status: Vec<StatusReason>,
    reply: Vec<ReplyReason>,
}
#[derive(Deserialize)]
struct StatusReason {
    code: String,
    reason: String,
    source: String,
}
#[derive(Deserialize)]
struct ReplyReason {
    code: u16,
    reason: String,
    source: String,
}
#[derive(Deserialize)]
struct RulesFile {
    rule: Vec<RuleRow>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleRow {
    id: String,
    reason: String,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    codes: Vec<u16>,
    #[serde(default)]
    class: Option<u16>,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    commands: Vec<String>,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    bounce: Option<String>,
    /// "greylisting": the reply is a greylisting deferral (retry after the greylisting delay).
    #[serde(default)]
    hint: Option<String>,
    /// What the provider documents the sender should do, when the reason's usual decision is not
    /// it: "throttle", "message" (an ordinary failure of this message: retry if transient, give
    /// up if permanent), "give_up" (even when transient), "fix_config" or "suppress".
    #[serde(default)]
    action: Option<String>,
    /// The scope of `action`: "message" (default) or "destination".
    #[serde(default)]
    scope: Option<String>,
    source: String,
}
#[derive(Deserialize)]
struct LangFile {
    lang: String,
    reply: BTreeMap<String, String>,
    status: BTreeMap<String, LangStatus>,
    kind: BTreeMap<String, String>,
    category: BTreeMap<String, String>,
    class: BTreeMap<String, String>,
    subject: BTreeMap<String, LangSubject>,
    outlook: BTreeMap<String, String>,
}
#[derive(Deserialize)]
struct LangStatus {
    title: String,
    description: String,
}
#[derive(Deserialize)]
struct LangSubject {
    title: String,
    text: String,
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// "X.1.10" -> (1, 10)
fn subject_detail(code: &str) -> (u16, u16) {
    let mut it = code.strip_prefix("X.").expect("status code starts with X.").split('.');
    let s = it.next().and_then(|p| p.parse().ok()).expect("subject");
    let d = it.next().and_then(|p| p.parse().ok()).expect("detail");
    (s, d)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    println!("cargo:rerun-if-changed={}", root.display());
    let enhanced: EnhancedFile = read(&root.join("enhanced_status.toml"));
    let replies: RepliesFile = read(&root.join("reply_codes.toml"));
    let digits: DigitsFile = read(&root.join("digits.toml"));
    let outlook: OutlookFile = read(&root.join("outlook_errors.toml"));
    let reasons: ReasonsFile = read(&root.join("reasons.toml"));
    let status_reasons: StatusReasonsFile = read(&root.join("status_reasons.toml"));

    let mut out = String::new();
    out.push_str("// @generated by build.rs from data/*.toml. Do not edit.\n");

    // Enhanced status registry, sorted by (subject, detail) for binary search.
    let mut rows: Vec<(u16, u16, &Enhanced)> = enhanced
        .status
        .iter()
        .map(|e| {
            let (s, d) = subject_detail(&e.code);
            (s, d, e)
        })
        .collect();
    rows.sort_by_key(|r| (r.0, r.1));
    for w in rows.windows(2) {
        assert!((w[0].0, w[0].1) != (w[1].0, w[1].1), "duplicate status {}", w[0].2.code);
    }
    out.push_str("pub static ENHANCED: &[EnhancedEntry] = &[\n");
    for (s, d, e) in &rows {
        writeln!(
            out,
            "    EnhancedEntry {{ subject: {s}, detail: {d}, title: {:?}, description: {:?}, reply_codes: &{:?}, reply_codes_text: {:?}, reference: &{:?}, deprecated: {} }},",
            e.title, e.description, e.reply_codes, e.reply_codes_text, e.reference, e.deprecated
        )
        .unwrap();
    }
    out.push_str("];\n");

    let mut reply_rows: Vec<&ReplyRow> = replies.reply.iter().collect();
    reply_rows.sort_by_key(|r| r.code);
    for w in reply_rows.windows(2) {
        assert!(w[0].code != w[1].code, "duplicate reply code {}", w[0].code);
    }
    out.push_str("pub static REPLIES: &[ReplyEntry] = &[\n");
    for r in &reply_rows {
        assert!((200..=599).contains(&r.code), "reply code {} out of range", r.code);
        writeln!(
            out,
            "    ReplyEntry {{ code: {}, text: {:?}, source: {:?}, other_uses: &{:?} }},",
            r.code, r.text, r.source, r.other_uses
        )
        .unwrap();
    }
    out.push_str("];\n");

    for (name, list) in [
        ("KINDS", &digits.kind),
        ("CATEGORIES", &digits.category),
        ("CLASSES", &digits.class),
        ("SUBJECTS", &digits.subject),
    ] {
        writeln!(out, "pub static {name}: &[DigitEntry] = &[").unwrap();
        for d in list.iter() {
            writeln!(
                out,
                "    DigitEntry {{ digit: {}, name: {:?}, title: {:?}, text: {:?}, source: {:?} }},",
                d.digit, d.name, d.title, d.text, d.source
            )
            .unwrap();
        }
        out.push_str("];\n");
    }

    out.push_str("pub static OUTLOOK: &[OutlookEntry] = &[\n");
    let mut ol: Vec<&Outlook> = outlook.error.iter().collect();
    ol.sort_by_key(|o| o.number);
    for o in &ol {
        writeln!(
            out,
            "    OutlookEntry {{ number: {:#X}, name: {:?}, reply_code: {:?}, text: {:?} }},",
            o.number, o.name, o.reply_code, o.text
        )
        .unwrap();
    }
    out.push_str("];\n");

    // Reasons: the enum is generated so that the data file is the only list.
    let reason_names: BTreeSet<&str> = reasons.reason.iter().map(|r| r.value.as_str()).collect();
    assert_eq!(reason_names.len(), reasons.reason.len(), "duplicate reason in reasons.toml");
    out.push_str("/// Why a message bounced, with Sisimai's reason names (data/reasons.toml).\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum Reason {\n");
    for r in &reasons.reason {
        writeln!(out, "    /// {}\n    {},", r.description, camel(&r.name)).unwrap();
    }
    out.push_str("}\n");
    out.push_str("pub static REASONS: &[ReasonEntry] = &[\n");
    for r in &reasons.reason {
        let bounce = match r.bounce.as_str() {
            "hard" => "Bounce::Hard",
            "soft" => "Bounce::Soft",
            "none" => "Bounce::None",
            "unknown" => "Bounce::Unknown",
            other => panic!("reasons.toml: bad bounce {other:?} for {}", r.name),
        };
        let fault = match r.fault.as_str() {
            "recipient" => "Fault::Recipient",
            "sender" => "Fault::Sender",
            "content" => "Fault::Content",
            "destination" => "Fault::Destination",
            "network" => "Fault::Network",
            "none" => "Fault::None",
            "unknown" => "Fault::Unknown",
            other => panic!("reasons.toml: bad fault {other:?} for {}", r.name),
        };
        writeln!(
            out,
            "    ReasonEntry {{ reason: Reason::{}, name: {:?}, value: {:?}, bounce: {bounce}, fault: {fault}, description: {:?} }},",
            camel(&r.name), r.name, r.value, r.description
        )
        .unwrap();
    }
    out.push_str("];\n");

    let reason_of = |v: &str| -> String {
        let r = reasons
            .reason
            .iter()
            .find(|r| r.value == v)
            .unwrap_or_else(|| panic!("status_reasons.toml names unknown reason {v:?}"));
        format!("Reason::{}", camel(&r.name))
    };
    let mut sr: Vec<(u16, u16, &StatusReason)> = status_reasons
        .status
        .iter()
        .map(|s| {
            let (a, b) = subject_detail(&s.code);
            (a, b, s)
        })
        .collect();
    sr.sort_by_key(|r| (r.0, r.1));
    out.push_str("pub static STATUS_REASONS: &[StatusReasonEntry] = &[\n");
    for (s, d, r) in &sr {
        assert!(
            rows.iter().any(|(a, b, _)| (a, b) == (s, d)),
            "status_reasons.toml: {} is not in the registry",
            r.code
        );
        writeln!(
            out,
            "    StatusReasonEntry {{ subject: {s}, detail: {d}, reason: {}, source: {:?} }},",
            reason_of(&r.reason),
            r.source
        )
        .unwrap();
    }
    out.push_str("];\n");
    for (s, d, e) in &rows {
        assert!(
            e.deprecated || sr.iter().any(|(a, b, _)| (a, b) == (s, d)),
            "status_reasons.toml has no reason for registry entry {}",
            e.code
        );
    }
    let mut rr: Vec<&ReplyReason> = status_reasons.reply.iter().collect();
    rr.sort_by_key(|r| r.code);
    out.push_str("pub static REPLY_REASONS: &[ReplyReasonEntry] = &[\n");
    for r in &rr {
        writeln!(
            out,
            "    ReplyReasonEntry {{ code: {}, reason: {}, source: {:?} }},",
            r.code,
            reason_of(&r.reason),
            r.source
        )
        .unwrap();
    }
    out.push_str("];\n");

    // Translations: one file per language in data/i18n/, each complete.
    let mut langs = Vec::new();
    let i18n = root.join("i18n");
    println!("cargo:rerun-if-changed={}", i18n.display());
    if let Ok(dir) = std::fs::read_dir(&i18n) {
        let mut paths: Vec<_> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            let lf: LangFile = read(&p);
            let where_ = p.display().to_string();
            let keys = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<BTreeSet<_>>();
            let want_reply: BTreeSet<String> = reply_rows.iter().map(|r| r.code.to_string()).collect();
            assert_eq!(keys(&lf.reply), want_reply, "{where_}: [reply] keys differ from reply_codes.toml");
            let want_status: BTreeSet<String> = rows.iter().map(|r| r.2.code.clone()).collect();
            let have_status: BTreeSet<String> = lf.status.keys().cloned().collect();
            assert_eq!(have_status, want_status, "{where_}: [status] keys differ from enhanced_status.toml");
            let digit_keys = |l: &Vec<Digit>| l.iter().map(|d| d.digit.to_string()).collect::<BTreeSet<_>>();
            assert_eq!(keys(&lf.kind), digit_keys(&digits.kind), "{where_}: [kind]");
            assert_eq!(keys(&lf.category), digit_keys(&digits.category), "{where_}: [category]");
            assert_eq!(keys(&lf.class), digit_keys(&digits.class), "{where_}: [class]");
            let have_subject: BTreeSet<String> = lf.subject.keys().cloned().collect();
            assert_eq!(have_subject, digit_keys(&digits.subject), "{where_}: [subject]");
            let want_outlook: BTreeSet<String> = ol.iter().map(|o| format!("0x{:08X}", o.number)).collect();
            assert_eq!(keys(&lf.outlook), want_outlook, "{where_}: [outlook]");

            let ident = lf.lang.to_uppercase();
            writeln!(out, "static LANG_{ident}: Translation = Translation {{ lang: {:?},", lf.lang).unwrap();
            out.push_str("    reply: &[");
            for r in &reply_rows {
                write!(out, "{:?},", lf.reply[&r.code.to_string()]).unwrap();
            }
            out.push_str("],\n    status: &[");
            for r in &rows {
                let s = &lf.status[&r.2.code];
                write!(out, "({:?}, {:?}),", s.title, s.description).unwrap();
            }
            for (field, list) in [("kind", &digits.kind), ("category", &digits.category), ("class", &digits.class)] {
                let m = match field {
                    "kind" => &lf.kind,
                    "category" => &lf.category,
                    _ => &lf.class,
                };
                write!(out, "],\n    {field}: &[").unwrap();
                for d in list.iter() {
                    write!(out, "{:?},", m[&d.digit.to_string()]).unwrap();
                }
            }
            out.push_str("],\n    subject: &[");
            for d in &digits.subject {
                let s = &lf.subject[&d.digit.to_string()];
                write!(out, "({:?}, {:?}),", s.title, s.text).unwrap();
            }
            out.push_str("],\n    outlook: &[");
            for o in &ol {
                write!(out, "{:?},", lf.outlook[&format!("0x{:08X}", o.number)]).unwrap();
            }
            out.push_str("],\n};\n");
            langs.push(ident);
        }
    }
    out.push_str("/// Every translation in data/i18n/, parallel to the English tables above.\n");
    out.push_str("pub static TRANSLATIONS: &[&Translation] = &[");
    for l in &langs {
        write!(out, "&LANG_{l},").unwrap();
    }
    out.push_str("];\n");

    let out_dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out_dir).join("registry_data.rs"), out).unwrap();

    // Text rules: data/rules.toml -> RULES (compiled into automata at run time, see
    // src/classify/rules.rs; a test compiles them).
    let rules: RulesFile = read(&root.join("rules.toml"));
    let mut r_out = String::from("// @generated by build.rs from data/rules.toml. Do not edit.\n");
    r_out.push_str("/// Every rule of data/rules.toml, in file order.\npub static RULES: &[Rule] = &[\n");
    let mut seen = BTreeSet::new();
    for r in &rules.rule {
        assert!(seen.insert(r.id.clone()), "rules.toml: duplicate id {}", r.id);
        assert!(!r.phrases.is_empty() || r.regex.is_some(), "rules.toml: {} has neither phrases nor regex", r.id);
        let statuses: Vec<String> = r
            .status
            .iter()
            .map(|st| {
                let mut it = st.split('.');
                let (c, s, d) = (it.next().unwrap_or(""), it.next(), it.next());
                let class = if c == "X" || c == "x" {
                    "None".to_string()
                } else {
                    format!(
                        "Some({})",
                        c.parse::<u16>().unwrap_or_else(|_| panic!("rules.toml: {}: bad status {st}", r.id))
                    )
                };
                let num = |p: Option<&str>| {
                    p.and_then(|p| p.parse::<u16>().ok())
                        .unwrap_or_else(|| panic!("rules.toml: {}: bad status {st}", r.id))
                };
                format!("StatusPattern {{ class: {class}, subject: {}, detail: {} }}", num(s), num(d))
            })
            .collect();
        let bounce = match r.bounce.as_deref() {
            None => "None",
            Some("hard") => "Some(Bounce::Hard)",
            Some("soft") => "Some(Bounce::Soft)",
            Some(other) => panic!("rules.toml: {}: bounce must be hard or soft, not {other:?}", r.id),
        };
        for c in &r.commands {
            assert!(
                ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "STARTTLS", "AUTH", "CONNECT"].contains(&c.as_str()),
                "rules.toml: {}: unknown command {c:?}",
                r.id
            );
        }
        for h in &r.hosts {
            assert!(
                !h.is_empty() && *h == h.to_ascii_lowercase() && !h.starts_with('.'),
                "rules.toml: {}: hosts are lower-case domain names without a leading dot, not {h:?}",
                r.id
            );
        }
        let greylisting = match r.hint.as_deref() {
            None => false,
            Some("greylisting") => true,
            Some(other) => panic!("rules.toml: {}: unknown hint {other:?}", r.id),
        };
        let action = match r.action.as_deref() {
            None => "None",
            Some("throttle") => "Some(RuleAction::Throttle)",
            Some("message") => "Some(RuleAction::Message)",
            Some("give_up") => "Some(RuleAction::GiveUp)",
            Some("fix_config") => "Some(RuleAction::FixConfig)",
            Some("suppress") => "Some(RuleAction::Suppress)",
            Some(other) => panic!("rules.toml: {}: unknown action {other:?}", r.id),
        };
        let destination = match r.scope.as_deref() {
            None | Some("message") => false,
            Some("destination") => true,
            Some(other) => panic!("rules.toml: {}: scope must be message or destination, not {other:?}", r.id),
        };
        assert!(r.scope.is_none() || r.action.is_some(), "rules.toml: {}: scope without action", r.id);
        writeln!(
            r_out,
            "    Rule {{ id: {:?}, reason: {}, phrases: &{:?}, regex: {:?}, codes: &{:?}, class: {:?}, status: &[{}], commands: &{:?}, hosts: &{:?}, priority: {}, bounce: {bounce}, greylisting: {greylisting}, action: {action}, destination: {destination}, source: {:?} }},",
            r.id,
            reason_of(&r.reason),
            r.phrases,
            r.regex,
            r.codes,
            r.class,
            statuses.join(", "),
            r.commands,
            r.hosts,
            r.priority,
            r.source
        )
        .unwrap();
    }
    r_out.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("rules_data.rs"), r_out).unwrap();

    // Bounce recognition: data/recognition.toml -> SIGNALS (src/bounce/recognition.rs).
    let recognition: RecognitionFile = read(&root.join("recognition.toml"));
    let mut g_out = String::from("// @generated by build.rs from data/recognition.toml. Do not edit.\n");
    g_out.push_str(
        "/// Every signal row of data/recognition.toml, in file order.\npub static SIGNALS: &[SignalRow] = &[\n",
    );
    let mut by_field: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for s in &recognition.signal {
        let (field, variant) = match s.kind.as_str() {
            "subject-bounce" => ("subject", "SubjectBounce"),
            "subject-delay" => ("subject", "SubjectDelay"),
            "subject-autoreply" => ("subject", "SubjectAutoReply"),
            "subject-complaint" => ("subject", "SubjectComplaint"),
            "subject-challenge" => ("subject", "SubjectChallenge"),
            "sender-local" => ("local", "SenderLocal"),
            "sender-name" => ("name", "SenderName"),
            "body-failure" => ("body", "BodyFailure"),
            "body-delay" => ("body", "BodyDelay"),
            "body-challenge" => ("body", "BodyChallenge"),
            "body-delivered" => ("body", "BodyDelivered"),
            other => panic!("recognition.toml: unknown kind {other:?}"),
        };
        assert!(!s.source.is_empty(), "recognition.toml: {} has no source", s.kind);
        for p in &s.phrases {
            assert!(
                !p.is_empty() && *p == p.to_lowercase() && !p.contains("  ") && p.trim() == p,
                "recognition.toml: {}: phrases are lower-case with single spaces, not {p:?}",
                s.kind
            );
            if let Some(prev) = by_field.insert((field, p.as_str()), s.kind.as_str()) {
                panic!("recognition.toml: {p:?} is both {prev} and {}", s.kind);
            }
        }
        writeln!(
            g_out,
            "    SignalRow {{ kind: Signal::{variant}, phrases: &{:?}, source: {:?} }},",
            s.phrases, s.source
        )
        .unwrap();
    }
    g_out.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("recognition_data.rs"), g_out).unwrap();

    // Reply wrappers: data/wrappers.toml -> WRAPPERS (src/reply/wrap.rs).
    let wrappers: WrappersFile = read(&root.join("wrappers.toml"));
    let mut w_out = String::from("// @generated by build.rs from data/wrappers.toml. Do not edit.\n");
    w_out.push_str("/// Every wrapper of data/wrappers.toml, in file order.\npub static WRAPPERS: &[Wrapper] = &[\n");
    let mut ids = BTreeSet::new();
    for w in &wrappers.wrapper {
        assert!(ids.insert(w.id.as_str()), "wrappers.toml: duplicate id {:?}", w.id);
        assert!(!w.source.is_empty(), "wrappers.toml: {} has no source", w.id);
        assert!(!w.examples.is_empty(), "wrappers.toml: {} has no examples", w.id);
        assert!(!w.pattern.is_empty(), "wrappers.toml: {} has an empty pattern", w.id);
        writeln!(
            w_out,
            "    Wrapper {{ id: {:?}, pattern: {:?}, after: {:?}, command: {:?}, nested: {}, line_prefix: {:?}, escapes: {}, needs: {:?}, source: {:?} }},",
            w.id, w.pattern, w.after, w.command, w.nested, w.line_prefix, w.escapes, w.needs, w.source
        )
        .unwrap();
    }
    w_out.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("wrappers_data.rs"), w_out).unwrap();

    // Webhook categories: data/webhooks.toml -> TABLES, MAILGUN_PSEUDO_CODES (src/webhooks/tables.rs).
    let path = root.join("webhooks.toml");
    println!("cargo:rerun-if-changed={}", path.display());
    println!("cargo:rerun-if-changed=src/webhooks/tables_gen.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let reason_path =
        |v: &str| reasons.reason.iter().find(|r| r.value == v).map(|r| format!("Reason::{}", camel(&r.name)));
    let h_out = webhook_tables::generate(&text, &reason_path).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(Path::new(&out_dir).join("webhooks_data.rs"), h_out).unwrap();
    providers(&root, &out_dir);
}

/// data/providers.toml -> `PROVIDERS` (src/ledger/provider.rs).
fn providers(root: &Path, out_dir: &str) {
    let file: ProvidersFile = read(&root.join("providers.toml"));
    let mut out = String::from(
        "// @generated by build.rs from data/providers.toml. Do not edit.\npub static PROVIDERS: &[Provider] = &[\n",
    );
    let mut ids = BTreeSet::new();
    for p in &file.provider {
        assert!(ids.insert(p.id.as_str()), "providers.toml: duplicate id {:?}", p.id);
        assert!(!p.source.is_empty(), "providers.toml: {} has no source", p.id);
        for w in p.mx.iter().chain(&p.markers).chain(&p.domains) {
            assert!(*w == w.to_lowercase() && !w.is_empty(), "providers.toml: {}: {w:?} must be lower case", p.id);
        }
        writeln!(
            out,
            "    Provider {{ id: {:?}, name: {:?}, source: {:?}, mx: &{:?}, markers: &{:?}, domains: &{:?} }},",
            p.id, p.name, p.source, p.mx, p.markers, p.domains
        )
        .unwrap();
    }
    out.push_str("];\n");
    std::fs::write(Path::new(out_dir).join("providers_data.rs"), out).unwrap();
}

#[derive(Deserialize)]
struct ProvidersFile {
    provider: Vec<ProviderToml>,
}
#[derive(Deserialize)]
struct ProviderToml {
    id: String,
    name: String,
    source: String,
    mx: Vec<String>,
    markers: Vec<String>,
    domains: Vec<String>,
}

#[path = "src/webhooks/tables_gen.rs"]
mod webhook_tables;

#[derive(Deserialize)]
struct WrappersFile {
    wrapper: Vec<WrapperToml>,
}
#[derive(Deserialize)]
struct WrapperToml {
    id: String,
    source: String,
    pattern: String,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    nested: bool,
    #[serde(default)]
    line_prefix: Option<String>,
    #[serde(default)]
    escapes: bool,
    #[serde(default)]
    needs: Option<String>,
    examples: Vec<toml::Value>,
}

#[derive(Deserialize)]
struct RecognitionFile {
    signal: Vec<SignalToml>,
}
#[derive(Deserialize)]
struct SignalToml {
    kind: String,
    phrases: Vec<String>,
    source: String,
}

/// "USER_UNKNOWN" -> "UserUnknown"
fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}
