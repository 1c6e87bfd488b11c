//! Request bodies: the record encoding per [`Format`] (the encoder of the
//! shared record path, [`HttpEncoder`]), and the batch framing (a msgpack
//! array, or NDJSON lines).

mod msgpack;
mod ndjson;

use std::sync::Arc;

use logwood_core::__private::{Encode, EventFields, FieldFormat, Output, Record};

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

/// The few bytes before a batch's records (a msgpack array header).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Head {
    bytes: [u8; msgpack::MAX_HEAD_LEN],
    len: u8,
}

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

/// A sealed batch, ready to post: the header, then the records as they were
/// appended (shared, so that retries and the connection task reuse the same
/// bytes, and the buffer returns to the pool afterwards).
#[derive(Debug, Clone)]
pub(crate) struct Payload {
    pub(crate) head: Head,
    pub(crate) data: Arc<Vec<u8>>,
    /// Records in the batch.
    pub(crate) records: usize,
    /// Whether `head` + `data` are gzip-compressed.
    pub(crate) gzip: bool,
}

// === impl Payload ===

impl Payload {
    /// Body length on the wire.
    pub(crate) fn len(&self) -> usize {
        self.head.as_slice().len() + self.data.len()
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
        encoder.write_all(self.head.as_slice())?;
        encoder.write_all(&self.data)?;
        let out = encoder.finish()?;
        Ok(Payload {
            head: Head::default(),
            data: Arc::new(out),
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

        let payload = Payload {
            head: Format::Msgpack.head(1),
            data: Arc::new(vec![0x80]),
            records: 1,
            gzip: false,
        };
        let zipped = payload.gzip(Vec::new()).unwrap();
        assert!(zipped.gzip);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&zipped.data[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, [0x91, 0x80]);
    }
}
