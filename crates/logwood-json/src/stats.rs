//! The counters of the JSON and pattern layers.

use std::io;
use std::sync::Arc;

use logwood_core::stats::{Counter, ReportOnce};

#[derive(Debug, Default)]
pub(crate) struct Counters {
    written: Counter,
    write_errors: Counter,
    write_error_report: ReportOnce,
}

// === impl Counters ===

impl Counters {
    pub(crate) fn written(&self) {
        self.written.incr();
    }

    /// Counts a lost record and reports the first failure on stderr.
    pub(crate) fn write_failed(&self, component: &str, report: bool, err: &io::Error) {
        self.write_errors.incr();
        if report {
            self.write_error_report
                .report(component, format_args!("writing a record failed: {err}"));
        }
    }

    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            written: self.written.get(),
            write_errors: self.write_errors.get(),
        }
    }
}

/// A snapshot of a [`JsonLayer`](crate::JsonLayer)'s or a
/// [`PatternLayer`](crate::PatternLayer)'s counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Records written whole.
    pub written: u64,
    /// Records the writer failed to take (each one lost, and counted here).
    pub write_errors: u64,
}

/// Reads a layer's counters from anywhere; see
/// [`JsonLayer::stats_handle`](crate::JsonLayer::stats_handle) and
/// [`PatternLayer::stats_handle`](crate::PatternLayer::stats_handle).
#[derive(Debug, Clone)]
pub struct StatsHandle(pub(crate) Arc<Counters>);

impl StatsHandle {
    /// The counters now.
    pub fn get(&self) -> Stats {
        self.0.snapshot()
    }
}
