//! Writes each `LogRecord` of a decoded request as one JSON line, resource
//! and scope included (the shape is documented on
//! [`decode_otlp_logs`](super::decode_otlp_logs)).

use std::collections::HashSet;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::logs::v1::LogRecord;

use crate::decode::json::{write_base64, write_f64, write_hex, write_int, write_str};

/// Attribute lists up to this long are checked for duplicate keys pairwise;
/// longer ones with a set.
const LINEAR_DUP_CHECK: usize = 16;

/// Appends one line per record; returns how many. On error `out` may hold
/// part of the lines (the caller truncates it).
pub(super) fn write_request(
    request: &ExportLogsServiceRequest,
    out: &mut Vec<u8>,
) -> Result<usize, String> {
    let mut count = 0;
    let mut resource = Vec::new();
    let mut scope = Vec::new();
    for (r, resource_logs) in request.resource_logs.iter().enumerate() {
        resource.clear();
        let attributes = resource_logs
            .resource
            .as_ref()
            .map_or(&[][..], |resource| &resource.attributes);
        write_attributes(&mut resource, attributes)
            .map_err(|e| format!("resourceLogs[{r}].resource.attributes: {e}"))?;
        for (s, scope_logs) in resource_logs.scope_logs.iter().enumerate() {
            scope.clear();
            write_scope(&mut scope, scope_logs.scope.as_ref())
                .map_err(|e| format!("resourceLogs[{r}].scopeLogs[{s}].scope.attributes: {e}"))?;
            for (l, record) in scope_logs.log_records.iter().enumerate() {
                write_record(out, &resource, &scope, record).map_err(|(field, e)| {
                    format!("resourceLogs[{r}].scopeLogs[{s}].logRecords[{l}].{field}: {e}")
                })?;
                count += 1;
            }
        }
    }
    Ok(count)
}

fn write_scope(
    out: &mut Vec<u8>,
    scope: Option<&InstrumentationScope>,
) -> Result<(), &'static str> {
    let (name, version, attributes) = scope.map_or(("", "", &[][..]), |scope| {
        (&scope.name[..], &scope.version[..], &scope.attributes[..])
    });
    out.extend_from_slice(b"{\"name\":");
    write_str(out, name);
    out.extend_from_slice(b",\"version\":");
    write_str(out, version);
    out.extend_from_slice(b",\"attributes\":");
    write_attributes(out, attributes)?;
    out.push(b'}');
    Ok(())
}

fn write_record(
    out: &mut Vec<u8>,
    resource: &[u8],
    scope: &[u8],
    record: &LogRecord,
) -> Result<(), (&'static str, &'static str)> {
    if !matches!(record.trace_id.len(), 0 | 16) {
        return Err(("traceId", "must be 16 bytes"));
    }
    if !matches!(record.span_id.len(), 0 | 8) {
        return Err(("spanId", "must be 8 bytes"));
    }
    out.extend_from_slice(b"{\"otlp\":{\"resource\":");
    out.extend_from_slice(resource);
    out.extend_from_slice(b",\"scope\":");
    out.extend_from_slice(scope);
    out.extend_from_slice(b",\"timeUnixNano\":\"");
    write_int(out, record.time_unix_nano);
    out.extend_from_slice(b"\",\"observedTimeUnixNano\":\"");
    write_int(out, record.observed_time_unix_nano);
    out.extend_from_slice(b"\",\"severityNumber\":");
    write_int(out, record.severity_number);
    out.extend_from_slice(b",\"severityText\":");
    write_str(out, &record.severity_text);
    out.extend_from_slice(b",\"eventName\":");
    write_str(out, &record.event_name);
    out.extend_from_slice(b",\"body\":");
    write_any(out, record.body.as_ref()).map_err(|e| ("body", e))?;
    out.extend_from_slice(b",\"attributes\":");
    write_attributes(out, &record.attributes).map_err(|e| ("attributes", e))?;
    out.extend_from_slice(b",\"droppedAttributesCount\":");
    write_int(out, record.dropped_attributes_count);
    out.extend_from_slice(b",\"flags\":");
    write_int(out, record.flags);
    out.extend_from_slice(b",\"traceId\":");
    write_hex(out, &record.trace_id);
    out.extend_from_slice(b",\"spanId\":");
    write_hex(out, &record.span_id);
    out.extend_from_slice(b"}}\n");
    Ok(())
}

/// Writes key-value pairs as one JSON object; a repeated key is refused.
///
/// Recursion (through `kvlistValue` and `arrayValue`) is bounded by the
/// decoders' own nesting limits.
fn write_attributes(out: &mut Vec<u8>, attributes: &[KeyValue]) -> Result<(), &'static str> {
    if attributes.len() > LINEAR_DUP_CHECK {
        let mut seen = HashSet::with_capacity(attributes.len());
        if !attributes.iter().all(|kv| seen.insert(&kv.key[..])) {
            return Err(DUPLICATE);
        }
    } else if attributes
        .iter()
        .enumerate()
        .any(|(i, kv)| attributes[..i].iter().any(|earlier| earlier.key == kv.key))
    {
        return Err(DUPLICATE);
    }
    out.push(b'{');
    for (i, kv) in attributes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, &kv.key);
        out.push(b':');
        write_any(out, kv.value.as_ref())?;
    }
    out.push(b'}');
    Ok(())
}

const DUPLICATE: &str = "a key is repeated (OTLP keys must be unique)";

fn write_any(out: &mut Vec<u8>, value: Option<&AnyValue>) -> Result<(), &'static str> {
    let Some(value) = value.and_then(|v| v.value.as_ref()) else {
        out.extend_from_slice(b"null");
        return Ok(());
    };
    match value {
        Value::StringValue(s) => write_str(out, s),
        Value::BoolValue(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::IntValue(i) => write_int(out, *i),
        Value::DoubleValue(f) => write_f64(out, *f),
        Value::ArrayValue(array) => {
            out.push(b'[');
            for (i, item) in array.values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_any(out, Some(item))?;
            }
            out.push(b']');
        }
        Value::KvlistValue(list) => write_attributes(out, &list.values)?,
        Value::BytesValue(bytes) => write_base64(out, bytes),
        // An index into a profiles dictionary: meaningless in logs.
        Value::StringValueStrindex(_) => out.extend_from_slice(b"null"),
    }
    Ok(())
}
