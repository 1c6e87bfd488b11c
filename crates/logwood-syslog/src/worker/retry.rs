//! The wait before the next connection attempt: none after a connection
//! that worked broke (a server restart: reconnect at once); core's
//! [`Backoff`] as configured (`retry_initial` … `retry_max`) for failures
//! in a row, except while the server cannot be reached at all, when the
//! wait is capped at [`MAX_RECONNECT_INTERVAL`](crate::MAX_RECONNECT_INTERVAL)
//! so that delivery resumes within about a second of its return.

use std::time::Duration;

use logwood_core::__private::Backoff;

/// Failed attempts since the last success, and how to wait after them.
#[derive(Debug, Clone)]
pub(crate) struct Retry {
    /// The configured backoff: after a failure on an open connection (a
    /// write, a TLS handshake, a RELP session refused or broken).
    backoff: Backoff,
    /// The same, capped at `MAX_RECONNECT_INTERVAL`: while connecting
    /// fails (the server is down, restarting, or not listening yet).
    unreachable: Backoff,
    /// Failures since the last success.
    failures: u32,
    /// Whether the last failure was a failed connection attempt.
    last_unreachable: bool,
}

// === impl Retry ===

impl Retry {
    pub(crate) fn new(backoff: Backoff, unreachable: Backoff) -> Self {
        Self {
            backoff,
            unreachable,
            failures: 0,
            last_unreachable: false,
        }
    }

    /// Counts a failure; `unreachable` when it was a failed connection
    /// attempt. Returns the attempt number (1 for the first failure).
    pub(crate) fn failed(&mut self, unreachable: bool) -> u32 {
        self.failures = self.failures.saturating_add(1);
        self.last_unreachable = unreachable;
        self.failures
    }

    /// A success: the next failure waits the shortest time again.
    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
        self.last_unreachable = false;
    }

    /// The wait before the next attempt.
    pub(crate) fn delay(&mut self) -> Duration {
        let retry = self.failures.max(1);
        if retry == 1 && !self.last_unreachable {
            // The first failure since a success, on a connection that was
            // made: try again at once (the next failure waits).
            Duration::ZERO
        } else if self.last_unreachable {
            self.unreachable.delay(retry)
        } else {
            self.backoff.delay(retry)
        }
    }
}

#[cfg(test)]
mod tests {
    use logwood_core::JitterMode;

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn an_unreachable_server_is_tried_again_at_least_every_second() {
        let backoff = Backoff::new(100 * MS, 30_000 * MS, JitterMode::None);
        let capped = Backoff::new(100 * MS, 1000 * MS, JitterMode::None);
        let mut retry = Retry::new(backoff, capped);
        let waits: Vec<Duration> = (0..8)
            .map(|_| {
                retry.failed(true);
                retry.delay()
            })
            .collect();
        assert_eq!(waits[..4], [100 * MS, 200 * MS, 400 * MS, 800 * MS]);
        assert!(waits[4..].iter().all(|w| *w == 1000 * MS), "{waits:?}");
        // A failure on an open connection keeps the configured backoff.
        assert_eq!(retry.failed(false), 9);
        assert_eq!(retry.delay(), 25_600 * MS);
        // A connection that worked and broke is made again at once; a
        // second failure in a row waits.
        retry.succeeded();
        assert_eq!(retry.failed(false), 1);
        assert_eq!(retry.delay(), Duration::ZERO);
        retry.failed(false);
        assert_eq!(retry.delay(), 200 * MS);
        retry.succeeded();
        retry.failed(true);
        assert_eq!(retry.delay(), 100 * MS);
    }
}
