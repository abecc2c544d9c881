//! Binding of the core's webhook readers (`crate::webhooks`): conversions only. The Python
//! surface (`BounceEvent`, `WebhookError`, `parse`) is `smtpcodes/webhooks.py`.

use super::{
    PyReply, PyRetryDecision, bounce_from_value, bounce_name, decision_at, decision_now, guarded, guarded_detached,
    py_bounce, py_reason, to_datetime,
};
use crate::classify::Reason;
use crate::webhooks::{self, EventKind, MAX_DEPTH, Provider, WebhookError, WebhookEvent};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

static WEBHOOK_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `smtpcodes.webhooks.WebhookError` with the core error's message, provider and field.
fn to_py_err(py: Python<'_>, e: WebhookError) -> PyErr {
    let made = WEBHOOK_ERROR
        .import(py, "smtpcodes.webhooks", "WebhookError")
        .and_then(|t| t.call1((e.message, e.provider.map(Provider::name), e.field)));
    match made {
        Ok(inst) => PyErr::from_value(inst),
        Err(err) => err,
    }
}

/// An already decoded payload as JSON: dicts and other mappings, lists, tuples and other
/// sequences, str, int, float, bool and None (a float that is not finite is null, anything
/// else its `str()`); `None` when it nests deeper than [`MAX_DEPTH`].
pub(crate) fn to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Option<Value>> {
    if depth > MAX_DEPTH {
        return Ok(None);
    }
    let list = |items: Vec<Bound<'_, PyAny>>| -> PyResult<Option<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let Some(v) = to_json(&item, depth + 1)? else { return Ok(None) };
            out.push(v);
        }
        Ok(Some(Value::Array(out)))
    };
    let object = |pairs: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)>| -> PyResult<Option<Value>> {
        let mut out = Map::with_capacity(pairs.len());
        for (k, v) in pairs {
            let key = match k.cast::<PyString>() {
                Ok(s) => s.to_string_lossy().into_owned(),
                Err(_) => k.str()?.to_string_lossy().into_owned(),
            };
            let Some(v) = to_json(&v, depth + 1)? else { return Ok(None) };
            out.insert(key, v);
        }
        Ok(Some(Value::Object(out)))
    };
    Ok(Some(if obj.is_none() {
        Value::Null
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Value::Bool(b.is_true())
    } else if let Ok(s) = obj.cast::<PyString>() {
        Value::String(s.to_string_lossy().into_owned())
    } else if obj.cast::<PyInt>().is_ok() {
        match (obj.extract::<i64>(), obj.extract::<u64>(), obj.extract::<f64>()) {
            (Ok(i), _, _) => Value::from(i),
            (_, Ok(u), _) => Value::from(u),
            (_, _, Ok(f)) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            _ => Value::Null,
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        Number::from_f64(f.value()).map_or(Value::Null, Value::Number)
    } else if let Ok(d) = obj.cast::<PyDict>() {
        return object(d.iter().collect());
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Value::String(String::from_utf8_lossy(b.as_bytes()).into_owned())
    } else if let Ok(m) = obj.cast::<PyMapping>() {
        return object(m.items()?.iter().map(|kv| kv.extract()).collect::<PyResult<_>>()?);
    } else if obj.cast::<PyList>().is_ok() || obj.cast::<PySequence>().is_ok() {
        return list(obj.try_iter()?.collect::<PyResult<_>>()?);
    } else {
        Value::String(obj.str()?.to_string_lossy().into_owned())
    }))
}

/// JSON as Python objects (`json.loads` would give the same).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py),
            (None, Some(u)) => u.into_bound_py_any(py),
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let items = items.iter().map(|x| to_py(py, x)).collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, x) in map {
                d.set_item(k, to_py(py, x)?)?;
            }
            Ok(d.into_any())
        }
    }
}

/// The fields of `BounceEvent` in its order: provider, event, recipient, reply, reason, bounce,
/// decision (its `retry_at` counted from the event's time), provider_category, timestamp,
/// message_id, raw, id.
fn event_fields(py: Python<'_>, e: WebhookEvent) -> PyResult<Bound<'_, PyTuple>> {
    let timestamp = e.timestamp.map(|us| to_datetime(py, us)).transpose()?;
    let decision = match (e.decision, &timestamp) {
        (Some(d), Some(t)) => Some(decision_at(py, d, t)?),
        (Some(d), None) => Some(decision_now(py, d)?),
        (None, _) => None,
    };
    let fields = [
        e.provider.name().into_bound_py_any(py)?,
        e.event.value().into_bound_py_any(py)?,
        e.recipient.into_bound_py_any(py)?,
        e.reply.map(PyReply::wrap).into_bound_py_any(py)?,
        py_reason(py, e.reason.entry().name)?,
        py_bounce(py, bounce_name(e.bounce))?,
        decision.into_bound_py_any(py)?,
        e.provider_category.into_bound_py_any(py)?,
        timestamp.into_bound_py_any(py)?,
        e.message_id.into_bound_py_any(py)?,
        to_py(py, &e.raw)?,
        e.id.into_bound_py_any(py)?,
    ];
    PyTuple::new(py, fields)
}

/// The events of a webhook payload (``str``, ``bytes``, ``bytearray``, or decoded JSON) as
/// tuples of ``BounceEvent``'s fields; raises ``WebhookError``.
#[pyfunction]
#[pyo3(signature = (payload, provider = None))]
pub(crate) fn _parse_webhook<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    provider: Option<&str>,
) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    let given = provider.map(Provider::from_name).transpose().map_err(|e| to_py_err(py, e))?;
    let events = if let Ok(b) = payload.cast::<PyBytes>() {
        let bytes = b.as_bytes();
        guarded_detached(py, || webhooks::parse_webhook(bytes, provider))?
    } else if let Ok(b) = payload.cast::<PyByteArray>() {
        let bytes = b.to_vec();
        guarded_detached(py, || webhooks::parse_webhook(&bytes, provider))?
    } else if let Ok(s) = payload.cast::<PyString>() {
        let text = s.to_string_lossy();
        let text = text.as_ref();
        guarded_detached(py, || webhooks::parse_webhook(text.as_bytes(), provider))?
    } else {
        match to_json(payload, 0)? {
            Some(value) => guarded_detached(py, || webhooks::parse_webhook_value(&value, given))?,
            None => Err(WebhookError::too_deep(given)),
        }
    };
    events.map_err(|e| to_py_err(py, e))?.into_iter().map(|e| event_fields(py, e)).collect()
}

/// The decision of an event from its fields (`crate::webhooks::decide_event`), its `retry_at`
/// counted from `timestamp` (`None`: now): what unpickling a ``BounceEvent`` computes again.
#[pyfunction]
#[pyo3(signature = (event, reply, reason, bounce, provider_category = None, timestamp = None))]
pub(crate) fn _webhook_decision<'py>(
    py: Python<'py>,
    event: &str,
    reply: Option<&Bound<'py, PyReply>>,
    reason: &str,
    bounce: &str,
    provider_category: Option<&str>,
    timestamp: Option<&Bound<'py, PyAny>>,
) -> PyResult<Option<PyRetryDecision>> {
    let event = EventKind::from_value(event).ok_or_else(|| PyValueError::new_err(format!("no event {event:?}")))?;
    let reason = Reason::from_value(reason).ok_or_else(|| PyValueError::new_err(format!("no reason {reason:?}")))?;
    let bounce =
        bounce_from_value(bounce).ok_or_else(|| PyValueError::new_err(format!("no bounce type {bounce:?}")))?;
    let reply = reply.map(|r| &r.get().inner);
    let decision = guarded(py, || webhooks::decide_event(event, reply, reason, bounce, provider_category))?;
    decision
        .map(|d| match timestamp {
            Some(t) if !t.is_none() => decision_at(py, d, t),
            _ => decision_now(py, d),
        })
        .transpose()
}
