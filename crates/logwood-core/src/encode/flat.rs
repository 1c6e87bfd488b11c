//! Flat dialects of the context: every leaf written under its dotted path,
//! one after the other, for the formats that have no nesting (RFC 5424
//! SD-PARAMs, `key=value` text, OTLP attributes). Each span's leaves are encoded once per
//! dialect and cached, like the nested encodings.

use super::{Format, Text, kv, sd};
use crate::record::Leaf;
use crate::value::Value;

/// Number of per-context cache slots for flat dialects.
pub(crate) const FLAT_SLOTS: usize = 4;

/// A flat dialect: how one leaf is written, with the separator before it.
pub trait Flat: 'static {
    /// Index of this dialect's slot in per-context caches.
    const SLOT: usize;

    /// Writes one leaf: a separator, then the pair.
    fn leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>);
}

/// ` key=value` pairs, each after a space, with the one rule set of
/// [`kv`](super::kv) (the pattern layer's `%(message)s`, RFC 3164).
#[derive(Debug, Clone, Copy)]
pub struct Kv;

impl Flat for Kv {
    const SLOT: usize = 0;

    fn leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>) {
        out.push(b' ');
        kv::write_key(out, "", path);
        out.push(b'=');
        kv::write_leaf(out, leaf);
    }
}

/// ` NAME="VALUE"` SD-PARAMs, each after a space (RFC 5424).
#[derive(Debug, Clone, Copy)]
pub struct SdParams;

impl Flat for SdParams {
    const SLOT: usize = 1;

    fn leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>) {
        out.push(b' ');
        sd::param_name(out, &[path]);
        out.extend_from_slice(b"=\"");
        match leaf {
            Leaf::Str(s) => sd::param_value(out, s.as_bytes()),
            Leaf::Value(Value::Str(s)) => sd::param_value(out, s.as_bytes()),
            Leaf::U64(v) | Leaf::Value(&Value::U64(v)) => Text::write_u64(out, v),
            Leaf::Value(&Value::Bool(v)) => Text::write_bool(out, v),
            Leaf::Value(&Value::I64(v)) => Text::write_i64(out, v),
            Leaf::Value(&Value::F64(v)) => Text::write_f64(out, v),
            // Leaves are scalars; an empty map is "".
            Leaf::Value(Value::Map(_)) => {}
        }
        out.push(b'"');
    }
}
