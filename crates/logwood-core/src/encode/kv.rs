//! `key=value` text, the one rule set of the pattern layer's
//! `%(message)s` fields and of RFC 3164 syslog messages.
//!
//! - A **value** is written as it is when it is not empty and holds no
//!   space, control character (U+0000–U+001F, U+007F), `"` or `=`.
//!   Otherwise it is double-quoted, with `"` and `\` escaped by a
//!   backslash, `\n`, `\r`, `\t` written as those two characters and every
//!   other control character as `\u00XX`: a value never holds a raw line
//!   break, so a field can never forge a second line or record. (A
//!   backslash alone does not make a value quoted: `C:\dir` stays as it
//!   is, as logfmt readers take it.)
//! - A **key** has each space, control character, `=` and `"` replaced by
//!   `_`; an empty key is `_`.
//! - Numbers and booleans are their text; non-finite floats `NaN`, `inf`,
//!   `-inf`.

use super::{Format, Text};
use crate::record::Leaf;
use crate::value::Value;

/// Bytes that make a value quoted and are replaced in a key: space,
/// control characters, `"` and `=`.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i <= b' ' as usize {
        table[i] = true;
        i += 1;
    }
    table[0x7f] = true;
    table[b'"' as usize] = true;
    table[b'=' as usize] = true;
    table
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `value` (text), quoted and escaped when needed.
pub fn write_value(out: &mut Vec<u8>, value: &[u8]) {
    if !value.is_empty() && !value.iter().any(|&b| SPECIAL[b as usize]) {
        out.extend_from_slice(value);
        return;
    }
    out.push(b'"');
    let mut run = 0;
    for (i, &b) in value.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&value[run..i]);
        if escaped.is_empty() {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(escaped);
        }
        run = i + 1;
    }
    out.extend_from_slice(&value[run..]);
    out.push(b'"');
}

/// Writes the key `head` + `name` (`head` is empty but for the reserved
/// names' `_`) with the bytes that would break a pair replaced by `_`; an
/// empty key is `_`.
#[inline]
pub fn write_key(out: &mut Vec<u8>, head: &str, name: &str) {
    if head.is_empty() && name.is_empty() {
        out.push(b'_');
        return;
    }
    if !head.is_empty() {
        write_key_part(out, head.as_bytes());
    }
    write_key_part(out, name.as_bytes());
}

#[inline(always)]
fn write_key_part(out: &mut Vec<u8>, part: &[u8]) {
    if part.iter().all(|&b| !SPECIAL[b as usize]) {
        out.extend_from_slice(part);
    } else {
        out.extend(
            part.iter()
                .map(|&b| if SPECIAL[b as usize] { b'_' } else { b }),
        );
    }
}

/// Writes a context leaf's value: a string quoted when needed, a number or
/// boolean as its text.
pub fn write_leaf(out: &mut Vec<u8>, leaf: Leaf<'_>) {
    match leaf {
        Leaf::Str(s) => write_value(out, s.as_bytes()),
        Leaf::Value(Value::Str(s)) => write_value(out, s.as_bytes()),
        Leaf::U64(v) | Leaf::Value(&Value::U64(v)) => Text::write_u64(out, v),
        Leaf::Value(&Value::I64(v)) => Text::write_i64(out, v),
        Leaf::Value(&Value::F64(v)) => Text::write_f64(out, v),
        Leaf::Value(&Value::Bool(v)) => Text::write_bool(out, v),
        // Leaves are scalars; an empty map is written as an empty value.
        Leaf::Value(Value::Map(_)) => write_value(out, b""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: &str) -> String {
        let mut out = Vec::new();
        write_value(&mut out, v.as_bytes());
        String::from_utf8(out).unwrap()
    }

    fn key(parts: &[&str]) -> String {
        let mut out = Vec::new();
        write_key(&mut out, parts[0], parts.get(1).unwrap_or(&""));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(value("plain"), "plain");
        assert_eq!(value("C:\\dir"), "C:\\dir");
        assert_eq!(value("é€"), "é€");
        assert_eq!(value(""), "\"\"");
        assert_eq!(value("a b"), "\"a b\"");
        assert_eq!(value("a=b"), "\"a=b\"");
        assert_eq!(value("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(value("l1\nl2\t\\\u{1b}"), r#""l1\nl2\t\\\u001b""#);
        assert_eq!(value("x=\"1\"\n\\"), r#""x=\"1\"\n\\""#);
    }

    #[test]
    fn keys_never_break_a_pair() {
        assert_eq!(key(&["a b=c\"d\n"]), "a_b_c_d_");
        assert_eq!(key(&["_", "level"]), "_level");
        assert_eq!(key(&[""]), "_");
        assert_eq!(key(&["user.id"]), "user.id");
    }

    #[test]
    fn leaves_are_their_text() {
        let mut out = Vec::new();
        write_leaf(&mut out, Leaf::Value(&Value::F64(f64::NAN)));
        out.push(b' ');
        write_leaf(&mut out, Leaf::Value(&Value::I64(-3)));
        out.push(b' ');
        write_leaf(&mut out, Leaf::Str("two words"));
        assert_eq!(String::from_utf8(out).unwrap(), "NaN -3 \"two words\"");
    }
}
