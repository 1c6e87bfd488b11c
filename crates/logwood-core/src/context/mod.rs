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
pub use tree::{Map, RESERVED_CONTEXT_KEYS, Str, Value};

use crate::encode::{Format, Members, SLOTS};

/// A span's merged context: its parent's with its own fields on top.
///
/// Stored in layers: when a span's top-level keys are disjoint from every
/// ancestor's (the common case), nothing is merged or cloned: the encoded
/// context is the parent's encoding followed by the span's own, computed
/// once per format on first use. Only when keys collide is the deep-merged
/// tree built (once, lazily).
#[derive(Debug, Default)]
pub struct Merged {
    parent: Option<Arc<Merged>>,
    own: Map,
    /// Whether `own` shares no top-level key with any ancestor's, all the
    /// way up (then the layers can be concatenated).
    disjoint: bool,
    tree: OnceLock<Map>,
    cache: [OnceLock<Members>; SLOTS],
}

static EMPTY_MAP: Map = Map::new();

static EMPTY: LazyLock<Arc<Merged>> = LazyLock::new(|| {
    Arc::new(Merged {
        disjoint: true,
        ..Merged::default()
    })
});

// === impl Merged ===

impl Merged {
    /// A root context holding `map`.
    pub fn new(map: Map) -> Self {
        Self {
            parent: None,
            own: map,
            disjoint: true,
            tree: OnceLock::new(),
            cache: Default::default(),
        }
    }

    /// `parent`'s context with `own` merged on top.
    pub fn child(parent: &Arc<Merged>, own: Map) -> Arc<Merged> {
        if own.is_empty() {
            return parent.clone();
        }
        if parent.is_empty() {
            return Arc::new(Merged::new(own));
        }
        let disjoint = parent.disjoint && !parent.layers().any(|layer| layer.shares_key_with(&own));
        Arc::new(Merged {
            parent: Some(parent.clone()),
            own,
            disjoint,
            tree: OnceLock::new(),
            cache: Default::default(),
        })
    }

    /// The shared empty context.
    pub fn empty() -> Arc<Merged> {
        EMPTY.clone()
    }

    /// Whether there is no context at all.
    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.parent.is_none()
    }

    /// The own maps from this span up to the root.
    fn layers(&self) -> impl Iterator<Item = &Map> {
        std::iter::successors(Some(self), |m| m.parent.as_deref()).map(|m| &m.own)
    }

    /// The merged tree (built on first use when layers had to be merged).
    pub fn map(&self) -> &Map {
        if self.parent.is_none() {
            return &self.own;
        }
        self.tree.get_or_init(|| {
            let mut map = self
                .parent
                .as_deref()
                .map(|p| p.map().clone())
                .unwrap_or_default();
            map.merge(&self.own);
            map
        })
    }

    /// Whether the merged tree has `key` at its top level... for any key of
    /// `other`: a conflict with a layer's static context.
    pub fn shares_key_with(&self, other: &Map) -> bool {
        !other.is_empty() && self.layers().any(|layer| layer.shares_key_with(other))
    }

    /// Calls `f` with every scalar of the merged tree and its dotted path.
    pub fn for_each_leaf(&self, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
        if self.disjoint {
            if let Some(parent) = &self.parent {
                parent.for_each_leaf(path, f);
            }
            self.own.for_each_leaf(path, f);
        } else {
            self.map().for_each_leaf(path, f);
        }
    }

    /// The merged tree's entries encoded with `F`, computed on first use.
    pub fn members<F: Format>(&self) -> &Members {
        self.cache[F::SLOT].get_or_init(|| match &self.parent {
            Some(parent) if self.disjoint => {
                // The parent's encoding first (it may need the scratch buffer too).
                let inherited = parent.members::<F>();
                Members::encode::<F>(|out, state| {
                    F::map_splice(out, state, inherited);
                    for (key, value) in self.own.iter() {
                        F::map_key(out, state, "", key);
                        crate::encode::write_value::<F>(out, value);
                    }
                    inherited.count + self.own.len()
                })
            }
            _ => F::members(self.map()),
        })
    }
}

/// What a span stores in its extensions: its own fields and its merged
/// context.
#[derive(Debug)]
pub struct SpanContext {
    owner: u64,
    /// Whether the span has fields of its own (else `merged` is the
    /// parent's context, shared).
    has_own: bool,
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
        if self.has_own {
            &self.merged.own
        } else {
            &EMPTY_MAP
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::encode::{Json, Msgpack, write_value};

    fn json_of_members(m: &Members) -> serde_json::Value {
        let mut text = b"{".to_vec();
        text.extend_from_slice(&m.bytes);
        text.push(b'}');
        serde_json::from_slice(&text).unwrap()
    }

    fn json_of_map(map: &Map) -> serde_json::Value {
        let mut out = Vec::new();
        write_value::<Json>(&mut out, &Value::Map(Box::new(map.clone())));
        serde_json::from_slice(&out).unwrap()
    }

    fn sequential(layers: &[Map]) -> Map {
        let mut all = Map::new();
        for layer in layers {
            all.merge(layer);
        }
        all
    }

    fn layer_strategy() -> impl Strategy<Value = Map> {
        proptest::collection::vec(
            (
                prop::sample::select(vec!["a", "a.b", "a.c", "b", "c.d", "e"]),
                0u64..10,
            ),
            0..4,
        )
        .prop_map(|fields| {
            let mut map = Map::new();
            for (k, v) in fields {
                map.insert_dotted(k, Value::U64(v));
            }
            map
        })
    }

    proptest! {
        #[test]
        fn layered_context_encodes_like_the_deep_merge(layers in proptest::collection::vec(layer_strategy(), 1..5)) {
            let mut merged = Merged::empty();
            for layer in &layers {
                merged = Merged::child(&merged, layer.clone());
            }
            let expected = json_of_map(&sequential(&layers));
            let members = merged.members::<Json>();
            prop_assert_eq!(json_of_members(members), expected.clone());
            prop_assert_eq!(members.count, expected.as_object().unwrap().len());
            prop_assert_eq!(json_of_map(merged.map()), expected.clone());
            // msgpack has the same number of entries.
            prop_assert_eq!(merged.members::<Msgpack>().count, expected.as_object().unwrap().len());
            let mut leaves = 0;
            merged.for_each_leaf(&mut String::new(), &mut |_, _| leaves += 1);
            let mut expected_leaves = 0;
            sequential(&layers).for_each_leaf(&mut String::new(), &mut |_, _| expected_leaves += 1);
            prop_assert_eq!(leaves, expected_leaves);
        }
    }
}
