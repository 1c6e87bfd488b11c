//! Escaping and sanitising: header fields, SD-PARAM names and values, and
//! cutting on UTF-8 boundaries. (`key=value` text, for RFC 3164, is core's
//! one rule set: `logwood_core::__private::kv`.)

/// Whether `b` is PRINTUSASCII (`%d33-126`).
fn printable(b: u8) -> bool {
    (33..=126).contains(&b)
}

/// Writes `value` as an RFC 5424 header field (HOSTNAME, APP-NAME, PROCID,
/// MSGID): each character outside PRINTUSASCII (space, control, non-ASCII)
/// becomes one `_`, then the text is cut to `max` characters; empty is the
/// NILVALUE `-`.
pub(crate) fn header_field(out: &mut Vec<u8>, value: &str, max: usize) {
    header_field_with(out, value, max, |_| false);
}

/// As [`header_field`], also replacing the bytes `extra` selects (RFC 3164
/// TAG: `[`, `]`, `:`, which end the TAG in receivers).
pub(crate) fn header_field_with(
    out: &mut Vec<u8>,
    value: &str,
    max: usize,
    extra: impl Fn(u8) -> bool,
) {
    let start = out.len();
    for c in value.chars().take(max) {
        let b = u8::try_from(c).unwrap_or(b'_');
        out.push(if printable(b) && !extra(b) { b } else { b'_' });
    }
    if out.len() == start {
        out.push(b'-');
    }
}

pub(crate) use logwood_core::__private::sd::{
    is_sd_name, param_name as sd_param_name, param_value as sd_param_value,
};

/// The largest length `<= max` at which `bytes` can be cut without
/// splitting a UTF-8 character.
pub(crate) fn utf8_floor(bytes: &[u8], max: usize) -> usize {
    if max >= bytes.len() {
        return bytes.len();
    }
    let mut cut = max;
    // Step back over continuation bytes (0b10xx_xxxx), at most 3.
    while cut > 0 && max - cut < 4 && bytes[cut] & 0xc0 == 0x80 {
        cut -= 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn header_fields_are_printable_ascii_cut_to_the_limit_or_nil() {
        assert_eq!(s(|o| header_field(o, "web-1", 255)), "web-1");
        assert_eq!(s(|o| header_field(o, "my app\té", 48)), "my_app__");
        assert_eq!(s(|o| header_field(o, "", 48)), "-");
        assert_eq!(s(|o| header_field(o, &"a".repeat(60), 48)).len(), 48);
        assert_eq!(s(|o| header_field(o, &"日".repeat(40), 32)), "_".repeat(32));
        assert_eq!(
            s(|o| header_field_with(o, "a[1]:b", 32, |b| b"[]:".contains(&b))),
            "a_1__b"
        );
    }

    #[test]
    fn param_names_are_sanitised_and_long_ones_cut_with_a_hash() {
        assert_eq!(s(|o| sd_param_name(o, &["order.id"])), "order.id");
        assert_eq!(s(|o| sd_param_name(o, &["_", "level"])), "_level");
        assert_eq!(s(|o| sd_param_name(o, &["a b=c]d\"é"])), "a_b_c_d__");
        assert_eq!(s(|o| sd_param_name(o, &[""])), "_");
        let long = "a".repeat(40);
        let cut = s(|o| sd_param_name(o, &[&long]));
        assert_eq!(cut.len(), 32);
        assert!(cut.starts_with(&"a".repeat(23)) && cut.as_bytes()[23] == b'~');
        let other = s(|o| sd_param_name(o, &[&"a".repeat(41)]));
        assert_ne!(cut, other, "long names sharing a start stay distinct");
        assert!(is_sd_name(&cut) && is_sd_name(&other));
        // Exactly 32 characters are kept whole.
        assert_eq!(s(|o| sd_param_name(o, &[&"b".repeat(32)])), "b".repeat(32));
    }

    #[test]
    fn param_values_escape_quote_backslash_and_bracket_only() {
        assert_eq!(
            s(|o| sd_param_value(o, "a \"q\" \\ ] é\nx".as_bytes())),
            "a \\\"q\\\" \\\\ \\] é\nx"
        );
        assert_eq!(s(|o| sd_param_value(o, b"plain")), "plain");
    }

    #[test]
    fn utf8_floor_never_splits_a_character() {
        let text = "aé€😀".as_bytes(); // 1 + 2 + 3 + 4 bytes
        let cuts: Vec<usize> = (0..=text.len()).map(|m| utf8_floor(text, m)).collect();
        assert_eq!(cuts, vec![0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10]);
        for (max, cut) in cuts.iter().enumerate() {
            assert!(*cut <= max);
            assert!(std::str::from_utf8(&text[..*cut]).is_ok());
        }
        assert_eq!(utf8_floor(b"abc", 10), 3);
    }
}
