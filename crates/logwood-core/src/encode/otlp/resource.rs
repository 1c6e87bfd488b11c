//! The request's envelope around the records: the resource (once per
//! request) and the framing of `ExportLogsServiceRequest` in protobuf and
//! in OTLP/JSON.

use super::attrs::Scalar;
use super::value::{OtlpJsonValue, OtlpValue, tag};
use super::wire;
use crate::encode::{Format, json_escape_into};
use crate::value::Value;

/// `ExportLogsServiceRequest.resource_logs`, `ResourceLogs.resource`,
/// `Resource.attributes`.
const RESOURCE_LOGS: u32 = 1;
const RESOURCE: u32 = 1;
const RESOURCE_ATTRIBUTES: u32 = 1;

/// The tail of an OTLP/JSON request after its last record.
pub const JSON_TAIL: &[u8] = b"]}]}";

fn scalar<'a>(value: &'a Value, buf: &'a mut itoa::Buffer) -> Scalar<'a> {
    match value {
        Value::Str(s) => Scalar::Str(s),
        &Value::U64(v) => Scalar::unsigned(v, buf),
        &Value::I64(v) => Scalar::Int(v),
        &Value::F64(v) => Scalar::Double(v),
        &Value::Bool(v) => Scalar::Bool(v),
        Value::Map(_) => Scalar::Empty,
    }
}

/// The `resource` field of `ResourceLogs` holding `attributes` (each key
/// once, in order), in protobuf: the bytes that follow the
/// `resource_logs` header of every request.
pub fn resource_proto(attributes: &[(String, Value)]) -> Vec<u8> {
    let mut out = Vec::new();
    let resource = wire::open(&mut out, RESOURCE, 2);
    for (key, value) in attributes {
        let kv = wire::open(&mut out, RESOURCE_ATTRIBUTES, 1);
        wire::bytes_field(&mut out, tag::FIRST, &[key.as_bytes()]);
        let v = wire::open(&mut out, tag::KV_VALUE, 1);
        let mut buf = itoa::Buffer::new();
        match scalar(value, &mut buf) {
            Scalar::Str(s) => OtlpValue::write_str(&mut out, s),
            Scalar::Int(i) => OtlpValue::write_i64(&mut out, i),
            Scalar::Double(d) => OtlpValue::write_f64(&mut out, d),
            Scalar::Bool(b) => OtlpValue::write_bool(&mut out, b),
            Scalar::Empty => {}
        }
        wire::close(&mut out, v);
        wire::close(&mut out, kv);
    }
    wire::close(&mut out, resource);
    out
}

/// The header of a protobuf request whose `ResourceLogs` holds `resource`
/// (from [`resource_proto`]) and `records` bytes of records: the
/// `resource_logs` key and length, into `head` (at most 11 bytes).
pub fn proto_head(head: &mut Vec<u8>, resource: &[u8], records: usize) {
    head.clear();
    wire::key(
        head,
        RESOURCE_LOGS,
        prost::encoding::WireType::LengthDelimited,
    );
    wire::varint(head, (resource.len() + records) as u64);
}

/// The largest [`proto_head`].
pub const PROTO_HEAD_MAX: usize = 11;

/// The start of every OTLP/JSON request, up to its first record:
/// `{"resourceLogs":[{"resource":{"attributes":[…]},"scopeLogs":[`.
/// The records follow, each after a comma (the first comma is not sent),
/// then [`JSON_TAIL`].
pub fn json_preamble(attributes: &[(String, Value)]) -> Vec<u8> {
    let mut out = b"{\"resourceLogs\":[{\"resource\":{\"attributes\":[".to_vec();
    for (i, (key, value)) in attributes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"key\":\"");
        json_escape_into(&mut out, key);
        out.extend_from_slice(b"\",\"value\":");
        let mut buf = itoa::Buffer::new();
        match scalar(value, &mut buf) {
            Scalar::Str(s) => OtlpJsonValue::write_str(&mut out, s),
            Scalar::Int(i) => OtlpJsonValue::write_i64(&mut out, i),
            Scalar::Double(d) => OtlpJsonValue::write_f64(&mut out, d),
            Scalar::Bool(b) => OtlpJsonValue::write_bool(&mut out, b),
            Scalar::Empty => out.extend_from_slice(b"{}"),
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]},\"scopeLogs\":[");
    out
}
