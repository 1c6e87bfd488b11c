//! Counters shared by the layer, the worker and the guard, and the failure
//! reporting (callback, stderr once per kind).

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use logwood_core::stats::{Counter, ReportOnce};

use crate::error::{ErrorKind, SyslogError};
use crate::transport::AbortHandle;

/// A snapshot of a syslog layer's counters, in records (syslog messages: an
/// event split into lines by
/// [`Multiline::SplitLines`](crate::Multiline::SplitLines) is several).
///
/// Every record the layer emitted is, at any time, in exactly one of `sent`,
/// `dropped`, `failed` or `queued`:
/// `emitted == sent + dropped + failed + queued`. After
/// [`SyslogGuard::shutdown`](crate::SyslogGuard::shutdown) `queued` is 0
/// (unless events were still being emitted on other threads meanwhile).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Records the layer produced from events.
    pub emitted: u64,
    /// Records written to the server (a successful `write`/`send`; syslog
    /// over TCP has no acknowledgements).
    pub sent: u64,
    /// Records not accepted because the queue was full (with
    /// `drop_extra_events(true)`) or the worker had stopped.
    pub dropped: u64,
    /// Records given up: unsent when the shutdown deadline passed, or
    /// refused by the socket (a datagram too large for it).
    pub failed: u64,
    /// Records waiting in the queue or in the worker's hands.
    pub queued: u64,
    /// Records cut to `max_message_size` (they are also counted as emitted
    /// and then sent, dropped or failed).
    pub truncated: u64,
    /// Connections made again after a failure or after the server closed
    /// the connection.
    pub reconnects: u64,
    /// Delivery failures reported (each also given to the `on_error`
    /// callback): connect, TLS, write errors and drops.
    pub errors: u64,
}

/// The callback of [`on_error`](crate::SyslogLayerBuilder::on_error).
pub(crate) type ErrorCallback = Arc<dyn Fn(&SyslogError) + Send + Sync + 'static>;

thread_local! {
    /// Set while this thread runs the error callback, so that a callback
    /// that logs cannot recurse into itself.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Counters and failure reporting, shared by layer, worker and guard.
pub(crate) struct Shared {
    pub(crate) emitted: Counter,
    pub(crate) sent: Counter,
    pub(crate) dropped: Counter,
    pub(crate) failed: Counter,
    pub(crate) truncated: Counter,
    pub(crate) reconnects: Counter,
    pub(crate) errors: Counter,
    reports: [ReportOnce; ErrorKind::ALL.len()],
    on_error: Option<ErrorCallback>,
    log_internal_errors: bool,
    /// The worker's stream socket, to unblock it past the shutdown deadline.
    abort: Mutex<Option<AbortHandle>>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("stats", &self.snapshot())
            .field("on_error", &self.on_error.as_ref().map(|_| ".."))
            .field("log_internal_errors", &self.log_internal_errors)
            .finish()
    }
}

// === impl Shared ===

impl Shared {
    pub(crate) fn new(on_error: Option<ErrorCallback>, log_internal_errors: bool) -> Self {
        Self {
            emitted: Counter::default(),
            sent: Counter::default(),
            dropped: Counter::default(),
            failed: Counter::default(),
            truncated: Counter::default(),
            reconnects: Counter::default(),
            errors: Counter::default(),
            reports: Default::default(),
            on_error,
            log_internal_errors,
            abort: Mutex::new(None),
        }
    }

    /// Sets (or clears) the handle of the worker's current stream socket.
    pub(crate) fn set_abort(&self, handle: Option<AbortHandle>) {
        *self.abort.lock().unwrap_or_else(PoisonError::into_inner) = handle;
    }

    /// Shuts the worker's stream socket down, so that a write blocked on a
    /// server that does not read fails at once.
    pub(crate) fn abort(&self) {
        if let Some(handle) = &*self.abort.lock().unwrap_or_else(PoisonError::into_inner) {
            handle.abort();
        }
    }

    /// The counters now. `emitted` is read last, so that it is never below
    /// the sum of the others.
    pub(crate) fn snapshot(&self) -> Stats {
        let sent = self.sent.get();
        let dropped = self.dropped.get();
        let failed = self.failed.get();
        let truncated = self.truncated.get();
        let reconnects = self.reconnects.get();
        let errors = self.errors.get();
        let emitted = self.emitted.get();
        Stats {
            emitted,
            sent,
            dropped,
            failed,
            queued: emitted.saturating_sub(sent + dropped + failed),
            truncated,
            reconnects,
            errors,
        }
    }

    /// Counts `error`, prints it on stderr if it is the first of its kind
    /// (and reporting is on), and gives it to the callback.
    pub(crate) fn report(&self, error: &SyslogError) {
        self.errors.incr();
        if self.log_internal_errors {
            self.reports[error.kind().index()].report("syslog", format_args!("{error}"));
        }
        let Some(callback) = &self.on_error else {
            return;
        };
        let entered = IN_CALLBACK
            .try_with(|flag| !flag.replace(true))
            .unwrap_or(false);
        if !entered {
            return;
        }
        // A panicking callback must not take the worker (or the
        // application's thread) down with it.
        let _ignored = catch_unwind(AssertUnwindSafe(|| callback(error)));
        let _ignored = IN_CALLBACK.try_with(|flag| flag.set(false));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn queued_is_what_is_neither_sent_dropped_nor_failed() {
        let shared = Shared::new(None, false);
        shared.emitted.add(10);
        shared.sent.add(5);
        shared.dropped.add(2);
        shared.failed.add(1);
        let stats = shared.snapshot();
        assert_eq!(stats.queued, 2);
        assert_eq!(
            stats.emitted,
            stats.sent + stats.dropped + stats.failed + stats.queued
        );
    }

    #[test]
    fn a_panicking_or_logging_callback_is_contained() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let shared = Arc::new(Shared::new(
            Some(Arc::new(move |e: &SyslogError| {
                seen2.lock().unwrap().push(e.to_string());
                panic!("callback panics");
            })),
            false,
        ));
        shared.report(&SyslogError::new(ErrorKind::Write, "first"));
        shared.report(&SyslogError::new(ErrorKind::Write, "second"));
        assert_eq!(*seen.lock().unwrap(), vec!["first", "second"]);
        assert_eq!(shared.snapshot().errors, 2);
    }
}
