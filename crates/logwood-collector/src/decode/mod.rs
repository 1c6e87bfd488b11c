//! Request bodies → JSON lines.
//!
//! [`decode_batch`] turns a msgpack or NDJSON batch, and [`decode_otlp_logs`]
//! an OTLP logs request, into the JSON lines the collector writes, all or
//! nothing: a body that does not decode leaves the output exactly as it was.

mod json;
mod msgpack;
mod ndjson;
mod otlp;

pub(crate) use json::{write_opt_int, write_opt_str, write_str};
pub use otlp::{OtlpFormat, decode_otlp_logs};

/// How deeply arrays and maps may nest within one record, the record's own
/// map (or object) counting as the first level: 192.
///
/// The batch around the records (the msgpack array, the NDJSON lines) does
/// not count. logwood's layers nest a record at most about 130 levels deep
/// (128 dotted segments of a field name, within the record's map), so every
/// record they write fits. A deeper record refuses its whole batch (`400`).
pub const MAX_RECORD_DEPTH: usize = 192;

/// The refusal of a record nested deeper than [`MAX_RECORD_DEPTH`].
const TOO_DEEP: &str = "nesting deeper than 192 levels in a record";

/// The format of a batch body, chosen by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyFormat {
    /// One msgpack array of maps (`application/msgpack`,
    /// `application/x-msgpack`, `application/vnd.msgpack`).
    Msgpack,
    /// One JSON object per line (`application/x-ndjson`,
    /// `application/ndjson`, and `application/json`, which is read as
    /// NDJSON: a single object is a one-line batch, a JSON array is refused).
    Ndjson,
}

// === impl BodyFormat ===

impl BodyFormat {
    /// The format for a `Content-Type` header value (parameters such as
    /// `; charset=utf-8` and letter case are ignored), or `None` when it is not
    /// one the collector reads.
    ///
    /// # Examples
    ///
    /// ```
    /// use logwood_collector::BodyFormat;
    ///
    /// assert_eq!(BodyFormat::from_content_type("application/msgpack"), Some(BodyFormat::Msgpack));
    /// assert_eq!(
    ///     BodyFormat::from_content_type("Application/X-NDJSON; charset=utf-8"),
    ///     Some(BodyFormat::Ndjson)
    /// );
    /// assert_eq!(BodyFormat::from_content_type("text/plain"), None);
    /// ```
    pub fn from_content_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        let is = |name: &str| essence.eq_ignore_ascii_case(name);
        if is("application/msgpack") || is("application/x-msgpack") || is("application/vnd.msgpack")
        {
            Some(Self::Msgpack)
        } else if is("application/x-ndjson") || is("application/ndjson") || is("application/json") {
            Some(Self::Ndjson)
        } else {
            None
        }
    }
}

/// Why a batch body was refused (the collector answers `400` with this text).
///
/// The text names the position and the problem, never the body's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The msgpack body is malformed or holds something logwood never sends.
    #[error("msgpack: {reason} at byte {offset}")]
    Msgpack {
        /// What is wrong.
        reason: &'static str,
        /// Byte offset in the (decompressed) body.
        offset: usize,
    },
    /// An NDJSON line is not one JSON object without duplicate keys.
    #[error("ndjson: line {line}: {reason}")]
    Ndjson {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An OTLP logs request does not decode, or breaks a rule of the
    /// protocol that the collector checks (see [`decode_otlp_logs`]).
    #[error("otlp {format}: {reason}")]
    Otlp {
        /// `protobuf` or `json`.
        format: &'static str,
        /// What is wrong, and where (`resourceLogs[0].scopeLogs[0].logRecords[2].traceId: …`).
        reason: String,
    },
}

/// Decodes a batch body into JSON lines appended to `out` (each ending in
/// `\n`) and returns the number of records.
///
/// - msgpack: the body must be one array of maps. Keys must be `str`, strings
///   valid UTF-8; `bin`, `ext` and non-finite floats are refused (logwood sends
///   strings as `str` and non-finite floats as strings). Maps may not repeat a
///   key (logwood never does) and a record may nest [`MAX_RECORD_DEPTH`]
///   levels. Each map becomes one compact JSON line, keys in the order they
///   were sent.
/// - NDJSON: each non-empty line must be one JSON object without duplicate
///   keys, nesting at most [`MAX_RECORD_DEPTH`] levels; it is copied through
///   verbatim, trimmed of surrounding whitespace (so a `\r\n` ending is
///   accepted).
///
/// # Errors
///
/// A [`DecodeError`] when any part of the body is refused; `out` is then
/// exactly as it was before the call.
///
/// # Examples
///
/// ```
/// use logwood_collector::{BodyFormat, decode_batch};
///
/// // [{"level": "info", "n": 1}] in msgpack
/// let body = [0x91, 0x82, 0xa5, b'l', b'e', b'v', b'e', b'l', 0xa4, b'i', b'n', b'f', b'o', 0xa1, b'n', 0x01];
/// let mut out = Vec::new();
/// assert_eq!(decode_batch(BodyFormat::Msgpack, &body, &mut out), Ok(1));
/// assert_eq!(out, b"{\"level\":\"info\",\"n\":1}\n");
///
/// // A truncated body is refused and nothing is appended.
/// out.clear();
/// assert!(decode_batch(BodyFormat::Msgpack, &body[..10], &mut out).is_err());
/// assert!(out.is_empty());
/// ```
pub fn decode_batch(
    format: BodyFormat,
    body: &[u8],
    out: &mut Vec<u8>,
) -> Result<usize, DecodeError> {
    let start = out.len();
    let result = match format {
        BodyFormat::Msgpack => msgpack::transcode(body, out),
        BodyFormat::Ndjson => ndjson::transcode(body, out),
    };
    if result.is_err() {
        out.truncate(start);
    }
    result
}

#[cfg(test)]
mod tests;
