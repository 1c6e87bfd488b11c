//! The shared engine of logwood's `tracing` layers: one record path and
//! one delivery vocabulary.
//!
//! Users add a layer from `logwood-json`, `logwood-syslog` or `logwood-http`
//! (or everything at once with the `logwood` facade's `init()`); this crate
//! is what they share. Its public surface is what a user of those layers
//! meets:
//!
//! - [`StaticContext`] and [`Value`]: the static context every layer's
//!   builder takes (`context_field("service.name", "shop")`);
//! - [`Stats`] (with [`StatsHandle`]), the same counters in every layer,
//!   with the identity `emitted = sent + dropped + failed + queued`;
//! - [`FlushGuard`] and [`FlushTimeout`]: the one guard contract of every
//!   layer with a background worker;
//! - [`DeliveryError`] and [`ErrorKind`]: what the `on_error` callback of
//!   every layer receives; [`JitterMode`] for the retry backoff;
//! - [`InvalidOption`], the configuration error every layer's `BuildError`
//!   wraps.
//!
//! The machinery behind them (the span-context store, the record walk, the
//! encoders, the layer skeleton, the queue) is plumbing between logwood's
//! crates, kept out of the documented API.
//!
//! # How an event becomes bytes
//!
//! A span's fields are recorded once into its extensions and merged down
//! the span tree; `on_event` records the event's fields, walks the record
//! once (timestamp, level, message, fields, runtime and system metadata,
//! static + span context) and an encoder renders it: JSON, msgpack, a
//! Python `logging` pattern, RFC 5424 SD-PARAMs, `key=value` text. A sink
//! then takes the bytes: a writer, or a bounded queue drained by a worker.
//! `docs/architecture.md` in the repository draws the path for each layer.
//!
//! # Lifting fields out of the message
//!
//! Messages often carry structure as text, typically `log`-crate records
//! bridged into `tracing` (`info!("user=42 action=login")`, or a message
//! holding a JSON object). When a layer asks for it (its builder's
//! `lift_message_fields(true)`), such structure becomes fields, as if the event had been written
//! `info!(user = 42, action = "login", "user=42 action=login")`:
//!
//! - The message is read word by word (words are separated by whitespace).
//! - A **pair** is a word `key=value` whose key starts with an ASCII letter
//!   or `_` and holds ASCII letters, digits, `_`, `.` and `-` (a dotted key
//!   nests like a dotted field name). The value is a `"…"` string (escapes
//!   `\"`, `\\`, `\n`, `\r`, `\t`; other backslashes are kept), a JSON
//!   object (its members nest under the key), or the rest of the word,
//!   typed: `true` / `false` are booleans, JSON-style numbers are numbers
//!   (integers that fit 64 bits, finite floats; `01234` and integers past
//!   64 bits stay strings), anything else is a string (`key=` is `""`).
//! - A word that starts with `{` and begins a valid JSON object (RFC 8259;
//!   the object may span several words) has its members lifted: strings,
//!   numbers and booleans as such, nested objects nested (to
//!   `MAX_LIFTED_DEPTH` (16); deeper ones, and arrays, become strings holding
//!   their JSON text), `null` members left out. Malformed JSON lifts
//!   nothing from that object.
//! - At most `MAX_LIFTED_FIELDS` (64) fields are lifted per message.
//! - The event's own fields win: a lifted field is dropped when an event
//!   field has the same key, or a key above or below it (`user` and
//!   `user.id`). Among lifted fields the later wins, as among event fields.
//!   Lifted names follow the reserved-name rule of the record
//!   (`level=3` in a message is `_level`), so a record never has a key twice.
//! - The message itself is kept unchanged.
//! - Text layers (the pattern layer, RFC 3164 syslog), whose lines already
//!   show a message's `key=value` pairs, lift JSON objects only.
//!
//! Lifting reuses per-thread buffers: once they have grown to the size of
//! the messages seen, it allocates nothing.
//!
//! # Examples
//!
//! The counters every layer reports, and the guard contract:
//!
//! ```
//! use logwood_core::{Stats, StaticContext};
//!
//! let mut context = StaticContext::new();
//! context.insert("service.name", "shop");
//! context.insert("deploy.env", "prod");
//! assert_eq!(context.map().len(), 2);
//!
//! let stats = Stats::default();
//! assert!(stats.is_balanced());
//! ```
//!
//! # Supported Rust versions
//!
//! logwood is built and tested with Rust 1.95 (the `rust-version` in its
//! manifest).
#![doc(test(attr(deny(warnings))))]

mod buf;
mod context;
mod delivery;
mod encode;
mod field;
mod layer;
mod meta;
mod options;
mod record;
mod silence;
mod time;
#[cfg(feature = "tls")]
#[doc(hidden)]
pub mod tls;
mod trace;
mod value;

pub use context::StaticContext;
pub use delivery::{
    DeliveryError, ErrorKind, FlushGuard, FlushTimeout, JitterMode, Stats, StatsHandle,
};
pub use options::{DEFAULT_SHUTDOWN_TIMEOUT, InvalidOption};
pub use value::{MAX_DEPTH, Value};

/// Plumbing between logwood's crates: the layer skeleton, the record walk,
/// the encoders, the span-context store, the queue. Not part of the
/// public API: anything here may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use tracing_core;
    pub use tracing_subscriber;

    pub use crate::buf::MAX_RETAINED_CAPACITY;
    pub use crate::context::{ContextRecorder, Merged, SpanContext, SpanInfo};
    pub use crate::delivery::{
        Backoff, Batch, Counter, Counters, Delivery, OnError, Pushed, RecordQueue, ReportOnce,
        Reporter, Taken,
    };
    pub use crate::encode::{
        Flat, Format, Json, Kv, Members, Msgpack, SdParams, Text, json_escape_into, kv, otlp,
        pattern, sd, write_value,
    };
    pub use crate::field::{
        EventFields, LiftFrom, MAX_LIFTED_DEPTH, MAX_LIFTED_FIELDS, RESERVED_RECORD_KEYS,
    };
    pub use crate::layer::{CoreLayer, Encode, FieldFormat, Output, Sink, WriterSink};
    pub use crate::meta::{System, system, thread_id, thread_name};
    pub use crate::options::{DeliveryOptions, LayerOptions, TlsOptions};
    pub use crate::record::{Leaf, Record, RecordOptions, TraceIds, level_name};
    pub use crate::silence::{is_thread_silenced, silence_thread, unsilence_thread};
    pub use crate::time::{RFC3339_LEN, rfc3339_micros};
    #[cfg(feature = "tls")]
    pub use crate::tls;
    pub use crate::value::{Map, RESERVED_CONTEXT_KEYS, Str};
}
