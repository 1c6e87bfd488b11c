//! logwood: `tracing` layers that ship an application's logs where people
//! read them, each added with `.with(layer)`.
//!
//! - [`json`]: one Timber-style JSON object per line on stdout or any
//!   `MakeWriter`.
//! - [`syslog`]: RFC 5424 / RFC 3164 over UDP, TCP, TLS and Unix sockets
//!   (Papertrail, rsyslog), from a background worker.
//! - [`http`]: Timber-compatible msgpack (or NDJSON) batches over HTTP, with
//!   a bounded buffer, retries and a flush guard.
//! - [`otlp`]: OpenTelemetry log records over OTLP/HTTP (protobuf or JSON)
//!   to any OpenTelemetry Collector, Vector, Grafana Alloy or Data
//!   Prepper, with the same batching, retries (per the OTLP specification)
//!   and accounting; configurable from the standard `OTEL_*` variables.
//!
//! Span fields become nested, merging context (`#[instrument(fields(user.id = 42))]`
//! behaves like Python's `with timber.context(user={'id': 42})`), and every
//! record carries runtime (function, module, file, line, thread, logger) and
//! system (pid, process name, hostname) metadata. The record format is
//! described on [`json::JsonLayer`].
//!
//! # Examples
//!
//! ```
//! use tracing_subscriber::prelude::*;
//!
//! # #[allow(dead_code)]
//! # fn docs() {
//! tracing_subscriber::registry()
//!     .with(logwood::json::JsonLayer::stdout())
//!     .init();
//!
//! #[tracing::instrument(fields(user.id = 42, job.id = 123))]
//! fn place_order() {
//!     tracing::info!(order_placed.id = 1234_u64, order_placed.total = 520.23, "Order #1234 placed");
//! }
//! place_order();
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `json` (default): the JSON layer, as [`json`].
//! - `syslog`: the syslog layer, as [`syslog`].
//! - `http`: the HTTP batch layer, as [`http`].
//! - `tls`: TLS with rustls for the layers that are on (RFC 5425 for
//!   `syslog`, https for `http`).
//!   Requires a layer feature to have an effect.
//! - `gzip`: gzip request bodies for `http` and `otlp`. Requires one of
//!   them.
//! - `otlp`: the OTLP/HTTP logs layer, as [`otlp`]. Requires logwood-http.
//! - `opentelemetry`: trace correlation. With `tracing-opentelemetry` in
//!   the subscriber, every layer's records of events inside a span carry
//!   its OpenTelemetry trace and span ids (OTLP's `trace_id` / `span_id`,
//!   `context.trace_id` / `context.span_id` in JSON and msgpack records,
//!   SD-PARAMs in syslog). Requires opentelemetry and
//!   tracing-opentelemetry.
//! - `full`: every layer, with TLS.
//!
//! # Supported Rust versions
//!
//! Built and tested with Rust 1.95 (the manifest's `rust-version`).
#![doc(test(attr(deny(warnings))))]

pub use logwood_core::{
    DeliveryError, ErrorKind, FlushGuard, FlushTimeout, JitterMode, StaticContext, Stats,
    StatsHandle, Value,
};

/// The JSON stdout layer (`logwood-json`).
///
/// Requires the `json` feature (on by default).
#[cfg(feature = "json")]
#[doc(inline)]
pub use logwood_json as json;

/// The syslog layer (`logwood-syslog`).
///
/// Requires the `syslog` feature.
#[cfg(feature = "syslog")]
#[doc(inline)]
pub use logwood_syslog as syslog;

/// The HTTP batch layer (`logwood-http`).
///
/// Requires the `http` feature.
#[cfg(feature = "http")]
#[doc(inline)]
pub use logwood_http as http;

/// The OTLP/HTTP logs layer (from `logwood-http`): [`OtlpLayer`](otlp::OtlpLayer),
/// its builder, and [`OtlpEnv`](otlp::OtlpEnv) for the standard `OTEL_*`
/// variables.
///
/// Requires the `otlp` feature.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use tracing_subscriber::prelude::*;
///
/// let (layer, _guard) = logwood::otlp::OtlpLayer::builder("http://127.0.0.1:9")
///     .service_name("shop")
///     .log_internal_errors(false)
///     .shutdown_timeout(std::time::Duration::ZERO)
///     .build()?;
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || tracing::info!(order.id = 1, "placed"));
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "otlp")]
pub mod otlp {
    pub use logwood_http::{
        BuildError, DEFAULT_OTLP_BUFFER_CAPACITY, DEFAULT_OTLP_ENDPOINT,
        DEFAULT_OTLP_MAX_BATCH_BYTES, MAX_OTLP_BATCH_BYTES, OTLP_LOGS_PATH, OtlpEnv, OtlpEnvError,
        OtlpLayer, OtlpLayerBuilder, OtlpProtocol,
    };
}
