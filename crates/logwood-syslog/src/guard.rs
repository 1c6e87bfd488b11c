//! The guard: flushes and stops the worker on drop or `shutdown`.

use std::fmt;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::Stats;
use crate::stats::Shared;
use crate::worker::Control;

/// How long the guard waits, after the deadline, for a worker whose socket
/// it shut down to notice and count what it could not send.
const ABORT_GRACE: Duration = Duration::from_secs(1);

/// Flushes the syslog layer's queue and stops its worker when dropped;
/// returned by [`SyslogLayerBuilder::build`](crate::SyslogLayerBuilder::build).
///
/// Keep it alive as long as events should be sent, typically in `main`:
/// `let (layer, _guard) = …build()?;`. Writing `let _ = …` drops it at once,
/// which stops the worker before the first event.
///
/// On drop it sends what is queued within
/// [`shutdown_timeout`](crate::SyslogLayerBuilder::shutdown_timeout),
/// closes the connection (TLS with close_notify) and counts whatever is
/// left as `failed`. [`shutdown`](Self::shutdown) does the same with a
/// deadline of your choice and returns the final [`Stats`].
#[must_use = "dropping the guard stops the worker: keep it alive (`let _guard = …`, not `let _ = …`)"]
pub struct SyslogGuard {
    shared: Arc<Shared>,
    control: Sender<Control>,
    done: Receiver<()>,
    handle: Option<JoinHandle<()>>,
    shutdown_timeout: Duration,
}

impl fmt::Debug for SyslogGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyslogGuard")
            .field("stats", &self.shared.snapshot())
            .field("running", &self.handle.is_some())
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish()
    }
}

// === impl SyslogGuard ===

impl SyslogGuard {
    pub(crate) fn new(
        shared: Arc<Shared>,
        control: Sender<Control>,
        done: Receiver<()>,
        handle: JoinHandle<()>,
        shutdown_timeout: Duration,
    ) -> Self {
        Self {
            shared,
            control,
            done,
            handle: Some(handle),
            shutdown_timeout,
        }
    }

    /// The layer's counters now.
    pub fn stats(&self) -> Stats {
        self.shared.snapshot()
    }

    /// Waits until every record emitted so far has been sent, dropped or
    /// failed (`queued == 0`), at most `timeout`; returns whether it has.
    /// The worker keeps running.
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.shared.snapshot().queued == 0 {
                return true;
            }
            if Instant::now() >= deadline || self.handle.as_ref().is_none_or(|h| h.is_finished()) {
                return self.shared.snapshot().queued == 0;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Sends what is queued, closes the connection and stops the worker,
    /// within `timeout`; returns the final counters.
    ///
    /// Records still unsent at the deadline are counted as `failed`. A
    /// worker blocked writing to a server that does not read is unblocked
    /// by shutting its socket down at the deadline; this returns at most
    /// about a second after it.
    pub fn shutdown(mut self, timeout: Duration) -> Stats {
        self.stop(timeout);
        self.shared.snapshot()
    }

    fn stop(&mut self, timeout: Duration) {
        let Some(handle) = self.handle.take() else {
            return;
        };
        let deadline = Instant::now() + timeout;
        let _full = self.control.try_send(Control::Shutdown(deadline));
        if let Err(RecvTimeoutError::Timeout) = self.done.recv_deadline(deadline) {
            self.shared.abort();
            let _ignored = self.done.recv_timeout(ABORT_GRACE);
        }
        if handle.is_finished() {
            let _ignored = handle.join();
        }
    }
}

impl Drop for SyslogGuard {
    fn drop(&mut self) {
        self.stop(self.shutdown_timeout);
    }
}
