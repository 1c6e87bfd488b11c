//! The delivery side on the application's threads: [`QueueSink`] hands
//! each record to core's bounded [`RecordQueue`], and [`Shared`] (what the
//! layer, the worker and the guard share) implements core's [`Delivery`]
//! contract behind the [`FlushGuard`](logwood_core::FlushGuard).

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use logwood_core::__private::{Counters, Delivery, Pushed, RecordQueue, Reporter, Sink};
use logwood_core::{DeliveryError, ErrorKind, Stats};
use tracing_core::Metadata;

use crate::transport::AbortHandle;

/// How long a shutdown waits, after its deadline, for a worker whose socket
/// it shut down to notice and count what it could not send.
const ABORT_GRACE: Duration = Duration::from_secs(1);

/// What the layer, the worker and the guard share: the queue, the
/// counters, the reporter, and the shutdown handshake.
pub(crate) struct Shared {
    pub(crate) queue: RecordQueue,
    pub(crate) counters: Arc<Counters>,
    pub(crate) reporter: Reporter,
    /// `buffer_capacity`, for the report of a drop.
    capacity: usize,
    control: Mutex<Control>,
    /// Signalled when a shutdown starts and when the worker is done.
    changed: Condvar,
    /// The worker's stream socket, to unblock it past the shutdown deadline.
    abort: Mutex<Option<AbortHandle>>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug, Default)]
struct Control {
    /// Set by a shutdown: deliver until then, then stop.
    deadline: Option<Instant>,
    /// The worker has finished (and counted what it could not send).
    done: bool,
    /// Flushes so far: one starting wakes a worker waiting in a backoff.
    flushes: u64,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("stats", &self.stats())
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// === impl Shared ===

impl Shared {
    pub(crate) fn new(capacity: usize, drop_extra_events: bool, reporter: Reporter) -> Self {
        Self {
            queue: RecordQueue::new(capacity, drop_extra_events),
            counters: Arc::default(),
            reporter,
            capacity,
            control: Mutex::default(),
            changed: Condvar::new(),
            abort: Mutex::new(None),
            worker: Mutex::new(None),
        }
    }

    /// Keeps the worker's handle, to join it at shutdown.
    pub(crate) fn set_worker(&self, handle: JoinHandle<()>) {
        *lock(&self.worker) = Some(handle);
    }

    /// The shutdown deadline, once a shutdown has started.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        lock(&self.control).deadline
    }

    /// For the worker: waits `delay` (a reconnect backoff), or less when a
    /// flush or a shutdown starts meanwhile (then it tries again at once)
    /// or the shutdown deadline comes first. Returns false when the
    /// shutdown deadline has passed.
    pub(crate) fn pause(&self, delay: Duration) -> bool {
        let mut control = lock(&self.control);
        let shutting_down = control.deadline.is_some();
        let flushes = control.flushes;
        let until = Instant::now() + delay;
        loop {
            let now = Instant::now();
            let until = match control.deadline {
                Some(deadline) if now >= deadline => return false,
                // A shutdown started while waiting: try again at once,
                // while there is time.
                Some(_) if !shutting_down => return true,
                _ if control.flushes != flushes => return true,
                Some(deadline) => until.min(deadline),
                None => until,
            };
            if now >= until {
                return true;
            }
            control = self
                .changed
                .wait_timeout(control, until - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// For the worker: it has finished.
    pub(crate) fn set_done(&self) {
        lock(&self.control).done = true;
        self.changed.notify_all();
    }

    /// Waits until the worker has finished, at most until `until`.
    fn wait_done(&self, until: Instant) -> bool {
        let mut control = lock(&self.control);
        while !control.done {
            let now = Instant::now();
            if now >= until {
                return false;
            }
            control = self
                .changed
                .wait_timeout(control, until - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Sets (or clears) the handle of the worker's current stream socket.
    pub(crate) fn set_abort(&self, handle: Option<AbortHandle>) {
        *lock(&self.abort) = handle;
    }

    /// Shuts the worker's stream socket down, so that a write blocked on a
    /// server that does not read fails at once.
    fn abort(&self) {
        if let Some(handle) = &*lock(&self.abort) {
            handle.abort();
        }
    }
}

impl Delivery for Shared {
    fn stats(&self) -> Stats {
        self.counters.snapshot(&self.reporter)
    }

    /// Wakes the worker (also out of a reconnect backoff, for one attempt
    /// now) and waits until every record queued before the call is
    /// settled, at most until `deadline`.
    fn flush(&self, deadline: Instant) -> bool {
        lock(&self.control).flushes += 1;
        self.changed.notify_all();
        self.queue.flush(deadline)
    }

    /// Delivers what is queued and in the worker's hands until `deadline`
    /// (reconnecting as usual), closes the connection cleanly (TLS with
    /// close_notify), and counts what is left as failed. A worker blocked
    /// writing to a server that does not read is unblocked at the deadline
    /// by shutting its socket down.
    fn shutdown(&self, deadline: Instant) {
        lock(&self.control).deadline = Some(deadline);
        self.changed.notify_all();
        // The worker takes what is queued, then stops; later records fail
        // as `Closed`.
        self.queue.close();
        if !self.wait_done(deadline) {
            self.abort();
            self.wait_done(Instant::now() + ABORT_GRACE);
        }
        if let Some(handle) = lock(&self.worker).take_if(|h| h.is_finished()) {
            // The worker catches nothing that could panic: ignore the result.
            let _finished = handle.join();
        }
    }
}

/// The layer's sink: each record goes to the bounded queue, never waiting
/// on the network (unless `drop_extra_events(false)` asked to wait for
/// room). A record that does not fit is dropped, one that arrives after
/// the shutdown fails; both are counted and reported.
#[derive(Debug, Clone)]
pub(crate) struct QueueSink {
    pub(crate) shared: Arc<Shared>,
}

// === impl QueueSink ===

impl QueueSink {
    /// The counters now.
    pub(crate) fn stats(&self) -> Stats {
        self.shared.stats()
    }
}

impl Sink for QueueSink {
    fn send(&self, _meta: &Metadata<'static>, record: &[u8]) {
        let shared = &*self.shared;
        shared.counters.emitted.incr();
        match shared.queue.push(record) {
            Pushed::Queued => {}
            Pushed::Full => {
                shared.counters.dropped.incr();
                shared.reporter.report(
                    DeliveryError::new(
                        ErrorKind::Dropped,
                        format!(
                            "a record was dropped: the buffer is full ({} records, \
                             `buffer_capacity`)",
                            shared.capacity
                        ),
                    )
                    .with_records(1),
                );
            }
            Pushed::Closed => {
                shared.counters.failed.incr();
                shared.reporter.report(
                    DeliveryError::new(
                        ErrorKind::Closed,
                        "a record arrived after the layer was shut down (its guard was \
                         dropped or shut down); it is lost",
                    )
                    .with_records(1),
                );
            }
        }
    }

    fn fail(&self, error: DeliveryError) {
        let shared = &*self.shared;
        shared.counters.emitted.add(error.records());
        shared.counters.failed.add(error.records());
        shared.reporter.report(error);
    }
}

#[cfg(test)]
mod tests {
    use std::thread;

    use super::*;

    #[test]
    fn a_flush_or_a_shutdown_wakes_a_worker_waiting_in_its_backoff() {
        let shared = Arc::new(Shared::new(10, true, Reporter::new("syslog", None, false)));
        let waiter = {
            let shared = shared.clone();
            thread::spawn(move || {
                let started = Instant::now();
                (shared.pause(Duration::from_secs(60)), started.elapsed())
            })
        };
        thread::sleep(Duration::from_millis(50));
        assert!(Delivery::flush(
            &*shared,
            Instant::now() + Duration::from_secs(1)
        ));
        let (go_on, waited) = waiter.join().unwrap();
        assert!(go_on, "no deadline: try again");
        assert!(waited < Duration::from_secs(30), "{waited:?}");

        let waiter = {
            let shared = shared.clone();
            thread::spawn(move || shared.pause(Duration::from_secs(60)))
        };
        thread::sleep(Duration::from_millis(50));
        lock(&shared.control).deadline = Some(Instant::now());
        shared.changed.notify_all();
        assert!(!waiter.join().unwrap(), "the deadline has passed: stop");
    }
}
