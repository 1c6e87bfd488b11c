//! RFC 5424 and RFC 3164 message parsing, lenient and panic-free: what does
//! not parse is kept raw in `msg`, with the reason in `error`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use crate::decode::{write_opt_int, write_opt_str, write_str};

/// Which syntax a message was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Rfc5424,
    Rfc3164,
    /// No valid `<PRI>`: the whole frame is the message.
    Unknown,
}

/// One SD-ELEMENT: its SD-ID and SD-PARAMs in order (names may repeat).
pub(crate) type SdElement<'a> = (Cow<'a, str>, Vec<(Cow<'a, str>, String)>);

/// A parsed syslog message; `None` fields were absent or the NILVALUE `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message<'a> {
    pub(crate) format: Format,
    pub(crate) pri: Option<u8>,
    pub(crate) version: Option<u16>,
    pub(crate) timestamp: Option<Cow<'a, str>>,
    pub(crate) hostname: Option<Cow<'a, str>>,
    pub(crate) app_name: Option<Cow<'a, str>>,
    pub(crate) procid: Option<Cow<'a, str>>,
    pub(crate) msgid: Option<Cow<'a, str>>,
    /// `None` for the NILVALUE (and for RFC 3164, or when malformed).
    pub(crate) sd: Option<Vec<SdElement<'a>>>,
    pub(crate) msg: Option<Cow<'a, str>>,
    pub(crate) error: Option<&'static str>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// A header field: `-` is absent.
fn field(bytes: &[u8]) -> Option<Cow<'_, str>> {
    (bytes != b"-").then(|| text(bytes))
}

fn message_text(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    Some(text(bytes))
}

/// Parses one frame (trailing `\n`, `\r` and NUL bytes are dropped first).
pub(crate) fn parse(frame: &[u8]) -> Message<'_> {
    let end = frame
        .iter()
        .rposition(|&b| !matches!(b, b'\n' | b'\r' | 0))
        .map_or(0, |i| i + 1);
    let frame = &frame[..end];
    let mut message = Message {
        format: Format::Unknown,
        pri: None,
        version: None,
        timestamp: None,
        hostname: None,
        app_name: None,
        procid: None,
        msgid: None,
        sd: None,
        msg: None,
        error: None,
    };
    let Some((pri, rest)) = parse_pri(frame) else {
        message.msg = Some(text(frame));
        message.error = Some("missing or invalid PRI");
        return message;
    };
    message.pri = Some(pri);
    match parse_version(rest) {
        Some((version, rest)) => {
            message.format = Format::Rfc5424;
            message.version = Some(version);
            parse_5424(rest, &mut message);
        }
        None => {
            message.format = Format::Rfc3164;
            parse_3164(rest, &mut message);
        }
    }
    message
}

/// `<PRI>`: 1 to 3 digits, at most 191.
fn parse_pri(frame: &[u8]) -> Option<(u8, &[u8])> {
    let rest = frame.strip_prefix(b"<")?;
    let close = rest.iter().take(4).position(|&b| b == b'>')?;
    let digits = &rest[..close];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let pri = u8::try_from(value).ok().filter(|&p| p <= 191)?;
    Some((pri, &rest[close + 1..]))
}

/// RFC 5424 `VERSION SP`: a nonzero digit and at most two more.
fn parse_version(rest: &[u8]) -> Option<(u16, &[u8])> {
    let sp = rest.iter().take(4).position(|&b| b == b' ')?;
    let digits = &rest[..sp];
    if digits.is_empty() || digits[0] == b'0' || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let version = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    Some((version, &rest[sp + 1..]))
}

/// Splits off the next space-terminated token.
fn token(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let sp = rest.iter().position(|&b| b == b' ')?;
    Some((&rest[..sp], &rest[sp + 1..]))
}

fn parse_5424<'a>(rest: &'a [u8], message: &mut Message<'a>) {
    let header = rest;
    let mut fields = [&b""[..]; 5];
    let mut rest = rest;
    for slot in &mut fields {
        let Some((value, tail)) = token(rest) else {
            message.msg = message_text(header);
            message.error = Some("truncated RFC 5424 header");
            return;
        };
        *slot = value;
        rest = tail;
    }
    let [timestamp, hostname, app_name, procid, msgid] = fields;
    message.timestamp = field(timestamp);
    message.hostname = field(hostname);
    message.app_name = field(app_name);
    message.procid = field(procid);
    message.msgid = field(msgid);

    let after_sd = if let Some(tail) = rest.strip_prefix(b"-") {
        Ok(tail)
    } else if rest.first() == Some(&b'[') {
        parse_sd(rest).map(|(elements, tail)| {
            message.sd = Some(elements);
            tail
        })
    } else {
        Err("structured data: expected `-` or `[`")
    };
    match after_sd {
        Ok([]) => {}
        Ok([b' ', msg @ ..]) => message.msg = message_text(msg),
        Ok(_) => {
            message.sd = None;
            message.msg = message_text(rest);
            message.error = Some("structured data: expected a space after it");
        }
        Err(reason) => {
            message.sd = None;
            message.msg = message_text(rest);
            message.error = Some(reason);
        }
    }
}

/// SD-NAME: 1 to 32 printable US-ASCII characters except `=`, SP, `]`, `"`.
fn sd_name(rest: &[u8]) -> Result<(&str, &[u8]), &'static str> {
    let len = rest
        .iter()
        .position(|&b| !(33..=126).contains(&b) || matches!(b, b'=' | b']' | b'"'))
        .unwrap_or(rest.len());
    if len == 0 || len > 32 {
        return Err("structured data: invalid SD-ID or PARAM-NAME");
    }
    // Printable ASCII is valid UTF-8.
    let name = std::str::from_utf8(&rest[..len]).map_err(|_| "structured data: invalid name")?;
    Ok((name, &rest[len..]))
}

/// `1*SD-ELEMENT`; returns the elements and what follows them.
fn parse_sd(mut rest: &[u8]) -> Result<(Vec<SdElement<'_>>, &[u8]), &'static str> {
    let mut elements: Vec<SdElement<'_>> = Vec::new();
    let mut ids = HashSet::new();
    while let Some(tail) = rest.strip_prefix(b"[") {
        let (id, tail) = sd_name(tail)?;
        if !ids.insert(id) {
            return Err("structured data: repeated SD-ID");
        }
        rest = tail;
        let mut params = Vec::new();
        loop {
            match rest {
                [b']', tail @ ..] => {
                    rest = tail;
                    break;
                }
                [b' ', tail @ ..] => {
                    let (name, tail) = sd_name(tail)?;
                    let tail = tail
                        .strip_prefix(b"=\"")
                        .ok_or("structured data: expected `=\"`")?;
                    let (value, tail) = param_value(tail)?;
                    params.push((Cow::Borrowed(name), value));
                    rest = tail;
                }
                [] => return Err("structured data: unterminated SD-ELEMENT"),
                _ => return Err("structured data: expected a space or `]`"),
            }
        }
        elements.push((Cow::Borrowed(id), params));
    }
    Ok((elements, rest))
}

/// A PARAM-VALUE up to its closing quote, with `\"`, `\\` and `\]` resolved
/// (a backslash before anything else is kept, as RFC 5424 says).
fn param_value(rest: &[u8]) -> Result<(String, &[u8]), &'static str> {
    let mut value = Vec::new();
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'"' => return Ok((String::from_utf8_lossy(&value).into_owned(), &rest[i + 1..])),
            b'\\' if matches!(rest.get(i + 1), Some(b'"' | b'\\' | b']')) => {
                value.push(rest[i + 1]);
                i += 2;
            }
            _ => {
                value.push(b);
                i += 1;
            }
        }
    }
    Err("structured data: unterminated PARAM-VALUE")
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `Mmm dd hh:mm:ss` (day space-padded or two digits).
fn is_bsd_timestamp(t: &[u8]) -> bool {
    let digit = |i: usize| t.get(i).is_some_and(u8::is_ascii_digit);
    t.len() == 15
        && MONTHS.iter().any(|m| &t[..3] == *m)
        && t[3] == b' '
        && (t[4] == b' ' || digit(4))
        && digit(5)
        && t[6] == b' '
        && digit(7)
        && digit(8)
        && t[9] == b':'
        && digit(10)
        && digit(11)
        && t[12] == b':'
        && digit(13)
        && digit(14)
}

/// An RFC 3339 timestamp as rsyslog's high-precision RFC 3164 variant sends.
fn is_iso_timestamp(t: &[u8]) -> bool {
    t.len() >= 19 && t[..4].iter().all(u8::is_ascii_digit) && t[4] == b'-' && t[10] == b'T'
}

/// A parsed TAG: app-name, procid, and the message after it.
type Tag<'a> = (&'a [u8], Option<&'a [u8]>, &'a [u8]);

/// A TAG: `app[pid]:` or `app:`, app up to 48 visible characters.
fn parse_tag(rest: &[u8]) -> Option<Tag<'_>> {
    let end = rest
        .iter()
        .take(49)
        .position(|&b| matches!(b, b'[' | b':' | b' '))?;
    if end == 0
        || !rest[..end]
            .iter()
            .all(|b| b.is_ascii_graphic() || *b >= 0x80)
    {
        return None;
    }
    let app = &rest[..end];
    let (procid, tail) = match rest[end] {
        b'[' => {
            let close = rest[end..].iter().position(|&b| b == b']')? + end;
            let tail = rest[close + 1..].strip_prefix(b":")?;
            (Some(&rest[end + 1..close]), tail)
        }
        b':' => (None, &rest[end + 1..]),
        _ => return None,
    };
    Some((app, procid, tail.strip_prefix(b" ").unwrap_or(tail)))
}

fn parse_3164<'a>(rest: &'a [u8], message: &mut Message<'a>) {
    let mut rest = rest;
    if rest.len() >= 16 && is_bsd_timestamp(&rest[..15]) && rest[15] == b' ' {
        message.timestamp = Some(text(&rest[..15]));
        rest = &rest[16..];
    } else if let Some((t, tail)) = token(rest).filter(|(t, _)| is_iso_timestamp(t)) {
        message.timestamp = Some(text(t));
        rest = tail;
    }
    if message.timestamp.is_some() {
        // HOSTNAME, unless the next token is already the TAG.
        if let Some((host, tail)) = token(rest) {
            let is_tag = host.ends_with(b":") || host.contains(&b'[');
            if !host.is_empty() && !is_tag {
                message.hostname = Some(text(host));
                rest = tail;
            }
        }
    }
    if let Some((app, procid, tail)) = parse_tag(rest) {
        message.app_name = Some(text(app));
        message.procid = procid.map(text);
        rest = tail;
    }
    message.msg = message_text(rest);
}

// === impl Message ===

impl Message<'_> {
    /// Appends the message as one JSON line:
    /// `{"syslog":{"transport":…,"peer":…,"format":…,"pri":…,…}}\n`.
    pub(crate) fn write_json(&self, transport: &str, peer: Option<SocketAddr>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"syslog\":{\"transport\":");
        write_str(out, transport);
        out.extend_from_slice(b",\"peer\":");
        write_opt_str(out, peer.map(|p| p.to_string()).as_deref());
        out.extend_from_slice(b",\"format\":");
        write_str(
            out,
            match self.format {
                Format::Rfc5424 => "rfc5424",
                Format::Rfc3164 => "rfc3164",
                Format::Unknown => "unknown",
            },
        );
        out.extend_from_slice(b",\"pri\":");
        write_opt_int(out, self.pri);
        out.extend_from_slice(b",\"facility\":");
        write_opt_int(out, self.pri.map(|p| p >> 3));
        out.extend_from_slice(b",\"severity\":");
        write_opt_int(out, self.pri.map(|p| p & 7));
        out.extend_from_slice(b",\"version\":");
        write_opt_int(out, self.version);
        for (key, value) in [
            ("timestamp", &self.timestamp),
            ("hostname", &self.hostname),
            ("app_name", &self.app_name),
            ("procid", &self.procid),
            ("msgid", &self.msgid),
        ] {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":");
            write_opt_str(out, value.as_deref());
        }
        out.extend_from_slice(b",\"sd\":");
        match &self.sd {
            None => out.extend_from_slice(b"null"),
            Some(elements) => write_sd(elements, out),
        }
        out.extend_from_slice(b",\"msg\":");
        write_opt_str(out, self.msg.as_deref());
        if let Some(error) = self.error {
            out.extend_from_slice(b",\"error\":");
            write_str(out, error);
        }
        out.extend_from_slice(b"}}\n");
    }
}

/// `{"id@1":{"k":"v","repeated":["a","b"]}}`: a PARAM-NAME that repeats
/// within its element becomes an array of its values, in order.
fn write_sd(elements: &[SdElement<'_>], out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (id, params)) in elements.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, id);
        out.extend_from_slice(b":{");
        // Group repeated names, in order of first appearance.
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
        for (name, value) in params {
            match index.get(name.as_ref()) {
                Some(&at) => grouped[at].1.push(value),
                None => {
                    index.insert(name, grouped.len());
                    grouped.push((name, vec![value]));
                }
            }
        }
        for (j, (name, values)) in grouped.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            write_str(out, name);
            out.push(b':');
            match values.as_slice() {
                [value] => write_str(out, value),
                values => {
                    out.push(b'[');
                    for (k, value) in values.iter().enumerate() {
                        if k > 0 {
                            out.push(b',');
                        }
                        write_str(out, value);
                    }
                    out.push(b']');
                }
            }
        }
        out.push(b'}');
    }
    out.push(b'}');
}

/// The JSON line of one frame, parsed back (for tests).
#[cfg(test)]
pub(crate) fn to_json(frame: &[u8]) -> serde_json::Value {
    let mut out = Vec::new();
    parse(frame).write_json("test", None, &mut out);
    assert_eq!(out.last(), Some(&b'\n'));
    serde_json::from_slice(&out).unwrap()
}

/// The JSON object of one frame as the listeners write it, without the
/// transport and peer; `Value::Null` if it could not be read back (never,
/// unless the writer is broken).
pub(crate) fn to_value(frame: &[u8]) -> serde_json::Value {
    let mut out = Vec::new();
    parse(frame).write_json("parsed", None, &mut out);
    let mut value: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
    match value.get_mut("syslog").map(serde_json::Value::take) {
        Some(mut inner) => {
            if let Some(object) = inner.as_object_mut() {
                object.remove("transport");
                object.remove("peer");
            }
            inner
        }
        None => value,
    }
}
