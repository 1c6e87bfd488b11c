//! The JSON layer: the record tree encoded as one JSON line, written once.

use std::io;

use logwood_core::__private::{
    CoreLayer, Encode, EventFields, FieldFormat, Json, Output, Record, WriterSink,
};
use logwood_core::{Stats, StatsHandle};
use tracing_subscriber::fmt::MakeWriter;

use crate::JsonLayerBuilder;

/// A `tracing` layer writing one JSON object per event, per line.
///
/// # Format
///
/// - `dt`: RFC 3339 UTC with microseconds and `Z`; `level`: `trace`,
///   `debug`, `info`, `warn` or `error`; `message`: the message (`""` when
///   the event has none).
/// - The event's fields at the top level. Dotted names nest
///   (`order.id = 1` is `{"order":{"id":1}}`). Typed values stay typed
///   (integers, floats, booleans, strings); `?Debug` and `%Display` values
///   are strings; `&dyn Error` values are `"outer: …: root"` with their
///   source chain; NaN and ±infinity are the strings `"NaN"`, `"inf"`,
///   `"-inf"`.
/// - Names never collide: a field whose first segment is `dt`, `level`,
///   `message` or `context` is written with a leading underscore
///   (`"_level":3`); when two fields claim the same key (the same name, or
///   `a` and `a.b`), the one recorded later wins, as when applying them one
///   by one to a dictionary.
/// - `context`: `runtime` (`function` = the innermost span's name, absent
///   outside spans; `module`, `file`, `line`, `thread_id`, `thread_name`,
///   `logger_name` = the target), `system` (`pid`, `process_name`,
///   `hostname`), then the layer's static context with the span context
///   deep-merged on top. Span and static keys named `runtime` or `system`
///   are stored as `_runtime` / `_system`.
/// - Events bridged from the `log` crate by `tracing-log` carry the real
///   file, line, module and target.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// # #[allow(dead_code)]
/// # fn docs() {
/// tracing_subscriber::registry()
///     .with(logwood_json::JsonLayer::stdout())
///     .init();
/// tracing::info!(user.id = 42, "logged in");
/// # }
/// ```
#[derive(Debug)]
pub struct JsonLayer<W = fn() -> io::Stdout> {
    inner: CoreLayer<JsonEncoder, WriterSink<W>>,
}

/// The JSON record, one per line.
#[derive(Debug)]
pub(crate) struct JsonEncoder;

impl Encode for JsonEncoder {
    fn field_format(&self) -> FieldFormat {
        FieldFormat::Json
    }

    fn encode(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Output<'_>) {
        record.write_tree::<Json>(out.bytes, fields);
        out.bytes.push(b'\n');
    }
}

// === impl JsonLayer ===

impl JsonLayer {
    /// A layer writing to stdout with the default options.
    pub fn stdout() -> Self {
        Self::builder().build()
    }

    /// A builder for a layer with options (writer, runtime / system
    /// metadata, static context).
    pub fn builder() -> JsonLayerBuilder {
        JsonLayerBuilder::default()
    }
}

impl<W> JsonLayer<W> {
    pub(crate) fn from_inner(inner: CoreLayer<JsonEncoder, WriterSink<W>>) -> Self {
        Self { inner }
    }

    /// The layer's counters, readable at any time: `emitted` records,
    /// `sent` (written whole), `failed` (the writer refused them).
    pub fn stats(&self) -> Stats {
        self.inner.sink().stats()
    }

    /// A handle that reads this layer's counters after the layer has been
    /// moved into a subscriber.
    pub fn stats_handle(&self) -> StatsHandle {
        self.inner.sink().stats_handle()
    }
}

logwood_core::forward_layer!(impl<W> JsonLayer<W>, inner, where W: for<'a> MakeWriter<'a> + 'static);
