//! Configuration errors ([`BuildError`]), delivery failures
//! ([`DeliveryError`]) and [`FlushTimeout`].
//!
//! None of them ever holds the API key: endpoints are printed without
//! credentials or query string, and text from the server is scrubbed of the
//! key before it is kept.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Why [`HttpLayerBuilder::build`](crate::HttpLayerBuilder::build) refused
/// the configuration. Each message names the option in backticks and says
/// what is allowed.
///
/// An unreachable endpoint is **not** a build error: the worker connects in
/// the background, and retries.
///
/// # Examples
///
/// ```
/// let err = logwood_http::HttpLayer::builder("http://127.0.0.1:9/frames")
///     .buffer_capacity(0)
///     .build()
///     .unwrap_err();
/// assert_eq!(err.option(), "buffer_capacity");
/// assert_eq!(err.to_string(), "`buffer_capacity` must be greater than zero");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An option has a value outside what it allows.
    #[error("`{option}` {reason}")]
    InvalidOption {
        /// The option, as the builder method is named.
        option: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A file named by an option could not be read.
    #[error("`{option}` file {} cannot be read", path.display())]
    ReadFile {
        /// The option (`ca_file`).
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The TLS settings are unusable (no root certificates, a CA file with
    /// no certificate in it, …).
    #[error("`{option}`: {reason}")]
    Tls {
        /// The option (`url` for the system roots, or `ca_file`).
        option: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The worker thread or its runtime could not be started.
    #[error("the HTTP layer's worker thread could not start")]
    Worker(#[source] io::Error),
}

// === impl BuildError ===

impl BuildError {
    pub(crate) fn invalid(option: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidOption {
            option,
            reason: reason.into(),
        }
    }

    /// The option this error is about (`url`, `buffer_capacity`, `ca_file`,
    /// …); `worker` for [`BuildError::Worker`].
    pub fn option(&self) -> &'static str {
        match self {
            Self::InvalidOption { option, .. }
            | Self::ReadFile { option, .. }
            | Self::Tls { option, .. } => option,
            Self::Worker(_) => "worker",
        }
    }
}

/// What kind of delivery failure a [`DeliveryError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 401 or 403: the credentials were refused. Not retried.
    Unauthorized,
    /// A 4xx other than 401, 403, 408 and 429, or 501: the endpoint refused
    /// the batch itself. Not retried.
    Rejected,
    /// 408, 429 or a 5xx other than 501: a temporary failure. Retried.
    Temporary,
    /// The connection could not be opened (DNS, TCP or TLS). Retried on a
    /// new connection.
    Connect,
    /// The connection broke before the answer arrived. Retried on a new
    /// connection.
    Reset,
    /// No answer within `request_timeout`. Retried on a new connection.
    Timeout,
    /// The shutdown deadline passed with these records undelivered.
    Deadline,
    /// The batch could not be compressed. Not retried.
    Compression,
}

// === impl ErrorKind ===

impl ErrorKind {
    pub(crate) const ALL: [ErrorKind; 8] = [
        Self::Unauthorized,
        Self::Rejected,
        Self::Temporary,
        Self::Connect,
        Self::Reset,
        Self::Timeout,
        Self::Deadline,
        Self::Compression,
    ];

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Unauthorized => 0,
            Self::Rejected => 1,
            Self::Temporary => 2,
            Self::Connect => 3,
            Self::Reset => 4,
            Self::Timeout => 5,
            Self::Deadline => 6,
            Self::Compression => 7,
        }
    }
}

/// A batch could not be delivered on one attempt (or at all); passed to the
/// [`on_error`](crate::HttpLayerBuilder::on_error) callback and reported on
/// stderr once per [`ErrorKind`].
///
/// It names the endpoint (scheme, host, port and path: never credentials or
/// the query string) and never holds the API key.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeliveryError {
    pub(crate) kind: ErrorKind,
    pub(crate) endpoint: Arc<str>,
    pub(crate) status: Option<u16>,
    pub(crate) records: usize,
    pub(crate) attempt: u32,
    pub(crate) will_retry: bool,
    pub(crate) detail: String,
}

// === impl DeliveryError ===

impl DeliveryError {
    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The endpoint, without credentials or query string.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// How many records the batch holds.
    pub fn records(&self) -> usize {
        self.records
    }

    /// Which attempt failed (1 for the first); 0 for a
    /// [`Deadline`](ErrorKind::Deadline).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether the batch will be tried again; if not, its records are
    /// counted as `failed`.
    pub fn will_retry(&self) -> bool {
        self.will_retry
    }

    /// The server's explanation (the start of its answer's body, scrubbed
    /// of the API key) or the transport error, possibly empty.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = &self.endpoint;
        match (self.kind, self.status) {
            (ErrorKind::Deadline, _) => write!(
                f,
                "{} records not delivered to {endpoint} by the shutdown deadline",
                self.records
            )?,
            (ErrorKind::Compression, _) => {
                write!(f, "a batch for {endpoint} could not be compressed")?;
            }
            (ErrorKind::Unauthorized, Some(status)) => write!(
                f,
                "POST {endpoint} answered {status}: the API key was refused"
            )?,
            (_, Some(status)) => write!(f, "POST {endpoint} answered {status}")?,
            (ErrorKind::Connect, None) => write!(f, "could not connect to {endpoint}")?,
            (ErrorKind::Timeout, None) => write!(f, "POST {endpoint} timed out")?,
            (_, None) => write!(f, "the connection to {endpoint} broke")?,
        }
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        if self.kind == ErrorKind::Deadline {
            return Ok(());
        }
        if self.will_retry {
            write!(
                f,
                "; attempt {} for {} records, retrying",
                self.attempt, self.records
            )
        } else {
            write!(
                f,
                "; {} records not delivered after {} attempt{}",
                self.records,
                self.attempt,
                if self.attempt == 1 { "" } else { "s" }
            )
        }
    }
}

impl std::error::Error for DeliveryError {}

/// [`FlushGuard::flush`](crate::FlushGuard::flush) ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("flush gave up after {waited:?} with {pending} records not yet delivered")]
#[non_exhaustive]
pub struct FlushTimeout {
    /// How long the flush waited.
    pub waited: Duration,
    /// Records buffered or in flight when it gave up.
    pub pending: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: ErrorKind, status: Option<u16>, will_retry: bool) -> DeliveryError {
        DeliveryError {
            kind,
            endpoint: "https://logs.example.com/frames".into(),
            status,
            records: 5,
            attempt: 3,
            will_retry,
            detail: String::new(),
        }
    }

    #[test]
    fn delivery_errors_name_the_endpoint_status_and_outcome() {
        assert_eq!(
            error(ErrorKind::Unauthorized, Some(401), false).to_string(),
            "POST https://logs.example.com/frames answered 401: the API key was refused; \
             5 records not delivered after 3 attempts"
        );
        assert_eq!(
            error(ErrorKind::Temporary, Some(503), true).to_string(),
            "POST https://logs.example.com/frames answered 503; attempt 3 for 5 records, retrying"
        );
        assert_eq!(
            error(ErrorKind::Connect, None, true).to_string(),
            "could not connect to https://logs.example.com/frames; attempt 3 for 5 records, retrying"
        );
        assert_eq!(
            error(ErrorKind::Deadline, None, false).to_string(),
            "5 records not delivered to https://logs.example.com/frames by the shutdown deadline"
        );
    }

    #[test]
    fn kinds_have_distinct_indexes() {
        let mut seen = [false; ErrorKind::ALL.len()];
        for kind in ErrorKind::ALL {
            assert!(!seen[kind.index()]);
            seen[kind.index()] = true;
        }
    }
}
