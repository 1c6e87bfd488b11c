//! Protobuf wire helpers over `prost`'s primitives: a field's key, a
//! length-delimited field whose length is known, and one whose length is
//! patched in once its contents are written.

use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint};

/// Writes a length-delimited field `tag` holding `parts` (concatenated).
#[inline]
pub(crate) fn bytes_field(out: &mut Vec<u8>, tag: u32, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
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
    encode_key(tag, WireType::Varint, out);
    encode_varint(value, out);
}

/// Writes a `fixed64` / `double` field.
#[inline]
pub(crate) fn fixed64_field(out: &mut Vec<u8>, tag: u32, value: u64) {
    encode_key(tag, WireType::SixtyFourBit, out);
    out.extend_from_slice(&value.to_le_bytes());
}

/// Writes a `fixed32` field.
#[inline]
pub(crate) fn fixed32_field(out: &mut Vec<u8>, tag: u32, value: u32) {
    encode_key(tag, WireType::ThirtyTwoBit, out);
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
    encode_key(tag, WireType::LengthDelimited, out);
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
}
