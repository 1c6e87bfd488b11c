//! The writer's counters: core's shared ones (`emitted`, `sent`,
//! `dropped`, `failed`, `rollovers`) with the reporter every sink has, and
//! the file's own (bytes, reopens, compressions, …).

use std::io;
use std::path::Path;

use logwood_core::__private::{Counter, Counters as CoreCounters, Reporter};
use logwood_core::{DeliveryError, ErrorKind, Stats};

#[derive(Debug)]
pub(super) struct Counters {
    core: CoreCounters,
    reporter: Reporter,
    bytes: Counter,
    rollover_errors: Counter,
    reopens: Counter,
    compressions: Counter,
    compress_errors: Counter,
    deleted: Counter,
}

// === impl Counters ===

impl Counters {
    pub(super) fn new(reporter: Reporter) -> Self {
        Self {
            core: CoreCounters::default(),
            reporter,
            bytes: Counter::default(),
            rollover_errors: Counter::default(),
            reopens: Counter::default(),
            compressions: Counter::default(),
            compress_errors: Counter::default(),
            deleted: Counter::default(),
        }
    }

    /// A line was given to the writer.
    pub(super) fn emitted(&self) {
        self.core.emitted.incr();
    }

    pub(super) fn written(&self, len: usize) {
        self.core.sent.incr();
        self.bytes.add(len as u64);
    }

    pub(super) fn rolled_over(&self) {
        self.core.rollovers.incr();
    }

    pub(super) fn write_failed(&self, path: &Path, err: &io::Error) {
        self.core.failed.incr();
        self.reporter.report_with(ErrorKind::Write, || {
            DeliveryError::new(
                ErrorKind::Write,
                format!("writing `{}` failed, the line is lost", path.display()),
            )
            .with_records(1)
            .with_source(clone_io(err))
        });
    }

    pub(super) fn rollover_failed(&self, path: &Path, err: &io::Error) {
        self.rollover_errors.incr();
        self.reporter.report_with(ErrorKind::Rotation, || {
            DeliveryError::new(
                ErrorKind::Rotation,
                format!(
                    "rolling `{}` over failed, writing on in the current file",
                    path.display()
                ),
            )
            .with_source(clone_io(err))
        });
    }

    /// A line found the queue full (`drop_extra_events(true)`).
    pub(super) fn dropped(&self, path: &Path, capacity: usize) {
        self.core.emitted.incr();
        self.core.dropped.incr();
        self.reporter.report_with(ErrorKind::Dropped, || {
            DeliveryError::new(
                ErrorKind::Dropped,
                format!(
                    "the queue of `{}` is full (`buffer_capacity` {capacity}), dropping lines",
                    path.display()
                ),
            )
            .with_records(1)
        });
    }

    /// A line arrived after the guard shut the writer down.
    pub(super) fn closed(&self, path: &Path) {
        self.core.emitted.incr();
        self.core.failed.incr();
        self.reporter.report_with(ErrorKind::Closed, || {
            DeliveryError::new(
                ErrorKind::Closed,
                format!(
                    "a line for `{}` arrived after the flush guard shut the writer down; it was \
                     not written: keep the guard alive with `let _guard = …` (not `let _ = …`) \
                     until the program ends",
                    path.display()
                ),
            )
            .with_records(1)
        });
    }

    /// Lines still queued when the shutdown deadline passed.
    pub(super) fn abandoned(&self, path: &Path, lines: u64) {
        if lines == 0 {
            return;
        }
        self.core.failed.add(lines);
        self.reporter.report(
            DeliveryError::new(
                ErrorKind::Deadline,
                format!(
                    "{lines} lines were not written to `{}` before the shutdown deadline",
                    path.display()
                ),
            )
            .with_records(lines),
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
        self.reporter.report_with(ErrorKind::Rotation, || {
            DeliveryError::new(
                ErrorKind::Rotation,
                format!(
                    "compressing `{}` failed, it stays uncompressed",
                    path.display()
                ),
            )
            .with_source(clone_io(err))
        });
    }

    /// The shared counters: `emitted`, `sent`, `dropped`, `failed`,
    /// `queued`, `rollovers`, `errors`.
    pub(super) fn stats(&self) -> Stats {
        self.core.snapshot(&self.reporter)
    }

    pub(super) fn snapshot(&self) -> WriterStats {
        let stats = self.stats();
        WriterStats {
            lines: stats.sent,
            bytes: self.bytes.get(),
            rollovers: stats.rollovers,
            write_errors: stats.failed,
            rollover_errors: self.rollover_errors.get(),
            dropped: stats.dropped,
            reopens: self.reopens.get(),
            compressions: self.compressions.get(),
            compress_errors: self.compress_errors.get(),
            deleted: self.deleted.get(),
        }
    }
}

/// An owned copy of `err` (kind and text) to report as a source.
fn clone_io(err: &io::Error) -> io::Error {
    io::Error::new(err.kind(), err.to_string())
}

/// The file-specific counters of a
/// [`RotatingFileWriter`](crate::RotatingFileWriter), from
/// [`file_stats`](crate::RotatingFileWriter::file_stats) (the shared ones,
/// with the accounting identity, are its [`stats`](crate::RotatingFileWriter::stats)).
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
    /// Lines not written: lost to an I/O error (disk full, permission, a
    /// vanished directory), arrived after the shutdown, or still queued at
    /// the shutdown deadline (`Stats::failed`).
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
