//! [`DeliveryError`]: one failure of a sink, as the `on_error` callback and
//! stderr see it; [`ErrorKind`]: what kind it is.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// What kind of failure a [`DeliveryError`] is. The first failure of each
/// kind is printed on stderr (unless `log_internal_errors(false)`); every
/// one goes to the `on_error` callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The receiver's host name did not resolve.
    Resolve,
    /// The connection could not be made (TCP, a Unix socket). Retried.
    Connect,
    /// The TLS handshake failed (certificate, server name, protocol).
    Tls,
    /// Writing failed (a file, stdout, a syslog stream), or the peer closed
    /// the connection.
    Write,
    /// An HTTP connection broke before the answer arrived. Retried on a new
    /// connection.
    Reset,
    /// No answer within the request timeout. Retried on a new connection.
    Timeout,
    /// A temporary refusal (HTTP 408, 429, 5xx other than 501). Retried.
    Temporary,
    /// The credentials were refused (HTTP 401, 403). Not retried.
    Unauthorized,
    /// The receiver refused the records themselves (an HTTP 4xx other than
    /// 401, 403, 408, 429, or 501; a datagram too large for the socket).
    /// Not retried.
    Rejected,
    /// The receiver accepted a request but dropped some of its records
    /// (OTLP's `partial_success`). Not retried.
    PartialSuccess,
    /// A record was dropped because the buffer was full
    /// (`drop_extra_events(true)`).
    Dropped,
    /// A record was dropped because it is larger than a batch may be.
    Oversize,
    /// A record arrived after the guard shut the layer down, or the worker
    /// had stopped.
    Closed,
    /// Records were still undelivered when the shutdown deadline passed.
    Deadline,
    /// A batch could not be compressed.
    Compression,
    /// An event could not be encoded: one of its fields' `Debug` or
    /// `Display` implementations panicked.
    Encode,
    /// A log file could not be rolled over, or a rotated file could not be
    /// compressed or deleted; writing goes on.
    Rotation,
}

// === impl ErrorKind ===

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 17] = [
        Self::Resolve,
        Self::Connect,
        Self::Tls,
        Self::Write,
        Self::Reset,
        Self::Timeout,
        Self::Temporary,
        Self::Unauthorized,
        Self::Rejected,
        Self::PartialSuccess,
        Self::Dropped,
        Self::Oversize,
        Self::Closed,
        Self::Deadline,
        Self::Compression,
        Self::Encode,
        Self::Rotation,
    ];

    /// A short lowercase name: `connect`, `write`, `dropped`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolve => "resolve",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Write => "write",
            Self::Reset => "reset",
            Self::Timeout => "timeout",
            Self::Temporary => "temporary",
            Self::Unauthorized => "unauthorized",
            Self::Rejected => "rejected",
            Self::PartialSuccess => "partial_success",
            Self::Dropped => "dropped",
            Self::Oversize => "oversize",
            Self::Closed => "closed",
            Self::Deadline => "deadline",
            Self::Compression => "compression",
            Self::Encode => "encode",
            Self::Rotation => "rotation",
        }
    }

    /// The kind's position in [`ErrorKind::ALL`].
    pub(crate) fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failure of a sink: given to the `on_error` callback every time, and
/// printed on stderr (`[logwood] <sink>: <message>`) the first time its
/// [`ErrorKind`] happens.
///
/// It names what failed (an endpoint without credentials or query string,
/// a socket address, a file path) and never holds an API key or token.
///
/// # Examples
///
/// ```
/// use logwood_core::{DeliveryError, ErrorKind};
///
/// let error = DeliveryError::new(ErrorKind::Dropped, "the buffer is full (10000 records)")
///     .with_records(1);
/// assert_eq!(error.kind(), ErrorKind::Dropped);
/// assert_eq!(error.to_string(), "the buffer is full (10000 records)");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeliveryError {
    kind: ErrorKind,
    sink: &'static str,
    message: String,
    records: u64,
    attempt: u32,
    will_retry: bool,
    status: Option<u16>,
    endpoint: Option<Arc<str>>,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

// === impl DeliveryError ===

impl DeliveryError {
    /// A failure of `kind`, described by `message` (which must hold no
    /// secret).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            sink: "",
            message: message.into(),
            records: 0,
            attempt: 0,
            will_retry: false,
            status: None,
            endpoint: None,
            source: None,
        }
    }

    /// Sets how many records the failure concerns.
    #[must_use]
    pub fn with_records(mut self, records: u64) -> Self {
        self.records = records;
        self
    }

    /// Sets which attempt failed (1 for the first).
    #[must_use]
    pub fn with_attempt(mut self, attempt: u32) -> Self {
        self.attempt = attempt;
        self
    }

    /// Sets whether the records will be tried again.
    #[must_use]
    pub fn with_retry(mut self, will_retry: bool) -> Self {
        self.will_retry = will_retry;
        self
    }

    /// Sets the receiver's status code (HTTP).
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the receiver's address (without credentials or query string).
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: Arc<str>) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Sets the underlying error (an `io::Error`, a TLS error), printed
    /// after the message.
    #[must_use]
    pub fn with_source(mut self, source: impl Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn set_sink(&mut self, sink: &'static str) {
        self.sink = sink;
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The sink that failed: `json`, `pattern`, `file`, `syslog`, `http`,
    /// `otlp`.
    pub fn sink(&self) -> &'static str {
        self.sink
    }

    /// The description, without the source error.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How many records the failure concerns (0 when it concerns none
    /// directly, as a failed connection attempt).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Which attempt failed (1 for the first); 0 when not applicable.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether the records will be tried again; if not, they are counted
    /// as `failed` (or `dropped`).
    pub fn will_retry(&self) -> bool {
        self.will_retry
    }

    /// The receiver's status code (HTTP), when it answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The receiver, when there is one: an endpoint without credentials or
    /// query string, or a socket address.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl Error for DeliveryError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_indexes_and_names() {
        let mut names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn the_source_follows_the_message() {
        let error = DeliveryError::new(ErrorKind::Write, "writing `app.log` failed")
            .with_source(std::io::Error::other("No space left on device"));
        assert_eq!(
            error.to_string(),
            "writing `app.log` failed: No space left on device"
        );
        assert!(error.source().is_some());
    }
}
