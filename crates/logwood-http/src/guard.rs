//! The worker side of core's [`FlushGuard`]: flush, shut down, and deliver
//! what is left when the guard is dropped.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use logwood_core::__private::Delivery;
use logwood_core::{FlushGuard, Stats};

use crate::batch::Buffer;

/// How often a shutdown checks whether the worker thread has ended, once the
/// layer is closed.
const JOIN_POLL: Duration = Duration::from_millis(1);

/// The batch buffer and the worker thread, as the guard drives them.
#[derive(Debug)]
pub(crate) struct WorkerHandle {
    buffer: Arc<Buffer>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

// === impl WorkerHandle ===

impl WorkerHandle {
    /// The guard of `buffer`'s worker thread `worker`, flushing within
    /// `shutdown_timeout` when dropped.
    pub(crate) fn guard(
        buffer: Arc<Buffer>,
        worker: JoinHandle<()>,
        shutdown_timeout: Duration,
    ) -> FlushGuard {
        let handle = Self {
            buffer,
            worker: Mutex::new(Some(worker)),
        };
        FlushGuard::new(Arc::new(handle), shutdown_timeout)
    }
}

impl Delivery for WorkerHandle {
    fn stats(&self) -> Stats {
        self.buffer.stats()
    }

    fn flush(&self, deadline: Instant) -> bool {
        self.buffer.flush(deadline)
    }

    fn shutdown(&self, deadline: Instant) {
        let worker = self
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(worker) = worker else {
            return;
        };
        self.buffer.close(deadline);
        if !self.buffer.wait_closed(deadline) {
            // Counts what is left as failed and reports it once, naming the
            // last failure.
            self.buffer.abandon();
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
