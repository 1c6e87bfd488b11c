//! Configuration of [`JsonLayer`].

use std::io;
use std::sync::Arc;

use logwood_core::context::{StaticContext, Value};
use logwood_core::record::RecordOptions;
use tracing_subscriber::fmt::MakeWriter;

use crate::JsonLayer;

/// Builds a [`JsonLayer`]; made by [`JsonLayer::builder`].
///
/// # Default values
///
/// | option | default |
/// | --- | --- |
/// | [`with_writer`](Self::with_writer) | `std::io::stdout` |
/// | [`with_runtime`](Self::with_runtime) | `true` |
/// | [`with_system`](Self::with_system) | `true` |
/// | [`context_field`](Self::context_field) | none |
/// | [`lift_message_fields`](Self::lift_message_fields) | `false` |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
#[derive(Debug)]
#[must_use]
pub struct JsonLayerBuilder<W = fn() -> io::Stdout> {
    make_writer: W,
    runtime: bool,
    system: bool,
    context: StaticContext,
    lift_message_fields: bool,
    log_internal_errors: bool,
}

impl Default for JsonLayerBuilder {
    fn default() -> Self {
        Self {
            make_writer: io::stdout,
            runtime: true,
            system: true,
            context: StaticContext::new(),
            lift_message_fields: false,
            log_internal_errors: true,
        }
    }
}

// === impl JsonLayerBuilder ===

impl<W> JsonLayerBuilder<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    /// Writes records to `make_writer` (one `write_all` per line).
    ///
    /// By default, records go to stdout.
    pub fn with_writer<W2>(self, make_writer: W2) -> JsonLayerBuilder<W2>
    where
        W2: for<'a> MakeWriter<'a> + 'static,
    {
        JsonLayerBuilder {
            make_writer,
            runtime: self.runtime,
            system: self.system,
            context: self.context,
            lift_message_fields: self.lift_message_fields,
            log_internal_errors: self.log_internal_errors,
        }
    }

    /// Whether records carry `context.runtime` (function, module, file,
    /// line, thread, logger name).
    ///
    /// By default, they do.
    pub fn with_runtime(mut self, include: bool) -> Self {
        self.runtime = include;
        self
    }

    /// Whether records carry `context.system` (pid, process name, hostname).
    ///
    /// By default, they do.
    pub fn with_system(mut self, include: bool) -> Self {
        self.system = include;
        self
    }

    /// Adds static context to every record of this layer, under `context`
    /// and beneath the span context (a span field wins a conflict). `key`
    /// is dotted: `service.name` is `{"service":{"name":..}}`.
    ///
    /// By default, there is none.
    pub fn context_field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.context.insert(key, value);
        self
    }

    /// Replaces the static context with `context`.
    ///
    /// By default, there is none.
    pub fn context(mut self, context: StaticContext) -> Self {
        self.context = context;
        self
    }

    /// Whether `key=value` pairs and JSON objects found in the message become
    /// fields of the record: `info!("user=42 action=login")` gives
    /// `"user":42,"action":"login"` (numbers and booleans typed), as is
    /// typical of `log`-crate records bridged into `tracing`. The message is
    /// kept unchanged; an event's own field wins over a lifted one of the
    /// same key; the record still has no duplicate key. The full rules are
    /// in [`logwood_core::field`](logwood_core::field#lifting-fields-out-of-the-message).
    ///
    /// Lifting parses each message once and reuses per-thread buffers: it
    /// allocates nothing per event once they have grown.
    ///
    /// By default, messages are not parsed.
    pub fn lift_message_fields(mut self, lift: bool) -> Self {
        self.lift_message_fields = lift;
        self
    }

    /// Whether the first failure of each kind (a write error) is reported on
    /// stderr as one `[logwood] …` line. Failures are always counted in
    /// [`JsonLayer::stats`].
    ///
    /// By default, they are reported.
    pub fn log_internal_errors(mut self, report: bool) -> Self {
        self.log_internal_errors = report;
        self
    }

    /// Builds the layer. Nothing here can fail: the JSON layer opens nothing.
    pub fn build(self) -> JsonLayer<W> {
        JsonLayer::from_parts(
            self.make_writer,
            RecordOptions {
                context: Arc::new(self.context),
                runtime: self.runtime,
                system: self.system,
                lift_message_fields: self.lift_message_fields,
            },
            self.log_internal_errors,
        )
    }
}
