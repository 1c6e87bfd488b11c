//! [`Map`]: an ordered map of context values, nested by dotted names.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::{MAX_DEPTH, Value};

/// Entries a map holds without a heap allocation (most spans have few fields).
const INLINE_ENTRIES: usize = 4;

/// Top-level context keys that belong to logwood's metadata; a user key with
/// one of these names gets a leading underscore (see [`Map::insert_dotted`]).
pub const RESERVED_CONTEXT_KEYS: [&str; 2] = ["runtime", "system"];

/// An ordered map of context values; keys are unique.
///
/// Keys keep their first insertion position when a later write replaces
/// their value. Dotted names nest (`user.id` is `{"user":{"id":..}}`), at
/// most [`MAX_DEPTH`] levels deep: the rest of a longer name stays one key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    entries: SmallVec<[(Cow<'static, str>, Value); INLINE_ENTRIES]>,
}

fn is_reserved(key: &str) -> bool {
    RESERVED_CONTEXT_KEYS.contains(&key)
}

// === impl Map ===

impl Map {
    /// An empty map.
    pub const fn new() -> Self {
        Self {
            entries: SmallVec::new_const(),
        }
    }

    /// An empty map with room for `capacity` top-level entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: SmallVec::with_capacity(capacity),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn slot(&mut self, key: Cow<'static, str>) -> &mut Value {
        let pos = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(pos) => pos,
            None => {
                // A placeholder that costs no allocation; every caller
                // overwrites or replaces it.
                self.entries.push((key, Value::Bool(false)));
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos].1
    }

    /// Sets `key` (a dotted path: `user.id` is `{"user":{"id":..}}`) to
    /// `value`, the later write winning any conflict: a leaf replaces an
    /// object of the same path and an object replaces a leaf.
    ///
    /// At the top level, `runtime` and `system` belong to logwood's metadata:
    /// a user key with one of those names is stored as `_runtime` / `_system`.
    pub fn insert_dotted(&mut self, key: &'static str, value: Value) {
        if !key.bytes().any(|b| b == b'.') && !is_reserved(key) {
            // The common case: a plain name, one level.
            match self.entries.iter_mut().find(|(k, _)| **k == *key) {
                Some((_, slot)) => *slot = value,
                None => self.entries.push((Cow::Borrowed(key), value)),
            }
            return;
        }
        self.insert_segments(segments(key).map(Cow::Borrowed), value, true);
    }

    /// Dotted insert without the reserved-name rule (for tests of the
    /// event-field layout, whose reserved names differ).
    #[cfg(test)]
    pub(crate) fn insert_segments_for_test(&mut self, key: &'static str, value: Value) {
        self.insert_segments(segments(key).map(Cow::Borrowed), value, false);
    }

    /// [`Map::insert_dotted`] for a key that is not `'static`.
    pub fn insert_dotted_owned(&mut self, key: &str, value: Value) {
        let segments = segments(key).map(|s| Cow::Owned(s.to_owned()));
        self.insert_segments(segments, value, true);
    }

    /// Walks (iteratively: a deep path cannot overflow the stack) to the
    /// slot of `segments` and sets it.
    fn insert_segments(
        &mut self,
        mut segments: impl Iterator<Item = Cow<'static, str>>,
        value: Value,
        reserve: bool,
    ) {
        let Some(first) = segments.next() else { return };
        let first = if reserve && is_reserved(&first) {
            Cow::Owned(format!("_{first}"))
        } else {
            first
        };
        let mut slot = self.slot(first);
        for segment in segments {
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(Box::default());
            }
            let Value::Map(map) = slot else {
                unreachable!("just made a map")
            };
            slot = map.slot(segment);
        }
        *slot = value;
    }

    /// Sets the top-level `key` as is (no dotted nesting, no reserved-name
    /// rule): for logwood's own metadata.
    pub(crate) fn insert_raw(&mut self, key: &'static str, value: Value) {
        *self.slot(Cow::Borrowed(key)) = value;
    }

    /// Deep-merges `overlay` on top of `self`: maps merge key by key, and
    /// anything else in `overlay` replaces what `self` holds at that key.
    pub fn merge(&mut self, overlay: &Map) {
        for (key, value) in &overlay.entries {
            let slot = self.slot(key.clone());
            match (slot, value) {
                (Value::Map(base), Value::Map(over)) => base.merge(over),
                (slot, value) => *slot = value.clone(),
            }
        }
    }

    /// Calls `f` with every scalar in the tree and its dotted path
    /// (`user.id`), depth first, in insertion order: for flat formats
    /// (`key=value`, RFC 5424 SD-PARAMs). `path` is a reused buffer.
    ///
    /// An empty key is an empty segment (`{"": {"line": 0}}` is `.line`), so
    /// that two different trees never give the same path.
    pub fn for_each_leaf(&self, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
        let nested = !path.is_empty();
        self.walk_leaves(path, nested, f);
    }

    fn walk_leaves(&self, path: &mut String, nested: bool, f: &mut impl FnMut(&str, &Value)) {
        for (key, value) in &self.entries {
            let len = path.len();
            if nested {
                path.push('.');
            }
            path.push_str(key);
            match value {
                Value::Map(map) => map.walk_leaves(path, true, f),
                leaf => f(path, leaf),
            }
            path.truncate(len);
        }
    }

    /// A 64-bit summary of the top-level keys (one bit per key, from a cheap
    /// hash): two maps whose masks do not intersect share no key.
    pub fn key_mask(&self) -> u64 {
        self.entries
            .iter()
            .fold(0, |mask, (k, _)| mask | key_bit(k))
    }

    /// Whether this map and `other` share a top-level key.
    pub fn shares_key_with(&self, other: &Map) -> bool {
        self.entries
            .iter()
            .any(|(k, _)| other.entries.iter().any(|(o, _)| o == k))
    }
}

/// The bit of `key` in a [`Map::key_mask`]: the top 6 bits of a
/// multiplicative hash of its length and its first and last bytes. Cheap
/// (no loop) because it runs for every event field of the formats that
/// merge fields and context into one key space; a collision only sends
/// the record down the exact, slower path.
#[inline]
pub(crate) fn key_bit(key: &str) -> u64 {
    let b = key.as_bytes();
    let first = b.first().copied().unwrap_or(0);
    let last = b.last().copied().unwrap_or(0);
    let h = (u32::from(first) | u32::from(last) << 8 | (b.len() as u32 & 0xffff) << 16)
        .wrapping_mul(0x9e37_79b1);
    1 << (h >> 26)
}

/// The [`key_bit`] of the first segment of a dotted `name` (up to its first
/// `.`).
#[inline]
pub(crate) fn first_segment_bit(name: &str) -> u64 {
    let end = name.bytes().position(|b| b == b'.').unwrap_or(name.len());
    key_bit(&name[..end])
}

/// The segments of a dotted name, at most [`MAX_DEPTH`] of them (the last
/// keeps the rest of the name). A name that is empty gives one empty
/// segment; empty segments (`a..b`) are kept, so nothing is lost.
fn segments(name: &str) -> impl Iterator<Item = &str> {
    name.splitn(MAX_DEPTH, '.')
}
