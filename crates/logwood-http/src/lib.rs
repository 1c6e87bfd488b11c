//! logwood's HTTP batch layers: events shipped in Timber-style batches
//! (msgpack frames or NDJSON) to an HTTP ingest endpoint, or as OTLP/HTTP
//! logs to an OpenTelemetry receiver, over one kept-alive connection, with
//! bounded buffering, retries and a flush guard.
//!
//! [`HttpLayer`] encodes each event on the calling thread into the same
//! record tree as logwood's JSON layer (the record path every logwood layer
//! shares) and appends it to a bounded batch buffer; a background thread
//! with its own tokio runtime posts the batches with hyper, honouring the
//! retry table of the wire protocol (documented on
//! [`HttpLayer`](HttpLayer#wire-format)).
//!
//! Delivery speaks the vocabulary of every logwood layer with a worker:
//!
//! - [`Stats`]: every record is accounted for; at every moment
//!   `emitted = sent + dropped + failed + queued`
//!   ([`HttpLayer`](HttpLayer#accounting) says what each means here);
//! - [`DeliveryError`] and [`ErrorKind`]: every failure, drops included,
//!   goes to the [`on_error`](HttpLayerBuilder::on_error) callback, and the
//!   first of each kind is printed on stderr at once with its cause;
//! - [`FlushGuard`]: `flush(timeout)`, `shutdown(timeout) -> Stats`, and a
//!   flush within `shutdown_timeout` when it is dropped.
//!
//! [`OtlpLayer`] is the same machinery speaking OTLP/HTTP logs (protobuf or
//! JSON) to any OpenTelemetry Collector, Vector, Grafana Alloy or Data
//! Prepper, with the record mapped to an OpenTelemetry `LogRecord`
//! ([the table](OtlpLayer#wire-format)), retries per the OTLP
//! specification, partial successes counted as `rejected`, and
//! [`OtlpEnv`] for the standard `OTEL_*` variables.
//!
//! Endpoints: Timber's `frames` API and Better Stack
//! ([`HttpLayer::better_stack`], [`HttpLayer::timber`]), `logwood-collector`
//! (the local receiver), or any NDJSON ingest such as Vector's
//! `http_server` source ([`Format::Ndjson`]).
//!
//! # Examples
//!
//! Ship three events to an in-process `logwood-collector`, shut down, and
//! read back what arrived:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tracing_subscriber::prelude::*;
//!
//! use logwood_collector::{Collector, Output};
//! use logwood_http::HttpLayer;
//!
//! let collector = Collector::builder().token("s3cret").out(Output::Memory).start()?;
//!
//! let (layer, _guard) = HttpLayer::builder(collector.frames_url())
//!     .api_key("s3cret")
//!     .with_runtime(false)
//!     .with_system(false)
//!     .context_field("service.name", "shop")
//!     .build()?;
//! let subscriber = tracing_subscriber::registry().with(layer);
//!
//! #[tracing::instrument(fields(user.id = 42))]
//! fn place_order(id: u64) {
//!     tracing::info!(order.id = id, order.total = 520.23, "Order placed");
//! }
//! tracing::subscriber::with_default(subscriber, || {
//!     for id in 1..=3 {
//!         place_order(id);
//!     }
//! });
//!
//! let stats = _guard.shutdown(Duration::from_secs(5));
//! assert_eq!((stats.emitted, stats.sent, stats.failed), (3, 3, 0));
//! assert!(stats.is_balanced());
//!
//! let records = collector.wait_for_records(3, Duration::from_secs(5))?;
//! assert_eq!(records[0]["message"], "Order placed");
//! assert_eq!(records[0]["order"]["id"], 1);
//! assert_eq!(records[0]["context"]["service"]["name"], "shop");
//! assert_eq!(records[0]["context"]["user"]["id"], 42);
//! assert_eq!(records[2]["order"]["id"], 3);
//! // One batch, on one connection.
//! assert_eq!(collector.stats().batches, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Guarantees
//!
//! - The emitting thread never waits on the network: it encodes, takes a
//!   short lock and copies bytes. When the buffer is full the record is
//!   dropped, counted and reported, or, with
//!   [`drop_extra_events(false)`](HttpLayerBuilder::drop_extra_events), the
//!   thread waits for room.
//! - No tokio runtime is needed to build the layer, and it works the same
//!   inside a multi-thread or current-thread runtime and in a plain `main`.
//! - Nothing the worker does (nor hyper, tokio or rustls under it) is fed
//!   back into `tracing`: its threads run with a no-op dispatcher.
//! - The API key is a [`Secret`]: no `Debug`, error, callback or stderr line
//!   contains it, and text from the server is scrubbed of it.
//! - The guard delivers what is left when it is dropped: from a plain
//!   `main`, inside any tokio runtime (current-thread included) and during
//!   a panic unwind. Bind it with `let (layer, _guard) = …`, **not**
//!   `let (layer, _) = …`, which drops it at once (every event would then
//!   fail, and the `Closed` report says so).
//!
//! # Feature flags
//!
//! - `tls` (default): `https` endpoints, with rustls and the `ring`
//!   provider; the system's root certificates or `HttpLayerBuilder::ca_file`,
//!   `server_name`, and a client certificate for mutual TLS
//!   (`client_cert`, `client_key`). Requires tokio-rustls and
//!   logwood-core's `tls` feature (rustls, rustls-native-certs).
//! - `gzip`: gzip-compressed bodies (`HttpLayerBuilder::gzip`,
//!   `OtlpLayerBuilder::gzip`). Requires flate2 (pure-Rust backend).
//! - `opentelemetry`: trace correlation. With `tracing-opentelemetry` in
//!   the subscriber, records of events inside a span carry its
//!   OpenTelemetry ids: the OTLP `LogRecord`'s own `trace_id`, `span_id`
//!   and `flags`, and `context.trace_id` / `context.span_id` (lowercase
//!   hex) in Timber records. Requires logwood-core's `opentelemetry`
//!   feature (opentelemetry, tracing-opentelemetry).
//!
//! # Supported Rust versions
//!
//! Built and tested with Rust 1.95 (the manifest's `rust-version`).
#![doc(test(attr(deny(warnings))))]

mod batch;
mod body;
mod builder;
mod client;
mod detail;
mod error;
mod guard;
mod layer;
mod otlp;
mod partial;
mod pipeline;
mod retry;
mod secret;
mod worker;

pub use body::Format;
pub use body::OtlpProtocol;
pub use builder::{
    DEFAULT_BUFFER_CAPACITY, DEFAULT_CONNECTION_MAX_AGE, DEFAULT_FLUSH_INTERVAL,
    DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_INITIAL,
    DEFAULT_RETRY_MAX, HttpLayerBuilder, MIN_MAX_BATCH_BYTES,
};
pub use error::BuildError;
pub use layer::{BETTER_STACK_URL, HttpLayer};
pub use otlp::{
    DEFAULT_OTLP_BUFFER_CAPACITY, DEFAULT_OTLP_ENDPOINT, DEFAULT_OTLP_MAX_BATCH_BYTES,
    MAX_OTLP_BATCH_BYTES, OTLP_LOGS_PATH, OtlpEnv, OtlpEnvError, OtlpLayer, OtlpLayerBuilder,
};
// The delivery vocabulary every logwood layer shares (as `logwood-json`
// re-exports it), with the backoff's `JitterMode` and the default
// `shutdown_timeout`, which this crate exported before under these names.
pub use logwood_core::{
    DEFAULT_SHUTDOWN_TIMEOUT, DeliveryError, ErrorKind, FlushGuard, FlushTimeout, JitterMode,
    Stats, StatsHandle,
};
pub use secret::{REDACTED, Secret};
