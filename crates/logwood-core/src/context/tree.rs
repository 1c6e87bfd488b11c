//! The owned context tree: span fields and per-layer context, nested by dots.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;
use smallvec::SmallVec;

/// Entries a map holds without a heap allocation (most spans have few fields).
const INLINE_ENTRIES: usize = 4;

/// A string value; short strings (up to 24 bytes) are stored inline, without
/// a heap allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(CompactString);

impl Deref for Str {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str(CompactString::new(s))
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str(CompactString::from(s))
    }
}

impl From<Box<str>> for Str {
    fn from(s: Box<str>) -> Self {
        Str(CompactString::from(s))
    }
}

/// A context value: a scalar or a nested map.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// An unsigned integer.
    U64(u64),
    /// A signed integer.
    I64(i64),
    /// A float (non-finite values are encoded as strings).
    F64(f64),
    /// A string.
    Str(Str),
    /// A nested map.
    Map(Box<Map>),
}

/// An ordered map of context values; keys are unique.
///
/// Keys keep their first insertion position when a later write replaces
/// their value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    entries: SmallVec<[(Cow<'static, str>, Value); INLINE_ENTRIES]>,
}

/// Top-level context keys that belong to logwood's metadata; a user key with
/// one of these names gets a leading underscore (see [`Map::insert_dotted`]).
pub const RESERVED_CONTEXT_KEYS: [&str; 2] = ["runtime", "system"];

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
        self.insert_segments(split_static(key), value, true);
    }

    /// Dotted insert without the reserved-name rule (for tests of the
    /// event-field layout, whose reserved names differ).
    #[cfg(test)]
    pub(crate) fn insert_segments_for_test(&mut self, key: &'static str, value: Value) {
        self.insert_segments(split_static(key), value, false);
    }

    /// [`Map::insert_dotted`] for a key that is not `'static`.
    pub fn insert_dotted_owned(&mut self, key: &str, value: Value) {
        let segments: Vec<Cow<'static, str>> =
            segments(key).map(|s| Cow::Owned(s.to_owned())).collect();
        self.insert_segments(segments.into_iter(), value, true);
    }

    fn insert_segments(
        &mut self,
        mut segments: impl Iterator<Item = Cow<'static, str>>,
        value: Value,
        reserve: bool,
    ) {
        let Some(first) = segments.next() else { return };
        let first = if reserve && RESERVED_CONTEXT_KEYS.contains(&&*first) {
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
    pub fn for_each_leaf(&self, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
        for (key, value) in &self.entries {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            match value {
                Value::Map(map) => map.for_each_leaf(path, f),
                leaf => f(path, leaf),
            }
            path.truncate(len);
        }
    }

    /// Whether this map and `other` share a top-level key.
    pub fn shares_key_with(&self, other: &Map) -> bool {
        self.entries
            .iter()
            .any(|(k, _)| other.entries.iter().any(|(o, _)| o == k))
    }
}

/// The segments of a dotted name. A name that is empty gives one empty
/// segment; empty segments (`a..b`) are kept, so nothing is lost.
fn segments(name: &str) -> impl Iterator<Item = &str> {
    name.split('.')
}

fn split_static(name: &'static str) -> impl Iterator<Item = Cow<'static, str>> {
    name.split('.').map(Cow::Borrowed)
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            Value::Str(v) => f.write_str(v),
            Value::Map(_) => f.write_str("{..}"),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident as $as:ty),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v as $as)
            }
        }
    )*};
}

value_from!(u8 => U64 as u64, u16 => U64 as u64, u32 => U64 as u64, u64 => U64 as u64, usize => U64 as u64,
            i8 => I64 as i64, i16 => I64 as i64, i32 => I64 as i64, i64 => I64 as i64, isize => I64 as i64,
            f32 => F64 as f64, f64 => F64 as f64);

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.into())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v.into())
    }
}

impl From<Map> for Value {
    fn from(v: Map) -> Self {
        Value::Map(Box::new(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(map: &Map) -> String {
        let mut out = Vec::new();
        crate::encode::write_value::<crate::encode::Json>(
            &mut out,
            &Value::Map(Box::new(map.clone())),
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn leaves_are_walked_with_dotted_paths() {
        let mut m = Map::new();
        m.insert_dotted("user.id", 42u64.into());
        m.insert_dotted("user.name", "ann".into());
        m.insert_dotted("job", 1u64.into());
        let mut seen = Vec::new();
        m.for_each_leaf(&mut String::new(), &mut |path, v| {
            seen.push(format!("{path}={v}"))
        });
        assert_eq!(seen, ["user.id=42", "user.name=ann", "job=1"]);
    }

    #[test]
    fn dotted_names_nest() {
        let mut m = Map::new();
        m.insert_dotted("user.id", 42u64.into());
        m.insert_dotted("user.name", "ann".into());
        assert_eq!(json(&m), r#"{"user":{"id":42,"name":"ann"}}"#);
    }

    #[test]
    fn later_write_wins_leaf_object_conflicts() {
        let mut m = Map::new();
        m.insert_dotted("a", 1u64.into());
        m.insert_dotted("a.b", 2u64.into());
        assert_eq!(json(&m), r#"{"a":{"b":2}}"#);
        m.insert_dotted("a", 3u64.into());
        assert_eq!(json(&m), r#"{"a":3}"#);
    }

    #[test]
    fn merge_is_deep_and_the_overlay_wins() {
        let mut outer = Map::new();
        outer.insert_dotted("job.id", 123u64.into());
        outer.insert_dotted("job.count", 1u64.into());
        let mut inner = Map::new();
        inner.insert_dotted("job.count", 2u64.into());
        outer.merge(&inner);
        assert_eq!(json(&outer), r#"{"job":{"id":123,"count":2}}"#);
    }

    #[test]
    fn metadata_names_are_reserved_at_the_top_level_only() {
        let mut m = Map::new();
        m.insert_dotted("runtime.x", 1u64.into());
        m.insert_dotted("system", 2u64.into());
        m.insert_dotted("a.runtime", 3u64.into());
        assert_eq!(
            json(&m),
            r#"{"_runtime":{"x":1},"_system":2,"a":{"runtime":3}}"#
        );
    }
}
