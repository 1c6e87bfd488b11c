//! OTLP bodies: each event as one `ScopeLogs` entry holding its
//! `LogRecord` (core's OTLP encoder), framed by [`Framing`](super::Framing)
//! into an `ExportLogsServiceRequest` with the resource once.

use logwood_core::__private::otlp;
use logwood_core::__private::{Encode, EventFields, FieldFormat, Output, Record};

/// The encoding of OTLP/HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OtlpProtocol {
    /// Binary protobuf, `Content-Type: application/x-protobuf`
    /// (`OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=http/protobuf`). The default.
    #[default]
    Protobuf,
    /// OTLP's JSON mapping of the protobuf messages, `Content-Type:
    /// application/json` (`http/json`): lowerCamelCase keys, enums as
    /// integers, 64-bit integers as strings, ids as hex.
    Json,
}

// === impl OtlpProtocol ===

impl OtlpProtocol {
    /// The `Content-Type` of a request in this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Protobuf => "application/x-protobuf",
            Self::Json => "application/json",
        }
    }

    /// The name `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL` gives it:
    /// `http/protobuf` or `http/json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Protobuf => "http/protobuf",
            Self::Json => "http/json",
        }
    }
}

/// The encoder of the OTLP layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OtlpEncoder {
    protocol: OtlpProtocol,
}

// === impl OtlpEncoder ===

impl OtlpEncoder {
    pub(crate) fn new(protocol: OtlpProtocol) -> Self {
        Self { protocol }
    }
}

impl Encode for OtlpEncoder {
    fn field_format(&self) -> FieldFormat {
        match self.protocol {
            OtlpProtocol::Protobuf => FieldFormat::Otlp,
            OtlpProtocol::Json => FieldFormat::OtlpJson,
        }
    }

    fn encode(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Output<'_>) {
        match self.protocol {
            OtlpProtocol::Protobuf => otlp::write_proto(record, fields, out.bytes),
            OtlpProtocol::Json => otlp::write_json(record, fields, out.bytes),
        }
    }
}
