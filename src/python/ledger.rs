//! The ledger's model for Python: `Event`, `LedgerPolicy`, `AddressState`, `DestinationHealth`,
//! `address_state`, `destination_health`, `replay`, and the row functions the storage layer
//! (`python/smtpcodes/ledger.py`) calls. Conversions only; the policy is `crate::ledger`'s.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::arrow::import_arrays;
use super::batch::{PyColumns, strings_of};
use super::bounce::PyBounceReport;
use super::{
    PyReply, PyRetryDecision, PyRetryPolicy, enum_member, epoch, guarded, guarded_detached, html_view, py_action,
    py_bounce, py_reason, seconds, timedelta, to_datetime, utc_now,
};
use crate::classify::{Bounce, Reason};
use crate::ledger::replay::{Replayed, Rows, VecRows, replay};
use crate::ledger::{
    self, AddressState, AddressStatus, Advice, Cause, DestinationHealth, Event, EventKind, Fact, LedgerPolicy, MICROS,
    Source,
};
use crate::retry::{self, Action};

/// A Python tuple of values of different types (PyO3 converts Rust tuples of at most 12).
macro_rules! py_tuple {
    ($py:expr; $($v:expr),+ $(,)?) => {
        PyTuple::new($py, [$(($v).into_pyobject($py)?.into_any().unbind()),+])
    };
}

fn opt_datetime(py: Python<'_>, micros: Option<i64>) -> PyResult<Option<Bound<'_, PyAny>>> {
    micros.map(|m| to_datetime(py, m)).transpose()
}

/// Microseconds since the epoch of a `datetime` (naive ones are taken as UTC) or a number of
/// seconds since the epoch.
pub(crate) fn to_micros(value: &Bound<'_, PyAny>, field: &str) -> PyResult<i64> {
    let py = value.py();
    if value.hasattr("utcoffset")? && value.hasattr("hour")? {
        let aware = if value.call_method0("utcoffset")?.is_none() {
            let kw = PyDict::new(py);
            kw.set_item("tzinfo", py.import("datetime")?.getattr("timezone")?.getattr("utc")?)?;
            value.call_method("replace", (), Some(&kw))?
        } else {
            value.clone()
        };
        let delta = aware.call_method1("__sub__", (epoch(py)?,))?;
        let days: i64 = delta.getattr("days")?.extract()?;
        let secs: i64 = delta.getattr("seconds")?.extract()?;
        let us: i64 = delta.getattr("microseconds")?.extract()?;
        return Ok(days * 86_400 * MICROS + secs * MICROS + us);
    }
    if value.hasattr("year")? {
        return Err(PyTypeError::new_err(format!("{field} must be a datetime (a date has no time of day)")));
    }
    let secs: f64 = value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{field} must be a datetime or seconds since the epoch")))?;
    if !secs.is_finite() || secs.abs() > 1e14 {
        return Err(PyValueError::new_err(format!("{field} must be a finite time, got {secs}")));
    }
    Ok((secs * MICROS as f64).round() as i64)
}

/// `now` as microseconds: the given time, else the current one.
fn now_micros(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    match now {
        Some(n) if !n.is_none() => to_micros(n, "now"),
        _ => to_micros(&utc_now(py)?, "now"),
    }
}

fn value_error<E: std::fmt::Display>(e: E) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn kind_of(value: &str) -> PyResult<EventKind> {
    ledger::read_kind(value).map_err(value_error)
}

fn reason_of(value: &str) -> PyResult<Reason> {
    ledger::read_reason(value).map_err(value_error)
}

fn bounce_of(value: &str) -> PyResult<Bounce> {
    ledger::read_bounce(value).map_err(value_error)
}

fn action_of(value: &str) -> PyResult<Action> {
    ledger::read_action(value).map_err(value_error)
}

fn source_of(value: &str) -> PyResult<Source> {
    ledger::read_source(value).map_err(value_error)
}

// ---------------------------------------------------------------------------------------------
// Event

/// One thing that happened to one address at one time: a delivery, a deferral, a bounce, a
/// complaint, an unsubscribe, a manual suppression or a release. Frozen, hashable, picklable.
///
/// ``id`` identifies it: recording an event twice counts once. Without one, the id is a hash of
/// the event's content. ``Event.from_reply``, ``Event.from_bounce`` and ``Event.from_webhook``
/// make events from what smtpcodes reads.
///
/// >>> import smtpcodes as sc
/// >>> e = sc.Event("Bob@Example.com", "bounced", 1796601600, reason="userunknown")
/// >>> e.address, e.kind, e.bounce, e.at.isoformat()
/// ('bob@example.com', <EventKind.BOUNCED: 'bounced'>, <Bounce.HARD: 'hard'>, '2026-12-07T00:00:00+00:00')
#[pyclass(frozen, eq, hash, module = "smtpcodes", name = "Event")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyEvent {
    pub(crate) inner: Event,
}

impl PyEvent {
    /// The event as the storage layer's row: id, address, at, kind, reason, bounce, action,
    /// source, domain, mx, provider, detail, until.
    pub(crate) fn row<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let e = &self.inner;
        py_tuple![py;
            &e.id,
            &e.address,
            e.at,
            e.kind.value(),
            e.reason.value(),
            e.bounce.value(),
            e.action.map(Action::value),
            e.source.value(),
            ledger::domain_of(&e.address),
            &e.mx,
            e.provider,
            &e.detail,
            e.until,
        ]
    }
}

#[pymethods]
impl PyEvent {
    #[new]
    #[pyo3(signature = (address, kind, at=None, *, id=None, reason=None, bounce=None, action=None, source="manual", mx=None, detail=None, until=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        address: &str,
        kind: &str,
        at: Option<&Bound<'_, PyAny>>,
        id: Option<String>,
        reason: Option<&str>,
        bounce: Option<&str>,
        action: Option<&str>,
        source: &str,
        mx: Option<&str>,
        detail: Option<String>,
        until: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let kind = kind_of(kind)?;
        let at = now_micros(py, at)?;
        let mut e = Event::blank(address, at, kind, source_of(source)?).map_err(value_error)?;
        if let Some(r) = reason {
            e.reason = reason_of(r)?;
        }
        e.bounce = match bounce {
            Some(b) => bounce_of(b)?,
            None => kind.usual_bounce(e.reason),
        };
        e.action = action.map(action_of).transpose()?;
        e.detail = detail;
        e.until = until.filter(|u| !u.is_none()).map(|u| to_micros(u, "until")).transpose()?;
        let text = e.detail.clone();
        e = e.with_destination(mx, text.as_deref());
        e.id = match id {
            Some(id) if !id.is_empty() => id,
            Some(_) => return Err(PyValueError::new_err("id must not be empty (leave it out for a content hash)")),
            None => e.content_id(),
        };
        Ok(PyEvent { inner: e })
    }

    /// The event a reply makes for ``address`` at ``at`` (default: now), with the decision
    /// taken on it (``decision``, else ``smtpcodes.decide(reply, attempt, policy=policy)``).
    ///
    /// >>> import smtpcodes as sc
    /// >>> r = sc.parse("452 4.2.2 Mailbox full")
    /// >>> e = sc.Event.from_reply(r, "bob@example.com", 1796601600)
    /// >>> e.kind, e.reason, e.action
    /// (<EventKind.DEFERRED: 'deferred'>, <Reason.MAILBOX_FULL: 'mailboxfull'>, <Action.RETRY: 'retry'>)
    #[staticmethod]
    #[pyo3(signature = (reply, address, at=None, *, decision=None, attempt=1, policy=None))]
    fn from_reply(
        py: Python<'_>,
        reply: PyRef<'_, PyReply>,
        address: &str,
        at: Option<&Bound<'_, PyAny>>,
        decision: Option<PyRef<'_, PyRetryDecision>>,
        attempt: u32,
        policy: Option<PyRef<'_, PyRetryPolicy>>,
    ) -> PyResult<Self> {
        let at = now_micros(py, at)?;
        let decision = match decision {
            Some(d) => d.decision.clone(),
            None => {
                let policy = policy.map(|p| p.inner).unwrap_or_default();
                let r = &reply.inner;
                guarded(py, || retry::decide(r, attempt.max(1), None, &policy))?
            }
        };
        Event::from_reply(address, at, &reply.inner, &decision).map(|inner| PyEvent { inner }).map_err(value_error)
    }

    /// The events of a bounce report, one per recipient with an address, at the time the
    /// report gives (``Last-Attempt-Date``, ``Arrival-Date``), else ``at`` (default: now).
    #[staticmethod]
    #[pyo3(signature = (report, at=None))]
    fn from_bounce(
        py: Python<'_>,
        report: PyRef<'_, PyBounceReport>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Self>> {
        let at = now_micros(py, at)?;
        let r = &report.inner;
        r.recipients
            .iter()
            .filter(|x| !x.address.trim().is_empty())
            .map(|x| Event::from_bounce(r, x, at).map(|inner| PyEvent { inner }).map_err(value_error))
            .collect()
    }

    /// The event of a webhook's ``BounceEvent`` (``smtpcodes.webhooks.parse``), at its
    /// ``timestamp``, else ``at`` (default: now), with the provider's event id; ``None`` for
    /// events that say nothing about deliveries (opens, clicks) or name no recipient. An
    /// unsubscribe (SendGrid ``unsubscribe``, Mailgun ``unsubscribed``, Postmark
    /// ``SubscriptionChange``, SparkPost ``list_unsubscribe``) is ``unsubscribed``.
    #[staticmethod]
    #[pyo3(signature = (event, at=None))]
    fn from_webhook(py: Python<'_>, event: &Bound<'_, PyAny>, at: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Self>> {
        let at = now_micros(py, at)?;
        let name: String = event.getattr("event")?.extract()?;
        let kind = crate::webhooks::EventKind::from_value(&name)
            .ok_or_else(|| PyValueError::new_err(format!("not a webhook event kind: {name:?}")))?;
        let id: Option<String> = event.getattr("id")?.extract()?;
        let Some(recipient) = event.getattr("recipient")?.extract::<Option<String>>()? else { return Ok(None) };
        let timestamp = event.getattr("timestamp")?;
        let when = if timestamp.is_none() { at } else { to_micros(&timestamp, "timestamp")? };
        let reply = event.getattr("reply")?;
        let reply = if reply.is_none() { None } else { Some(reply.cast_into::<PyReply>()?.get().inner.clone()) };
        let reason: String = event.getattr("reason")?.getattr("value")?.extract()?;
        let bounce: String = event.getattr("bounce")?.getattr("value")?.extract()?;
        let decision = event.getattr("decision")?;
        let decision = if decision.is_none() {
            None
        } else {
            let d = decision.cast_into::<PyRetryDecision>()?;
            Some((d.get().decision.action, d.get().decision.delay.is_some()))
        };
        let raw = super::webhooks::to_json(&event.getattr("raw")?, 0)?.unwrap_or(serde_json::Value::Null);
        let parts = ledger::WebhookParts {
            kind,
            id: id.as_deref(),
            recipient: &recipient,
            at: when,
            reply: reply.as_ref(),
            reason: reason_of(&reason)?,
            bounce: bounce_of(&bounce)?,
            decision,
            unsubscribed: crate::webhooks::unsubscribes(&raw),
        };
        Event::from_webhook_parts(&parts).transpose().map(|e| e.map(|inner| PyEvent { inner })).map_err(value_error)
    }

    /// Rebuilds an event from its storage row (``_row()``), without checks: for the storage
    /// layer and pickling.
    #[staticmethod]
    fn _from_row(row: &Bound<'_, PyTuple>) -> PyResult<Self> {
        if row.len() != 13 {
            return Err(PyValueError::new_err(format!("an event row has 13 fields, not {}", row.len())));
        }
        let id: String = row.get_item(0)?.extract()?;
        let address: String = row.get_item(1)?.extract()?;
        let at: i64 = row.get_item(2)?.extract()?;
        let kind: String = row.get_item(3)?.extract()?;
        let reason: String = row.get_item(4)?.extract()?;
        let bounce: String = row.get_item(5)?.extract()?;
        let action: Option<String> = row.get_item(6)?.extract()?;
        let source: String = row.get_item(7)?.extract()?;
        let mx: Option<String> = row.get_item(9)?.extract()?;
        let provider: Option<String> = row.get_item(10)?.extract()?;
        let detail: Option<String> = row.get_item(11)?.extract()?;
        let until: Option<i64> = row.get_item(12)?.extract()?;
        Ok(PyEvent {
            inner: Event {
                id,
                address,
                at,
                kind: kind_of(&kind)?,
                reason: reason_of(&reason)?,
                bounce: bounce_of(&bounce)?,
                action: action.as_deref().map(action_of).transpose()?,
                source: source_of(&source)?,
                mx,
                provider: provider.as_deref().and_then(ledger::provider::by_id).map(|p| p.id),
                detail,
                until,
            },
        })
    }

    /// The storage row: ``(id, address, at, kind, reason, bounce, action, source, domain, mx,
    /// provider, detail, until)``, times in microseconds since the epoch.
    fn _row<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.row(py)
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The address in the ledger's form (trimmed, lower case).
    #[getter]
    fn address(&self) -> &str {
        &self.inner.address
    }
    /// The address's domain.
    #[getter]
    fn domain(&self) -> &str {
        ledger::domain_of(&self.inner.address)
    }
    /// When it happened (aware, UTC).
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.at)
    }
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "EventKind", self.inner.kind.value())
    }
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_reason(py, self.inner.reason.entry().name)
    }
    #[getter]
    fn bounce<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_bounce(py, &self.inner.bounce.value().to_uppercase())
    }
    /// The decision's action, when a decision was made.
    #[getter]
    fn action<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.action.map(|a| py_action(py, &a.value().to_uppercase())).transpose()
    }
    #[getter]
    fn source<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "EventSource", self.inner.source.value())
    }
    /// The receiving host, when known.
    #[getter]
    fn mx(&self) -> Option<&str> {
        self.inner.mx.as_deref()
    }
    /// The provider behind the destination (``google``, ``microsoft`` … of data/providers.toml).
    #[getter]
    fn provider(&self) -> Option<&str> {
        self.inner.provider
    }
    /// What the server said, or a person's note.
    #[getter]
    fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }
    /// When a manual suppression ends.
    #[getter]
    fn until<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.inner.until)
    }
    /// An HTML table for Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        html_view(slf.as_any(), "event")
    }
    /// A JSON-ready dict (times as ISO 8601 strings).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let e = &self.inner;
        let d = PyDict::new(py);
        let iso = |t: i64| to_datetime(py, t).and_then(|x| x.call_method0("isoformat"));
        d.set_item("id", &e.id)?;
        d.set_item("address", &e.address)?;
        d.set_item("at", iso(e.at)?)?;
        d.set_item("kind", e.kind.value())?;
        d.set_item("reason", e.reason.value())?;
        d.set_item("bounce", e.bounce.value())?;
        d.set_item("action", e.action.map(Action::value))?;
        d.set_item("source", e.source.value())?;
        d.set_item("domain", ledger::domain_of(&e.address))?;
        d.set_item("mx", &e.mx)?;
        d.set_item("provider", e.provider)?;
        d.set_item("detail", &e.detail)?;
        d.set_item("until", e.until.map(iso).transpose()?)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let e = &self.inner;
        format!(
            "Event({:?}, {:?}, {}, reason={:?}, id={:?})",
            e.address,
            e.kind.value(),
            ledger::format_time(e.at),
            e.reason.value(),
            e.id
        )
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyTuple>,))> {
        Ok((slf.get_type().getattr("_from_row")?, (slf.get().row(slf.py())?,)))
    }
}

// ---------------------------------------------------------------------------------------------
// LedgerPolicy

/// How the ledger turns events into decisions. Frozen, hashable, picklable; durations are
/// ``timedelta`` (numbers are seconds), shares are fractions (``0.3`` is 30 %). Every default
/// says where it comes from (see the field docs).
///
/// >>> import smtpcodes as sc
/// >>> p = sc.LedgerPolicy(soft_bounce_limit=5)
/// >>> p.soft_bounce_limit, p.soft_bounce_span.days, p.hard_bounce_ttl, p.deferred_share
/// (5, 5, None, 0.3)
#[pyclass(frozen, eq, hash, module = "smtpcodes", name = "LedgerPolicy")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PyLedgerPolicy {
    pub(crate) inner: LedgerPolicy,
}

fn share_of(v: f64, field: &str) -> PyResult<u16> {
    if !(0.0..=1.0).contains(&v) {
        return Err(PyValueError::new_err(format!("{field} must be a fraction from 0 to 1, got {v}")));
    }
    Ok((v * 1000.0).round() as u16)
}

fn ttl_of(v: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<u64>> {
    match v {
        Some(v) if !v.is_none() => Ok(Some(seconds(v, field)?)),
        _ => Ok(None),
    }
}

#[pymethods]
impl PyLedgerPolicy {
    #[new]
    #[pyo3(signature = (*, hard_bounce_suppresses=true, complaint_suppresses=true, soft_bounce_limit=7, soft_bounce_span=None, retry=None, hard_bounce_ttl=None, soft_bounce_ttl=None, complaint_ttl=None, window=None, min_attempts=20, throttle_share=0.1, deferred_share=0.3, stop_share=0.5, quiet_period=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        hard_bounce_suppresses: bool,
        complaint_suppresses: bool,
        soft_bounce_limit: u32,
        soft_bounce_span: Option<&Bound<'_, PyAny>>,
        retry: Option<PyRef<'_, PyRetryPolicy>>,
        hard_bounce_ttl: Option<&Bound<'_, PyAny>>,
        soft_bounce_ttl: Option<&Bound<'_, PyAny>>,
        complaint_ttl: Option<&Bound<'_, PyAny>>,
        window: Option<&Bound<'_, PyAny>>,
        min_attempts: u32,
        throttle_share: f64,
        deferred_share: f64,
        stop_share: f64,
        quiet_period: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let d = LedgerPolicy::default();
        if soft_bounce_limit == 0 {
            return Err(PyValueError::new_err("soft_bounce_limit must be at least 1"));
        }
        let window = match window {
            Some(w) => seconds(w, "window")?,
            None => d.window,
        };
        if window == 0 {
            return Err(PyValueError::new_err("window must be longer than 0 seconds"));
        }
        Ok(PyLedgerPolicy {
            inner: LedgerPolicy {
                hard_bounce_suppresses,
                complaint_suppresses,
                soft_bounce_limit,
                soft_bounce_span: soft_bounce_span
                    .map(|v| seconds(v, "soft_bounce_span"))
                    .transpose()?
                    .unwrap_or(d.soft_bounce_span),
                retry: retry.map(|r| r.inner).unwrap_or(d.retry),
                hard_bounce_ttl: ttl_of(hard_bounce_ttl, "hard_bounce_ttl")?,
                soft_bounce_ttl: ttl_of(soft_bounce_ttl, "soft_bounce_ttl")?,
                complaint_ttl: ttl_of(complaint_ttl, "complaint_ttl")?,
                window,
                min_attempts,
                throttle_share: share_of(throttle_share, "throttle_share")?,
                deferred_share: share_of(deferred_share, "deferred_share")?,
                stop_share: share_of(stop_share, "stop_share")?,
                quiet_period: quiet_period.map(|v| seconds(v, "quiet_period")).transpose()?.unwrap_or(d.quiet_period),
            },
        })
    }
    /// A hard bounce suppresses at once (SES, SendGrid, Mailgun, Postmark, Mailchimp do).
    #[getter]
    fn hard_bounce_suppresses(&self) -> bool {
        self.inner.hard_bounce_suppresses
    }
    /// A complaint suppresses at once (M3AAWG feedback-loop practice).
    #[getter]
    fn complaint_suppresses(&self) -> bool {
        self.inner.complaint_suppresses
    }
    /// Soft bounces that suppress (7: Mailchimp's count before it cleans an address).
    #[getter]
    fn soft_bounce_limit(&self) -> u32 {
        self.inner.soft_bounce_limit
    }
    /// The least time those soft bounces must span (5 days: Postfix ``maximal_queue_lifetime``).
    #[getter]
    fn soft_bounce_span<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.soft_bounce_span)
    }
    /// The retry policy whose limits the ledger shares (``suppress_full_after``, ``throttle_delay``).
    #[getter]
    fn retry(&self) -> PyRetryPolicy {
        PyRetryPolicy { inner: self.inner.retry }
    }
    /// How long a hard-bounce suppression lasts (``None``: until released, as SES and Postmark keep them).
    #[getter]
    fn hard_bounce_ttl<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.hard_bounce_ttl.map(|s| timedelta(py, s)).transpose()
    }
    /// How long a soft-bounce or full-mailbox suppression lasts (``None``: until released).
    #[getter]
    fn soft_bounce_ttl<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.soft_bounce_ttl.map(|s| timedelta(py, s)).transpose()
    }
    /// How long a complaint suppression lasts (``None``: until released).
    #[getter]
    fn complaint_ttl<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.complaint_ttl.map(|s| timedelta(py, s)).transpose()
    }
    /// The sliding window of destination health (1 hour).
    #[getter]
    fn window<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.window)
    }
    /// The fewest attempts in the window before a destination is judged (20).
    #[getter]
    fn min_attempts(&self) -> u32 {
        self.inner.min_attempts
    }
    /// Slow down when this share of attempts was rate-limited (0.1).
    #[getter]
    fn throttle_share(&self) -> f64 {
        f64::from(self.inner.throttle_share) / 1000.0
    }
    /// Slow down when this share of attempts was deferred (0.3).
    #[getter]
    fn deferred_share(&self) -> f64 {
        f64::from(self.inner.deferred_share) / 1000.0
    }
    /// Stop when this share of attempts was blocked or refused by policy (0.5).
    #[getter]
    fn stop_share(&self) -> f64 {
        f64::from(self.inner.stop_share) / 1000.0
    }
    /// After a stop, how long the destination must be quiet (1 hour).
    #[getter]
    fn quiet_period<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.quiet_period)
    }
    fn __repr__(&self) -> String {
        let p = &self.inner;
        let ttl = |t: Option<u64>| t.map_or("None".to_string(), |s| format!("{s}s"));
        format!(
            "LedgerPolicy(soft_bounce_limit={}, soft_bounce_span={}s, hard_bounce_ttl={}, soft_bounce_ttl={}, complaint_ttl={}, window={}s, min_attempts={}, throttle_share={}, deferred_share={}, stop_share={})",
            p.soft_bounce_limit,
            p.soft_bounce_span,
            ttl(p.hard_bounce_ttl),
            ttl(p.soft_bounce_ttl),
            ttl(p.complaint_ttl),
            p.window,
            p.min_attempts,
            self.throttle_share(),
            self.deferred_share(),
            self.stop_share()
        )
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduce<'py>> {
        let py = slf.py();
        let p = slf.get().inner;
        let kw = PyDict::new(py);
        kw.set_item("hard_bounce_suppresses", p.hard_bounce_suppresses)?;
        kw.set_item("complaint_suppresses", p.complaint_suppresses)?;
        kw.set_item("soft_bounce_limit", p.soft_bounce_limit)?;
        kw.set_item("soft_bounce_span", p.soft_bounce_span)?;
        kw.set_item("retry", Py::new(py, PyRetryPolicy { inner: p.retry })?)?;
        kw.set_item("hard_bounce_ttl", p.hard_bounce_ttl)?;
        kw.set_item("soft_bounce_ttl", p.soft_bounce_ttl)?;
        kw.set_item("complaint_ttl", p.complaint_ttl)?;
        kw.set_item("window", p.window)?;
        kw.set_item("min_attempts", p.min_attempts)?;
        kw.set_item("throttle_share", f64::from(p.throttle_share) / 1000.0)?;
        kw.set_item("deferred_share", f64::from(p.deferred_share) / 1000.0)?;
        kw.set_item("stop_share", f64::from(p.stop_share) / 1000.0)?;
        kw.set_item("quiet_period", p.quiet_period)?;
        Ok((py.import("smtpcodes._types")?.getattr("_construct")?, (slf.get_type().into_any(), kw)))
    }
}

/// `(constructor, (class, keyword arguments))`: what `__reduce__` of a keyword-only class gives.
type Reduce<'py> = (Bound<'py, PyAny>, (Bound<'py, PyAny>, Bound<'py, PyDict>));

fn policy_or_default(policy: Option<PyRef<'_, PyLedgerPolicy>>) -> LedgerPolicy {
    policy.map(|p| p.inner).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// AddressState

/// Where an address stands after its events: ``status`` (``AddressStatus``), ``can_send``,
/// ``cause`` and ``reason`` of a suppression, ``since``/``until``, the soft-bounce count and
/// window, and the ``events`` (ids) behind it. ``explanation`` says it in one sentence.
#[pyclass(frozen, module = "smtpcodes", name = "AddressState")]
pub struct PyAddressState {
    address: String,
    state: AddressState,
    explanation: String,
}

#[pymethods]
impl PyAddressState {
    #[getter]
    fn address(&self) -> &str {
        &self.address
    }
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "AddressStatus", self.state.status.value())
    }
    /// May the address be mailed?
    #[getter]
    fn can_send(&self) -> bool {
        self.state.can_send()
    }
    /// Why it is suppressed (``SuppressionCause``), else ``None``.
    #[getter]
    fn cause<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.state.cause.map(|c| enum_member(py, "SuppressionCause", c.value())).transpose()
    }
    /// The reason of the suppressing event, or of the last soft bounce.
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.state.reason.map(|r| py_reason(py, r.entry().name)).transpose()
    }
    #[getter]
    fn since<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.since)
    }
    #[getter]
    fn until<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.until)
    }
    #[getter]
    fn soft_count(&self) -> u32 {
        self.state.soft_count
    }
    #[getter]
    fn soft_first<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.soft_first)
    }
    #[getter]
    fn soft_last<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.soft_last)
    }
    #[getter]
    fn last_delivered<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.last_delivered)
    }
    #[getter]
    fn last_event<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.last_event)
    }
    /// When a suppression ended by its time (the address is active again).
    #[getter]
    fn expired<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.expired)
    }
    /// When a suppression was last lifted by a release.
    #[getter]
    fn released<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.state.released)
    }
    #[getter]
    fn event_count(&self) -> u32 {
        self.state.event_count
    }
    /// Ids of the events behind the status.
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.state.events)
    }
    #[getter]
    fn explanation(&self) -> &str {
        &self.explanation
    }
    /// An HTML table for Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        html_view(slf.as_any(), "address_state")
    }
    /// The storage layer's row (see ``_fold_rows``).
    fn _row<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        state_row(py, &self.address, &self.state, &self.explanation)
    }
    fn __repr__(&self) -> String {
        format!("<AddressState {} {}: {}>", self.address, self.state.status.value(), self.explanation)
    }
}

/// The storage layer's state row: address, status, cause, reason, since, until, soft_count,
/// soft_first, soft_last, last_delivered, last_event, event_count, events (a JSON array of
/// ids), explanation, expired.
fn state_row<'py>(
    py: Python<'py>,
    address: &str,
    s: &AddressState,
    explanation: &str,
) -> PyResult<Bound<'py, PyTuple>> {
    py_tuple![py;
        address.to_string(),
        s.status.value(),
        s.cause.map(Cause::value),
        s.reason.map(Reason::value),
        s.since,
        s.until,
        s.soft_count,
        s.soft_first,
        s.soft_last,
        s.last_delivered,
        s.last_event,
        s.event_count,
        serde_json::to_string(&s.events).unwrap_or_else(|_| "[]".into()),
        explanation.to_string(),
        s.expired,
    ]
}

/// The facts of events given as Python `Event`s, checked to be of one address.
fn events_of(events: &Bound<'_, PyAny>) -> PyResult<Vec<Event>> {
    let mut out = Vec::new();
    for item in events.try_iter()? {
        let item = item?;
        let e = item.cast::<PyEvent>().map_err(|_| PyTypeError::new_err("expected smtpcodes.Event objects"))?;
        out.push(e.get().inner.clone());
    }
    Ok(out)
}

/// The state of an address after its events (in any order; an event recorded twice counts
/// once), at ``now`` (default: the current time).
///
/// >>> import smtpcodes as sc
/// >>> days = [1796601600 + d * 86400 for d in range(8)]
/// >>> events = [sc.Event("bob@example.com", "bounced", t, bounce="soft") for t in days]
/// >>> s = sc.address_state(events, now=days[-1])
/// >>> s.status, s.cause, s.soft_count, s.can_send
/// (<AddressStatus.SUPPRESSED: 'suppressed'>, <SuppressionCause.SOFT_BOUNCES: 'soft-bounces'>, 7, False)
#[pyfunction]
#[pyo3(signature = (events, policy=None, now=None))]
pub fn address_state(
    py: Python<'_>,
    events: &Bound<'_, PyAny>,
    policy: Option<PyRef<'_, PyLedgerPolicy>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyAddressState> {
    let policy = policy_or_default(policy);
    let now = now_micros(py, now)?;
    let events = events_of(events)?;
    let address = events.first().map(|e| e.address.clone()).unwrap_or_default();
    if let Some(other) = events.iter().find(|e| e.address != address) {
        return Err(PyValueError::new_err(format!(
            "address_state() takes the events of one address; got {address:?} and {:?}",
            other.address
        )));
    }
    let (state, explanation) = guarded(py, || {
        let facts: Vec<Fact<'_>> = events.iter().map(Event::fact).collect();
        let s = ledger::address_state(&facts, &policy, now);
        let x = s.explanation(&policy);
        (s, x)
    })?;
    Ok(PyAddressState { address, state, explanation })
}

/// A destination's health: counts over the policy's window ending at ``now``, the ``advice``
/// (``Advice.OK``, ``SLOW_DOWN`` with a ``pause`` and ``rate_per_hour``, ``STOP`` until
/// ``until``) and the ``reasons`` behind it.
#[pyclass(frozen, module = "smtpcodes", name = "DestinationHealth")]
pub struct PyDestinationHealth {
    destination: Option<String>,
    health: DestinationHealth,
    window_end: i64,
}

#[pymethods]
impl PyDestinationHealth {
    /// The domain or provider it is about, when known.
    #[getter]
    fn destination(&self) -> Option<&str> {
        self.destination.as_deref()
    }
    #[getter]
    fn advice<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "Advice", self.health.advice.value())
    }
    #[getter]
    fn attempts(&self) -> u32 {
        self.health.attempts
    }
    #[getter]
    fn delivered(&self) -> u32 {
        self.health.delivered
    }
    #[getter]
    fn deferred(&self) -> u32 {
        self.health.deferred
    }
    #[getter]
    fn bounced(&self) -> u32 {
        self.health.bounced
    }
    #[getter]
    fn throttled(&self) -> u32 {
        self.health.throttled
    }
    #[getter]
    fn blocked(&self) -> u32 {
        self.health.blocked
    }
    #[getter]
    fn policy(&self) -> u32 {
        self.health.policy
    }
    #[getter]
    fn unavailable(&self) -> u32 {
        self.health.unavailable
    }
    /// How long to pause before sending again (slow down).
    #[getter]
    fn pause<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.health.pause.map(|s| timedelta(py, s)).transpose()
    }
    /// The most messages per hour to send after the pause (slow down).
    #[getter]
    fn rate_per_hour(&self) -> Option<u64> {
        self.health.rate_per_hour
    }
    /// Until when to stop (stop).
    #[getter]
    fn until<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_datetime(py, self.health.until)
    }
    /// The end of the window the counts cover.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.window_end)
    }
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.health.reasons)
    }
    /// An HTML table for Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        html_view(slf.as_any(), "destination_health")
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let h = &self.health;
        let d = PyDict::new(py);
        d.set_item("destination", &self.destination)?;
        d.set_item("at", to_datetime(py, self.window_end)?.call_method0("isoformat")?)?;
        d.set_item("advice", h.advice.value())?;
        for (k, v) in [
            ("attempts", h.attempts),
            ("delivered", h.delivered),
            ("deferred", h.deferred),
            ("bounced", h.bounced),
            ("throttled", h.throttled),
            ("blocked", h.blocked),
            ("policy", h.policy),
            ("unavailable", h.unavailable),
        ] {
            d.set_item(k, v)?;
        }
        d.set_item("pause_seconds", h.pause)?;
        d.set_item("rate_per_hour", h.rate_per_hour)?;
        d.set_item("until", opt_datetime(py, h.until)?.map(|t| t.call_method0("isoformat")).transpose()?)?;
        d.set_item("reasons", PyList::new(py, &h.reasons)?)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "<DestinationHealth {} {}: {} attempts, {} deferred, {} throttled, {} blocked>",
            self.destination.as_deref().unwrap_or("?"),
            self.health.advice.value(),
            self.health.attempts,
            self.health.deferred,
            self.health.throttled,
            self.health.blocked
        )
    }
}

/// The health of one destination from its events, at ``now`` (default: the current time):
/// only events in the policy's window count.
///
/// >>> import smtpcodes as sc
/// >>> now = 1796601600
/// >>> events = [sc.Event(f"u{i}@gmail.com", "deferred", now - i, reason="ratelimited") for i in range(10)]
/// >>> events += [sc.Event(f"v{i}@gmail.com", "delivered", now - i) for i in range(30)]
/// >>> h = sc.destination_health(events, now=now)
/// >>> h.destination, h.advice, h.pause.seconds, h.rate_per_hour
/// ('gmail.com', <Advice.SLOW_DOWN: 'slow-down'>, 900, 15)
#[pyfunction]
#[pyo3(signature = (events, policy=None, now=None, destination=None))]
pub fn destination_health(
    py: Python<'_>,
    events: &Bound<'_, PyAny>,
    policy: Option<PyRef<'_, PyLedgerPolicy>>,
    now: Option<&Bound<'_, PyAny>>,
    destination: Option<String>,
) -> PyResult<PyDestinationHealth> {
    let policy = policy_or_default(policy);
    let now = now_micros(py, now)?;
    let events = events_of(events)?;
    let destination = destination.or_else(|| {
        let first = events.first().map(|e| ledger::domain_of(&e.address))?;
        events.iter().all(|e| ledger::domain_of(&e.address) == first).then(|| first.to_string())
    });
    let health = guarded(py, || {
        let facts: Vec<Fact<'_>> = events.iter().map(Event::fact).collect();
        ledger::destination_health(&facts, &policy, now)
    })?;
    Ok(PyDestinationHealth { destination, health, window_end: now })
}

// ---------------------------------------------------------------------------------------------
// Rows for the storage layer

/// History rows: (address, at, kind, id, reason, bounce, action, until).
type HistoryRow = (String, i64, String, String, String, String, Option<String>, Option<i64>);

/// History rows as the core's column rows.
fn history_rows(rows: Vec<HistoryRow>) -> VecRows {
    let mut out = VecRows::default();
    for (address, at, kind, id, reason, bounce, action, until) in rows {
        out.address.push(Some(address));
        out.at.push(Some(at));
        out.kind.push(Some(kind));
        out.id.push(Some(id));
        out.reason.push(Some(reason));
        out.bounce.push(Some(bounce));
        out.action.push(action);
        out.until.push(until);
    }
    out
}

/// Each address's state row after its history rows, at `now` (microseconds): what
/// `Ledger.record` writes.
/// A row that cannot be read raises (the storage layer wrote it, so it is a bug or a
/// hand-edited table).
#[pyfunction]
pub fn _fold_rows<'py>(
    py: Python<'py>,
    rows: Vec<HistoryRow>,
    policy: Option<PyRef<'_, PyLedgerPolicy>>,
    now: i64,
) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    let policy = policy_or_default(policy);
    let rows = history_rows(rows);
    let out = guarded_detached(py, || replay(&rows, &policy, now))?;
    out.into_iter()
        .map(|r| match (r.full_state(), r.error) {
            (Some(s), None) => state_row(py, &r.address, &s, &s.explanation(&policy)),
            (_, e) => Err(PyValueError::new_err(format!(
                "ledger history of {:?} cannot be read: {}",
                r.address,
                e.unwrap_or_default()
            ))),
        })
        .collect()
}

/// The state of one address from its stored state row, as ``AddressState`` (re-explained at
/// `now` when its suppression has ended since it was stored).
#[pyfunction]
pub fn _state_from_rows(
    py: Python<'_>,
    address: String,
    rows: Vec<HistoryRow>,
    policy: Option<PyRef<'_, PyLedgerPolicy>>,
    now: i64,
) -> PyResult<PyAddressState> {
    let policy = policy_or_default(policy);
    let rows = history_rows(rows);
    let out = guarded(py, || replay(&rows, &policy, now))?;
    let state = match out.first() {
        Some(r @ Replayed { state: Some(_), .. }) => r.full_state().unwrap_or_default(),
        Some(Replayed { error: Some(e), .. }) => return Err(PyValueError::new_err(e.clone())),
        _ => AddressState::new(),
    };
    let explanation = state.explanation(&policy);
    Ok(PyAddressState { address, state, explanation })
}

/// The health of a destination from rows (at, kind, id, reason, action).
#[pyfunction]
pub fn _health_rows(
    py: Python<'_>,
    destination: Option<String>,
    rows: Vec<(i64, String, String, String, Option<String>)>,
    policy: Option<PyRef<'_, PyLedgerPolicy>>,
    now: i64,
) -> PyResult<PyDestinationHealth> {
    let policy = policy_or_default(policy);
    let mut facts = Vec::with_capacity(rows.len());
    for (at, kind, id, reason, action) in &rows {
        facts.push(Fact {
            id,
            at: *at,
            kind: kind_of(kind)?,
            reason: reason_of(reason)?,
            bounce: Bounce::Unknown,
            action: action.as_deref().map(action_of).transpose()?,
            until: None,
        });
    }
    let health = guarded(py, || ledger::destination_health(&facts, &policy, now))?;
    Ok(PyDestinationHealth { destination, health, window_end: now })
}

/// The kind of event a decision makes (`EventKind::of_decision`): for rows of a ``classify``
/// result recorded with their addresses.
#[pyfunction]
pub fn _event_kind(code: Option<u16>, action: &str, delayed: bool) -> PyResult<&'static str> {
    let outcome = match code {
        Some(c) if c < 400 => retry::Outcome::Delivered,
        Some(c) if c < 500 => retry::Outcome::Transient,
        Some(_) => retry::Outcome::Permanent,
        None if delayed => retry::Outcome::Transient,
        None => retry::Outcome::Permanent,
    };
    Ok(EventKind::of_decision(outcome, action_of(action)?, delayed).value())
}

/// The ledger's event rows (see `PyEvent::row`) of a `parse_bounces` result: one per row with
/// a recipient and an event (`event_id` …), at the row's `event_at`, else `at`. Rows with no
/// recipient (an email that is not a bounce, a complaint naming nobody) make no event; their
/// count comes back too, so that the caller can say so.
#[pyfunction]
pub fn _bounce_event_rows<'py>(
    py: Python<'py>,
    columns: PyRef<'_, PyColumns>,
    at: i64,
) -> PyResult<(Vec<Bound<'py, PyTuple>>, usize)> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for batch in columns.batches() {
        let col = |name: &str| -> PyResult<Vec<Option<Cow<'_, str>>>> {
            let c = batch
                .column_by_name(name)
                .ok_or_else(|| PyValueError::new_err(format!("not a parse_bounces() result: no column {name:?}")))?;
            let mut v = Vec::with_capacity(c.len());
            strings_of(c.as_ref(), &mut v)?;
            Ok(v)
        };
        let (recipient, id, kind, reason, bounce, action, mx, provider, diagnostic) = (
            col("recipient")?,
            col("event_id")?,
            col("event_kind")?,
            col("reason")?,
            col("bounce")?,
            col("action")?,
            col("remote_mta")?,
            col("provider")?,
            col("diagnostic")?,
        );
        let mut when = Vec::new();
        if let Some(c) = batch.column_by_name("event_at") {
            times_of(c.as_ref(), "event_at", &mut when)?;
        }
        for i in 0..batch.num_rows() {
            let (Some(address), Some(id), Some(kind)) = (&recipient[i], &id[i], &kind[i]) else {
                skipped += 1;
                continue;
            };
            let Ok(address) = ledger::normalize_address(address) else {
                skipped += 1;
                continue;
            };
            let domain = ledger::domain_of(&address).to_string();
            out.push(py_tuple![py;
                id.as_ref(),
                &address,
                when.get(i).copied().flatten().unwrap_or(at),
                kind.as_ref(),
                reason[i].as_deref().unwrap_or("undefined"),
                bounce[i].as_deref().unwrap_or("unknown"),
                action[i].as_deref(),
                Source::Bounce.value(),
                domain,
                mx[i].as_deref(),
                provider[i].as_deref(),
                diagnostic[i].as_deref(),
                None::<i64>,
            ]?);
        }
    }
    Ok((out, skipped))
}

/// The ledger's form of an address (`ledger::normalize_address`); `ValueError` when it is not one.
#[pyfunction]
pub fn _normalize_address(address: &str) -> PyResult<String> {
    ledger::normalize_address(address).map_err(value_error)
}

// ---------------------------------------------------------------------------------------------
// replay over Arrow

struct ArrowRows<'a> {
    address: Vec<Option<Cow<'a, str>>>,
    at: Vec<Option<i64>>,
    kind: Vec<Option<Cow<'a, str>>>,
    id: Option<Vec<Option<Cow<'a, str>>>>,
    reason: Option<Vec<Option<Cow<'a, str>>>>,
    bounce: Option<Vec<Option<Cow<'a, str>>>>,
    action: Option<Vec<Option<Cow<'a, str>>>>,
    until: Option<Vec<Option<i64>>>,
}

fn opt_str<'a>(v: &'a Option<Vec<Option<Cow<'_, str>>>>, i: usize) -> Option<&'a str> {
    v.as_ref().and_then(|c| c.get(i)).and_then(|o| o.as_deref())
}

impl Rows for ArrowRows<'_> {
    fn len(&self) -> usize {
        self.address.len()
    }
    fn address(&self, i: usize) -> Option<&str> {
        self.address.get(i).and_then(|o| o.as_deref())
    }
    fn at(&self, i: usize) -> Option<i64> {
        self.at.get(i).copied().flatten()
    }
    fn kind(&self, i: usize) -> Option<&str> {
        self.kind.get(i).and_then(|o| o.as_deref())
    }
    fn id(&self, i: usize) -> Option<&str> {
        opt_str(&self.id, i)
    }
    fn reason(&self, i: usize) -> Option<&str> {
        opt_str(&self.reason, i)
    }
    fn bounce(&self, i: usize) -> Option<&str> {
        opt_str(&self.bounce, i)
    }
    fn action(&self, i: usize) -> Option<&str> {
        opt_str(&self.action, i)
    }
    fn until(&self, i: usize) -> Option<i64> {
        self.until.as_ref().and_then(|c| c.get(i)).copied().flatten()
    }
}

/// Microseconds of a timestamp column (any unit) or of an int64 column of microseconds.
fn times_of(a: &dyn Array, name: &str, out: &mut Vec<Option<i64>>) -> PyResult<()> {
    let scale = |v: Option<i64>, mul: i64, div: i64| v.and_then(|x| x.checked_mul(mul)).map(|x| x / div);
    match a.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            out.extend(a.as_primitive::<TimestampSecondType>().iter().map(|v| scale(v, MICROS, 1)))
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            out.extend(a.as_primitive::<TimestampMillisecondType>().iter().map(|v| scale(v, 1000, 1)))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            out.extend(a.as_primitive::<TimestampMicrosecondType>().iter())
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            out.extend(a.as_primitive::<TimestampNanosecondType>().iter().map(|v| v.map(|x| x / 1000)))
        }
        DataType::Int64 => out.extend(a.as_primitive::<Int64Type>().iter()),
        DataType::Null => out.extend(std::iter::repeat_n(None, a.len())),
        other => {
            return Err(PyTypeError::new_err(format!(
                "replay(): column {name:?} must be a timestamp (or int64 microseconds since the epoch), not {other}"
            )));
        }
    }
    Ok(())
}

static REPLAY_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("address", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, true),
        Field::new("can_send", DataType::Boolean, true),
        Field::new("cause", DataType::Utf8, true),
        Field::new("reason", DataType::Utf8, true),
        Field::new("since", ts(), true),
        Field::new("until", ts(), true),
        Field::new("soft_count", DataType::UInt32, true),
        Field::new("last_delivered", ts(), true),
        Field::new("last_event", ts(), true),
        Field::new("events", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), true),
        Field::new("rows", DataType::UInt32, false),
        Field::new("error", DataType::Utf8, true),
    ]))
});

fn replay_batch(out: &[Replayed<'_>]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let st = |f: &dyn Fn(&AddressState) -> Option<i64>| -> ArrayRef {
        Arc::new(
            TimestampMicrosecondArray::from_iter(out.iter().map(|r| r.state.as_ref().and_then(f))).with_timezone("UTC"),
        )
    };
    let mut events = ListBuilder::new(StringBuilder::new());
    for r in out {
        if r.state.is_some() {
            for id in &r.events {
                events.values().append_value(id);
            }
            events.append(true);
        } else {
            events.append(false);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(out.iter().map(|r| r.address.as_ref()))),
        Arc::new(StringArray::from_iter(out.iter().map(|r| r.state.as_ref().map(|s| s.status.value())))),
        Arc::new(arrow_array::BooleanArray::from_iter(
            out.iter().map(|r| r.state.as_ref().map(AddressState::can_send)),
        )),
        Arc::new(StringArray::from_iter(out.iter().map(|r| r.state.as_ref().and_then(|s| s.cause).map(Cause::value)))),
        Arc::new(StringArray::from_iter(
            out.iter().map(|r| r.state.as_ref().and_then(|s| s.reason).map(Reason::value)),
        )),
        st(&|s| s.since),
        st(&|s| s.until),
        Arc::new(UInt32Array::from_iter(out.iter().map(|r| r.state.as_ref().map(|s| s.soft_count)))),
        st(&|s| s.last_delivered),
        st(&|s| s.last_event),
        Arc::new(events.finish()),
        Arc::new(UInt32Array::from_iter_values(out.iter().map(|r| r.rows))),
        Arc::new(StringArray::from_iter(out.iter().map(|r| r.error.as_deref()))),
    ];
    RecordBatch::try_new(Arc::clone(&REPLAY_SCHEMA), columns)
}

/// `smtpcodes.replay`'s core: the columns of an Arrow table (PyCapsule stream of a struct),
/// folded by address in parallel with the GIL released. See `python/smtpcodes/ledger.py`.
#[pyfunction]
#[pyo3(signature = (table, policy=None, now=None))]
pub fn _replay(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    policy: Option<PyRef<'_, PyLedgerPolicy>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyColumns> {
    let policy = policy_or_default(policy);
    let now = now_micros(py, now)?;
    let (data_type, arrays) = import_arrays(table)?;
    let DataType::Struct(fields) = &data_type else {
        return Err(PyTypeError::new_err(format!(
            "replay() takes a table of events (columns address, at, kind …), not a {data_type} column"
        )));
    };
    let index = |name: &str| fields.iter().position(|f| f.name() == name);
    let need = |name: &str| {
        index(name).ok_or_else(|| {
            let have: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
            PyValueError::new_err(format!("replay() needs a column {name:?}; the table has {}", have.join(", ")))
        })
    };
    let (ia, it, ik) = (need("address")?, need("at")?, need("kind")?);
    let structs: Vec<_> = arrays.iter().map(|a| a.as_struct()).collect();
    let strings = |i: usize| -> PyResult<Vec<Option<Cow<'_, str>>>> {
        let mut v = Vec::new();
        for s in &structs {
            strings_of(s.column(i).as_ref(), &mut v)?;
        }
        Ok(v)
    };
    let times = |i: usize, name: &str| -> PyResult<Vec<Option<i64>>> {
        let mut v = Vec::new();
        for s in &structs {
            times_of(s.column(i).as_ref(), name, &mut v)?;
        }
        Ok(v)
    };
    let rows = ArrowRows {
        address: strings(ia)?,
        at: times(it, "at")?,
        kind: strings(ik)?,
        id: index("id").map(strings).transpose()?,
        reason: index("reason").map(strings).transpose()?,
        bounce: index("bounce").map(strings).transpose()?,
        action: index("action").map(strings).transpose()?,
        until: index("until").map(|i| times(i, "until")).transpose()?,
    };
    // The fold and the output's record batches (one per 64 Ki addresses), in parallel.
    let batches = guarded_detached(py, || {
        use rayon::prelude::*;
        let out = replay(&rows, &policy, now);
        out.par_chunks(1 << 16).map(replay_batch).collect::<Result<Vec<_>, _>>()
    })?
    .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyColumns::new(Arc::clone(&REPLAY_SCHEMA), batches))
}

/// (name, value) pairs of the ledger's enums, for `_enum_members`.
pub fn enum_members(name: &str) -> Option<Vec<(String, String)>> {
    let pairs =
        |v: Vec<&'static str>| v.into_iter().map(|x| (x.to_uppercase().replace('-', "_"), x.to_string())).collect();
    Some(match name {
        "EventKind" => pairs(EventKind::ALL.iter().map(|k| k.value()).collect()),
        "EventSource" => pairs(Source::ALL.iter().map(|k| k.value()).collect()),
        "AddressStatus" => pairs(AddressStatus::ALL.iter().map(|k| k.value()).collect()),
        "SuppressionCause" => pairs(Cause::ALL.iter().map(|k| k.value()).collect()),
        "Advice" => pairs(Advice::ALL.iter().map(|k| k.value()).collect()),
        _ => return None,
    })
}
