//! Python's `%` conversions (`printf` modifiers) on strings, integers and
//! floats, as `str.__mod__` applies them (CPython's
//! `unicode_format_arg_output`): flags `-`, `0`, `+`, ` `, `#`, a width and
//! a precision.
//!
//! Everything writes into caller-owned buffers: no allocation once they
//! have grown.

use std::fmt::{self, Write as _};

/// A conversion character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Conv {
    /// `s`: `str()`.
    #[default]
    Str,
    /// `r`: `repr()`.
    Repr,
    /// `a`: `ascii()`.
    Ascii,
    /// `d`, `i`, `u`: decimal integer.
    Dec,
    /// `o`: octal.
    Oct,
    /// `x`.
    Hex,
    /// `X`.
    HexUpper,
    /// `f`.
    Fixed,
    /// `F`.
    FixedUpper,
    /// `e`.
    Exp,
    /// `E`.
    ExpUpper,
    /// `g`.
    General,
    /// `G`.
    GeneralUpper,
}

impl Conv {
    /// The conversion of a character, if Python has it (`c` aside).
    pub(crate) fn from_char(c: char) -> Option<Conv> {
        Some(match c {
            's' => Conv::Str,
            'r' => Conv::Repr,
            'a' => Conv::Ascii,
            'd' | 'i' | 'u' => Conv::Dec,
            'o' => Conv::Oct,
            'x' => Conv::Hex,
            'X' => Conv::HexUpper,
            'f' => Conv::Fixed,
            'F' => Conv::FixedUpper,
            'e' => Conv::Exp,
            'E' => Conv::ExpUpper,
            'g' => Conv::General,
            'G' => Conv::GeneralUpper,
            _ => return None,
        })
    }

    /// Whether this conversion turns the value into text (`s`, `r`, `a`).
    pub(crate) fn is_text(self) -> bool {
        matches!(self, Conv::Str | Conv::Repr | Conv::Ascii)
    }

    /// Whether this conversion needs an integer (`o`, `x`, `X`).
    pub(crate) fn needs_integer(self) -> bool {
        matches!(self, Conv::Oct | Conv::Hex | Conv::HexUpper)
    }
}

/// One directive's modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Spec {
    /// `-`: left-justify.
    pub(crate) left: bool,
    /// `0`: pad numbers with zeros.
    pub(crate) zero: bool,
    /// `+`: a sign on positive numbers.
    pub(crate) plus: bool,
    /// ` `: a space on positive numbers.
    pub(crate) space: bool,
    /// `#`: the alternate form.
    pub(crate) alt: bool,
    /// The minimum width in characters.
    pub(crate) width: usize,
    /// The precision.
    pub(crate) precision: Option<usize>,
    /// The conversion.
    pub(crate) conv: Conv,
}

impl Spec {
    /// Whether the value's text is written as is (`%(x)s`: no width,
    /// no precision).
    pub(crate) fn is_plain_text(&self) -> bool {
        self.conv == Conv::Str && self.width == 0 && self.precision.is_none()
    }
}

/// `fmt::Write` into a byte buffer.
pub(crate) struct VecWriter<'a>(pub(crate) &'a mut Vec<u8>);

impl fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// `fmt::Write` into a fixed stack buffer (for short numbers).
struct StackWriter {
    buf: [u8; 40],
    len: usize,
}

impl StackWriter {
    fn new() -> Self {
        Self {
            buf: [0; 40],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Write for StackWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn char_count(bytes: &[u8]) -> usize {
    // UTF-8: count the bytes that start a character.
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Byte length of the first `n` characters of `bytes`.
fn chars_prefix_len(bytes: &[u8], n: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if (b as i8) >= -0x40 {
            if seen == n {
                return i;
            }
            seen += 1;
        }
    }
    bytes.len()
}

/// Inserts `n` spaces at `at`.
fn insert_spaces(out: &mut Vec<u8>, at: usize, n: usize) {
    let len = out.len();
    out.resize(len + n, b' ');
    out.copy_within(at..len, at + n);
    out[at..at + n].fill(b' ');
}

/// Applies a text directive to the `str()` of a value, already written at
/// `out[start..]`: `repr()` / `ascii()`, the precision (a maximum number of
/// characters) and the width (padding with spaces; `0` is ignored for text,
/// as in Python).
#[inline]
pub(crate) fn finish_text(out: &mut Vec<u8>, start: usize, spec: &Spec, tmp: &mut Vec<u8>) {
    if spec.is_plain_text() {
        return;
    }
    finish_text_slow(out, start, spec, tmp);
}

fn finish_text_slow(out: &mut Vec<u8>, start: usize, spec: &Spec, tmp: &mut Vec<u8>) {
    if matches!(spec.conv, Conv::Repr | Conv::Ascii) {
        tmp.clear();
        tmp.extend_from_slice(&out[start..]);
        out.truncate(start);
        let text = std::str::from_utf8(tmp).unwrap_or("");
        write_repr(out, text, spec.conv == Conv::Ascii);
    }
    if let Some(precision) = spec.precision {
        let keep = chars_prefix_len(&out[start..], precision);
        out.truncate(start + keep);
    }
    let chars = char_count(&out[start..]);
    if spec.width > chars {
        let pad = spec.width - chars;
        if spec.left {
            out.resize(out.len() + pad, b' ');
        } else {
            insert_spaces(out, start, pad);
        }
    }
}

/// Whether Python's `str.isprintable()` holds for `c` (Unicode categories
/// other than Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs-but-space), read from the
/// same classification Rust's `escape_debug` uses.
fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    // `str::escape_debug` escapes a non-printable character after the first
    // one, and leaves a printable one (grapheme extenders included) alone.
    let mut buf = [0u8; 5];
    buf[0] = b'a';
    let len = 1 + c.encode_utf8(&mut buf[1..]).len();
    let Ok(s) = std::str::from_utf8(&buf[..len]) else {
        return false;
    };
    s.escape_debug().nth(1) != Some('\\')
}

/// Writes Python's `repr(text)` (or `ascii(text)`).
pub(crate) fn write_repr(out: &mut Vec<u8>, text: &str, ascii: bool) {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut w = VecWriter(out);
    w.0.push(quote as u8);
    for c in text.chars() {
        let r = match c {
            '\\' => w.write_str("\\\\"),
            '\t' => w.write_str("\\t"),
            '\n' => w.write_str("\\n"),
            '\r' => w.write_str("\\r"),
            c if c == quote => write!(w, "\\{c}"),
            c if c.is_ascii() && !c.is_ascii_control() => w.write_char(c),
            c if !ascii && !c.is_ascii() && is_printable(c) => w.write_char(c),
            c if (c as u32) < 0x100 => write!(w, "\\x{:02x}", c as u32),
            c if (c as u32) < 0x10000 => write!(w, "\\u{:04x}", c as u32),
            c => write!(w, "\\U{:08x}", c as u32),
        };
        r.ok();
    }
    w.0.push(quote as u8);
}

/// Writes a number's sign, prefix and body with the width, the `-` and `0`
/// flags, as CPython does.
fn pad_number(out: &mut Vec<u8>, spec: &Spec, negative: bool, prefix: &[u8], body: &[u8]) {
    let sign: &[u8] = if negative {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    };
    let len = sign.len() + prefix.len() + body.len();
    let pad = spec.width.saturating_sub(len);
    if spec.left {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + pad, b' ');
    } else if spec.zero {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.resize(out.len() + pad, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(out.len() + pad, b' ');
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

/// Writes an integer attribute with `spec`.
pub(crate) fn write_int(out: &mut Vec<u8>, spec: &Spec, v: i128, tmp: &mut Vec<u8>) {
    if matches!(spec.conv, Conv::Dec | Conv::Str)
        && !spec.plus
        && !spec.space
        && spec.width == 0
        && spec.precision.is_none()
    {
        // `%d` and `%s` without modifiers: the digits.
        let mut buf = itoa::Buffer::new();
        let digits = match i64::try_from(v) {
            Ok(v) => buf.format(v),
            Err(_) => buf.format(v),
        };
        out.extend_from_slice(digits.as_bytes());
        return;
    }
    match spec.conv {
        Conv::Str | Conv::Repr | Conv::Ascii => {
            let start = out.len();
            out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
            // A number's `repr()` and `ascii()` are its `str()`.
            let spec = Spec {
                conv: Conv::Str,
                ..*spec
            };
            finish_text(out, start, &spec, tmp);
        }
        Conv::Dec | Conv::Oct | Conv::Hex | Conv::HexUpper => {
            let magnitude = v.unsigned_abs();
            let mut digits = StackWriter::new();
            let mut decimal = itoa::Buffer::new();
            let (prefix, digits): (&[u8], &[u8]) = match spec.conv {
                Conv::Oct => {
                    write!(digits, "{magnitude:o}").ok();
                    (b"0o", digits.as_bytes())
                }
                Conv::Hex => {
                    write!(digits, "{magnitude:x}").ok();
                    (b"0x", digits.as_bytes())
                }
                Conv::HexUpper => {
                    write!(digits, "{magnitude:X}").ok();
                    (b"0X", digits.as_bytes())
                }
                _ => (b"", decimal.format(magnitude).as_bytes()),
            };
            let prefix = if spec.alt { prefix } else { b"" };
            tmp.clear();
            let zeros = spec.precision.unwrap_or(0).saturating_sub(digits.len());
            tmp.resize(zeros, b'0');
            tmp.extend_from_slice(digits);
            pad_number(out, spec, v < 0, prefix, tmp);
        }
        _ => write_float(out, spec, v as f64, tmp),
    }
}

/// Writes a float attribute with `spec`.
pub(crate) fn write_float(out: &mut Vec<u8>, spec: &Spec, v: f64, tmp: &mut Vec<u8>) {
    match spec.conv {
        Conv::Str | Conv::Repr | Conv::Ascii => {
            let start = out.len();
            write_float_repr(out, v);
            let spec = Spec {
                conv: Conv::Str,
                ..*spec
            };
            finish_text(out, start, &spec, tmp);
        }
        // `%d` truncates a float like `int()`; `o`, `x`, `X` are refused at
        // build time (Python raises `TypeError`), and would truncate too.
        Conv::Dec | Conv::Oct | Conv::Hex | Conv::HexUpper => {
            let int = if v.is_finite() { v.trunc() as i128 } else { 0 };
            write_int(out, spec, int, tmp);
        }
        conv => {
            let upper = matches!(conv, Conv::FixedUpper | Conv::ExpUpper | Conv::GeneralUpper);
            tmp.clear();
            if !v.is_finite() {
                let text: &[u8] = match (v.is_nan(), upper) {
                    (true, false) => b"nan",
                    (true, true) => b"NAN",
                    (false, false) => b"inf",
                    (false, true) => b"INF",
                };
                // Python pads non-finite values with spaces, never zeros.
                let spec = Spec {
                    zero: false,
                    ..*spec
                };
                pad_number(out, &spec, v.is_sign_negative() && !v.is_nan(), b"", text);
                return;
            }
            let precision = spec.precision.unwrap_or(6);
            let abs = v.abs();
            match conv {
                Conv::Fixed | Conv::FixedUpper => {
                    if !write_fixed_exact(tmp, abs, precision) {
                        write!(VecWriter(tmp), "{abs:.precision$}").ok();
                    }
                    if spec.alt && precision == 0 {
                        tmp.push(b'.');
                    }
                }
                Conv::Exp | Conv::ExpUpper => write_exp(tmp, abs, precision, spec.alt, upper),
                _ => write_general(tmp, abs, precision, spec.alt, upper),
            }
            pad_number(out, spec, v.is_sign_negative(), b"", tmp);
        }
    }
}

/// `%.<precision>f` of a non-negative finite value, correctly rounded
/// (half to even on exact ties, as Python and `core::fmt` round), with
/// 128-bit integer arithmetic: `abs` is `m * 2^e` exactly, so
/// `abs * 10^precision` is `m * 10^precision` shifted by `e`. Returns
/// `false` (writing nothing) when the numbers do not fit; the caller then
/// uses `core::fmt`.
fn write_fixed_exact(out: &mut Vec<u8>, abs: f64, precision: usize) -> bool {
    if precision > 17 || !abs.is_finite() {
        return false;
    }
    let bits = abs.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let pow = 10u128.pow(precision as u32);
    let scaled = if e >= 0 {
        if e > 64 {
            return false;
        }
        match (u128::from(m) << e).checked_mul(pow) {
            Some(v) => v,
            None => return false,
        }
    } else {
        // m < 2^53 and pow < 2^57: q < 2^110.
        let q = u128::from(m) * pow;
        let shift = e.unsigned_abs();
        if shift >= 120 {
            0
        } else {
            let whole = q >> shift;
            let rest = q & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            if rest > half || (rest == half && whole & 1 == 1) {
                whole + 1
            } else {
                whole
            }
        }
    };
    // 64-bit division when it fits (times since the epoch do): much cheaper.
    let (whole, fraction) = match (u64::try_from(scaled), u64::try_from(pow)) {
        (Ok(scaled), Ok(pow)) => (u128::from(scaled / pow), u128::from(scaled % pow)),
        _ => (scaled / pow, scaled % pow),
    };
    let mut buf = itoa::Buffer::new();
    match u64::try_from(whole) {
        Ok(whole) => out.extend_from_slice(buf.format(whole).as_bytes()),
        Err(_) => out.extend_from_slice(buf.format(whole).as_bytes()),
    }
    if precision > 0 {
        out.push(b'.');
        let digits = match u64::try_from(fraction) {
            Ok(fraction) => buf.format(fraction),
            Err(_) => buf.format(fraction),
        }
        .as_bytes();
        out.resize(out.len() + precision - digits.len(), b'0');
        out.extend_from_slice(digits);
    }
    true
}

/// Splits Rust's `{:e}` output (`1.2345e-7`) into mantissa and exponent.
fn split_exp(text: &[u8]) -> (&[u8], i32) {
    match text.iter().position(|&b| b == b'e') {
        Some(at) => {
            let exp = std::str::from_utf8(&text[at + 1..])
                .ok()
                .and_then(|e| e.parse().ok())
                .unwrap_or(0);
            (&text[..at], exp)
        }
        None => (text, 0),
    }
}

/// Python's exponent: `e`, a sign, at least two digits.
fn push_exponent(out: &mut Vec<u8>, exp: i32, upper: bool) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let magnitude = exp.unsigned_abs();
    if magnitude < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(itoa::Buffer::new().format(magnitude).as_bytes());
}

/// `%e` of a non-negative finite value.
fn write_exp(out: &mut Vec<u8>, abs: f64, precision: usize, alt: bool, upper: bool) {
    let start = out.len();
    write!(VecWriter(out), "{abs:.precision$e}").ok();
    let (mantissa_len, exp) = {
        let (mantissa, exp) = split_exp(&out[start..]);
        (mantissa.len(), exp)
    };
    out.truncate(start + mantissa_len);
    if alt && precision == 0 {
        out.push(b'.');
    }
    push_exponent(out, exp, upper);
}

/// `%g` of a non-negative finite value.
fn write_general(out: &mut Vec<u8>, abs: f64, precision: usize, alt: bool, upper: bool) {
    let precision = precision.max(1);
    let start = out.len();
    write!(VecWriter(out), "{:.*e}", precision - 1, abs).ok();
    let (mantissa_len, exp) = {
        let (mantissa, exp) = split_exp(&out[start..]);
        (mantissa.len(), exp)
    };
    if exp < -4 || exp >= precision as i32 {
        let mut keep = mantissa_len;
        if !alt {
            keep = strip_zeros(&out[start..start + keep]);
        } else if precision == 1 {
            // `%#.1g`: `1.e+10`.
            out.truncate(start + keep);
            out.push(b'.');
            keep += 1;
        }
        out.truncate(start + keep);
        push_exponent(out, exp, upper);
    } else {
        out.truncate(start);
        let decimals = (precision as i32 - 1 - exp).max(0) as usize;
        write!(VecWriter(out), "{abs:.decimals$}").ok();
        if !alt {
            let keep = strip_zeros(&out[start..]);
            out.truncate(start + keep);
        } else if decimals == 0 {
            out.push(b'.');
        }
    }
}

/// The length of a decimal without its trailing fractional zeros (and
/// point).
fn strip_zeros(text: &[u8]) -> usize {
    if !text.contains(&b'.') {
        return text.len();
    }
    let mut len = text.len();
    while len > 0 && text[len - 1] == b'0' {
        len -= 1;
    }
    if len > 0 && text[len - 1] == b'.' {
        len -= 1;
    }
    len
}

/// Python's `repr(float)`: the shortest text that reads back as the same
/// float, positional between 1e-4 and 1e16 (with at least one decimal),
/// else in exponent form (`1e+16`, `1.5e-05`).
pub(crate) fn write_float_repr(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_sign_negative() {
        out.push(b'-');
    }
    let abs = v.abs();
    if abs.is_infinite() {
        out.extend_from_slice(b"inf");
        return;
    }
    if abs == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    let mut text = StackWriter::new();
    write!(text, "{abs:e}").ok();
    let (mantissa, exp) = split_exp(text.as_bytes());
    // The significant digits, without the point.
    let mut digits = [0u8; 40];
    let mut n = 0;
    for &b in mantissa {
        if b != b'.' {
            digits[n] = b;
            n += 1;
        }
    }
    let digits = &digits[..n];
    let decpt = exp + 1;
    if !(-3..=16).contains(&decpt) {
        out.push(digits[0]);
        if n > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        push_exponent(out, exp, false);
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + decpt.unsigned_abs() as usize, b'0');
        out.extend_from_slice(digits);
    } else {
        let decpt = decpt as usize;
        if decpt >= n {
            out.extend_from_slice(digits);
            out.resize(out.len() + (decpt - n), b'0');
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits[..decpt]);
            out.push(b'.');
            out.extend_from_slice(&digits[decpt..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(flags: &str, width: usize, precision: Option<usize>, conv: char) -> Spec {
        Spec {
            left: flags.contains('-'),
            zero: flags.contains('0'),
            plus: flags.contains('+'),
            space: flags.contains(' '),
            alt: flags.contains('#'),
            width,
            precision,
            conv: Conv::from_char(conv).unwrap(),
        }
    }

    fn int(s: Spec, v: i128) -> String {
        let mut out = Vec::new();
        write_int(&mut out, &s, v, &mut Vec::new());
        String::from_utf8(out).unwrap()
    }

    fn float(s: Spec, v: f64) -> String {
        let mut out = Vec::new();
        write_float(&mut out, &s, v, &mut Vec::new());
        String::from_utf8(out).unwrap()
    }

    fn text(s: Spec, v: &str) -> String {
        let mut out = b"<".to_vec();
        out.extend_from_slice(v.as_bytes());
        finish_text(&mut out, 1, &s, &mut Vec::new());
        String::from_utf8(out[1..].to_vec()).unwrap()
    }

    // Expected values are what CPython 3.11 prints for the same `%`.
    #[test]
    fn integers_match_python() {
        assert_eq!(int(spec("0", 8, Some(3), 'd'), 5), "00000005");
        assert_eq!(int(spec("-0", 5, None, 'd'), 5), "5    ");
        assert_eq!(int(spec(" ", 0, None, 'd'), 5), " 5");
        assert_eq!(int(spec("+ ", 0, None, 'd'), 5), "+5");
        assert_eq!(int(spec("#", 0, None, 'x'), 255), "0xff");
        assert_eq!(int(spec("#", 0, None, 'o'), 8), "0o10");
        assert_eq!(int(spec("#0", 8, None, 'x'), 255), "0x0000ff");
        assert_eq!(int(spec("-#", 8, None, 'x'), 255), "0xff    ");
        assert_eq!(int(spec("", 0, Some(3), 'x'), 5), "005");
        assert_eq!(int(spec("", 4, None, 'd'), 42), "  42");
        assert_eq!(int(spec("", 0, None, 'f'), 42), "42.000000");
    }

    #[test]
    fn floats_match_python() {
        assert_eq!(float(spec("", 0, Some(0), 'f'), 2.5), "2");
        assert_eq!(float(spec("", 0, Some(1), 'f'), 0.25), "0.2");
        assert_eq!(float(spec("0", 5, Some(1), 'f'), -2.5), "-02.5");
        assert_eq!(float(spec("#", 0, Some(0), 'f'), 3.0), "3.");
        assert_eq!(float(spec("", 0, None, 'e'), 1234.5), "1.234500e+03");
        assert_eq!(float(spec("", 0, None, 'g'), 1234567.0), "1.23457e+06");
        assert_eq!(float(spec("", 0, None, 'g'), 0.0001), "0.0001");
        assert_eq!(float(spec("#", 0, None, 'g'), 1.0), "1.00000");
        assert_eq!(float(spec("", 0, None, 'd'), 3.9), "3");
        assert_eq!(float(spec("", 0, None, 'd'), -3.9), "-3");
        assert_eq!(float(spec("", 0, None, 's'), 1e16), "1e+16");
        assert_eq!(float(spec("", 0, None, 's'), 1.5e-5), "1.5e-05");
        assert_eq!(float(spec("", 0, None, 's'), 896.0), "896.0");
        assert_eq!(
            float(spec("", 0, None, 's'), 1_688_829_185.896),
            "1688829185.896"
        );
        assert_eq!(
            float(spec("", 0, Some(3), 'f'), 1_688_829_185.896),
            "1688829185.896"
        );
    }

    proptest::proptest! {
        #[test]
        fn exact_fixed_matches_core_fmt(bits in proptest::prelude::any::<u64>(), precision in 0usize..18) {
            let v = f64::from_bits(bits).abs();
            let mut ours = Vec::new();
            if write_fixed_exact(&mut ours, v, precision) {
                proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), format!("{v:.precision$}"));
            }
        }

        #[test]
        fn exact_fixed_matches_core_fmt_near_now(
            secs in 0u64..4_102_444_800,
            nanos in 0u64..1_000_000_000,
            precision in 0usize..10,
        ) {
            let v = (secs * 1_000_000_000 + nanos) as f64 / 1e9;
            let mut ours = Vec::new();
            proptest::prop_assert!(write_fixed_exact(&mut ours, v, precision));
            proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), format!("{v:.precision$}"));
        }
    }

    #[test]
    fn exact_fixed_rounds_ties_to_even() {
        for (v, p, expected) in [
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (2.5, 0, "2"),
            (3.5, 0, "4"),
            (5e-324, 3, "0.000"),
        ] {
            let mut out = Vec::new();
            assert!(write_fixed_exact(&mut out, v, p));
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn text_matches_python() {
        assert_eq!(text(spec("0", 5, None, 's'), "ab"), "   ab");
        assert_eq!(text(spec("+", 5, None, 's'), "a"), "    a");
        assert_eq!(text(spec("", 5, Some(2), 's'), "abc"), "   ab");
        assert_eq!(text(spec("-", 8, None, 's'), "INFO"), "INFO    ");
        assert_eq!(text(spec("", 0, None, 'r'), "it's"), "\"it's\"");
        assert_eq!(text(spec("", 0, None, 'r'), "a\"b"), "'a\"b'");
        assert_eq!(
            text(spec("", 0, None, 'a'), "é€😀\u{1}"),
            r"'\xe9\u20ac\U0001f600\x01'"
        );
        assert_eq!(
            text(spec("", 0, None, 'r'), "é\u{85}\u{200b}"),
            r"'é\x85\u200b'"
        );
        // Width counts characters, not bytes.
        assert_eq!(text(spec("", 4, None, 's'), "é"), "   é");
    }
}
