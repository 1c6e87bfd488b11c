//! `dt`: RFC 3339 UTC with microseconds and `Z`.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Timelike};

/// Length of a timestamp: `2026-11-20T03:44:21.221232Z`.
pub const RFC3339_LEN: usize = 27;

thread_local! {
    /// The last second formatted on this thread and its `YYYY-MM-DDTHH:MM:SS.` text.
    static LAST_SECOND: Cell<(u64, [u8; 20])> = const { Cell::new((u64::MAX, [0; 20])) };
}

fn two(out: &mut [u8], v: u32) {
    out[0] = b'0' + (v / 10 % 10) as u8;
    out[1] = b'0' + (v % 10) as u8;
}

fn second_prefix(secs: u64) -> [u8; 20] {
    let mut p = *b"1970-01-01T00:00:00.";
    let Some(dt) = i64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
    else {
        return p;
    };
    let year = dt.year().clamp(0, 9999) as u32;
    p[0] = b'0' + (year / 1000) as u8;
    p[1] = b'0' + (year / 100 % 10) as u8;
    two(&mut p[2..], year % 100);
    two(&mut p[5..], dt.month());
    two(&mut p[8..], dt.day());
    two(&mut p[11..], dt.hour());
    two(&mut p[14..], dt.minute());
    two(&mut p[17..], dt.second());
    p
}

/// Formats `t` as `2026-11-20T03:44:21.221232Z` into `buf` and returns it.
/// Times before 1970 are written as the epoch.
///
/// The date part is cached per thread for the current second.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let t = UNIX_EPOCH + Duration::from_micros(1_763_610_261_221_232);
/// let mut buf = [0; logwood_core::__private::RFC3339_LEN];
/// assert_eq!(logwood_core::__private::rfc3339_micros(t, &mut buf), "2025-11-20T03:44:21.221232Z");
/// ```
pub fn rfc3339_micros(t: SystemTime, buf: &mut [u8; RFC3339_LEN]) -> &str {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let prefix = LAST_SECOND
        .try_with(|last| {
            let (cached, prefix) = last.get();
            if cached == secs {
                prefix
            } else {
                let prefix = second_prefix(secs);
                last.set((secs, prefix));
                prefix
            }
        })
        .unwrap_or_else(|_| second_prefix(secs));
    buf[..20].copy_from_slice(&prefix);
    let mut micros = since.subsec_micros();
    for i in (20..26).rev() {
        buf[i] = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    buf[26] = b'Z';
    // Every byte written above is ASCII.
    std::str::from_utf8(buf).unwrap_or("1970-01-01T00:00:00.000000Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_microseconds_and_matches_chrono() {
        for micros in [
            0u64,
            1,
            999_999,
            1_700_000_000_123_456,
            4_102_444_799_999_999,
        ] {
            let t = UNIX_EPOCH + Duration::from_micros(micros);
            let mut buf = [0; RFC3339_LEN];
            let ours = rfc3339_micros(t, &mut buf).to_string();
            let theirs = DateTime::<chrono::Utc>::from(t)
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            assert_eq!(ours, theirs);
        }
    }
}
