//! Trace correlation: the OpenTelemetry ids of the span an event belongs
//! to, read from `tracing-opentelemetry` when the `opentelemetry` feature
//! is on (and nothing, at no cost, when it is off).
//!
//! The ids come from the event's span (`parent:` honoured) as
//! `tracing-opentelemetry`'s layer knows it, found through the dispatcher
//! the layer was registered with; when that span has no OpenTelemetry
//! context (no such layer, or an event outside any span), from the
//! OpenTelemetry context current on the thread. An invalid (all-zero)
//! span context gives none.

#[cfg(feature = "opentelemetry")]
use std::sync::OnceLock;

use tracing_core::{Dispatch, Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::record::TraceIds;

/// Where a layer reads trace ids from: the dispatcher it was registered
/// with (feature `opentelemetry`).
#[derive(Debug, Default)]
pub(crate) struct TraceSource {
    #[cfg(feature = "opentelemetry")]
    dispatch: OnceLock<tracing_core::dispatcher::WeakDispatch>,
}

// === impl TraceSource ===

impl TraceSource {
    /// Remembers the dispatcher the layer is part of (the first one).
    #[cfg_attr(not(feature = "opentelemetry"), allow(unused_variables))]
    pub(crate) fn register(&self, dispatch: &Dispatch) {
        #[cfg(feature = "opentelemetry")]
        {
            self.dispatch.get_or_init(|| dispatch.downgrade());
        }
    }

    /// The ids of the span `event` belongs to. Call with no span's
    /// extensions locked.
    #[cfg(not(feature = "opentelemetry"))]
    #[inline(always)]
    pub(crate) fn event_trace<S>(
        &self,
        _event: &Event<'_>,
        _ctx: &Context<'_, S>,
    ) -> Option<TraceIds>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        None
    }

    /// The ids of the span `event` belongs to. Call with no span's
    /// extensions locked.
    #[cfg(feature = "opentelemetry")]
    pub(crate) fn event_trace<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>) -> Option<TraceIds>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        use opentelemetry::trace::TraceContextExt as _;

        let from_span = ctx.event_span(event).and_then(|span| {
            let id = span.id();
            drop(span);
            let dispatch = self.dispatch.get()?.upgrade()?;
            let cx = tracing_opentelemetry::get_otel_context(&id, &dispatch)?;
            ids(cx.span().span_context())
        });
        from_span
            .or_else(|| opentelemetry::Context::map_current(|cx| ids(cx.span().span_context())))
    }
}

#[cfg(feature = "opentelemetry")]
fn ids(context: &opentelemetry::trace::SpanContext) -> Option<TraceIds> {
    context.is_valid().then(|| TraceIds {
        trace_id: context.trace_id().to_bytes(),
        span_id: context.span_id().to_bytes(),
        flags: context.trace_flags().to_u8(),
    })
}
