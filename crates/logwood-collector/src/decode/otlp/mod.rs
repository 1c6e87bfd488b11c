//! OTLP/HTTP logs requests → one JSON line per `LogRecord`.
//!
//! The body is an `ExportLogsServiceRequest`, in protobuf or in OTLP's JSON
//! mapping, decoded with the official generated types
//! (`opentelemetry-proto`); [`line`] writes the lines.

mod line;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use prost::Message;

use super::DecodeError;

/// The encoding of an OTLP request body, chosen by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OtlpFormat {
    /// Binary protobuf (`application/x-protobuf`, `application/protobuf`).
    Protobuf,
    /// OTLP's JSON mapping of the protobuf messages (`application/json`):
    /// lowerCamelCase keys, enums as integers, 64-bit integers as decimal
    /// strings (numbers are accepted too), `traceId` / `spanId` as hex.
    Json,
}

// === impl OtlpFormat ===

impl OtlpFormat {
    /// The format for a `Content-Type` header value (parameters and letter
    /// case are ignored), or `None` when it is not one OTLP/HTTP uses.
    ///
    /// # Examples
    ///
    /// ```
    /// use logwood_collector::OtlpFormat;
    ///
    /// assert_eq!(OtlpFormat::from_content_type("application/x-protobuf"), Some(OtlpFormat::Protobuf));
    /// assert_eq!(OtlpFormat::from_content_type("application/json; charset=utf-8"), Some(OtlpFormat::Json));
    /// assert_eq!(OtlpFormat::from_content_type("application/x-ndjson"), None);
    /// ```
    pub fn from_content_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        let is = |name: &str| essence.eq_ignore_ascii_case(name);
        if is("application/x-protobuf") || is("application/protobuf") {
            Some(Self::Protobuf)
        } else if is("application/json") {
            Some(Self::Json)
        } else {
            None
        }
    }

    /// The `Content-Type` of answers in this format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Protobuf => "application/x-protobuf",
            Self::Json => "application/json",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Protobuf => "protobuf",
            Self::Json => "json",
        }
    }
}

/// Decodes an OTLP logs request (`ExportLogsServiceRequest`) into one JSON
/// line per `LogRecord`, appended to `out` (each ending in `\n`), and returns
/// the number of records.
///
/// Each line keeps the record's resource and scope with it:
///
/// ```text
/// {"otlp":{"resource":{"service.name":"shop","process.pid":20643},
///  "scope":{"name":"shop::orders","version":"1.0.0","attributes":{}},
///  "timeUnixNano":"1795405461221232000","observedTimeUnixNano":"1795405461221300000",
///  "severityNumber":9,"severityText":"INFO","eventName":"",
///  "body":"Order #1234 placed","attributes":{"order.id":1234,"order.total":520.23},
///  "droppedAttributesCount":0,"flags":1,
///  "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}}
/// ```
///
/// - Every key is always present, in this order, with proto3's defaults for
///   what was not sent (`"0"`, `0`, `""`, `{}`; `body` is `null`).
/// - `resource` and the scope's `attributes`, the record's `attributes` and
///   every `kvlistValue` are JSON objects, key to value, in the order sent.
/// - Values are typed: `stringValue` a string, `intValue` a number (exact:
///   64-bit integers are written in full), `doubleValue` a number (or the
///   string `"NaN"`, `"inf"`, `"-inf"`), `boolValue` a boolean,
///   `arrayValue` an array, `kvlistValue` an object, `bytesValue` a base64
///   string, an empty value `null`.
/// - The two times are decimal strings of nanoseconds, as in OTLP/JSON;
///   `traceId` and `spanId` lowercase hex (`""` when not sent).
///
/// Refused, with nothing appended: a body that does not decode (prost's
/// recursion limit of 100 nested messages and serde_json's 128 levels apply),
/// a `traceId` that is not 16 bytes or a `spanId` that is not 8 (when sent),
/// and a key repeated within one set of attributes or one `kvlistValue`
/// (OTLP says keys MUST be unique).
///
/// # Errors
///
/// A [`DecodeError::Otlp`] naming what is wrong and where (never quoting the
/// body); `out` is then exactly as it was before the call.
///
/// # Examples
///
/// ```
/// use logwood_collector::{OtlpFormat, decode_otlp_logs};
///
/// let body = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[
///     {"severityNumber":9,"body":{"stringValue":"hello"},
///      "attributes":[{"key":"n","value":{"intValue":"42"}}]}]}]}]}"#;
/// let mut out = Vec::new();
/// assert_eq!(decode_otlp_logs(OtlpFormat::Json, body, &mut out), Ok(1));
/// let line: serde_json::Value = serde_json::from_slice(&out)?;
/// assert_eq!(line["otlp"]["body"], "hello");
/// assert_eq!(line["otlp"]["attributes"]["n"], 42);
/// assert_eq!(line["otlp"]["severityNumber"], 9);
///
/// // The empty protobuf message is an empty request.
/// assert_eq!(decode_otlp_logs(OtlpFormat::Protobuf, b"", &mut out), Ok(0));
/// assert!(decode_otlp_logs(OtlpFormat::Protobuf, b"\xff", &mut out).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn decode_otlp_logs(
    format: OtlpFormat,
    body: &[u8],
    out: &mut Vec<u8>,
) -> Result<usize, DecodeError> {
    let error = |reason: String| DecodeError::Otlp {
        format: format.name(),
        reason,
    };
    let request = match format {
        OtlpFormat::Protobuf => {
            ExportLogsServiceRequest::decode(body).map_err(|e| error(e.to_string()))?
        }
        OtlpFormat::Json => serde_json::from_slice(body).map_err(|e| error(json_reason(&e)))?,
    };
    let start = out.len();
    line::write_request(&request, out).map_err(|reason| {
        out.truncate(start);
        error(reason)
    })
}

/// serde_json's message when it quotes nothing of the body (a missing
/// field, a syntax error), else the kind of error and where.
fn json_reason(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if !message.contains(['"', '\'']) {
        return message;
    }
    let what = match e.classify() {
        serde_json::error::Category::Data => "a value of the wrong type or form",
        serde_json::error::Category::Syntax => "a syntax error",
        serde_json::error::Category::Eof => "an unexpected end of the body",
        serde_json::error::Category::Io => "a read error",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests;
