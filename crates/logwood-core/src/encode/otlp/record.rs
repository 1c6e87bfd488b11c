//! One event as one OTLP `LogRecord`, wrapped in its own `ScopeLogs` (the
//! instrumentation scope named after the event's target), in protobuf or
//! in OTLP/JSON, written straight into the record buffer.
//!
//! Attributes, each key once:
//!
//! 1. the event's fields under their dotted names (a reserved first
//!    segment gets `_`, as in the JSON record), values typed;
//! 2. the layer's static context with the span context merged on top,
//!    flattened to dotted keys (`user.id`), skipping a key an event field
//!    wrote (the inner-wins rule of the JSON record);
//! 3. the runtime metadata under the semantic-convention names
//!    (`code.function.name`: the innermost span's name, `code.file.path`,
//!    `code.line.number`, `thread.id`, `thread.name`), when the layer
//!    writes runtime metadata, skipping a key written before.
//!
//! The per-process metadata goes into the request's resource instead
//! ([`super::resource`]).

use std::cell::RefCell;
use std::ops::Range;
use std::time::UNIX_EPOCH;

use tracing_core::Level;

use super::attrs::{Attrs, OtlpAttrs, OtlpJsonAttrs, Scalar};
use super::wire;
use crate::encode::json_escape_into;
use crate::field::EventFields;
use crate::meta;
use crate::record::Record;
use crate::value::key_bit;

/// `ResourceLogs.scope_logs` and `ScopeLogs.log_records`.
const SCOPE_LOGS: u32 = 2;
const LOG_RECORDS: u32 = 2;
/// `ScopeLogs.scope`, `InstrumentationScope.name`.
const SCOPE: u32 = 1;
const NAME: u32 = 1;

/// `LogRecord` field numbers.
mod field {
    pub(super) const TIME: u32 = 1;
    pub(super) const SEVERITY_NUMBER: u32 = 2;
    pub(super) const SEVERITY_TEXT: u32 = 3;
    pub(super) const BODY: u32 = 5;
    pub(super) const FLAGS: u32 = 8;
    pub(super) const TRACE_ID: u32 = 9;
    pub(super) const SPAN_ID: u32 = 10;
    pub(super) const OBSERVED_TIME: u32 = 11;
}

/// OTLP's `SeverityNumber` of a `tracing` level: TRACE 1, DEBUG 5, INFO 9,
/// WARN 13, ERROR 17.
pub fn severity_number(level: &Level) -> u8 {
    match *level {
        Level::TRACE => 1,
        Level::DEBUG => 5,
        Level::INFO => 9,
        Level::WARN => 13,
        Level::ERROR => 17,
    }
}

/// The `severity_text` of a level: `TRACE` … `ERROR`.
fn severity_text(level: &Level) -> &'static str {
    level.as_str()
}

/// Reused buffers of the attribute step.
#[derive(Debug, Default)]
struct Scratch {
    /// Where each key written so far lies in the output (the slow path).
    keys: Vec<Range<usize>>,
    /// The dotted path of a context leaf.
    path: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn with_scratch<R>(mut f: impl FnMut(&mut Scratch) -> R) -> R {
    let reused = SCRATCH.try_with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        let r = f(&mut scratch);
        if scratch.path.capacity() > 4096 {
            scratch.path = String::new();
        }
        if scratch.keys.capacity() > 1024 {
            scratch.keys = Vec::new();
        }
        Some(r)
    });
    match reused {
        Ok(Some(r)) => r,
        _ => f(&mut Scratch::default()),
    }
}

fn unix_nanos(record: &Record<'_>) -> u64 {
    record
        .time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Writes the record as one protobuf `ScopeLogs` entry (field 2 of
/// `ResourceLogs`) holding its scope and its one `LogRecord`, whose
/// `body` and attribute values were recorded with
/// [`OtlpValue`](super::OtlpValue).
pub fn write_proto(record: &Record<'_>, fields: &mut EventFields, out: &mut Vec<u8>) {
    let scope_logs = wire::open(out, SCOPE_LOGS, 2);
    let target = record.meta.target().as_bytes();
    let name_len = wire::field_len(NAME, target.len());
    wire::key(out, SCOPE, prost::encoding::WireType::LengthDelimited);
    wire::varint(out, name_len as u64);
    wire::bytes_field(out, NAME, &[target]);

    let log = wire::open(out, LOG_RECORDS, 2);
    let nanos = unix_nanos(record);
    let level = record.meta.level();
    wire::fixed64_field(out, field::TIME, nanos);
    wire::varint_field(out, field::SEVERITY_NUMBER, severity_number(level).into());
    wire::bytes_field(
        out,
        field::SEVERITY_TEXT,
        &[severity_text(level).as_bytes()],
    );
    match fields.message() {
        Some(message) => wire::bytes_field(out, field::BODY, &[message]),
        // An empty string_value.
        None => wire::bytes_field(out, field::BODY, &[&[0x0a, 0x00]]),
    }
    write_attributes::<OtlpAttrs>(record, fields, out);
    if let Some(trace) = record.trace {
        wire::fixed32_field(out, field::FLAGS, trace.flags.into());
        wire::bytes_field(out, field::TRACE_ID, &[&trace.trace_id]);
        wire::bytes_field(out, field::SPAN_ID, &[&trace.span_id]);
    }
    wire::fixed64_field(out, field::OBSERVED_TIME, nanos);
    wire::close(out, log);
    wire::close(out, scope_logs);
}

/// Writes the record as one OTLP/JSON `ScopeLogs` object after a comma
/// (`,{"scope":{"name":"…"},"logRecords":[{…}]}`), whose `body` and
/// attribute values were recorded with
/// [`OtlpJsonValue`](super::OtlpJsonValue).
pub fn write_json(record: &Record<'_>, fields: &mut EventFields, out: &mut Vec<u8>) {
    out.extend_from_slice(b",{\"scope\":{\"name\":\"");
    json_escape_into(out, record.meta.target());
    out.extend_from_slice(b"\"},\"logRecords\":[{\"timeUnixNano\":\"");
    let mut buf = itoa::Buffer::new();
    let nanos = buf.format(unix_nanos(record));
    out.extend_from_slice(nanos.as_bytes());
    out.extend_from_slice(b"\",\"observedTimeUnixNano\":\"");
    out.extend_from_slice(nanos.as_bytes());
    out.extend_from_slice(b"\",\"severityNumber\":");
    let level = record.meta.level();
    out.extend_from_slice(
        itoa::Buffer::new()
            .format(severity_number(level))
            .as_bytes(),
    );
    out.extend_from_slice(b",\"severityText\":\"");
    out.extend_from_slice(severity_text(level).as_bytes());
    out.extend_from_slice(b"\",\"body\":");
    match fields.message() {
        Some(message) => out.extend_from_slice(message),
        None => out.extend_from_slice(b"{\"stringValue\":\"\"}"),
    }
    out.extend_from_slice(b",\"attributes\":[");
    let at = out.len();
    write_attributes::<OtlpJsonAttrs>(record, fields, out);
    // Each attribute starts with a comma; none before the first.
    if out.len() > at {
        out.remove(at);
    }
    out.push(b']');
    if let Some(trace) = record.trace {
        out.extend_from_slice(b",\"flags\":");
        out.extend_from_slice(itoa::Buffer::new().format(trace.flags).as_bytes());
        out.extend_from_slice(b",\"traceId\":\"");
        write_hex(out, &trace.trace_id);
        out.extend_from_slice(b"\",\"spanId\":\"");
        write_hex(out, &trace.span_id);
        out.push(b'"');
    }
    out.extend_from_slice(b"}]}");
}

fn write_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0xf)]);
    }
}

/// The attributes of the record (event fields, context, metadata), each
/// key once.
fn write_attributes<A: Attrs>(record: &Record<'_>, fields: &mut EventFields, out: &mut Vec<u8>) {
    with_scratch(|scratch| {
        let Scratch { keys, path } = scratch;
        keys.clear();
        let mut event_mask = 0;
        // Plain names (the usual case) are their own first segment.
        let flat = fields.is_flat();
        fields.for_each_kept(|head, name, value| {
            keys.push(A::encoded(out, &[head, name], value));
            event_mask |= Record::field_bit(flat, head, name);
        });
        let mut context_mask = record.opts.context.key_mask();
        if let Some(span) = record.span {
            context_mask |= span.merged.key_mask();
        }
        if !may_repeat(record, out, keys, event_mask, context_mask) {
            // No key can repeat: the context's cached attributes are copied.
            record.write_context_flat::<A>(out, path);
            for_each_metadata(record, &mut |key, value| {
                A::scalar(out, key, value);
            });
            return;
        }
        // Some key may repeat: each one is checked against those written.
        let mut put = |out: &mut Vec<u8>, key: &str, value: Scalar<'_>| {
            let start = out.len();
            let written = A::scalar(out, key, value);
            let new = &out[written.clone()];
            if keys.iter().any(|k| out.get(k.clone()) == Some(new)) {
                out.truncate(start);
            } else {
                keys.push(written);
            }
        };
        let mut buf = itoa::Buffer::new();
        record.for_each_context_leaf(path, &mut |p, v| {
            put(out, p, Scalar::of(crate::record::Leaf::Value(v), &mut buf));
        });
        for_each_metadata(record, &mut |key, value| put(out, key, value));
    });
}

/// Whether a context leaf or a metadata attribute may have the key of an
/// attribute written before (then each is checked): first by the masks of
/// the first segments, then, when they meet, exactly, by the top-level
/// keys of the context. `keys` are the event fields' keys as written in
/// `out`.
fn may_repeat(
    record: &Record<'_>,
    out: &[u8],
    keys: &[Range<usize>],
    event_mask: u64,
    context_mask: u64,
) -> bool {
    let first_segment = |k: &Range<usize>| {
        let key = out.get(k.clone()).unwrap_or_default();
        // A key that needed escaping (OTLP/JSON) is taken as a conflict.
        let first = key.split(|&b| b == b'.').next().unwrap_or_default();
        (!key.contains(&b'\\'))
            .then(|| std::str::from_utf8(first).ok())
            .flatten()
    };
    if event_mask & context_mask != 0
        && keys
            .iter()
            .any(|k| first_segment(k).is_none_or(|first| record.context_has_key(first)))
    {
        return true;
    }
    if !record.opts.runtime {
        return false;
    }
    let meta_mask = key_bit("code") | key_bit("thread");
    if event_mask & meta_mask != 0
        && keys
            .iter()
            .any(|k| first_segment(k).is_none_or(|first| matches!(first, "code" | "thread")))
    {
        return true;
    }
    context_mask & meta_mask != 0
        && (record.context_has_key("code") || record.context_has_key("thread"))
}

/// Calls `f` with each runtime metadata attribute, when the layer writes
/// runtime metadata.
fn for_each_metadata(record: &Record<'_>, f: &mut impl FnMut(&str, Scalar<'_>)) {
    if !record.opts.runtime {
        return;
    }
    let meta = record.meta;
    if let Some(span) = record.span {
        f("code.function.name", Scalar::Str(span.function));
    }
    if let Some(file) = meta.file() {
        f("code.file.path", Scalar::Str(file));
    }
    if let Some(line) = meta.line() {
        f("code.line.number", Scalar::Int(line.into()));
    }
    let mut buf = itoa::Buffer::new();
    f("thread.id", Scalar::unsigned(meta::thread_id(), &mut buf));
    meta::thread_name(|name| {
        if let Some(name) = name {
            f("thread.name", Scalar::Str(name));
        }
    });
}
