//! [`Stats`]: what became of every record, with the same names in every
//! layer; [`Counters`]: the atomic counters behind them.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::report::Reporter;

/// A snapshot of a layer's counters, the same shape for every logwood
/// layer and sink.
///
/// Every record a layer emitted is, at any moment, in exactly one of
/// `sent`, `dropped`, `failed` or `queued`:
///
/// ```text
/// emitted = sent + dropped + failed + queued
/// ```
///
/// - `sent` means what the transport can prove: a completed `write` for a
///   file, stdout or a syslog stream (TCP has no acknowledgements), a
///   datagram handed to the socket, a 2xx answer for HTTP, an
///   acknowledgement for RELP.
/// - The other counters (`retried`, `truncated`, `oversize`, `rejected`,
///   `reconnects`, `rollovers`, `errors`) are not part of the identity:
///   `oversize` records are among the `dropped`, `rejected` ones among the
///   `failed`, and a `truncated` or `retried` record still ends up sent,
///   dropped or failed. A sink that has no use for a counter leaves it 0.
///
/// # Examples
///
/// ```
/// let stats = logwood_core::Stats::default();
/// assert!(stats.is_balanced());
/// assert_eq!(stats.emitted, stats.sent + stats.dropped + stats.failed + stats.queued);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Stats {
    /// Records the layer produced from events (a syslog message split into
    /// lines is several records).
    pub emitted: u64,
    /// Records delivered, as far as the transport can prove it.
    pub sent: u64,
    /// Records not accepted: the buffer was full (with
    /// `drop_extra_events(true)`), or the record could never fit
    /// (`oversize`).
    pub dropped: u64,
    /// Records given up: refused by the receiver, out of retries, still
    /// undelivered at the shutdown deadline, a write error, an event whose
    /// fields could not be recorded (a panicking `Debug`), or emitted after
    /// the guard shut the layer down.
    pub failed: u64,
    /// Records posted or written again after a failed attempt (a batch of
    /// 100 records retried twice adds 200).
    pub retried: u64,
    /// Records buffered or in flight: neither sent, dropped nor failed yet.
    pub queued: u64,
    /// Records cut to the transport's size limit (syslog's
    /// `max_message_size`); they are counted as emitted and then sent,
    /// dropped or failed as usual.
    pub truncated: u64,
    /// Records dropped because, encoded, they were larger than a batch may
    /// be (among `dropped`).
    pub oversize: u64,
    /// Records the receiver accepted the request of but rejected (OTLP's
    /// `partial_success.rejected_log_records`; among `failed`).
    pub rejected: u64,
    /// Connections made again after a failure or after the peer closed one.
    pub reconnects: u64,
    /// Files rolled over (size or time rotation).
    pub rollovers: u64,
    /// Failures reported (each to the `on_error` callback, the first of
    /// each kind on stderr): connect and write errors, refusals, drops.
    pub errors: u64,
}

// === impl Stats ===

impl Stats {
    /// Records whose fate is decided: `sent + dropped + failed`.
    pub fn settled(&self) -> u64 {
        self.sent + self.dropped + self.failed
    }

    /// Whether `emitted = sent + dropped + failed + queued` (always true of
    /// a snapshot; a check for tests and monitoring).
    pub fn is_balanced(&self) -> bool {
        self.emitted == self.settled() + self.queued
    }
}

/// A monotonic counter, readable at any time.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

// === impl Counter ===

impl Counter {
    /// Adds one.
    pub fn incr(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The counters of a sink whose records are counted one by one (a writer,
/// a queue): `emitted` when a record is produced, then exactly one of
/// `sent`, `dropped` or `failed` when its fate is known.
#[derive(Debug, Default)]
pub struct Counters {
    /// See [`Stats::emitted`].
    pub emitted: Counter,
    /// See [`Stats::sent`].
    pub sent: Counter,
    /// See [`Stats::dropped`].
    pub dropped: Counter,
    /// See [`Stats::failed`].
    pub failed: Counter,
    /// See [`Stats::retried`].
    pub retried: Counter,
    /// See [`Stats::truncated`].
    pub truncated: Counter,
    /// See [`Stats::oversize`].
    pub oversize: Counter,
    /// See [`Stats::rejected`].
    pub rejected: Counter,
    /// See [`Stats::reconnects`].
    pub reconnects: Counter,
    /// See [`Stats::rollovers`].
    pub rollovers: Counter,
}

// === impl Counters ===

impl Counters {
    /// The counters now, with the failures `reporter` counted. `emitted` is
    /// read last, so that it is never below the sum of the others, and
    /// `queued` is what is neither sent, dropped nor failed.
    pub fn snapshot(&self, reporter: &Reporter) -> Stats {
        let sent = self.sent.get();
        let dropped = self.dropped.get();
        let failed = self.failed.get();
        let stats = Stats {
            sent,
            dropped,
            failed,
            retried: self.retried.get(),
            truncated: self.truncated.get(),
            oversize: self.oversize.get(),
            rejected: self.rejected.get(),
            reconnects: self.reconnects.get(),
            rollovers: self.rollovers.get(),
            errors: reporter.errors(),
            ..Stats::default()
        };
        let emitted = self.emitted.get();
        Stats {
            emitted,
            queued: emitted.saturating_sub(sent + dropped + failed),
            ..stats
        }
    }
}

/// Reads a layer's [`Stats`] from anywhere, after the layer has been moved
/// into a subscriber.
#[derive(Clone)]
pub struct StatsHandle(Arc<dyn Fn() -> Stats + Send + Sync>);

impl fmt::Debug for StatsHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StatsHandle").field(&self.get()).finish()
    }
}

// === impl StatsHandle ===

impl StatsHandle {
    /// A handle that reads the counters with `read`. For sink
    /// implementations.
    pub fn new(read: impl Fn() -> Stats + Send + Sync + 'static) -> Self {
        Self(Arc::new(read))
    }

    /// The counters now.
    pub fn get(&self) -> Stats {
        (self.0)()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_is_what_is_neither_sent_dropped_nor_failed() {
        let c = Counters::default();
        c.emitted.add(10);
        c.sent.add(5);
        c.dropped.add(2);
        c.failed.add(1);
        let stats = c.snapshot(&Reporter::new("test", None, false));
        assert_eq!(stats.queued, 2);
        assert!(stats.is_balanced());
    }
}
