//! Per-layer static context, the analogue of giving one handler its own
//! `TimberContext`.

use std::sync::OnceLock;

use crate::encode::{FLAT_SLOTS, Flat, Format, Members, SLOTS};
use crate::record::Leaf;
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
    flat: [OnceLock<Box<[u8]>>; FLAT_SLOTS],
    mask: u64,
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
        self.flat = Default::default();
        self.mask = self.map.key_mask();
    }

    /// The context tree.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// Whether there is no static context.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// A summary of the top-level keys (see [`Map::key_mask`]).
    pub(crate) fn key_mask(&self) -> u64 {
        self.mask
    }

    /// Every leaf in the flat dialect `D` (each with its separator),
    /// computed on first use.
    pub(crate) fn flat<D: Flat>(&self) -> &[u8] {
        self.flat[D::SLOT].get_or_init(|| {
            let mut bytes = Vec::new();
            self.map.for_each_leaf(&mut String::new(), &mut |p, v| {
                D::leaf(&mut bytes, p, Leaf::Value(v))
            });
            bytes.into_boxed_slice()
        })
    }

    /// The entries encoded with `F`, computed on first use.
    pub fn members<F: Format>(&self) -> &Members {
        self.cache[F::SLOT].get_or_init(|| F::members(&self.map))
    }
}
