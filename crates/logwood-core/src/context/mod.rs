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

use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use smallvec::SmallVec;

pub use recorder::{ContextRecorder, SpanInfo};
pub use static_ctx::StaticContext;

use crate::encode::{FLAT_SLOTS, Flat, Format, Members, SLOTS, write_value};
use crate::record::Leaf;
use crate::value::{Map, Value};

/// A span's merged context: its parent's with its own fields on top.
///
/// Stored in layers: when a span's top-level keys are disjoint from every
/// ancestor's (the common case), nothing is merged or cloned, and nothing
/// is encoded until an event needs it: each span's own fields are encoded
/// once per format on first use, and an event splices the encodings of the
/// spans from the root down, reusing the parents' bytes untouched. Only
/// when keys collide is the deep-merged tree built (once, lazily).
#[derive(Debug, Default)]
pub struct Merged {
    parent: Option<Arc<Merged>>,
    own: Map,
    /// Whether `own` shares no top-level key with any ancestor's, all the
    /// way up (then the layers can be concatenated): [`UNKNOWN`] until the
    /// first event needs it.
    disjoint: AtomicU8,
    /// [`Map::key_mask`] of `own`.
    own_mask: u64,
    /// The union of the ancestors' `own_mask`s.
    ancestors_mask: u64,
    /// Events spliced from the layers one by one so far.
    splices: AtomicU32,
    /// Events that wrote the flat leaves so far.
    flat_uses: AtomicU32,
    /// What is computed on demand, in one allocation made the first time
    /// anything is needed (a span seeing one event needs nothing of it).
    lazy: OnceLock<Box<Lazy>>,
}

/// The on-demand parts of a [`Merged`].
#[derive(Debug, Default)]
struct Lazy {
    /// The whole chain's encoding in one piece, per format: made on the
    /// second event of a span, so that a span seeing many events copies
    /// one run of bytes.
    chain_members: [OnceLock<Members>; SLOTS],
    /// The deep-merged tree (for a chain with colliding keys, or when a
    /// caller asks for [`Merged::map`]) and its encodings.
    tree: OnceLock<Map>,
    tree_members: [OnceLock<Members>; SLOTS],
    /// The chain's (or the merged tree's) leaves in each flat dialect,
    /// made on the second event of a span.
    flat: [OnceLock<Box<[u8]>>; FLAT_SLOTS],
}

/// [`Merged::disjoint`] not computed yet.
const UNKNOWN: u8 = 0;
/// [`Merged::disjoint`]: the layers' top-level keys are disjoint.
const DISJOINT: u8 = 1;
/// [`Merged::disjoint`]: some layers share a top-level key.
const OVERLAPPING: u8 = 2;

/// Span nesting deeper than this still works; the chain is only collected
/// into a heap vector then.
const INLINE_CHAIN: usize = 16;

static EMPTY_MAP: Map = Map::new();

static EMPTY: LazyLock<Arc<Merged>> = LazyLock::new(|| {
    Arc::new(Merged {
        disjoint: AtomicU8::new(DISJOINT),
        ..Merged::default()
    })
});

// === impl Merged ===

impl Merged {
    /// A root context holding `map`.
    pub fn new(map: Map) -> Self {
        Self {
            own_mask: map.key_mask(),
            own: map,
            disjoint: AtomicU8::new(DISJOINT),
            ..Self::default()
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
        let own_mask = own.key_mask();
        let ancestors_mask = parent.ancestors_mask | parent.own_mask;
        // Usually decided here in O(1): no key of this span can be an
        // ancestor's when the masks do not intersect.
        let disjoint = match parent.disjoint.load(Ordering::Relaxed) {
            OVERLAPPING => OVERLAPPING,
            DISJOINT if own_mask & ancestors_mask == 0 => DISJOINT,
            _ => UNKNOWN,
        };
        Arc::new(Merged {
            parent: Some(parent.clone()),
            own,
            disjoint: AtomicU8::new(disjoint),
            own_mask,
            ancestors_mask,
            ..Merged::default()
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

    /// Whether the layers' top-level keys are disjoint, computed on first
    /// use (iteratively: span nesting can be deep) and kept.
    fn is_disjoint(&self) -> bool {
        match self.disjoint.load(Ordering::Relaxed) {
            DISJOINT => return true,
            OVERLAPPING => return false,
            _ => {}
        }
        let mut unknown: SmallVec<[&Merged; INLINE_CHAIN]> = SmallVec::new();
        let mut known = true;
        for m in self.chain() {
            match m.disjoint.load(Ordering::Relaxed) {
                UNKNOWN => unknown.push(m),
                state => {
                    known = state == DISJOINT;
                    break;
                }
            }
        }
        // A root without a parent is disjoint; resolve from the top down.
        let mut disjoint = known;
        for m in unknown.iter().rev() {
            disjoint = disjoint
                && m.parent
                    .as_deref()
                    .is_none_or(|p| !p.layers().any(|layer| layer.shares_key_with(&m.own)));
            let state = if disjoint { DISJOINT } else { OVERLAPPING };
            m.disjoint.store(state, Ordering::Relaxed);
        }
        disjoint
    }

    /// The own maps from this span up to the root.
    fn layers(&self) -> impl Iterator<Item = &Map> {
        self.chain().map(|m| &m.own)
    }

    /// This context and its ancestors, innermost first.
    fn chain(&self) -> impl Iterator<Item = &Merged> {
        std::iter::successors(Some(self), |m| m.parent.as_deref())
    }

    /// Calls `f` with each layer of the chain, root first, without
    /// recursion or allocation (span nesting can be deep: past
    /// [`INLINE_CHAIN`] layers the chain is collected into a vector).
    fn for_each_layer_from_root(&self, mut f: impl FnMut(&Merged)) {
        let mut inline: [&Merged; INLINE_CHAIN] = [self; INLINE_CHAIN];
        let mut n = 0;
        let mut next = Some(self);
        while let Some(m) = next {
            if n == INLINE_CHAIN {
                let mut all: Vec<&Merged> = self.chain().collect();
                all.reverse();
                all.into_iter().for_each(f);
                return;
            }
            inline[n] = m;
            n += 1;
            next = m.parent.as_deref();
        }
        inline[..n].iter().rev().for_each(|m| f(m));
    }

    fn lazy(&self) -> &Lazy {
        self.lazy.get_or_init(Box::default)
    }

    fn tree(&self) -> &Map {
        self.lazy().tree.get_or_init(|| {
            let mut map = Map::new();
            self.for_each_layer_from_root(|layer| map.merge(&layer.own));
            map
        })
    }

    /// The merged tree (built on first use when there is more than one
    /// layer).
    pub fn map(&self) -> &Map {
        if self.parent.is_none() {
            return &self.own;
        }
        self.tree()
    }

    /// Whether the merged tree has, at its top level, any key of `other`:
    /// a conflict with a layer's static context.
    pub fn shares_key_with(&self, other: &Map) -> bool {
        !other.is_empty()
            && (self.own_mask | self.ancestors_mask) & other.key_mask() != 0
            && self.layers().any(|layer| layer.shares_key_with(other))
    }

    /// Calls `f` with every scalar of the merged tree and its dotted path.
    pub fn for_each_leaf(&self, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
        if self.is_disjoint() {
            self.for_each_layer_from_root(|layer| layer.own.for_each_leaf(path, f));
        } else {
            self.map().for_each_leaf(path, f);
        }
    }

    /// Appends the merged tree's entries, encoded with `F`, to the open map
    /// `map`: each layer's own fields from the root down when their keys are
    /// disjoint, else the merged tree.
    ///
    /// Nothing is cached for a chain seen by one event (the common case of
    /// a span around one event), so it costs no allocation; from the
    /// second event on, the whole chain's encoding is cached in one piece
    /// and copied.
    pub fn splice_into<F: Format>(&self, out: &mut Vec<u8>, map: &mut F::Map) {
        if !self.is_disjoint() {
            let members = self.lazy().tree_members[F::SLOT].get_or_init(|| F::members(self.tree()));
            F::map_splice(out, map, members);
            return;
        }
        if let Some(chain) = self.lazy.get().and_then(|l| l.chain_members[F::SLOT].get()) {
            F::map_splice(out, map, chain);
            return;
        }
        if self.splices.fetch_add(1, Ordering::Relaxed) == 0 {
            self.for_each_layer_from_root(|layer| {
                for (key, value) in layer.own.iter() {
                    F::map_key(out, map, "", key);
                    write_value::<F>(out, value);
                }
            });
            return;
        }
        let chain = self.lazy().chain_members[F::SLOT].get_or_init(|| {
            Members::encode::<F>(|out, state| {
                let mut count = 0;
                self.for_each_layer_from_root(|layer| {
                    for (key, value) in layer.own.iter() {
                        F::map_key(out, state, "", key);
                        write_value::<F>(out, value);
                    }
                    count += layer.own.len();
                });
                count
            })
        });
        F::map_splice(out, map, chain);
    }
}

// === impl Merged (flat dialects) ===

impl Merged {
    /// Appends every leaf of the merged tree in the flat dialect `D` (each
    /// with its separator): written straight from the trees for a span's
    /// first event, cached in one piece from the second on. `path` is a
    /// reused buffer.
    pub fn flat_into<D: Flat>(&self, out: &mut Vec<u8>, path: &mut String) {
        if let Some(bytes) = self.lazy.get().and_then(|l| l.flat[D::SLOT].get()) {
            out.extend_from_slice(bytes);
            return;
        }
        if self.flat_uses.fetch_add(1, Ordering::Relaxed) == 0 {
            self.write_leaves::<D>(out, path);
            return;
        }
        let bytes = self.lazy().flat[D::SLOT].get_or_init(|| {
            let mut bytes = Vec::new();
            self.write_leaves::<D>(&mut bytes, path);
            bytes.into_boxed_slice()
        });
        out.extend_from_slice(bytes);
    }

    fn write_leaves<D: Flat>(&self, out: &mut Vec<u8>, path: &mut String) {
        path.clear();
        self.for_each_leaf(path, &mut |p, v| D::leaf(out, p, Leaf::Value(v)));
    }

    /// Whether the merged tree has the top-level key `key`.
    pub fn has_key(&self, key: &str) -> bool {
        self.key_mask() & crate::value::key_bit(key) != 0
            && self.layers().any(|layer| layer.get(key).is_some())
    }

    /// A summary of the merged tree's top-level keys (see
    /// [`Map::key_mask`]): no key is shared with a map whose mask does not
    /// intersect it.
    pub fn key_mask(&self) -> u64 {
        self.own_mask | self.ancestors_mask
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
    use crate::encode::{Format, Json, Msgpack, write_value};

    fn json_of_merged(m: &Merged) -> (serde_json::Value, usize) {
        let mut text = Vec::new();
        let mut map = Json::map_begin(&mut text);
        m.splice_into::<Json>(&mut text, &mut map);
        Json::map_end(&mut text, map);
        let mut packed = Vec::new();
        let mut map = Msgpack::map_begin(&mut packed);
        m.splice_into::<Msgpack>(&mut packed, &mut map);
        Msgpack::map_end(&mut packed, map);
        let count = rmp::decode::read_map_len(&mut packed.as_slice()).unwrap() as usize;
        (serde_json::from_slice(&text).unwrap(), count)
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
            let (json, count) = json_of_merged(&merged);
            logwood_testkit::check_no_duplicate_keys(&serde_json::to_string(&json).unwrap()).unwrap();
            prop_assert_eq!(json, expected.clone());
            // msgpack has the same number of entries.
            prop_assert_eq!(count, expected.as_object().unwrap().len());
            prop_assert_eq!(json_of_map(merged.map()), expected.clone());
            let mut leaves = 0;
            merged.for_each_leaf(&mut String::new(), &mut |_, _| leaves += 1);
            let mut expected_leaves = 0;
            sequential(&layers).for_each_leaf(&mut String::new(), &mut |_, _| expected_leaves += 1);
            prop_assert_eq!(leaves, expected_leaves);
        }
    }
}
