//! [`Stats`]: what became of every record.

/// A snapshot of an [`HttpLayer`](crate::HttpLayer)'s counters, from
/// [`HttpLayer::stats`](crate::HttpLayer::stats) or
/// [`FlushGuard::stats`](crate::FlushGuard::stats).
///
/// Every count is of **records** (events). A snapshot is taken under the
/// buffer's lock, so at every moment the accounting identity of the wire
/// protocol holds exactly:
///
/// ```text
/// emitted = sent + dropped_full + dropped_oversize + failed + buffered + in_flight
/// ```
///
/// # Examples
///
/// ```
/// let stats = logwood_http::Stats::default();
/// assert_eq!(stats.emitted, stats.settled() + stats.in_flight_or_buffered());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Records the layer was given (every event it saw).
    pub emitted: u64,
    /// Records the endpoint accepted (answered 2xx).
    pub sent: u64,
    /// Records dropped because the buffer held `buffer_capacity` records
    /// (with `drop_extra_events(true)`).
    pub dropped_full: u64,
    /// Records dropped because, encoded, they were larger than
    /// `max_batch_bytes` on their own.
    pub dropped_oversize: u64,
    /// Records posted again after a failed attempt (a batch of 100 records
    /// retried twice adds 200). Not part of the identity: a retried record
    /// ends up `sent` or `failed`.
    pub retried: u64,
    /// Records given up: refused by the endpoint (401, 403, other 4xx, 501),
    /// out of retries, still undelivered at the shutdown deadline, or
    /// emitted after the guard shut the layer down.
    pub failed: u64,
    /// Records waiting in the buffer.
    pub buffered: u64,
    /// Records in the batch being posted (or waiting to be retried).
    pub in_flight: u64,
}

// === impl Stats ===

impl Stats {
    /// Records dropped for any reason (`dropped_full + dropped_oversize`).
    pub fn dropped(&self) -> u64 {
        self.dropped_full + self.dropped_oversize
    }

    /// Records whose fate is decided: sent, dropped or failed.
    pub fn settled(&self) -> u64 {
        self.sent + self.dropped() + self.failed
    }

    /// Records not yet settled: `buffered + in_flight`.
    pub fn in_flight_or_buffered(&self) -> u64 {
        self.buffered + self.in_flight
    }

    /// Whether `emitted = sent + dropped_* + failed + in_flight_or_buffered`
    /// (always true of a snapshot; a check for tests and monitoring).
    pub fn is_balanced(&self) -> bool {
        self.emitted == self.settled() + self.in_flight_or_buffered()
    }
}
