//! The shared engine of logwood's `tracing` layers.
//!
//! - [`context`]: span fields recorded once per span into its extensions,
//!   dotted names nested, deep-merged down the span tree and cached encoded;
//!   per-layer [`StaticContext`](context::StaticContext).
//! - [`record`]: the record every layer writes (`dt`, `level`, `message`,
//!   the event's fields, `context` with `runtime` and `system`).
//! - [`encode`]: the JSON and msgpack encoders behind one [`Format`](encode::Format) trait.
//! - [`field`], [`meta`], [`time`], [`buf`], [`stats`]: visitors, metadata,
//!   timestamps, thread-local buffers and counters; [`silence`] keeps
//!   logwood's worker threads out of `tracing`.
//!
//! Users add a layer from `logwood-json`, `logwood-syslog` or `logwood-http`
//! (or the `logwood` facade); this crate is what they share.
//!
//! # Examples
//!
//! Encoding an event as a JSON record, the way every logwood layer does in
//! `on_event`:
//!
//! ```
//! use logwood_core::{buf, encode::Json, record::{RecordOptions, encode_event}};
//! use std::sync::{Arc, Mutex};
//! use tracing_subscriber::{layer::Context, prelude::*, registry::LookupSpan, Layer};
//!
//! struct Capture(Arc<Mutex<Vec<String>>>, RecordOptions);
//!
//! impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
//!     fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
//!         buf::with_scratch(|s| {
//!             encode_event::<Json, S>(s, event, &ctx, &self.1);
//!             self.0.lock().unwrap().push(String::from_utf8_lossy(&s.out).into_owned());
//!         });
//!     }
//! }
//!
//! let lines = Arc::new(Mutex::new(Vec::new()));
//! let opts = RecordOptions { runtime: false, system: false, ..Default::default() };
//! let subscriber = tracing_subscriber::registry().with(Capture(lines.clone(), opts));
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!(order.id = 1234_u64, order.total = 520.23, "Order placed");
//! });
//! let line = lines.lock().unwrap()[0].clone();
//! assert!(line.ends_with(r#""message":"Order placed","order":{"id":1234,"total":520.23},"context":{}}"#));
//! ```
//!
//! # Supported Rust versions
//!
//! logwood is built and tested with Rust 1.95 (the `rust-version` in its
//! manifest).
#![doc(test(attr(deny(warnings))))]

pub mod buf;
pub mod context;
pub mod encode;
pub mod field;
pub mod meta;
pub mod record;
pub mod silence;
pub mod stats;
pub mod time;
#[cfg(feature = "tls")]
#[doc(hidden)]
pub mod tls;
