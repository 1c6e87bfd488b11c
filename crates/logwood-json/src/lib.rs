//! logwood's line layers, on stdout or any
//! [`MakeWriter`](tracing_subscriber::fmt::MakeWriter):
//!
//! - [`JsonLayer`]: one Timber-style JSON object per line;
//! - [`PatternLayer`]: one line in a Python `logging` format
//!   (`%(asctime)s - %(name)s - %(levelname)s - %(message)s`), for the
//!   log-collector expressions, Papertrail searches and greps written for
//!   Python services;
//! - [`RotatingFileWriter`]: a log file for either layer, rotated by size
//!   (`app.log.1`, … as Python's `RotatingFileHandler`), by time
//!   (`app.log.2026-11-27`, … as `TimedRotatingFileHandler`) or both, with
//!   gzip or zstd backups compressed off the caller's thread, reopened
//!   when logrotate moves it (as `WatchedFileHandler`), optionally written
//!   off the caller's thread.
//!
//! Both layers can lift `key=value` pairs and JSON objects found in
//! messages into fields (`lift_message_fields`).
//!
//! The JSON record:
//!
//! ```json
//! {"dt":"2026-11-20T03:44:21.221232Z","level":"info","message":"Order #1234 placed",
//!  "order_placed":{"id":1234,"total":520.23},
//!  "context":{"runtime":{"function":"place_order","module":"shop::orders","file":"src/orders.rs","line":23,
//!                        "thread_id":"8123","thread_name":"main","logger_name":"shop::orders"},
//!             "system":{"pid":20643,"process_name":"shop","hostname":"web-1"},
//!             "user":{"id":42}}}
//! ```
//!
//! (printed on one line). See [`JsonLayer`] for the format and its rules.
//!
//! # Examples
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use tracing_subscriber::prelude::*;
//! use logwood_json::JsonLayer;
//!
//! // Any MakeWriter works; a shared Vec keeps the example self-checking.
//! #[derive(Clone, Default)]
//! struct Lines(Arc<Mutex<Vec<u8>>>);
//! impl std::io::Write for Lines {
//!     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
//!         self.0.lock().unwrap().extend_from_slice(b);
//!         Ok(b.len())
//!     }
//!     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
//! }
//!
//! let lines = Lines::default();
//! let writer = lines.clone();
//! let layer = JsonLayer::builder()
//!     .with_writer(move || writer.clone())
//!     .with_runtime(false)
//!     .with_system(false)
//!     .context_field("service.name", "shop")
//!     .build();
//! let subscriber = tracing_subscriber::registry().with(layer);
//!
//! #[tracing::instrument(fields(user.id = 123))]
//! fn place_order() {
//!     tracing::info!(order_placed.id = 1234, order_placed.total = 520.23, "Order #1234 placed");
//! }
//! tracing::subscriber::with_default(subscriber, place_order);
//!
//! let out = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
//! let expected = r#""message":"Order #1234 placed","order_placed":{"id":1234,"total":520.23},"context":{"service":{"name":"shop"},"user":{"id":123}}}"#;
//! assert!(out.ends_with(&format!("{expected}\n")), "{out}");
//! ```
//!
//! The same event as a Python-style line (here with the target as a dotted
//! logger name and a fixed host name):
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use tracing_subscriber::prelude::*;
//! use logwood_json::PatternLayer;
//!
//! #[derive(Clone, Default)]
//! struct Lines(Arc<Mutex<Vec<u8>>>);
//! impl std::io::Write for Lines {
//!     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
//!         self.0.lock().unwrap().extend_from_slice(b);
//!         Ok(b.len())
//!     }
//!     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
//! }
//!
//! # fn main() -> Result<(), logwood_json::BuildError> {
//! let lines = Lines::default();
//! let writer = lines.clone();
//! let layer = PatternLayer::builder("%(hostname)s %(levelname)-8s %(name)s %(funcName)s: %(message)s")
//!     .with_writer(move || writer.clone())
//!     .hostname("web-1")
//!     .dotted_logger_names(true)
//!     .build()?;
//! let subscriber = tracing_subscriber::registry().with(layer);
//!
//! #[tracing::instrument(target = "shop::orders", fields(user.id = 123))]
//! fn place_order() {
//!     tracing::info!(target: "shop::orders", note = "gift wrap", order_placed.id = 1234, "Order #1234 placed");
//! }
//! tracing::subscriber::with_default(subscriber, place_order);
//!
//! let out = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
//! assert_eq!(
//!     out,
//!     "web-1 INFO     shop.orders place_order: Order #1234 placed note=\"gift wrap\" order_placed.id=1234\n"
//! );
//! # Ok(())
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `zstd`: zstd compression of rotated files ([`Compression::Zstd`]).
//!   Requires a C compiler (the `zstd` crate builds libzstd). Off by
//!   default; gzip is always available.
//! - `opentelemetry`: trace correlation. With `tracing-opentelemetry` in
//!   the subscriber, records of events inside a span carry its
//!   OpenTelemetry ids as `context.trace_id` and `context.span_id`
//!   (lowercase hex; a context key of the same name wins), and the pattern
//!   layer's context pairs `trace_id=…` / `span_id=…`. Requires
//!   logwood-core's `opentelemetry` feature (opentelemetry,
//!   tracing-opentelemetry).
//!
//! # Supported Rust versions
//!
//! Built and tested with Rust 1.95 (the manifest's `rust-version`).
#![doc(test(attr(deny(warnings))))]

mod builder;
mod error;
mod layer;
mod pattern;
mod rotate;

pub use builder::JsonLayerBuilder;
pub use error::BuildError;
pub use layer::JsonLayer;
pub use logwood_core::{DeliveryError, ErrorKind, FlushGuard, FlushTimeout, Stats, StatsHandle};
pub use pattern::{
    DEFAULT_TIME_FORMAT, FUNC_NAME_OUTSIDE_SPANS, PatternLayer, PatternLayerBuilder,
};
pub use rotate::{
    Compression, DEFAULT_BACKUP_COUNT, DEFAULT_BUFFER_CAPACITY, DEFAULT_INTERVAL,
    DEFAULT_MAX_BYTES, DEFAULT_WATCH_INTERVAL, RotatingFileWriter, RotatingFileWriterBuilder,
    RotatingLineWriter, When, WriterStats,
};
#[allow(deprecated)]
pub use rotate::{DEFAULT_BUFFERED_LINES_LIMIT, DEFAULT_FLUSH_TIMEOUT, WriterGuard};
