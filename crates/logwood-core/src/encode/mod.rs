//! Encoders: how a value, a string or a map is written in one format.
//!
//! The record writer ([`crate::record`]) and the context cache are generic
//! over [`Format`], so the JSON line of the stdout layer and the msgpack map
//! of the HTTP layer come from the same code and hold the same tree.

mod json;
mod msgpack;
mod text;

use std::fmt;

pub use json::{Json, escape_into as json_escape_into};
pub use msgpack::Msgpack;
pub use text::Text;

use crate::context::{Map, Value};

/// Number of per-format cache slots (one per nested format).
pub(crate) const SLOTS: usize = 3;

/// A nested output format (JSON or msgpack): scalars, strings and maps.
///
/// Implementations write into a `Vec<u8>` owned by the caller, which is
/// reused across events, so no method allocates unless the buffer grows.
pub trait Format: 'static {
    /// Index of this format's slot in per-format caches.
    const SLOT: usize;

    /// The state of an open map (comma bookkeeping, or a length to patch).
    type Map: fmt::Debug + Copy;

    /// Writes a string value.
    fn write_str(out: &mut Vec<u8>, s: &str);
    /// Writes formatted text (a `Debug` or `Display` value) as one string,
    /// streaming it into `out` without an intermediate `String`.
    fn write_fmt_str(out: &mut Vec<u8>, args: fmt::Arguments<'_>);
    /// Writes an unsigned integer.
    fn write_u64(out: &mut Vec<u8>, v: u64);
    /// Writes a signed integer.
    fn write_i64(out: &mut Vec<u8>, v: i64);
    /// Writes a float; NaN and the infinities become the strings `"NaN"`,
    /// `"inf"` and `"-inf"`.
    fn write_f64(out: &mut Vec<u8>, v: f64);
    /// Writes a boolean.
    fn write_bool(out: &mut Vec<u8>, v: bool);

    /// Opens a map.
    fn map_begin(out: &mut Vec<u8>) -> Self::Map;
    /// Writes the key of the next entry: `head` followed by `key`; the value
    /// must follow.
    fn map_key(out: &mut Vec<u8>, map: &mut Self::Map, head: &str, key: &str);
    /// Appends entries encoded earlier by [`Format::members`].
    fn map_splice(out: &mut Vec<u8>, map: &mut Self::Map, members: &Members);
    /// Closes a map.
    fn map_end(out: &mut Vec<u8>, map: Self::Map);

    /// Encodes the entries of `map` (no braces or header), for splicing.
    fn members(map: &Map) -> Members {
        let mut bytes = Vec::new();
        // Open a map and keep only what is written after its opening (`{`,
        // or the reserved msgpack header): the entries.
        let mut state = Self::map_begin(&mut bytes);
        let start = bytes.len();
        for (key, value) in map.iter() {
            Self::map_key(&mut bytes, &mut state, "", key);
            write_value::<Self>(&mut bytes, value);
        }
        Members {
            bytes: bytes[start..].into(),
            count: map.len(),
        }
    }
}

/// Pre-encoded map entries (without the map's own braces or header).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Members {
    /// The encoded entries.
    pub bytes: Box<[u8]>,
    /// How many entries `bytes` holds.
    pub count: usize,
}

/// Writes an owned [`Value`] tree.
pub fn write_value<F: Format + ?Sized>(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Bool(b) => F::write_bool(out, *b),
        Value::U64(v) => F::write_u64(out, *v),
        Value::I64(v) => F::write_i64(out, *v),
        Value::F64(v) => F::write_f64(out, *v),
        Value::Str(s) => F::write_str(out, s),
        Value::Map(map) => {
            let mut state = F::map_begin(out);
            for (key, value) in map.iter() {
                F::map_key(out, &mut state, "", key);
                write_value::<F>(out, value);
            }
            F::map_end(out, state);
        }
    }
}

/// The text written for a non-finite float.
pub(crate) fn non_finite(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v.is_sign_negative() {
        "-inf"
    } else {
        "inf"
    }
}
