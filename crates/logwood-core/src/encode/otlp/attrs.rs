//! A `LogRecord`'s attributes, in each OTLP encoding: one `KeyValue` per
//! event field, context leaf or metadata item. The two [`Flat`] dialects
//! here let core cache each span's context leaves as encoded attributes,
//! like the `key=value` and SD-PARAM dialects.

use std::ops::Range;

use prost::encoding::encoded_len_varint;

use super::value::{OtlpValue, tag};
use super::wire;
use crate::encode::{Flat, Format, json_escape_into};
use crate::record::Leaf;
use crate::value::Value;

/// `LogRecord.attributes`.
pub(crate) const ATTRIBUTES: u32 = 6;

/// A scalar as an `AnyValue` holds it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar<'a> {
    Str(&'a str),
    Int(i64),
    Double(f64),
    Bool(bool),
    /// An empty `AnyValue` (an empty map, which has no leaf).
    Empty,
}

// === impl Scalar ===

impl<'a> Scalar<'a> {
    /// The scalar of `leaf`; `buf` holds the text of an unsigned integer
    /// past `i64::MAX`.
    pub(crate) fn of(leaf: Leaf<'a>, buf: &'a mut itoa::Buffer) -> Self {
        match leaf {
            Leaf::Str(s) => Scalar::Str(s),
            Leaf::U64(v) | Leaf::Value(&Value::U64(v)) => Self::unsigned(v, buf),
            Leaf::Value(&Value::I64(v)) => Scalar::Int(v),
            Leaf::Value(&Value::F64(v)) => Scalar::Double(v),
            Leaf::Value(&Value::Bool(v)) => Scalar::Bool(v),
            Leaf::Value(Value::Str(s)) => Scalar::Str(s),
            Leaf::Value(Value::Map(_)) => Scalar::Empty,
        }
    }

    /// An unsigned integer: `int_value`, or its text past `i64::MAX`.
    pub(crate) fn unsigned(v: u64, buf: &'a mut itoa::Buffer) -> Self {
        match i64::try_from(v) {
            Ok(v) => Scalar::Int(v),
            Err(_) => Scalar::Str(buf.format(v)),
        }
    }

    /// The length of the protobuf `AnyValue` contents.
    fn proto_len(self) -> usize {
        match self {
            Scalar::Str(s) => wire::field_len(tag::STRING, s.len()),
            Scalar::Int(v) => 1 + encoded_len_varint(v as u64),
            Scalar::Double(_) => 9,
            Scalar::Bool(_) => 2,
            Scalar::Empty => 0,
        }
    }

    fn write_proto(self, out: &mut Vec<u8>) {
        match self {
            Scalar::Str(s) => OtlpValue::write_str(out, s),
            Scalar::Int(v) => OtlpValue::write_i64(out, v),
            Scalar::Double(v) => OtlpValue::write_f64(out, v),
            Scalar::Bool(v) => OtlpValue::write_bool(out, v),
            Scalar::Empty => {}
        }
    }

    fn write_json(self, out: &mut Vec<u8>) {
        use super::value::OtlpJsonValue as J;
        match self {
            Scalar::Str(s) => J::write_str(out, s),
            Scalar::Int(v) => J::write_i64(out, v),
            Scalar::Double(v) => J::write_f64(out, v),
            Scalar::Bool(v) => J::write_bool(out, v),
            Scalar::Empty => out.extend_from_slice(b"{}"),
        }
    }
}

/// How one attribute is written, in one OTLP encoding. Each returns the
/// range of the key's bytes as written (to find a key written twice).
pub(crate) trait Attrs: Flat {
    /// An attribute whose value is `AnyValue` contents encoded by the
    /// encoding's value format; the key is `key` concatenated.
    fn encoded(out: &mut Vec<u8>, key: &[&str], value: &[u8]) -> Range<usize>;

    /// An attribute holding a scalar.
    fn scalar(out: &mut Vec<u8>, key: &str, value: Scalar<'_>) -> Range<usize>;
}

/// Protobuf `KeyValue`s, each as `LogRecord.attributes` (field 6).
#[derive(Debug, Clone, Copy)]
pub struct OtlpAttrs;

// === impl OtlpAttrs ===

impl OtlpAttrs {
    /// Writes field 6 holding a `KeyValue` of `key_len` key bytes and
    /// `value_len` value bytes, up to the key's bytes; returns where they
    /// start.
    #[inline]
    fn head(out: &mut Vec<u8>, key_len: usize, value_len: usize) -> usize {
        let kv_len =
            wire::field_len(tag::FIRST, key_len) + wire::field_len(tag::KV_VALUE, value_len);
        wire::key(out, ATTRIBUTES, prost::encoding::WireType::LengthDelimited);
        wire::varint(out, kv_len as u64);
        wire::key(out, tag::FIRST, prost::encoding::WireType::LengthDelimited);
        wire::varint(out, key_len as u64);
        out.len()
    }

    #[inline]
    fn value_head(out: &mut Vec<u8>, value_len: usize) {
        wire::key(
            out,
            tag::KV_VALUE,
            prost::encoding::WireType::LengthDelimited,
        );
        wire::varint(out, value_len as u64);
    }
}

impl Flat for OtlpAttrs {
    const SLOT: usize = 2;

    fn leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>) {
        let mut buf = itoa::Buffer::new();
        Self::scalar(out, path, Scalar::of(leaf, &mut buf));
    }
}

impl Attrs for OtlpAttrs {
    #[inline]
    fn encoded(out: &mut Vec<u8>, key: &[&str], value: &[u8]) -> Range<usize> {
        let key_len = key.iter().map(|k| k.len()).sum();
        let start = Self::head(out, key_len, value.len());
        for part in key {
            out.extend_from_slice(part.as_bytes());
        }
        let end = out.len();
        Self::value_head(out, value.len());
        out.extend_from_slice(value);
        start..end
    }

    #[inline]
    fn scalar(out: &mut Vec<u8>, key: &str, value: Scalar<'_>) -> Range<usize> {
        let value_len = value.proto_len();
        let start = Self::head(out, key.len(), value_len);
        out.extend_from_slice(key.as_bytes());
        let end = out.len();
        Self::value_head(out, value_len);
        value.write_proto(out);
        start..end
    }
}

/// OTLP/JSON `KeyValue` objects, each after a comma:
/// `,{"key":"user.id","value":{"intValue":"42"}}`.
#[derive(Debug, Clone, Copy)]
pub struct OtlpJsonAttrs;

// === impl OtlpJsonAttrs ===

impl OtlpJsonAttrs {
    #[inline]
    fn key(out: &mut Vec<u8>, key: &[&str]) -> Range<usize> {
        out.extend_from_slice(b",{\"key\":\"");
        let start = out.len();
        for part in key {
            json_escape_into(out, part);
        }
        let end = out.len();
        out.extend_from_slice(b"\",\"value\":");
        start..end
    }
}

impl Flat for OtlpJsonAttrs {
    const SLOT: usize = 3;

    fn leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>) {
        let mut buf = itoa::Buffer::new();
        Self::scalar(out, path, Scalar::of(leaf, &mut buf));
    }
}

impl Attrs for OtlpJsonAttrs {
    #[inline]
    fn encoded(out: &mut Vec<u8>, key: &[&str], value: &[u8]) -> Range<usize> {
        let range = Self::key(out, key);
        out.extend_from_slice(value);
        out.push(b'}');
        range
    }

    #[inline]
    fn scalar(out: &mut Vec<u8>, key: &str, value: Scalar<'_>) -> Range<usize> {
        let range = Self::key(out, &[key]);
        value.write_json(out);
        out.push(b'}');
        range
    }
}
