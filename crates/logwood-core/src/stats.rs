//! Counters and once-per-kind error reports.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A monotonic event counter, readable at any time.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

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

/// Prints one `[logwood] …` line on stderr the first time a kind of failure
/// happens; later ones are only counted by the caller.
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
