//! The PyO3 binding layer: conversions, exceptions and nothing else. Every decision about SMTP
//! is made by the core; this file turns its values into Python objects and back.

use crate::describe as text;
use crate::{classify, registry, reply, retry, status};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple, PyType};

// ---------------------------------------------------------------------------------------------
// Python-side objects the binding hands out: the exception classes and the enum classes live in
// `smtpcodes/_types.py` so that they are real `enum`/exception classes with full Python
// behaviour. They are imported once and cached.

mod arrow;
mod batch;
mod bounce;
mod ledger;
mod webhooks;

static PARSE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static BOUNCE_PARSE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn types_attr<'py>(py: Python<'py>, cell: &'static PyOnceLock<Py<PyType>>, name: &str) -> PyResult<Bound<'py, PyType>> {
    Ok(cell.import(py, "smtpcodes._types", name)?.clone())
}

/// `_repr_html_` for Jupyter: the view is written in Python (`smtpcodes/_html.py`).
pub(crate) fn html_view(obj: &Bound<'_, PyAny>, view: &str) -> PyResult<String> {
    obj.py().import("smtpcodes._html")?.call_method1(view, (obj,))?.extract()
}

/// Maps a core error to its Python exception: input errors to `smtpcodes.ParseError` (a
/// `ValueError`), lookups of unknown languages and numbers to `ValueError`.
fn to_py_err(py: Python<'_>, e: crate::Error) -> PyErr {
    use crate::Error as E;
    let position = e.position();
    match e {
        E::UnknownLanguage { .. } | E::UnknownOutlookError { .. } => PyValueError::new_err(e.to_string()),
        _ => match types_attr(py, &PARSE_ERROR, "ParseError").and_then(|t| t.call1((e.to_string(), position))) {
            Ok(inst) => PyErr::from_value(inst),
            Err(err) => err,
        },
    }
}

/// Enum members by name, from a dict built once per enum class (`dict(cls.__members__)`): a
/// dict lookup per getter instead of a call of the enum class.
macro_rules! enum_cache {
    ($fn_name:ident, $py_name:literal) => {
        fn $fn_name<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
            static CELL: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
            let members = CELL.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
                let cls = py.import("smtpcodes._types")?.getattr($py_name)?;
                let members = py.get_type::<PyDict>().call1((cls.getattr("__members__")?,))?;
                Ok(members.cast_into::<PyDict>()?.unbind())
            })?;
            members
                .bind(py)
                .get_item(name)?
                .ok_or_else(|| PyValueError::new_err(format!("{} has no member {name}", $py_name)))
        }
    };
}
enum_cache!(py_reply_kind, "ReplyKind");
enum_cache!(py_category, "Category");
enum_cache!(py_status_class, "StatusClass");
enum_cache!(py_subject, "Subject");
enum_cache!(py_bounce, "Bounce");
enum_cache!(py_reason, "Reason");
enum_cache!(py_action, "Action");
enum_cache!(py_scope, "Scope");
enum_cache!(py_report_kind, "ReportKind");

/// The member of the public enum `class` (of `smtpcodes._types`) whose value is `value`, from a
/// dict per class built once.
pub(crate) fn enum_member<'py>(py: Python<'py>, class: &str, value: &str) -> PyResult<Bound<'py, PyAny>> {
    static CELL: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    let all = CELL.get_or_try_init(py, || -> PyResult<Py<PyDict>> { Ok(PyDict::new(py).unbind()) })?.bind(py);
    let by_value = match all.get_item(class)? {
        Some(d) => d.cast_into::<PyDict>()?,
        None => {
            let d = PyDict::new(py);
            for m in py.import("smtpcodes._types")?.getattr(class)?.try_iter()? {
                let m = m?;
                d.set_item(m.getattr("value")?, &m)?;
            }
            all.set_item(class, &d)?;
            d
        }
    };
    by_value.get_item(value)?.ok_or_else(|| PyValueError::new_err(format!("{class} has no member of value {value:?}")))
}

/// The enum member name of a digit in one of the digit tables.
fn digit_name(table: &'static [registry::DigitEntry], digit: u16) -> &'static str {
    table.iter().find(|e| e.digit == digit).map_or("", |e| e.name)
}

fn bounce_value(b: classify::Bounce) -> &'static str {
    b.value()
}

/// The bounce type of its value (`"hard"` …), the inverse of [`bounce_value`].
fn bounce_from_value(v: &str) -> Option<classify::Bounce> {
    classify::Bounce::from_value(v)
}

fn bounce_name(b: classify::Bounce) -> &'static str {
    match b {
        classify::Bounce::Hard => "HARD",
        classify::Bounce::Soft => "SOFT",
        classify::Bounce::None => "NONE",
        classify::Bounce::Unknown => "UNKNOWN",
    }
}

fn fault_value(f: classify::Fault) -> &'static str {
    use classify::Fault::*;
    match f {
        Recipient => "recipient",
        Sender => "sender",
        Content => "content",
        Destination => "destination",
        Network => "network",
        None => "none",
        Unknown => "unknown",
    }
}

fn action_value(a: retry::Action) -> &'static str {
    a.value()
}

fn scope_value(s: retry::Scope) -> &'static str {
    match s {
        retry::Scope::Address => "address",
        retry::Scope::Message => "message",
        retry::Scope::Destination => "destination",
    }
}

fn timedelta<'py>(py: Python<'py>, seconds: u64) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("seconds", seconds)?;
    TIMEDELTA.import(py, "datetime", "timedelta")?.call((), Some(&kwargs))
}

static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

pub(crate) fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(EPOCH
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let dt = py.import("datetime")?;
            let utc = dt.getattr("timezone")?.getattr("utc")?;
            Ok(dt.getattr("datetime")?.call1((1970, 1, 1, 0, 0, 0, 0, utc))?.unbind())
        })?
        .bind(py))
}

/// An aware UTC `datetime` for microseconds since the epoch.
pub(crate) fn to_datetime(py: Python<'_>, micros: i64) -> PyResult<Bound<'_, PyAny>> {
    let kw = PyDict::new(py);
    kw.set_item("microseconds", micros)?;
    let delta = TIMEDELTA.import(py, "datetime", "timedelta")?.call((), Some(&kw))?;
    epoch(py)?.call_method1("__add__", (delta,))
}

/// Seconds from a `timedelta` or a number of seconds (non-negative).
fn seconds(value: &Bound<'_, PyAny>, field: &str) -> PyResult<u64> {
    let secs: f64 = if value.hasattr("total_seconds")? {
        value.call_method0("total_seconds")?.extract()?
    } else {
        value
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("{field} must be a timedelta or a number of seconds")))?
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(PyValueError::new_err(format!("{field} must be a non-negative duration, got {secs}")));
    }
    Ok(secs.round() as u64)
}

/// Parses `str`, `bytes` or `bytearray` with the core (bytes through `parse_bytes`, so that the
/// length limit and error positions refer to the bytes). `str` with lone surrogates is read
/// lossily.
fn parse_any(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<crate::Result<reply::Reply>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_str() {
            Ok(t) => guarded(py, || reply::parse(t)),
            Err(_) => {
                let t = s.to_string_lossy();
                guarded(py, || reply::parse(&t))
            }
        };
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        let bytes = b.as_bytes();
        return guarded(py, || reply::parse_bytes(bytes));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        let bytes = b.to_vec();
        return guarded(py, || reply::parse_bytes(&bytes));
    }
    Err(PyTypeError::new_err(format!(
        "expected str or bytes, not {}",
        obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
    )))
}

static ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Runs core code so that a panic (a bug) becomes `smtpcodes.Error`, never a `PanicException`
/// (a `BaseException` that `except Exception` would not catch).
fn guarded<T>(py: Python<'_>, f: impl FnOnce() -> T + std::panic::UnwindSafe) -> PyResult<T> {
    std::panic::catch_unwind(f).map_err(|payload| panic_error(py, payload))
}

/// [`guarded`] with the GIL released, for core work on data that needs no Python objects
/// (parsing emails, classifying columns): other Python threads run meanwhile.
fn guarded_detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + std::panic::UnwindSafe + Send) -> PyResult<T> {
    py.detach(|| std::panic::catch_unwind(f)).map_err(|payload| panic_error(py, payload))
}

/// `smtpcodes.Error` for a caught panic's payload.
pub(crate) fn panic_error(py: Python<'_>, payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    match types_attr(py, &ERROR, "Error") {
        Ok(t) => PyErr::from_type(t, format!("internal error in smtpcodes (please report it): {what}")),
        Err(e) => e,
    }
}

fn lang(py: Python<'_>, code: &str) -> PyResult<registry::Lang> {
    registry::Lang::from_code(code).map_err(|e| to_py_err(py, e))
}

// ---------------------------------------------------------------------------------------------
// EnhancedStatus

/// An enhanced mail system status code ``class.subject.detail`` (RFC 3463 §2), such as 5.1.1.
///
/// Built from a string (``EnhancedStatus("5.7.1")``) or three numbers
/// (``EnhancedStatus(5, 7, 1)``). Frozen, hashable, ordered; equal to its string form.
///
/// >>> from smtpcodes import EnhancedStatus
/// >>> s = EnhancedStatus(5, 7, 1)
/// >>> s == "5.7.1", s.klass, s.subject, s.title
/// (True, <StatusClass.PERMANENT_FAILURE: 5>, <Subject.SECURITY_OR_POLICY: 7>, 'Delivery not authorized, message refused')
/// >>> s.reply_codes
/// (451, 454, 502, 503, 533, 550, 551)
#[pyclass(frozen, module = "smtpcodes", name = "EnhancedStatus")]
#[derive(Clone, Copy)]
pub struct PyEnhancedStatus {
    inner: status::EnhancedStatus,
}

impl PyEnhancedStatus {
    fn from_core(inner: status::EnhancedStatus) -> Self {
        PyEnhancedStatus { inner }
    }
    fn from_any(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<status::EnhancedStatus> {
        if let Ok(s) = v.cast::<PyEnhancedStatus>() {
            return Ok(s.get().inner);
        }
        if let Ok(s) = v.cast::<PyString>() {
            return status::EnhancedStatus::parse(&s.to_string_lossy()).map_err(|e| to_py_err(py, e));
        }
        Err(PyTypeError::new_err("an enhanced status is a str such as \"5.1.1\" or an EnhancedStatus"))
    }
}

#[pymethods]
impl PyEnhancedStatus {
    #[new]
    #[pyo3(signature = (klass, subject = None, detail = None, /))]
    fn new(py: Python<'_>, klass: &Bound<'_, PyAny>, subject: Option<i64>, detail: Option<i64>) -> PyResult<Self> {
        let inner = match (subject, detail) {
            (None, None) => Self::from_any(py, klass)?,
            (Some(s), Some(d)) => {
                let k: i64 = klass.extract().map_err(|_| PyTypeError::new_err("klass must be an int (2, 4 or 5)"))?;
                // Out-of-range numbers (negative, huge) get the core's message, not OverflowError.
                let part = |v: i64| u16::try_from(v).unwrap_or(u16::MAX);
                status::EnhancedStatus::new(part(k), part(s), part(d)).map_err(|e| to_py_err(py, e))?
            }
            _ => {
                return Err(PyTypeError::new_err(
                    "EnhancedStatus takes one string or three numbers (klass, subject, detail)",
                ));
            }
        };
        Ok(PyEnhancedStatus { inner })
    }

    /// The class (2 success, 4 persistent transient failure, 5 permanent failure).
    #[getter]
    fn klass<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_status_class(py, digit_name(registry::CLASSES, self.inner.class().digit()))
    }
    /// The subject: a `Subject` member for X.0–X.7, a plain int for other numbers.
    #[getter]
    fn subject<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.subject_name() {
            Some(_) => py_subject(py, digit_name(registry::SUBJECTS, self.inner.subject())),
            None => Ok(self.inner.subject().into_pyobject(py)?.into_any()),
        }
    }
    #[getter]
    fn detail(&self) -> u16 {
        self.inner.detail()
    }
    /// The registry's sample text (else the class and subject meaning).
    #[getter]
    fn title(&self) -> String {
        text::status(self.inner, registry::Lang::English)
    }
    /// The registry's description, `None` when the code is not registered.
    #[getter]
    fn description(&self) -> Option<&'static str> {
        self.inner.registry().map(|e| e.description)
    }
    /// The registry's references, e.g. ``'RFC 3463'`` (``None`` when not registered).
    #[getter]
    fn reference(&self) -> Option<String> {
        self.inner.registry().map(|e| e.reference.join(", "))
    }
    /// The basic reply codes the registry associates with the status.
    #[getter]
    fn reply_codes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.registry().map(|e| e.reply_codes).unwrap_or(&[]))
    }
    /// True when the IANA registry lists X.subject.detail.
    #[getter]
    fn registered(&self) -> bool {
        self.inner.registry().is_some()
    }
    /// The title in another language ("en", "fr").
    #[pyo3(signature = (lang = "en"))]
    fn describe(&self, py: Python<'_>, lang: &str) -> PyResult<String> {
        Ok(text::status(self.inner, self::lang(py, lang)?))
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        format!("EnhancedStatus('{}')", self.inner)
    }
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyString::new(py, &self.inner.to_string()).hash()
    }
    fn __richcmp__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let other = if let Ok(s) = other.cast::<PyEnhancedStatus>() {
            s.get().inner
        } else if let Ok(s) = other.cast::<PyString>() {
            // Equality with a string is equality with the canonical form ("5.1.1", not
            // "5.01.1"), so that equal objects hash equal; ordering parses the string.
            let text = s.to_string_lossy();
            if matches!(op, CompareOp::Eq | CompareOp::Ne) {
                let same = text == self.inner.to_string();
                let answer = same == matches!(op, CompareOp::Eq);
                return Ok(answer.into_pyobject(py)?.to_owned().into_any().unbind());
            }
            match status::EnhancedStatus::parse(&text) {
                Ok(st) => st,
                Err(_) => return Ok(py.NotImplemented()),
            }
        } else {
            return Ok(py.NotImplemented());
        };
        Ok(op.matches(self.inner.cmp(&other)).into_pyobject(py)?.to_owned().into_any().unbind())
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, (String,))> {
        Ok((slf.get_type(), (slf.get().inner.to_string(),)))
    }
}

// ---------------------------------------------------------------------------------------------
// Reply

/// A parsed SMTP reply: basic code, enhanced status, text, and what they mean. Frozen,
/// hashable, picklable; ``str()`` gives the reply as a server sends it.
///
/// >>> import smtpcodes
/// >>> r = smtpcodes.parse("552-5.2.2 The email account is over quota.\r\n552 5.2.2 Try later.")
/// >>> r.lines, r.kind, r.category, r.bounce, r.reason
/// (('The email account is over quota.', 'Try later.'), <ReplyKind.PERMANENT_NEGATIVE: 5>, <Category.MAIL_SYSTEM: 5>, <Bounce.SOFT: 'soft'>, <Reason.MAILBOX_FULL: 'mailboxfull'>)
/// >>> match r:
/// ...     case smtpcodes.Reply(552, status):
/// ...         print(status.title)
/// Mailbox full
#[pyclass(frozen, eq, hash, module = "smtpcodes", name = "Reply")]
pub struct PyReply {
    inner: reply::Reply,
    /// The classification, computed on first use (`reason`, `bounce`, `to_dict` share it).
    classification: std::sync::OnceLock<classify::Classification>,
}

impl PartialEq for PyReply {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}
impl Eq for PyReply {}
impl std::hash::Hash for PyReply {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }
}

impl PyReply {
    fn wrap(inner: reply::Reply) -> Self {
        PyReply { inner, classification: std::sync::OnceLock::new() }
    }
    fn classification(&self) -> classify::Classification {
        *self.classification.get_or_init(|| classify::classify(&self.inner))
    }
}

#[pymethods]
impl PyReply {
    /// An HTML table for Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        html_view(slf.as_any(), "reply")
    }
    #[new]
    #[pyo3(signature = (code = None, status = None, lines = None, remote_mta = None, smtp_command = None))]
    fn new(
        py: Python<'_>,
        code: Option<i64>,
        status: Option<&Bound<'_, PyAny>>,
        lines: Option<Vec<String>>,
        remote_mta: Option<String>,
        smtp_command: Option<String>,
    ) -> PyResult<Self> {
        let code = code
            .map(|c| reply::ReplyCode::new(u16::try_from(c).unwrap_or(u16::MAX)))
            .transpose()
            .map_err(|e| to_py_err(py, e))?;
        let status = status.filter(|s| !s.is_none()).map(|s| PyEnhancedStatus::from_any(py, s)).transpose()?;
        reply::Reply::new(code, status, lines.unwrap_or_default(), remote_mta, smtp_command)
            .map(Self::wrap)
            .map_err(|e| to_py_err(py, e))
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str) {
        ("code", "status", "text")
    }

    /// The basic reply code (``None`` for a bare enhanced status).
    #[getter]
    fn code(&self) -> Option<u16> {
        self.inner.code().map(reply::ReplyCode::value)
    }
    #[getter]
    fn status(&self) -> Option<PyEnhancedStatus> {
        self.inner.status().map(|inner| PyEnhancedStatus { inner })
    }
    #[getter]
    fn text(&self) -> String {
        self.inner.text()
    }
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.lines())
    }
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_reply_kind(py, digit_name(registry::KINDS, self.inner.kind() as u16))
    }
    #[getter]
    fn category<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.category().map(|c| py_category(py, digit_name(registry::CATEGORIES, c as u16))).transpose()
    }
    #[getter]
    fn is_success(&self) -> bool {
        self.inner.is_success()
    }
    #[getter]
    fn is_transient(&self) -> bool {
        self.inner.is_transient()
    }
    #[getter]
    fn is_permanent(&self) -> bool {
        self.inner.is_permanent()
    }
    /// True when the basic code and the enhanced status class disagree (``550 4.2.2``).
    #[getter]
    fn conflict(&self) -> bool {
        self.inner.conflict()
    }
    #[getter]
    fn remote_mta(&self) -> Option<&str> {
        self.inner.remote_mta()
    }
    /// The ids of the wrappers (``data/wrappers.toml``) that ``parse`` took off to find the
    /// reply, outermost first: ``()`` for a reply that stood alone. How the reply was read, not
    /// what it says: it takes no part in ``==`` and is not kept by pickling.
    ///
    /// >>> import smtpcodes
    /// >>> r = smtpcodes.parse("Remote host said: 550 5.1.1 <bob@example.org>... User unknown [RCPT_TO]")
    /// >>> r.unwrapped, r.smtp_command, r.text
    /// (('qmail-said',), 'RCPT TO', '<bob@example.org>... User unknown')
    #[getter]
    fn unwrapped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.unwrapped())
    }
    #[getter]
    fn smtp_command(&self) -> Option<&str> {
        self.inner.smtp_command()
    }
    #[getter]
    fn bounce<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_bounce(py, bounce_name(self.classification().bounce))
    }
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_reason(py, self.classification().reason.entry().name)
    }
    /// The registry text of the status when it is registered, else the text of the code.
    #[getter]
    fn description(&self) -> String {
        self.describe_in(registry::Lang::English)
    }
    /// ``description`` in another language ("en", "fr").
    #[pyo3(signature = (lang = "en"))]
    fn describe(&self, py: Python<'_>, lang: &str) -> PyResult<String> {
        Ok(self.describe_in(self::lang(py, lang)?))
    }
    /// Why the reply got its reason and bounce type: the rule that matched, the words and
    /// where they are in ``text``, the rule's source, and what code and status said alone.
    ///
    /// >>> import smtpcodes
    /// >>> e = smtpcodes.parse("550 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org").explain()
    /// >>> e.reason, e.status_reason, e.phrase is not None, e.basis
    /// (<Reason.BLOCKED: 'blocked'>, <Reason.POLICY_VIOLATION: 'policyviolation'>, True, 'rule')
    fn explain(&self) -> PyExplanation {
        PyExplanation { inner: classify::explain(&self.inner) }
    }
    /// The retry decision with the default policy (see ``smtpcodes.decide``).
    fn retry<'py>(slf: &Bound<'py, Self>) -> PyResult<PyRetryDecision> {
        decide(slf.py(), slf, 1, None, None, None)
    }
    /// A plain, JSON-ready dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let k = self.classification();
        let d = PyDict::new(py);
        d.set_item("code", self.code())?;
        d.set_item("status", self.inner.status().map(|s| s.to_string()))?;
        d.set_item("text", self.inner.text())?;
        d.set_item("lines", self.inner.lines().to_vec())?;
        d.set_item("kind", digit_name(registry::KINDS, self.inner.kind() as u16))?;
        d.set_item("category", self.inner.category().map(|c| digit_name(registry::CATEGORIES, c as u16)))?;
        d.set_item("conflict", self.inner.conflict())?;
        d.set_item("bounce", bounce_value(k.bounce))?;
        d.set_item("reason", k.reason.value())?;
        d.set_item("description", self.description())?;
        d.set_item("remote_mta", self.inner.remote_mta())?;
        d.set_item("smtp_command", self.inner.smtp_command())?;
        d.set_item("unwrapped", self.inner.unwrapped().to_vec())?;
        Ok(d)
    }
    /// The reply as a server sends it (``550 5.1.1 text``; CRLF between lines).
    fn __str__(&self) -> String {
        self.inner.to_wire()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let pyrepr = |t: &str| -> PyResult<String> { Ok(PyString::new(py, t).repr()?.to_string()) };
        let mut s = format!(
            "Reply(code={}, status={}, text={}",
            self.code().map_or("None".into(), |c| c.to_string()),
            self.inner.status().map_or("None".into(), |s| format!("'{s}'")),
            pyrepr(&self.inner.text())?
        );
        if let Some(h) = self.inner.remote_mta() {
            s.push_str(&format!(", remote_mta={}", pyrepr(h)?));
        }
        if let Some(c) = self.inner.smtp_command() {
            s.push_str(&format!(", smtp_command={}", pyrepr(c)?));
        }
        s.push(')');
        Ok(s)
    }
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, (Option<u16>, Option<String>, Vec<String>, Option<String>, Option<String>))>
    {
        let r = &slf.get().inner;
        Ok((
            slf.get_type(),
            (
                r.code().map(reply::ReplyCode::value),
                r.status().map(|s| s.to_string()),
                r.lines().to_vec(),
                r.remote_mta().map(str::to_string),
                r.smtp_command().map(str::to_string),
            ),
        ))
    }
}

impl PyReply {
    fn describe_in(&self, lang: registry::Lang) -> String {
        match (self.inner.status(), self.inner.code()) {
            (Some(s), _) if s.registry().is_some() => text::status(s, lang),
            (_, Some(c)) => text::reply_code(c, lang),
            (Some(s), None) => text::status(s, lang),
            (None, None) => String::new(),
        }
    }
}

/// Why a reply got its reason: see ``Reply.explain()``. ``str()`` gives the summary.
#[pyclass(frozen, module = "smtpcodes", name = "Explanation")]
pub struct PyExplanation {
    inner: classify::Explanation,
}

#[pymethods]
impl PyExplanation {
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_reason(py, self.inner.classification.reason.entry().name)
    }
    #[getter]
    fn bounce<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_bounce(py, bounce_name(self.inner.classification.bounce))
    }
    /// What decided: "success", "rule", "status", "reply_code" or "default".
    #[getter]
    fn basis(&self) -> &'static str {
        self.inner.classification.basis.name()
    }
    /// The id of the text rule that matched (``None`` when none did).
    #[getter]
    fn rule(&self) -> Option<&'static str> {
        self.inner.classification.rule.map(|m| m.rule.id)
    }
    /// The matched words as they stand in ``Reply.text``.
    #[getter]
    fn phrase(&self) -> Option<&str> {
        self.inner.matched.as_ref().map(|(w, _, _)| w.as_str())
    }
    /// Byte offsets ``(start, end)`` of the matched words in ``Reply.text`` (UTF-8).
    #[getter]
    fn span(&self) -> Option<(usize, usize)> {
        self.inner.matched.as_ref().map(|(_, a, b)| (*a, *b))
    }
    /// Where the deciding rule or table row comes from (RFC section, provider documentation …).
    #[getter]
    fn source(&self) -> Option<&'static str> {
        self.inner.classification.source
    }
    /// The reason the enhanced status alone gives.
    #[getter]
    fn status_reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.status_reason.map(|(r, _)| py_reason(py, r.entry().name)).transpose()
    }
    /// The reason the basic code alone gives.
    #[getter]
    fn code_reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.code_reason.map(|(r, _)| py_reason(py, r.entry().name)).transpose()
    }
    /// The explanation in a few sentences.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("reason", self.inner.classification.reason.value())?;
        d.set_item("bounce", bounce_value(self.inner.classification.bounce))?;
        d.set_item("basis", self.basis())?;
        d.set_item("rule", self.rule())?;
        d.set_item("phrase", self.phrase())?;
        d.set_item("span", self.span())?;
        d.set_item("source", self.source())?;
        d.set_item("status_reason", self.inner.status_reason.map(|(r, _)| r.value()))?;
        d.set_item("code_reason", self.inner.code_reason.map(|(r, _)| r.value()))?;
        d.set_item("summary", self.summary())?;
        Ok(d)
    }
    fn __str__(&self) -> &str {
        &self.inner.summary
    }
    fn __repr__(&self) -> String {
        format!(
            "Explanation(reason={}, basis={:?}, rule={})",
            self.inner.classification.reason.value(),
            self.basis(),
            self.rule().map_or("None".into(), |r| format!("{r:?}"))
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Retry

/// When to retry and when to give up. Durations are ``timedelta`` (numbers are seconds).
/// Every default comes from Postfix and RFC 5321; see the field docs.
///
/// >>> from smtpcodes import RetryPolicy
/// >>> p = RetryPolicy(max_attempts=10)
/// >>> p.base_delay, p.max_age.days, [p.backoff(n).seconds for n in (1, 2, 3, 6)]
/// (datetime.timedelta(seconds=300), 5, [300, 600, 1200, 4000])
#[pyclass(frozen, eq, hash, module = "smtpcodes", name = "RetryPolicy")]
#[derive(PartialEq, Eq, Hash, Clone, Copy)]
pub struct PyRetryPolicy {
    inner: retry::RetryPolicy,
}

#[pymethods]
impl PyRetryPolicy {
    #[new]
    #[pyo3(signature = (*, base_delay = None, max_delay = None, max_age = None, max_attempts = None, throttle_delay = None, greylist_delay = None, suppress_full_after = None))]
    fn new(
        base_delay: Option<&Bound<'_, PyAny>>,
        max_delay: Option<&Bound<'_, PyAny>>,
        max_age: Option<&Bound<'_, PyAny>>,
        max_attempts: Option<i64>,
        throttle_delay: Option<&Bound<'_, PyAny>>,
        greylist_delay: Option<&Bound<'_, PyAny>>,
        suppress_full_after: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut p = retry::RetryPolicy::default();
        if let Some(v) = base_delay {
            p.base_delay = seconds(v, "base_delay")?;
        }
        if let Some(v) = max_delay {
            p.max_delay = seconds(v, "max_delay")?;
        }
        if let Some(v) = max_age {
            p.max_age = seconds(v, "max_age")?;
        }
        if let Some(v) = throttle_delay {
            p.throttle_delay = seconds(v, "throttle_delay")?;
        }
        if let Some(v) = greylist_delay {
            p.greylist_delay = seconds(v, "greylist_delay")?;
        }
        if let Some(v) = suppress_full_after {
            p.suppress_full_after = seconds(v, "suppress_full_after")?;
        }
        if max_attempts.is_some_and(|m| !(1..=i64::from(u32::MAX)).contains(&m)) {
            return Err(PyValueError::new_err("max_attempts must be at least 1 (or None for no limit)"));
        }
        p.max_attempts = max_attempts.map(|m| m as u32);
        if p.base_delay > p.max_delay {
            return Err(PyValueError::new_err("base_delay must not exceed max_delay"));
        }
        Ok(PyRetryPolicy { inner: p })
    }
    /// First retry delay, doubled per attempt (Postfix ``minimal_backoff_time``, 300 s).
    #[getter]
    fn base_delay<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.base_delay)
    }
    /// Longest retry delay (Postfix ``maximal_backoff_time``, 4000 s).
    #[getter]
    fn max_delay<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.max_delay)
    }
    /// Give up once the first attempt is this old (RFC 5321 §4.5.4.1: 4–5 days; Postfix
    /// ``maximal_queue_lifetime``, 5 days).
    #[getter]
    fn max_age<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.max_age)
    }
    /// Give up after this many attempts (``None``: only ``max_age`` limits, as in Postfix).
    #[getter]
    fn max_attempts(&self) -> Option<u32> {
        self.inner.max_attempts
    }
    /// Wait after a rate-limit reply (900 s: three times Postfix's minimal back-off).
    #[getter]
    fn throttle_delay<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.throttle_delay)
    }
    /// Wait after a greylisting deferral (300 s: Postgrey's default ``--delay``).
    #[getter]
    fn greylist_delay<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.greylist_delay)
    }
    /// Suppress an address whose mailbox has been full (or disabled) this long (5 days:
    /// Postfix ``maximal_queue_lifetime``).
    #[getter]
    fn suppress_full_after<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.suppress_full_after)
    }
    /// The back-off delay after attempt number ``attempt``.
    fn backoff<'py>(&self, py: Python<'py>, attempt: u32) -> PyResult<Bound<'py, PyAny>> {
        timedelta(py, self.inner.backoff(attempt))
    }
    fn __repr__(&self) -> String {
        let p = &self.inner;
        format!(
            "RetryPolicy(base_delay={}s, max_delay={}s, max_age={}s, max_attempts={}, throttle_delay={}s, greylist_delay={}s, suppress_full_after={}s)",
            p.base_delay,
            p.max_delay,
            p.max_age,
            p.max_attempts.map_or("None".into(), |m| m.to_string()),
            p.throttle_delay,
            p.greylist_delay,
            p.suppress_full_after
        )
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<PolicyReduce<'py>> {
        let py = slf.py();
        let p = slf.get().inner;
        let kw = PyDict::new(py);
        kw.set_item("base_delay", p.base_delay)?;
        kw.set_item("max_delay", p.max_delay)?;
        kw.set_item("max_age", p.max_age)?;
        kw.set_item("max_attempts", p.max_attempts)?;
        kw.set_item("throttle_delay", p.throttle_delay)?;
        kw.set_item("greylist_delay", p.greylist_delay)?;
        kw.set_item("suppress_full_after", p.suppress_full_after)?;
        Ok((py.import("smtpcodes._types")?.getattr("_construct")?, (slf.get_type(), kw)))
    }
}

/// What to do after a reply: the action, when to retry, whether to suppress the address.
///
/// >>> import smtpcodes
/// >>> d = smtpcodes.parse("550 5.1.1 User unknown").retry()
/// >>> d.action, d.suppress, d.scope
/// (<Action.SUPPRESS: 'suppress'>, True, <Scope.ADDRESS: 'address'>)
#[pyclass(frozen, module = "smtpcodes", name = "RetryDecision")]
pub struct PyRetryDecision {
    decision: retry::RetryDecision,
    retry_at: Option<Py<PyAny>>,
}

#[pymethods]
impl PyRetryDecision {
    /// An HTML table for Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        html_view(slf.as_any(), "decision")
    }
    #[getter]
    fn action<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_action(py, &action_value(self.decision.action).to_uppercase())
    }
    /// Time to wait before the next attempt (``None`` unless RETRY, THROTTLE, or FIX_CONFIG after a temporary refusal: retry once fixed).
    #[getter]
    fn delay<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.decision.delay.map(|d| timedelta(py, d)).transpose()
    }
    /// When to try again: ``now + delay`` (``None`` when there is no ``delay``).
    #[getter]
    fn retry_at<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.retry_at.as_ref().map(|r| r.bind(py).clone())
    }
    /// Never mail this address again.
    #[getter]
    fn suppress(&self) -> bool {
        self.decision.suppress
    }
    /// Whom the advice is about: the address, the message or the whole destination.
    #[getter]
    fn scope<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_scope(py, &scope_value(self.decision.scope).to_uppercase())
    }
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_reason(py, self.decision.classification.reason.entry().name)
    }
    #[getter]
    fn bounce<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_bounce(py, bounce_name(self.decision.classification.bounce))
    }
    /// One sentence a human can read.
    #[getter]
    fn explanation(&self) -> &str {
        &self.decision.explanation
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("action", action_value(self.decision.action))?;
        d.set_item("delay", self.decision.delay)?;
        let at = match &self.retry_at {
            Some(t) => Some(t.bind(py).call_method0("isoformat")?),
            None => None,
        };
        d.set_item("retry_at", at)?;
        d.set_item("suppress", self.decision.suppress)?;
        d.set_item("scope", scope_value(self.decision.scope))?;
        d.set_item("reason", self.decision.classification.reason.value())?;
        d.set_item("bounce", bounce_value(self.decision.classification.bounce))?;
        d.set_item("explanation", &self.decision.explanation)?;
        Ok(d)
    }
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(o) = other.cast::<PyRetryDecision>() else {
            return Ok(false);
        };
        let o = o.get();
        let same_at = match (&self.retry_at, &o.retry_at) {
            (None, None) => true,
            (Some(a), Some(b)) => a.bind(py).eq(b.bind(py))?,
            _ => false,
        };
        Ok(self.decision == o.decision && same_at)
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.decision.hash(&mut h);
        h.finish()
    }
    fn __repr__(&self) -> String {
        format!(
            "RetryDecision(action={}, delay={}, suppress={}, scope={}, explanation={:?})",
            action_value(self.decision.action).to_uppercase(),
            self.decision.delay.map_or("None".into(), |d| format!("{d}s")),
            if self.decision.suppress { "True" } else { "False" },
            scope_value(self.decision.scope).to_uppercase(),
            self.decision.explanation
        )
    }
}

/// Decides what to do with ``reply`` on attempt number ``attempt`` (1 = the first).
///
/// ``first_attempt`` and ``now`` are datetimes (``now`` defaults to the current UTC time); past
/// ``policy.max_age`` since ``first_attempt`` a transient failure is given up.
///
/// >>> import smtpcodes
/// >>> from datetime import datetime, timezone
/// >>> t0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
/// >>> d = smtpcodes.decide(smtpcodes.parse("451 4.3.0 Try again later"), attempt=2, first_attempt=t0, now=t0)
/// >>> d.action, d.delay, d.retry_at.isoformat()
/// (<Action.RETRY: 'retry'>, datetime.timedelta(seconds=600), '2026-11-25T12:10:00+00:00')
#[pyfunction]
#[pyo3(signature = (reply, attempt = 1, first_attempt = None, now = None, policy = None))]
fn decide<'py>(
    py: Python<'py>,
    reply: &Bound<'py, PyReply>,
    attempt: i64,
    first_attempt: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    policy: Option<&Bound<'py, PyRetryPolicy>>,
) -> PyResult<PyRetryDecision> {
    let Ok(attempt @ 1..) = u32::try_from(attempt) else {
        return Err(PyValueError::new_err("attempt counts from 1 (the first attempt)"));
    };
    let policy = policy.map(|p| p.get().inner).unwrap_or_default();
    let datetime = DATETIME.import(py, "datetime", "datetime")?;
    for (name, v) in [("now", now), ("first_attempt", first_attempt)] {
        if let Some(v) = v
            && !v.is_instance(datetime)?
        {
            return Err(PyTypeError::new_err(format!(
                "{name} must be a datetime.datetime, not {}",
                v.get_type().name()?
            )));
        }
    }
    let now = match now {
        Some(n) => n.clone(),
        None => utc_now(py)?,
    };
    let elapsed = match first_attempt {
        Some(f) => {
            let diff = now.call_method1("__sub__", (f,))?;
            if diff.is(py.NotImplemented()) {
                return Err(PyTypeError::new_err(
                    "first_attempt and now must both be datetimes, both naive or both aware",
                ));
            }
            let secs: f64 = diff.call_method0("total_seconds")?.extract()?;
            Some(if secs > 0.0 { secs as u64 } else { 0 })
        }
        None => None,
    };
    let inner = &reply.get().inner;
    let decision = guarded(py, || retry::decide(inner, attempt, elapsed, &policy))?;
    decision_at(py, decision, &now)
}

/// The current time, timezone-aware (UTC).
fn utc_now(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let utc = UTC.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("datetime")?.getattr("timezone")?.getattr("utc")?.unbind())
    })?;
    DATETIME.import(py, "datetime", "datetime")?.call_method1("now", (utc.bind(py),))
}

/// `decision` as Python sees it, its `retry_at` counted from `now` (`None`: the current time).
pub(crate) fn decision_at<'py>(
    py: Python<'py>,
    decision: retry::RetryDecision,
    now: &Bound<'py, PyAny>,
) -> PyResult<PyRetryDecision> {
    let retry_at = match decision.delay {
        Some(d) => Some(now.call_method1("__add__", (timedelta(py, d)?,))?.unbind()),
        None => None,
    };
    Ok(PyRetryDecision { decision, retry_at })
}

/// [`decision_at`] the current time.
pub(crate) fn decision_now(py: Python<'_>, decision: retry::RetryDecision) -> PyResult<PyRetryDecision> {
    decision_at(py, decision, &utc_now(py)?)
}

// ---------------------------------------------------------------------------------------------
// Functions

/// Parses one SMTP reply from ``str`` or ``bytes`` (decoded as UTF-8, invalid bytes replaced).
///
/// Accepts single and multi-line replies, a status before the code or alone, DSN
/// ``Diagnostic-Code`` values (``smtp; 550 …``), Exchange NDR lines (``#5.1.1 smtp;550 …``) and
/// Postfix's ``host X said: … (in reply to RCPT TO command)``. Raises ``ParseError`` (a
/// ``ValueError``) saying what was expected and where; inputs over ``MAX_INPUT_BYTES`` bytes or
/// ``MAX_LINES`` lines are refused the same way.
///
/// >>> import smtpcodes
/// >>> r = smtpcodes.parse("host mx.example.com[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)")
/// >>> r.code, str(r.status), r.text, r.remote_mta, r.smtp_command
/// (550, '5.1.1', 'User unknown', 'mx.example.com[192.0.2.1]', 'RCPT TO')
#[pyfunction]
fn parse(py: Python<'_>, reply: &Bound<'_, PyAny>) -> PyResult<PyReply> {
    parse_any(py, reply)?.map(PyReply::wrap).map_err(|e| {
        // For str input the position is an index into the str (characters), as Python counts;
        // for bytes it stays a byte offset.
        let e = match reply.cast::<PyString>() {
            Ok(s) => {
                let text = s.to_string_lossy();
                e.map_position(|p| text.get(..p).map_or(p, |head| head.chars().count()))
            }
            Err(_) => e,
        };
        to_py_err(py, e)
    })
}

/// Like ``parse`` but returns ``None`` instead of raising ``ParseError``.
///
/// >>> import smtpcodes
/// >>> smtpcodes.try_parse("garbage") is None
/// True
/// >>> smtpcodes.try_parse(b"250 OK").is_success
/// True
#[pyfunction]
fn try_parse(py: Python<'_>, reply: &Bound<'_, PyAny>) -> PyResult<Option<PyReply>> {
    Ok(parse_any(py, reply)?.ok().map(PyReply::wrap))
}

/// Text for a basic reply code or an enhanced status code, in English (``lang="en"``) or French
/// (``lang="fr"``): the RFC or IANA registry text, else the meaning of the digits.
///
/// >>> import smtpcodes
/// >>> smtpcodes.describe("5.2.2")
/// 'Mailbox full'
/// >>> smtpcodes.describe(421)
/// '<domain> Service not available, closing transmission channel'
/// >>> smtpcodes.describe("5.2.2", lang="fr")
/// 'Boîte aux lettres saturée'
#[pyfunction]
#[pyo3(signature = (code, lang = "en"))]
fn describe(py: Python<'_>, code: &Bound<'_, PyAny>, lang: &str) -> PyResult<String> {
    let text = if let Ok(n) = code.extract::<u16>() {
        n.to_string()
    } else if let Ok(s) = code.cast::<PyEnhancedStatus>() {
        s.get().inner.to_string()
    } else {
        code.extract::<String>()
            .map_err(|_| PyTypeError::new_err("describe() takes a reply code (int or str) or an enhanced status"))?
    };
    guarded(py, || text::describe(&text, lang))?.map_err(|e| to_py_err(py, e))
}

/// The reply code an Outlook Express / Windows Mail SMTP error number stands for (Microsoft's
/// imnxport.h), ``None`` for the numbers that are not a server reply; ``ValueError`` for a
/// number outside the table.
///
/// >>> import smtpcodes
/// >>> smtpcodes.outlook_error(0x800CCC67)
/// 421
/// >>> smtpcodes.outlook_error(0x800CCC79) is None
/// True
#[pyfunction]
fn outlook_error(py: Python<'_>, number: i128) -> PyResult<Option<u16>> {
    u32::try_from(number).ok().and_then(registry::outlook).map(|e| e.reply_code).ok_or_else(|| {
        to_py_err(py, crate::Error::UnknownOutlookError { number: u64::try_from(number).unwrap_or(u64::MAX) })
    })
}

/// (number, name, reply_code, text) of every Outlook error, in ``lang``.
#[pyfunction]
#[pyo3(signature = (lang = "en"))]
fn _outlook_errors(py: Python<'_>, lang: &str) -> PyResult<Vec<OutlookRow>> {
    let l = self::lang(py, lang)?;
    Ok(registry::OUTLOOK
        .iter()
        .map(|o| (o.number, o.name, o.reply_code, registry::outlook_text(o.number, l).unwrap_or(o.text)))
        .collect())
}

type OutlookRow = (u32, &'static str, Option<u16>, &'static str);
type ReplyRow = (u16, &'static str, &'static str, Vec<&'static str>);
type PolicyReduce<'py> = (Bound<'py, PyAny>, (Bound<'py, PyType>, Bound<'py, PyDict>));
type EnhancedRow = (String, u16, u16, &'static str, &'static str, Vec<u16>, &'static str, Vec<&'static str>, bool);

/// Every row of the IANA enhanced status registry, texts in ``lang``.
#[pyfunction]
#[pyo3(signature = (lang = "en"))]
fn _registry_enhanced(py: Python<'_>, lang: &str) -> PyResult<Vec<EnhancedRow>> {
    let l = self::lang(py, lang)?;
    Ok(registry::ENHANCED
        .iter()
        .map(|e| {
            let (title, description) =
                registry::enhanced_text(e.subject, e.detail, l).unwrap_or((e.title, e.description));
            (
                e.code(),
                e.subject,
                e.detail,
                title,
                description,
                e.reply_codes.to_vec(),
                e.reply_codes_text,
                e.reference.to_vec(),
                e.deprecated,
            )
        })
        .collect())
}

/// Every basic reply code: (code, text, source, other uses), text in ``lang``.
#[pyfunction]
#[pyo3(signature = (lang = "en"))]
fn _registry_replies(py: Python<'_>, lang: &str) -> PyResult<Vec<ReplyRow>> {
    let l = self::lang(py, lang)?;
    Ok(registry::REPLIES
        .iter()
        .map(|r| (r.code, registry::reply_text(r.code, l).unwrap_or(r.text), r.source, r.other_uses.to_vec()))
        .collect())
}

/// The members the core defines for each public enum, as (name, value) pairs in core order.
#[pyfunction]
fn _enum_members(name: &str) -> PyResult<Vec<(String, String)>> {
    let digits = |t: &[registry::DigitEntry]| t.iter().map(|d| (d.name.to_string(), d.digit.to_string())).collect();
    let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    Ok(match name {
        "ReplyKind" => digits(registry::KINDS),
        "Category" => digits(registry::CATEGORIES),
        "StatusClass" => digits(registry::CLASSES),
        "Subject" => digits(registry::SUBJECTS),
        "Reason" => registry::REASONS.iter().map(|r| (r.name.to_string(), r.value.to_string())).collect(),
        "Bounce" => pairs(&[("HARD", "hard"), ("SOFT", "soft"), ("NONE", "none"), ("UNKNOWN", "unknown")]),
        "Fault" => {
            use classify::Fault::*;
            [Recipient, Sender, Content, Destination, Network, None, Unknown]
                .iter()
                .map(|f| (fault_value(*f).to_uppercase(), fault_value(*f).to_string()))
                .collect()
        }
        "Action" => [
            retry::Action::Delivered,
            retry::Action::Retry,
            retry::Action::Throttle,
            retry::Action::GiveUp,
            retry::Action::Suppress,
            retry::Action::FixConfig,
        ]
        .iter()
        .map(|a| (action_value(*a).to_uppercase(), action_value(*a).to_string()))
        .collect(),
        "Scope" => [retry::Scope::Address, retry::Scope::Message, retry::Scope::Destination]
            .iter()
            .map(|s| (scope_value(*s).to_uppercase(), scope_value(*s).to_string()))
            .collect(),
        "ReportKind" => {
            crate::bounce::ReportKind::ALL.iter().map(|k| (k.value().to_uppercase(), k.value().to_string())).collect()
        }
        other => return ledger::enum_members(other).ok_or_else(|| PyValueError::new_err(format!("no enum {other:?}"))),
    })
}

/// (description, fault, default bounce) of a reason given by its Sisimai name.
#[pyfunction]
fn _reason_info(value: &str) -> PyResult<(&'static str, &'static str, &'static str)> {
    let r = classify::Reason::from_value(value).ok_or_else(|| PyValueError::new_err(format!("no reason {value:?}")))?;
    let e = r.entry();
    Ok((e.description, fault_value(e.fault), bounce_value(e.bounce)))
}

type RuleRow = (
    &'static str,
    &'static str,
    Vec<&'static str>,
    Option<&'static str>,
    Vec<u16>,
    Option<u16>,
    Vec<String>,
    Vec<&'static str>,
    i32,
    &'static str,
);

/// Every text rule of data/rules.toml: (id, reason, phrases, regex, codes, class, statuses,
/// commands, priority, source), in file order.
#[pyfunction]
fn _rules() -> Vec<RuleRow> {
    classify::rules::RULESET
        .rules()
        .iter()
        .map(|r| {
            let statuses = r
                .status
                .iter()
                .map(|p| format!("{}.{}.{}", p.class.map_or("X".to_string(), |c| c.to_string()), p.subject, p.detail))
                .collect();
            (
                r.id,
                r.reason.value(),
                r.phrases.to_vec(),
                r.regex,
                r.codes.to_vec(),
                r.class,
                statuses,
                r.commands.to_vec(),
                r.priority,
                r.source,
            )
        })
        .collect()
}

/// Languages with texts ("en" and every translation).
#[pyfunction]
fn languages() -> Vec<&'static str> {
    registry::languages()
}

/// The binding module `smtpcodes._native`. Import `smtpcodes` instead.
///
/// `gil_used = false`: free-threaded CPython (3.13t, 3.14t) may import it without turning the
/// GIL back on. PyO3 0.28+ assumes this when nothing is said; it is said here because it was
/// checked, and any change to the binding must keep it true. Free-threaded builds cannot load
/// the abi3 wheels: they build this module from the sdist, version-specific (PyO3 drops abi3
/// for them). Why it is safe with many threads and no GIL:
/// - Every `#[pyclass]` is `frozen`: methods only ever get `&self`, so there is no borrow flag
///   to race on, and PyO3 refuses to compile a pyclass that is not `Sync`. The one lazy field,
///   `PyReply::classification`, is a `std::sync::OnceLock` whose initialiser is pure Rust
///   (`classify::classify`, no Python call), so a thread waiting on it cannot deadlock with
///   the interpreter's stop-the-world pauses. `PyRetryDecision::retry_at` is a `Py<PyAny>`
///   set at construction and only read.
/// - Global state is immutable once built: `PyOnceLock` caches of Python types and enum
///   member dicts (made for free-threading: a waiting thread detaches), `LazyLock`/`OnceLock`
///   statics of compiled rules, automata, wrappers, Arrow schemas and dictionaries (pure Rust
///   initialisers), and per-thread `thread_local!` finders. The core has no `static mut`, no
///   `Mutex`-guarded mutable global, and no `unsafe` that leans on the GIL.
/// - Work done detached (`py.detach`, in `guarded_detached` and `batch::run_objects`) and on
///   rayon's threads reads only Rust data: `&[u8]`/`&str` borrowed from `bytes` and `str`
///   objects (immutable, their UTF-8 cached by CPython) that the calling thread keeps alive
///   with strong references until the work returns, Arrow buffers owned through their release
///   callbacks, and copies of `bytearray`s (`PyByteArray::to_vec`, which runs in a critical
///   section). `Bound`/`Python` are not `Send`, so the compiler keeps them out of those closures.
/// - A list another thread changes while `classify` reads it is read item by item under
///   PyO3's critical section, each item held by a strong reference; a length that changed is
///   reported as an error (`read != n`), never read out of bounds.
///
/// tests/test_threads.py runs the batch API and the frozen objects from 8 threads at once.
#[pymodule(gil_used = false)]
mod _native {
    #[pymodule_export]
    use super::{
        _enum_members, _outlook_errors, _reason_info, _registry_enhanced, _registry_replies, _rules, PyEnhancedStatus,
        PyExplanation, PyReply, PyRetryDecision, PyRetryPolicy, decide, describe, languages, outlook_error, parse,
        try_parse,
    };

    #[pymodule_export]
    use super::batch::{_classify, _parse_bounces, PyColumns};

    #[pymodule_export]
    use super::ledger::{
        _bounce_event_rows, _event_kind, _fold_rows, _health_rows, _normalize_address, _replay, _state_from_rows,
        PyAddressState, PyDestinationHealth, PyEvent, PyLedgerPolicy, address_state, destination_health,
    };

    #[pymodule_export]
    use super::bounce::{_bounce_report_from_state, PyBounceRecipient, PyBounceReport, parse_bounce};

    #[pymodule_export]
    use super::webhooks::{_parse_webhook, _webhook_decision};

    #[pymodule_export]
    const MAX_EMAIL_BYTES: usize = crate::bounce::MAX_EMAIL_BYTES;
    #[pymodule_export]
    const MAX_INPUT_BYTES: usize = crate::reply::MAX_INPUT_BYTES;
    #[pymodule_export]
    const MAX_LINES: usize = crate::reply::MAX_LINES;
}
