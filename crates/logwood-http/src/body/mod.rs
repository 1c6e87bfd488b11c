//! Request bodies: the record encoding per [`Format`] (the encoder of the
//! shared record path, [`HttpEncoder`]), and the batch framing (a msgpack
//! array, or NDJSON lines).

mod msgpack;
mod ndjson;
mod otlp;

use std::sync::Arc;

use logwood_core::__private::otlp as core_otlp;
use logwood_core::__private::{Encode, EventFields, FieldFormat, Output, Record};

pub(crate) use self::otlp::OtlpEncoder;
pub use self::otlp::OtlpProtocol;

/// The body format of the batches.
///
/// Both carry the same record tree as logwood's JSON layer (`dt`, `level`,
/// `message`, the event's fields, `context`); see
/// [`HttpLayer`](crate::HttpLayer#wire-format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// One msgpack array of record maps, `Content-Type: application/msgpack`:
    /// Timber's frames, also accepted by Better Stack. The default.
    #[default]
    Msgpack,
    /// One JSON record per line, each ending in `\n`,
    /// `Content-Type: application/x-ndjson`: the lines logwood's JSON layer
    /// writes, for Vector's `http_server` source, Fluent Bit, Better Stack
    /// and any JSON-lines ingest.
    Ndjson,
}

// === impl Format ===

impl Format {
    /// The `Content-Type` of a batch in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Msgpack => "application/msgpack",
            Self::Ndjson => "application/x-ndjson",
        }
    }

    /// The largest batch header this format writes before the records.
    pub(crate) fn max_head_len(self) -> usize {
        match self {
            Self::Msgpack => msgpack::MAX_HEAD_LEN,
            Self::Ndjson => 0,
        }
    }

    /// The header written before `count` records.
    pub(crate) fn head(self, count: usize) -> Head {
        match self {
            Self::Msgpack => msgpack::head(count),
            Self::Ndjson => Head::default(),
        }
    }
}

/// The encoder of the HTTP layer: each event becomes one record of the
/// record tree, as a msgpack map or a JSON line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpEncoder {
    format: Format,
}

// === impl HttpEncoder ===

impl HttpEncoder {
    pub(crate) fn new(format: Format) -> Self {
        Self { format }
    }
}

impl Encode for HttpEncoder {
    fn field_format(&self) -> FieldFormat {
        match self.format {
            Format::Msgpack => FieldFormat::Msgpack,
            Format::Ndjson => FieldFormat::Json,
        }
    }

    fn encode(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Output<'_>) {
        match self.format {
            Format::Msgpack => msgpack::encode(record, fields, out.bytes),
            Format::Ndjson => ndjson::encode(record, fields, out.bytes),
        }
    }
}

/// How a batch's records are framed into one request body, and its
/// `Content-Type`.
#[derive(Debug, Clone)]
pub(crate) enum Framing {
    /// A msgpack array of the records.
    Msgpack,
    /// The records' lines as they are.
    Ndjson,
    /// An `ExportLogsServiceRequest` in protobuf: one `ResourceLogs` (its
    /// header, then `resource`, the `resource` field made once) whose
    /// `scope_logs` are the records.
    OtlpProto { resource: Arc<[u8]> },
    /// An `ExportLogsServiceRequest` in OTLP/JSON: `preamble` (up to the
    /// `scopeLogs` array), the records (each after a comma, the first
    /// comma left out), then the closing brackets.
    OtlpJson { preamble: Arc<[u8]> },
}

// === impl Framing ===

impl Framing {
    /// The framing of the HTTP layer's `format`.
    pub(crate) fn of(format: Format) -> Self {
        match format {
            Format::Msgpack => Self::Msgpack,
            Format::Ndjson => Self::Ndjson,
        }
    }

    /// The `Content-Type` of a body.
    pub(crate) fn content_type(&self) -> &'static str {
        match self {
            Self::Msgpack => Format::Msgpack.content_type(),
            Self::Ndjson => Format::Ndjson.content_type(),
            Self::OtlpProto { .. } => "application/x-protobuf",
            Self::OtlpJson { .. } => "application/json",
        }
    }

    /// The most bytes a body has besides its records.
    pub(crate) fn max_overhead(&self) -> usize {
        match self {
            Self::Msgpack => Format::Msgpack.max_head_len(),
            Self::Ndjson => 0,
            Self::OtlpProto { resource } => core_otlp::PROTO_HEAD_MAX + resource.len(),
            Self::OtlpJson { preamble } => preamble.len() + core_otlp::JSON_TAIL.len(),
        }
    }

    /// The body of a batch of `records` records, `data` their bytes.
    pub(crate) fn payload(&self, data: Vec<u8>, records: usize) -> Payload {
        let mut payload = Payload {
            head: Head::default(),
            preamble: None,
            data: Arc::new(Vec::new()),
            skip: 0,
            tail: b"",
            records,
            gzip: false,
        };
        match self {
            Self::Msgpack | Self::Ndjson => {
                if let Self::Msgpack = self {
                    payload.head = Format::Msgpack.head(records);
                }
            }
            Self::OtlpProto { resource } => {
                let mut head = Vec::with_capacity(core_otlp::PROTO_HEAD_MAX);
                core_otlp::proto_head(&mut head, resource, data.len());
                payload.head = Head::new(&head);
                payload.preamble = Some(Arc::clone(resource));
            }
            Self::OtlpJson { preamble } => {
                payload.preamble = Some(Arc::clone(preamble));
                payload.skip = usize::from(data.first() == Some(&b','));
                payload.tail = core_otlp::JSON_TAIL;
            }
        }
        payload.data = Arc::new(data);
        payload
    }
}

/// The few bytes before a batch's records (a msgpack array header, a
/// protobuf field header).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Head {
    bytes: [u8; MAX_HEAD_LEN],
    len: u8,
}

/// The longest [`Head`].
const MAX_HEAD_LEN: usize = 16;

// === impl Head ===

impl Head {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        let mut head = Self::default();
        let len = bytes.len().min(head.bytes.len());
        head.bytes[..len].copy_from_slice(&bytes[..len]);
        head.len = len as u8;
        head
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// A sealed batch, ready to post: the header, the preamble, the records as
/// they were appended (shared, so that retries and the connection task
/// reuse the same bytes, and the buffer returns to the pool afterwards),
/// then the tail.
#[derive(Debug, Clone)]
pub(crate) struct Payload {
    pub(crate) head: Head,
    /// Bytes made once per layer (the OTLP resource).
    pub(crate) preamble: Option<Arc<[u8]>>,
    pub(crate) data: Arc<Vec<u8>>,
    /// Leading bytes of `data` not sent.
    pub(crate) skip: usize,
    pub(crate) tail: &'static [u8],
    /// Records in the batch.
    pub(crate) records: usize,
    /// Whether the payload is gzip-compressed (then all of it is in `data`).
    pub(crate) gzip: bool,
}

// === impl Payload ===

impl Payload {
    /// The parts of the body, in order.
    pub(crate) fn parts(&self) -> [&[u8]; 4] {
        [
            self.head.as_slice(),
            self.preamble.as_deref().unwrap_or_default(),
            self.data.get(self.skip..).unwrap_or_default(),
            self.tail,
        ]
    }

    /// Body length on the wire.
    pub(crate) fn len(&self) -> usize {
        self.parts().iter().map(|p| p.len()).sum()
    }

    /// Takes the records buffer back for reuse, when nothing else holds it.
    pub(crate) fn into_buffer(self) -> Option<Vec<u8>> {
        Arc::try_unwrap(self.data).ok()
    }

    /// The payload gzip-compressed into `out` (cleared first).
    #[cfg(feature = "gzip")]
    pub(crate) fn gzip(&self, mut out: Vec<u8>) -> std::io::Result<Payload> {
        use std::io::Write as _;

        out.clear();
        let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        for part in self.parts() {
            encoder.write_all(part)?;
        }
        let out = encoder.finish()?;
        Ok(Payload {
            head: Head::default(),
            preamble: None,
            data: Arc::new(out),
            skip: 0,
            tail: b"",
            records: self.records,
            gzip: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_protocol() {
        assert_eq!(Format::Msgpack.content_type(), "application/msgpack");
        assert_eq!(Format::Ndjson.content_type(), "application/x-ndjson");
        assert_eq!(Format::default(), Format::Msgpack);
    }

    #[test]
    fn ndjson_has_no_head() {
        assert_eq!(Format::Ndjson.head(10).as_slice(), b"");
        assert_eq!(Format::Ndjson.max_head_len(), 0);
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_compresses_head_and_records() {
        use std::io::Read as _;

        let payload = Framing::Msgpack.payload(vec![0x80], 1);
        let zipped = payload.gzip(Vec::new()).unwrap();
        assert!(zipped.gzip);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&zipped.data[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, [0x91, 0x80]);
    }
}
