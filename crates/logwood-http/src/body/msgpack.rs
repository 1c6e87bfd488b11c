//! msgpack bodies: one array of record maps (Timber's frames).

use logwood_core::__private::{EventFields, Msgpack, Record};

use super::Head;

/// An array header is at most 5 bytes (`array32`).
pub(super) const MAX_HEAD_LEN: usize = 5;

/// Writes one record as a msgpack map: the same tree as the JSON record.
pub(super) fn encode(record: &Record<'_>, fields: &mut EventFields, out: &mut Vec<u8>) {
    record.write_tree::<Msgpack>(out, fields);
}

/// The smallest array header for `count` records (`fixarray`, `array16` or
/// `array32`).
pub(super) fn head(count: usize) -> Head {
    let mut bytes = [0u8; MAX_HEAD_LEN];
    let mut cursor = &mut bytes[..];
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    // Five bytes always hold an array header.
    if rmp::encode::write_array_len(&mut cursor, count).is_err() {
        return Head::default();
    }
    let written = MAX_HEAD_LEN - cursor.len();
    Head::new(&bytes[..written])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_headers_are_the_smallest_that_hold_the_count() {
        assert_eq!(head(0).as_slice(), [0x90]);
        assert_eq!(head(15).as_slice(), [0x9f]);
        assert_eq!(head(16).as_slice(), [0xdc, 0x00, 0x10]);
        assert_eq!(head(1000).as_slice(), [0xdc, 0x03, 0xe8]);
        assert_eq!(head(65_535).as_slice(), [0xdc, 0xff, 0xff]);
        assert_eq!(head(65_536).as_slice(), [0xdd, 0x00, 0x01, 0x00, 0x00]);
    }
}
