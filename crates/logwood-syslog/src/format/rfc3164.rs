//! RFC 3164 (BSD syslog, what Python's `SysLogHandler` and the Papertrail
//! docs show): `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, with the
//! fields and context after the message as ` key=value` pairs (core's `kv`
//! rules).

use std::cell::Cell;
use std::ops::Range;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Timelike};
use logwood_core::__private::{EventFields, Kv, Record, kv};

use super::escape;

/// The TAG (app name) is at most 32 characters (RFC 3164 section 4.1.3).
pub(crate) const TAG_MAX: usize = 32;
/// HOSTNAME, as in RFC 5424.
pub(crate) const HOSTNAME_MAX: usize = 255;

/// Length of `Mmm dd hh:mm:ss`.
pub(crate) const TIMESTAMP_LEN: usize = 15;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

thread_local! {
    static LAST: Cell<(u64, [u8; TIMESTAMP_LEN])> = const { Cell::new((u64::MAX, [0; TIMESTAMP_LEN])) };
}

fn format_second(secs: u64) -> [u8; TIMESTAMP_LEN] {
    let mut out = *b"Jan  1 00:00:00";
    let Some(dt) = i64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
    else {
        return out;
    };
    out[..3].copy_from_slice(MONTHS[dt.month0() as usize % 12]);
    let day = dt.day();
    // The day is space-padded: `Jan  2`.
    out[4] = if day >= 10 {
        b'0' + (day / 10) as u8
    } else {
        b' '
    };
    out[5] = b'0' + (day % 10) as u8;
    for (i, v) in [(7, dt.hour()), (10, dt.minute()), (13, dt.second())] {
        out[i] = b'0' + (v / 10) as u8;
        out[i + 1] = b'0' + (v % 10) as u8;
    }
    out
}

/// Writes `Mmm dd hh:mm:ss` for `time` in UTC (the day space-padded, as
/// `Jan  2`); cached per thread for the current second.
pub(crate) fn write_timestamp(out: &mut Vec<u8>, time: SystemTime) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let text = LAST
        .try_with(|last| {
            let (cached, text) = last.get();
            if cached == secs {
                text
            } else {
                let text = format_second(secs);
                last.set((secs, text));
                text
            }
        })
        .unwrap_or_else(|_| format_second(secs));
    out.extend_from_slice(&text);
}

/// ` HOSTNAME TAG[PID]: ` (with the spaces around it).
pub(crate) fn fixed_header(hostname: &str, app_name: &str, pid: u32) -> Box<[u8]> {
    let mut out = vec![b' '];
    escape::header_field(&mut out, hostname, HOSTNAME_MAX);
    out.push(b' ');
    escape::header_field_with(&mut out, app_name, TAG_MAX, |b| {
        matches!(b, b'[' | b']' | b':')
    });
    out.extend_from_slice(format!("[{pid}]: ").as_bytes());
    out.into()
}

/// `<PRI>` for `pri`.
pub(crate) fn pri(pri: u8) -> Box<[u8]> {
    format!("<{pri}>").into_bytes().into()
}

/// Writes the header up to and including the space before MSG.
pub(crate) fn write_header(out: &mut Vec<u8>, pri: &[u8], time: SystemTime, fixed: &[u8]) {
    out.extend_from_slice(pri);
    write_timestamp(out, time);
    out.extend_from_slice(fixed);
}

/// Starts a ` key=value` pair: a space, unless MSG (from `msg_start`) is
/// still empty.
fn begin_pair(out: &mut Vec<u8>, msg_start: usize) {
    if out.len() > msg_start {
        out.push(b' ');
    }
}

/// Writes the event's fields as ` key=value` pairs after MSG (which starts
/// at `msg_start`), in the order and with the conflict rule of core's flat
/// walk.
pub(crate) fn write_field_pairs(out: &mut Vec<u8>, msg_start: usize, fields: &mut EventFields) {
    fields.for_each_kept(|head, name, value| {
        begin_pair(out, msg_start);
        kv::write_key(out, head, name);
        out.push(b'=');
        kv::write_value(out, value);
    });
}

/// Writes the context as ` key=value` pairs after MSG (which starts at
/// `msg_start`): `runtime.*` and `system.*` (when the layer writes them),
/// then the static context with the span context merged on top. Returns
/// where the pairs are, without the space before the first one (empty when
/// there is no context). `path` is a reused buffer.
pub(crate) fn write_context_pairs(
    out: &mut Vec<u8>,
    msg_start: usize,
    record: &Record<'_>,
    path: &mut String,
) -> Range<usize> {
    let start = out.len();
    record.write_metadata_flat::<Kv>(out);
    record.write_context_flat::<Kv>(out, path);
    if out.len() == start {
        return start..start;
    }
    // Each pair starts with a space; none when MSG is still empty.
    if start == msg_start {
        out.remove(start);
        return start..out.len();
    }
    // Keys never start with a space: the leading one is the separator.
    start + 1..out.len()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn header_matches_the_papertrail_example_with_a_space_padded_day() {
        // 2026-01-02T23:34:45Z
        let mut out = Vec::new();
        write_header(
            &mut out,
            &pri(22),
            at(1_767_396_885),
            &fixed_header("hostname", "app_name", 4321),
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<22>Jan  2 23:34:45 hostname app_name[4321]: "
        );
    }

    #[test]
    fn two_digit_days_and_every_month_are_formatted() {
        let mut out = Vec::new();
        write_timestamp(&mut out, at(1_763_610_261)); // 2025-11-20T03:44:21Z
        assert_eq!(out, b"Nov 20 03:44:21");
        for (month, secs) in [("Feb", 1_738_368_000u64), ("Dec", 1_764_547_200)] {
            let mut out = Vec::new();
            write_timestamp(&mut out, at(secs));
            assert!(out.starts_with(month.as_bytes()), "{out:?}");
        }
    }

    #[test]
    fn tag_loses_brackets_colons_and_spaces_and_is_cut_to_32() {
        let fixed = fixed_header("my host", "a[b]: c", 1);
        assert_eq!(&*fixed, b" my_host a_b___c[1]: ");
        let fixed = fixed_header("h", &"x".repeat(40), 1);
        assert_eq!(
            String::from_utf8(fixed.into()).unwrap(),
            format!(" h {}[1]: ", "x".repeat(32))
        );
    }
}
