//! Lifting fields out of a message: `key=value` pairs and JSON objects.
//!
//! The rules are in the [`field`](crate#lifting-fields-out-of-the-message)
//! module docs. The parser walks the message once, writes lifted names into
//! [`EventFields::names`] and values (encoded with the layer's format) into
//! the fields' arena, so that lifting allocates nothing once the per-thread
//! buffers have grown to the size of the messages seen.

use std::marker::PhantomData;

use super::event::EventFields;
use crate::encode::Format;

/// What [`EventFields::set_lift`] lifts out of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiftFrom {
    /// `key=value` pairs and JSON objects: for structured formats (JSON,
    /// msgpack, RFC 5424 structured data).
    PairsAndJson,
    /// JSON objects only: for text formats, whose lines already show the
    /// message's `key=value` pairs as they are.
    Json,
}

/// At most this many fields are lifted out of one message; the rest of the
/// message is left as text.
pub const MAX_LIFTED_FIELDS: usize = 64;

/// JSON objects nested deeper than this inside a message are lifted as one
/// string (their JSON text) instead of being walked.
pub const MAX_LIFTED_DEPTH: usize = 16;

/// How deep the validating skipper follows arrays before giving up (a
/// hostile message cannot exhaust the stack).
const MAX_SKIP_DEPTH: usize = 128;

/// Reused buffers of the parser.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// The dotted path of the object being walked (`payload.user`).
    prefix: String,
    /// An unescaped string value.
    text: String,
}

impl Scratch {
    pub(super) fn shrink(&mut self, cap: usize) {
        if self.prefix.capacity() > cap {
            self.prefix = String::new();
        }
        if self.text.capacity() > cap {
            self.text = String::new();
        }
    }
}

/// Lifts fields out of `msg` into `fields` (after the fields already there).
pub(super) fn lift<F: Format>(fields: &mut EventFields, msg: &str, from: LiftFrom) {
    let mut scratch = std::mem::take(&mut fields.lift_scratch);
    scratch.prefix.clear();
    let mut lifter = Lifter::<F> {
        fields,
        scratch: &mut scratch,
        lifted: 0,
        _format: PhantomData,
    };
    lifter.run(msg, from);
    fields.lift_scratch = scratch;
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// A scalar typed from unquoted text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar<'a> {
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(&'a str),
}

/// The end of a JSON number starting at `i` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`),
/// and whether it is an integer.
fn number_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i)?,
        _ => return None,
    }
    let mut integer = true;
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
        integer = false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
        integer = false;
    }
    Some((i, integer))
}

/// Types a number's text: integers that fit 64 bits, finite floats; other
/// numbers (integers past 64 bits, `1e999`) stay text.
fn number(text: &str, integer: bool) -> Scalar<'_> {
    if integer {
        let typed = if text.starts_with('-') {
            text.parse().ok().map(Scalar::I64)
        } else {
            text.parse().ok().map(Scalar::U64)
        };
        return typed.unwrap_or(Scalar::Str(text));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Scalar::F64(v),
        _ => Scalar::Str(text),
    }
}

/// Types an unquoted `key=value` value.
fn scalar(text: &str) -> Scalar<'_> {
    match text {
        "true" => return Scalar::Bool(true),
        "false" => return Scalar::Bool(false),
        _ => {}
    }
    match number_end(text.as_bytes(), 0) {
        Some((end, integer)) if end == text.len() => number(text, integer),
        _ => Scalar::Str(text),
    }
}

/// The end of a pair's key starting at `i` (`[A-Za-z_][A-Za-z0-9_.-]*`),
/// when it is followed by `=`.
fn key_end(b: &[u8], i: usize) -> Option<usize> {
    if !matches!(b.get(i), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_')) {
        return None;
    }
    let mut j = i + 1;
    while j < b.len()
        && matches!(b[j], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-')
    {
        j += 1;
    }
    (b.get(j) == Some(&b'=')).then_some(j)
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let digits = b.get(i..i + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// Unescapes the JSON string starting at the quote `i` into `out`; returns
/// the index after the closing quote.
fn json_string(msg: &str, i: usize, out: &mut String) -> Option<usize> {
    let b = msg.as_bytes();
    out.clear();
    let mut j = i + 1;
    let mut run = j;
    loop {
        match *b.get(j)? {
            b'"' => {
                out.push_str(msg.get(run..j)?);
                return Some(j + 1);
            }
            b'\\' => {
                out.push_str(msg.get(run..j)?);
                let c = match *b.get(j + 1)? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let hi = hex4(b, j + 2)?;
                        j += 4;
                        if (0xD800..0xDC00).contains(&hi)
                            && b.get(j + 2..j + 4) == Some(b"\\u")
                            && let Some(lo) =
                                hex4(b, j + 4).filter(|lo| (0xDC00..0xE000).contains(lo))
                        {
                            j += 6;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                .unwrap_or('\u{fffd}')
                        } else {
                            char::from_u32(hi).unwrap_or('\u{fffd}')
                        }
                    }
                    _ => return None,
                };
                out.push(c);
                j += 2;
                run = j;
            }
            0..=0x1f => return None,
            _ => j += 1,
        }
    }
}

/// Skips one JSON value starting at `i` (validating it); returns its end.
fn skip_value(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    if depth > MAX_SKIP_DEPTH {
        return None;
    }
    match *b.get(i)? {
        b'"' => {
            let mut j = i + 1;
            loop {
                match *b.get(j)? {
                    b'"' => return Some(j + 1),
                    b'\\' => j += 2,
                    0..=0x1f => return None,
                    _ => j += 1,
                }
            }
        }
        open @ (b'{' | b'[') => {
            let close = if open == b'{' { b'}' } else { b']' };
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if open == b'{' {
                    if b.get(j) != Some(&b'"') {
                        return None;
                    }
                    j = skip_ws(b, skip_value(b, j, depth + 1)?);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(b, j + 1);
                }
                j = skip_ws(b, skip_value(b, j, depth + 1)?);
                match *b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    c if c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b't' => b[i..].starts_with(b"true").then_some(i + 4),
        b'f' => b[i..].starts_with(b"false").then_some(i + 5),
        b'n' => b[i..].starts_with(b"null").then_some(i + 4),
        _ => number_end(b, i).map(|(end, _)| end),
    }
}

struct Lifter<'a, F> {
    fields: &'a mut EventFields,
    scratch: &'a mut Scratch,
    lifted: usize,
    _format: PhantomData<F>,
}

/// Lengths to roll back to when a JSON object turns out to be malformed.
struct Mark {
    entries: usize,
    arena: usize,
    names: usize,
    lifted: usize,
}

impl<F: Format> Lifter<'_, F> {
    fn run(&mut self, msg: &str, from: LiftFrom) {
        let b = msg.as_bytes();
        let mut i = 0;
        loop {
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            if i >= b.len() || self.lifted >= MAX_LIFTED_FIELDS {
                return;
            }
            let end = if b[i] == b'{' {
                self.object_at(msg, i, 0)
            } else if from == LiftFrom::PairsAndJson {
                self.pair_at(msg, i)
            } else {
                None
            };
            if let Some(end) = end {
                i = end;
            }
            // Whatever is left of this word is text.
            while i < b.len() && !is_space(b[i]) {
                i += 1;
            }
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            entries: self.fields.entries.len(),
            arena: self.fields.arena.len(),
            names: self.fields.names.len(),
            lifted: self.lifted,
        }
    }

    fn roll_back(&mut self, mark: &Mark) {
        self.fields.entries.truncate(mark.entries);
        self.fields.arena.truncate(mark.arena);
        self.fields.names.truncate(mark.names);
        self.lifted = mark.lifted;
    }

    /// Writes `prefix` (+ `.key`) as the next name and `value`, then adds
    /// the field.
    fn emit(&mut self, key: &str, value: Scalar<'_>) {
        if self.lifted >= MAX_LIFTED_FIELDS {
            return;
        }
        let names = &mut self.fields.names;
        let start = names.len();
        names.push_str(&self.scratch.prefix);
        if !self.scratch.prefix.is_empty() && !key.is_empty() {
            names.push('.');
        }
        names.push_str(key);
        let name = start..names.len();
        let out = &mut self.fields.arena;
        let value_start = out.len();
        match value {
            Scalar::Bool(v) => F::write_bool(out, v),
            Scalar::U64(v) => F::write_u64(out, v),
            Scalar::I64(v) => F::write_i64(out, v),
            Scalar::F64(v) => F::write_f64(out, v),
            Scalar::Str(v) => F::write_str(out, v),
        }
        self.fields.push_lifted(name, value_start);
        self.lifted += 1;
    }

    /// A `key=value` pair at `i`; returns its end.
    fn pair_at(&mut self, msg: &str, i: usize) -> Option<usize> {
        let b = msg.as_bytes();
        let eq = key_end(b, i)?;
        let key = msg.get(i..eq)?;
        let v = eq + 1;
        match b.get(v) {
            Some(b'"') => {
                let (end, text) = quoted(msg, v, std::mem::take(&mut self.scratch.text))?;
                self.emit(key, Scalar::Str(&text));
                self.scratch.text = text;
                Some(end)
            }
            Some(b'{') => {
                let len = self.scratch.prefix.len();
                self.scratch.prefix.push_str(key);
                let end = self.object_at(msg, v, 0);
                self.scratch.prefix.truncate(len);
                match end {
                    Some(end) => Some(end),
                    None => Some(self.unquoted(msg, key, v)),
                }
            }
            _ => Some(self.unquoted(msg, key, v)),
        }
    }

    fn unquoted(&mut self, msg: &str, key: &str, v: usize) -> usize {
        let b = msg.as_bytes();
        let mut end = v;
        while end < b.len() && !is_space(b[end]) {
            end += 1;
        }
        self.emit(key, scalar(msg.get(v..end).unwrap_or("")));
        end
    }

    /// A JSON object at `i` (`{`), its members lifted under the current
    /// prefix; nothing is lifted when it is not valid JSON.
    fn object_at(&mut self, msg: &str, i: usize, depth: usize) -> Option<usize> {
        let mark = self.mark();
        let end = self.members(msg, i, depth);
        if end.is_none() {
            self.roll_back(&mark);
        }
        end
    }

    fn members(&mut self, msg: &str, i: usize, depth: usize) -> Option<usize> {
        let b = msg.as_bytes();
        let mut j = skip_ws(b, i + 1);
        if b.get(j) == Some(&b'}') {
            return Some(j + 1);
        }
        loop {
            if b.get(j) != Some(&b'"') {
                return None;
            }
            let mut key = std::mem::take(&mut self.scratch.text);
            let after_key = json_string(msg, j, &mut key);
            let len = self.scratch.prefix.len();
            if let Some(after) = after_key {
                if !self.scratch.prefix.is_empty() {
                    self.scratch.prefix.push('.');
                }
                self.scratch.prefix.push_str(&key);
                j = after;
            }
            key.clear();
            self.scratch.text = key;
            after_key?;
            let result = self.member_value(msg, skip_ws(b, j), depth);
            self.scratch.prefix.truncate(len);
            j = skip_ws(b, result?);
            match *b.get(j)? {
                b',' => j = skip_ws(b, j + 1),
                b'}' => return Some(j + 1),
                _ => return None,
            }
        }
    }

    /// `: value` of a member whose full name is the current prefix.
    fn member_value(&mut self, msg: &str, j: usize, depth: usize) -> Option<usize> {
        let b = msg.as_bytes();
        if b.get(j) != Some(&b':') {
            return None;
        }
        let v = skip_ws(b, j + 1);
        match *b.get(v)? {
            b'"' => {
                let mut text = std::mem::take(&mut self.scratch.text);
                let end = json_string(msg, v, &mut text);
                if end.is_some() {
                    self.emit("", Scalar::Str(&text));
                }
                self.scratch.text = text;
                end
            }
            b'{' if depth + 1 < MAX_LIFTED_DEPTH => self.members(msg, v, depth + 1),
            b'{' | b'[' => {
                // Arrays (and objects past the depth limit) are lifted as
                // their JSON text.
                let end = skip_value(b, v, 0)?;
                self.emit("", Scalar::Str(msg.get(v..end)?));
                Some(end)
            }
            b't' | b'f' => {
                let end = skip_value(b, v, 0)?;
                self.emit("", Scalar::Bool(b[v] == b't'));
                Some(end)
            }
            // `null`: nothing to lift.
            b'n' => skip_value(b, v, 0),
            _ => {
                let (end, integer) = number_end(b, v)?;
                self.emit("", number(msg.get(v..end)?, integer));
                Some(end)
            }
        }
    }
}

/// A `"…"` pair value at `i` with `\"`, `\\`, `\n`, `\r` and `\t` escapes
/// (what logwood's text layers write); other backslashes are kept.
fn quoted(msg: &str, i: usize, mut out: String) -> Option<(usize, String)> {
    let b = msg.as_bytes();
    out.clear();
    let mut j = i + 1;
    let mut run = j;
    loop {
        match *b.get(j)? {
            b'"' => {
                out.push_str(msg.get(run..j)?);
                return Some((j + 1, out));
            }
            b'\\' if j + 1 < b.len() => {
                let c = match b[j + 1] {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => {
                        j += 1;
                        continue;
                    }
                };
                out.push_str(msg.get(run..j)?);
                out.push(c);
                j += 2;
                run = j;
            }
            _ => j += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Json;

    fn lift_json(msg: &str, from: LiftFrom) -> String {
        let mut fields = EventFields::default();
        fields.clear(false);
        lift::<Json>(&mut fields, msg, from);
        let mut out = Vec::new();
        let mut map = Json::map_begin(&mut out);
        fields.write_into::<Json>(&mut out, &mut map);
        Json::map_end(&mut out, map);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pairs_are_typed() {
        assert_eq!(
            lift_json(
                "user=42 action=login neg=-3 ratio=0.5 ok=true off=false zip=01234 big=123456789012345678901234 name=\"Ann Lee\" empty= e=1e3",
                LiftFrom::PairsAndJson
            ),
            r#"{"user":42,"action":"login","neg":-3,"ratio":0.5,"ok":true,"off":false,"zip":"01234","big":"123456789012345678901234","name":"Ann Lee","empty":"","e":1000.0}"#
        );
    }

    #[test]
    fn words_that_are_not_pairs_stay_text() {
        assert_eq!(
            lift_json(
                "GET /a?x=1 https://h/?q=2 (p=3) -k=4 a==b c=",
                LiftFrom::PairsAndJson
            ),
            r#"{"a":"=b","c":""}"#
        );
    }

    #[test]
    fn quoted_values_unescape() {
        assert_eq!(
            lift_json(r#"q="say \"hi\" \\ \n" r="a\qb""#, LiftFrom::PairsAndJson),
            r#"{"q":"say \"hi\" \\ \n","r":"a\\qb"}"#
        );
        // An unterminated quote is not a pair.
        assert_eq!(lift_json(r#"q="open"#, LiftFrom::PairsAndJson), "{}");
    }

    #[test]
    fn json_objects_nest_and_skip_null() {
        assert_eq!(
            lift_json(
                r#"order placed {"id": 1234, "user": {"id": 42, "tags": ["a", {"b": 1}]}, "x": null, "ok": false, "s": "\u00e9\ud83d\ude00"}"#,
                LiftFrom::Json
            ),
            // Nested layouts are written in path order.
            r#"{"id":1234,"ok":false,"s":"é😀","user":{"id":42,"tags":"[\"a\", {\"b\": 1}]"}}"#
        );
        assert_eq!(
            lift_json(r#"payload={"a":1} b=2"#, LiftFrom::PairsAndJson),
            r#"{"b":2,"payload":{"a":1}}"#
        );
        // Pairs are not lifted in JSON-only mode.
        assert_eq!(lift_json("a=1 {\"b\":2}", LiftFrom::Json), r#"{"b":2}"#);
    }

    #[test]
    fn malformed_json_lifts_nothing_from_it() {
        assert_eq!(
            lift_json(r#"{"a": 1, "b": } c=3"#, LiftFrom::PairsAndJson),
            r#"{"c":3}"#
        );
        assert_eq!(lift_json(r#"{"a": 1"#, LiftFrom::PairsAndJson), "{}");
        assert_eq!(lift_json("{{{{", LiftFrom::PairsAndJson), "{}");
    }

    #[test]
    fn deep_and_wide_messages_are_bounded() {
        let deep = format!("{}1{}", "{\"a\":".repeat(100), "}".repeat(100));
        let mut value: serde_json::Value =
            serde_json::from_str(&lift_json(&deep, LiftFrom::Json)).unwrap();
        let mut depth = 0;
        while let serde_json::Value::Object(map) = value {
            value = map["a"].clone();
            depth += 1;
        }
        // The objects walked, then the rest as its JSON text.
        assert_eq!(depth, MAX_LIFTED_DEPTH);
        assert!(value.as_str().unwrap().starts_with("{\"a\":{"), "{value}");
        let wide: String = (0..200).map(|i| format!("k{i}={i} ")).collect();
        let json: serde_json::Value =
            serde_json::from_str(&lift_json(&wide, LiftFrom::PairsAndJson)).unwrap();
        assert_eq!(json.as_object().unwrap().len(), MAX_LIFTED_FIELDS);
        let arrays = format!("{{\"a\":{}{}}}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(lift_json(&arrays, LiftFrom::Json), "{}");
    }

    #[test]
    fn later_lifted_pairs_win_and_reserved_names_get_the_underscore() {
        assert_eq!(
            lift_json("a=1 a=2 level=3 message=m", LiftFrom::PairsAndJson),
            r#"{"_level":3,"_message":"m","a":2}"#
        );
    }
}
