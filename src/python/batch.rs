//! The batch API's binding: `_classify` and `_parse_bounces` return `_Columns`, Arrow record
//! batches (one per chunk of input) that Python reads through `__arrow_c_stream__` or as lists.
//!
//! Inputs are borrowed, not copied: Python `str` objects through their cached UTF-8, Arrow
//! string arrays through their buffers. The work runs with the GIL released, chunks in parallel
//! (`crate::batch::map_chunks`), and every input gives its row(s) in order.

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, DurationSecondType, Int8Type, Int16Type, UInt16Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, PrimitiveArray, RecordBatch, StringArray, UInt32Array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyCapsule, PyDelta, PyFloat, PyList, PyString};

use super::arrow::{export_schema, export_stream, import_arrays, is_arrow};
use super::{PyRetryPolicy, guarded_detached, panic_error};
use crate::batch::{
    Indexed, PARALLEL_ABOVE, Row, RowError, SAMPLE, Seed, chunk_size, classify_indexed, from_reply, map_chunks,
    map_chunks_above,
};
use crate::bounce::BounceRecipient;
use crate::classify::{Bounce, Reason};
use crate::registry;
use crate::reply::ReplyKind;
use crate::retry::{Action, RetryPolicy, plan_outcome};

/// One input value.
enum In<'a> {
    Text(Cow<'a, str>),
    Null,
    NotText,
}

/// The fixed dictionaries of the enum columns: every value a column can take, in key order.
struct Dicts {
    kind: ArrayRef,
    bounce: ArrayRef,
    /// In the enum's declaration order, so a reason's key is its discriminant (as for
    /// `registry::reason`).
    reason: ArrayRef,
    action: ArrayRef,
    rule: ArrayRef,
    rule_key: FxHashMap<&'static str, i16>,
}

/// The fixed dictionary of the enum column `name`.
fn dictionary_of(name: &str) -> ArrayRef {
    let d = &*DICTS;
    Arc::clone(match name {
        "kind" => &d.kind,
        "bounce" => &d.bounce,
        "reason" => &d.reason,
        "action" => &d.action,
        _ => &d.rule,
    })
}

fn dict<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

const BOUNCES: [Bounce; 4] = [Bounce::Hard, Bounce::Soft, Bounce::None, Bounce::Unknown];
const ACTIONS: [Action; 6] =
    [Action::Delivered, Action::Retry, Action::Throttle, Action::GiveUp, Action::Suppress, Action::FixConfig];

static DICTS: LazyLock<Dicts> = LazyLock::new(|| {
    let rules = crate::classify::rule_ids();
    Dicts {
        // The registry's member names (`POSITIVE_COMPLETION`), as `Reply.to_dict()` gives them:
        // `ReplyKind[row["kind"]]` is the enum member either way.
        kind: dict(registry::KINDS.iter().map(|e| e.name)),
        bounce: dict(BOUNCES.iter().map(|b| super::bounce_value(*b))),
        reason: dict(Reason::all().map(Reason::value)),
        action: dict(ACTIONS.iter().map(|a| super::action_value(*a))),
        rule: dict(rules.iter().copied()),
        rule_key: rules.iter().enumerate().map(|(i, r)| (*r, i as i16)).collect(),
    }
});

fn dict8() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8))
}

/// The columns every row has, reply or recipient.
fn reply_fields() -> Vec<Field> {
    vec![
        Field::new("code", DataType::UInt16, true),
        Field::new("status", DataType::Utf8, true),
        Field::new("kind", dict8(), true),
        Field::new("bounce", dict8(), false),
        Field::new("reason", dict8(), false),
        Field::new("action", dict8(), true),
        Field::new("suppress", DataType::Boolean, true),
        Field::new("retry_delay", DataType::Duration(TimeUnit::Second), true),
        Field::new("rule", DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::Utf8)), true),
        Field::new("error", DataType::Utf8, true),
    ]
}

static CLASSIFY_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| Arc::new(Schema::new(reply_fields())));

static BOUNCE_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        Field::new("index", DataType::UInt32, false),
        Field::new("source", DataType::Utf8, true),
        Field::new("format", DataType::Utf8, true),
        Field::new("report_kind", DataType::Utf8, true),
        Field::new("recipient", DataType::Utf8, true),
        Field::new("dsn_action", DataType::Utf8, true),
    ];
    fields.extend(reply_fields());
    fields.push(Field::new("diagnostic", DataType::Utf8, true));
    // The ledger's event of the row (`crate::ledger::Event::from_bounce`): its id, kind, time
    // (null when the report gives none), receiving host and provider.
    fields.push(Field::new("event_id", DataType::Utf8, true));
    fields.push(Field::new("event_kind", DataType::Utf8, true));
    fields.push(Field::new("event_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true));
    fields.push(Field::new("remote_mta", DataType::Utf8, true));
    fields.push(Field::new("provider", DataType::Utf8, true));
    Arc::new(Schema::new(fields))
});

fn dict_column<K: arrow_array::types::ArrowDictionaryKeyType>(keys: PrimitiveArray<K>, values: &ArrayRef) -> ArrayRef {
    Arc::new(DictionaryArray::<K>::try_new(keys, Arc::clone(values)).expect("keys index the fixed dictionary"))
}

/// The validity bitmap of `n` values, the `i`th valid when `valid(i)`; `None` when all are.
fn validity(n: usize, valid: impl Fn(usize) -> bool) -> Option<NullBuffer> {
    let bits = BooleanBuffer::collect_bool(n, valid);
    (bits.count_set_bits() < n).then(|| NullBuffer::new(bits))
}

/// The validity of a gathered column: none when `column` has no nulls.
fn gathered_validity(column: &ArrayRef, index: &[u32]) -> Option<NullBuffer> {
    let nulls = column.nulls().filter(|n| n.null_count() > 0)?;
    validity(index.len(), |i| nulls.is_valid(index[i] as usize))
}

/// A primitive column of `n` values, the `i`th `value(i)`: gathered into one buffer (no
/// per-row builder calls), with a validity bitmap only when some value is null.
fn primitive<T: ArrowPrimitiveType>(n: usize, value: impl Fn(usize) -> Option<T::Native>) -> PrimitiveArray<T> {
    let data: Vec<T::Native> = (0..n).map(|i| value(i).unwrap_or_default()).collect();
    PrimitiveArray::new(ScalarBuffer::from(data), validity(n, |i| value(i).is_some()))
}

/// A string column of `n` values: the `i`th null unless `valid(i)`, else what `write(i, bytes)`
/// appends, which must be one whole `str` (nothing for a null).
fn strings(n: usize, valid: impl Fn(usize) -> bool, mut write: impl FnMut(usize, &mut Vec<u8>)) -> ArrayRef {
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0i32);
    let mut bytes: Vec<u8> = Vec::new();
    for i in 0..n {
        write(i, &mut bytes);
        // Chunks are far below Arrow's 2 GiB of Utf8 values.
        offsets.push(i32::try_from(bytes.len()).expect("a chunk's strings fit in 2 GiB"));
    }
    // SAFETY: the offsets start at 0 and never decrease, and the bytes are whole `str`s one
    // after another, so every slice between two offsets is valid UTF-8; there are n + 1
    // offsets and the validity bitmap has n bits. (`StringArray::new` checks exactly this by
    // validating all the bytes again: ~4 % of the time of a batch of repeated replies.)
    Arc::new(unsafe {
        StringArray::new_unchecked(OffsetBuffer::new_unchecked(offsets.into()), bytes.into(), validity(n, valid))
    })
}

/// The reply columns of `rows`, in [`reply_fields`] order.
fn reply_columns(rows: &[&Row]) -> Vec<ArrayRef> {
    let d = &*DICTS;
    let n = rows.len();
    let mut buf = [0; 13];
    let status = strings(
        n,
        |i| rows[i].status.is_some(),
        |i, out| {
            if let Some(s) = rows[i].status {
                out.extend_from_slice(s.write_into(&mut buf).as_bytes());
            }
        },
    );
    let error = strings(
        n,
        |i| rows[i].error.is_some(),
        |i, out| {
            if let Some(e) = &rows[i].error {
                out.extend_from_slice(e.message().as_bytes());
            }
        },
    );
    let suppressed = BooleanBuffer::collect_bool(n, |i| rows[i].suppress == Some(true));
    vec![
        Arc::new(primitive::<UInt16Type>(n, |i| rows[i].code)),
        status,
        dict_column::<Int8Type>(primitive::<Int8Type>(n, |i| rows[i].kind.map(kind_key)), &d.kind),
        dict_column::<Int8Type>(primitive::<Int8Type>(n, |i| Some(bounce_key(rows[i].bounce))), &d.bounce),
        dict_column::<Int8Type>(primitive::<Int8Type>(n, |i| Some(rows[i].reason as i8)), &d.reason),
        dict_column::<Int8Type>(primitive::<Int8Type>(n, |i| rows[i].action.map(action_key)), &d.action),
        Arc::new(BooleanArray::new(suppressed, validity(n, |i| rows[i].suppress.is_some()))),
        Arc::new(primitive::<DurationSecondType>(n, |i| {
            rows[i].retry_delay.map(|s| i64::try_from(s).unwrap_or(i64::MAX))
        })),
        dict_column::<Int16Type>(
            primitive::<Int16Type>(n, |i| rows[i].rule.and_then(|id| d.rule_key.get(id).copied())),
            &d.rule,
        ),
        error,
    ]
}

/// The column whose `i`th value is the `index[i]`th value of `column` (a column of the
/// distinct rows): a repeated reply's row is worked out once and copied a few bytes per column.
fn gather(column: &ArrayRef, index: &[u32]) -> ArrayRef {
    fn values<T: ArrowPrimitiveType>(
        c: &PrimitiveArray<T>,
        index: &[u32],
        nulls: Option<NullBuffer>,
    ) -> PrimitiveArray<T> {
        let data: Vec<T::Native> = index.iter().map(|&i| c.values()[i as usize]).collect();
        PrimitiveArray::new(ScalarBuffer::from(data), nulls)
    }
    let nulls = gathered_validity(column, index);
    match column.data_type() {
        DataType::UInt16 => Arc::new(values(column.as_primitive::<UInt16Type>(), index, nulls)),
        DataType::Duration(TimeUnit::Second) => {
            Arc::new(values(column.as_primitive::<DurationSecondType>(), index, nulls))
        }
        DataType::Boolean => {
            let c = column.as_boolean();
            Arc::new(BooleanArray::new(BooleanBuffer::collect_bool(index.len(), |i| c.value(index[i] as usize)), nulls))
        }
        DataType::Utf8 => {
            let c = column.as_string::<i32>();
            let source = column.nulls();
            let valid = |i: usize| source.is_none_or(|n| n.is_valid(index[i] as usize));
            strings(index.len(), valid, |i, out| {
                if valid(i) {
                    out.extend_from_slice(c.value(index[i] as usize).as_bytes());
                }
            })
        }
        DataType::Dictionary(key, _) if **key == DataType::Int8 => {
            let c = column.as_dictionary::<Int8Type>();
            dict_column::<Int8Type>(values(c.keys(), index, nulls), c.values())
        }
        _ => {
            let c = column.as_dictionary::<Int16Type>();
            dict_column::<Int16Type>(values(c.keys(), index, nulls), c.values())
        }
    }
}

fn kind_key(k: ReplyKind) -> i8 {
    registry::KINDS.iter().position(|e| e.digit == k as u16).unwrap_or(0) as i8
}

fn bounce_key(b: Bounce) -> i8 {
    BOUNCES.iter().position(|x| *x == b).unwrap_or(3) as i8
}

fn action_key(a: Action) -> i8 {
    ACTIONS.iter().position(|x| *x == a).unwrap_or(0) as i8
}

/// The texts of `items`, `None` for nulls and for what is not text.
fn texts_of<'a>(items: &'a [In<'_>]) -> Vec<Option<&'a str>> {
    items.iter().map(|i| if let In::Text(t) = i { Some(t.as_ref()) } else { None }).collect()
}

fn classify_chunk<'a>(
    items: &'a [In<'_>],
    command: Option<&str>,
    policy: &RetryPolicy,
    seed: Option<&Seed<'a>>,
) -> RecordBatch {
    let texts = texts_of(items);
    let Indexed { mut rows, mut index } = classify_indexed(&texts, command, policy, seed);
    // Inputs that are not text were read as nulls: they share a row of their own.
    let mut not_text = None;
    for (i, item) in index.iter_mut().zip(items) {
        if let In::NotText = item {
            *i = *not_text.get_or_insert_with(|| {
                rows.push(Row::unread(RowError::NotText));
                (rows.len() - 1) as u32
            });
        }
    }
    // All-distinct texts (lines with queue ids) point at rows in order: read them directly.
    let in_order = rows.len() == index.len() && index.iter().enumerate().all(|(i, &r)| r as usize == i);
    let distinct = reply_columns(&rows.iter().collect::<Vec<_>>());
    let columns = if in_order { distinct } else { distinct.iter().map(|c| gather(c, &index)).collect() };
    RecordBatch::try_new(Arc::clone(&CLASSIFY_SCHEMA), columns).expect("columns match the schema")
}

/// A `str`, borrowed as UTF-8 (lone surrogates replaced).
fn str_item<'a>(s: &'a Bound<'_, PyString>) -> In<'a> {
    In::Text(s.to_cow().unwrap_or_else(|_| Cow::Owned(s.to_string_lossy().into_owned())))
}

/// Reads a Python value: `str` borrowed, `bytes` decoded (invalid UTF-8 replaced), None / NaN /
/// pandas NA as null, anything else "not a string".
fn python_item<'a>(obj: &'a Bound<'_, PyAny>) -> In<'a> {
    // The common cases first, by type identity (no subclass checks): exact `str`, None.
    if let Ok(s) = obj.cast_exact::<PyString>() {
        str_item(s)
    } else if obj.is_none() {
        In::Null
    } else if let Ok(s) = obj.cast::<PyString>() {
        str_item(s)
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        In::Text(String::from_utf8_lossy(b.as_bytes()))
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        In::Text(Cow::Owned(String::from_utf8_lossy(&b.to_vec()).into_owned()))
    } else if obj.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
        || obj.get_type().name().is_ok_and(|n| n == "NAType" || n == "NaTType")
    {
        In::Null
    } else {
        In::NotText
    }
}

/// The items of `objects` ([`python_item`]).
fn python_items<'a>(objects: &'a [Bound<'_, PyAny>]) -> Vec<In<'a>> {
    objects.iter().map(python_item).collect()
}

/// The strings of Arrow arrays (utf8, large_utf8, utf8_view, binary kinds, dictionaries of
/// those, or all-null), one per row.
fn arrow_items(arrays: &[ArrayRef]) -> PyResult<Vec<Option<Cow<'_, str>>>> {
    let mut out = Vec::new();
    for a in arrays {
        strings_of(a.as_ref(), &mut out)?;
    }
    Ok(out)
}

pub(crate) fn strings_of<'a>(a: &'a dyn Array, out: &mut Vec<Option<Cow<'a, str>>>) -> PyResult<()> {
    match a.data_type() {
        DataType::Utf8 => out.extend(a.as_string::<i32>().iter().map(|o| o.map(Cow::Borrowed))),
        DataType::LargeUtf8 => out.extend(a.as_string::<i64>().iter().map(|o| o.map(Cow::Borrowed))),
        DataType::Utf8View => out.extend(a.as_string_view().iter().map(|o| o.map(Cow::Borrowed))),
        DataType::Binary => out.extend(a.as_binary::<i32>().iter().map(|o| o.map(String::from_utf8_lossy))),
        DataType::LargeBinary => out.extend(a.as_binary::<i64>().iter().map(|o| o.map(String::from_utf8_lossy))),
        DataType::BinaryView => out.extend(a.as_binary_view().iter().map(|o| o.map(String::from_utf8_lossy))),
        DataType::Null => out.extend(std::iter::repeat_n(None, a.len())),
        DataType::Dictionary(_, _) => {
            let dict = a.as_any_dictionary();
            let mut values = Vec::new();
            strings_of(dict.values().as_ref(), &mut values)?;
            let keys = dict.keys();
            for (i, k) in dict.normalized_keys().into_iter().enumerate() {
                out.push(if keys.is_null(i) { None } else { values.get(k).cloned().flatten() });
            }
        }
        other => {
            return Err(PyTypeError::new_err(format!(
                "classify() takes strings; this Arrow column holds {other} (cast it to string first)"
            )));
        }
    }
    Ok(())
}

/// `smtpcodes.classify`'s core: see `python/smtpcodes/batch.py`.
#[pyfunction]
#[pyo3(signature = (values, command=None, policy=None))]
pub fn _classify(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    command: Option<String>,
    policy: Option<PyRef<'_, PyRetryPolicy>>,
) -> PyResult<PyColumns> {
    let policy = policy.map(|p| p.inner).unwrap_or_default();
    let command = command.as_deref();
    let batches = if is_arrow(values) {
        let (_, arrays) = import_arrays(values)?;
        let items: Vec<In<'_>> = arrow_items(&arrays)?.into_iter().map(|c| c.map_or(In::Null, In::Text)).collect();
        run(py, &items, command, &policy)?
    } else {
        if let Ok(list) = values.cast::<PyList>() {
            run_objects(py, list.len(), list.iter(), command, &policy)?
        } else if values.is_instance_of::<PyString>() || values.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "classify() takes many replies (a list, an Arrow array, a pandas or polars Series); for one reply use parse()",
            ));
        } else {
            let objects: Vec<Bound<'_, PyAny>> = values.try_iter()?.collect::<PyResult<_>>()?;
            run_objects(py, objects.len(), objects.into_iter(), command, &policy)?
        }
    };
    Ok(PyColumns::new(Arc::clone(&CLASSIFY_SCHEMA), batches))
}

fn run(py: Python<'_>, items: &[In<'_>], command: Option<&str>, policy: &RetryPolicy) -> PyResult<Vec<RecordBatch>> {
    guarded_detached(py, || {
        let seed =
            if items.len() > PARALLEL_ABOVE { Seed::of(&texts_of(&items[..SAMPLE]), command, policy) } else { None };
        map_chunks(items, chunk_size(items.len()), |c| classify_chunk(c, command, policy, seed.as_ref()))
    })
}

/// [`run`] for the `n` Python objects of `source`, read a chunk at a time: each chunk is
/// classified on rayon's threads while this thread (which holds the GIL, needed to read
/// Python objects) reads the next. A list's strings are spread over memory and each first
/// look at one is a cache miss: for a million distinct `str` objects, reading them took as long
/// as classifying them, one after the other. Each object is looked at while it is still in the
/// cache from taking a reference to it. The thread stays attached until every object is read
/// (with the GIL nothing can change the list meanwhile; on free-threaded Python each item is
/// read under the list's critical section and a changed length is reported), then detaches
/// while the last chunks are waited for; the shared sample ([`Seed`]) is worked out by the
/// first chunk's thread.
fn run_objects<'py>(
    py: Python<'py>,
    n: usize,
    mut source: impl Iterator<Item = Bound<'py, PyAny>>,
    command: Option<&str>,
    policy: &RetryPolicy,
) -> PyResult<Vec<RecordBatch>> {
    if n <= PARALLEL_ABOVE {
        let objects: Vec<Bound<'py, PyAny>> = source.collect();
        return run(py, &python_items(&objects), command, policy);
    }
    let chunk = chunk_size(n);
    // One buffer each for the references and the items, filled a chunk at a time (buffers per
    // chunk made glibc return and re-map memory between calls: page faults, 7 % of the time).
    let mut objects: Vec<Option<Bound<'py, PyAny>>> = std::iter::repeat_with(|| None).take(n).collect();
    let mut items: Vec<In<'_>> = std::iter::repeat_with(|| In::Null).take(n).collect();
    let seed: std::sync::OnceLock<Option<Seed<'_>>> = std::sync::OnceLock::new();
    let mut read = 0;
    let done = rayon::in_place_scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut first: Option<&[In<'_>]> = None;
        for (k, (objs, part)) in objects.chunks_mut(chunk).zip(items.chunks_mut(chunk)).enumerate() {
            for slot in objs.iter_mut() {
                *slot = source.next();
                read += usize::from(slot.is_some());
            }
            let objs: &[Option<Bound<'py, PyAny>>] = objs;
            for (item, obj) in part.iter_mut().zip(objs) {
                if let Some(obj) = obj {
                    *item = python_item(obj);
                }
            }
            let part: &[In<'_>] = part;
            let first = *first.get_or_insert(part);
            let (tx, seed) = (tx.clone(), &seed);
            scope.spawn(move |_| {
                let batch = std::panic::catch_unwind(|| {
                    // Chunks are at least `CHUNK` > `SAMPLE` long.
                    let seed = seed.get_or_init(|| Seed::of(&texts_of(&first[..SAMPLE]), command, policy));
                    classify_chunk(part, command, policy, seed.as_ref())
                });
                // The receiver lives until every chunk has answered.
                let _ = tx.send((k, batch));
            });
        }
        drop(tx);
        py.detach(move || {
            let mut done: Vec<_> = rx.iter().collect();
            done.sort_unstable_by_key(|(k, _)| *k);
            done
        })
    });
    if read != n {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "classify() read {read} of the {n} values it was given (the list changed while it was read)"
        )));
    }
    done.into_iter().map(|(_, batch)| batch.map_err(|payload| panic_error(py, payload))).collect()
}

/// One email for `_parse_bounces`: its bytes, or a path to read.
enum Email<'a> {
    Bytes(&'a [u8]),
    Path(String),
    Neither,
}

/// `smtpcodes.parse_bounces`'s core: one row per recipient, with the input's index and source;
/// an input without recipients (unreadable, not a bounce) gives one row saying why.
#[pyfunction]
#[pyo3(signature = (items, policy=None))]
pub fn _parse_bounces(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    policy: Option<PyRef<'_, PyRetryPolicy>>,
) -> PyResult<PyColumns> {
    let policy = policy.map(|p| p.inner).unwrap_or_default();
    let objects: Vec<Bound<'_, PyAny>> = items.try_iter()?.collect::<PyResult<_>>()?;
    let os = py.import("os")?;
    let mut emails = Vec::with_capacity(objects.len());
    for obj in &objects {
        emails.push(if let Ok(b) = obj.cast::<PyBytes>() {
            Email::Bytes(b.as_bytes())
        } else if let Ok(s) = obj.cast::<PyString>() {
            // What os.fspath gives back for a str, without calling it (it runs under the GIL).
            s.to_str().map_or(Email::Neither, |p| Email::Path(p.to_owned()))
        } else if let Ok(path) = os.call_method1("fspath", (obj,)).and_then(|p| p.extract::<String>()) {
            Email::Path(path)
        } else {
            Email::Neither
        });
    }
    let indexed: Vec<(usize, &Email<'_>)> = emails.iter().enumerate().collect();
    let batches = guarded_detached(py, || map_chunks_above(&indexed, 8, 16, |c| bounce_chunk(c, &policy)))?;
    Ok(PyColumns::new(Arc::clone(&BOUNCE_SCHEMA), batches))
}

struct BounceRow {
    index: u32,
    source: Option<String>,
    format: Option<&'static str>,
    kind: Option<&'static str>,
    recipient: Option<String>,
    dsn_action: Option<String>,
    row: Row,
    diagnostic: Option<String>,
    event: Option<(crate::ledger::Event, Option<i64>)>,
}

fn bounce_chunk(items: &[(usize, &Email<'_>)], policy: &RetryPolicy) -> RecordBatch {
    let mut rows = Vec::new();
    for (index, email) in items {
        let index = u32::try_from(*index).unwrap_or(u32::MAX);
        let (source, read) = match email {
            Email::Bytes(b) => (None, Ok(Cow::Borrowed(*b))),
            Email::Path(p) => {
                (Some(p.clone()), std::fs::read(p).map(Cow::Owned).map_err(|e| format!("cannot read {p}: {e}")))
            }
            Email::Neither => (None, Err("not an email: expected bytes or a path".to_string())),
        };
        let failed = |error: String| BounceRow {
            index,
            source: source.clone(),
            format: None,
            kind: None,
            recipient: None,
            dsn_action: None,
            row: Row::unread(RowError::Parse(error.into())),
            diagnostic: None,
            event: None,
        };
        let raw = match read {
            Ok(raw) => raw,
            Err(e) => {
                rows.push(failed(e));
                continue;
            }
        };
        match crate::bounce::parse_bounce(&raw) {
            Ok(mut report) => {
                // A complaint that names nobody still gets its one row: a recipient with no
                // address, decided as the complaint it is.
                let named = !report.recipients.is_empty();
                if !named {
                    report.recipients.push(BounceRecipient::bare(String::new(), Reason::Feedback, Bounce::None));
                }
                let recipients = std::mem::take(&mut report.recipients);
                for r in recipients {
                    let row = match &r.reply {
                        Some(reply) => from_reply(reply, policy),
                        // No reply: the decision comes from the report (its Action, a complaint …).
                        None => {
                            let outcome = r.outcome(report.feedback_type.as_deref());
                            let p = plan_outcome(outcome, &r.verdict(), || None, 1, None, policy);
                            Row {
                                status: r.status,
                                bounce: r.bounce,
                                reason: r.reason,
                                action: Some(p.action),
                                suppress: Some(p.suppress),
                                retry_delay: p.delay,
                                error: None,
                                ..Row::unread(RowError::NotText)
                            }
                        }
                    };
                    let event = if named {
                        crate::ledger::Event::from_bounce(&report, &r, 0)
                            .ok()
                            .map(|e| (e, crate::ledger::bounce_time(&report, &r)))
                    } else {
                        None
                    };
                    rows.push(BounceRow {
                        event,
                        index,
                        source: source.clone(),
                        format: Some(report.format),
                        kind: Some(report.kind.value()),
                        recipient: named.then_some(r.address),
                        dsn_action: r.action,
                        // The report's own reason (it weighs the whole email) over the reply's alone.
                        row: Row { reason: r.reason, bounce: r.bounce, status: r.status.or(row.status), ..row },
                        diagnostic: r.diagnostic_text,
                    });
                }
            }
            Err(e) => rows.push(failed(e.to_string())),
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.index))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.source.as_deref()))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.format))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.kind))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.recipient.as_deref()))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.dsn_action.as_deref()))),
    ];
    columns.extend(reply_columns(&rows.iter().map(|r| &r.row).collect::<Vec<_>>()));
    columns.push(Arc::new(StringArray::from_iter(rows.iter().map(|r| r.diagnostic.as_deref()))));
    fn event(r: &BounceRow) -> Option<&crate::ledger::Event> {
        r.event.as_ref().map(|(e, _)| e)
    }
    columns.push(Arc::new(StringArray::from_iter(rows.iter().map(|r| event(r).map(|e| e.id.as_str())))));
    columns.push(Arc::new(StringArray::from_iter(rows.iter().map(|r| event(r).map(|e| e.kind.value())))));
    columns.push(Arc::new(
        arrow_array::TimestampMicrosecondArray::from_iter(
            rows.iter().map(|r| r.event.as_ref().and_then(|(_, at)| *at)),
        )
        .with_timezone("UTC"),
    ));
    columns.push(Arc::new(StringArray::from_iter(rows.iter().map(|r| event(r).and_then(|e| e.mx.as_deref())))));
    columns.push(Arc::new(StringArray::from_iter(rows.iter().map(|r| event(r).and_then(|e| e.provider)))));
    RecordBatch::try_new(Arc::clone(&BOUNCE_SCHEMA), columns).expect("columns match the schema")
}

/// Columns of a batch result: Arrow record batches, read through `__arrow_c_stream__` (no copy)
/// or column by column as Python lists. Wrapped by `smtpcodes.batch.ClassifyResult`.
#[pyclass(name = "_Columns", module = "smtpcodes._native", frozen)]
pub struct PyColumns {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    len: usize,
}

impl PyColumns {
    pub(crate) fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> PyColumns {
        let len = batches.iter().map(RecordBatch::num_rows).sum();
        PyColumns { schema, batches, len }
    }
    /// The record batches, in order.
    pub(crate) fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }
}

#[pymethods]
impl PyColumns {
    fn __len__(&self) -> usize {
        self.len
    }

    /// The column names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }

    /// The Arrow PyCapsule stream interface: pyarrow, polars, pandas and DuckDB read the
    /// columns without copying. `requested_schema` is ignored (allowed by the interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        export_stream(py, Arc::clone(&self.schema), self.batches.clone())
    }

    /// Columns from an Arrow stream of record batches (what `__arrow_c_stream__` gave out, e.g.
    /// after a round trip through pickle as a pyarrow table).
    #[staticmethod]
    fn _from_arrow(obj: &Bound<'_, PyAny>) -> PyResult<PyColumns> {
        let (data_type, arrays) = import_arrays(obj)?;
        let DataType::Struct(fields) = data_type else {
            return Err(PyTypeError::new_err(format!("expected a table (record batches), got {data_type}")));
        };
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let batches = arrays
            .iter()
            .map(|a| {
                let s = a.as_struct();
                RecordBatch::try_new(Arc::clone(&schema), s.columns().to_vec())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyTypeError::new_err(e.to_string()))?;
        Ok(PyColumns::new(schema, batches))
    }

    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        export_schema(py, &self.schema)
    }

    /// Every value a dictionary (enum) column can take, in key order; `None` for other columns.
    fn categories(&self, name: &str) -> PyResult<Option<Vec<String>>> {
        let Some((_, field)) = self.schema.column_with_name(name) else {
            return Err(PyKeyError::new_err(format!("no column {name:?}; columns: {}", self.names().join(", "))));
        };
        if !matches!(field.data_type(), DataType::Dictionary(_, _)) {
            return Ok(None);
        }
        // The dictionaries are fixed (`DICTS`), whatever the rows.
        let values = dictionary_of(name);
        Ok(Some(values.as_string::<i32>().iter().map(|v| v.unwrap_or_default().to_string()).collect()))
    }

    /// One column as a Python list (durations as `timedelta`): its first `limit` values, or all.
    #[pyo3(signature = (name, limit=None))]
    fn column<'py>(&self, py: Python<'py>, name: &str, limit: Option<usize>) -> PyResult<Bound<'py, PyList>> {
        let Some((i, _)) = self.schema.column_with_name(name) else {
            return Err(PyKeyError::new_err(format!("no column {name:?}; columns: {}", self.names().join(", "))));
        };
        let out = PyList::empty(py);
        let mut left = limit.unwrap_or(usize::MAX);
        for b in &self.batches {
            if left == 0 {
                break;
            }
            let column = b.column(i);
            let n = column.len().min(left);
            append_values(py, column.slice(0, n).as_ref(), &out)?;
            left -= n;
        }
        Ok(out)
    }
}

fn append_values<'py>(py: Python<'py>, a: &dyn Array, out: &Bound<'py, PyList>) -> PyResult<()> {
    match a.data_type() {
        DataType::UInt16 => {
            for v in a.as_primitive::<arrow_array::types::UInt16Type>() {
                out.append(v)?;
            }
        }
        DataType::UInt32 => {
            for v in a.as_primitive::<arrow_array::types::UInt32Type>() {
                out.append(v)?;
            }
        }
        DataType::Utf8 => {
            for v in a.as_string::<i32>() {
                out.append(v)?;
            }
        }
        DataType::Boolean => {
            for v in a.as_boolean() {
                out.append(v)?;
            }
        }
        DataType::Duration(TimeUnit::Second) => {
            for v in a.as_primitive::<arrow_array::types::DurationSecondType>() {
                match v {
                    Some(s) => out.append(PyDelta::new(py, 0, i32::try_from(s).unwrap_or(i32::MAX), 0, true)?)?,
                    None => out.append(py.None())?,
                }
            }
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            for v in a.as_primitive::<arrow_array::types::TimestampMicrosecondType>() {
                match v {
                    Some(us) => out.append(super::to_datetime(py, us)?)?,
                    None => out.append(py.None())?,
                }
            }
        }
        DataType::List(_) => {
            let lists = a.as_list::<i32>();
            for i in 0..lists.len() {
                if lists.is_null(i) {
                    out.append(py.None())?;
                } else {
                    let inner = PyList::empty(py);
                    append_values(py, lists.value(i).as_ref(), &inner)?;
                    out.append(inner)?;
                }
            }
        }
        DataType::Dictionary(_, _) => {
            // One Python string per dictionary value, shared by every row that has it.
            let dict = a.as_any_dictionary();
            let values = dict.values().as_string::<i32>();
            let strings: Vec<Bound<'py, PyString>> =
                values.iter().map(|v| PyString::intern(py, v.unwrap_or_default())).collect();
            let keys = dict.keys();
            for (i, k) in dict.normalized_keys().into_iter().enumerate() {
                if keys.is_null(i) {
                    out.append(py.None())?;
                } else {
                    out.append(strings.get(k).cloned())?;
                }
            }
        }
        other => return Err(PyTypeError::new_err(format!("column type {other} has no Python form"))),
    }
    Ok(())
}
