//! Reading payload fields: lenient serde types and the errors that name the field.
//!
//! The providers' payloads are deserialized into typed structs whose fields are the types
//! below ([`Text`], [`Int`], [`Time`], [`Obj`], [`List`], [`Strings`], [`Id`]). None of them
//! fails to deserialize: a value of the wrong type is kept as [`Slot::Bad`], and becomes an
//! error only when the reader asks for the field. So a payload is refused for a field an event
//! needs, never for one it ignores, and the error is the first the reading meets, in the order
//! it reads (the order the tests pin).

use super::{Provider, WebhookError, time};
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;
use std::fmt::Write as _;

/// The words for the JSON type of `v` in errors ("expected a string, got a number").
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A field as the payload has it.
#[derive(Debug, Clone, Default)]
pub enum Slot<T> {
    /// Missing or `null` (and `""` for text, integers and times).
    #[default]
    Absent,
    Good(T),
    /// A value the field cannot hold, as the error will show it.
    Bad(Found),
}

/// What was found in a field of the wrong type.
#[derive(Debug, Clone)]
pub enum Found {
    /// A value of another JSON type: its words ("a number").
    Kind(&'static str),
    /// Text that is not what the field holds, quoted as Python quotes it ("'abc'").
    Quoted(String),
    /// Text or a number that is no time, quoted.
    NotTime(String),
}

/// Text: a JSON string.
#[derive(Debug, Clone, Default)]
pub struct Text(pub Slot<String>);

/// An integer: a JSON integer, a float without a fraction, or a string of 1 to 9 digits
/// (SparkPost sends `"bounce_class": "10"`).
#[derive(Debug, Clone, Default)]
pub struct Int(pub Slot<Integer>);

/// An integer read by [`Int`]: its value (saturated to `i64`) and its decimal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integer {
    pub value: i64,
    pub text: String,
}

/// A time: ISO 8601 text or Unix seconds ([`time::micros`]), as microseconds since the epoch.
#[derive(Debug, Clone, Default)]
pub struct Time(pub Slot<i64>);

/// An object, read as `T`.
#[derive(Debug, Clone)]
pub struct Obj<T>(pub Slot<T>);

/// An array of objects, each read as `T` (or the words of what else the item is).
#[derive(Debug, Clone)]
pub struct List<T>(pub Slot<Vec<Result<T, &'static str>>>);

/// An array of strings (or the words of what else each item is).
#[derive(Debug, Clone, Default)]
pub struct Strings(pub Slot<Vec<Result<String, &'static str>>>);

/// An id: text, or a number's digits; anything else is no id (never an error: the ids are not
/// needed to read an event).
#[derive(Debug, Clone, Default)]
pub struct Id(pub Option<String>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(Slot::Absent)
    }
}
impl<T> Default for List<T> {
    fn default() -> Self {
        List(Slot::Absent)
    }
}

/// `value` read as `T`, one of the lenient types or a struct of them (which cannot fail).
pub fn view<T: DeserializeOwned + Default>(value: Option<&Value>) -> T {
    value.map_or_else(T::default, |v| T::deserialize(v).unwrap_or_default())
}

/// The object `v` as `T`, a struct of lenient fields.
fn object<T: DeserializeOwned>(v: &Value) -> Result<T, &'static str> {
    match v {
        Value::Object(_) => T::deserialize(v).map_err(|_| "an object"),
        other => Err(kind(other)),
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(match Value::deserialize(d)? {
            Value::Null => Slot::Absent,
            Value::String(s) if s.is_empty() => Slot::Absent,
            Value::String(s) => Slot::Good(s),
            other => Slot::Bad(Found::Kind(kind(&other))),
        }))
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Int(match Value::deserialize(d)? {
            Value::Null => Slot::Absent,
            Value::String(s) if s.is_empty() => Slot::Absent,
            Value::String(s) => {
                let digits = py_strip(&s);
                if (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    let value: i64 = digits.parse().unwrap_or_default();
                    Slot::Good(Integer { value, text: value.to_string() })
                } else {
                    Slot::Bad(Found::Quoted(py_repr(&head(&s, 40))))
                }
            }
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Slot::Good(Integer { value: i, text: i.to_string() }),
                (None, Some(u), _) => Slot::Good(Integer { value: i64::MAX, text: u.to_string() }),
                (None, None, Some(f)) if f.is_finite() && f.fract() == 0.0 => {
                    // `as` saturates; the text is the float's exact integer, as Python's int() has it.
                    Slot::Good(Integer { value: f as i64, text: format!("{:.0}", f + 0.0) })
                }
                _ => Slot::Bad(Found::Kind("a number")),
            },
            other => Slot::Bad(Found::Kind(kind(&other))),
        }))
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(Time(match &v {
            Value::Null => Slot::Absent,
            Value::String(s) if s.is_empty() => Slot::Absent,
            Value::String(s) => {
                time::micros(&v).map_or_else(|| Slot::Bad(Found::NotTime(py_repr(&head(s, 40)))), Slot::Good)
            }
            Value::Number(n) => time::micros(&v)
                .map_or_else(|| Slot::Bad(Found::NotTime(py_repr(&head(&n.to_string(), 40)))), Slot::Good),
            other => Slot::Bad(Found::Kind(kind(other))),
        }))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Obj(match Value::deserialize(d)? {
            Value::Null => Slot::Absent,
            v => object(&v).map_or_else(|k| Slot::Bad(Found::Kind(k)), Slot::Good),
        }))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(List(match Value::deserialize(d)? {
            Value::Null => Slot::Absent,
            Value::Array(items) => Slot::Good(items.iter().map(object).collect()),
            other => Slot::Bad(Found::Kind(kind(&other))),
        }))
    }
}

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Strings(match Value::deserialize(d)? {
            Value::Null => Slot::Absent,
            Value::Array(items) => Slot::Good(
                items
                    .into_iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s),
                        other => Err(kind(&other)),
                    })
                    .collect(),
            ),
            other => Slot::Bad(Found::Kind(kind(&other))),
        }))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Id(super::id_text(Some(&Value::deserialize(d)?))))
    }
}

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A field's place in the payload: keys and array indexes from the top.
#[derive(Debug, Clone, Default)]
pub struct Path(Vec<Step>);

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

impl Path {
    pub fn key(&self, key: &str) -> Path {
        let mut p = self.clone();
        p.0.push(Step::Key(key.to_string()));
        p
    }
    pub fn index(&self, index: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Step::Index(index));
        p
    }
    /// `bounce.bouncedRecipients[0].emailAddress`, `[2].email`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Index(i) => write!(out, "[{i}]").unwrap_or(()),
                Step::Key(k) if out.is_empty() => out.push_str(k),
                Step::Key(k) => write!(out, ".{k}").unwrap_or(()),
            }
        }
        out
    }
}

/// The reader of one event: the provider, and the words that name what is read in errors
/// ("SES bounce notification"), which change once the event's type is known.
pub struct Cx {
    pub provider: Provider,
    pub what: String,
}

impl Cx {
    pub fn new(provider: Provider, what: impl Into<String>) -> Cx {
        Cx { provider, what: what.into() }
    }

    /// The error `problem` (which names the field) about the field at `at`.
    pub fn fail(&self, at: &Path, problem: impl FnOnce(&str) -> String) -> WebhookError {
        let field = at.render();
        WebhookError {
            message: format!("{}: {}", self.what, problem(&field)),
            provider: Some(self.provider),
            field: (!field.is_empty()).then_some(field),
        }
    }

    pub fn missing(&self, at: &Path) -> WebhookError {
        self.fail(at, |f| format!("missing field '{f}'"))
    }

    pub fn wrong(&self, at: &Path, expected: &str, found: &Found) -> WebhookError {
        self.fail(at, |f| match found {
            Found::Kind(got) => format!("invalid field '{f}': expected {expected}, got {got}"),
            Found::Quoted(got) => format!("invalid field '{f}': expected {expected}, got {got}"),
            Found::NotTime(text) => format!("invalid field '{f}': not a time: {text}"),
        })
    }

    fn slot<'s, T>(&self, at: &Path, key: &str, expected: &str, slot: &'s Slot<T>) -> super::Result<Option<&'s T>> {
        match slot {
            Slot::Absent => Ok(None),
            Slot::Good(v) => Ok(Some(v)),
            Slot::Bad(found) => Err(self.wrong(&at.key(key), expected, found)),
        }
    }

    fn required<'s, T: ?Sized>(&self, at: &Path, key: &str, found: Option<&'s T>) -> super::Result<&'s T> {
        found.ok_or_else(|| self.missing(&at.key(key)))
    }

    /// The text of field `key` of the object at `at`.
    pub fn text<'s>(&self, at: &Path, key: &str, f: &'s Text) -> super::Result<Option<&'s str>> {
        Ok(self.slot(at, key, "a string", &f.0)?.map(String::as_str))
    }
    pub fn need_text<'s>(&self, at: &Path, key: &str, f: &'s Text) -> super::Result<&'s str> {
        let found = self.text(at, key, f)?;
        self.required(at, key, found)
    }
    pub fn int<'s>(&self, at: &Path, key: &str, f: &'s Int) -> super::Result<Option<&'s Integer>> {
        self.slot(at, key, "an integer", &f.0)
    }
    pub fn time(&self, at: &Path, key: &str, f: &Time) -> super::Result<Option<i64>> {
        Ok(self.slot(at, key, "a time (ISO 8601 or Unix seconds)", &f.0)?.copied())
    }
    pub fn obj<'s, T>(&self, at: &Path, key: &str, f: &'s Obj<T>) -> super::Result<Option<&'s T>> {
        self.slot(at, key, "an object", &f.0)
    }
    pub fn need_obj<'s, T>(&self, at: &Path, key: &str, f: &'s Obj<T>) -> super::Result<&'s T> {
        let found = self.obj(at, key, f)?;
        self.required(at, key, found)
    }

    /// The object `value` of field `key` (`None` when missing or null), for the payloads read
    /// as a [`Value`] where their shape varies (an SNS envelope, Mailgun's `event-data`).
    pub fn object_at<'v>(&self, at: &Path, key: &str, value: Option<&'v Value>) -> super::Result<Option<&'v Value>> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(other) => Err(self.wrong(&at.key(key), "an object", &Found::Kind(kind(other)))),
        }
    }
    pub fn need_object_at<'v>(&self, at: &Path, key: &str, value: Option<&'v Value>) -> super::Result<&'v Value> {
        let found = self.object_at(at, key, value)?;
        self.required(at, key, found)
    }

    /// The items of array field `key`, each with its path; every item is checked (it must be
    /// `item`) before any is returned.
    fn items<'s, T>(
        &self,
        at: &Path,
        key: &str,
        slot: &'s Slot<Vec<Result<T, &'static str>>>,
        item: &str,
        required: bool,
    ) -> super::Result<Vec<(Path, &'s T)>> {
        let Some(items) = self.slot(at, key, "an array", slot)? else {
            return if required { Err(self.missing(&at.key(key))) } else { Ok(Vec::new()) };
        };
        let here = at.key(key);
        items
            .iter()
            .enumerate()
            .map(|(i, found)| match found {
                Ok(v) => Ok((here.index(i), v)),
                Err(got) => Err(self.wrong(&here.index(i), item, &Found::Kind(got))),
            })
            .collect()
    }

    /// The objects of array field `key`, each with its path.
    pub fn list<'s, T>(
        &self,
        at: &Path,
        key: &str,
        f: &'s List<T>,
        required: bool,
    ) -> super::Result<Vec<(Path, &'s T)>> {
        self.items(at, key, &f.0, "an object", required)
    }

    /// The strings of array field `key` (`""` included).
    pub fn strings<'s>(&self, at: &Path, key: &str, f: &'s Strings, required: bool) -> super::Result<Vec<&'s str>> {
        Ok(self.items(at, key, &f.0, "a string", required)?.into_iter().map(|(_, s)| s.as_str()).collect())
    }
}

/// Python's `str.isspace()`: Unicode white space and the separators U+001C to U+001F.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `repr()` of a string, for quoting payload text in errors.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{a0}').contains(&c) => {
                write!(out, "\\x{:02x}", c as u32).unwrap_or(());
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
