//! What every HTTP sink of this crate shares between its builder and its
//! layer: the transport options ([`Transport`]), their validation into a
//! [`Pipeline`], and the wiring of the batch buffer, the worker thread and
//! the guard.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{self, HeaderMap, HeaderValue};
#[cfg(feature = "tls")]
use logwood_core::__private::TlsOptions;
use logwood_core::__private::{Backoff, DeliveryOptions, Reporter};
use logwood_core::{FlushGuard, JitterMode};

use crate::batch::{Buffer, Limits};
use crate::body::Framing;
use crate::builder::{
    DEFAULT_CONNECTION_MAX_AGE, DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_RETRIES,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_INITIAL, DEFAULT_RETRY_MAX, MIN_MAX_BATCH_BYTES,
};
use crate::client::{self, Client, Endpoint, Security};
use crate::error::BuildError;
use crate::guard::WorkerHandle;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::worker::Worker;

/// The transport options of an HTTP sink, as given.
pub(crate) struct Transport {
    pub(crate) url: String,
    pub(crate) flush_interval: Duration,
    pub(crate) max_batch_bytes: usize,
    pub(crate) max_retries: u32,
    pub(crate) retry_initial: Duration,
    pub(crate) retry_max: Duration,
    pub(crate) retry_jitter: JitterMode,
    pub(crate) request_timeout: Duration,
    pub(crate) connection_max_age: Duration,
    #[cfg(feature = "gzip")]
    pub(crate) gzip: bool,
    pub(crate) headers: Vec<(String, String)>,
}

// === impl Transport ===

impl Transport {
    /// The defaults, posting to `url`, batches of at most `max_batch_bytes`.
    pub(crate) fn new(url: String, max_batch_bytes: usize) -> Self {
        Self {
            url,
            flush_interval: DEFAULT_FLUSH_INTERVAL,
            max_batch_bytes,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_initial: DEFAULT_RETRY_INITIAL,
            retry_max: DEFAULT_RETRY_MAX,
            retry_jitter: JitterMode::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connection_max_age: DEFAULT_CONNECTION_MAX_AGE,
            #[cfg(feature = "gzip")]
            gzip: false,
            headers: Vec::new(),
        }
    }

    /// Adds the options to a builder's `Debug`: the URL as errors print it
    /// (it may hold a token in its query), header names only.
    pub(crate) fn debug_fields(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        match Endpoint::parse(&self.url) {
            Ok(endpoint) => d.field("url", endpoint.display()),
            Err(_) => d.field("url", &"<invalid>"),
        };
        d.field("flush_interval", &self.flush_interval)
            .field("max_batch_bytes", &self.max_batch_bytes)
            .field("max_retries", &self.max_retries)
            .field("retry_initial", &self.retry_initial)
            .field("retry_max", &self.retry_max)
            .field("retry_jitter", &self.retry_jitter)
            .field("request_timeout", &self.request_timeout)
            .field("connection_max_age", &self.connection_max_age);
        #[cfg(feature = "gzip")]
        d.field("gzip", &self.gzip);
        // Header values often are credentials: names only.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        d.field("headers", &names);
    }

    fn gzip(&self) -> bool {
        #[cfg(feature = "gzip")]
        return self.gzip;
        #[cfg(not(feature = "gzip"))]
        false
    }
}

/// What a sink is, besides its transport options.
pub(crate) struct Sink {
    pub(crate) framing: Framing,
    pub(crate) policy: RetryPolicy,
    /// `Authorization: Bearer {key}`.
    pub(crate) api_key: Option<Secret>,
    /// The largest `max_batch_bytes` the protocol allows.
    pub(crate) max_batch_limit: usize,
    pub(crate) reporter: Reporter,
}

/// The options, checked and typed: everything [`Pipeline::start`] needs.
pub(crate) struct Pipeline {
    endpoint: Endpoint,
    security: Security,
    /// Every header but `Content-Length` and `Content-Encoding`.
    headers: HeaderMap,
    framing: Framing,
    gzip: bool,
    limits: Limits,
    policy: RetryPolicy,
    max_retries: u32,
    request_timeout: Duration,
    backoff: Backoff,
    connection_max_age: Duration,
    shutdown_timeout: Duration,
    secrets: Vec<Secret>,
    reporter: Reporter,
}

// === impl Pipeline ===

impl Pipeline {
    /// Validates the options (no thread, no socket yet; TLS files are read
    /// here, so that their errors surface at build).
    pub(crate) fn validate(
        t: Transport,
        delivery: DeliveryOptions,
        #[cfg(feature = "tls")] tls: &TlsOptions,
        sink: Sink,
    ) -> Result<Self, BuildError> {
        let endpoint = Endpoint::parse(&t.url)?;
        delivery.validate()?;
        check_timings(&t, sink.max_batch_limit)?;
        #[cfg(feature = "tls")]
        let security = security(&endpoint, tls)?;
        #[cfg(not(feature = "tls"))]
        let security = security(&endpoint)?;
        let headers = headers(&endpoint, &t, &sink)?;
        let mut secrets: Vec<Secret> = sink.api_key.into_iter().collect();
        for (name, value) in &t.headers {
            secrets.extend(header_secrets(name, value));
        }
        let gzip = t.gzip();
        Ok(Self {
            security,
            headers,
            gzip,
            limits: Limits {
                capacity: delivery.buffer_capacity,
                max_batch_bytes: t.max_batch_bytes,
                head_len: sink.framing.max_overhead(),
                drop_extra_events: delivery.drop_extra_events,
                flush_interval: t.flush_interval,
            },
            framing: sink.framing,
            policy: sink.policy,
            max_retries: t.max_retries,
            request_timeout: t.request_timeout,
            backoff: Backoff::new(t.retry_initial, t.retry_max, t.retry_jitter),
            connection_max_age: t.connection_max_age,
            shutdown_timeout: delivery.shutdown_timeout,
            secrets,
            reporter: sink.reporter,
            endpoint,
        })
    }

    /// Starts the worker thread; returns the buffer the layer appends to
    /// and the guard.
    pub(crate) fn start(self) -> Result<(Arc<Buffer>, FlushGuard), BuildError> {
        let display = Arc::clone(self.endpoint.display());
        let buffer = Arc::new(Buffer::new(self.limits, self.reporter, display));
        let worker = Worker {
            buffer: Arc::clone(&buffer),
            client: Client::new(
                self.endpoint,
                self.security,
                self.headers,
                self.connection_max_age,
            ),
            framing: self.framing,
            gzip: self.gzip,
            policy: self.policy,
            max_retries: self.max_retries,
            request_timeout: self.request_timeout,
            backoff: self.backoff,
            secrets: self.secrets,
            zip_spare: Vec::new(),
        }
        .spawn()
        .map_err(BuildError::Worker)?;
        let guard = WorkerHandle::guard(Arc::clone(&buffer), worker, self.shutdown_timeout);
        Ok((buffer, guard))
    }
}

/// The texts of a user header that are scrubbed from server text before it
/// is reported: the value, and the credential after an `Authorization`
/// scheme (`Bearer abc` gives `abc` too). Short values of headers whose
/// name says nothing of a credential (`x-tenant: eu`) are left alone, so
/// that reports stay readable.
fn header_secrets(name: &str, value: &str) -> Vec<Secret> {
    let name = name.to_ascii_lowercase();
    let credential = [
        "auth", "key", "token", "secret", "password", "session", "cookie",
    ]
    .iter()
    .any(|word| name.contains(word));
    let value = value.trim();
    if value.is_empty() || (!credential && value.len() < 6) {
        return Vec::new();
    }
    let mut secrets = vec![Secret::new(value)];
    if let Some((_, rest)) = value.split_once(' ')
        && credential
        && !rest.trim().is_empty()
    {
        secrets.push(Secret::new(rest.trim()));
    }
    secrets
}

/// Checks the durations and sizes of the transport options.
fn check_timings(t: &Transport, max_batch_limit: usize) -> Result<(), BuildError> {
    check_nonzero("flush_interval", t.flush_interval)?;
    check_nonzero("request_timeout", t.request_timeout)?;
    check_nonzero("retry_initial", t.retry_initial)?;
    check_nonzero("connection_max_age", t.connection_max_age)?;
    if t.max_batch_bytes < MIN_MAX_BATCH_BYTES {
        return Err(BuildError::invalid(
            "max_batch_bytes",
            format!("must be at least {MIN_MAX_BATCH_BYTES} bytes"),
        ));
    }
    if t.max_batch_bytes > max_batch_limit {
        return Err(BuildError::invalid(
            "max_batch_bytes",
            format!("must be at most {max_batch_limit} bytes"),
        ));
    }
    if t.retry_max < t.retry_initial {
        return Err(BuildError::invalid(
            "retry_max",
            "must be at least `retry_initial`",
        ));
    }
    Ok(())
}

fn check_nonzero(option: &'static str, value: Duration) -> Result<(), BuildError> {
    if value.is_zero() {
        return Err(BuildError::invalid(option, "must be greater than zero"));
    }
    Ok(())
}

/// The transport of `endpoint`: plain TCP, or TLS with `tls`'s settings
/// (its files read now).
#[cfg(feature = "tls")]
fn security(endpoint: &Endpoint, tls: &TlsOptions) -> Result<Security, BuildError> {
    if endpoint.is_https() {
        client::tls(endpoint, tls)
    } else {
        Ok(Security::Plain)
    }
}

/// The transport of `endpoint`: plain TCP (`https` needs the `tls`
/// feature).
#[cfg(not(feature = "tls"))]
fn security(endpoint: &Endpoint) -> Result<Security, BuildError> {
    if endpoint.is_https() {
        return Err(BuildError::invalid(
            "url",
            "is https, which needs the `tls` feature of logwood-http",
        ));
    }
    Ok(Security::Plain)
}

/// The headers of every request: `Host`, `User-Agent`, `Content-Type`,
/// `Authorization` (marked sensitive), then the user's.
fn headers(endpoint: &Endpoint, t: &Transport, sink: &Sink) -> Result<HeaderMap, BuildError> {
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, endpoint.host_header().clone());
    headers.insert(
        header::USER_AGENT,
        HeaderValue::from_static(concat!("logwood/", env!("CARGO_PKG_VERSION"))),
    );
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(sink.framing.content_type()),
    );
    if let Some(key) = &sink.api_key {
        if key.expose().trim().is_empty() {
            return Err(BuildError::invalid(
                "api_key",
                "is empty: give the source token or API key (is the environment variable \
                 holding it set?), or leave `api_key` out for an endpoint without \
                 authentication",
            ));
        }
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                BuildError::invalid(
                    "api_key",
                    "holds characters that cannot be sent in an HTTP header",
                )
            })?;
        value.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, value);
    }
    for (name, value) in &t.headers {
        let (name, value) = client::user_header(name, value)?;
        headers.insert(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubbed(name: &str, value: &str, text: &str) -> String {
        header_secrets(name, value)
            .iter()
            .fold(text.to_owned(), |text, secret| secret.scrub(&text))
    }

    #[test]
    fn credential_headers_are_scrubbed_whole_and_after_their_scheme() {
        assert_eq!(
            scrubbed(
                "Authorization",
                "Bearer abc",
                "token abc refused (Bearer abc)"
            ),
            "token **REDACTED** refused (**REDACTED**)"
        );
        assert_eq!(
            scrubbed("x-api-key", "k1", "bad key k1"),
            "bad key **REDACTED**"
        );
        // A short, plain value is kept: reports stay readable.
        assert_eq!(
            scrubbed("x-tenant", "eu", "tenant eu unknown"),
            "tenant eu unknown"
        );
        assert_eq!(
            scrubbed("x-tenant", "acme-prod", "tenant acme-prod unknown"),
            "tenant **REDACTED** unknown"
        );
    }
}
