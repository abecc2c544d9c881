//! Binding of the core's bounce-email parsing (`crate::bounce`): conversions only.

use super::{
    BOUNCE_PARSE_ERROR, PyEnhancedStatus, PyReply, PyRetryDecision, bounce_from_value, bounce_name, guarded, py_bounce,
    py_reason, py_report_kind, types_attr,
};
use crate::bounce;
use crate::retry::RetryPolicy;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};

/// A recipient as plain values (pickling): address, original recipient, action, status, reply
/// (code, status, lines, remote MTA, command), remote MTA, command, diagnostic type and text,
/// reason, bounce, last attempt date, will-retry-until.
type ReplyState = (Option<u16>, Option<String>, Vec<String>, Option<String>, Option<String>);
type RecipientState = (
    (String, Option<String>, Option<String>, Option<String>),
    Option<ReplyState>,
    (Option<String>, Option<String>, Option<String>, Option<String>),
    (String, String),
    (Option<String>, Option<String>),
);
/// A report as plain values: (format, kind), reporting MTA, arrival date, feedback type,
/// recipients, original message (Message-ID, From, To, Subject, X- headers).
type ReportState = (
    (String, String),
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<RecipientState>,
    (Option<String>, Option<String>, Vec<String>, Option<String>, Vec<(String, String)>),
);

fn recipient_state(r: &bounce::BounceRecipient) -> RecipientState {
    (
        (r.address.clone(), r.original_recipient.clone(), r.action.clone(), r.status.map(|s| s.to_string())),
        r.reply.as_ref().map(|x| {
            (
                x.code().map(|c| c.value()),
                x.status().map(|s| s.to_string()),
                x.lines().to_vec(),
                x.remote_mta().map(String::from),
                x.smtp_command().map(String::from),
            )
        }),
        (r.remote_mta.clone(), r.smtp_command.clone(), r.diagnostic_type.clone(), r.diagnostic_text.clone()),
        (r.reason.value().to_string(), super::bounce_value(r.bounce).to_string()),
        (r.last_attempt_date.clone(), r.will_retry_until.clone()),
    )
}

fn bad_state(what: &str) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(format!("not a pickled BounceReport: {what}"))
}

fn status_from(s: Option<String>) -> PyResult<Option<crate::EnhancedStatus>> {
    s.map(|t| crate::EnhancedStatus::parse(&t).map_err(|_| bad_state("status"))).transpose()
}

fn recipient_from(st: RecipientState) -> PyResult<bounce::BounceRecipient> {
    let (
        (address, original_recipient, action, status),
        reply,
        (remote_mta, smtp_command, dt, dx),
        (reason, bounce),
        (lad, wru),
    ) = st;
    let reply = match reply {
        Some((code, rs, lines, rm, cmd)) => {
            let code = code.map(crate::ReplyCode::new).transpose().map_err(|_| bad_state("reply code"))?;
            Some(crate::Reply::new(code, status_from(rs)?, lines, rm, cmd).map_err(|_| bad_state("reply"))?)
        }
        None => None,
    };
    let bounce = bounce_from_value(&bounce).ok_or_else(|| bad_state("bounce"))?;
    Ok(bounce::BounceRecipient {
        address,
        original_recipient,
        action,
        status: status_from(status)?,
        remote_mta,
        diagnostic_type: dt,
        diagnostic_text: dx,
        reply,
        smtp_command,
        reason: crate::Reason::from_value(&reason).ok_or_else(|| bad_state("reason"))?,
        bounce,
        last_attempt_date: lad,
        will_retry_until: wru,
    })
}

/// Rebuilds a report from `BounceReport.__reduce__`'s state.
#[pyfunction]
pub fn _bounce_report_from_state(state: ReportState) -> PyResult<PyBounceReport> {
    let ((format, kind), reporting_mta, arrival_date, feedback_type, recipients, original) = state;
    let kind = bounce::ReportKind::from_value(&kind).ok_or_else(|| bad_state("kind"))?;
    let format = bounce::format_name(&format).ok_or_else(|| bad_state("format"))?;
    let (message_id, from, to, subject, x_headers) = original;
    Ok(PyBounceReport {
        inner: bounce::BounceReport {
            format,
            kind,
            reporting_mta,
            arrival_date,
            feedback_type,
            recipients: recipients.into_iter().map(recipient_from).collect::<PyResult<_>>()?,
            original: bounce::OriginalMessage { message_id, from, to, subject, x_headers },
        },
    })
}

/// One recipient of a bounce report: address, action, status, the reply when the report has
/// one, and what it means.
#[pyclass(frozen, module = "smtpcodes", name = "BounceRecipient")]
pub struct PyBounceRecipient {
    pub(crate) inner: bounce::BounceRecipient,
    /// The report's `Feedback-Type`: whether a recipient without a reply complained.
    feedback_type: Option<String>,
}

#[pymethods]
impl PyBounceRecipient {
    /// The recipient's address (Final-Recipient, else Original-Recipient).
    #[getter]
    fn address(&self) -> &str {
        &self.inner.address
    }
    #[getter]
    fn original_recipient(&self) -> Option<&str> {
        self.inner.original_recipient.as_deref()
    }
    /// The DSN Action, lower-case: "failed", "delayed", "delivered", "relayed", "expanded".
    #[getter]
    fn action(&self) -> Option<&str> {
        self.inner.action.as_deref()
    }
    #[getter]
    fn status(&self) -> Option<PyEnhancedStatus> {
        self.inner.status.map(PyEnhancedStatus::from_core)
    }
    /// The SMTP reply of the Diagnostic-Code (or the status with the diagnostic text).
    #[getter]
    fn reply(&self) -> Option<PyReply> {
        self.inner.reply.clone().map(PyReply::wrap)
    }
    #[getter]
    fn remote_mta(&self) -> Option<&str> {
        self.inner.remote_mta.as_deref()
    }
    #[getter]
    fn smtp_command(&self) -> Option<&str> {
        self.inner.smtp_command.as_deref()
    }
    /// The Diagnostic-Code's type ("smtp", "X-Postfix" …).
    #[getter]
    fn diagnostic_type(&self) -> Option<&str> {
        self.inner.diagnostic_type.as_deref()
    }
    /// The Diagnostic-Code's text.
    #[getter]
    fn diagnostic_text(&self) -> Option<&str> {
        self.inner.diagnostic_text.as_deref()
    }
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_reason(py, self.inner.reason.entry().name)
    }
    #[getter]
    fn bounce<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_bounce(py, bounce_name(self.inner.bounce))
    }
    /// The retry decision (default policy): the reply's, or without a reply the report's
    /// (a complaint suppresses the address, an auto-reply is delivered, a DSN ``Action`` of
    /// ``failed`` or ``delayed`` gives up or retries, by the recipient's reason). Never ``None``;
    /// the type stays optional for compatibility.
    #[getter]
    fn decision(slf: &Bound<'_, Self>) -> PyResult<Option<PyRetryDecision>> {
        let py = slf.py();
        let this = slf.get();
        let policy = RetryPolicy::default();
        let d = guarded(py, || this.inner.decide(this.feedback_type.as_deref(), 1, None, &policy))?;
        super::decision_now(py, d).map(Some)
    }
    #[getter]
    fn last_attempt_date(&self) -> Option<&str> {
        self.inner.last_attempt_date.as_deref()
    }
    #[getter]
    fn will_retry_until(&self) -> Option<&str> {
        self.inner.will_retry_until.as_deref()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.inner;
        let d = PyDict::new(py);
        d.set_item("address", &r.address)?;
        d.set_item("original_recipient", &r.original_recipient)?;
        d.set_item("action", &r.action)?;
        d.set_item("status", r.status.map(|s| s.to_string()))?;
        d.set_item("code", r.reply.as_ref().and_then(|x| x.code()).map(|c| c.value()))?;
        d.set_item("reply", r.reply.as_ref().map(|x| x.to_wire()))?;
        d.set_item("remote_mta", &r.remote_mta)?;
        d.set_item("smtp_command", &r.smtp_command)?;
        d.set_item("diagnostic_type", &r.diagnostic_type)?;
        d.set_item("diagnostic_text", &r.diagnostic_text)?;
        d.set_item("reason", r.reason.value())?;
        d.set_item("bounce", super::bounce_value(r.bounce))?;
        d.set_item("last_attempt_date", &r.last_attempt_date)?;
        d.set_item("will_retry_until", &r.will_retry_until)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "BounceRecipient(address={:?}, action={:?}, status={}, reason={})",
            self.inner.address,
            self.inner.action.as_deref().unwrap_or(""),
            self.inner.status.map_or("None".into(), |s| format!("'{s}'")),
            self.inner.reason.value()
        )
    }
}

/// A parsed bounce email: its format, the reporting MTA, one entry per recipient, and the
/// original message's headers when the report includes them.
#[pyclass(frozen, module = "smtpcodes", name = "BounceReport")]
pub struct PyBounceReport {
    pub(crate) inner: bounce::BounceReport,
}

impl PyBounceReport {
    fn recipient(&self, r: &bounce::BounceRecipient) -> PyBounceRecipient {
        PyBounceRecipient { inner: r.clone(), feedback_type: self.inner.feedback_type.clone() }
    }
}

#[pymethods]
impl PyBounceReport {
    /// An HTML table for Jupyter: one row per recipient, hard bounces red, soft amber.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        super::html_view(slf.as_any(), "bounce_report")
    }
    /// Which extractor read it: "rfc3464", "arf", "rfc3834", "postfix", "fallback" ….
    #[getter]
    fn format(&self) -> &'static str {
        self.inner.format
    }
    /// What kind of report it is: ``ReportKind.BOUNCE``, ``DELAY``, ``DELIVERY``, ``FEEDBACK``
    /// or ``AUTOREPLY``.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_report_kind(py, &self.inner.kind.value().to_uppercase())
    }
    #[getter]
    fn reporting_mta(&self) -> Option<&str> {
        self.inner.reporting_mta.as_deref()
    }
    #[getter]
    fn arrival_date(&self) -> Option<&str> {
        self.inner.arrival_date.as_deref()
    }
    /// The ARF Feedback-Type ("abuse" …), ``None`` for other reports.
    #[getter]
    fn feedback_type(&self) -> Option<&str> {
        self.inner.feedback_type.as_deref()
    }
    #[getter]
    fn recipients<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items: Vec<PyBounceRecipient> = self.inner.recipients.iter().map(|r| self.recipient(r)).collect();
        PyTuple::new(py, items)
    }
    /// The original message's Message-ID, From, To, Subject and X- headers, when included.
    #[getter]
    fn original<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = &self.inner.original;
        let d = PyDict::new(py);
        d.set_item("message_id", &o.message_id)?;
        d.set_item("from", &o.from)?;
        d.set_item("to", o.to.clone())?;
        d.set_item("subject", &o.subject)?;
        let x = PyDict::new(py);
        for (k, v) in &o.x_headers {
            x.set_item(k, v)?;
        }
        d.set_item("x_headers", x)?;
        Ok(d)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("format", self.inner.format)?;
        d.set_item("kind", self.inner.kind.value())?;
        d.set_item("reporting_mta", &self.inner.reporting_mta)?;
        d.set_item("arrival_date", &self.inner.arrival_date)?;
        d.set_item("feedback_type", &self.inner.feedback_type)?;
        let recipients =
            self.inner.recipients.iter().map(|r| self.recipient(r).to_dict(py)).collect::<PyResult<Vec<_>>>()?;
        d.set_item("recipients", recipients)?;
        d.set_item("original", self.original(py)?)?;
        Ok(d)
    }
    fn __len__(&self) -> usize {
        self.inner.recipients.len()
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (ReportState,))> {
        let o = &self.inner.original;
        let state: ReportState = (
            (self.inner.format.to_string(), self.inner.kind.value().to_string()),
            self.inner.reporting_mta.clone(),
            self.inner.arrival_date.clone(),
            self.inner.feedback_type.clone(),
            self.inner.recipients.iter().map(recipient_state).collect(),
            (o.message_id.clone(), o.from.clone(), o.to.clone(), o.subject.clone(), o.x_headers.clone()),
        );
        Ok((py.import("smtpcodes._native")?.getattr("_bounce_report_from_state")?, (state,)))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyBounceReport>().is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "BounceReport(format={:?}, recipients=[{}])",
            self.inner.format,
            self.inner
                .recipients
                .iter()
                .map(|r| format!("{:?}: {}", r.address, r.reason.value()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Parses a bounce email (``bytes``, or ``str`` encoded as UTF-8): a standard delivery status
/// notification (RFC 3464, also RFC 6533), an ARF feedback report (RFC 5965), an auto-reply
/// (RFC 3834), an MTA's or service's own report, or any other report its sender, subject and
/// words say is one. ``report.kind`` says which kind it is. Raises ``BounceParseError`` when the
/// input is not an email or not a report.
///
/// >>> import smtpcodes
/// >>> raw = (b"From: MAILER-DAEMON@example.org\r\nTo: me@example.com\r\nSubject: Undelivered\r\n"
/// ...        b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
/// ...        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
/// ...        b"Final-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
/// ...        b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n--b--\r\n")
/// >>> report = smtpcodes.parse_bounce(raw)
/// >>> report.format, report.kind, report.recipients[0].address, report.recipients[0].reason
/// ('rfc3464', <ReportKind.BOUNCE: 'bounce'>, 'bob@example.net', <Reason.USER_UNKNOWN: 'userunknown'>)
/// >>> smtpcodes.parse_bounce(b"From: MAILER-DAEMON@example.org\nSubject: failure notice\n\n"
/// ...     b"<carol@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n").recipients[0].reason
/// <Reason.USER_UNKNOWN: 'userunknown'>
#[pyfunction]
pub fn parse_bounce(py: Python<'_>, email: &Bound<'_, PyAny>) -> PyResult<PyBounceReport> {
    // Borrowed, not copied: `bytes` and `str` are immutable and `email` keeps them alive (a 20 MB
    // email would cost more to copy than to read, src/bounce/clip.rs).
    let lossy;
    let bytes: &[u8] = if let Ok(b) = email.cast::<PyBytes>() {
        b.as_bytes()
    } else if let Ok(s) = email.cast::<PyString>() {
        lossy = s.to_string_lossy();
        lossy.as_bytes()
    } else {
        return Err(PyTypeError::new_err("parse_bounce() takes the email as bytes or str"));
    };
    // The GIL is released while the core parses (an email can be megabytes).
    let result = super::guarded_detached(py, || bounce::parse_bounce(bytes))?;
    result.map(|inner| PyBounceReport { inner }).map_err(|e| {
        let kind = match e {
            crate::Error::NotABounce { .. } => Some("not_a_bounce"),
            crate::Error::EmailTooLarge { .. } | crate::Error::ReportTooLarge { .. } => Some("too_large"),
            crate::Error::NotAnEmail { .. } => Some("not_an_email"),
            _ => None,
        };
        match types_attr(py, &BOUNCE_PARSE_ERROR, "BounceParseError").and_then(|t| t.call1((e.to_string(), kind))) {
            Ok(inst) => PyErr::from_value(inst),
            Err(err) => err,
        }
    })
}
