//! [`FlushGuard`]: the one guard contract of every layer that hands records
//! to a background worker.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::stats::Stats;

/// The worker side of a [`FlushGuard`]: implemented by each sink that
/// delivers from a background thread (syslog, HTTP, OTLP, non-blocking
/// files).
pub trait Delivery: Send + Sync + 'static {
    /// The counters now.
    fn stats(&self) -> Stats;

    /// Delivers everything emitted before the call now (without waiting for
    /// a flush interval) and waits until it is settled (sent, dropped or
    /// failed), at most until `deadline`. Returns whether it all settled.
    /// The worker keeps running.
    fn flush(&self, deadline: Instant) -> bool;

    /// Delivers what is buffered and in flight (retrying as usual) until
    /// `deadline`, stops the worker and counts whatever is left as failed.
    /// Returns by the deadline (plus about a second at most, for a worker
    /// blocked in a system call to notice). Called at most once.
    fn shutdown(&self, deadline: Instant);
}

/// Keeps a layer's background worker alive; dropping it delivers what is
/// buffered and in flight, waiting at most the layer's `shutdown_timeout`.
///
/// Every logwood layer with a worker returns one from `build()`, with the
/// same contract: [`flush`](Self::flush) with a timeout,
/// [`shutdown`](Self::shutdown) returning the final [`Stats`], a flush on
/// drop.
///
/// Hold it for as long as events should be delivered, typically in `main`:
/// write `let (layer, _guard) = …build()?;`, **not** `let (layer, _) = …`,
/// which drops the guard at once: the layer is then shut down before the
/// first event, and every event is counted as failed.
///
/// `std::process::exit` does not run destructors: call
/// [`shutdown`](Self::shutdown) (or drop the guard) before it, or buffered
/// records are lost (uncounted, since the process is gone).
///
/// Dropping the guard works from a plain `main`, from inside any tokio
/// runtime (current-thread included: workers have their own threads) and
/// while a panic unwinds.
#[must_use = "dropping the guard shuts the layer down: bind it with `let _guard = …`, not `let _ = …`"]
pub struct FlushGuard {
    delivery: Option<Arc<dyn Delivery>>,
    shutdown_timeout: Duration,
    stopped: bool,
}

impl fmt::Debug for FlushGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlushGuard")
            .field("stats", &self.stats())
            .field("running", &!self.stopped)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish()
    }
}

// === impl FlushGuard ===

impl FlushGuard {
    /// A guard of `delivery`, which flushes within `shutdown_timeout` when
    /// dropped. For sink implementations.
    pub fn new(delivery: Arc<dyn Delivery>, shutdown_timeout: Duration) -> Self {
        Self {
            delivery: Some(delivery),
            shutdown_timeout,
            stopped: false,
        }
    }

    /// The layer's counters now.
    pub fn stats(&self) -> Stats {
        self.delivery
            .as_ref()
            .map(|d| d.stats())
            .unwrap_or_default()
    }

    /// Delivers everything emitted before the call now, without waiting for
    /// the flush interval, and waits (at most `timeout`) until it is
    /// settled: sent, dropped or failed ([`stats`](Self::stats) tells
    /// which). The layer keeps running.
    ///
    /// Blocks the calling thread; safe to call from inside a tokio runtime.
    ///
    /// # Errors
    ///
    /// [`FlushTimeout`] when records emitted before the call are still
    /// queued (a slow or failing receiver being retried) after `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), FlushTimeout> {
        let Some(delivery) = self.delivery.as_ref().filter(|_| !self.stopped) else {
            return Ok(());
        };
        let start = Instant::now();
        if delivery.flush(start + timeout) {
            return Ok(());
        }
        Err(FlushTimeout {
            waited: start.elapsed(),
            pending: delivery.stats().queued,
        })
    }

    /// Delivers everything buffered and in flight, retrying as usual until
    /// `timeout` has passed, stops the worker and returns the final
    /// counters. What is still undelivered at the deadline is counted as
    /// `failed` (and reported); events emitted afterwards are counted as
    /// `failed` too.
    ///
    /// Returns by the deadline (plus scheduling noise) whatever the receiver
    /// does. Safe to call from inside a tokio runtime, including a
    /// current-thread one.
    pub fn shutdown(mut self, timeout: Duration) -> Stats {
        self.stop(timeout);
        self.stats()
    }

    fn stop(&mut self, timeout: Duration) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        if let Some(delivery) = &self.delivery {
            delivery.shutdown(Instant::now() + timeout);
        }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.stop(self.shutdown_timeout);
    }
}

/// [`FlushGuard::flush`] ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("flush gave up after {waited:?} with {pending} records not yet delivered")]
#[non_exhaustive]
pub struct FlushTimeout {
    /// How long the flush waited.
    pub waited: Duration,
    /// Records still queued (buffered or in flight) when it gave up.
    pub pending: u64,
}
