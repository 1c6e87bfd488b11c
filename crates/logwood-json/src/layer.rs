//! The layer: encode into the thread's buffer, write the line once.

use std::io::{self, Write as _};
use std::sync::Arc;

use logwood_core::buf::with_scratch;
use logwood_core::context::ContextRecorder;
use logwood_core::encode::Json;
use logwood_core::record::{RecordOptions, encode_event};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::JsonLayerBuilder;
use crate::stats::{Counters, Stats, StatsHandle};

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
    make_writer: W,
    opts: RecordOptions,
    recorder: ContextRecorder,
    stats: Arc<Counters>,
    log_internal_errors: bool,
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
    pub(crate) fn from_parts(
        make_writer: W,
        opts: RecordOptions,
        log_internal_errors: bool,
    ) -> Self {
        Self {
            make_writer,
            opts,
            recorder: ContextRecorder::new(),
            stats: Arc::default(),
            log_internal_errors,
        }
    }

    /// The layer's counters, readable at any time.
    pub fn stats(&self) -> Stats {
        self.stats.snapshot()
    }

    /// A handle that reads this layer's counters after the layer has been
    /// moved into a subscriber.
    pub fn stats_handle(&self) -> StatsHandle {
        StatsHandle(self.stats.clone())
    }
}

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        self.recorder.on_new_span(attrs, id, &ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        self.recorder.on_record(id, values, &ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        with_scratch(|scratch| {
            encode_event::<Json, S>(scratch, event, &ctx, &self.opts);
            scratch.out.push(b'\n');
            let result = self
                .make_writer
                .make_writer_for(event.metadata())
                .write_all(&scratch.out);
            match result {
                Ok(()) => self.stats.written(),
                Err(err) => self
                    .stats
                    .write_failed("json", self.log_internal_errors, &err),
            }
        });
    }
}
