//! Timed rotation: when the file rolls over and what the rotated file is
//! called, as CPython 3.13's `TimedRotatingFileHandler` computes both
//! (`computeRollover`, `doRollover`, `suffix`, `extMatch`).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::BuildError;

/// Seconds in a day (Python's `_MIDNIGHT`).
const DAY: i64 = 24 * 60 * 60;

/// When a [`RotatingFileWriter`](crate::RotatingFileWriter) rolls over by
/// time: the `when` of Python's `TimedRotatingFileHandler`, multiplied by
/// [`interval`](crate::RotatingFileWriterBuilder::interval).
///
/// | `When` | Python | rolls over every | rotated file's suffix |
/// | --- | --- | --- | --- |
/// | [`Seconds`](When::Seconds) | `S` | `interval` seconds | `.2026-11-27_23-10-05` |
/// | [`Minutes`](When::Minutes) | `M` | `interval` minutes | `.2026-11-27_23-10` |
/// | [`Hours`](When::Hours) | `H` | `interval` hours | `.2026-11-27_23` |
/// | [`Days`](When::Days) | `D` | `interval` days | `.2026-11-27` |
/// | [`Midnight`](When::Midnight) | `midnight` | `interval` days, at midnight (or `at_time`) | `.2026-11-27` |
/// | [`Monday`](When::Monday) … [`Sunday`](When::Sunday) | `W0` … `W6` | `interval` weeks, on that day at midnight (or `at_time`) | `.2026-11-27` |
///
/// `S`, `M`, `H` and `D` count from when the file was started (its
/// modification time when logwood opens an existing file), not from the
/// top of the hour or day; `midnight` and `W0`–`W6` roll over on the clock.
///
/// # Examples
///
/// Python's strings parse, in any case:
///
/// ```
/// use logwood_json::When;
///
/// assert_eq!("midnight".parse::<When>().unwrap(), When::Midnight);
/// assert_eq!("h".parse::<When>().unwrap(), When::Hours);
/// assert_eq!("W6".parse::<When>().unwrap(), When::Sunday);
/// assert_eq!(When::Monday.to_string(), "W0");
/// assert!("W7".parse::<When>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum When {
    /// `S`: every `interval` seconds.
    Seconds,
    /// `M`: every `interval` minutes.
    Minutes,
    /// `H`: every `interval` hours.
    Hours,
    /// `D`: every `interval` days (counted from the file's start, not at
    /// midnight).
    Days,
    /// `midnight`: every `interval` days at midnight, or at `at_time`.
    Midnight,
    /// `W0`: every `interval` weeks on Monday at midnight, or at `at_time`.
    Monday,
    /// `W1`: weekly on Tuesday.
    Tuesday,
    /// `W2`: weekly on Wednesday.
    Wednesday,
    /// `W3`: weekly on Thursday.
    Thursday,
    /// `W4`: weekly on Friday.
    Friday,
    /// `W5`: weekly on Saturday.
    Saturday,
    /// `W6`: weekly on Sunday.
    Sunday,
}

const WEEKDAYS: [When; 7] = [
    When::Monday,
    When::Tuesday,
    When::Wednesday,
    When::Thursday,
    When::Friday,
    When::Saturday,
    When::Sunday,
];

/// How much of the date and time a rotated file's suffix shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Precision {
    /// `%Y-%m-%d_%H-%M-%S`
    Second,
    /// `%Y-%m-%d_%H-%M`
    Minute,
    /// `%Y-%m-%d_%H`
    Hour,
    /// `%Y-%m-%d`
    Day,
}

// === impl When ===

impl When {
    /// Python's spelling (`S`, `M`, `H`, `D`, `midnight`, `W0` … `W6`).
    pub fn as_str(self) -> &'static str {
        match self {
            When::Seconds => "S",
            When::Minutes => "M",
            When::Hours => "H",
            When::Days => "D",
            When::Midnight => "midnight",
            When::Monday => "W0",
            When::Tuesday => "W1",
            When::Wednesday => "W2",
            When::Thursday => "W3",
            When::Friday => "W4",
            When::Saturday => "W5",
            When::Sunday => "W6",
        }
    }

    /// Whether `at_time` applies (`midnight`, `W0` … `W6`).
    pub(super) fn on_the_clock(self) -> bool {
        self == When::Midnight || self.weekday().is_some()
    }

    /// `W0` … `W6`: the day, 0 for Monday.
    fn weekday(self) -> Option<i64> {
        WEEKDAYS.iter().position(|&w| w == self).map(|i| i as i64)
    }

    /// Seconds in one unit of `interval`.
    fn unit(self) -> i64 {
        match self {
            When::Seconds => 1,
            When::Minutes => 60,
            When::Hours => 60 * 60,
            When::Days | When::Midnight => DAY,
            _ => 7 * DAY,
        }
    }

    pub(super) fn precision(self) -> Precision {
        match self {
            When::Seconds => Precision::Second,
            When::Minutes => Precision::Minute,
            When::Hours => Precision::Hour,
            _ => Precision::Day,
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for When {
    type Err = BuildError;

    /// Python's `when` strings, in any case (`TimedRotatingFileHandler`
    /// upper-cases them): `S`, `M`, `H`, `D`, `midnight`, `W0` … `W6`
    /// (`W0` is Monday).
    ///
    /// # Errors
    ///
    /// [`BuildError::UnknownWhen`] naming the value.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let when = match s.to_ascii_uppercase().as_str() {
            "S" => When::Seconds,
            "M" => When::Minutes,
            "H" => When::Hours,
            "D" => When::Days,
            "MIDNIGHT" => When::Midnight,
            "W0" => When::Monday,
            "W1" => When::Tuesday,
            "W2" => When::Wednesday,
            "W3" => When::Thursday,
            "W4" => When::Friday,
            "W5" => When::Saturday,
            "W6" => When::Sunday,
            _ => {
                return Err(BuildError::UnknownWhen {
                    value: s.to_owned(),
                });
            }
        };
        Ok(when)
    }
}

// === impl Precision ===

impl Precision {
    /// The suffix's length: `2026-11-27_23-10-05` is 19.
    pub(super) fn len(self) -> usize {
        match self {
            Precision::Second => 19,
            Precision::Minute => 16,
            Precision::Hour => 13,
            Precision::Day => 10,
        }
    }

    /// Whether `s` is exactly a suffix of this precision: Python 3.13's
    /// `extMatch.fullmatch` (`\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}` for `S`,
    /// ASCII digits).
    pub(super) fn matches(self, s: &str) -> bool {
        const TEMPLATE: &[u8; 19] = b"0000-00-00_00-00-00";
        let s = s.as_bytes();
        s.len() == self.len()
            && s.iter().zip(TEMPLATE).all(|(&c, &t)| {
                if t == b'0' {
                    c.is_ascii_digit()
                } else {
                    c == t
                }
            })
    }
}

/// The broken-down time Python's `time.localtime` / `time.gmtime` gives.
#[derive(Debug, Clone, Copy)]
struct Tm {
    year: i16,
    month: i8,
    day: i8,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 for Monday.
    weekday: i64,
    isdst: bool,
}

/// The validated timed-rotation options and the zone they are read in.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    when: When,
    /// Seconds between rollovers (`when`'s unit times `interval`).
    interval: i64,
    utc: bool,
    /// `at_time` in seconds after midnight.
    at_time: Option<i64>,
    /// The system's zone (or UTC with `utc`), read once at build, as Python
    /// reads `TZ` once.
    zone: TimeZone,
}

// === impl Schedule ===

impl Schedule {
    pub(super) fn new(when: When, interval: u32, utc: bool, at_time: Option<u32>) -> Self {
        let zone = if utc {
            TimeZone::UTC
        } else {
            TimeZone::system()
        };
        Self::in_zone(when, interval, utc, at_time, zone)
    }

    fn in_zone(when: When, interval: u32, utc: bool, at_time: Option<u32>, zone: TimeZone) -> Self {
        Self {
            when,
            interval: when.unit() * i64::from(interval),
            utc,
            at_time: at_time.map(i64::from),
            zone,
        }
    }

    pub(super) fn precision(&self) -> Precision {
        self.when.precision()
    }

    fn timestamp(t: i64) -> Timestamp {
        Timestamp::from_second(t).unwrap_or(if t < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
    }

    fn tm(&self, t: i64) -> Tm {
        let ts = Self::timestamp(t);
        let dt = self.zone.to_datetime(ts);
        Tm {
            year: dt.year(),
            month: dt.month(),
            day: dt.day(),
            hour: i64::from(dt.hour()),
            minute: i64::from(dt.minute()),
            second: i64::from(dt.second()),
            weekday: i64::from(dt.weekday().to_monday_zero_offset()),
            isdst: self.isdst(t),
        }
    }

    /// `time.localtime(t).tm_isdst` (never, in UTC).
    fn isdst(&self, t: i64) -> bool {
        !self.utc && self.zone.to_offset_info(Self::timestamp(t)).dst().is_dst()
    }

    /// Python 3.13's `computeRollover(current)`: when a file started at
    /// `current` (seconds since the epoch) rolls over.
    pub(super) fn next_rollover(&self, current: i64) -> i64 {
        let mut result = current.saturating_add(self.interval);
        if !self.when.on_the_clock() {
            return result;
        }
        let t = self.tm(current);
        let rotate_ts = self.at_time.unwrap_or(DAY);
        let mut r = rotate_ts - ((t.hour * 60 + t.minute) * 60 + t.second);
        let mut day = t.weekday;
        if r <= 0 {
            // The rotation time has passed today: tomorrow.
            r += DAY;
            day = (day + 1) % 7;
        }
        result = current.saturating_add(r);
        match self.when.weekday() {
            Some(rollover_day) => {
                if day != rollover_day {
                    let wait = if day < rollover_day {
                        rollover_day - day
                    } else {
                        6 - day + rollover_day + 1
                    };
                    result = result.saturating_add(wait * DAY);
                }
                result = result.saturating_add(self.interval - 7 * DAY);
            }
            None => result = result.saturating_add(self.interval - DAY),
        }
        if !self.utc {
            let dst_now = t.isdst;
            if dst_now != self.isdst(result) {
                let addend = if !dst_now {
                    // DST starts before the rollover: an hour earlier (unless
                    // the hour before is not in DST either).
                    if self.isdst(result - 3600) { -3600 } else { 0 }
                } else {
                    // DST ends before the rollover: an hour later.
                    3600
                };
                result = result.saturating_add(addend);
            }
        }
        result
    }

    /// The time a file rolled over at `now` is named for, as Python's
    /// `doRollover`: the start of its interval (`rollover_at - interval`),
    /// moved by an hour when DST differs between then and now.
    pub(super) fn interval_start(&self, rollover_at: i64, now: i64) -> i64 {
        let t = rollover_at.saturating_sub(self.interval);
        if self.utc {
            return t;
        }
        match (self.isdst(now), self.isdst(t)) {
            (true, false) => t + 3600,
            (false, true) => t - 3600,
            _ => t,
        }
    }

    /// `time.strftime(suffix, localtime(t))`: `2026-11-27_23-10-05` for
    /// `S`, `2026-11-27_23-10` for `M`, `2026-11-27_23` for `H`,
    /// `2026-11-27` for the others.
    pub(super) fn suffix(&self, t: i64) -> String {
        let tm = self.tm(t);
        let date = format!("{:04}-{:02}-{:02}", tm.year, tm.month, tm.day);
        match self.when.precision() {
            Precision::Second => {
                format!("{date}_{:02}-{:02}-{:02}", tm.hour, tm.minute, tm.second)
            }
            Precision::Minute => format!("{date}_{:02}-{:02}", tm.hour, tm.minute),
            Precision::Hour => format!("{date}_{:02}", tm.hour),
            Precision::Day => date,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin(when: When, interval: u32, at_time: Option<u32>) -> Schedule {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        Schedule::in_zone(when, interval, false, at_time, zone)
    }

    /// 2026-03-28 12:00:00 CET, the Saturday before DST starts (Sunday
    /// 02:00 CET becomes 03:00 CEST).
    const SATURDAY_NOON: i64 = 1_774_695_600;

    #[test]
    fn midnight_across_the_start_of_dst_is_local_midnight() {
        let s = berlin(When::Midnight, 1, None);
        // Sunday 00:00 CET, then Monday 00:00 CEST (a 23-hour day).
        let sunday = s.next_rollover(SATURDAY_NOON);
        assert_eq!(sunday, SATURDAY_NOON + 12 * 3600);
        let monday = s.next_rollover(sunday + 60);
        assert_eq!(monday, sunday + 23 * 3600);
        assert_eq!(s.suffix(s.interval_start(monday, monday + 5)), "2026-03-29");
    }

    #[test]
    fn weekly_counts_days_to_the_weekday() {
        let s = berlin(When::Wednesday, 1, Some(3 * 3600));
        // From Saturday noon: Wednesday 2026-04-01 03:00 CEST.
        let next = s.next_rollover(SATURDAY_NOON);
        assert_eq!(s.suffix(next), "2026-04-01");
        assert_eq!(s.tm(next).hour, 3);
    }

    #[test]
    fn suffixes_match_their_own_precision_only() {
        assert!(Precision::Second.matches("2026-11-27_23-10-05"));
        assert!(Precision::Minute.matches("2026-11-27_23-10"));
        assert!(Precision::Hour.matches("2026-11-27_23"));
        assert!(Precision::Day.matches("2026-11-27"));
        assert!(!Precision::Day.matches("2026-11-27_23"));
        assert!(!Precision::Day.matches("2026-11-2x"));
        assert!(!Precision::Hour.matches("2026-11-27-23"));
        assert!(!Precision::Day.matches("2026-11-27.1"));
    }

    #[test]
    fn when_parses_pythons_strings_in_any_case() {
        for (s, when) in [
            ("s", When::Seconds),
            ("M", When::Minutes),
            ("h", When::Hours),
            ("D", When::Days),
            ("MidNight", When::Midnight),
            ("w0", When::Monday),
            ("W6", When::Sunday),
        ] {
            assert_eq!(s.parse::<When>().unwrap(), when);
            assert_eq!(when.as_str().parse::<When>().unwrap(), when);
        }
        for bad in ["", "W", "W7", "w10", "hour", "x"] {
            assert!(bad.parse::<When>().is_err(), "{bad}");
        }
    }
}
