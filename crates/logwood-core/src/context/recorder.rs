//! Recording span fields into span extensions, once per span.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use super::{Merged, SpanContext};
use crate::field::MapVisitor;
use crate::value::Map;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The span-context half of a logwood layer: every logwood layer holds one
/// and forwards `on_new_span` / `on_record` to it.
#[derive(Debug)]
pub struct ContextRecorder {
    id: u64,
}

/// The span an event belongs to, as the record needs it.
#[derive(Debug, Clone, Copy)]
pub struct SpanInfo<'a> {
    /// The innermost span's name (`runtime.function`).
    pub function: &'static str,
    /// Its merged context.
    pub merged: &'a Merged,
}

impl Default for ContextRecorder {
    fn default() -> Self {
        Self::new()
    }
}

fn parent_merged<S>(span: &SpanRef<'_, S>) -> Arc<Merged>
where
    S: for<'a> LookupSpan<'a>,
{
    // The nearest ancestor with a context: the parent; further up only
    // when a span was filtered out for every logwood layer.
    let Some(parent) = span.parent() else {
        return Merged::empty();
    };
    if let Some(context) = parent.extensions().get::<SpanContext>() {
        return context.merged.clone();
    }
    parent
        .scope()
        .skip(1)
        .find_map(|s| {
            s.extensions()
                .get::<SpanContext>()
                .map(|c| c.merged.clone())
        })
        .unwrap_or_else(Merged::empty)
}

// === impl ContextRecorder ===

impl ContextRecorder {
    /// A recorder with a process-unique owner id.
    pub fn new() -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Records a new span's fields, unless another logwood layer already did.
    ///
    /// Returns `false` when a field's `Debug` or `Display` panicked: the
    /// panic is contained (the span keeps the fields recorded before it).
    pub fn on_new_span<S>(&self, attrs: &Attributes<'_>, id: &Id, ctx: &Context<'_, S>) -> bool
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(span) = ctx.span(id) else {
            return true;
        };
        // The span is new: no event can name it as its parent yet, so its
        // extensions may stay locked while its fields are recorded (one
        // lock instead of a check and an insert). A panic is caught inside
        // the lock, which must not be poisoned.
        let mut extensions = span.extensions_mut();
        if extensions.get_mut::<SpanContext>().is_some() {
            return true;
        }
        let mut own = Map::with_capacity(attrs.fields().len());
        let recorded = catch_unwind(AssertUnwindSafe(|| {
            attrs.record(&mut MapVisitor(&mut own));
        }))
        .is_ok();
        let has_own = !own.is_empty();
        let merged = Merged::child(&parent_merged(&span), own);
        extensions.insert(SpanContext {
            owner: self.id,
            has_own,
            merged,
        });
        recorded
    }

    /// Applies `Span::record` values, if this recorder owns the span.
    ///
    /// The values are recorded with no lock held (a `Debug` that emits an
    /// event inside the span must not deadlock). Returns `false` when a
    /// field's `Debug` or `Display` panicked (the span keeps its context).
    pub fn on_record<S>(&self, id: &Id, values: &Record<'_>, ctx: &Context<'_, S>) -> bool
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(span) = ctx.span(id) else {
            return true;
        };
        let mut own = {
            let extensions = span.extensions();
            match extensions.get::<SpanContext>() {
                Some(context) if context.owner == self.id => context.own().clone(),
                _ => return true,
            }
        };
        let recorded = catch_unwind(AssertUnwindSafe(|| {
            values.record(&mut MapVisitor(&mut own));
        }));
        if recorded.is_err() {
            return false;
        }
        let parent = parent_merged(&span);
        let mut extensions = span.extensions_mut();
        if let Some(context) = extensions.get_mut::<SpanContext>() {
            context.has_own = !own.is_empty();
            context.merged = Merged::child(&parent, own);
        }
        true
    }

    /// Calls `f` with the span `event` belongs to (`parent:` honoured, else
    /// the current span), holding that span's extensions only for the call.
    pub fn with_event_span<S, R>(
        ctx: &Context<'_, S>,
        event: &Event<'_>,
        f: impl FnOnce(Option<SpanInfo<'_>>) -> R,
    ) -> R
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(span) = ctx.event_span(event) else {
            return f(None);
        };
        let function = span.metadata().name();
        let extensions = span.extensions();
        if let Some(context) = extensions.get::<SpanContext>() {
            return f(Some(SpanInfo {
                function,
                merged: &context.merged,
            }));
        }
        drop(extensions);
        let merged = span
            .scope()
            .find_map(|s| {
                s.extensions()
                    .get::<SpanContext>()
                    .map(|c| c.merged.clone())
            })
            .unwrap_or_else(Merged::empty);
        f(Some(SpanInfo {
            function,
            merged: &merged,
        }))
    }
}
