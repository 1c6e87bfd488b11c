//! One layer skeleton for every logwood layer: [`CoreLayer`] owns
//! `on_new_span` / `on_record` / `on_event` (span context, the thread's
//! scratch buffers, the record walk) with a seam for the encoder
//! ([`Encode`]: how a record becomes bytes) and a seam for the sink
//! ([`Sink`]: where the bytes go), the way tracing-subscriber's `fmt` layer
//! has a formatter and a writer. The public layer types (`JsonLayer`,
//! `PatternLayer`, `SyslogLayer`, `HttpLayer`) wrap one.

mod writer;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::SystemTime;

use tracing_core::span::{Attributes, Id, Record as SpanRecord};
use tracing_core::{Event, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

pub use writer::WriterSink;

use crate::buf::{Scratch, with_scratch};
use crate::context::ContextRecorder;
use crate::delivery::{DeliveryError, ErrorKind};
use crate::encode::otlp::{OtlpJsonValue, OtlpValue};
use crate::encode::{Json, Msgpack, Text};
use crate::field::{EventFields, LiftFrom};
use crate::record::{Record, RecordOptions};
use crate::trace::TraceSource;

/// The format an encoder wants the event's field values recorded in (each
/// value is encoded once, as the visitor sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldFormat {
    /// JSON values (the JSON record, NDJSON bodies, syslog's JSON message).
    Json,
    /// msgpack values (Timber frames).
    Msgpack,
    /// Plain text (pattern lines, syslog's SD-PARAMs and `key=value`).
    Text,
    /// OTLP protobuf `AnyValue`s (OTLP/HTTP logs in protobuf).
    Otlp,
    /// OTLP/JSON `AnyValue`s (OTLP/HTTP logs in JSON).
    OtlpJson,
}

/// The encoder seam: how one event becomes one or more records.
pub trait Encode: 'static {
    /// The format the event's fields are recorded in.
    fn field_format(&self) -> FieldFormat;

    /// Whether to lift fields out of the message: by default
    /// `key=value` pairs and JSON objects when the layer's
    /// `lift_message_fields` is on.
    fn lift(&self, opts: &RecordOptions) -> Option<LiftFrom> {
        opts.lift_message_fields.then_some(LiftFrom::PairsAndJson)
    }

    /// The event's time (a layer may inject a clock for tests).
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// Writes the record(s) of one event to `out`.
    fn encode(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Output<'_>);
}

/// The sink seam: where a layer's records go (a writer, a queue).
pub trait Sink: 'static {
    /// Takes one encoded record of an event with metadata `meta`: writes
    /// it, or hands it to a worker. Never panics and never fails: every
    /// outcome is counted (and a failure reported).
    fn send(&self, meta: &Metadata<'static>, record: &[u8]);

    /// Counts `error.records()` records as emitted and failed (an event
    /// that could not be encoded) and reports `error`.
    fn fail(&self, error: DeliveryError);
}

/// Where an encoder writes: the bytes of one record, or of several, each
/// closed with [`Output::end_record`].
#[derive(Debug)]
pub struct Output<'a> {
    /// The records' bytes (the thread's reused buffer, empty at first).
    pub bytes: &'a mut Vec<u8>,
    ends: &'a mut Vec<usize>,
}

// === impl Output ===

impl Output<'_> {
    /// Ends a record at the current length of `bytes`. An encoder that
    /// writes exactly one record need not call it.
    pub fn end_record(&mut self) {
        self.ends.push(self.bytes.len());
    }

    /// The records written so far (closed ones).
    pub fn records(&self) -> usize {
        self.ends.len()
    }
}

/// The generic logwood layer: span context recorded once per span, each
/// event encoded by `E` into the thread's buffer on the caller's thread,
/// the records handed to `K`.
///
/// A field whose `Debug` or `Display` panics while the event is encoded
/// does not unwind into the application: the event is counted as failed
/// (and reported once), and the layers after this one still see it.
#[derive(Debug)]
pub struct CoreLayer<E, K> {
    encoder: E,
    sink: K,
    opts: RecordOptions,
    recorder: ContextRecorder,
    trace: TraceSource,
}

// === impl CoreLayer ===

impl<E, K> CoreLayer<E, K> {
    /// A layer encoding with `encoder` into `sink`, with `opts`.
    pub fn new(encoder: E, sink: K, opts: RecordOptions) -> Self {
        Self {
            encoder,
            sink,
            opts,
            recorder: ContextRecorder::new(),
            trace: TraceSource::default(),
        }
    }

    /// The encoder.
    pub fn encoder(&self) -> &E {
        &self.encoder
    }

    /// The sink.
    pub fn sink(&self) -> &K {
        &self.sink
    }

    /// The record options.
    pub fn options(&self) -> &RecordOptions {
        &self.opts
    }

    /// `on_new_span`: records the span's fields once (whichever logwood
    /// layer sees the span first). A panicking field is contained and
    /// reported: the span keeps the fields recorded before it.
    pub fn new_span<S>(&self, attrs: &Attributes<'_>, id: &Id, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        K: Sink,
    {
        if !self.recorder.on_new_span(attrs, id, ctx) {
            self.sink.fail(panicked(attrs.metadata(), "span", 0));
        }
    }

    /// `on_register_dispatch`: remembers the dispatcher (the trace ids of
    /// `tracing-opentelemetry` are read through it, with the
    /// `opentelemetry` feature).
    pub fn register_dispatch(&self, dispatch: &tracing_core::Dispatch) {
        self.trace.register(dispatch);
    }

    /// `on_record`: applies `Span::record` values if this layer owns the
    /// span.
    pub fn record<S>(&self, id: &Id, values: &SpanRecord<'_>, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        K: Sink,
    {
        if !self.recorder.on_record(id, values, ctx)
            && let Some(span) = ctx.span(id)
        {
            self.sink.fail(panicked(span.metadata(), "span", 0));
        }
    }

    /// `on_event`: encodes the event and hands its records to the sink (with
    /// no span lock held).
    pub fn event<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        E: Encode,
        K: Sink,
    {
        with_scratch(|scratch| {
            let Scratch { out, fields, ends } = scratch;
            ends.clear();
            let encoded = catch_unwind(AssertUnwindSafe(|| {
                self.encode(event, ctx, fields, &mut Output { bytes: out, ends });
            }));
            if encoded.is_err() {
                out.clear();
                ends.clear();
                fields.clear(false);
                self.sink.fail(panicked(event.metadata(), "event", 1));
                return;
            }
            let meta = event.metadata();
            if ends.is_empty() {
                self.sink.send(meta, out);
                return;
            }
            let mut start = 0;
            for &end in ends.iter() {
                self.sink.send(meta, &out[start..end]);
                start = end;
            }
        });
    }

    fn encode<S>(
        &self,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
        fields: &mut EventFields,
        out: &mut Output<'_>,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
        E: Encode,
    {
        let time = self.encoder.now();
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let bridged = normalized.is_some();
        let lift = self.encoder.lift(&self.opts);
        match self.encoder.field_format() {
            FieldFormat::Json => fields.record_event::<Json>(event, bridged, lift),
            FieldFormat::Msgpack => fields.record_event::<Msgpack>(event, bridged, lift),
            FieldFormat::Text => fields.record_event::<Text>(event, bridged, lift),
            FieldFormat::Otlp => fields.record_event::<OtlpValue>(event, bridged, lift),
            FieldFormat::OtlpJson => fields.record_event::<OtlpJsonValue>(event, bridged, lift),
        }
        let trace = self.trace.event_trace(event, ctx);
        ContextRecorder::with_event_span(ctx, event, |span| {
            let record = Record {
                time,
                meta,
                callsite: (!bridged).then(|| event.metadata()),
                span,
                opts: &self.opts,
                trace,
            };
            self.encoder.encode(&record, fields, out);
        });
    }
}

/// The report of an event or span whose fields panicked while recorded.
fn panicked(meta: &Metadata<'_>, what: &str, records: u64) -> DeliveryError {
    let at = match (meta.file(), meta.line()) {
        (Some(file), Some(line)) => format!(" at {file}:{line}"),
        _ => String::new(),
    };
    DeliveryError::new(
        ErrorKind::Encode,
        format!(
            "the {what} `{}`{at} (target `{}`) was not recorded: the `Debug` or `Display` \
             implementation of one of its fields panicked",
            meta.name(),
            meta.target()
        ),
    )
    .with_records(records)
}

/// Implements `tracing_subscriber::Layer` for a public layer type that
/// wraps a [`CoreLayer`] in the field `$field`, forwarding `on_new_span`,
/// `on_record` and `on_event`.
#[doc(hidden)]
#[macro_export]
macro_rules! forward_layer {
    (impl<$($g:ident),*> $ty:ty, $field:ident $(, where $($bound:tt)+)?) => {
        impl<__S, $($g),*> $crate::__private::tracing_subscriber::Layer<__S> for $ty
        where
            __S: $crate::__private::tracing_core::Subscriber
                + for<'__a> $crate::__private::tracing_subscriber::registry::LookupSpan<'__a>,
            $($($bound)+)?
        {
            fn on_register_dispatch(&self, dispatch: &$crate::__private::tracing_core::Dispatch) {
                self.$field.register_dispatch(dispatch);
            }

            fn on_new_span(
                &self,
                attrs: &$crate::__private::tracing_core::span::Attributes<'_>,
                id: &$crate::__private::tracing_core::span::Id,
                ctx: $crate::__private::tracing_subscriber::layer::Context<'_, __S>,
            ) {
                self.$field.new_span(attrs, id, &ctx);
            }

            fn on_record(
                &self,
                id: &$crate::__private::tracing_core::span::Id,
                values: &$crate::__private::tracing_core::span::Record<'_>,
                ctx: $crate::__private::tracing_subscriber::layer::Context<'_, __S>,
            ) {
                self.$field.record(id, values, &ctx);
            }

            fn on_event(
                &self,
                event: &$crate::__private::tracing_core::Event<'_>,
                ctx: $crate::__private::tracing_subscriber::layer::Context<'_, __S>,
            ) {
                self.$field.event(event, &ctx);
            }
        }
    };
}
