//! `%(message)s`: the message, then ` key=value` for each field.
//!
//! Values are written as they are unless they are empty or hold a space, a
//! control character, `"` or `=`; then they are quoted, with `\` and `"`
//! backslash-escaped and `\n`, `\r`, `\t` (and other control characters as
//! `\u00XX`) escaped, so that a field never breaks a line. Keys have
//! whitespace, control characters, `=` and `"` replaced by `_`.

use logwood_core::context::{Merged, Value};
use logwood_core::encode::{Format, Text};
use logwood_core::field::EventFields;

/// Bytes that make a value quoted and a key rewritten: space, control
/// characters, `"` and `=`.
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

/// Whether a value must be quoted.
fn needs_quotes(value: &[u8]) -> bool {
    value.is_empty() || value.iter().any(|&b| SPECIAL[b as usize])
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes a value, quoted and escaped when needed.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &[u8]) {
    if !needs_quotes(value) {
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

/// Writes a key with the characters that would break `key=value` parsing
/// replaced by `_`.
fn write_key(out: &mut Vec<u8>, head: &str, name: &str) {
    if !head.is_empty() {
        write_key_part(out, head.as_bytes());
    }
    write_key_part(out, name.as_bytes());
}

#[inline]
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

/// Reused buffers of the message step.
#[derive(Debug, Default)]
pub(crate) struct MessageScratch {
    /// Byte ranges (in the output) of the event-field keys written.
    keys: Vec<(usize, usize)>,
    /// The dotted path of a span-context leaf.
    path: String,
    /// A span-context value as text.
    value: Vec<u8>,
}

impl MessageScratch {
    pub(crate) fn shrink(&mut self, cap: usize) {
        if self.value.capacity() > cap {
            self.value = Vec::new();
        }
        if self.path.capacity() > cap {
            self.path = String::new();
        }
        if self.keys.capacity() > 1024 {
            self.keys = Vec::new();
        }
    }
}

/// Writes the message, the event's fields (those lifted out of the message
/// included) and, when given, the span context's leaves (skipping a key an
/// event field already wrote).
pub(crate) fn write_message(
    out: &mut Vec<u8>,
    fields: &mut EventFields,
    span: Option<&Merged>,
    scratch: &mut MessageScratch,
) {
    let start = out.len();
    if let Some(message) = fields.message() {
        // Encoded with `Text`: the message as it is.
        out.extend_from_slice(message);
    }
    scratch.keys.clear();
    fields.for_each_kept(|head, name, value| {
        if out.len() > start {
            out.push(b' ');
        }
        let key_start = out.len();
        write_key(out, head, name);
        scratch.keys.push((key_start, out.len()));
        out.push(b'=');
        write_value(out, value);
    });
    let Some(span) = span else { return };
    let MessageScratch { keys, path, value } = scratch;
    path.clear();
    span.map().for_each_leaf(path, &mut |path, leaf| {
        let before = out.len();
        if out.len() > start {
            out.push(b' ');
        }
        let key_start = out.len();
        write_key(out, "", path);
        let key = &out[key_start..];
        if keys.iter().any(|&(s, e)| out.get(s..e) == Some(key)) {
            out.truncate(before);
            return;
        }
        out.push(b'=');
        value.clear();
        match leaf {
            Value::Bool(v) => Text::write_bool(value, *v),
            Value::U64(v) => Text::write_u64(value, *v),
            Value::I64(v) => Text::write_i64(value, *v),
            Value::F64(v) => Text::write_f64(value, *v),
            Value::Str(v) => Text::write_str(value, v),
            // Leaves are scalars.
            Value::Map(_) => {}
        }
        write_value(out, value);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(v: &str) -> String {
        let mut out = Vec::new();
        write_value(&mut out, v.as_bytes());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(quoted("plain"), "plain");
        assert_eq!(quoted("C:\\dir"), "C:\\dir");
        assert_eq!(quoted("é€"), "é€");
        assert_eq!(quoted(""), "\"\"");
        assert_eq!(quoted("a b"), "\"a b\"");
        assert_eq!(quoted("a=b"), "\"a=b\"");
        assert_eq!(quoted("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(quoted("l1\nl2\t\\\u{1b}"), r#""l1\nl2\t\\\u001b""#);
    }
}
