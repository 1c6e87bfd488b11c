//! RFC 5424 STRUCTURED-DATA parameters: PARAM-NAMEs sanitised (long ones
//! cut with a hash suffix) and PARAM-VALUEs escaped, for the syslog layer
//! and the flat context cache.

/// Longest SD-NAME (SD-ID or PARAM-NAME), RFC 5424 section 6.3.
pub const SD_NAME_MAX: usize = 32;

/// How many characters of a long PARAM-NAME are kept before `~` and the
/// 8-digit hash: 23 + 1 + 8 = 32.
const SD_NAME_KEEP: usize = SD_NAME_MAX - 9;

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
pub fn is_sd_name(name: &str) -> bool {
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
pub fn param_name(out: &mut Vec<u8>, parts: &[&str]) {
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
pub fn param_value(out: &mut Vec<u8>, value: &[u8]) {
    let mut rest = value;
    while let Some(i) = rest.iter().position(|&b| SD_VALUE_ESCAPED[usize::from(b)]) {
        out.extend_from_slice(&rest[..i]);
        out.push(b'\\');
        out.push(rest[i]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
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
    fn names_are_sanitised_and_long_ones_cut_with_a_hash() {
        assert_eq!(s(|o| param_name(o, &["order.id"])), "order.id");
        assert_eq!(s(|o| param_name(o, &["a b=c]d\"é"])), "a_b_c_d__");
        assert_eq!(s(|o| param_name(o, &[""])), "_");
        let cut = s(|o| param_name(o, &[&"a".repeat(40)]));
        assert_eq!(cut.len(), 32);
        assert!(is_sd_name(&cut));
    }

    #[test]
    fn values_escape_quote_backslash_and_bracket_only() {
        assert_eq!(
            s(|o| param_value(o, "a \"q\" \\ ] é\nx".as_bytes())),
            "a \\\"q\\\" \\\\ \\] é\nx"
        );
    }
}
