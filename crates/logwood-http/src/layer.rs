//! The layer: core's record path (`CoreLayer`) with the HTTP encoder and
//! the batch sink.

use std::sync::Arc;

use logwood_core::__private::{CoreLayer, RecordOptions};
use logwood_core::{Stats, StatsHandle};

use crate::batch::{BatchSink, Buffer};
use crate::body::{Format, HttpEncoder};
use crate::builder::HttpLayerBuilder;

/// The Better Stack ingesting host of [`HttpLayer::better_stack`].
pub const BETTER_STACK_URL: &str = "https://in.logs.betterstack.com";

/// A `tracing` layer that ships every event, in batches, to an HTTP ingest
/// endpoint: Timber's frames API, Better Stack, `logwood-collector`, or any
/// NDJSON endpoint (Vector's `http_server`, Fluent Bit).
///
/// On the calling thread an event goes down the record path every logwood
/// layer shares: it is encoded into a per-thread buffer and appended to the
/// open batch under a short lock: no I/O, no allocation once the buffers
/// have grown, never a network wait (unless you chose
/// [`drop_extra_events(false)`](HttpLayerBuilder::drop_extra_events)). A
/// background thread with its own tokio runtime posts the batches.
///
/// Made by [`HttpLayer::builder`] (or a preset: [`better_stack`](Self::better_stack),
/// [`better_stack_at`](Self::better_stack_at), [`timber`](Self::timber)),
/// which also returns the [`FlushGuard`](crate::FlushGuard): bind it with
/// `let (layer, _guard) = …`, **not** `let (layer, _) = …`, which drops it
/// at once and shuts the layer down before the first event.
///
/// # Wire format
///
/// Each batch is one `POST` to the endpoint:
///
/// ```text
/// POST /sources/{source_id}/frames HTTP/1.1
/// Host: logs.example.com
/// Authorization: Bearer {api_key}          (only with an api_key)
/// Content-Type: application/msgpack        (or application/x-ndjson)
/// User-Agent: logwood/0.1.0
/// Content-Length: 48213
/// Content-Encoding: gzip                   (only with gzip(true))
/// ```
///
/// - **msgpack** ([`Format::Msgpack`], the default): one msgpack array whose
///   elements are the records, each a map with the tree below. Strings are
///   `str` (never `bin`), integers the smallest msgpack int that holds them,
///   floats `float64`, booleans as themselves; NaN and ±infinity are the
///   strings `"NaN"`, `"inf"`, `"-inf"`. This is what Timber's Python client
///   sent (`msgpack.packb(frame, use_bin_type=True)`).
/// - **NDJSON** ([`Format::Ndjson`]): one JSON record per line, each ending
///   in `\n`: byte for byte the lines logwood's JSON layer writes.
///
/// Every record is the tree of logwood's JSON layer:
///
/// ```json
/// {"dt":"2026-11-20T03:44:21.221232Z","level":"info","message":"Order #1234 placed",
///  "order_placed":{"id":1234,"total":520.23},
///  "context":{"runtime":{"function":"place_order","module":"shop::orders","file":"src/orders.rs",
///                        "line":23,"thread_id":"8123","thread_name":"main","logger_name":"shop::orders"},
///             "system":{"pid":20643,"process_name":"shop","hostname":"web-1"},
///             "user":{"id":42}}}
/// ```
///
/// `level` is `trace`, `debug`, `info`, `warn` or `error`; dotted field
/// names nest; a field named `dt`, `level`, `message` or `context` is
/// written as `_dt`, …; the span context is deep-merged from the outermost
/// span inwards, on top of the layer's static context
/// ([`context_field`](HttpLayerBuilder::context_field)).
///
/// The same record sent to an OpenTelemetry receiver is an OTLP
/// `LogRecord`: [`OtlpLayer`](crate::OtlpLayer#wire-format) has the table
/// mapping each part of this tree to its field or attribute.
///
/// A batch holds at most `buffer_capacity` records and at most
/// `max_batch_bytes` of body (before compression). The answer decides what
/// happens to it:
///
/// | answer | the layer | reported as ([`ErrorKind`](crate::ErrorKind)) |
/// | --- | --- | --- |
/// | 2xx | counts the records as `sent` | |
/// | 408, 429, 5xx other than 501 | retries the same body after a backoff (or `Retry-After` on 429/503) | `Temporary` |
/// | 401, 403 | does not retry; counts `failed`; names the endpoint, never the key | `Unauthorized` |
/// | other 4xx, 501 | does not retry; counts `failed` | `Rejected` |
/// | no connection (DNS, TCP, TLS) | retries on a new connection | `Connect` |
/// | the connection broke before the answer | retries on a new connection | `Reset` |
/// | no answer within `request_timeout` | retries on a new connection | `Timeout` |
///
/// A batch is posted at most `1 + max_retries` times; a batch out of
/// retries is counted as `failed`. Each failed attempt is reported (the
/// first of each kind on stderr at once, with its cause: the transport
/// error or the start of the server's answer).
///
/// # Accounting
///
/// Every record is counted in the layer's [`Stats`] (the same counters as
/// every logwood layer's), under the buffer's lock, so at every moment
///
/// ```text
/// emitted = sent + dropped + failed + queued
/// ```
///
/// - `sent`: accepted by the endpoint (a 2xx answer);
/// - `dropped`: not buffered, because the buffer held `buffer_capacity`
///   records (with `drop_extra_events(true)`), or because the record alone
///   is larger than `max_batch_bytes` (those are also counted in
///   `oversize`);
/// - `failed`: refused by the endpoint, out of retries, still undelivered
///   at the shutdown deadline, emitted after the guard shut the layer down,
///   or not encodable (a field's `Debug` panicked);
/// - `queued`: buffered or in the batch being posted;
/// - `retried` (records posted again) and `errors` (failures reported) are
///   outside the identity.
///
/// Every drop and failure is reported the same way: to the
/// [`on_error`](HttpLayerBuilder::on_error) callback each time, and on
/// stderr once per kind (`Dropped`, `Oversize`, `Closed`, `Deadline`, …)
/// unless [`log_internal_errors(false)`](HttpLayerBuilder::log_internal_errors).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use tracing_subscriber::prelude::*;
/// use logwood_http::{Format, HttpLayer};
///
/// let (layer, _guard) = HttpLayer::builder("http://127.0.0.1:9/frames")
///     .format(Format::Ndjson)
///     .context_field("service.name", "shop")
///     .log_internal_errors(false)
///     .build()?;
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || tracing::info!(order.id = 1, "placed"));
/// assert_eq!(_guard.stats().emitted, 1);
/// // Nothing listens on port 9: a zero deadline gives the record up at once.
/// let stats = _guard.shutdown(std::time::Duration::ZERO);
/// assert_eq!(stats.emitted, stats.sent + stats.failed);
/// assert!(stats.is_balanced());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct HttpLayer {
    inner: CoreLayer<HttpEncoder, BatchSink>,
}

logwood_core::forward_layer!(impl<> HttpLayer, inner);

// === impl HttpLayer ===

impl HttpLayer {
    /// A builder for a layer posting to `url` (`http://` or `https://`, the
    /// full endpoint: `https://logs.example.com/sources/42/frames`).
    ///
    /// See [`HttpLayerBuilder`] for the options and their defaults.
    pub fn builder(url: impl Into<String>) -> HttpLayerBuilder {
        HttpLayerBuilder::new(url.into())
    }

    /// A builder preset for Better Stack (formerly Logtail, which took over
    /// Timber): msgpack batches to [`BETTER_STACK_URL`]
    /// (`https://in.logs.betterstack.com`) with
    /// `Authorization: Bearer {source_token}`. Sources created more recently
    /// show their own ingesting host next to the token; use
    /// [`better_stack_at`](Self::better_stack_at) for those.
    ///
    /// Better Stack answers `202` when it accepted a batch and `403` for a
    /// wrong token (not retried, reported once).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tracing_subscriber::prelude::*;
    ///
    /// let token = std::env::var("BETTER_STACK_SOURCE_TOKEN")?;
    /// let (layer, _guard) = logwood_http::HttpLayer::better_stack(token)
    ///     .context_field("service.name", "shop")
    ///     .build()?;
    /// tracing_subscriber::registry().with(layer).init();
    /// tracing::info!(order.id = 1234, "Order placed");
    /// # Ok(())
    /// # }
    /// ```
    pub fn better_stack(source_token: impl Into<String>) -> HttpLayerBuilder {
        Self::builder(BETTER_STACK_URL).api_key(source_token.into())
    }

    /// Like [`better_stack`](Self::better_stack), for a source with its own
    /// ingesting host (`s1234.eu-nbg-2.betterstackdata.com`, as the source's
    /// page shows it; `https://` is added when no scheme is given).
    pub fn better_stack_at(
        ingesting_host: impl AsRef<str>,
        source_token: impl Into<String>,
    ) -> HttpLayerBuilder {
        let host = ingesting_host.as_ref();
        let url = if host.contains("://") {
            host.to_owned()
        } else {
            format!("https://{host}")
        };
        Self::builder(url).api_key(source_token.into())
    }

    /// A builder preset for Timber's frames API, as the Python `timber`
    /// client used it: msgpack batches to
    /// `https://logs.timber.io/sources/{source_id}/frames` with
    /// `Authorization: Bearer {api_key}`.
    ///
    /// Timber's service has since moved to Better Stack, which accepts the
    /// same frames; the preset stays for self-hosted or proxied Timber-style
    /// endpoints and for migration. `logwood-collector` accepts the same path
    /// (`/sources/{id}/frames`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tracing_subscriber::prelude::*;
    ///
    /// let key = std::env::var("TIMBER_API_KEY")?;
    /// let (layer, _guard) = logwood_http::HttpLayer::timber("12345", key).build()?;
    /// tracing_subscriber::registry().with(layer).init();
    /// # Ok(())
    /// # }
    /// ```
    pub fn timber(source_id: impl AsRef<str>, api_key: impl Into<String>) -> HttpLayerBuilder {
        let url = format!(
            "https://logs.timber.io/sources/{}/frames",
            source_id.as_ref()
        );
        Self::builder(url).api_key(api_key.into())
    }

    pub(crate) fn new(buffer: Arc<Buffer>, format: Format, opts: RecordOptions) -> Self {
        Self {
            inner: CoreLayer::new(HttpEncoder::new(format), BatchSink::new(buffer), opts),
        }
    }

    /// The layer's counters now (the same as
    /// [`FlushGuard::stats`](crate::FlushGuard::stats)); see
    /// [Accounting](Self#accounting).
    pub fn stats(&self) -> Stats {
        self.inner.sink().buffer().stats()
    }

    /// A handle that reads the layer's counters from anywhere, after the
    /// layer has been moved into a subscriber.
    pub fn stats_handle(&self) -> StatsHandle {
        let buffer = Arc::clone(self.inner.sink().buffer());
        StatsHandle::new(move || buffer.stats())
    }
}
