//! Configuration of [`HttpLayer`]: options, validation, start-up.

use std::fmt;
#[cfg(feature = "tls")]
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::{self, HeaderMap, HeaderValue};
use logwood_core::context::{StaticContext, Value};
use logwood_core::record::RecordOptions;

use crate::batch::{Buffer, Limits};
use crate::body::Format;
use crate::client::{self, Client, Endpoint, Security};
use crate::error::{BuildError, DeliveryError};
use crate::guard::FlushGuard;
use crate::layer::HttpLayer;
use crate::retry::{Backoff, JitterMode};
use crate::secret::Secret;
use crate::worker::{OnError, Reporter, Worker};

/// Default of [`buffer_capacity`](HttpLayerBuilder::buffer_capacity): 1000
/// records, as Timber's `TimberHandler`.
pub const DEFAULT_BUFFER_CAPACITY: usize = 1000;
/// Default of [`flush_interval`](HttpLayerBuilder::flush_interval): 1 second.
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// Default of [`max_batch_bytes`](HttpLayerBuilder::max_batch_bytes): 1 MiB.
pub const DEFAULT_MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Default of [`max_retries`](HttpLayerBuilder::max_retries): 8.
pub const DEFAULT_MAX_RETRIES: u32 = 8;
/// Default of [`retry_initial`](HttpLayerBuilder::retry_initial): 100 ms.
pub const DEFAULT_RETRY_INITIAL: Duration = Duration::from_millis(100);
/// Default of [`retry_max`](HttpLayerBuilder::retry_max): 30 seconds.
pub const DEFAULT_RETRY_MAX: Duration = Duration::from_secs(30);
/// Default of [`request_timeout`](HttpLayerBuilder::request_timeout): 10
/// seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`shutdown_timeout`](HttpLayerBuilder::shutdown_timeout): 5
/// seconds.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// Default of [`connection_max_age`](HttpLayerBuilder::connection_max_age):
/// 5 minutes, as Timber's client rotated its connections.
pub const DEFAULT_CONNECTION_MAX_AGE: Duration = Duration::from_secs(5 * 60);
/// The smallest [`max_batch_bytes`](HttpLayerBuilder::max_batch_bytes)
/// allowed.
pub const MIN_MAX_BATCH_BYTES: usize = 64;

/// Configures an [`HttpLayer`]; made by [`HttpLayer::builder`] or a preset.
///
/// # Default values
///
/// | option | default |
/// | --- | --- |
/// | [`api_key`](Self::api_key) | none (no `Authorization` header) |
/// | [`format`](Self::format) | [`Format::Msgpack`] |
/// | [`buffer_capacity`](Self::buffer_capacity) | 1000 records ([`DEFAULT_BUFFER_CAPACITY`]) |
/// | [`flush_interval`](Self::flush_interval) | 1 s ([`DEFAULT_FLUSH_INTERVAL`]) |
/// | [`drop_extra_events`](Self::drop_extra_events) | `true` |
/// | [`max_batch_bytes`](Self::max_batch_bytes) | 1 MiB ([`DEFAULT_MAX_BATCH_BYTES`]) |
/// | [`max_retries`](Self::max_retries) | 8 ([`DEFAULT_MAX_RETRIES`]) |
/// | [`retry_initial`](Self::retry_initial) | 100 ms ([`DEFAULT_RETRY_INITIAL`]) |
/// | [`retry_max`](Self::retry_max) | 30 s ([`DEFAULT_RETRY_MAX`]) |
/// | [`retry_jitter`](Self::retry_jitter) | [`JitterMode::Full`] |
/// | [`request_timeout`](Self::request_timeout) | 10 s ([`DEFAULT_REQUEST_TIMEOUT`]) |
/// | [`shutdown_timeout`](Self::shutdown_timeout) | 5 s ([`DEFAULT_SHUTDOWN_TIMEOUT`]) |
/// | [`connection_max_age`](Self::connection_max_age) | 5 min ([`DEFAULT_CONNECTION_MAX_AGE`]) |
/// | `ca_file` (feature `tls`) | none: the system's root certificates |
/// | `gzip` (feature `gzip`) | `false` |
/// | [`header`](Self::header) | none |
/// | [`on_error`](Self::on_error) | none |
/// | [`context_field`](Self::context_field) | none |
/// | [`with_runtime`](Self::with_runtime), [`with_system`](Self::with_system) | `true` |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), logwood_http::BuildError> {
/// use std::time::Duration;
/// use logwood_http::{Format, HttpLayer};
///
/// let (layer, guard) = HttpLayer::builder("http://127.0.0.1:9/frames")
///     .api_key("k")
///     .format(Format::Ndjson)
///     .buffer_capacity(500)
///     .flush_interval(Duration::from_millis(250))
///     .drop_extra_events(false)
///     .build()?;
/// # drop((layer, guard.shutdown(Duration::ZERO)));
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct HttpLayerBuilder {
    config: Config,
}

struct Config {
    url: String,
    api_key: Option<Secret>,
    format: Format,
    buffer_capacity: usize,
    flush_interval: Duration,
    drop_extra_events: bool,
    max_batch_bytes: usize,
    max_retries: u32,
    retry_initial: Duration,
    retry_max: Duration,
    retry_jitter: JitterMode,
    request_timeout: Duration,
    shutdown_timeout: Duration,
    connection_max_age: Duration,
    #[cfg(feature = "tls")]
    ca_file: Option<PathBuf>,
    #[cfg(feature = "gzip")]
    gzip: bool,
    headers: Vec<(String, String)>,
    on_error: Option<OnError>,
    context: StaticContext,
    runtime: bool,
    system: bool,
    log_internal_errors: bool,
}

impl fmt::Debug for HttpLayerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        let mut d = f.debug_struct("HttpLayerBuilder");
        // The URL as given may hold a token in its query: print the
        // endpoint as errors do, when it parses.
        match Endpoint::parse(&c.url) {
            Ok(endpoint) => d.field("url", endpoint.display()),
            Err(_) => d.field("url", &"<invalid>"),
        };
        d.field("api_key", &c.api_key)
            .field("format", &c.format)
            .field("buffer_capacity", &c.buffer_capacity)
            .field("flush_interval", &c.flush_interval)
            .field("drop_extra_events", &c.drop_extra_events)
            .field("max_batch_bytes", &c.max_batch_bytes)
            .field("max_retries", &c.max_retries)
            .field("retry_initial", &c.retry_initial)
            .field("retry_max", &c.retry_max)
            .field("retry_jitter", &c.retry_jitter)
            .field("request_timeout", &c.request_timeout)
            .field("shutdown_timeout", &c.shutdown_timeout)
            .field("connection_max_age", &c.connection_max_age);
        #[cfg(feature = "tls")]
        d.field("ca_file", &c.ca_file);
        #[cfg(feature = "gzip")]
        d.field("gzip", &c.gzip);
        // Header values often are credentials: names only.
        let names: Vec<&str> = c.headers.iter().map(|(n, _)| n.as_str()).collect();
        d.field("headers", &names)
            .field("on_error", &c.on_error.as_ref().map(|_| ".."))
            .field("context", &c.context)
            .field("runtime", &c.runtime)
            .field("system", &c.system)
            .field("log_internal_errors", &c.log_internal_errors)
            .finish()
    }
}

// === impl HttpLayerBuilder ===

impl HttpLayerBuilder {
    pub(crate) fn new(url: String) -> Self {
        Self {
            config: Config {
                url,
                api_key: None,
                format: Format::default(),
                buffer_capacity: DEFAULT_BUFFER_CAPACITY,
                flush_interval: DEFAULT_FLUSH_INTERVAL,
                drop_extra_events: true,
                max_batch_bytes: DEFAULT_MAX_BATCH_BYTES,
                max_retries: DEFAULT_MAX_RETRIES,
                retry_initial: DEFAULT_RETRY_INITIAL,
                retry_max: DEFAULT_RETRY_MAX,
                retry_jitter: JitterMode::default(),
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
                connection_max_age: DEFAULT_CONNECTION_MAX_AGE,
                #[cfg(feature = "tls")]
                ca_file: None,
                #[cfg(feature = "gzip")]
                gzip: false,
                headers: Vec::new(),
                on_error: None,
                context: StaticContext::new(),
                runtime: true,
                system: true,
                log_internal_errors: true,
            },
        }
    }

    /// Sends `Authorization: Bearer {key}` with every batch. The key is kept
    /// in a [`Secret`]: it is never printed, and appears in no error,
    /// callback or stderr report.
    ///
    /// By default, no `Authorization` header is sent.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.config.api_key = Some(key.into());
        self
    }

    /// The body format: [`Format::Msgpack`] (Timber's frames) or
    /// [`Format::Ndjson`] (JSON lines).
    ///
    /// By default, [`Format::Msgpack`].
    pub fn format(mut self, format: Format) -> Self {
        self.config.format = format;
        self
    }

    /// How many records wait in the buffer at most, which is also the most
    /// records in one batch. A full batch is sent at once. While a batch is
    /// posted (or retried), new records keep filling the buffer up to this
    /// bound; what does not fit is dropped and counted (`dropped_full`) or
    /// makes the caller wait, per
    /// [`drop_extra_events`](Self::drop_extra_events). Must be greater than
    /// zero.
    ///
    /// By default, [`DEFAULT_BUFFER_CAPACITY`] (1000, as Timber's
    /// `TimberHandler`).
    pub fn buffer_capacity(mut self, records: usize) -> Self {
        self.config.buffer_capacity = records;
        self
    }

    /// How long a record waits for its batch to fill before the partial
    /// batch is sent anyway. Must be greater than zero.
    ///
    /// Timber's client waited up to 30 s. logwood waits 1 s: logs are read
    /// live (a tail, an alert) and 30 s of lag defeats that; a process that
    /// is killed (`SIGKILL`, OOM) without running the guard loses at most
    /// one interval of events instead of 30 s; and a shutdown has less to
    /// send within `shutdown_timeout`. Under load batches fill up by
    /// `buffer_capacity` long before either interval, so the interval only
    /// sets the request rate of a quiet process: at most one per second.
    ///
    /// By default, [`DEFAULT_FLUSH_INTERVAL`] (1 s).
    pub fn flush_interval(mut self, interval: Duration) -> Self {
        self.config.flush_interval = interval;
        self
    }

    /// What happens to an event when the buffer is full (the endpoint is
    /// slow, down or being retried): `true` drops it and counts it in
    /// `dropped_full`, so the application never waits on the network;
    /// `false` makes the emitting thread wait until the worker takes a
    /// batch, so that nothing is dropped. (Retries are bounded, so a wait
    /// ends at the latest when a batch runs out of retries.)
    ///
    /// By default, `true` (drop and count), as Timber's `TimberHandler`.
    pub fn drop_extra_events(mut self, drop: bool) -> Self {
        self.config.drop_extra_events = drop;
        self
    }

    /// The largest body of one batch, in bytes before compression. A batch
    /// is sent when the next record would not fit; a record larger than
    /// this on its own is dropped and counted (`dropped_oversize`), never
    /// sent in pieces. Must be at least [`MIN_MAX_BATCH_BYTES`] (64).
    ///
    /// By default, [`DEFAULT_MAX_BATCH_BYTES`] (1 MiB).
    pub fn max_batch_bytes(mut self, bytes: usize) -> Self {
        self.config.max_batch_bytes = bytes;
        self
    }

    /// How many times a batch is retried after a temporary failure (408,
    /// 429, 5xx other than 501, no answer) before it is counted as
    /// `failed`: a batch is posted at most `1 + retries` times. `0` never
    /// retries.
    ///
    /// By default, [`DEFAULT_MAX_RETRIES`] (8).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.max_retries = retries;
        self
    }

    /// The backoff before the first retry; each further retry doubles it,
    /// up to [`retry_max`](Self::retry_max). With full jitter (the default),
    /// each wait is random between zero and that value. Must be greater
    /// than zero.
    ///
    /// By default, [`DEFAULT_RETRY_INITIAL`] (100 ms).
    pub fn retry_initial(mut self, wait: Duration) -> Self {
        self.config.retry_initial = wait;
        self
    }

    /// The cap of the backoff, and of a server's `Retry-After` (a server
    /// asking for an hour waits this long). Must be at least
    /// [`retry_initial`](Self::retry_initial).
    ///
    /// By default, [`DEFAULT_RETRY_MAX`] (30 s).
    pub fn retry_max(mut self, wait: Duration) -> Self {
        self.config.retry_max = wait;
        self
    }

    /// Whether backoff waits are randomised ("full jitter") or exact
    /// ([`JitterMode::None`], for tests that measure them).
    ///
    /// By default, [`JitterMode::Full`].
    pub fn retry_jitter(mut self, jitter: JitterMode) -> Self {
        self.config.retry_jitter = jitter;
        self
    }

    /// How long one attempt may take (connecting, sending the batch and
    /// reading the answer); an attempt that takes longer is abandoned, its
    /// connection closed, and retried. Must be greater than zero.
    ///
    /// By default, [`DEFAULT_REQUEST_TIMEOUT`] (10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// How long dropping the [`FlushGuard`] waits at most for the buffered
    /// and in-flight records to be delivered (what is left is counted as
    /// `failed`); also the bound of [`FlushGuard::flush`]. Zero gives up at
    /// once.
    ///
    /// By default, [`DEFAULT_SHUTDOWN_TIMEOUT`] (5 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// How long one kept-alive connection is used: an older one is closed
    /// and a new one opened before the next batch, so that a load balancer
    /// in front of the ingest spreads the load. Must be greater than zero.
    ///
    /// By default, [`DEFAULT_CONNECTION_MAX_AGE`] (5 minutes, as Timber's
    /// client).
    pub fn connection_max_age(mut self, age: Duration) -> Self {
        self.config.connection_max_age = age;
        self
    }

    /// Trusts the PEM certificates in this file (instead of the system's
    /// roots) for an `https` endpoint. Read in
    /// [`build`](Self::build). Unused for `http`.
    ///
    /// By default, the system's root certificates are trusted.
    #[cfg(feature = "tls")]
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.ca_file = Some(path.into());
        self
    }

    /// Compresses each batch with gzip (`Content-Encoding: gzip`).
    /// `max_batch_bytes` still bounds the body before compression.
    ///
    /// By default, batches are not compressed.
    #[cfg(feature = "gzip")]
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.config.gzip = gzip;
        self
    }

    /// Adds a header to every batch (for example an ingest's own key header
    /// or a tenant id). It replaces the layer's own `Content-Type`,
    /// `User-Agent` or `Authorization` when it has that name; `Host`,
    /// `Content-Length`, `Content-Encoding`, `Transfer-Encoding` and
    /// `Connection` cannot be set. Names and values are checked in
    /// [`build`](Self::build); values are never printed.
    ///
    /// By default, no extra header is sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.headers.push((name.into(), value.into()));
        self
    }

    /// Calls `callback` on the worker thread for every failed attempt and
    /// every batch given up ([`DeliveryError::will_retry`] tells which).
    /// It must return quickly (the worker waits for it); a panic in it is
    /// caught. Events it emits through `tracing` are discarded (the worker
    /// thread's dispatcher is a no-op). Records dropped on the caller's side
    /// (full buffer, oversize) are counted, not passed here.
    ///
    /// By default, failures are only counted and reported on stderr (see
    /// [`log_internal_errors`](Self::log_internal_errors)).
    pub fn on_error<F>(mut self, callback: F) -> Self
    where
        F: Fn(&DeliveryError) + Send + Sync + 'static,
    {
        self.config.on_error = Some(Arc::new(callback));
        self
    }

    /// Adds static context to every record of this layer, under `context`
    /// and beneath the span context (a span field wins a conflict). `key`
    /// is dotted: `service.name` is `{"service":{"name":..}}`.
    ///
    /// By default, there is none.
    pub fn context_field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.config.context.insert(key, value);
        self
    }

    /// Replaces the static context with `context`.
    ///
    /// By default, there is none.
    pub fn context(mut self, context: StaticContext) -> Self {
        self.config.context = context;
        self
    }

    /// Whether records carry `context.runtime` (function, module, file,
    /// line, thread, logger name).
    ///
    /// By default, they do.
    pub fn with_runtime(mut self, include: bool) -> Self {
        self.config.runtime = include;
        self
    }

    /// Whether records carry `context.system` (pid, process name, hostname).
    ///
    /// By default, they do.
    pub fn with_system(mut self, include: bool) -> Self {
        self.config.system = include;
        self
    }

    /// Whether the first failure of each kind is reported on stderr as one
    /// `[logwood] http: …` line (a batch given up, events dropped because
    /// the buffer was full, …). Failures are always counted in
    /// [`Stats`](crate::Stats). Timber's handler called this
    /// `raise_exceptions`.
    ///
    /// By default, they are reported.
    pub fn log_internal_errors(mut self, report: bool) -> Self {
        self.config.log_internal_errors = report;
        self
    }

    /// Checks the options, sets up TLS, starts the worker thread (with its
    /// own tokio runtime: none is needed here) and returns the layer and its
    /// guard. Nothing is connected yet: an endpoint that is down is retried
    /// in the background, not an error here.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the option: a URL that is not an absolute
    /// `http`/`https` URL or holds credentials, an `https` URL without the
    /// `tls` feature, a zero `buffer_capacity`, `flush_interval`,
    /// `request_timeout`, `retry_initial` or `connection_max_age`, a
    /// `max_batch_bytes` under 64, a `retry_max` under `retry_initial`, an
    /// `api_key` or `header` that cannot be sent in a header, an unreadable
    /// `ca_file`; or [`BuildError::Worker`] when the thread cannot start.
    pub fn build(self) -> Result<(HttpLayer, FlushGuard), BuildError> {
        let c = self.config;
        let endpoint = Endpoint::parse(&c.url)?;
        check_nonzero("buffer_capacity", c.buffer_capacity as u128)?;
        check_nonzero("flush_interval", c.flush_interval.as_nanos())?;
        check_nonzero("request_timeout", c.request_timeout.as_nanos())?;
        check_nonzero("retry_initial", c.retry_initial.as_nanos())?;
        check_nonzero("connection_max_age", c.connection_max_age.as_nanos())?;
        if c.max_batch_bytes < MIN_MAX_BATCH_BYTES {
            return Err(BuildError::invalid(
                "max_batch_bytes",
                format!("must be at least {MIN_MAX_BATCH_BYTES} bytes"),
            ));
        }
        if c.retry_max < c.retry_initial {
            return Err(BuildError::invalid(
                "retry_max",
                "must be at least `retry_initial`",
            ));
        }
        #[cfg(feature = "tls")]
        let security = if endpoint.is_https() {
            client::tls(&endpoint, c.ca_file.as_deref())?
        } else {
            Security::Plain
        };
        #[cfg(not(feature = "tls"))]
        let security = if endpoint.is_https() {
            return Err(BuildError::invalid(
                "url",
                "is https, which needs the `tls` feature of logwood-http",
            ));
        } else {
            Security::Plain
        };

        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, endpoint.host_header().clone());
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("logwood/", env!("CARGO_PKG_VERSION"))),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(c.format.content_type()),
        );
        if let Some(key) = &c.api_key {
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
        for (name, value) in &c.headers {
            let (name, value) = client::user_header(name, value)?;
            headers.insert(name, value);
        }

        let limits = Limits {
            capacity: c.buffer_capacity,
            max_batch_bytes: c.max_batch_bytes,
            head_len: c.format.max_head_len(),
            block_when_full: !c.drop_extra_events,
            flush_interval: c.flush_interval,
        };
        let buffer = Arc::new(Buffer::new(limits, c.log_internal_errors));
        let reporter = Arc::new(Reporter::new(
            Arc::clone(endpoint.display()),
            c.api_key.clone(),
            c.on_error,
            c.log_internal_errors,
        ));
        let client = Client::new(endpoint, security, headers, c.connection_max_age);
        #[cfg(feature = "gzip")]
        let gzip = c.gzip;
        #[cfg(not(feature = "gzip"))]
        let gzip = false;
        let worker = Worker {
            buffer: Arc::clone(&buffer),
            client,
            format: c.format,
            gzip,
            max_retries: c.max_retries,
            request_timeout: c.request_timeout,
            backoff: Backoff::new(c.retry_initial, c.retry_max, c.retry_jitter),
            reporter: Arc::clone(&reporter),
            zip_spare: Vec::new(),
        }
        .spawn()
        .map_err(BuildError::Worker)?;

        // Set field by field so that options added to `RecordOptions` later
        // keep their defaults here.
        #[allow(clippy::field_reassign_with_default)]
        let opts = {
            let mut opts = RecordOptions::default();
            opts.context = Arc::new(c.context);
            opts.runtime = c.runtime;
            opts.system = c.system;
            opts
        };
        let layer = HttpLayer::from_parts(Arc::clone(&buffer), c.format, opts);
        let guard = FlushGuard::new(buffer, reporter, worker, c.shutdown_timeout);
        Ok((layer, guard))
    }
}

fn check_nonzero(option: &'static str, value: u128) -> Result<(), BuildError> {
    if value == 0 {
        return Err(BuildError::invalid(option, "must be greater than zero"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_err(builder: HttpLayerBuilder) -> BuildError {
        match builder.build() {
            Ok(_) => panic!("built"),
            Err(e) => e,
        }
    }

    fn url() -> HttpLayerBuilder {
        HttpLayerBuilder::new("http://127.0.0.1:9/frames".to_owned())
    }

    #[test]
    fn invalid_options_name_the_option() {
        let cases: Vec<(HttpLayerBuilder, &str, &str)> = vec![
            (
                url().buffer_capacity(0),
                "buffer_capacity",
                "`buffer_capacity` must be greater than zero",
            ),
            (
                url().flush_interval(Duration::ZERO),
                "flush_interval",
                "`flush_interval` must be greater than zero",
            ),
            (
                url().request_timeout(Duration::ZERO),
                "request_timeout",
                "`request_timeout` must be greater than zero",
            ),
            (
                url().retry_initial(Duration::ZERO),
                "retry_initial",
                "`retry_initial` must be greater than zero",
            ),
            (
                url().connection_max_age(Duration::ZERO),
                "connection_max_age",
                "`connection_max_age` must be greater than zero",
            ),
            (
                url().max_batch_bytes(10),
                "max_batch_bytes",
                "`max_batch_bytes` must be at least 64 bytes",
            ),
            (
                url()
                    .retry_initial(Duration::from_secs(2))
                    .retry_max(Duration::from_secs(1)),
                "retry_max",
                "`retry_max` must be at least `retry_initial`",
            ),
            (
                url().header("Content-Length", "1"),
                "header",
                "`header` content-length is set by the layer and cannot be overridden",
            ),
            (
                HttpLayerBuilder::new("ftp://x/frames".into()),
                "url",
                "`url` must be an absolute http:// or https:// URL",
            ),
        ];
        for (builder, option, message) in cases {
            let err = build_err(builder);
            assert_eq!(err.option(), option);
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn a_bad_api_key_is_refused_without_printing_it() {
        let err = build_err(url().api_key("sekrit\nvalue"));
        assert_eq!(err.option(), "api_key");
        let text = format!("{err} {err:?}");
        assert!(!text.contains("sekrit"), "{text}");
    }

    #[test]
    fn the_builder_debug_redacts_the_key_headers_and_query() {
        let builder = HttpLayerBuilder::new("http://127.0.0.1:9/frames?token=qsecret".into())
            .api_key("ksecret")
            .header("X-Api-Key", "hsecret");
        let text = format!("{builder:?}");
        for secret in ["ksecret", "hsecret", "qsecret"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("X-Api-Key"), "{text}");
        assert!(text.contains("**REDACTED**"), "{text}");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn an_unreadable_ca_file_is_a_build_error() {
        let err = build_err(
            HttpLayerBuilder::new("https://127.0.0.1:9/frames".into())
                .ca_file("/nonexistent/logwood-ca.pem"),
        );
        assert_eq!(err.option(), "ca_file");
        assert!(
            err.to_string().contains("/nonexistent/logwood-ca.pem"),
            "{err}"
        );
    }
}
