//! Protobuf wire helpers over `prost`'s primitives: a field's key, a
//! length-delimited field whose length is known, and one whose length is
//! patched in once its contents are written.

use prost::encoding::{WireType, encode_varint, encoded_len_varint};

/// Writes a varint: one byte under 128 (most lengths and tags here),
/// `prost`'s encoder otherwise.
#[inline(always)]
pub(crate) fn varint(out: &mut Vec<u8>, value: u64) {
    if value < 0x80 {
        out.push(value as u8);
    } else {
        encode_varint(value, out);
    }
}

/// Writes a field's key (its tag and wire type).
#[inline(always)]
pub(crate) fn key(out: &mut Vec<u8>, tag: u32, wire_type: WireType) {
    varint(out, (u64::from(tag) << 3) | wire_type as u64);
}

/// Writes a length-delimited field `tag` holding `parts` (concatenated).
#[inline]
pub(crate) fn bytes_field(out: &mut Vec<u8>, tag: u32, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    key(out, tag, WireType::LengthDelimited);
    varint(out, len as u64);
    for part in parts {
        out.extend_from_slice(part);
    }
}

/// The encoded length of a length-delimited field `tag` of `len` bytes.
#[inline]
pub(crate) fn field_len(tag: u32, len: usize) -> usize {
    prost::encoding::key_len(tag) + encoded_len_varint(len as u64) + len
}

/// Writes a varint field.
#[inline]
pub(crate) fn varint_field(out: &mut Vec<u8>, tag: u32, value: u64) {
    key(out, tag, WireType::Varint);
    varint(out, value);
}

/// Writes a `fixed64` / `double` field.
#[inline]
pub(crate) fn fixed64_field(out: &mut Vec<u8>, tag: u32, value: u64) {
    key(out, tag, WireType::SixtyFourBit);
    out.extend_from_slice(&value.to_le_bytes());
}

/// Writes a `fixed32` field.
#[inline]
pub(crate) fn fixed32_field(out: &mut Vec<u8>, tag: u32, value: u32) {
    key(out, tag, WireType::ThirtyTwoBit);
    out.extend_from_slice(&value.to_le_bytes());
}

/// An open length-delimited field: where its length goes and how many
/// bytes were reserved for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Open {
    at: usize,
    reserved: usize,
}

/// Opens a length-delimited field `tag` whose length is not known yet,
/// reserving `reserved` bytes for it (1 for a message under 128 bytes, 2
/// under 16 KiB: then [`close`] moves nothing).
#[inline]
pub(crate) fn open(out: &mut Vec<u8>, tag: u32, reserved: usize) -> Open {
    key(out, tag, WireType::LengthDelimited);
    let at = out.len();
    out.resize(at + reserved, 0);
    Open { at, reserved }
}

/// Closes `field`: writes its length, moving its contents when the length
/// needs more or fewer bytes than were reserved.
#[inline]
pub(crate) fn close(out: &mut Vec<u8>, field: Open) {
    let Open { at, reserved } = field;
    let body = at + reserved;
    let len = out.len() - body;
    let n = encoded_len_varint(len as u64);
    if n < reserved {
        out.copy_within(body.., at + n);
        out.truncate(out.len() - (reserved - n));
    } else if n > reserved {
        let grow = n - reserved;
        let end = out.len();
        out.resize(end + grow, 0);
        out.copy_within(body..end, body + grow);
    }
    let mut slot = &mut out[at..at + n];
    encode_varint(len as u64, &mut slot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_writes_the_smallest_length_whatever_was_reserved() {
        for reserved in 1..=3 {
            for len in [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000] {
                let mut out = vec![0xaa];
                let field = open(&mut out, 2, reserved);
                out.extend(std::iter::repeat_n(7u8, len));
                close(&mut out, field);
                let mut expected = vec![0xaa];
                bytes_field(&mut expected, 2, &[&vec![7u8; len]]);
                assert_eq!(out, expected, "reserved {reserved}, len {len}");
                assert_eq!(out.len() - 1, field_len(2, len));
            }
        }
    }

    #[test]
    fn varints_and_keys_match_prost() {
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            varint(&mut ours, v);
            encode_varint(v, &mut theirs);
            assert_eq!(ours, theirs);
        }
        for tag in [1, 6, 11, 15, 16, 2047] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            key(&mut ours, tag, WireType::LengthDelimited);
            prost::encoding::encode_key(tag, WireType::LengthDelimited, &mut theirs);
            assert_eq!(ours, theirs);
        }
    }
}
