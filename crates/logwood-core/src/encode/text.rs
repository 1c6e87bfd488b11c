//! Text: values as plain text, for flat formats (`key=value`, RFC 5424
//! SD-PARAM values, Python-logging patterns), which quote and escape them
//! their own way.

use std::fmt::{self, Write as _};

use super::{Format, Members, non_finite};

/// Plain text: strings unquoted and unescaped, numbers as decimal text,
/// non-finite floats as `NaN` / `inf` / `-inf`. Maps (only in owned context
/// trees) are written `{k=v, …}`; flat formats walk trees with
/// [`Map::for_each_leaf`](crate::value::Map::for_each_leaf) instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text;

/// An open text map.
#[derive(Debug, Clone, Copy)]
pub struct TextMap {
    empty: bool,
}

struct Raw<'a>(&'a mut Vec<u8>);

impl fmt::Write for Raw<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl Format for Text {
    const SLOT: usize = 2;
    type Map = TextMap;

    fn write_str(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(s.as_bytes());
    }

    fn write_fmt_str(out: &mut Vec<u8>, args: fmt::Arguments<'_>) {
        match args.as_str() {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => {
                Raw(out).write_fmt(args).ok();
            }
        }
    }

    fn write_u64(out: &mut Vec<u8>, v: u64) {
        out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    fn write_i64(out: &mut Vec<u8>, v: i64) {
        out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    fn write_f64(out: &mut Vec<u8>, v: f64) {
        if v.is_finite() {
            out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        } else {
            out.extend_from_slice(non_finite(v).as_bytes());
        }
    }

    fn write_bool(out: &mut Vec<u8>, v: bool) {
        out.extend_from_slice(if v { b"true" } else { b"false" });
    }

    fn map_begin(out: &mut Vec<u8>) -> TextMap {
        out.push(b'{');
        TextMap { empty: true }
    }

    fn map_key(out: &mut Vec<u8>, map: &mut TextMap, head: &str, key: &str) {
        if !map.empty {
            out.extend_from_slice(b", ");
        }
        map.empty = false;
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(key.as_bytes());
        out.push(b'=');
    }

    fn map_splice(out: &mut Vec<u8>, map: &mut TextMap, members: &Members) {
        if members.count == 0 {
            return;
        }
        if !map.empty {
            out.extend_from_slice(b", ");
        }
        map.empty = false;
        out.extend_from_slice(&members.bytes);
    }

    fn map_end(out: &mut Vec<u8>, _map: TextMap) {
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_plain_text() {
        let mut out = Vec::new();
        Text::write_str(&mut out, "a \"b\"");
        out.push(b'|');
        Text::write_f64(&mut out, f64::NEG_INFINITY);
        out.push(b'|');
        Text::write_fmt_str(&mut out, format_args!("{:?}", "q"));
        assert_eq!(String::from_utf8(out).unwrap(), "a \"b\"|-inf|\"q\"");
    }
}
