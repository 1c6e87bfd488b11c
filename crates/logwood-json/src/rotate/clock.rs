//! Where the writer reads the time: the system clock, or a test's.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The writer's clock (read only when timed rotation or the watch is on).
#[derive(Clone, Default)]
pub(super) enum Clock {
    /// `SystemTime::now()`.
    #[default]
    System,
    /// A test's clock (`RotatingFileWriterBuilder::with_clock`).
    Custom(Arc<dyn Fn() -> SystemTime + Send + Sync>),
}

// === impl Clock ===

impl Clock {
    pub(super) fn now(&self) -> SystemTime {
        match self {
            Clock::System => system_now(),
            Clock::Custom(now) => now(),
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clock::System => f.write_str("Clock::System"),
            Clock::Custom(_) => f.write_str("Clock::Custom(..)"),
        }
    }
}

/// The wall clock, from the kernel's coarse clock where there is one
/// (`CLOCK_REALTIME_COARSE`: read from the vDSO without a timer read, a
/// few nanoseconds; updated every tick, so up to a few milliseconds
/// behind): the writer reads it on every line, and decides at one-second
/// granularity.
#[cfg(target_os = "linux")]
fn system_now() -> SystemTime {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    match (u64::try_from(now.tv_sec), u32::try_from(now.tv_nsec)) {
        (Ok(secs), Ok(nanos)) => UNIX_EPOCH + std::time::Duration::new(secs, nanos),
        _ => SystemTime::now(),
    }
}

#[cfg(not(target_os = "linux"))]
fn system_now() -> SystemTime {
    SystemTime::now()
}

/// Whole seconds since the epoch, rounded down (Python's
/// `int(time.time())` for times after 1970).
pub(super) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    }
}

/// The time `secs` seconds after the epoch (far in the future when out of
/// range).
pub(super) fn system_time(secs: i64) -> SystemTime {
    let far = || UNIX_EPOCH + std::time::Duration::from_secs(1 << 40);
    match u64::try_from(secs) {
        Ok(secs) => UNIX_EPOCH
            .checked_add(std::time::Duration::from_secs(secs))
            .unwrap_or_else(far),
        Err(_) => UNIX_EPOCH
            .checked_sub(std::time::Duration::from_secs(secs.unsigned_abs()))
            .unwrap_or(UNIX_EPOCH),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn seconds_round_down_on_both_sides_of_the_epoch() {
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_millis(1_500)), 1);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_millis(1_500)), -2);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(1)), -1);
        for secs in [-5, 0, 1_795_817_403] {
            assert_eq!(unix_seconds(system_time(secs)), secs);
        }
    }
}
