//! NDJSON bodies: the JSON layer's lines, concatenated.

use logwood_core::__private::{EventFields, Json, Record};

/// Writes one record as the JSON layer's line: the same
/// `write_tree::<Json>` followed by `\n`, byte for byte.
pub(super) fn encode(record: &Record<'_>, fields: &mut EventFields, out: &mut Vec<u8>) {
    record.write_tree::<Json>(out, fields);
    out.push(b'\n');
}
