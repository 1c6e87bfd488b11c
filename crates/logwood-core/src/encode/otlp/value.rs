//! Values as OTLP `AnyValue`s: the [`Format`]s the OTLP encoder records
//! event fields in, so that each value is encoded once, typed, as the
//! visitor sees it.
//!
//! A value written by these formats is the *contents* of an `AnyValue`
//! (its one `oneof` field), ready to be wrapped as a `KeyValue`'s value or
//! a `LogRecord`'s body.
//!
//! - strings are `string_value`; `Debug` / `Display` text too;
//! - signed integers and unsigned ones up to `i64::MAX` are `int_value`;
//!   larger unsigned ones are their decimal text (OTLP integers are
//!   64-bit signed);
//! - floats are `double_value`, NaN and the infinities included in
//!   protobuf; in OTLP/JSON they are the strings `"NaN"`, `"inf"`,
//!   `"-inf"` (receivers disagree on JSON's spelling of them);
//! - booleans are `bool_value`; maps (owned context trees) are
//!   `kvlist_value`.

use std::fmt::{self, Write as _};

use super::wire::{self, Open};
use crate::encode::{Format, Json, Members, json_escape_into, non_finite, write_value};
use crate::value::Map;

/// `AnyValue` field numbers.
pub(crate) mod tag {
    pub(crate) const STRING: u32 = 1;
    pub(crate) const BOOL: u32 = 2;
    pub(crate) const INT: u32 = 3;
    pub(crate) const DOUBLE: u32 = 4;
    pub(crate) const KVLIST: u32 = 6;
    /// `KeyValueList.values`, `KeyValue.key`.
    pub(crate) const FIRST: u32 = 1;
    /// `KeyValue.value`.
    pub(crate) const KV_VALUE: u32 = 2;
}

/// A `fmt::Write` appending raw UTF-8.
struct Raw<'a>(&'a mut Vec<u8>);

impl fmt::Write for Raw<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// OTLP protobuf `AnyValue` contents.
#[derive(Debug, Clone, Copy, Default)]
pub struct OtlpValue;

/// An open `kvlist_value`: its field, and the entry being written.
#[derive(Debug, Clone, Copy)]
pub struct ProtoMap {
    list: Open,
    /// The open `KeyValue` and its open `value`.
    entry: Option<(Open, Open)>,
}

// === impl OtlpValue ===

impl OtlpValue {
    fn close_entry(out: &mut Vec<u8>, map: &mut ProtoMap) {
        if let Some((kv, value)) = map.entry.take() {
            wire::close(out, value);
            wire::close(out, kv);
        }
    }
}

impl Format for OtlpValue {
    const SLOT: usize = 3;
    type Map = ProtoMap;

    #[inline]
    fn write_str(out: &mut Vec<u8>, s: &str) {
        wire::bytes_field(out, tag::STRING, &[s.as_bytes()]);
    }

    fn write_fmt_str(out: &mut Vec<u8>, args: fmt::Arguments<'_>) {
        if let Some(s) = args.as_str() {
            return Self::write_str(out, s);
        }
        let field = wire::open(out, tag::STRING, 1);
        Raw(out).write_fmt(args).ok();
        wire::close(out, field);
    }

    #[inline]
    fn write_u64(out: &mut Vec<u8>, v: u64) {
        match i64::try_from(v) {
            Ok(v) => Self::write_i64(out, v),
            Err(_) => Self::write_str(out, itoa::Buffer::new().format(v)),
        }
    }

    #[inline]
    fn write_i64(out: &mut Vec<u8>, v: i64) {
        wire::varint_field(out, tag::INT, v as u64);
    }

    #[inline]
    fn write_f64(out: &mut Vec<u8>, v: f64) {
        wire::fixed64_field(out, tag::DOUBLE, v.to_bits());
    }

    #[inline]
    fn write_bool(out: &mut Vec<u8>, v: bool) {
        wire::varint_field(out, tag::BOOL, u64::from(v));
    }

    fn map_begin(out: &mut Vec<u8>) -> ProtoMap {
        ProtoMap {
            list: wire::open(out, tag::KVLIST, 2),
            entry: None,
        }
    }

    fn map_key(out: &mut Vec<u8>, map: &mut ProtoMap, head: &str, key: &str) {
        Self::close_entry(out, map);
        let kv = wire::open(out, tag::FIRST, 1);
        wire::bytes_field(out, tag::FIRST, &[head.as_bytes(), key.as_bytes()]);
        let value = wire::open(out, tag::KV_VALUE, 1);
        map.entry = Some((kv, value));
    }

    fn map_splice(out: &mut Vec<u8>, map: &mut ProtoMap, members: &Members) {
        Self::close_entry(out, map);
        out.extend_from_slice(&members.bytes);
    }

    fn map_end(out: &mut Vec<u8>, mut map: ProtoMap) {
        Self::close_entry(out, &mut map);
        wire::close(out, map.list);
    }

    fn members(map: &Map) -> Members {
        Members::encode::<Self>(|out, state| {
            for (key, value) in map.iter() {
                Self::map_key(out, state, "", key);
                write_value::<Self>(out, value);
            }
            Self::close_entry(out, state);
            map.len()
        })
    }
}

/// OTLP/JSON `AnyValue` objects (`{"stringValue":"…"}`, `{"intValue":"42"}`,
/// …: 64-bit integers as decimal strings).
#[derive(Debug, Clone, Copy, Default)]
pub struct OtlpJsonValue;

/// An open OTLP/JSON `kvlistValue`.
#[derive(Debug, Clone, Copy)]
pub struct JsonListMap {
    empty: bool,
    /// A `{"key":…,"value":` whose value was written, to be closed.
    open: bool,
}

// === impl OtlpJsonValue ===

impl OtlpJsonValue {
    fn close_entry(out: &mut Vec<u8>, map: &mut JsonListMap) {
        if map.open {
            out.push(b'}');
            map.open = false;
        }
    }

    fn int(out: &mut Vec<u8>, text: &str) {
        out.extend_from_slice(b"{\"intValue\":\"");
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\"}");
    }
}

impl Format for OtlpJsonValue {
    const SLOT: usize = 4;
    type Map = JsonListMap;

    #[inline]
    fn write_str(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(b"{\"stringValue\":\"");
        json_escape_into(out, s);
        out.extend_from_slice(b"\"}");
    }

    fn write_fmt_str(out: &mut Vec<u8>, args: fmt::Arguments<'_>) {
        out.extend_from_slice(b"{\"stringValue\":");
        Json::write_fmt_str(out, args);
        out.push(b'}');
    }

    #[inline]
    fn write_u64(out: &mut Vec<u8>, v: u64) {
        let mut buf = itoa::Buffer::new();
        let text = buf.format(v);
        if i64::try_from(v).is_ok() {
            Self::int(out, text);
        } else {
            Self::write_str(out, text);
        }
    }

    #[inline]
    fn write_i64(out: &mut Vec<u8>, v: i64) {
        Self::int(out, itoa::Buffer::new().format(v));
    }

    fn write_f64(out: &mut Vec<u8>, v: f64) {
        if v.is_finite() {
            out.extend_from_slice(b"{\"doubleValue\":");
            out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
            out.push(b'}');
        } else {
            Self::write_str(out, non_finite(v));
        }
    }

    #[inline]
    fn write_bool(out: &mut Vec<u8>, v: bool) {
        out.extend_from_slice(if v {
            b"{\"boolValue\":true}"
        } else {
            b"{\"boolValue\":false}"
        });
    }

    fn map_begin(out: &mut Vec<u8>) -> JsonListMap {
        out.extend_from_slice(b"{\"kvlistValue\":{\"values\":[");
        JsonListMap {
            empty: true,
            open: false,
        }
    }

    fn map_key(out: &mut Vec<u8>, map: &mut JsonListMap, head: &str, key: &str) {
        Self::close_entry(out, map);
        if !map.empty {
            out.push(b',');
        }
        map.empty = false;
        out.extend_from_slice(b"{\"key\":\"");
        json_escape_into(out, head);
        json_escape_into(out, key);
        out.extend_from_slice(b"\",\"value\":");
        map.open = true;
    }

    fn map_splice(out: &mut Vec<u8>, map: &mut JsonListMap, members: &Members) {
        Self::close_entry(out, map);
        if members.count == 0 {
            return;
        }
        if !map.empty {
            out.push(b',');
        }
        map.empty = false;
        out.extend_from_slice(&members.bytes);
    }

    fn map_end(out: &mut Vec<u8>, mut map: JsonListMap) {
        Self::close_entry(out, &mut map);
        out.extend_from_slice(b"]}}");
    }

    fn members(map: &Map) -> Members {
        Members::encode::<Self>(|out, state| {
            for (key, value) in map.iter() {
                Self::map_key(out, state, "", key);
                write_value::<Self>(out, value);
            }
            Self::close_entry(out, state);
            map.len()
        })
    }
}
