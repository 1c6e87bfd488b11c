//! Configuration of [`RotatingFileWriter`].

use std::path::PathBuf;
use std::time::Duration;

use super::writer::Settings;
use crate::{BuildError, RotatingFileWriter};

/// [`max_bytes`](RotatingFileWriterBuilder::max_bytes) by default: never
/// roll over (Python's `maxBytes=0`).
pub const DEFAULT_MAX_BYTES: u64 = 0;

/// [`backup_count`](RotatingFileWriterBuilder::backup_count) by default
/// (Python's `backupCount=0`).
pub const DEFAULT_BACKUP_COUNT: usize = 0;

/// [`buffered_lines_limit`](RotatingFileWriterBuilder::buffered_lines_limit)
/// by default (tracing-appender's).
pub const DEFAULT_BUFFERED_LINES_LIMIT: usize = 128_000;

/// [`flush_timeout`](RotatingFileWriterBuilder::flush_timeout) by default.
pub const DEFAULT_FLUSH_TIMEOUT: Duration = Duration::from_secs(1);

/// Builds a [`RotatingFileWriter`]; made by [`RotatingFileWriter::builder`].
///
/// # Default values
///
/// | option | default |
/// | --- | --- |
/// | [`max_bytes`](Self::max_bytes) | [`DEFAULT_MAX_BYTES`] (`0`: never roll over) |
/// | [`backup_count`](Self::backup_count) | [`DEFAULT_BACKUP_COUNT`] (`0`) |
/// | [`non_blocking`](Self::non_blocking) | `false` |
/// | [`buffered_lines_limit`](Self::buffered_lines_limit) | [`DEFAULT_BUFFERED_LINES_LIMIT`] (128,000) |
/// | [`lossy`](Self::lossy) | `true` |
/// | [`flush_timeout`](Self::flush_timeout) | [`DEFAULT_FLUSH_TIMEOUT`] (1 s) |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
#[derive(Debug)]
#[must_use]
pub struct RotatingFileWriterBuilder {
    path: PathBuf,
    max_bytes: u64,
    backup_count: usize,
    non_blocking: bool,
    buffered_lines_limit: usize,
    lossy: bool,
    flush_timeout: Duration,
    log_internal_errors: bool,
}

// === impl RotatingFileWriterBuilder ===

impl RotatingFileWriterBuilder {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            max_bytes: DEFAULT_MAX_BYTES,
            backup_count: DEFAULT_BACKUP_COUNT,
            non_blocking: false,
            buffered_lines_limit: DEFAULT_BUFFERED_LINES_LIMIT,
            lossy: true,
            flush_timeout: DEFAULT_FLUSH_TIMEOUT,
            log_internal_errors: true,
        }
    }

    /// Rolls the file over before a line that would bring it to `max_bytes`
    /// or more; `0` never rolls over.
    ///
    /// By default, `0`.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Keeps this many backups (`app.log.1` … `app.log.N`); `0` truncates
    /// the file at rollover instead.
    ///
    /// By default, `0`.
    pub fn backup_count(mut self, backup_count: usize) -> Self {
        self.backup_count = backup_count;
        self
    }

    /// Whether lines are written by a background thread (the caller only
    /// queues them) rather than on the caller's thread.
    ///
    /// By default, they are written on the caller's thread.
    pub fn non_blocking(mut self, non_blocking: bool) -> Self {
        self.non_blocking = non_blocking;
        self
    }

    /// In `non_blocking` mode, how many lines may wait for the background
    /// thread; must be greater than zero.
    ///
    /// By default, 128,000.
    pub fn buffered_lines_limit(mut self, limit: usize) -> Self {
        self.buffered_lines_limit = limit;
        self
    }

    /// In `non_blocking` mode, whether a line that finds the queue full is
    /// dropped (and counted in [`WriterStats::dropped`](crate::WriterStats::dropped))
    /// rather than making the caller wait for room.
    ///
    /// By default, it is dropped.
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// How long a [`WriterGuard`](crate::WriterGuard) (or the last clone of
    /// the writer) waits, when dropped, for the queued lines to be written.
    ///
    /// By default, one second.
    pub fn flush_timeout(mut self, timeout: Duration) -> Self {
        self.flush_timeout = timeout;
        self
    }

    /// Whether the first failure of each kind (a lost line, a failed
    /// rollover, a full queue) is reported on stderr as one
    /// `[logwood] rotate: …` line. Failures are always counted in
    /// [`RotatingFileWriter::stats`].
    ///
    /// By default, they are reported.
    pub fn log_internal_errors(mut self, report: bool) -> Self {
        self.log_internal_errors = report;
        self
    }

    /// Opens (creating) the file for appending and, in `non_blocking` mode,
    /// starts the background thread.
    ///
    /// # Errors
    ///
    /// [`BuildError::OpenFile`] (naming the path) when the file cannot be
    /// opened, [`BuildError::NotAFilePath`] when the path names no file,
    /// [`BuildError::ZeroBufferedLines`], [`BuildError::SpawnWorker`].
    pub fn build(self) -> Result<RotatingFileWriter, BuildError> {
        if self.path.file_name().is_none() {
            return Err(BuildError::NotAFilePath { path: self.path });
        }
        let queue_limit = match (self.non_blocking, self.buffered_lines_limit) {
            (false, _) => None,
            (true, 0) => return Err(BuildError::ZeroBufferedLines),
            (true, limit) => Some(limit),
        };
        RotatingFileWriter::open(Settings {
            path: self.path,
            max_bytes: self.max_bytes,
            backup_count: self.backup_count,
            queue_limit,
            lossy: self.lossy,
            flush_timeout: self.flush_timeout,
            log_internal_errors: self.log_internal_errors,
        })
    }
}
