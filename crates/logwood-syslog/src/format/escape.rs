//! Escaping and sanitising: header fields, SD-PARAM names and values, and
//! cutting on UTF-8 boundaries. (`key=value` text, for RFC 3164, is core's
//! one rule set: `logwood_core::__private::kv`.)

/// Longest SD-NAME (SD-ID or PARAM-NAME), RFC 5424 section 6.3.
pub(crate) const SD_NAME_MAX: usize = 32;

/// How many characters of a long PARAM-NAME are kept before `~` and the
/// 8-digit hash: 23 + 1 + 8 = 32.
const SD_NAME_KEEP: usize = SD_NAME_MAX - 9;

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

/// Which bytes may stand in an SD-NAME: PRINTUSASCII except `=`, SP, `]`, `"`.
const SD_NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 33;
    while b <= 126 {
        table[b] = !matches!(b as u8, b'=' | b']' | b'"');
        b += 1;
    }
    table
};

/// Which bytes a PARAM-VALUE escapes: `"`, `\`, `]`.
const SD_VALUE_ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// Whether `b` may stand in an SD-NAME.
fn sd_name_byte(b: u8) -> bool {
    SD_NAME_BYTES[usize::from(b)]
}

/// Whether `name` is a valid SD-NAME as it is (1 to 32 allowed bytes).
pub(crate) fn is_sd_name(name: &str) -> bool {
    (1..=SD_NAME_MAX).contains(&name.len()) && name.bytes().all(sd_name_byte)
}

/// FNV-1a, 32 bits: a stable hash for cut names.
fn fnv1a(parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in parts.iter().flat_map(|p| p.bytes()) {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Writes the PARAM-NAME for the field name made of `parts` (concatenated):
/// each character that may not stand in an SD-NAME (`=`, SP, `]`, `"`,
/// control and non-ASCII characters) becomes one `_`; an empty name is `_`;
/// a name longer than 32 characters is cut to its first 23, then `~` and
/// 8 hex digits of a hash of the whole name (so two long names that share
/// their start stay distinct).
pub(crate) fn sd_param_name(out: &mut Vec<u8>, parts: &[&str]) {
    // Fast path: a short name of allowed ASCII bytes is copied as it is
    // (copied first, checked while at it, taken back otherwise).
    let start = out.len();
    let mut allowed = true;
    for part in parts {
        let bytes = part.as_bytes();
        allowed &= bytes.iter().all(|&b| sd_name_byte(b));
        out.extend_from_slice(bytes);
    }
    if allowed && (1..=SD_NAME_MAX).contains(&(out.len() - start)) {
        return;
    }
    out.truncate(start);
    let count: usize = parts.iter().map(|p| p.chars().count()).sum();
    let keep = if count > SD_NAME_MAX {
        SD_NAME_KEEP
    } else {
        count
    };
    for c in parts.iter().flat_map(|p| p.chars()).take(keep) {
        let b = u8::try_from(c).unwrap_or(b'_');
        out.push(if sd_name_byte(b) { b } else { b'_' });
    }
    if count > SD_NAME_MAX {
        out.push(b'~');
        let h = fnv1a(parts);
        for shift in (0..8).rev() {
            out.push(b"0123456789abcdef"[((h >> (shift * 4)) & 0xf) as usize]);
        }
    }
    if out.len() == start {
        out.push(b'_');
    }
}

/// Writes `value` as an SD PARAM-VALUE (without the quotes): `"`, `\` and
/// `]` are escaped with a backslash, everything else (UTF-8, newlines) is
/// kept (RFC 5424 section 6.3.3).
pub(crate) fn sd_param_value(out: &mut Vec<u8>, value: &[u8]) {
    let mut rest = value;
    while let Some(i) = rest.iter().position(|&b| SD_VALUE_ESCAPED[usize::from(b)]) {
        out.extend_from_slice(&rest[..i]);
        out.push(b'\\');
        out.push(rest[i]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

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
