//! msgpack: the Timber frame encoding (`msgpack.packb(frame, use_bin_type=True)`).
//!
//! Strings are `str` (never `bin`), integers the smallest msgpack int that
//! holds them, floats `float64`; non-finite floats become strings. Maps and
//! streamed strings reserve a 5-byte header and shrink it to the smallest
//! header once their length is known.

use std::fmt::{self, Write as _};

use super::{Format, Members, non_finite};

/// The msgpack format of the HTTP layer's Timber frames.
#[derive(Debug, Clone, Copy, Default)]
pub struct Msgpack;

/// An open msgpack map: where its header was reserved and how many entries
/// it has so far.
#[derive(Debug, Clone, Copy)]
pub struct MsgpackMap {
    header: usize,
    count: usize,
}

const RESERVED: usize = 5;

/// Writes the smallest map header for `count` entries into `header` (5 bytes
/// reserved at `at`) and closes the gap.
fn patch_header(out: &mut Vec<u8>, at: usize, header: &[u8]) {
    out[at..at + header.len()].copy_from_slice(header);
    let gap = RESERVED - header.len();
    if gap > 0 {
        out.copy_within(at + RESERVED.., at + header.len());
        out.truncate(out.len() - gap);
    }
}

fn map_header(count: usize) -> ([u8; RESERVED], usize) {
    let mut h = [0u8; RESERVED];
    if count <= 15 {
        h[0] = 0x80 | count as u8;
        (h, 1)
    } else if let Ok(n) = u16::try_from(count) {
        h[0] = 0xde;
        h[1..3].copy_from_slice(&n.to_be_bytes());
        (h, 3)
    } else {
        h[0] = 0xdf;
        h[1..5].copy_from_slice(&(count as u32).to_be_bytes());
        (h, 5)
    }
}

fn str_header(len: usize) -> ([u8; RESERVED], usize) {
    let mut h = [0u8; RESERVED];
    if len <= 31 {
        h[0] = 0xa0 | len as u8;
        (h, 1)
    } else if let Ok(n) = u8::try_from(len) {
        h[0] = 0xd9;
        h[1] = n;
        (h, 2)
    } else if let Ok(n) = u16::try_from(len) {
        h[0] = 0xda;
        h[1..3].copy_from_slice(&n.to_be_bytes());
        (h, 3)
    } else {
        h[0] = 0xdb;
        h[1..5].copy_from_slice(&(len as u32).to_be_bytes());
        (h, 5)
    }
}

/// A `fmt::Write` appending raw UTF-8.
struct Raw<'a>(&'a mut Vec<u8>);

impl fmt::Write for Raw<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

// === impl Msgpack ===

// `rmp`'s encoders are called on the `Vec` itself (monomorphised and
// inlined): through a `&mut dyn io::Write` they cost two dynamic calls per
// value, 1,900 more instructions per event of the benchmark.
impl Format for Msgpack {
    const SLOT: usize = 1;
    type Map = MsgpackMap;

    #[inline]
    fn write_str(out: &mut Vec<u8>, s: &str) {
        rmp::encode::write_str(out, s).ok();
    }

    fn write_fmt_str(out: &mut Vec<u8>, args: fmt::Arguments<'_>) {
        if let Some(s) = args.as_str() {
            return Self::write_str(out, s);
        }
        let at = out.len();
        out.extend_from_slice(&[0; RESERVED]);
        Raw(out).write_fmt(args).ok();
        let len = out.len() - at - RESERVED;
        let (header, n) = str_header(len);
        patch_header(out, at, &header[..n]);
    }

    #[inline]
    fn write_u64(out: &mut Vec<u8>, v: u64) {
        rmp::encode::write_uint(out, v).ok();
    }

    #[inline]
    fn write_i64(out: &mut Vec<u8>, v: i64) {
        if v >= 0 {
            rmp::encode::write_uint(out, v as u64).ok();
        } else {
            rmp::encode::write_sint(out, v).ok();
        }
    }

    fn write_f64(out: &mut Vec<u8>, v: f64) {
        if v.is_finite() {
            rmp::encode::write_f64(out, v).ok();
        } else {
            Self::write_str(out, non_finite(v));
        }
    }

    #[inline]
    fn write_bool(out: &mut Vec<u8>, v: bool) {
        rmp::encode::write_bool(out, v).ok();
    }

    fn map_begin(out: &mut Vec<u8>) -> MsgpackMap {
        let header = out.len();
        out.extend_from_slice(&[0; RESERVED]);
        MsgpackMap { header, count: 0 }
    }

    fn map_key(out: &mut Vec<u8>, map: &mut MsgpackMap, head: &str, key: &str) {
        map.count += 1;
        if head.is_empty() {
            return Self::write_str(out, key);
        }
        let len = head.len() + key.len();
        let (header, n) = str_header(len);
        out.reserve(n + len);
        out.extend_from_slice(&header[..n]);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(key.as_bytes());
    }

    fn map_splice(out: &mut Vec<u8>, map: &mut MsgpackMap, members: &Members) {
        map.count += members.count;
        out.extend_from_slice(&members.bytes);
    }

    fn map_end(out: &mut Vec<u8>, map: MsgpackMap) {
        let (header, n) = map_header(map.count);
        patch_header(out, map.header, &header[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_headers_shrink_to_the_smallest_form() {
        for count in [0usize, 1, 15, 16, 65_535, 65_536] {
            let mut out = Vec::new();
            let mut map = Msgpack::map_begin(&mut out);
            for i in 0..count {
                Msgpack::map_key(&mut out, &mut map, "", "k");
                Msgpack::write_u64(&mut out, i as u64 & 1);
            }
            Msgpack::map_end(&mut out, map);
            let mut rd = &out[..];
            assert_eq!(rmp::decode::read_map_len(&mut rd).unwrap() as usize, count);
            let expected_header = if count <= 15 {
                1
            } else if count <= 65_535 {
                3
            } else {
                5
            };
            assert_eq!(out.len(), expected_header + count * 3);
        }
    }

    #[test]
    fn streamed_strings_get_the_smallest_header() {
        for len in [0usize, 31, 32, 255, 256, 65_535, 65_536] {
            let text = "x".repeat(len);
            let mut out = Vec::new();
            Msgpack::write_fmt_str(&mut out, format_args!("{}{}", text, ""));
            let mut expected = Vec::new();
            rmp::encode::write_str(&mut expected, &text).unwrap();
            assert_eq!(out, expected, "len {len}");
        }
    }

    #[test]
    fn scalars_match_rmp_through_a_writer() {
        let ints = [
            0i64,
            1,
            127,
            128,
            255,
            256,
            65_535,
            65_536,
            u32::MAX as i64,
            u32::MAX as i64 + 1,
            i64::MAX,
            -1,
            -32,
            -33,
            -128,
            -129,
            -32_768,
            -32_769,
            i32::MIN as i64,
            i32::MIN as i64 - 1,
            i64::MIN,
        ];
        for v in ints {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            Msgpack::write_i64(&mut ours, v);
            if v >= 0 {
                rmp::encode::write_uint(&mut theirs, v as u64).unwrap();
            } else {
                rmp::encode::write_sint(&mut theirs, v).unwrap();
            }
            assert_eq!(ours, theirs, "{v}");
        }
        for v in [u64::MAX, u64::MAX / 2 + 1] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            Msgpack::write_u64(&mut ours, v);
            rmp::encode::write_uint(&mut theirs, v).unwrap();
            assert_eq!(ours, theirs, "{v}");
        }
        for v in [0.0, -0.0, 1.5, f64::MAX, f64::MIN_POSITIVE] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            Msgpack::write_f64(&mut ours, v);
            rmp::encode::write_f64(&mut theirs, v).unwrap();
            assert_eq!(ours, theirs, "{v}");
        }
        for v in [true, false] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            Msgpack::write_bool(&mut ours, v);
            rmp::encode::write_bool(&mut theirs, v).unwrap();
            assert_eq!(ours, theirs, "{v}");
        }
        for len in [0usize, 31, 32, 255, 256, 65_535, 65_536] {
            let text = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            Msgpack::write_str(&mut ours, &text);
            rmp::encode::write_str(&mut theirs, &text).unwrap();
            assert_eq!(ours, theirs, "len {len}");
        }
    }

    #[test]
    fn integers_use_the_smallest_encoding() {
        let mut out = Vec::new();
        Msgpack::write_i64(&mut out, 5);
        Msgpack::write_i64(&mut out, -1);
        Msgpack::write_u64(&mut out, 300);
        assert_eq!(out, [0x05, 0xff, 0xcd, 0x01, 0x2c]);
    }
}
