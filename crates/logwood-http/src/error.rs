//! Configuration errors ([`BuildError`]) and the [`DeliveryError`]s the
//! layer reports, in core's vocabulary.
//!
//! None of them ever holds the API key: endpoints are printed without
//! credentials or query string, and text from the server or the transport
//! is scrubbed of the key before it is kept.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use logwood_core::{DeliveryError, ErrorKind, InvalidOption};

use crate::secret::Secret;

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
        /// The option (`ca_file`, `client_cert`, `client_key`).
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The TLS settings are unusable (no root certificates, a CA file with
    /// no certificate in it, a key that does not fit its certificate, …).
    #[error("`{option}`: {reason}")]
    Tls {
        /// The option (`url` for the system roots, or `ca_file`,
        /// `client_cert`, `client_key`, `server_name`).
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

impl From<InvalidOption> for BuildError {
    fn from(e: InvalidOption) -> Self {
        Self::InvalidOption {
            option: e.option,
            reason: e.reason,
        }
    }
}

#[cfg(feature = "tls")]
impl From<logwood_core::__private::tls::TlsConfigError> for BuildError {
    fn from(e: logwood_core::__private::tls::TlsConfigError) -> Self {
        use logwood_core::__private::tls::TlsConfigError;

        match e {
            TlsConfigError::ReadFile {
                option,
                path,
                source,
            } => Self::ReadFile {
                option,
                path,
                source,
            },
            TlsConfigError::Tls { option, reason } => Self::Tls { option, reason },
            TlsConfigError::Incomplete { option, reason } => Self::InvalidOption { option, reason },
            other => Self::Tls {
                option: "url",
                reason: format!("TLS cannot be set up: {other:?}"),
            },
        }
    }
}

/// The cause of a failure as text (a transport error with its sources, or
/// the start of the server's answer), scrubbed of the API key: the source
/// of a [`DeliveryError`], printed after its message.
#[derive(Debug, Clone)]
pub(crate) struct Cause(pub(crate) String);

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

/// `error` and its sources, joined with `: ` (hyper's errors say little on
/// their own: "client error (Connect)").
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text
}

/// One failed attempt to post a batch: what the worker knows of it.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) kind: ErrorKind,
    /// The status, when the server answered.
    pub(crate) status: Option<u16>,
    /// The transport error, or the start of the answer's body (scrubbed);
    /// possibly empty.
    pub(crate) cause: String,
}

// === impl Failure ===

impl Failure {
    /// A failure of `kind`, caused by `cause` (the API key and header
    /// values, `secrets`, are scrubbed from it: a server may quote the
    /// token it refused).
    pub(crate) fn new(
        kind: ErrorKind,
        status: Option<u16>,
        cause: &str,
        secrets: &[Secret],
    ) -> Self {
        let cause = secrets
            .iter()
            .fold(cause.to_owned(), |cause, secret| secret.scrub(&cause));
        Self {
            kind,
            status,
            cause,
        }
    }

    /// The failure as the shutdown-deadline report names it:
    /// `connect: Connection refused (os error 111)`,
    /// `temporary: answered 503: overloaded`.
    pub(crate) fn summary(&self) -> String {
        let mut text = format!("{}: ", self.kind);
        if let Some(status) = self.status {
            text.push_str(&format!("answered {status}"));
            if !self.cause.is_empty() {
                text.push_str(": ");
            }
        }
        text.push_str(&self.cause);
        text
    }

    /// The report of this failure for a batch of `records` records on
    /// attempt `attempt` (0: before any attempt, as a compression failure).
    ///
    /// `POST http://host:80/frames answered 503 (attempt 1 for 5 records,
    /// retrying): overloaded`
    pub(crate) fn report(
        &self,
        endpoint: &Arc<str>,
        records: u64,
        attempt: u32,
        will_retry: bool,
    ) -> DeliveryError {
        let what = match (self.kind, self.status) {
            (ErrorKind::Compression, _) => {
                format!("a batch for {endpoint} could not be compressed")
            }
            (ErrorKind::Unauthorized, Some(status)) => {
                format!("POST {endpoint} answered {status}: the API key was refused")
            }
            (_, Some(status)) => format!("POST {endpoint} answered {status}"),
            (ErrorKind::Connect, None) => format!("could not connect to {endpoint}"),
            (ErrorKind::Timeout, None) => format!("POST {endpoint} timed out"),
            (_, None) => format!("the connection to {endpoint} broke"),
        };
        let outcome = if will_retry {
            format!("attempt {attempt} for {records} records, retrying")
        } else if attempt == 0 {
            format!("{records} records not delivered")
        } else {
            format!(
                "{records} records not delivered after {attempt} attempt{}",
                if attempt == 1 { "" } else { "s" }
            )
        };
        let mut error = DeliveryError::new(self.kind, format!("{what} ({outcome})"))
            .with_records(records)
            .with_attempt(attempt)
            .with_retry(will_retry)
            .with_endpoint(Arc::clone(endpoint));
        if let Some(status) = self.status {
            error = error.with_status(status);
        }
        if !self.cause.is_empty() {
            error = error.with_source(Cause(self.cause.clone()));
        }
        error
    }
}

/// The report of an OTLP partial success: the receiver accepted a batch of
/// `records` records but rejected `rejected` of them, saying `message`
/// (scrubbed of secrets).
pub(crate) fn partial(
    endpoint: &Arc<str>,
    records: u64,
    rejected: u64,
    message: String,
) -> DeliveryError {
    let mut text = format!(
        "POST {endpoint} accepted a batch of {records} records but rejected {rejected} of them \
         (counted in `failed` and `rejected`, not retried)"
    );
    if !message.is_empty() {
        text.push_str(": ");
        text.push_str(&message);
    }
    DeliveryError::new(ErrorKind::PartialSuccess, text)
        .with_records(rejected)
        .with_status(200)
        .with_endpoint(Arc::clone(endpoint))
}

/// The report of `records` records still undelivered at the shutdown
/// deadline, naming the last failure (if an attempt had failed).
pub(crate) fn deadline(
    endpoint: &Arc<str>,
    records: u64,
    last_failure: Option<&Failure>,
) -> DeliveryError {
    let last = match last_failure {
        Some(failure) => format!("last failure: {}", failure.summary()),
        None => "no attempt had failed yet".to_owned(),
    };
    DeliveryError::new(
        ErrorKind::Deadline,
        format!("{records} records not delivered to {endpoint} by the shutdown deadline; {last}"),
    )
    .with_records(records)
    .with_endpoint(Arc::clone(endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Arc<str> {
        "https://logs.example.com:443/frames".into()
    }

    fn failure(kind: ErrorKind, status: Option<u16>, cause: &str) -> Failure {
        Failure {
            kind,
            status,
            cause: cause.to_owned(),
        }
    }

    #[test]
    fn delivery_errors_name_the_endpoint_status_outcome_and_cause() {
        let e = failure(ErrorKind::Unauthorized, Some(401), "").report(&endpoint(), 5, 3, false);
        assert_eq!(
            e.to_string(),
            "POST https://logs.example.com:443/frames answered 401: the API key was refused \
             (5 records not delivered after 3 attempts)"
        );
        assert_eq!((e.status(), e.records(), e.attempt()), (Some(401), 5, 3));
        let e =
            failure(ErrorKind::Temporary, Some(503), "overloaded").report(&endpoint(), 5, 1, true);
        assert_eq!(
            e.to_string(),
            "POST https://logs.example.com:443/frames answered 503 (attempt 1 for 5 records, \
             retrying): overloaded"
        );
        assert!(e.will_retry());
        let e = failure(
            ErrorKind::Connect,
            None,
            "Connection refused (os error 111)",
        )
        .report(&endpoint(), 5, 1, true);
        assert_eq!(
            e.to_string(),
            "could not connect to https://logs.example.com:443/frames (attempt 1 for 5 records, \
             retrying): Connection refused (os error 111)"
        );
        assert_eq!(
            e.message(),
            "could not connect to https://logs.example.com:443/frames (attempt 1 for 5 records, retrying)"
        );
        assert_eq!(e.endpoint(), Some("https://logs.example.com:443/frames"));
        let e = failure(ErrorKind::Compression, None, "disk").report(&endpoint(), 2, 0, false);
        assert_eq!(
            e.to_string(),
            "a batch for https://logs.example.com:443/frames could not be compressed \
             (2 records not delivered): disk"
        );
    }

    #[test]
    fn reports_scrub_the_api_key_from_server_text() {
        let secret = Secret::new("sekrit-key");
        let failure = Failure::new(
            ErrorKind::Unauthorized,
            Some(401),
            "token sekrit-key is not valid",
            std::slice::from_ref(&secret),
        );
        let text = failure.report(&endpoint(), 3, 1, false).to_string();
        assert!(!text.contains("sekrit"), "{text}");
        assert!(text.contains("**REDACTED**"), "{text}");
        assert!(
            text.contains("https://logs.example.com:443/frames"),
            "{text}"
        );
        let text = deadline(&endpoint(), 3, Some(&failure)).to_string();
        assert!(!text.contains("sekrit"), "{text}");
    }

    #[test]
    fn the_deadline_report_names_the_last_failure() {
        let last = failure(ErrorKind::Connect, None, "connection refused");
        let e = deadline(&endpoint(), 10, Some(&last));
        assert_eq!(e.kind(), ErrorKind::Deadline);
        assert_eq!(e.records(), 10);
        assert_eq!(
            e.to_string(),
            "10 records not delivered to https://logs.example.com:443/frames by the shutdown \
             deadline; last failure: connect: connection refused"
        );
        let last = failure(ErrorKind::Temporary, Some(503), "");
        assert!(
            deadline(&endpoint(), 1, Some(&last))
                .to_string()
                .ends_with("last failure: temporary: answered 503")
        );
        assert!(
            deadline(&endpoint(), 1, None)
                .to_string()
                .ends_with("no attempt had failed yet")
        );
    }

    #[test]
    fn invalid_options_convert_naming_the_option() {
        let e = BuildError::from(InvalidOption::new(
            "buffer_capacity",
            "must be greater than zero",
        ));
        assert_eq!(e.option(), "buffer_capacity");
        assert_eq!(e.to_string(), "`buffer_capacity` must be greater than zero");
    }

    #[test]
    fn a_chain_joins_the_sources() {
        #[derive(Debug)]
        struct Outer(io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(io::Error::other("Connection refused"));
        assert_eq!(chain(&e), "client error (Connect): Connection refused");
    }
}
