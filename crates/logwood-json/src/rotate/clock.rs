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
            Clock::System => SystemTime::now(),
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn seconds_round_down_on_both_sides_of_the_epoch() {
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_millis(1_500)), 1);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_millis(1_500)), -2);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(1)), -1);
    }
}
