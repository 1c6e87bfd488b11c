//! msgpack batch → JSON lines, straight from bytes (no intermediate tree).
//!
//! The body is one msgpack array whose elements are maps; each map becomes one
//! compact JSON line, keys in the order they were sent. Everything logwood and
//! Timber send is accepted; anything else is a [`DecodeError`] and leaves the
//! output untouched (the caller truncates it).
//!
//! Hostile input is handled with bounded memory and stack: no allocation is
//! sized from a claimed length (a claimed length larger than the bytes left is
//! rejected at once), nesting is limited to [`MAX_RECORD_DEPTH`] within each
//! record, and duplicate keys are found in `O(n log n)`.

use rmp::Marker;

use super::json::{write_int, write_str};
use super::{DecodeError, MAX_RECORD_DEPTH, TOO_DEEP};

/// Maps up to this many keys are checked for duplicates pairwise; larger ones
/// by sorting.
const LINEAR_DUP_CHECK: usize = 16;

/// Transcodes a msgpack batch into JSON lines appended to `out`; returns the
/// number of records. On error `out` may hold a partial line.
pub(crate) fn transcode(input: &[u8], out: &mut Vec<u8>) -> Result<usize, DecodeError> {
    let mut t = Transcoder {
        input,
        pos: 0,
        out,
        keys: Vec::new(),
        scratch: Vec::new(),
    };
    let len = match t.marker()? {
        Marker::FixArray(n) => usize::from(n),
        Marker::Array16 => t.len16()?,
        Marker::Array32 => t.len32()?,
        _ => return Err(t.error_at(0, "the body is not a msgpack array")),
    };
    t.check_claim(len, 1)?;
    for _ in 0..len {
        let at = t.pos;
        let map_len = match t.marker()? {
            Marker::FixMap(n) => usize::from(n),
            Marker::Map16 => t.len16()?,
            Marker::Map32 => t.len32()?,
            _ => return Err(t.error_at(at, "a record is not a msgpack map")),
        };
        // The record's map is the first level; the batch array does not count.
        t.map(map_len, 1)?;
        t.out.push(b'\n');
    }
    if t.pos != input.len() {
        return Err(t.error("trailing bytes after the batch array"));
    }
    Ok(len)
}

struct Transcoder<'a, 'o> {
    input: &'a [u8],
    pos: usize,
    out: &'o mut Vec<u8>,
    /// Keys of the maps being decoded, innermost last (for duplicate checks).
    keys: Vec<&'a [u8]>,
    /// Reused for sorting the keys of a large map.
    scratch: Vec<&'a [u8]>,
}

// === impl Transcoder ===

impl<'a> Transcoder<'a, '_> {
    fn error(&self, reason: &'static str) -> DecodeError {
        self.error_at(self.pos, reason)
    }

    fn error_at(&self, offset: usize, reason: &'static str) -> DecodeError {
        DecodeError::Msgpack { reason, offset }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let input = self.input;
        let end = self.pos.checked_add(n).filter(|&end| end <= input.len());
        let Some(end) = end else {
            return Err(self.error("truncated input"));
        };
        let bytes = &input[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N)?;
        let mut array = [0; N];
        array.copy_from_slice(bytes);
        Ok(array)
    }

    fn marker(&mut self) -> Result<Marker, DecodeError> {
        let [b] = self.array::<1>()?;
        Ok(Marker::from_u8(b))
    }

    fn len8(&mut self) -> Result<usize, DecodeError> {
        Ok(usize::from(self.array::<1>()?[0]))
    }

    fn len16(&mut self) -> Result<usize, DecodeError> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    fn len32(&mut self) -> Result<usize, DecodeError> {
        let len = u32::from_be_bytes(self.array()?);
        usize::try_from(len).map_err(|_| self.error("truncated input"))
    }

    /// Rejects a container claiming more elements than the bytes left could
    /// hold (each element takes at least `min_bytes`).
    fn check_claim(&self, len: usize, min_bytes: usize) -> Result<(), DecodeError> {
        let left = self.input.len() - self.pos;
        if len.saturating_mul(min_bytes) > left {
            return Err(self.error("truncated input (a length claims more than the body holds)"));
        }
        Ok(())
    }

    fn str_bytes(&mut self, len: usize) -> Result<&'a str, DecodeError> {
        let at = self.pos;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.error_at(at, "invalid UTF-8 in a str"))
    }

    /// Reads one value whose container sits at `depth`.
    fn value(&mut self, depth: usize) -> Result<(), DecodeError> {
        let at = self.pos;
        match self.marker()? {
            Marker::Null => self.out.extend_from_slice(b"null"),
            Marker::True => self.out.extend_from_slice(b"true"),
            Marker::False => self.out.extend_from_slice(b"false"),
            Marker::FixPos(n) => write_int(self.out, n),
            Marker::FixNeg(n) => write_int(self.out, n),
            Marker::U8 => {
                let v = u8::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::U16 => {
                let v = u16::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::U32 => {
                let v = u32::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::U64 => {
                let v = u64::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::I8 => {
                let v = i8::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::I16 => {
                let v = i16::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::I32 => {
                let v = i32::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::I64 => {
                let v = i64::from_be_bytes(self.array()?);
                write_int(self.out, v);
            }
            Marker::F32 => {
                let f = f32::from_be_bytes(self.array()?);
                if !f.is_finite() {
                    return Err(self.error_at(at, "non-finite float"));
                }
                self.out
                    .extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
            }
            Marker::F64 => {
                let f = f64::from_be_bytes(self.array()?);
                if !f.is_finite() {
                    return Err(self.error_at(at, "non-finite float"));
                }
                self.out
                    .extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
            }
            Marker::FixStr(n) => {
                let s = self.str_bytes(usize::from(n))?;
                write_str(self.out, s);
            }
            Marker::Str8 => {
                let len = self.len8()?;
                let s = self.str_bytes(len)?;
                write_str(self.out, s);
            }
            Marker::Str16 => {
                let len = self.len16()?;
                let s = self.str_bytes(len)?;
                write_str(self.out, s);
            }
            Marker::Str32 => {
                let len = self.len32()?;
                let s = self.str_bytes(len)?;
                write_str(self.out, s);
            }
            Marker::FixArray(n) => self.seq(usize::from(n), depth + 1)?,
            Marker::Array16 => {
                let len = self.len16()?;
                self.seq(len, depth + 1)?;
            }
            Marker::Array32 => {
                let len = self.len32()?;
                self.seq(len, depth + 1)?;
            }
            Marker::FixMap(n) => self.map(usize::from(n), depth + 1)?,
            Marker::Map16 => {
                let len = self.len16()?;
                self.map(len, depth + 1)?;
            }
            Marker::Map32 => {
                let len = self.len32()?;
                self.map(len, depth + 1)?;
            }
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                return Err(self.error_at(at, "bin is not accepted (strings must be str)"));
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => return Err(self.error_at(at, "ext is not accepted")),
            Marker::Reserved => return Err(self.error_at(at, "reserved marker 0xc1")),
        }
        Ok(())
    }

    fn seq(&mut self, len: usize, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_RECORD_DEPTH {
            return Err(self.error(TOO_DEEP));
        }
        self.check_claim(len, 1)?;
        self.out.push(b'[');
        for i in 0..len {
            if i > 0 {
                self.out.push(b',');
            }
            self.value(depth)?;
        }
        self.out.push(b']');
        Ok(())
    }

    fn map(&mut self, len: usize, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_RECORD_DEPTH {
            return Err(self.error(TOO_DEEP));
        }
        self.check_claim(len, 2)?;
        let base = self.keys.len();
        self.out.push(b'{');
        for i in 0..len {
            if i > 0 {
                self.out.push(b',');
            }
            let at = self.pos;
            let key_len = match self.marker()? {
                Marker::FixStr(n) => usize::from(n),
                Marker::Str8 => self.len8()?,
                Marker::Str16 => self.len16()?,
                Marker::Str32 => self.len32()?,
                _ => return Err(self.error_at(at, "a map key is not a str")),
            };
            let key = self.str_bytes(key_len)?;
            if len <= LINEAR_DUP_CHECK && self.keys[base..].contains(&key.as_bytes()) {
                return Err(self.error_at(at, "duplicate key in a map"));
            }
            self.keys.push(key.as_bytes());
            write_str(self.out, key);
            self.out.push(b':');
            self.value(depth)?;
        }
        self.out.push(b'}');
        if len > LINEAR_DUP_CHECK {
            self.scratch.clear();
            self.scratch.extend_from_slice(&self.keys[base..]);
            self.scratch.sort_unstable();
            if self.scratch.windows(2).any(|w| w[0] == w[1]) {
                return Err(self.error("duplicate key in a map"));
            }
        }
        self.keys.truncate(base);
        Ok(())
    }
}
