//! Many replies at once: one [`Row`] per input text, in order, bad inputs included.
//!
//! A row is what a bounce-analysis table needs of a reply: its code and status, its kind,
//! bounce type, reason, the first retry decision (attempt 1, age unknown, under a
//! [`RetryPolicy`]), the rule that matched, and why the text could not be read as a reply when it
//! could not. An unreadable text still gets a reason and bounce type from its words alone
//! ([`classify_text`]), with no code or status invented.
//!
//! [`classify_many`] splits large inputs into chunks classified in parallel on rayon's thread
//! pool; the core holds no mutable global state, so any number of threads may call it.
//!
//! ```
//! use smtpcodes::batch::{classify_many, RowError};
//! use smtpcodes::{Action, Reason, RetryPolicy};
//! let rows = classify_many(
//!     &[Some("550 5.1.1 <bob@example.com>: user unknown"), None, Some("mailbox full")],
//!     None,
//!     &RetryPolicy::default(),
//! );
//! assert_eq!(rows.len(), 3);
//! assert_eq!((rows[0].code, rows[0].reason, rows[0].action), (Some(550), Reason::UserUnknown, Some(Action::Suppress)));
//! assert_eq!(rows[1].error, Some(RowError::Null));
//! assert_eq!((rows[2].code, rows[2].reason), (None, Reason::MailboxFull)); // from the words alone
//! assert!(matches!(rows[2].error, Some(RowError::Parse(_))));
//! ```

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::classify::{Bounce, Reason, classify, classify_text};
use crate::reply::{Reply, ReplyKind, parse};
use crate::retry::{Action, RetryPolicy, plan};
use crate::status::EnhancedStatus;

/// Inputs up to this many rows are classified on the calling thread: below it, handing chunks to
/// other threads costs more than it saves.
pub const PARALLEL_ABOVE: usize = 4096;
/// Rows per parallel chunk, at least: [`chunk_size`] makes chunks bigger for big inputs so that
/// repeated texts are classified once per chunk.
pub const CHUNK: usize = 2048;

/// The chunk size for `n` rows: a few chunks per thread (for balance), each as big as that
/// allows up to 64 Ki rows (rows of a text seen before in the chunk are copied, not recomputed).
pub fn chunk_size(n: usize) -> usize {
    (n / (rayon::current_num_threads() * 4).max(1)).clamp(CHUNK, 1 << 16)
}

/// Why a row holds no reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    /// The input was null (`None`).
    Null,
    /// The input was empty or white space.
    Empty,
    /// The input is not text (set by the bindings, e.g. for a Python int).
    NotText,
    /// The text is not a reply: the parser's message (shared, so that the rows of a repeated
    /// text copy a pointer, not the message).
    Parse(Arc<str>),
}

impl RowError {
    /// The text of the `error` column.
    pub fn message(&self) -> &str {
        match self {
            RowError::Null => "null",
            RowError::Empty => "empty",
            RowError::NotText => "not a string",
            RowError::Parse(m) => m,
        }
    }
}

/// One classified input.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub code: Option<u16>,
    pub status: Option<EnhancedStatus>,
    pub kind: Option<ReplyKind>,
    pub bounce: Bounce,
    pub reason: Reason,
    /// The first retry decision; `None` when the text is not a reply.
    pub action: Option<Action>,
    pub suppress: Option<bool>,
    /// Seconds before the retry (`Retry` and `Throttle` only).
    pub retry_delay: Option<u64>,
    /// The id of the text rule that decided the reason (see `data/rules.toml`).
    pub rule: Option<&'static str>,
    pub error: Option<RowError>,
}

impl Row {
    /// The row of an input that holds no reply, for `error`; also the base of the rows the
    /// bindings build for other inputs.
    pub fn unread(error: RowError) -> Row {
        Row {
            code: None,
            status: None,
            kind: None,
            bounce: Bounce::Unknown,
            reason: Reason::Undefined,
            action: None,
            suppress: None,
            retry_delay: None,
            rule: None,
            error: Some(error),
        }
    }
}

/// Classifies one text; `command` is the SMTP command the replies answered (`"RCPT"` …), used
/// when a reply does not name its own.
pub fn classify_one(text: Option<&str>, command: Option<&str>, policy: &RetryPolicy) -> Row {
    let Some(text) = text else { return Row::unread(RowError::Null) };
    if text.trim().is_empty() {
        return Row::unread(RowError::Empty);
    }
    match parse(text) {
        Ok(reply) => {
            let reply = match command {
                Some(c) if reply.smtp_command().is_none() => reply.with_smtp_command(c),
                _ => reply,
            };
            from_reply(&reply, policy)
        }
        Err(e) => {
            // Sized for the longest messages up front: `to_string` grows the string a few times.
            let mut message = String::with_capacity(160);
            e.write_message(&mut message);
            let k = classify_text(text, false);
            Row {
                bounce: k.bounce,
                reason: k.reason,
                rule: k.rule.map(|m| m.rule.id),
                ..Row::unread(RowError::Parse(message.into()))
            }
        }
    }
}

/// The row of a parsed reply.
pub fn from_reply(reply: &Reply, policy: &RetryPolicy) -> Row {
    let k = classify(reply);
    let p = plan(reply, &k, 1, None, policy);
    Row {
        code: reply.code().map(|c| c.value()),
        status: reply.status(),
        kind: Some(reply.kind()),
        bounce: k.bounce,
        reason: k.reason,
        action: Some(p.action),
        suppress: Some(p.suppress),
        retry_delay: p.delay,
        rule: k.rule.map(|m| m.rule.id),
        error: None,
    }
}

/// Classifies every text, in order, in parallel above [`PARALLEL_ABOVE`] rows.
pub fn classify_many(texts: &[Option<&str>], command: Option<&str>, policy: &RetryPolicy) -> Vec<Row> {
    let seed = if texts.len() > PARALLEL_ABOVE { Seed::of(texts, command, policy) } else { None };
    map_chunks(texts, chunk_size(texts.len()), |chunk| {
        classify_indexed(chunk, command, policy, seed.as_ref()).into_rows()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// A text as a hash key. Equal when the bytes are; the same string (a Python list repeating one
/// `str` object, an Arrow dictionary's value) is recognised by its address without comparing
/// the bytes.
#[derive(Clone, Copy, Debug)]
struct Text<'t>(&'t str);

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}

impl Eq for Text<'_> {}

impl std::hash::Hash for Text<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// The distinct texts among the first [`SAMPLE`] of a big input, classified once and handed to
/// every chunk ([`classify_indexed`]): without it, each of the parallel chunks classifies the
/// same few hundred frequent replies again.
pub struct Seed<'t> {
    seen: FxHashMap<Text<'t>, u32>,
    rows: Vec<Row>,
}

impl<'t> Seed<'t> {
    /// The seed of an input that starts with `texts` (only the first [`SAMPLE`] are read);
    /// `None` when fewer than 1 in 16 of them repeat an earlier text (nothing worth sharing).
    /// Worth making only for inputs of several chunks.
    pub fn of(texts: &[Option<&'t str>], command: Option<&str>, policy: &RetryPolicy) -> Option<Seed<'t>> {
        let mut seen: FxHashMap<Text<'t>, u32> = FxHashMap::default();
        let mut repeats = 0;
        for text in texts.iter().take(SAMPLE).flatten() {
            let next = seen.len() as u32;
            if *seen.entry(Text(text)).or_insert(next) != next {
                repeats += 1;
            }
        }
        if repeats < SAMPLE / 16 {
            return None;
        }
        let mut distinct: Vec<(&str, u32)> = seen.iter().map(|(t, i)| (t.0, *i)).collect();
        distinct.sort_unstable_by_key(|(_, i)| *i);
        let rows = distinct.iter().map(|(t, _)| classify_one(Some(t), command, policy)).collect();
        Some(Seed { seen, rows })
    }
}

/// Rows looked at before [`classify_seq`] decides whether remembering texts pays.
pub const SAMPLE: usize = 1024;

/// Classifies `texts` on this thread. A text seen before in `texts` reuses its row: bounce
/// logs repeat the same replies many times, and the row depends on the text alone. When fewer
/// than 1 in 16 of the first [`SAMPLE`] texts repeat one before them (every line carries a queue
/// id), the rest are classified without hashing and remembering them.
pub fn classify_seq(texts: &[Option<&str>], command: Option<&str>, policy: &RetryPolicy) -> Vec<Row> {
    let mut out = Vec::with_capacity(texts.len());
    // classify_indexed numbers rows with u32: pieces well below that.
    for piece in texts.chunks(1 << 31) {
        out.extend(classify_indexed(piece, command, policy, None).into_rows());
    }
    out
}

/// The rows of [`classify_indexed`]: one per distinct text, and each input's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Indexed {
    pub rows: Vec<Row>,
    /// For each input, in order, the index of its row in `rows`.
    pub index: Vec<u32>,
}

impl Indexed {
    /// A row per input, in order (rows of repeated texts copied).
    pub fn into_rows(self) -> Vec<Row> {
        self.index.iter().map(|&i| self.rows[i as usize].clone()).collect()
    }
}

/// [`classify_seq`] without copying rows: a repeated text, and every null, points at one row.
/// The bindings build their columns from it, reading a few hundred distinct rows instead of
/// a copy per input. `seed` ([`Seed::of`] the whole input) holds rows already classified;
/// `command` and `policy` must be the ones it was made with. At most `u32::MAX` texts (panics
/// above: the bindings pass chunks).
pub fn classify_indexed<'t>(
    texts: &[Option<&'t str>],
    command: Option<&str>,
    policy: &RetryPolicy,
    seed: Option<&Seed<'t>>,
) -> Indexed {
    let seeded = seed.map_or(0, |s| s.rows.len());
    assert!(u32::try_from(texts.len() + seeded + 1).is_ok(), "classify_indexed takes at most u32::MAX texts");
    let (mut seen, mut rows) = match seed {
        Some(s) => (s.seen.clone(), s.rows.clone()),
        None => (FxHashMap::with_capacity_and_hasher(texts.len().min(SAMPLE), Default::default()), Vec::new()),
    };
    let mut index: Vec<u32> = Vec::with_capacity(texts.len());
    let mut null: Option<u32> = None;
    let mut remember = true;
    let mut repeats = 0;
    for (n, t) in texts.iter().enumerate() {
        if n == SAMPLE && repeats < SAMPLE / 16 {
            remember = false;
            seen = FxHashMap::default();
            rows.reserve(texts.len() - n);
        }
        // At most texts + seeded rows: the index of a new row fits in u32 (asserted above).
        let next = rows.len() as u32;
        let i = match t {
            None => match null {
                Some(i) => i,
                None => {
                    rows.push(Row::unread(RowError::Null));
                    *null.insert(next)
                }
            },
            Some(text) if remember => match seen.get(&Text(text)) {
                Some(&i) => {
                    repeats += 1;
                    i
                }
                None => {
                    seen.insert(Text(text), next);
                    rows.push(classify_one(Some(text), command, policy));
                    next
                }
            },
            Some(text) => {
                rows.push(classify_one(Some(text), command, policy));
                next
            }
        };
        index.push(i);
    }
    Indexed { rows, index }
}

/// Runs `f` over `chunk`-sized slices of `items`, in parallel when there are more than
/// [`PARALLEL_ABOVE`] items, and returns the results in order (the bindings build one Arrow
/// record batch per chunk this way).
pub fn map_chunks<T: Sync, R: Send>(items: &[T], chunk: usize, f: impl Fn(&[T]) -> R + Sync + Send) -> Vec<R> {
    map_chunks_above(items, chunk, PARALLEL_ABOVE, f)
}

/// [`map_chunks`], in parallel above `parallel_above` items (bounce emails cost a thousand times
/// what a reply does: a few of them already pay for a thread).
pub fn map_chunks_above<T: Sync, R: Send>(
    items: &[T],
    chunk: usize,
    parallel_above: usize,
    f: impl Fn(&[T]) -> R + Sync + Send,
) -> Vec<R> {
    let chunk = chunk.max(1);
    if items.len() <= parallel_above {
        return items.chunks(chunk).map(f).collect();
    }
    items.par_chunks(chunk).map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rows_follow_the_single_reply_api() {
        let policy = RetryPolicy::default();
        let texts = ["250 2.0.0 Ok: queued", "421 4.7.0 Try again later", "452 4.2.2 Mailbox full", "garbage"];
        for t in texts {
            let row = classify_one(Some(t), None, &policy);
            match parse(t) {
                Ok(r) => {
                    let d = crate::retry::decide(&r, 1, None, &policy);
                    assert_eq!(row.action, Some(d.action), "{t}");
                    assert_eq!(row.retry_delay, d.delay, "{t}");
                    assert_eq!(row.reason, d.classification.reason, "{t}");
                    assert_eq!(row.error, None);
                }
                Err(_) => assert!(matches!(row.error, Some(RowError::Parse(_)))),
            }
        }
    }

    #[test]
    fn command_fills_in_only_when_the_reply_names_none() {
        let policy = RetryPolicy::default();
        let a = classify_one(Some("554 5.7.1 Service unavailable"), Some("CONNECT"), &policy);
        let b = classify_one(Some("554 5.7.1 Service unavailable"), None, &policy);
        assert_eq!(a.code, b.code);
        assert!(a.error.is_none() && b.error.is_none());
    }

    #[test]
    fn empty_and_null() {
        let policy = RetryPolicy::default();
        assert_eq!(classify_one(Some("  \r\n"), None, &policy).error, Some(RowError::Empty));
        assert_eq!(classify_one(None, None, &policy).error, Some(RowError::Null));
    }

    #[test]
    fn rows_are_the_same_when_repeats_are_too_rare_to_remember() {
        // The first SAMPLE texts are all different, so classify_seq stops remembering texts;
        // the repeats after them must still get their own rows.
        let policy = RetryPolicy::default();
        let owned: Vec<String> = (0..SAMPLE + 300)
            .map(|i| match i % 3 {
                0 => format!("550 5.1.1 <u{i}@example.com>: user unknown"),
                1 => format!("451 4.7.1 greylisted {i}, try again in 5 minutes"),
                _ => format!("mailbox full {i}"),
            })
            .chain((0..300).map(|i| format!("550 5.1.1 <u{}@example.com>: user unknown", i * 3)))
            .collect();
        let texts: Vec<Option<&str>> = owned.iter().map(|t| Some(t.as_str())).collect();
        let rows = classify_seq(&texts, None, &policy);
        assert_eq!(rows.len(), texts.len());
        for (row, t) in rows.iter().zip(&texts) {
            assert_eq!(row, &classify_one(*t, None, &policy));
        }
    }

    #[test]
    fn equal_texts_share_a_row_wherever_they_are_stored() {
        let policy = RetryPolicy::default();
        // Equal bytes in separate allocations, the same slice twice, and a prefix of one.
        let (a, b) = (String::from("550 5.1.1 user unknown"), String::from("550 5.1.1 user unknown"));
        let texts = [Some(a.as_str()), Some(b.as_str()), Some(a.as_str()), Some(&a[..9]), Some(&b[..9])];
        let Indexed { rows, index } = classify_indexed(&texts, None, &policy, None);
        assert_eq!(index, [0, 0, 0, 1, 1]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], classify_one(Some("550 5.1.1"), None, &policy));
    }

    #[test]
    fn a_seed_is_shared_only_when_the_sample_repeats() {
        let policy = RetryPolicy::default();
        let lines = ["550 5.1.1 user unknown", "452 4.2.2 mailbox full", "garbage"];
        let owned: Vec<String> = (0..3 * SAMPLE).map(|i| lines[i % 3].to_string()).collect();
        let repeated: Vec<Option<&str>> = owned.iter().map(|t| Some(t.as_str())).chain([None]).collect();
        let seed = Seed::of(&repeated, None, &policy).expect("a repetitive sample");
        assert_eq!(seed.rows.len(), 3);
        // A chunk reuses the seeded rows: no new row for a text of the sample.
        let Indexed { rows, index } = classify_indexed(&repeated[..10], None, &policy, Some(&seed));
        assert_eq!(rows.len(), 3);
        assert_eq!(index, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
        let Indexed { rows, index } = classify_indexed(&repeated[repeated.len() - 2..], None, &policy, Some(&seed));
        assert_eq!((rows.len(), index), (4, vec![(3 * SAMPLE - 1) as u32 % 3, 3]));
        assert_eq!(rows[3].error, Some(RowError::Null));
        let unique: Vec<String> = (0..2 * SAMPLE).map(|i| format!("550 5.1.1 user {i} unknown")).collect();
        let unique: Vec<Option<&str>> = unique.iter().map(|t| Some(t.as_str())).collect();
        assert!(Seed::of(&unique, None, &policy).is_none());
        let Indexed { rows, index } = classify_indexed(&unique, None, &policy, None);
        assert_eq!(rows.len(), unique.len());
        assert!(index.iter().enumerate().all(|(i, &r)| r as usize == i));
    }

    proptest! {
        #[test]
        fn parallel_equals_sequential_and_keeps_order(texts in proptest::collection::vec(
            proptest::option::of(prop_oneof![
                Just("550 5.1.1 user unknown".to_string()),
                Just("451 4.7.1 greylisted, try again in 5 minutes".to_string()),
                "[ -~]{0,40}",
            ]), 0..40), reps in 1usize..300) {
            let policy = RetryPolicy::default();
            let many: Vec<Option<&str>> = (0..reps).flat_map(|_| texts.iter().map(|t| t.as_deref())).collect();
            let rows = classify_many(&many, None, &policy);
            prop_assert_eq!(rows.len(), many.len());
            for (row, t) in rows.iter().zip(&many) {
                prop_assert_eq!(row, &classify_one(*t, None, &policy));
            }
        }
    }
}
