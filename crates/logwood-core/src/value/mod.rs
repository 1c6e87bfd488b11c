//! Owned values: the context tree of span fields and static context, nested
//! by dots. Beneath both the encoders and the span-context engine.

mod map;

use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;

pub use map::{Map, RESERVED_CONTEXT_KEYS};
pub(crate) use map::{first_segment_bit, key_bit};

/// The deepest nesting a dotted name produces: past this many segments the
/// rest of the name stays one key (`a.b.….x.y` keeps `x.y` literally), so a
/// hostile name (event field, span field or static context key) can never
/// make the encoders recurse without bound.
pub const MAX_DEPTH: usize = 128;

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
///
/// Made from Rust values with `From`: integers, floats, booleans, strings
/// and [`Map`]s, so that builders take `impl Into<Value>`
/// (`.context_field("service.name", "shop")`).
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
mod tests;
