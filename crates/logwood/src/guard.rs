//! [`Guard`]: the one guard of everything `init()` started, and
//! [`SinkStats`], each sink's [`Stats`] by name.

use std::fmt;
use std::io::Write as _;
use std::thread;
use std::time::Duration;

use logwood_core::{FlushGuard, FlushTimeout, Stats, StatsHandle};

use crate::sinks::Built;

/// The one guard of every sink [`init`](crate::init) started: dropping it
/// delivers what the buffered sinks (file, syslog, HTTP, OTLP) still hold,
/// waiting at most `shutdown_timeout` (all sinks at once, not one after
/// the other).
///
/// Keep it until the program ends: `let _guard = logwood::init();` in
/// `main`, **not** `let _ = logwood::init();`, which drops it at once (the
/// sinks are then shut down before the first event, and every event is
/// counted as failed).
///
/// # Exiting
///
/// `std::process::exit` does not run destructors, so a guard still alive
/// when it is called is never dropped: what the buffered sinks hold (a
/// second of HTTP or OTLP batches, the syslog queue, a non-blocking file's
/// queue)
/// is lost without a word. Call [`shutdown`](Self::shutdown) (or
/// `drop(guard)`) first:
///
/// ```no_run
/// # fn failed() -> bool { true }
/// let guard = logwood::init();
/// tracing::error!("cannot go on");
/// if failed() {
///     guard.shutdown(std::time::Duration::from_secs(5));
///     std::process::exit(2);
/// }
/// ```
///
/// Returning from `main` (with `Ok`, an `Err` or a panic unwinding
/// through it) drops the guard as expected. A panic with
/// `panic = "abort"` does not.
#[must_use = "dropping the guard shuts logging down: bind it with `let _guard = …`, not `let _ = …`"]
pub struct Guard {
    sinks: Vec<SinkGuard>,
    shutdown_timeout: Duration,
    stopped: bool,
}

/// One sink's guard or counters.
struct SinkGuard {
    name: &'static str,
    guard: Option<FlushGuard>,
    /// The counters of a sink without a guard (stdout).
    stats: Option<StatsHandle>,
    /// The final counters, once the guard is shut down.
    last: Option<Stats>,
}

impl SinkGuard {
    fn stats(&self) -> Stats {
        match (&self.guard, &self.last, &self.stats) {
            (Some(guard), _, _) => guard.stats(),
            (None, Some(last), _) => *last,
            (None, None, Some(handle)) => handle.get(),
            (None, None, None) => Stats::default(),
        }
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("sinks", &self.stats())
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("running", &!self.stopped)
            .finish()
    }
}

// === impl Guard ===

impl Guard {
    /// The guard of `built`, and their layers.
    pub(crate) fn new(
        built: Vec<Built>,
        shutdown_timeout: Duration,
    ) -> (Self, Vec<crate::sinks::BoxLayer>) {
        let mut layers = Vec::with_capacity(built.len());
        let sinks = built
            .into_iter()
            .map(|b| {
                layers.push(b.layer);
                SinkGuard {
                    name: b.name,
                    guard: b.guard,
                    stats: b.stats,
                    last: None,
                }
            })
            .collect();
        let guard = Guard {
            sinks,
            shutdown_timeout,
            stopped: false,
        };
        (guard, layers)
    }

    /// The names of the sinks that are on, in order (`stdout`, `file`,
    /// `syslog`, `http`, `otlp`).
    pub fn sinks(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.sinks.iter().map(|s| s.name)
    }

    /// Each sink's counters now.
    pub fn stats(&self) -> SinkStats {
        SinkStats(self.sinks.iter().map(|s| (s.name, s.stats())).collect())
    }

    /// Delivers what every buffered sink holds now (without waiting for
    /// the flush interval), waiting at most `timeout` for all of them
    /// together. The sinks keep running.
    ///
    /// # Errors
    ///
    /// The [`FlushTimeout`] of a sink whose records were not all settled
    /// in time (the one with the most records pending).
    pub fn flush(&self, timeout: Duration) -> Result<(), FlushTimeout> {
        // Stdout is written at each event; its buffer is the standard
        // library's, flushed at each line, or here.
        std::io::stdout().flush().ok();
        let results: Vec<Result<(), FlushTimeout>> = thread::scope(|scope| {
            let handles: Vec<_> = self
                .sinks
                .iter()
                .filter_map(|s| s.guard.as_ref())
                .map(|guard| scope.spawn(move || guard.flush(timeout)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(Ok(())))
                .collect()
        });
        match results
            .into_iter()
            .filter_map(Result::err)
            .max_by_key(|e| e.pending)
        {
            Some(timeout) => Err(timeout),
            None => Ok(()),
        }
    }

    /// Delivers what every buffered sink holds, retrying as usual until
    /// `timeout` has passed (for all sinks together), stops their workers
    /// and returns each sink's final counters. Events after this are
    /// counted as failed by the buffered sinks; stdout keeps writing.
    pub fn shutdown(mut self, timeout: Duration) -> SinkStats {
        self.stop(timeout);
        self.stats()
    }

    fn stop(&mut self, timeout: Duration) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        std::io::stdout().flush().ok();
        thread::scope(|scope| {
            let shutdowns: Vec<_> = self
                .sinks
                .iter_mut()
                .filter_map(|sink| {
                    let guard = sink.guard.take()?;
                    Some((sink, scope.spawn(move || guard.shutdown(timeout))))
                })
                .collect();
            for (sink, shutdown) in shutdowns {
                sink.last = shutdown.join().ok();
            }
        });
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop(self.shutdown_timeout);
    }
}

/// Each sink's [`Stats`], by sink name (`stdout`, `file`, `syslog`,
/// `http`, `otlp`), in the order the sinks were built.
///
/// Its `Display` writes one line per sink:
/// `http: emitted 12, sent 12, dropped 0, failed 0, queued 0`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkStats(Vec<(&'static str, Stats)>);

// === impl SinkStats ===

impl SinkStats {
    /// The counters of the sink named `sink`, if it is on.
    pub fn get(&self, sink: &str) -> Option<&Stats> {
        self.0.iter().find(|(n, _)| *n == sink).map(|(_, s)| s)
    }

    /// Each sink's name and counters, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Stats)> {
        self.0.iter().map(|(n, s)| (*n, s))
    }

    /// Whether every sink's counters balance
    /// (`emitted = sent + dropped + failed + queued`).
    pub fn is_balanced(&self) -> bool {
        self.0.iter().all(|(_, s)| s.is_balanced())
    }
}

impl fmt::Display for SinkStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, s)) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{name}: emitted {}, sent {}, dropped {}, failed {}, queued {}",
                s.emitted, s.sent, s.dropped, s.failed, s.queued
            )?;
        }
        Ok(())
    }
}
