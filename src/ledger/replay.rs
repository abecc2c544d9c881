//! The policy over a whole history at once: rows of events (from a log, a table, a frame) in,
//! one state per address out, folded in parallel by address.

use std::borrow::Cow;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use super::{
    AddressState, Fact, LedgerPolicy, fold_ids, normalize_address, order, read_action, read_bounce, read_kind,
    read_reason,
};

/// Columns of event rows, read by index. Strings are the values the ledger writes
/// ([`super::EventKind::value`], [`crate::Reason::value`], [`crate::Bounce::value`],
/// [`crate::Action::value`]); times are
/// microseconds since the epoch. `Sync`: rows are read from several threads.
pub trait Rows: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn address(&self, i: usize) -> Option<&str>;
    fn at(&self, i: usize) -> Option<i64>;
    fn kind(&self, i: usize) -> Option<&str>;
    /// The event's id; `None` names no event in particular (never taken for a repeat).
    fn id(&self, i: usize) -> Option<&str> {
        let _ = i;
        None
    }
    fn reason(&self, i: usize) -> Option<&str> {
        let _ = i;
        None
    }
    fn bounce(&self, i: usize) -> Option<&str> {
        let _ = i;
        None
    }
    fn action(&self, i: usize) -> Option<&str> {
        let _ = i;
        None
    }
    fn until(&self, i: usize) -> Option<i64> {
        let _ = i;
        None
    }
}

/// One address of a replay.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed<'a> {
    /// The address, normalized; for rows whose address is not one, the value as given.
    pub address: Cow<'a, str>,
    /// Its state at `now` (`None` when none of its rows could be read). Its `events` is left
    /// empty: the ids are [`Replayed::events`], borrowed from the rows.
    pub state: Option<AddressState>,
    /// Ids of the events behind the status ([`AddressState::events`]).
    pub events: Vec<&'a str>,
    /// Its rows in the input.
    pub rows: u32,
    /// The first row that could not be read, and why (`row 17: kind "bouncd" is not one of …`).
    pub error: Option<String>,
    /// Its first row's index, the order of the output.
    pub first_row: usize,
}

impl Replayed<'_> {
    /// The state with its event ids filled in, as [`super::address_state`] gives it.
    pub fn full_state(&self) -> Option<AddressState> {
        self.state.clone().map(|mut s| {
            s.events = self.events.iter().map(|i| i.to_string()).collect();
            s
        })
    }
}

struct Read<'a> {
    key: Cow<'a, str>,
    /// A hash of `key`: rows are spread over buckets and grouped by it.
    hash: u64,
    fact: Result<Fact<'a>, String>,
}

fn read_row<'a, R: Rows + ?Sized>(rows: &'a R, i: usize) -> Option<Read<'a>> {
    let raw = rows.address(i)?;
    let key = if is_plain(raw) {
        Cow::Borrowed(raw)
    } else {
        match normalize_address(raw) {
            Ok(a) => Cow::Owned(a),
            Err(e) => {
                return Some(Read {
                    hash: FxBuildHasher.hash_one(raw),
                    key: Cow::Borrowed(raw),
                    fact: Err(format!("row {i}: {e}")),
                });
            }
        }
    };
    Some(Read { hash: FxBuildHasher.hash_one(key.as_ref()), key, fact: fact(rows, i) })
}

/// An address already in the ledger's form: lower case, no spaces, brackets or controls, one
/// local part and domain (the common case, read without a copy).
fn is_plain(a: &str) -> bool {
    a.len() <= super::MAX_ADDRESS_BYTES
        && a.bytes().all(|b| b > b' ' && b < 0x7f && !b.is_ascii_uppercase() && b != b'<' && b != b'>')
        && a.rsplit_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty())
}

fn fact<'a, R: Rows + ?Sized>(rows: &'a R, i: usize) -> Result<Fact<'a>, String> {
    let row = |e: super::EventError| format!("row {i}: {e}");
    let given = |v: Option<&'a str>| v.filter(|x| !x.is_empty());
    let at = rows.at(i).ok_or_else(|| format!("row {i}: the time is missing"))?;
    let kind = read_kind(rows.kind(i).ok_or_else(|| format!("row {i}: the kind is missing"))?).map_err(row)?;
    let reason = match given(rows.reason(i)) {
        Some(r) => read_reason(r).map_err(row)?,
        None => kind.defaults().0,
    };
    let bounce = match given(rows.bounce(i)) {
        Some(b) => read_bounce(b).map_err(row)?,
        None => kind.usual_bounce(reason),
    };
    let action = given(rows.action(i)).map(read_action).transpose().map_err(row)?;
    Ok(Fact { id: rows.id(i).unwrap_or(""), at, kind, reason, bounce, action, until: rows.until(i) })
}

/// Buckets rows are spread over, by a hash of their address: enough for rayon to balance.
const BUCKETS: usize = 256;

/// Rows read per task of the first pass.
const CHUNK: usize = 1 << 14;

/// One row, read, in its bucket.
struct Entry<'a> {
    hash: u64,
    row: u32,
    read: Read<'a>,
}

/// Each address's state after its rows, at `now`: one [`Replayed`] per distinct address, in
/// the order of their first rows. Rows with no address at all are counted in a row whose
/// address is empty. Parallel over addresses; the result does not depend on the number of
/// threads or the order of the rows.
///
/// A hash aggregation in two passes, each parallel: chunks of rows are read and scattered into
/// buckets by the high bits of their address's hash; then each bucket is sorted by (hash, row),
/// so that an address's rows are a run of equal hashes (two addresses of one hash are told
/// apart by comparing them), and each run folded. Rows are touched in order, and no map or
/// vector is made per address.
pub fn replay<'a, R: Rows + ?Sized>(rows: &'a R, policy: &LedgerPolicy, now: i64) -> Vec<Replayed<'a>> {
    let n = rows.len();
    let chunks: Vec<(Vec<Vec<Entry<'a>>>, Vec<usize>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            // Sized for an even spread plus a margin, so that few buckets grow (and move).
            let len = ((c + 1) * CHUNK).min(n) - c * CHUNK;
            let room = len / BUCKETS + len / BUCKETS / 4 + 4;
            let mut buckets: Vec<Vec<Entry<'a>>> = (0..BUCKETS).map(|_| Vec::with_capacity(room)).collect();
            let mut missing = Vec::new();
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                match read_row(rows, i) {
                    Some(read) => {
                        let hash = read.hash;
                        buckets[(hash >> 56) as usize % BUCKETS].push(Entry { hash, row: i as u32, read });
                    }
                    None => missing.push(i),
                }
            }
            (buckets, missing)
        })
        .collect();
    let missing: Vec<usize> = chunks.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let mut per_bucket: Vec<Vec<Vec<Entry<'a>>>> = (0..BUCKETS).map(|_| Vec::with_capacity(chunks.len())).collect();
    for (buckets, _) in chunks {
        for (b, entries) in buckets.into_iter().enumerate() {
            per_bucket[b].push(entries);
        }
    }
    let mut out: Vec<Replayed<'a>> = per_bucket
        .into_par_iter()
        .flat_map_iter(|parts| {
            let mut bucket: Vec<Entry<'a>> = parts.into_iter().flatten().collect();
            bucket.sort_unstable_by_key(|e| (e.hash, e.row));
            let mut done = Vec::new();
            let mut facts: Vec<Fact<'_>> = Vec::new();
            let mut start = 0;
            while start < bucket.len() {
                let h = bucket[start].hash;
                let mut end = start + 1;
                while end < bucket.len() && bucket[end].hash == h {
                    end += 1;
                }
                let run = &bucket[start..end];
                let first = &run[0].read.key;
                if run[1..].iter().all(|e| e.read.key == *first) {
                    done.push(fold_group(run.iter(), first, &mut facts, policy, now));
                } else {
                    // Two addresses of one hash: each in turn, in the order of their first rows.
                    let mut keys: Vec<&Cow<'a, str>> = Vec::new();
                    for e in run {
                        if !keys.contains(&&e.read.key) {
                            keys.push(&e.read.key);
                        }
                    }
                    for k in keys {
                        done.push(fold_group(run.iter().filter(|e| e.read.key == *k), k, &mut facts, policy, now));
                    }
                }
                start = end;
            }
            done
        })
        .collect();
    if let Some(&first) = missing.first() {
        out.push(Replayed {
            address: Cow::Borrowed(""),
            state: None,
            events: Vec::new(),
            rows: missing.len() as u32,
            error: Some(format!("row {first}: the address is missing")),
            first_row: first,
        });
    }
    out.par_sort_unstable_by_key(|r| r.first_row);
    out
}

/// The state of one address from its entries (in input order).
fn fold_group<'a, 'e>(
    entries: impl Iterator<Item = &'e Entry<'a>>,
    address: &Cow<'a, str>,
    facts: &mut Vec<Fact<'a>>,
    policy: &LedgerPolicy,
    now: i64,
) -> Replayed<'a>
where
    'a: 'e,
{
    facts.clear();
    let mut error = None;
    let mut rows = 0u32;
    let mut first_row = usize::MAX;
    for e in entries {
        rows += 1;
        first_row = first_row.min(e.row as usize);
        match &e.read.fact {
            Ok(f) => facts.push(*f),
            Err(msg) => {
                error.get_or_insert_with(|| msg.clone());
            }
        }
    }
    let (state, events) = if facts.is_empty() {
        (None, Vec::new())
    } else {
        order(facts);
        let (s, ids) = fold_ids(facts, policy, now);
        (Some(s), ids)
    };
    Replayed { address: address.clone(), state, events, rows, error, first_row }
}

/// Rows held as vectors: for tests and Rust users with events in memory.
#[derive(Debug, Default, Clone)]
pub struct VecRows {
    pub address: Vec<Option<String>>,
    pub at: Vec<Option<i64>>,
    pub kind: Vec<Option<String>>,
    pub id: Vec<Option<String>>,
    pub reason: Vec<Option<String>>,
    pub bounce: Vec<Option<String>>,
    pub action: Vec<Option<String>>,
    pub until: Vec<Option<i64>>,
}

impl VecRows {
    /// Appends the row of `event`.
    pub fn push(&mut self, e: &super::Event) {
        self.address.push(Some(e.address.clone()));
        self.at.push(Some(e.at));
        self.kind.push(Some(e.kind.value().to_string()));
        self.id.push(Some(e.id.clone()));
        self.reason.push(Some(e.reason.value().to_string()));
        self.bounce.push(Some(e.bounce.value().to_string()));
        self.action.push(e.action.map(|a| a.value().to_string()));
        self.until.push(e.until);
    }
}

fn get<T>(v: &[Option<T>], i: usize) -> Option<&T> {
    v.get(i).and_then(Option::as_ref)
}

impl Rows for VecRows {
    fn len(&self) -> usize {
        self.address.len()
    }
    fn address(&self, i: usize) -> Option<&str> {
        get(&self.address, i).map(String::as_str)
    }
    fn at(&self, i: usize) -> Option<i64> {
        get(&self.at, i).copied()
    }
    fn kind(&self, i: usize) -> Option<&str> {
        get(&self.kind, i).map(String::as_str)
    }
    fn id(&self, i: usize) -> Option<&str> {
        get(&self.id, i).map(String::as_str)
    }
    fn reason(&self, i: usize) -> Option<&str> {
        get(&self.reason, i).map(String::as_str)
    }
    fn bounce(&self, i: usize) -> Option<&str> {
        get(&self.bounce, i).map(String::as_str)
    }
    fn action(&self, i: usize) -> Option<&str> {
        get(&self.action, i).map(String::as_str)
    }
    fn until(&self, i: usize) -> Option<i64> {
        get(&self.until, i).copied()
    }
}
