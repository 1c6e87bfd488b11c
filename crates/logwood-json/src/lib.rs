//! logwood's JSON layer: one Timber-style JSON object per line, on stdout or
//! any [`MakeWriter`](tracing_subscriber::fmt::MakeWriter).
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
//! # Feature flags
//!
//! This crate has no optional features.
//!
//! # Supported Rust versions
//!
//! Built and tested with Rust 1.95 (the manifest's `rust-version`).
#![doc(test(attr(deny(warnings))))]

mod builder;
mod layer;

pub use builder::JsonLayerBuilder;
pub use layer::{JsonLayer, Stats, StatsHandle};
