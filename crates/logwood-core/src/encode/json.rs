//! JSON: strings escaped per RFC 8259, non-finite floats as strings.

use std::fmt::{self, Write as _};

use super::{Format, Members, non_finite};

/// The JSON format of the stdout layer and of NDJSON bodies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

/// An open JSON object: whether the next entry needs a comma.
#[derive(Debug, Clone, Copy)]
pub struct JsonMap {
    empty: bool,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// For each byte: 0 when it is copied as is, else the escape letter
/// (`u` for `\u00XX`).
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[0x7f] = b'u';
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of the word is zero.
#[inline]
fn has_zero(x: u64) -> bool {
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// Whether any of the 8 bytes must be escaped (< 0x20, `"`, `\\`, 0x7f).
#[inline]
fn word_needs_escape(x: u64) -> bool {
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    control
        | has_zero(x ^ (ONES * u64::from(b'"')))
        | has_zero(x ^ (ONES * u64::from(b'\\')))
        | has_zero(x ^ (ONES * 0x7f))
}

/// Whether any byte of `bytes` must be escaped, 8 bytes at a time: most
/// strings (keys, paths, messages) need no escaping and are then copied in
/// one piece.
#[inline]
fn needs_escape(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| ESCAPE[b as usize] != 0);
    }
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word: [u8; 8] = word.try_into().unwrap_or([0; 8]);
        if word_needs_escape(u64::from_le_bytes(word)) {
            return true;
        }
    }
    words.remainder().iter().any(|&b| ESCAPE[b as usize] != 0)
}

/// Appends `s` escaped for the inside of a JSON string (no quotes).
#[inline]
pub fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if needs_escape(bytes) {
        escape_slow(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
}

/// [`escape_into`] for a string that holds something to escape.
#[cold]
#[inline(never)]
fn escape_slow(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match esc {
            b'u' => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]),
            c => out.extend_from_slice(&[b'\\', c]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// A `fmt::Write` that escapes what it is given into a JSON string body.
struct Escaper<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

// === impl Json ===

impl Format for Json {
    const SLOT: usize = 0;
    type Map = JsonMap;

    #[inline]
    fn write_str(out: &mut Vec<u8>, s: &str) {
        out.push(b'"');
        escape_into(out, s);
        out.push(b'"');
    }

    fn write_fmt_str(out: &mut Vec<u8>, args: fmt::Arguments<'_>) {
        out.push(b'"');
        if let Some(s) = args.as_str() {
            escape_into(out, s);
        } else {
            // A Debug impl that returns an error leaves what it wrote so far:
            // the string is still closed below, so the line stays valid.
            Escaper(out).write_fmt(args).ok();
        }
        out.push(b'"');
    }

    #[inline]
    fn write_u64(out: &mut Vec<u8>, v: u64) {
        out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    #[inline]
    fn write_i64(out: &mut Vec<u8>, v: i64) {
        out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    fn write_f64(out: &mut Vec<u8>, v: f64) {
        if v.is_finite() {
            out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        } else {
            Self::write_str(out, non_finite(v));
        }
    }

    #[inline]
    fn write_bool(out: &mut Vec<u8>, v: bool) {
        out.extend_from_slice(if v { b"true" } else { b"false" });
    }

    #[inline]
    fn map_begin(out: &mut Vec<u8>) -> JsonMap {
        out.push(b'{');
        JsonMap { empty: true }
    }

    #[inline]
    fn map_key(out: &mut Vec<u8>, map: &mut JsonMap, head: &str, key: &str) {
        if map.empty {
            out.push(b'"');
        } else {
            out.extend_from_slice(b",\"");
        }
        map.empty = false;
        if !head.is_empty() {
            out.extend_from_slice(head.as_bytes()); // "_": nothing to escape
        }
        escape_into(out, key);
        out.extend_from_slice(b"\":");
    }

    #[inline]
    fn map_key_fixed(out: &mut Vec<u8>, map: &mut JsonMap, key: &'static str) {
        if map.empty {
            out.push(b'"');
        } else {
            out.extend_from_slice(b",\"");
        }
        map.empty = false;
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
    }

    #[inline]
    fn map_splice(out: &mut Vec<u8>, map: &mut JsonMap, members: &Members) {
        if members.count == 0 {
            return;
        }
        if !map.empty {
            out.push(b',');
        }
        map.empty = false;
        out.extend_from_slice(&members.bytes);
    }

    #[inline]
    fn map_end(out: &mut Vec<u8>, _map: JsonMap) {
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_str(s: &str) -> String {
        let mut out = Vec::new();
        Json::write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        assert_eq!(
            json_str("a\"b\\c\n\r\t\u{1}\u{7f}"),
            r#""a\"b\\c\n\r\t\u0001\u007f""#
        );
        let back: String = serde_json::from_str(&json_str("x\u{0}y\u{1f}é€😀")).unwrap();
        assert_eq!(back, "x\u{0}y\u{1f}é€😀");
    }

    #[test]
    fn word_scan_finds_every_escape_at_every_offset() {
        for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}'] {
            for len in 0..20 {
                for at in 0..len {
                    let mut text: String = "abcdefghijklmnopqrstu"[..len].to_string();
                    text.replace_range(at..at + 1, &special.to_string());
                    let ours = json_str(&text);
                    assert_eq!(
                        ours,
                        serde_json::to_string(&text)
                            .unwrap()
                            .replace('\u{7f}', "\\u007f"),
                        "{text:?}"
                    );
                    let back: String = serde_json::from_str(&ours).unwrap();
                    assert_eq!(back, text);
                }
            }
        }
        // Bytes >= 0x80 (UTF-8) and 0x20..0x7e other than the two specials pass.
        assert_eq!(json_str("é€ ~!#"), "\"é€ ~!#\"");
    }

    #[test]
    fn non_finite_floats_are_strings() {
        for (v, text) in [
            (f64::NAN, "\"NaN\""),
            (f64::INFINITY, "\"inf\""),
            (f64::NEG_INFINITY, "\"-inf\""),
        ] {
            let mut out = Vec::new();
            Json::write_f64(&mut out, v);
            assert_eq!(out, text.as_bytes());
        }
        let mut out = Vec::new();
        Json::write_f64(&mut out, 520.23);
        assert_eq!(out, b"520.23");
    }

    #[test]
    fn debug_output_is_streamed_escaped() {
        let mut out = Vec::new();
        Json::write_fmt_str(&mut out, format_args!("{:?}", "q\"uote"));
        assert_eq!(String::from_utf8(out).unwrap(), r#""\"q\\\"uote\"""#);
    }
}
