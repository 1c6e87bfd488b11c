//! The OTLP/HTTP logs layer: the batch machinery of this crate (buffer,
//! worker, client, retries, guard, accounting) with OTLP bodies.

mod builder;
mod env;
mod resource;

use std::sync::Arc;

use logwood_core::__private::{CoreLayer, RecordOptions};
use logwood_core::{Stats, StatsHandle};

pub use builder::{
    DEFAULT_OTLP_BUFFER_CAPACITY, DEFAULT_OTLP_ENDPOINT, DEFAULT_OTLP_MAX_BATCH_BYTES,
    MAX_OTLP_BATCH_BYTES, OTLP_LOGS_PATH, OtlpLayerBuilder,
};
pub use env::{OtlpEnv, OtlpEnvError};

use crate::batch::{BatchSink, Buffer};
use crate::body::{OtlpEncoder, OtlpProtocol};

/// A `tracing` layer that ships every event as an OpenTelemetry
/// `LogRecord` over OTLP/HTTP (`POST {endpoint}/v1/logs`) to an
/// OpenTelemetry Collector, Vector, Grafana Alloy, OpenSearch Data Prepper
/// or any OTLP receiver, in batches, with retries per the OTLP
/// specification and every record accounted for.
///
/// On the calling thread an event goes down the record path every logwood
/// layer shares and is encoded straight into the batch's bytes: no SDK
/// objects, no allocation once the buffers have grown, never a network
/// wait (unless you chose
/// [`drop_extra_events(false)`](OtlpLayerBuilder::drop_extra_events)). A
/// background thread with its own tokio runtime posts the batches.
///
/// Made by [`OtlpLayer::builder`] (or from the standard `OTEL_*`
/// variables with [`OtlpEnv`]), which also returns the
/// [`FlushGuard`](crate::FlushGuard): bind it with
/// `let (layer, _guard) = …`, **not** `let (layer, _) = …`.
///
/// # Wire format
///
/// ```text
/// POST /v1/logs HTTP/1.1
/// Content-Type: application/x-protobuf      (or application/json)
/// Content-Encoding: gzip                    (only with gzip(true))
/// {headers}                                 (e.g. authorization: Bearer …)
/// ```
///
/// Each request is one `ExportLogsServiceRequest` with one `ResourceLogs`:
/// the resource once (`service.name`, `host.name`, `process.pid`,
/// `process.executable.name` and the
/// [`resource_attribute`](OtlpLayerBuilder::resource_attribute)s), then one
/// `ScopeLogs` per record, its instrumentation scope named after the
/// event's target, holding the record:
///
/// | logwood record | OTLP `LogRecord` |
/// | --- | --- |
/// | `dt` (the event's time) | `time_unix_nano` and `observed_time_unix_nano` (nanoseconds) |
/// | `level` | `severity_number` (TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17) and `severity_text` (`TRACE` … `ERROR`) |
/// | `message` | `body` (a string; `""` when the event has none) |
/// | the event's fields (`order.id = 1234`) | `attributes`, under their dotted names (`order.id`), typed: `int`, `double`, `bool`, `string` (`?Debug` / `%Display` values as strings, unsigned integers past `i64::MAX` as their decimal text) |
/// | `context`: the static and span context (`user.id`) | `attributes`, flattened to dotted keys (`user.id`, `job.id`), after the fields; a key an event field has is left out (the inner-wins rule of the JSON record) |
/// | `context.runtime.function` / `file` / `line` / `thread_id` / `thread_name` | `attributes` `code.function.name` (the innermost span's name) / `code.file.path` / `code.line.number` / `thread.id` / `thread.name` (with [`with_runtime`](OtlpLayerBuilder::with_runtime)), unless a field or context key took the name |
/// | `context.runtime.logger_name` (the target) | the `ScopeLogs`' scope `name` |
/// | `context.system` (`pid`, `process_name`, `hostname`) | the resource: `process.pid`, `process.executable.name`, `host.name` (with [`with_system`](OtlpLayerBuilder::with_system)) |
/// | the span's OpenTelemetry ids (feature `opentelemetry`, with `tracing-opentelemetry` in the subscriber) | `trace_id`, `span_id`, `flags` |
///
/// Attribute keys are unique within each record, as OTLP requires. A field
/// named `dt`, `level`, `message` or `context` (first segment) is written
/// `_dt`, … as in the JSON record. In OTLP/JSON, 64-bit integers are
/// strings, ids hex, and non-finite floats the strings `"NaN"`, `"inf"`,
/// `"-inf"`.
///
/// # Retries and answers
///
/// | answer | the layer | reported as ([`ErrorKind`](crate::ErrorKind)) |
/// | --- | --- | --- |
/// | 2xx | counts the records as `sent` | |
/// | 2xx with `partial_success.rejected_log_records = n` | counts `n` records as `failed` and `rejected`, the others `sent`; not retried | `PartialSuccess`, with the server's `error_message` |
/// | 429, 502, 503, 504 | retries the same body after a backoff with jitter (or the `Retry-After` of a 429/503, seconds or HTTP date, capped by `retry_max`) | `Temporary` |
/// | no connection, a broken one, no answer within `request_timeout` | retries on a new connection | `Connect`, `Reset`, `Timeout` |
/// | 401, 403 | does not retry; counts `failed` | `Unauthorized` |
/// | any other status, 400 and 500 included | does not retry; counts `failed` | `Rejected` |
///
/// # Accounting
///
/// As for [`HttpLayer`](crate::HttpLayer#accounting): at every moment
/// `emitted = sent + dropped + failed + queued`, with `rejected` among
/// `failed`.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use tracing_subscriber::prelude::*;
/// use logwood_collector::Collector;
/// use logwood_http::OtlpLayer;
///
/// let collector = Collector::builder().start()?;
/// let (layer, guard) = OtlpLayer::builder(collector.http_url())
///     .service_name("shop")
///     .with_runtime(false)
///     .build()?;
/// let subscriber = tracing_subscriber::registry().with(layer);
///
/// #[tracing::instrument(fields(user.id = 42))]
/// fn place_order() {
///     tracing::info!(target: "shop::orders", order_id = 1234_u64, total = 520.23, "Order placed");
/// }
/// tracing::subscriber::with_default(subscriber, place_order);
///
/// let stats = guard.shutdown(Duration::from_secs(5));
/// assert_eq!((stats.emitted, stats.sent), (1, 1));
/// let records = collector.wait_for_otlp_records(1, Duration::from_secs(5))?;
/// let record = &records[0];
/// assert_eq!(record["body"], "Order placed");
/// assert_eq!(record["severityNumber"], 9);
/// assert_eq!(record["attributes"]["order_id"], 1234);
/// assert_eq!(record["attributes"]["total"], 520.23);
/// assert_eq!(record["attributes"]["user.id"], 42);
/// assert_eq!(record["resource"]["service.name"], "shop");
/// assert_eq!(record["scope"]["name"], "shop::orders");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct OtlpLayer {
    inner: CoreLayer<OtlpEncoder, BatchSink>,
}

logwood_core::forward_layer!(impl<> OtlpLayer, inner);

// === impl OtlpLayer ===

impl OtlpLayer {
    /// A builder for a layer posting to `{endpoint}/v1/logs`: `endpoint`
    /// is the receiver's base URL, as in `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// (`http://localhost:4318`, [`DEFAULT_OTLP_ENDPOINT`]; a trailing `/`
    /// is dropped before `/v1/logs` is appended).
    ///
    /// See [`OtlpLayerBuilder`] for the options and their defaults.
    pub fn builder(endpoint: impl AsRef<str>) -> OtlpLayerBuilder {
        let base = endpoint.as_ref().trim_end_matches('/');
        OtlpLayerBuilder::new(format!("{base}{OTLP_LOGS_PATH}"))
    }

    /// A builder for a layer posting to `url` as it is, as in
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` (`https://otlp.example.com/v1/logs`).
    pub fn builder_for_logs_url(url: impl Into<String>) -> OtlpLayerBuilder {
        OtlpLayerBuilder::new(url.into())
    }

    pub(crate) fn new(buffer: Arc<Buffer>, protocol: OtlpProtocol, opts: RecordOptions) -> Self {
        Self {
            inner: CoreLayer::new(OtlpEncoder::new(protocol), BatchSink::new(buffer), opts),
        }
    }

    /// The layer's counters now (the same as
    /// [`FlushGuard::stats`](crate::FlushGuard::stats)).
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
