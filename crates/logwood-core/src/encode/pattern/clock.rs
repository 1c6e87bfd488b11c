//! Time attributes: `created`, `msecs`, `relativeCreated` and `asctime`
//! (Python's default format or a `datefmt`), local time or UTC.
//!
//! The date text depends only on the second (as with Python's
//! `time.strftime`), so it is formatted once per second per thread and
//! copied after that.

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::format::{Fixed, Item, Numeric, StrftimeItems};
use chrono::{DateTime, Local, Utc};

use super::PatternError;
use super::printf::VecWriter;

/// Python's `Formatter.default_time_format`: `asctime` without a `datefmt`
/// is this, then `,` and the milliseconds (`2003-07-08 16:49:45,896`).
pub const DEFAULT_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

static DEFAULT_ITEMS: LazyLock<Vec<Item<'static>>> = LazyLock::new(|| {
    StrftimeItems::new(DEFAULT_TIME_FORMAT)
        .parse_to_owned()
        .unwrap_or_default()
});

/// A test seam: where the layer reads the time.
#[derive(Clone)]
pub(crate) struct NowFn(pub(crate) Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl fmt::Debug for NowFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NowFn(..)")
    }
}

/// The layer's clock: the time source and the start of `relativeCreated`.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    now: Option<NowFn>,
    start_ns: i64,
}

/// The time attributes of one record, computed as Python 3.13's
/// `LogRecord` computes them from `time.time_ns()`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventTime {
    /// `created`: seconds since the epoch.
    pub(crate) created: f64,
    /// `msecs`: the whole milliseconds of `created`.
    pub(crate) msecs: f64,
    /// `relativeCreated`: milliseconds since the layer was built.
    pub(crate) relative: f64,
    /// The second `asctime` shows (`floor(created)`, as `time.localtime`).
    pub(crate) second: i64,
    /// Nanoseconds within `second` (for chrono's sub-second directives).
    pub(crate) nanos: u32,
}

/// Nanoseconds since the epoch (saturating past the years 1677 and 2262).
fn nanos_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

// === impl Clock ===

impl Clock {
    /// A clock reading `now` (the system clock by default); the start of
    /// `relativeCreated` is read now.
    pub(crate) fn new(now: Option<NowFn>) -> Self {
        let mut clock = Clock { now, start_ns: 0 };
        clock.start_ns = nanos_since_epoch(clock.read());
        clock
    }

    pub(crate) fn read(&self) -> SystemTime {
        match &self.now {
            Some(now) => (now.0)(),
            None => SystemTime::now(),
        }
    }

    /// The time attributes of an event happening at `t`.
    pub(crate) fn event_time(&self, t: SystemTime) -> EventTime {
        let ns = nanos_since_epoch(t);
        const NS: i64 = 1_000_000_000;
        let created = ns as f64 / 1e9;
        let (whole, sub) = (ns.div_euclid(NS), ns.rem_euclid(NS));
        let mut msecs = (sub / 1_000_000) as f64;
        // As Python: the float conversion can round up to the next second,
        // whose milliseconds are then 0.
        if msecs == 999.0 && created.trunc() as i64 != whole {
            msecs = 0.0;
        }
        let second = created.floor() as i64;
        let nanos = if second == whole { sub as u32 } else { 0 };
        EventTime {
            created,
            msecs,
            relative: ns.saturating_sub(self.start_ns) as f64 / 1e6,
            second,
            nanos,
        }
    }
}

static NEXT_FORMAT_ID: AtomicU64 = AtomicU64::new(1);

/// How `asctime` is written.
#[derive(Debug)]
pub(crate) struct DateFormat {
    /// The `datefmt` directives; `None` for Python's default.
    items: Option<Vec<Item<'static>>>,
    utc: bool,
    /// Whether the text depends on more than the second (chrono's `%f`,
    /// `%.3f`, …, which Python's `time.strftime` does not have).
    subsecond: bool,
    /// Key of this format in the per-thread cache.
    id: u64,
}

fn is_subsecond(item: &Item<'_>) -> bool {
    matches!(
        item,
        Item::Numeric(Numeric::Nanosecond, _)
            | Item::Fixed(
                Fixed::Nanosecond
                    | Fixed::Nanosecond3
                    | Fixed::Nanosecond6
                    | Fixed::Nanosecond9
                    | Fixed::Internal(_)
            )
    )
}

struct CacheEntry {
    id: u64,
    second: i64,
    text: Vec<u8>,
}

/// The last few (format, second) texts of this thread.
struct DateCache {
    entries: [CacheEntry; 4],
    next: usize,
}

thread_local! {
    static DATE_CACHE: RefCell<DateCache> = RefCell::new(DateCache {
        entries: std::array::from_fn(|_| CacheEntry { id: 0, second: 0, text: Vec::new() }),
        next: 0,
    });
}

// === impl DateFormat ===

impl DateFormat {
    /// `datefmt` checked and compiled; `None` is Python's default format.
    pub(crate) fn new(datefmt: Option<&str>, utc: bool) -> Result<Self, PatternError> {
        let items = match datefmt {
            // Python treats an empty `datefmt` as none.
            Some(datefmt) if !datefmt.is_empty() => {
                Some(StrftimeItems::new(datefmt).parse_to_owned().map_err(|_| {
                    PatternError::InvalidDatefmt {
                        datefmt: datefmt.to_owned(),
                    }
                })?)
            }
            _ => None,
        };
        let subsecond = items.as_ref().is_some_and(|i| i.iter().any(is_subsecond));
        Ok(DateFormat {
            items,
            utc,
            subsecond,
            id: NEXT_FORMAT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Writes `asctime`.
    pub(crate) fn write(&self, out: &mut Vec<u8>, t: &EventTime) {
        if self.subsecond {
            self.render(out, t.second, t.nanos);
        } else {
            let cached = DATE_CACHE.try_with(|cache| {
                let Ok(mut cache) = cache.try_borrow_mut() else {
                    return false;
                };
                let cache = &mut *cache;
                let hit = cache
                    .entries
                    .iter()
                    .find(|e| e.id == self.id && e.second == t.second);
                if let Some(entry) = hit {
                    out.extend_from_slice(&entry.text);
                    return true;
                }
                let entry = &mut cache.entries[cache.next];
                cache.next = (cache.next + 1) % 4;
                entry.text.clear();
                self.render(&mut entry.text, t.second, 0);
                entry.id = self.id;
                entry.second = t.second;
                out.extend_from_slice(&entry.text);
                true
            });
            if cached != Ok(true) {
                self.render(out, t.second, 0);
            }
        }
        if self.items.is_none() {
            // Python's `default_msec_format`: `%s,%03d`.
            let ms = t.msecs as u32;
            out.extend_from_slice(&[
                b',',
                b'0' + (ms / 100 % 10) as u8,
                b'0' + (ms / 10 % 10) as u8,
                b'0' + (ms % 10) as u8,
            ]);
        }
    }

    /// Formats the date of `second` with chrono's `strftime`.
    fn render(&self, out: &mut Vec<u8>, second: i64, nanos: u32) {
        let items = self.items.as_deref().unwrap_or(&DEFAULT_ITEMS);
        let Some(utc) = DateTime::<Utc>::from_timestamp(second, nanos) else {
            return;
        };
        let mut w = VecWriter(out);
        let result = if self.utc {
            utc.format_with_items(items.iter()).write_to(&mut w)
        } else {
            utc.with_timezone(&Local)
                .format_with_items(items.iter())
                .write_to(&mut w)
        };
        // Validated items only fail on values chrono cannot show; the
        // partial text stays.
        result.ok();
    }
}
