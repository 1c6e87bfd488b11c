//! Configuration of [`RotatingFileWriter`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use logwood_core::__private::{DeliveryOptions, LayerOptions};
use logwood_core::{DEFAULT_SHUTDOWN_TIMEOUT, DeliveryError, FlushGuard};

use super::clock::Clock;
use super::compress::Compression;
use super::file::Policy;
use super::timed::{Schedule, When};
use super::writer::Settings;
use crate::{BuildError, RotatingFileWriter};

/// [`max_bytes`](RotatingFileWriterBuilder::max_bytes) by default: never
/// roll over by size (Python's `maxBytes=0`).
pub const DEFAULT_MAX_BYTES: u64 = 0;

/// [`backup_count`](RotatingFileWriterBuilder::backup_count) by default
/// (Python's `backupCount=0`).
pub const DEFAULT_BACKUP_COUNT: usize = 0;

/// [`interval`](RotatingFileWriterBuilder::interval) by default (Python's
/// `interval=1`).
pub const DEFAULT_INTERVAL: u32 = 1;

/// [`watch_interval`](RotatingFileWriterBuilder::watch_interval) by
/// default: the path is checked (one `stat`) at most once a second.
pub const DEFAULT_WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// [`buffer_capacity`](RotatingFileWriterBuilder::buffer_capacity) by
/// default, in `non_blocking` mode (tracing-appender's).
pub const DEFAULT_BUFFER_CAPACITY: usize = 128_000;

/// The former name of [`DEFAULT_BUFFER_CAPACITY`].
#[deprecated(note = "renamed `DEFAULT_BUFFER_CAPACITY` (the option is `buffer_capacity`)")]
pub const DEFAULT_BUFFERED_LINES_LIMIT: usize = DEFAULT_BUFFER_CAPACITY;

/// The former default of `flush_timeout`, now
/// [`shutdown_timeout`](RotatingFileWriterBuilder::shutdown_timeout), whose
/// default is core's `DEFAULT_SHUTDOWN_TIMEOUT` (5 s).
#[deprecated(
    note = "the option is `shutdown_timeout`, default `logwood_core::DEFAULT_SHUTDOWN_TIMEOUT`"
)]
pub const DEFAULT_FLUSH_TIMEOUT: Duration = DEFAULT_SHUTDOWN_TIMEOUT;

/// Builds a [`RotatingFileWriter`]; made by [`RotatingFileWriter::builder`].
///
/// A Python user sets `max_bytes` / `backup_count` as for
/// `RotatingFileHandler` and `when` / `interval` / `utc` / `at_time` as for
/// `TimedRotatingFileHandler`; one writer takes both (the file rolls over
/// at whichever comes first).
///
/// # Default values
///
/// | option | default |
/// | --- | --- |
/// | [`max_bytes`](Self::max_bytes) | [`DEFAULT_MAX_BYTES`] (`0`: never roll over by size) |
/// | [`backup_count`](Self::backup_count) | [`DEFAULT_BACKUP_COUNT`] (`0`) |
/// | [`when`](Self::when) | none: never roll over by time |
/// | [`interval`](Self::interval) | [`DEFAULT_INTERVAL`] (`1`) |
/// | [`utc`](Self::utc) | `false`: local time |
/// | [`at_time`](Self::at_time) | none: midnight |
/// | [`compression`](Self::compression) | [`Compression::None`] |
/// | [`watch`](Self::watch) | `true` |
/// | [`watch_interval`](Self::watch_interval) | [`DEFAULT_WATCH_INTERVAL`] (1 s) |
/// | [`non_blocking`](Self::non_blocking) | `false` |
/// | [`buffer_capacity`](Self::buffer_capacity) | [`DEFAULT_BUFFER_CAPACITY`] (128,000 lines) |
/// | [`drop_extra_events`](Self::drop_extra_events) | `true` |
/// | [`shutdown_timeout`](Self::shutdown_timeout) | `DEFAULT_SHUTDOWN_TIMEOUT` (5 s) |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
/// | [`on_error`](Self::on_error) | none |
#[derive(Debug)]
#[must_use]
pub struct RotatingFileWriterBuilder {
    path: PathBuf,
    max_bytes: u64,
    backup_count: usize,
    when: Option<When>,
    interval: u32,
    utc: bool,
    at_time: Option<(u8, u8, u8)>,
    compression: Compression,
    watch: bool,
    watch_interval: Duration,
    clock: Clock,
    non_blocking: bool,
    delivery: DeliveryOptions,
    /// Only the reporting half (`log_internal_errors`, `on_error`) applies.
    reporting: LayerOptions,
}

// === impl RotatingFileWriterBuilder ===

impl RotatingFileWriterBuilder {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            max_bytes: DEFAULT_MAX_BYTES,
            backup_count: DEFAULT_BACKUP_COUNT,
            when: None,
            interval: DEFAULT_INTERVAL,
            utc: false,
            at_time: None,
            compression: Compression::None,
            watch: true,
            watch_interval: DEFAULT_WATCH_INTERVAL,
            clock: Clock::System,
            non_blocking: false,
            delivery: DeliveryOptions::new(DEFAULT_BUFFER_CAPACITY),
            reporting: LayerOptions::new(false, false),
        }
    }

    /// Rolls the file over before a line that would bring it to `max_bytes`
    /// or more; `0` never rolls over by size.
    ///
    /// By default, `0`.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Keeps this many rotated files: `app.log.1` … `app.log.N` with size
    /// rotation alone, the newest N dated files with [`when`](Self::when).
    /// `0` keeps every dated file, or (size rotation alone) truncates the
    /// file at rollover instead.
    ///
    /// By default, `0`.
    pub fn backup_count(mut self, backup_count: usize) -> Self {
        self.backup_count = backup_count;
        self
    }

    /// Rolls the file over by time, as Python's `TimedRotatingFileHandler`
    /// with this `when` (see [`When`] and the naming table on
    /// [`RotatingFileWriter`]). With [`max_bytes`](Self::max_bytes) too,
    /// the file rolls over at whichever comes first.
    ///
    /// By default, the file never rolls over by time.
    pub fn when(mut self, when: When) -> Self {
        self.when = Some(when);
        self
    }

    /// How many units of [`when`](Self::when) (seconds, …, days, weeks)
    /// make one rotation interval; must be greater than zero. No effect
    /// without `when`.
    ///
    /// By default, `1`.
    pub fn interval(mut self, interval: u32) -> Self {
        self.interval = interval;
        self
    }

    /// Whether [`when`](Self::when)'s schedule and the rotated files' names
    /// are in UTC rather than local time. Local time is the system's zone
    /// (`TZ`, else `/etc/localtime`), read once at `build()`, and is
    /// followed across DST changes as Python does. No effect without
    /// `when`.
    ///
    /// By default, local time.
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        self
    }

    /// With [`When::Midnight`] or a weekday (`W0` … `W6`), rolls over at
    /// this time of day instead of midnight (Python's `atTime`). Checked by
    /// `build()`: hours 0–23, minutes and seconds 0–59, and only with those
    /// `when` values.
    ///
    /// By default, at midnight.
    pub fn at_time(mut self, hour: u8, minute: u8, second: u8) -> Self {
        self.at_time = Some((hour, minute, second));
        self
    }

    /// Compresses each rotated file on a background thread (never the
    /// caller's): `app.log.1.gz`, `app.log.2026-11-27.gz`. Retention counts
    /// a rotated file once, compressed or still waiting.
    ///
    /// By default, rotated files are not compressed.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Whether the writer notices that its path was rotated away from under
    /// it, as Python's `WatchedFileHandler`: when the path names another
    /// file or none (logrotate renamed or removed it), the writer reopens
    /// it; when the file shrank (logrotate's `copytruncate`), the writer
    /// takes its new size. At most one `stat` per
    /// [`watch_interval`](Self::watch_interval).
    ///
    /// By default, the path is watched.
    pub fn watch(mut self, watch: bool) -> Self {
        self.watch = watch;
        self
    }

    /// How often, at most, [`watch`](Self::watch) checks the path (by the
    /// writer's clock, before a line is written); `Duration::ZERO` checks
    /// before every line, as `WatchedFileHandler` does. Lines written
    /// between a rename and the next check go into the renamed file.
    ///
    /// By default, once a second.
    pub fn watch_interval(mut self, interval: Duration) -> Self {
        self.watch_interval = interval;
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

    logwood_core::delivery_option_setters!(delivery, capacity: "128,000 lines (`non_blocking` mode only)");

    /// The former name of [`buffer_capacity`](Self::buffer_capacity).
    #[deprecated(note = "renamed `buffer_capacity`, as on every logwood builder")]
    pub fn buffered_lines_limit(self, limit: usize) -> Self {
        self.buffer_capacity(limit)
    }

    /// The former name of [`drop_extra_events`](Self::drop_extra_events).
    #[deprecated(note = "renamed `drop_extra_events`, as on every logwood builder")]
    pub fn lossy(self, lossy: bool) -> Self {
        self.drop_extra_events(lossy)
    }

    /// The former name of [`shutdown_timeout`](Self::shutdown_timeout).
    #[deprecated(note = "renamed `shutdown_timeout`, as on every logwood builder")]
    pub fn flush_timeout(self, timeout: Duration) -> Self {
        self.shutdown_timeout(timeout)
    }

    /// Whether the first failure of each kind (a lost line, a failed
    /// rollover, a failed compression, a full queue) is printed on stderr
    /// as one `[logwood] file: …` line with its cause. Failures are always
    /// counted in [`RotatingFileWriter::stats`] and given to
    /// [`on_error`](Self::on_error).
    ///
    /// By default, they are printed.
    pub fn log_internal_errors(mut self, report: bool) -> Self {
        self.reporting.set_log_internal_errors(report);
        self
    }

    /// Calls `callback` with every failure (a lost line, a failed rollover
    /// or compression, a dropped line), on the thread where it happened.
    /// Keep it short and non-blocking; a panic in it is caught.
    ///
    /// By default, there is none.
    pub fn on_error<F>(mut self, callback: F) -> Self
    where
        F: Fn(&DeliveryError) + Send + Sync + 'static,
    {
        self.reporting.set_on_error(Arc::new(callback));
        self
    }

    /// Test seam, not a stable API: the clock timed rotation and the watch
    /// read (once per line), instead of the system clock.
    #[doc(hidden)]
    pub fn with_clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Clock::Custom(Arc::new(now));
        self
    }

    /// Checks the options, opens (creating) the file for appending and
    /// starts the background threads (`non_blocking`'s writer; with
    /// compression, the compressor, which first deletes leftover temporary
    /// files and compresses rotated files left uncompressed). Returns the
    /// writer (a `MakeWriter`, cheap to clone) and its [`FlushGuard`]: keep
    /// the guard until the program ends (`let (file, _guard) = …`); dropping
    /// it writes what is queued and waits for pending compressions, within
    /// [`shutdown_timeout`](Self::shutdown_timeout).
    ///
    /// # Errors
    ///
    /// [`BuildError::OpenFile`] (naming the path) when the file cannot be
    /// opened, [`BuildError::NotAFilePath`] when the path names no file,
    /// [`BuildError::ZeroInterval`], [`BuildError::InvalidAtTime`],
    /// [`BuildError::AtTimeNeedsDailyWhen`],
    /// [`BuildError::CompressionUnavailable`],
    /// [`BuildError::InvalidOption`] (`buffer_capacity` zero),
    /// [`BuildError::SpawnWorker`], [`BuildError::SpawnCompressor`].
    pub fn build(self) -> Result<(RotatingFileWriter, FlushGuard), BuildError> {
        if self.path.file_name().is_none() {
            return Err(BuildError::NotAFilePath { path: self.path });
        }
        let at_time = match self.at_time {
            None => None,
            Some((hour, minute, second)) => {
                if hour > 23 || minute > 59 || second > 59 {
                    return Err(BuildError::InvalidAtTime {
                        hour,
                        minute,
                        second,
                    });
                }
                if !self.when.is_some_and(When::on_the_clock) {
                    return Err(BuildError::AtTimeNeedsDailyWhen { when: self.when });
                }
                Some((u32::from(hour) * 60 + u32::from(minute)) * 60 + u32::from(second))
            }
        };
        let schedule = match self.when {
            Some(_) if self.interval == 0 => return Err(BuildError::ZeroInterval),
            Some(when) => Some(Schedule::new(when, self.interval, self.utc, at_time)),
            None => None,
        };
        if !self.compression.available() {
            return Err(BuildError::CompressionUnavailable {
                compression: self.compression,
            });
        }
        let queue_capacity = if self.non_blocking {
            self.delivery.validate()?;
            Some(self.delivery.buffer_capacity)
        } else {
            None
        };
        RotatingFileWriter::open(Settings {
            policy: Policy {
                path: self.path,
                max_bytes: self.max_bytes,
                backup_count: self.backup_count,
                schedule,
                compressed_ext: self.compression.extension(),
                watch: self.watch.then_some(self.watch_interval),
                clock: self.clock,
            },
            compression: self.compression,
            queue_capacity,
            drop_extra_events: self.delivery.drop_extra_events,
            shutdown_timeout: self.delivery.shutdown_timeout,
            reporter: self.reporting.reporter("file"),
        })
    }
}
