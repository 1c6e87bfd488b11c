//! Per-layer static context, the analogue of giving one handler its own
//! `TimberContext`.

use std::sync::OnceLock;

use crate::encode::{Format, Members, SLOTS};
use crate::value::{Map, Value};

/// Context a layer adds to every record it writes, beneath the span context
/// (a span field wins a conflict with it, key by key).
///
/// Keys are dotted like span fields: `service.name` is
/// `{"service":{"name":..}}`. The encoding is computed once per format.
///
/// # Examples
///
/// ```
/// use logwood_core::StaticContext;
///
/// let mut ctx = StaticContext::new();
/// ctx.insert("service.name", "shop");
/// ctx.insert("deploy.env", "prod");
/// assert_eq!(ctx.map().len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct StaticContext {
    map: Map,
    cache: [OnceLock<Members>; SLOTS],
}

// === impl StaticContext ===

impl StaticContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the dotted `key` to `value` (a later insert wins).
    pub fn insert(&mut self, key: &str, value: impl Into<Value>) {
        self.map.insert_dotted_owned(key, value.into());
        self.cache = Default::default();
    }

    /// The context tree.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// Whether there is no static context.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The entries encoded with `F`, computed on first use.
    pub fn members<F: Format>(&self) -> &Members {
        self.cache[F::SLOT].get_or_init(|| F::members(&self.map))
    }
}
