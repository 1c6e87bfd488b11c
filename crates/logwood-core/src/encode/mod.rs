//! Encoders: how a value, a string or a map is written in one format.
//!
//! The record writer ([`crate::record`]) and the context cache are generic
//! over [`Format`], so the JSON line of the stdout layer and the msgpack map
//! of the HTTP layer come from the same code and hold the same tree.

mod flat;
mod json;
pub mod kv;
mod msgpack;
pub mod otlp;
pub mod pattern;
pub mod sd;
mod text;

use std::fmt;

pub(crate) use flat::FLAT_SLOTS;
pub use flat::{Flat, Kv, SdParams};
pub use json::{Json, escape_into as json_escape_into};
pub use msgpack::Msgpack;
pub use text::Text;

use crate::value::{Map, Value};

/// Number of per-format cache slots (one per nested format).
pub(crate) const SLOTS: usize = 5;

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

    /// Writes the key of the next entry when `key` is one of logwood's own
    /// fixed keys (ASCII letters and `_`: nothing to escape).
    fn map_key_fixed(out: &mut Vec<u8>, map: &mut Self::Map, key: &'static str) {
        Self::map_key(out, map, "", key);
    }

    /// Encodes the entries of `map` (no braces or header), for splicing.
    fn members(map: &Map) -> Members {
        Members::encode::<Self>(|out, state| {
            for (key, value) in map.iter() {
                Self::map_key(out, state, "", key);
                write_value::<Self>(out, value);
            }
            map.len()
        })
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

thread_local! {
    static MEMBERS_SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

// === impl Members ===

impl Members {
    /// Encodes entries with `write` (which returns how many it wrote) into a
    /// reused per-thread buffer, then keeps them in one exact-size
    /// allocation.
    pub fn encode<F: Format + ?Sized>(
        mut write: impl FnMut(&mut Vec<u8>, &mut F::Map) -> usize,
    ) -> Members {
        let mut run = |out: &mut Vec<u8>| {
            out.clear();
            let mut state = F::map_begin(out);
            let start = out.len();
            let count = write(out, &mut state);
            let members = Members {
                bytes: out[start..].into(),
                count,
            };
            out.clear();
            members
        };
        MEMBERS_SCRATCH
            .try_with(|cell| cell.try_borrow_mut().ok().map(|mut out| run(&mut out)))
            .ok()
            .flatten()
            .unwrap_or_else(|| run(&mut Vec::new()))
    }
}

/// Writes an owned [`Value`] tree.
#[inline]
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
