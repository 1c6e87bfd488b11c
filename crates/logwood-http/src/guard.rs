//! [`FlushGuard`]: flush, shut down, and deliver what is left on drop.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::batch::Buffer;
use crate::error::{ErrorKind, FlushTimeout};
use crate::stats::Stats;
use crate::worker::Reporter;

/// How often a shutdown checks whether the worker thread has ended, once the
/// layer is closed.
const JOIN_POLL: Duration = Duration::from_millis(1);

/// Keeps an [`HttpLayer`](crate::HttpLayer)'s worker alive; dropping it
/// delivers everything buffered and in flight, waiting at most
/// `shutdown_timeout`.
///
/// Hold it for as long as events should be shipped, typically in `main`:
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use tracing_subscriber::prelude::*;
///
/// let (layer, _guard) = logwood_http::HttpLayer::builder("http://127.0.0.1:9000/frames").build()?;
/// tracing_subscriber::registry().with(layer).init();
/// tracing::info!("shipped before main returns");
/// # Ok(())
/// # }
/// ```
///
/// Write `let _guard = …`, **not** `let _ = …`: the latter drops the guard at
/// once, which shuts the layer down before the first event, and every event
/// is then counted as `failed`.
///
/// Dropping the guard works from a plain `main`, from inside any tokio
/// runtime (current-thread included: the worker has its own) and while a
/// panic unwinds. Whatever is not delivered by the deadline is counted as
/// `failed`, never lost silently; events that arrive after the guard is gone
/// are counted as `failed` too.
#[derive(Debug)]
#[must_use = "dropping the guard shuts the layer down: bind it with `let _guard = …`, not `let _ = …`"]
pub struct FlushGuard {
    buffer: Arc<Buffer>,
    reporter: Arc<Reporter>,
    worker: Option<JoinHandle<()>>,
    shutdown_timeout: Duration,
}

// === impl FlushGuard ===

impl FlushGuard {
    pub(crate) fn new(
        buffer: Arc<Buffer>,
        reporter: Arc<Reporter>,
        worker: JoinHandle<()>,
        shutdown_timeout: Duration,
    ) -> Self {
        Self {
            buffer,
            reporter,
            worker: Some(worker),
            shutdown_timeout,
        }
    }

    /// The layer's counters now.
    pub fn stats(&self) -> Stats {
        self.buffer.stats()
    }

    /// Sends everything emitted before the call now, without waiting for
    /// the flush interval, and waits (at most `shutdown_timeout`) until it
    /// is settled: sent, dropped or failed ([`stats`](Self::stats) tells
    /// which). The layer keeps running.
    ///
    /// Blocks the calling thread; it is safe to call from inside a tokio
    /// runtime (the worker has its own).
    ///
    /// # Errors
    ///
    /// [`FlushTimeout`] when records emitted before the call are still
    /// buffered or in flight (a slow or failing endpoint being retried)
    /// after `shutdown_timeout`.
    pub fn flush(&self) -> Result<(), FlushTimeout> {
        let start = Instant::now();
        let target = self.buffer.request_flush();
        if self
            .buffer
            .wait_settled(target, start + self.shutdown_timeout)
        {
            return Ok(());
        }
        Err(FlushTimeout {
            waited: start.elapsed(),
            pending: self.buffer.stats().in_flight_or_buffered(),
        })
    }

    /// Delivers everything buffered and in flight, retrying as usual until
    /// `timeout` has passed, stops the worker and returns the final
    /// counters. What is still undelivered at the deadline is counted as
    /// `failed` (and reported once on stderr).
    ///
    /// Returns by the deadline (plus scheduling noise) whatever the
    /// endpoint does. Safe to call from inside a tokio runtime, including a
    /// current-thread one.
    pub fn shutdown(mut self, timeout: Duration) -> Stats {
        self.stop(timeout);
        self.buffer.stats()
    }

    fn stop(&mut self, timeout: Duration) {
        let Some(worker) = self.worker.take() else {
            return;
        };
        let deadline = Instant::now() + timeout;
        self.buffer.begin_shutdown(deadline);
        if !self.buffer.wait_closed(deadline) {
            let lost = self.buffer.abandon();
            if lost > 0 {
                let lost = usize::try_from(lost).unwrap_or(usize::MAX);
                let error = self
                    .reporter
                    .error(ErrorKind::Deadline, None, lost, 0, false, "");
                self.reporter.report(&error);
            }
        }
        // The worker ends right after closing; join it if it does so before
        // the deadline, else leave it to end on its own.
        loop {
            if worker.is_finished() {
                worker.join().ok();
                return;
            }
            if Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(JOIN_POLL);
        }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.stop(self.shutdown_timeout);
    }
}
