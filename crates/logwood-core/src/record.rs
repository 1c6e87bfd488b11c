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
//!   `runtime` or `system` is stored as `_runtime` / `_system`.

use std::sync::Arc;
use std::time::SystemTime;

use tracing_core::{Event, Level, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::buf::Scratch;
use crate::context::{ContextRecorder, SpanInfo, StaticContext};
use crate::encode::Format;
use crate::field::{EventFields, LiftFrom};
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
    /// [`crate::field`](crate::field#lifting-fields-out-of-the-message)).
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

/// One event, ready to be written.
#[derive(Debug)]
pub struct Record<'a> {
    /// When the event happened.
    pub time: SystemTime,
    /// The event's metadata (for `log` records, the original file, line and
    /// target).
    pub meta: &'a Metadata<'a>,
    /// The span the event belongs to.
    pub span: Option<SpanInfo<'a>>,
}

/// Writes `record` with `fields` as one map in format `F`.
pub fn write_record<F: Format>(
    out: &mut Vec<u8>,
    record: &Record<'_>,
    fields: &mut EventFields,
    opts: &RecordOptions,
) {
    let mut root = F::map_begin(out);
    let mut dt = [0; RFC3339_LEN];
    F::map_key_fixed(out, &mut root, "dt");
    F::write_str(out, rfc3339_micros(record.time, &mut dt));
    F::map_key_fixed(out, &mut root, "level");
    F::write_str(out, level_name(record.meta.level()));
    F::map_key_fixed(out, &mut root, "message");
    match fields.message() {
        Some(message) => out.extend_from_slice(message),
        None => F::write_str(out, ""),
    }
    fields.write_into::<F>(out, &mut root);

    F::map_key_fixed(out, &mut root, "context");
    let mut context = F::map_begin(out);
    if opts.runtime {
        write_runtime::<F>(out, &mut context, record);
    }
    if opts.system {
        F::map_splice(out, &mut context, meta::system_members::<F>());
    }
    let span = record.span.map(|s| s.merged);
    match span {
        Some(span) if !span.is_empty() => {
            if span.shares_key_with(opts.context.map()) {
                // Rare: the layer's context and the span's share a top-level
                // key, so the two trees must be merged for this event.
                let mut merged = opts.context.map().clone();
                merged.merge(span.map());
                F::map_splice(out, &mut context, &F::members(&merged));
            } else {
                F::map_splice(out, &mut context, opts.context.members::<F>());
                F::map_splice(out, &mut context, span.members::<F>());
            }
        }
        _ => F::map_splice(out, &mut context, opts.context.members::<F>()),
    }
    F::map_end(out, context);
    F::map_end(out, root);
}

fn write_runtime<F: Format>(out: &mut Vec<u8>, context: &mut F::Map, record: &Record<'_>) {
    let meta = record.meta;
    F::map_key_fixed(out, context, "runtime");
    let mut runtime = F::map_begin(out);
    if let Some(span) = record.span {
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

/// Encodes `event` as a record in format `F` into `scratch.out` (which the
/// caller cleared): the common path of every logwood layer's `on_event`.
///
/// Records bridged from the `log` crate through `tracing-log` carry their
/// real file, line, module and target.
pub fn encode_event<F, S>(
    scratch: &mut Scratch,
    event: &Event<'_>,
    ctx: &Context<'_, S>,
    opts: &RecordOptions,
) where
    F: Format,
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let time = SystemTime::now();
    let normalized = event.normalized_metadata();
    let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
    let Scratch { out, fields } = scratch;
    let lift = opts.lift_message_fields.then_some(LiftFrom::PairsAndJson);
    fields.record_event::<F>(event, normalized.is_some(), lift);
    ContextRecorder::with_event_span(ctx, event, |span| {
        let record = Record { time, meta, span };
        write_record::<F>(out, &record, fields, opts);
    });
}
