//! The span-context engine.
//!
//! Each span's fields are recorded **once**, into the span's extensions, by
//! whichever logwood layer sees the span first (its [`ContextRecorder`]
//! becomes the span's owner and alone applies later `Span::record` calls), so
//! stacking several logwood layers records each span once.
//!
//! A span's context is its parent's context with its own fields deep-merged
//! on top ([`Map::merge`]): maps merge key by key, the inner span wins a
//! conflict, including a leaf/object conflict (`a = 1` outside and `a.b = 2`
//! inside give `{"a":{"b":2}}` inside; `a.b = 2` outside and `a = 1` inside
//! give `{"a":1}` inside). The merged tree is computed when the span is
//! created (and again on `Span::record`) and its encoding is cached per
//! format, so an event copies bytes instead of walking its scope.
//!
//! `Span::record` updates that span's context; child spans created before
//! the call keep the context they were created with (as a nested
//! `timber.context(...)` block would).

mod recorder;
mod static_ctx;
mod tree;

use std::sync::{Arc, LazyLock, OnceLock};

pub use recorder::{ContextRecorder, SpanInfo};
pub use static_ctx::StaticContext;
pub use tree::{Map, RESERVED_CONTEXT_KEYS, Value};

use crate::encode::{Format, Members, SLOTS};

/// A merged context tree and its cached encodings.
#[derive(Debug, Default)]
pub struct Merged {
    map: Map,
    cache: [OnceLock<Members>; SLOTS],
}

static EMPTY: LazyLock<Arc<Merged>> = LazyLock::new(Arc::default);

// === impl Merged ===

impl Merged {
    /// Wraps a merged tree.
    pub fn new(map: Map) -> Self {
        Self {
            map,
            cache: Default::default(),
        }
    }

    /// The shared empty context.
    pub fn empty() -> Arc<Merged> {
        EMPTY.clone()
    }

    /// The merged tree.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// The tree's entries encoded with `F`, computed on first use.
    pub fn members<F: Format>(&self) -> &Members {
        self.cache[F::SLOT].get_or_init(|| F::members(&self.map))
    }
}

/// What a span stores in its extensions: its own fields and its merged
/// context.
#[derive(Debug)]
pub struct SpanContext {
    owner: u64,
    own: Map,
    merged: Arc<Merged>,
}

// === impl SpanContext ===

impl SpanContext {
    /// The merged context (parent's context with this span's fields on top).
    pub fn merged(&self) -> &Arc<Merged> {
        &self.merged
    }

    /// This span's own fields.
    pub fn own(&self) -> &Map {
        &self.own
    }
}
