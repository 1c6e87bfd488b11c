//! The text of a server's error answer, for reports (stderr, `on_error`):
//! OTLP's `google.rpc.Status` message when the body is one in protobuf
//! (what OTLP/HTTP servers answer a protobuf request with), the body as
//! text otherwise; control characters escaped either way (`\n`,
//! `\u{1b}`), so that a report stays one line and a server cannot write
//! terminal escape sequences into the application's stderr.

/// `google.rpc.Status`, as far as a report reads it.
#[derive(Clone, PartialEq, prost::Message)]
struct Status {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// At most `max` characters of the server's text in `body`, trimmed.
pub(crate) fn text(body: &[u8], max: usize) -> String {
    let lossy = String::from_utf8_lossy(body);
    let binary = lossy
        .trim()
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    let status = binary
        .then(|| <Status as prost::Message>::decode(body).ok())
        .flatten()
        .map(|s| s.message)
        .filter(|m| !m.trim().is_empty());
    let raw = status.as_deref().unwrap_or(&lossy).trim();
    let mut out = String::with_capacity(raw.len().min(max));
    for c in raw.chars().take(max) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_and_control_characters_are_escaped() {
        assert_eq!(text(b" {\"error\":\"bad\"}\n", 300), "{\"error\":\"bad\"}");
        assert_eq!(
            text(b"line 1\nline 2\t\x1b[31mred\x1b[0m", 300),
            "line 1\\nline 2\\t\\u{1b}[31mred\\u{1b}[0m"
        );
        assert_eq!(text("é€日本".as_bytes(), 3), "é€日");
        assert_eq!(text(b"\xff\xfe", 300), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn a_protobuf_status_is_reported_by_its_message() {
        let body = prost::Message::encode_to_vec(&Status {
            code: 16,
            message: "missing or wrong bearer token\n".into(),
        });
        assert_eq!(text(&body, 300), "missing or wrong bearer token");
        // Bytes that are no Status are escaped as they are.
        assert_eq!(text(b"\x08\xff\x12", 300), "\\u{8}\u{fffd}\\u{12}");
    }
}
