//! The record: one event as logwood writes it, in any nested [`Format`].
//!
//! ```json
//! {"dt":"2026-11-20T03:44:21.221232Z","level":"info","message":"Order #1234 placed",
//!  "order_placed":{"id":1234,"total":520.23},
//!  "context":{"runtime":{"function":"place_order","module":"shop::orders","file":"src/orders.rs",
//!                        "line":23,"thread_id":"8123","thread_name":"main","logger_name":"shop::orders"},
//!             "system":{"pid":20643,"process_name":"shop","hostname":"web-1"},
//!             "service":{"name":"shop"},"user":{"id":42}}}
//! ```
//!
//! - `dt`: RFC 3339 UTC, microseconds, `Z`. `level`: `trace` … `error`.
//! - `message`: the event's message (`""` when it has none).
//! - the event's fields at the top level, dotted names nested; a field whose
//!   first segment is `dt`, `level`, `message` or `context` gets a leading
//!   underscore (`"_level":3`); conflicts follow the later-wins rule of
//!   [`crate::field`]; with [`RecordOptions::lift_message_fields`], fields
//!   lifted out of the message follow them (an event field wins over a
//!   lifted one).
//! - `context`: `runtime` (per event; `function` is the innermost span's name
//!   and is absent outside spans), `system` (per process), then the layer's
//!   static context with the span context merged on top. A user key
//!   `runtime` or `system` is stored as `_runtime` / `_system`. With the
//!   `opentelemetry` feature and `tracing-opentelemetry` in the subscriber,
//!   `trace_id` and `span_id` (lowercase hex) close it, unless the context
//!   has such a key of its own.

mod leaves;

use std::sync::Arc;
use std::time::SystemTime;

use tracing_core::{Level, Metadata};

pub use leaves::Leaf;

use crate::context::{SpanInfo, StaticContext};
use crate::encode::Format;
use crate::field::EventFields;
use crate::meta;
use crate::time::{RFC3339_LEN, rfc3339_micros};

/// What a layer puts in its records beyond the event itself.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// The layer's static context (beneath the span context).
    pub context: Arc<StaticContext>,
    /// Whether to write `context.runtime`.
    pub runtime: bool,
    /// Whether to write `context.system`.
    pub system: bool,
    /// Whether to lift `key=value` pairs and JSON objects found in the
    /// message into fields (the rules are in
    /// [`crate::field`](crate#lifting-fields-out-of-the-message)).
    /// Off by default.
    pub lift_message_fields: bool,
}

impl Default for RecordOptions {
    fn default() -> Self {
        Self {
            context: Arc::default(),
            runtime: true,
            system: true,
            lift_message_fields: false,
        }
    }
}

/// `bytes` as lowercase hex in `buf`.
fn hex<'b>(bytes: &[u8], buf: &'b mut [u8; 32]) -> &'b str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let n = bytes.len().min(16);
    for (i, &b) in bytes[..n].iter().enumerate() {
        buf[2 * i] = HEX[usize::from(b >> 4)];
        buf[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    // Every byte written is ASCII.
    std::str::from_utf8(&buf[..2 * n]).unwrap_or_default()
}

/// The lowercase level name used in records.
pub fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// One event, ready to be encoded: everything but its fields (which the
/// layer recorded into [`EventFields`] in its encoder's format).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// When the event happened.
    pub time: SystemTime,
    /// The event's metadata (for `log` records, the original file, line and
    /// target).
    pub meta: &'a Metadata<'a>,
    /// The callsite's `'static` metadata, when `meta` is it (not a record
    /// bridged from `log`, whose metadata is made per event): a key for
    /// per-callsite caches.
    pub callsite: Option<&'static Metadata<'static>>,
    /// The span the event belongs to.
    pub span: Option<SpanInfo<'a>>,
    /// The layer's options (static context, runtime, system).
    pub opts: &'a RecordOptions,
    /// The OpenTelemetry span context of the event's span, when
    /// `tracing-opentelemetry` is in the subscriber and the
    /// `opentelemetry` feature is on.
    pub trace: Option<TraceIds>,
}

/// The OpenTelemetry ids of the span an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceIds {
    /// The trace id (16 bytes, never all zero).
    pub trace_id: [u8; 16],
    /// The span id (8 bytes, never all zero).
    pub span_id: [u8; 8],
    /// The W3C trace flags (bit 0: sampled).
    pub flags: u8,
}

// === impl Record ===

impl Record<'_> {
    /// Writes the record with `fields` as one map in format `F`: the tree
    /// of the JSON and msgpack records.
    pub fn write_tree<F: Format>(&self, out: &mut Vec<u8>, fields: &mut EventFields) {
        let mut root = F::map_begin(out);
        let mut dt = [0; RFC3339_LEN];
        F::map_key_fixed(out, &mut root, "dt");
        F::write_str(out, rfc3339_micros(self.time, &mut dt));
        F::map_key_fixed(out, &mut root, "level");
        F::write_str(out, level_name(self.meta.level()));
        F::map_key_fixed(out, &mut root, "message");
        match fields.message() {
            Some(message) => out.extend_from_slice(message),
            None => F::write_str(out, ""),
        }
        fields.write_into::<F>(out, &mut root);

        F::map_key_fixed(out, &mut root, "context");
        let mut context = F::map_begin(out);
        if self.opts.runtime {
            self.write_runtime::<F>(out, &mut context);
        }
        if self.opts.system {
            F::map_splice(out, &mut context, meta::system_members::<F>());
        }
        self.write_context::<F>(out, &mut context);
        self.for_each_trace_id(|key, hex| {
            F::map_key_fixed(out, &mut context, key);
            F::write_str(out, hex);
        });
        F::map_end(out, context);
        F::map_end(out, root);
    }

    /// The layer's static context with the span context merged on top, as
    /// entries of the open map `map`.
    fn write_context<F: Format>(&self, out: &mut Vec<u8>, map: &mut F::Map) {
        let fixed = &self.opts.context;
        match self.span.map(|s| s.merged) {
            Some(span) if !span.is_empty() => {
                if span.shares_key_with(fixed.map()) {
                    // Rare: the layer's context and the span's share a
                    // top-level key, so the two trees are merged for this
                    // event.
                    let mut merged = fixed.map().clone();
                    merged.merge(span.map());
                    F::map_splice(out, map, &F::members(&merged));
                } else {
                    F::map_splice(out, map, fixed.members::<F>());
                    span.splice_into::<F>(out, map);
                }
            }
            _ => F::map_splice(out, map, fixed.members::<F>()),
        }
    }

    /// Calls `f` with `("trace_id", hex)` and `("span_id", hex)` when the
    /// event's span has OpenTelemetry ids, each unless the context already
    /// holds that top-level key (the user's value wins).
    pub fn for_each_trace_id(&self, mut f: impl FnMut(&'static str, &str)) {
        let Some(trace) = self.trace else { return };
        let mut buf = [0u8; 32];
        if !self.context_has_key("trace_id") {
            f("trace_id", hex(&trace.trace_id, &mut buf));
        }
        if !self.context_has_key("span_id") {
            f("span_id", hex(&trace.span_id, &mut buf));
        }
    }

    /// Whether the static or span context has the top-level `key`.
    pub(crate) fn context_has_key(&self, key: &str) -> bool {
        let bit = crate::value::key_bit(key);
        let fixed =
            self.opts.context.key_mask() & bit != 0 && self.opts.context.map().get(key).is_some();
        fixed || self.span.is_some_and(|s| s.merged.has_key(key))
    }

    fn write_runtime<F: Format>(&self, out: &mut Vec<u8>, context: &mut F::Map) {
        let meta = self.meta;
        F::map_key_fixed(out, context, "runtime");
        let mut runtime = F::map_begin(out);
        if let Some(span) = self.span {
            F::map_key_fixed(out, &mut runtime, "function");
            F::write_str(out, span.function);
        }
        if let Some(module) = meta.module_path() {
            F::map_key_fixed(out, &mut runtime, "module");
            F::write_str(out, module);
        }
        if let Some(file) = meta.file() {
            F::map_key_fixed(out, &mut runtime, "file");
            F::write_str(out, file);
        }
        if let Some(line) = meta.line() {
            F::map_key_fixed(out, &mut runtime, "line");
            F::write_u64(out, line.into());
        }
        meta::with_thread_members::<F, _>(|members| F::map_splice(out, &mut runtime, members));
        F::map_key_fixed(out, &mut runtime, "logger_name");
        F::write_str(out, meta.target());
        F::map_end(out, runtime);
    }
}

#[cfg(test)]
mod tests;
