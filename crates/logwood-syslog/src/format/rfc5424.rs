//! RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`.

use std::ops::Range;
use std::time::SystemTime;

use logwood_core::__private::{EventFields, RFC3339_LEN, Record, SdParams, rfc3339_micros};

use super::escape;

/// HOSTNAME is at most 255 characters (RFC 5424 section 6).
pub(crate) const HOSTNAME_MAX: usize = 255;
/// APP-NAME is at most 48 characters.
pub(crate) const APP_NAME_MAX: usize = 48;
/// PROCID is at most 128 characters.
pub(crate) const PROCID_MAX: usize = 128;
/// MSGID is at most 32 characters.
pub(crate) const MSGID_MAX: usize = 32;

/// The part of the header that never changes: ` HOSTNAME APP-NAME PROCID `
/// (with the spaces around it).
pub(crate) fn fixed_header(hostname: &str, app_name: &str, procid: &str) -> Box<[u8]> {
    let mut out = vec![b' '];
    escape::header_field(&mut out, hostname, HOSTNAME_MAX);
    out.push(b' ');
    escape::header_field(&mut out, app_name, APP_NAME_MAX);
    out.push(b' ');
    escape::header_field(&mut out, procid, PROCID_MAX);
    out.push(b' ');
    out.into()
}

/// `<PRI>1 ` for `pri`.
pub(crate) fn pri_version(pri: u8) -> Box<[u8]> {
    format!("<{pri}>1 ").into_bytes().into()
}

/// Writes the header up to and including the space after MSGID:
/// `<PRI>1 2026-11-20T03:44:21.221232Z host app 123 MSGID `.
pub(crate) fn write_header(
    out: &mut Vec<u8>,
    pri_version: &[u8],
    time: SystemTime,
    fixed: &[u8],
    msgid: Option<&str>,
) {
    out.extend_from_slice(pri_version);
    let mut ts = [0; RFC3339_LEN];
    out.extend_from_slice(rfc3339_micros(time, &mut ts).as_bytes());
    out.extend_from_slice(fixed);
    escape::header_field(out, msgid.unwrap_or(""), MSGID_MAX);
    out.push(b' ');
}

/// Writes the event's fields as the element `[SD-ID NAME="VALUE" …]`, in
/// the order and with the conflict rule of core's flat walk, leaving out
/// the field that became MSGID; nothing when no field is left.
pub(crate) fn write_fields_element(
    out: &mut Vec<u8>,
    sd: &mut SdWriter,
    sd_id: &str,
    msgid_field: &str,
    fields: &mut EventFields,
) {
    sd.begin(out, sd_id);
    fields.for_each_kept(|head, name, value| {
        if head.is_empty() && name == msgid_field {
            return;
        }
        SdWriter::param(out, &[head, name], value);
    });
    sd.end(out, sd_id.len());
}

/// Writes the context as the element `[CTX-ID NAME="VALUE" …]`:
/// `runtime.*` and `system.*` (when the layer writes them), then the static
/// context with the span context merged on top, each leaf under its dotted
/// path; nothing when there is no context. Returns where the element is
/// (empty when it was not written). `path` is a reused buffer.
pub(crate) fn write_context_element(
    out: &mut Vec<u8>,
    sd: &mut SdWriter,
    ctx_id: &str,
    record: &Record<'_>,
    path: &mut String,
) -> Range<usize> {
    let start = out.len();
    sd.begin(out, ctx_id);
    record.write_metadata_flat::<SdParams>(out);
    record.write_context_flat::<SdParams>(out, path);
    if sd.end(out, ctx_id.len()) {
        start..out.len()
    } else {
        start..start
    }
}

/// Builds STRUCTURED-DATA elements, one at a time.
#[derive(Debug)]
pub(crate) struct SdWriter {
    /// Where the current element started (`None`: no element open).
    open: Option<usize>,
    /// Whether any element was written.
    any: bool,
}

// === impl SdWriter ===

impl SdWriter {
    pub(crate) fn new() -> Self {
        Self {
            open: None,
            any: false,
        }
    }

    /// Starts an element `[SD-ID`; it is dropped again by
    /// [`end`](Self::end) if it gets no parameter.
    pub(crate) fn begin(&mut self, out: &mut Vec<u8>, sd_id: &str) {
        self.open = Some(out.len());
        out.push(b'[');
        out.extend_from_slice(sd_id.as_bytes());
    }

    /// Writes ` NAME="VALUE"` with `value` already in plain text.
    pub(crate) fn param(out: &mut Vec<u8>, name: &[&str], value: &[u8]) {
        out.push(b' ');
        escape::sd_param_name(out, name);
        out.extend_from_slice(b"=\"");
        escape::sd_param_value(out, value);
        out.push(b'"');
    }

    /// Writes ` NAME="VALUE"` for a leaf of the record's context.
    #[cfg(test)]
    pub(crate) fn leaf(out: &mut Vec<u8>, path: &str, leaf: logwood_core::__private::Leaf<'_>) {
        <SdParams as logwood_core::__private::Flat>::leaf(out, path, leaf);
    }

    /// Closes the element, or removes it when it has no parameter; returns
    /// whether it was written.
    pub(crate) fn end(&mut self, out: &mut Vec<u8>, sd_id_len: usize) -> bool {
        let Some(start) = self.open.take() else {
            return false;
        };
        if out.len() == start + 1 + sd_id_len {
            out.truncate(start);
            false
        } else {
            out.push(b']');
            self.any = true;
            true
        }
    }

    /// Writes the NILVALUE when no element was written.
    pub(crate) fn finish(self, out: &mut Vec<u8>) {
        if !self.any {
            out.push(b'-');
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use logwood_core::__private::Leaf;
    use logwood_core::Value;

    use super::*;

    #[test]
    fn header_has_microseconds_zulu_and_cut_fields() {
        let time = UNIX_EPOCH + Duration::from_micros(1_763_610_261_221_232);
        let fixed = fixed_header(&"h".repeat(300), "my app", "4321");
        let mut out = Vec::new();
        write_header(&mut out, &pri_version(134), time, &fixed, Some("ORDER"));
        let text = String::from_utf8(out).unwrap();
        let expected = format!(
            "<134>1 2025-11-20T03:44:21.221232Z {} my_app 4321 ORDER ",
            "h".repeat(255)
        );
        assert_eq!(text, expected);

        let mut out = Vec::new();
        write_header(
            &mut out,
            &pri_version(11),
            time,
            &fixed,
            Some(&"M".repeat(40)),
        );
        assert!(
            String::from_utf8(out)
                .unwrap()
                .ends_with(&format!(" {} ", "M".repeat(32)))
        );
    }

    #[test]
    fn empty_elements_vanish_and_no_element_is_nil() {
        let mut out = Vec::new();
        let mut sd = SdWriter::new();
        sd.begin(&mut out, "logwood@32473");
        assert!(!sd.end(&mut out, "logwood@32473".len()));
        sd.begin(&mut out, "ctx@32473");
        SdWriter::leaf(&mut out, "user.id", Leaf::Value(&Value::U64(42)));
        SdWriter::leaf(&mut out, "f", Leaf::Value(&Value::F64(f64::NAN)));
        SdWriter::param(&mut out, &["q"], b"a\"]");
        assert!(sd.end(&mut out, "ctx@32473".len()));
        sd.finish(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"[ctx@32473 user.id="42" f="NaN" q="a\"\]"]"#
        );
        let mut out = Vec::new();
        SdWriter::new().finish(&mut out);
        assert_eq!(out, b"-");
    }
}
