//! Small JSON writing helpers shared by the msgpack transcoder, the OTLP line
//! writer and the syslog line writer: infallible, straight into a `Vec<u8>`.

/// Writes `s` as a JSON string literal (with quotes), escaping `"`, `\` and
/// control characters.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0x0f)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes an optional string: the literal or `null`.
pub(crate) fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Writes an integer.
pub(crate) fn write_int<I: itoa::Integer>(out: &mut Vec<u8>, i: I) {
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}

/// Writes an optional integer: the number or `null`.
pub(crate) fn write_opt_int<I: itoa::Integer>(out: &mut Vec<u8>, i: Option<I>) {
    match i {
        Some(i) => write_int(out, i),
        None => out.extend_from_slice(b"null"),
    }
}

/// Writes a float: a finite one as a JSON number, a non-finite one as the
/// string `"NaN"`, `"inf"` or `"-inf"` (as logwood's JSON encoder does).
pub(crate) fn write_f64(out: &mut Vec<u8>, f: f64) {
    if f.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
    } else if f.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if f > 0.0 {
        out.extend_from_slice(b"\"inf\"");
    } else {
        out.extend_from_slice(b"\"-inf\"");
    }
}

/// Writes bytes as a string of lowercase hex digits.
pub(crate) fn write_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0x0f)]);
    }
    out.push(b'"');
}

/// Writes bytes as a string in standard, padded base64 (RFC 4648 §4), as
/// OTLP/JSON writes `bytesValue`.
pub(crate) fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digit = |n: u32| ALPHABET[(n & 63) as usize];
    out.push(b'"');
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        out.extend_from_slice(&[digit(n >> 18), digit(n >> 12), digit(n >> 6), digit(n)]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[digit(n >> 18), digit(n >> 12), b'=', b'=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[digit(n >> 18), digit(n >> 12), digit(n >> 6), b'=']);
        }
        _ => {}
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_characters() {
        assert_eq!(escaped("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            escaped("\n\r\t\u{8}\u{c}\u{1}\u{1f}"),
            r#""\n\r\t\b\f\u0001\u001f""#
        );
        assert_eq!(escaped("héllo ✓"), "\"héllo ✓\"");
    }

    #[test]
    fn escaped_strings_parse_back_to_the_original() {
        for s in ["", "plain", "\u{0}\u{7f}\"\\/", "line\nbreak", "emoji 🎉"] {
            let parsed: String = serde_json::from_str(&escaped(s)).unwrap();
            assert_eq!(parsed, s);
        }
    }

    fn written(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn floats_are_numbers_and_non_finite_ones_strings() {
        assert_eq!(written(|o| write_f64(o, 520.23)), "520.23");
        assert_eq!(written(|o| write_f64(o, -0.5)), "-0.5");
        assert_eq!(written(|o| write_f64(o, f64::NAN)), "\"NaN\"");
        assert_eq!(written(|o| write_f64(o, f64::INFINITY)), "\"inf\"");
        assert_eq!(written(|o| write_f64(o, f64::NEG_INFINITY)), "\"-inf\"");
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(written(|o| write_hex(o, &[0x00, 0xab, 0x0f])), "\"00ab0f\"");
        assert_eq!(written(|o| write_hex(o, &[])), "\"\"");
    }

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (bytes, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(
                written(|o| write_base64(o, bytes.as_bytes())),
                format!("\"{encoded}\"")
            );
        }
        assert_eq!(
            written(|o| write_base64(o, &[0xff, 0xfe, 0xfd])),
            "\"//79\""
        );
    }
}
