//! The writer's counters and once-per-kind stderr reports.

use std::fmt;
use std::io;
use std::path::Path;

use logwood_core::__private::{Counter, ReportOnce};

#[derive(Debug, Default)]
pub(super) struct Counters {
    lines: Counter,
    bytes: Counter,
    rollovers: Counter,
    write_errors: Counter,
    rollover_errors: Counter,
    dropped: Counter,
    reopens: Counter,
    compressions: Counter,
    compress_errors: Counter,
    deleted: Counter,
    write_report: ReportOnce,
    rollover_report: ReportOnce,
    dropped_report: ReportOnce,
    compress_report: ReportOnce,
    /// Whether failures are reported on stderr.
    pub(super) report: bool,
}

// === impl Counters ===

impl Counters {
    pub(super) fn new(report: bool) -> Self {
        Self {
            report,
            ..Self::default()
        }
    }

    pub(super) fn written(&self, len: usize) {
        self.lines.incr();
        self.bytes.add(len as u64);
    }

    pub(super) fn rolled_over(&self) {
        self.rollovers.incr();
    }

    fn report(&self, once: &ReportOnce, message: fmt::Arguments<'_>) {
        if self.report {
            once.report("rotate", message);
        }
    }

    pub(super) fn write_failed(&self, path: &Path, err: &io::Error) {
        self.write_errors.incr();
        self.report(
            &self.write_report,
            format_args!(
                "writing `{}` failed, the line is lost: {err}",
                path.display()
            ),
        );
    }

    pub(super) fn rollover_failed(&self, path: &Path, err: &io::Error) {
        self.rollover_errors.incr();
        self.report(
            &self.rollover_report,
            format_args!(
                "rolling `{}` over failed, writing on in the current file: {err}",
                path.display()
            ),
        );
    }

    pub(super) fn dropped(&self, path: &Path) {
        self.dropped.incr();
        self.report(
            &self.dropped_report,
            format_args!(
                "the queue of `{}` is full (`buffered_lines_limit`), dropping lines",
                path.display()
            ),
        );
    }

    pub(super) fn reopened(&self) {
        self.reopens.incr();
    }

    pub(super) fn compressed(&self) {
        self.compressions.incr();
    }

    pub(super) fn deleted(&self) {
        self.deleted.incr();
    }

    pub(super) fn compress_failed(&self, path: &Path, err: &io::Error) {
        self.compress_errors.incr();
        self.report(
            &self.compress_report,
            format_args!(
                "compressing `{}` failed, it stays uncompressed: {err}",
                path.display()
            ),
        );
    }

    pub(super) fn snapshot(&self) -> WriterStats {
        WriterStats {
            lines: self.lines.get(),
            bytes: self.bytes.get(),
            rollovers: self.rollovers.get(),
            write_errors: self.write_errors.get(),
            rollover_errors: self.rollover_errors.get(),
            dropped: self.dropped.get(),
            reopens: self.reopens.get(),
            compressions: self.compressions.get(),
            compress_errors: self.compress_errors.get(),
            deleted: self.deleted.get(),
        }
    }
}

/// A snapshot of a [`RotatingFileWriter`](crate::RotatingFileWriter)'s
/// counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriterStats {
    /// Lines written whole.
    pub lines: u64,
    /// Bytes of those lines.
    pub bytes: u64,
    /// Rollovers done, by size or by time (with size rotation alone and
    /// `backup_count = 0`: truncations).
    pub rollovers: u64,
    /// Lines lost to an I/O error (disk full, permission, a vanished
    /// directory).
    pub write_errors: u64,
    /// Rollovers that failed (the line went on into the current file).
    pub rollover_errors: u64,
    /// Lines dropped because the `non_blocking` queue was full.
    pub dropped: u64,
    /// Times the path was reopened because it named another file or none
    /// (logrotate renamed or removed it; see
    /// [`watch`](crate::RotatingFileWriterBuilder::watch)).
    pub reopens: u64,
    /// Rotated files compressed.
    pub compressions: u64,
    /// Rotated files that could not be compressed (they stay uncompressed,
    /// and the next start tries again).
    pub compress_errors: u64,
    /// Rotated files deleted by retention (beyond `backup_count`).
    pub deleted: u64,
}
