//! [`Reporter`]: every failure to the user's callback, the first of each
//! kind on stderr, none back into `tracing`.

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::error::{DeliveryError, ErrorKind};
use super::stats::Counter;

/// The `on_error` callback every layer's builder takes: it is called with
/// every failure, on the thread where it happened (the application's, for
/// a dropped record; a worker's, for a failed delivery).
pub type OnError = Arc<dyn Fn(&DeliveryError) + Send + Sync + 'static>;

thread_local! {
    /// Set while this thread runs an error callback, so that a callback
    /// that logs cannot recurse into itself.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Reports a sink's failures: counts each one, gives each to the `on_error`
/// callback, and prints the first of each [`ErrorKind`] on stderr as one
/// `[logwood] <sink>: …` line (with its cause), when `log_internal_errors`
/// is on.
///
/// Nothing here goes through `tracing`: a failure of a layer can never come
/// back into the layer as an event. A panicking callback is contained, and
/// a callback that itself causes a failure on the same thread is not
/// called again for it.
pub struct Reporter {
    sink: &'static str,
    on_error: Option<OnError>,
    log_internal_errors: bool,
    once: [AtomicBool; ErrorKind::ALL.len()],
    errors: Counter,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("sink", &self.sink)
            .field("on_error", &self.on_error.as_ref().map(|_| ".."))
            .field("log_internal_errors", &self.log_internal_errors)
            .field("errors", &self.errors.get())
            .finish()
    }
}

// === impl Reporter ===

impl Reporter {
    /// A reporter for the sink named `sink` (`json`, `syslog`, `http`, …).
    pub fn new(sink: &'static str, on_error: Option<OnError>, log_internal_errors: bool) -> Self {
        Self {
            sink,
            on_error,
            log_internal_errors,
            once: Default::default(),
            errors: Counter::default(),
        }
    }

    /// The sink's name.
    pub fn sink(&self) -> &'static str {
        self.sink
    }

    /// How many failures were reported.
    pub fn errors(&self) -> u64 {
        self.errors.get()
    }

    /// Counts a failure of `kind` and, only when someone will see it (a
    /// callback is set, or it is the first of its kind and stderr reports
    /// are on), makes it with `make` and reports it: a flood of drops under
    /// overload then costs a counter increment each, no allocation.
    pub fn report_with(&self, kind: ErrorKind, make: impl FnOnce() -> DeliveryError) {
        let printed = !self.log_internal_errors || self.once[kind.index()].load(Ordering::Relaxed);
        if self.on_error.is_none() && printed {
            self.errors.incr();
            return;
        }
        self.report(make());
    }

    /// Counts `error`, prints it on stderr if it is the first of its kind,
    /// and gives it to the callback.
    pub fn report(&self, mut error: DeliveryError) {
        error.set_sink(self.sink);
        self.errors.incr();
        if self.log_internal_errors
            && !self.once[error.kind().index()].swap(true, Ordering::Relaxed)
        {
            eprintln!(
                "[logwood] {}: {error} (further failures of this kind are counted, not printed)",
                self.sink
            );
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
        let _contained = catch_unwind(AssertUnwindSafe(|| callback(&error)));
        let _ignored = IN_CALLBACK.try_with(|flag| flag.set(false));
    }
}

/// Prints one `[logwood] …` line on stderr the first time a kind of failure
/// happens; later ones are only counted by the caller. (The file writer's
/// reports; the other sinks use [`Reporter`].)
#[derive(Debug, Default)]
pub struct ReportOnce(AtomicBool);

impl ReportOnce {
    /// Prints `message` on stderr if this is the first report; returns
    /// whether it printed.
    pub fn report(&self, component: &str, message: fmt::Arguments<'_>) -> bool {
        if self.0.swap(true, Ordering::Relaxed) {
            return false;
        }
        eprintln!(
            "[logwood] {component}: {message} (further failures of this kind are counted, not printed)"
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn a_panicking_or_reentrant_callback_is_contained_and_every_failure_counted() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let reporter = Arc::new(Mutex::new(None::<Arc<Reporter>>));
        let inner = reporter.clone();
        let r = Arc::new(Reporter::new(
            "test",
            Some(Arc::new(move |e: &DeliveryError| {
                seen2.lock().unwrap().push((e.sink(), e.to_string()));
                // A failure caused inside the callback is counted, not
                // called back.
                if let Some(r) = inner.lock().unwrap().clone() {
                    r.report(DeliveryError::new(ErrorKind::Write, "nested"));
                }
                panic!("callback panics");
            })),
            false,
        ));
        *reporter.lock().unwrap() = Some(r.clone());
        r.report(DeliveryError::new(ErrorKind::Write, "first"));
        r.report(DeliveryError::new(ErrorKind::Dropped, "second"));
        *reporter.lock().unwrap() = None;
        // Without a callback, a kind already printed is only counted: the
        // error is not even made.
        let quiet = Reporter::new("test", None, false);
        quiet.report_with(ErrorKind::Dropped, || unreachable!("not made"));
        assert_eq!(quiet.errors(), 1);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![("test", "first".to_owned()), ("test", "second".to_owned())]
        );
        assert_eq!(r.errors(), 4);
    }
}
