//! OTLP logs: each event as an OpenTelemetry `LogRecord`, in protobuf or
//! in OTLP/JSON, written straight into the record buffer on the caller's
//! thread (no SDK objects, no allocation per event once the buffers have
//! grown), with `prost`'s wire primitives.
//!
//! - [`OtlpValue`] / [`OtlpJsonValue`]: the [`Format`](super::Format)s the
//!   event's fields are recorded in (each value an `AnyValue`, typed,
//!   encoded once);
//! - [`OtlpAttrs`] / [`OtlpJsonAttrs`]: the [`Flat`](super::Flat) dialects
//!   that cache each span's context leaves as encoded attributes;
//! - [`write_proto`] / [`write_json`]: a record as one `ScopeLogs` entry
//!   (the scope named after the event's target) holding its `LogRecord`;
//! - [`resource_proto`], [`proto_head`], [`json_preamble`], [`JSON_TAIL`]:
//!   the request around the records, with the resource once.

mod attrs;
mod record;
mod resource;
mod value;
mod wire;

pub use attrs::{OtlpAttrs, OtlpJsonAttrs};
pub use record::{severity_number, write_json, write_proto};
pub use resource::{JSON_TAIL, PROTO_HEAD_MAX, json_preamble, proto_head, resource_proto};
pub use value::{OtlpJsonValue, OtlpValue};

#[cfg(test)]
mod tests;
