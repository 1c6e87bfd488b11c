//! The `MakeWriter`, its per-line writer and the flush guard.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use logwood_core::__private::{Delivery, Pushed, RecordQueue, Reporter};
use logwood_core::{FlushGuard, Stats};
use tracing_subscriber::fmt::MakeWriter;

use super::compress::{Compression, Compressor, Moves};
use super::file::{Policy, RotatingFile};
use super::stats::{Counters, WriterStats};
use crate::RotatingFileWriterBuilder;

/// A log file rotated by size, as Python's
/// `logging.handlers.RotatingFileHandler`, by time, as
/// `TimedRotatingFileHandler`, or both: a [`MakeWriter`] for any layer (the
/// JSON layer, the pattern layer, tracing-subscriber's `fmt`).
///
/// # Size rotation
///
/// Before a line is written, if the file's size plus the line's length
/// would reach [`max_bytes`](RotatingFileWriterBuilder::max_bytes) (Python's
/// `>=`), the file rolls over: `app.log.{N-1}` becomes `app.log.N` (the
/// oldest, beyond [`backup_count`](RotatingFileWriterBuilder::backup_count),
/// is replaced), …, `app.log.1` becomes `app.log.2`, `app.log` becomes
/// `app.log.1`, and a new `app.log` takes the line. So `app.log` holds the
/// newest lines and `app.log.1` the ones just before; every file stays
/// below `max_bytes`, except a file holding one line longer than that (a
/// line is never split, and an empty file never rolls over).
///
/// - `max_bytes = 0`: the file never rolls over by size.
/// - `backup_count = 0` (with `max_bytes > 0` and no `when`): the file is
///   truncated instead of renamed, keeping at most `max_bytes` of the
///   newest lines. (Python's handler does not roll over at all then; its
///   file grows.)
/// - Sizes are counted in bytes as logwood writes them (Python counts
///   characters of the line, bytes of the file); the size is read when the
///   file is opened, and again at each [watch](#external-rotation-logrotate)
///   check.
/// - Only regular files roll over (`/dev/stdout` or a FIFO never do).
///
/// # Timed rotation
///
/// With [`when`](RotatingFileWriterBuilder::when) (and
/// [`interval`](RotatingFileWriterBuilder::interval),
/// [`utc`](RotatingFileWriterBuilder::utc),
/// [`at_time`](RotatingFileWriterBuilder::at_time)), the first line written
/// at or after the rollover time rolls the file over, as CPython 3.13's
/// `TimedRotatingFileHandler`: the live file keeps its name and the rotated
/// one is named for the **start of its interval**, in local time (across
/// DST changes, with Python's corrections) or UTC:
///
/// | `when` | rotated file |
/// | --- | --- |
/// | `S` ([`When::Seconds`](crate::When::Seconds)) | `app.log.2026-11-27_23-10-05` |
/// | `M` ([`When::Minutes`](crate::When::Minutes)) | `app.log.2026-11-27_23-10` |
/// | `H` ([`When::Hours`](crate::When::Hours)) | `app.log.2026-11-27_23` |
/// | `D`, `midnight`, `W0`–`W6` | `app.log.2026-11-27` |
/// | a second rotation in the same interval | `app.log.2026-11-27.1`, then `.2`, … |
///
/// The rollover times, the names and the files retention deletes are those
/// CPython 3.13 computes for the same writes at the same times (the tests
/// compare them). logwood differs where Python loses or stalls:
///
/// - **A second rotation within one interval** (by size, with `max_bytes`
///   too; after a restart; or when DST makes two intervals share a name)
///   never overwrites: it adds a counter one above the highest there
///   (`app.log.2026-11-27.1`, `.2`, …). Python 3.11 deletes the earlier
///   file; 3.13 stops rotating.
/// - **Retention** (`backup_count > 0`) keeps the newest `backup_count`
///   rotated files, ordered by date then counter (`.2` before `.10`), and
///   deletes the others: exactly the files Python 3.13's `extMatch`
///   matches (`app.log.` and a date of this `when`'s precision), plus the
///   counted ones; other files (`app.log.keep`, another `when`'s dates) are
///   never touched. `backup_count = 0` keeps them all.
/// - An empty file is not rolled over by time (its next rollover time is
///   computed all the same).
///
/// With `max_bytes` as well, the file rolls over at whichever comes first;
/// every rotated file gets the dated name.
///
/// The writer reads the wall clock once per line (on Linux the kernel's
/// coarse clock, `CLOCK_REALTIME_COARSE`, which costs a few nanoseconds
/// and runs at most a few milliseconds behind) and compares it with the
/// next rollover time, to the second as Python's `int(time.time())`.
///
/// # Compression
///
/// With [`compression`](RotatingFileWriterBuilder::compression), a
/// background thread (never the caller's) compresses each rotated file:
/// `app.log.1.gz` … `app.log.N.gz` with size rotation (shifted like the
/// plain names), `app.log.2026-11-27.gz` (`.zst`) with timed rotation. It
/// writes `app.log.1.gz.tmp`, fsyncs it, renames it, fsyncs the directory
/// and only then deletes the original, so a crash loses nothing; the next
/// start deletes leftover `.tmp` files and compresses rotated files left
/// uncompressed. Until compressed, a rotated file keeps its plain name,
/// and retention counts it once either way. A
/// [guard](#the-guard) waits for the compressions too.
///
/// # External rotation (logrotate)
///
/// The file is opened with `O_APPEND`, so logrotate's `copytruncate` (and
/// any other appender) is safe. With [`watch`](RotatingFileWriterBuilder::watch)
/// (on by default), at most once per
/// [`watch_interval`](RotatingFileWriterBuilder::watch_interval)
/// ([`DEFAULT_WATCH_INTERVAL`](crate::DEFAULT_WATCH_INTERVAL), one second),
/// before a line, the writer `stat`s its path, as Python's
/// `WatchedFileHandler` does before every line: if the path names another
/// file or none (logrotate's `create` mode renamed it, or it was removed),
/// the writer reopens it, counted in [`WriterStats::reopens`]; otherwise it
/// takes the file's size (`copytruncate` shrank it). Lines written between
/// a rename and the next check go into the renamed file.
///
/// # Lines
///
/// Each `write` call is one line, written whole, under a lock, into one
/// file: lines from several threads never interleave, and a rollover never
/// splits one. So give it **whole lines in one `write_all`**, as every
/// logwood layer and tracing-subscriber's `fmt` layer do; several `write`
/// calls for one line (a `write!` of pieces) could be separated by another
/// thread's line or by a rollover.
///
/// # Failures
///
/// A failing disk never panics and never reaches the application: each
/// lost line is counted in [`WriterStats::write_errors`], a failed rollover
/// in [`WriterStats::rollover_errors`] (the line then goes into the current
/// file), a failed compression in [`WriterStats::compress_errors`] (the file
/// stays uncompressed), and the first failure of each kind is reported on
/// stderr as one `[logwood] rotate: …` line with its cause. Writing resumes
/// by itself when the cause goes away (space freed, the directory back). On the caller's thread, the `write` also
/// returns the error, so the layer counts the line as not written.
///
/// # Off the caller's thread
///
/// With [`non_blocking`](RotatingFileWriterBuilder::non_blocking), `write`
/// only queues the line and a background thread writes it, with the
/// bounded queue every logwood sink has: when
/// [`buffer_capacity`](RotatingFileWriterBuilder::buffer_capacity) lines
/// are waiting, a new line is dropped and counted in `Stats::dropped` (or,
/// with [`drop_extra_events(false)`](RotatingFileWriterBuilder::drop_extra_events),
/// the caller waits).
///
/// # The guard
///
/// [`build`](RotatingFileWriterBuilder::build) returns the writer and its
/// [`FlushGuard`], the guard every logwood sink with a worker returns: keep
/// it until the program ends (`let (file, _guard) = …`, not `let (file, _)
/// = …`). Dropping it (or
/// [`shutdown`](logwood_core::FlushGuard::shutdown)) writes the queued
/// lines and waits for pending compressions, within
/// [`shutdown_timeout`](RotatingFileWriterBuilder::shutdown_timeout); lines
/// a `non_blocking` writer gets afterwards are counted as failed. Lines
/// still in the queue at the deadline are given up and counted as failed;
/// lines the writer thread holds while blocked in a write that does not
/// return (a FIFO nobody reads, a hung disk) stay counted as `queued`
/// until it returns.
/// `std::process::exit` runs no destructor: call `guard.shutdown(…)` (or
/// drop the guard) before it, or what is queued is lost.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::prelude::*;
/// use logwood_json::{PatternLayer, RotatingFileWriter};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = std::env::temp_dir().join(format!("logwood-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let (file, guard) = RotatingFileWriter::builder(dir.join("app.log"))
///     .max_bytes(1_000_000)
///     .backup_count(5)
///     .non_blocking(true)
///     .build()?;
/// let layer = PatternLayer::builder("%(asctime)s %(levelname)s %(name)s: %(message)s")
///     .with_writer(file.clone())
///     .build()?;
/// tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
///     tracing::info!(user = 42, "logged in");
/// });
/// let stats = guard.shutdown(std::time::Duration::from_secs(5)); // the line is in the file
/// let text = std::fs::read_to_string(dir.join("app.log"))?;
/// assert!(text.ends_with("logged in user=42\n"), "{text}");
/// assert_eq!((stats.emitted, stats.sent), (1, 1));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
///
/// A Python `TimedRotatingFileHandler("app.log", when="midnight",
/// backupCount=7)` with gzip, and a size limit too:
///
/// ```
/// use std::io::Write as _;
/// use tracing_subscriber::fmt::MakeWriter as _;
/// use logwood_json::{Compression, RotatingFileWriter, When};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = std::env::temp_dir().join(format!("logwood-doc-timed-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let (file, _guard) = RotatingFileWriter::builder(dir.join("app.log"))
///     .when(When::Midnight) // or "midnight".parse()?
///     .backup_count(7)
///     .max_bytes(50)
///     .compression(Compression::Gzip)
///     .build()?;
/// for i in 0..9 {
///     file.make_writer().write_all(format!("line {i} of today\n").as_bytes())?;
/// }
/// _guard.flush(std::time::Duration::from_secs(10))?;
/// // Lines of 16 bytes: two size rotations today, app.log.<today>.gz and
/// // app.log.<today>.1.gz.
/// let mut names: Vec<String> = std::fs::read_dir(&dir)?
///     .map(|e| Ok(e?.file_name().into_string().unwrap_or_default()))
///     .collect::<std::io::Result<_>>()?;
/// names.sort();
/// assert_eq!(names.len(), 3, "{names:?}");
/// // (Sorted as text, `.1.gz` comes first.)
/// assert!(names[1].ends_with(".1.gz"), "{names:?}");
/// assert!(names[2].ends_with(".gz") && !names[2].ends_with(".1.gz"), "{names:?}");
/// assert_eq!(file.file_stats().compressions, 2);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RotatingFileWriter {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    path: PathBuf,
    sink: Sink,
    counters: Arc<Counters>,
    compressor: Option<Compressing>,
}

/// The compression thread, when compressing.
#[derive(Debug)]
struct Compressing {
    queue: Arc<Compressor>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug)]
enum Sink {
    /// Lines written on the caller's thread.
    Direct(Box<Mutex<RotatingFile>>),
    /// Lines queued for the writer thread (`non_blocking`).
    Queued {
        queue: Arc<RecordQueue>,
        worker: Mutex<Option<JoinHandle<()>>>,
        capacity: usize,
    },
}

/// The settings `build()` validated.
#[derive(Debug)]
pub(super) struct Settings {
    pub(super) policy: Policy,
    pub(super) compression: Compression,
    /// `Some(capacity)` for `non_blocking` mode.
    pub(super) queue_capacity: Option<usize>,
    pub(super) drop_extra_events: bool,
    pub(super) shutdown_timeout: Duration,
    pub(super) reporter: Reporter,
}

// === impl RotatingFileWriter ===

impl RotatingFileWriter {
    /// A builder for a writer of `path` (`app.log`; backups are
    /// `app.log.1` …).
    pub fn builder(path: impl Into<PathBuf>) -> RotatingFileWriterBuilder {
        RotatingFileWriterBuilder::new(path.into())
    }

    /// Opens the file (and starts the worker thread in `non_blocking` mode,
    /// the compressor when compressing); returns the writer and its guard.
    pub(super) fn open(settings: Settings) -> Result<(Self, FlushGuard), crate::BuildError> {
        let path = settings.policy.path.clone();
        let counters = Arc::new(Counters::new(settings.reporter));
        let compressor = (settings.compression != Compression::None)
            .then(|| Compressor::new(settings.compression, counters.clone()));
        let backups = settings.policy.backups();
        let file = RotatingFile::open(settings.policy, compressor.clone()).map_err(|source| {
            crate::BuildError::OpenFile {
                path: path.clone(),
                source,
            }
        })?;
        let compressor = match compressor {
            None => None,
            Some(queue) => {
                // Leftovers of an earlier run (a crash mid-compression, or
                // compression newly turned on) first.
                backups
                    .recover(&mut Moves::new(Some(&queue), &counters))
                    .ok();
                let worker = queue
                    .spawn()
                    .map_err(|source| crate::BuildError::SpawnCompressor { source })?;
                Some(Compressing {
                    queue,
                    worker: Mutex::new(Some(worker)),
                })
            }
        };
        let sink = match settings.queue_capacity {
            None => Sink::Direct(Box::new(Mutex::new(file))),
            Some(capacity) => {
                let queue = Arc::new(RecordQueue::new(capacity, settings.drop_extra_events));
                let worker = spawn_writer(queue.clone(), file, counters.clone())
                    .map_err(|source| crate::BuildError::SpawnWorker { source })?;
                Sink::Queued {
                    queue,
                    worker: Mutex::new(Some(worker)),
                    capacity,
                }
            }
        };
        let shared = Arc::new(Shared {
            path,
            sink,
            counters,
            compressor,
        });
        let guard = FlushGuard::new(shared.clone(), settings.shutdown_timeout);
        Ok((Self { shared }, guard))
    }

    /// The file's path (`app.log`).
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// The writer's counters now (shared by all clones), the same shape as
    /// every logwood layer's: `emitted` lines, `sent` (written whole),
    /// `dropped` (the `non_blocking` queue was full), `failed` (an I/O
    /// error, or after the shutdown), `queued`, `rollovers`, `errors`;
    /// `emitted = sent + dropped + failed + queued`.
    pub fn stats(&self) -> Stats {
        self.shared.counters.stats()
    }

    /// The file's own counters (bytes, rollover and compression failures,
    /// reopens, compressions, deletions).
    pub fn file_stats(&self) -> WriterStats {
        self.shared.counters.snapshot()
    }
}

// === impl Shared ===

impl Shared {
    fn write_line(&self, line: &[u8]) -> io::Result<()> {
        match &self.sink {
            Sink::Direct(file) => {
                self.counters.emitted();
                file.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .write_line(line, &self.counters)
            }
            Sink::Queued {
                queue, capacity, ..
            } => {
                match queue.push(line) {
                    Pushed::Queued => self.counters.emitted(),
                    // Counted and reported; the caller is not told, as
                    // with any lossy non-blocking writer.
                    Pushed::Full => self.counters.dropped(&self.path, *capacity),
                    Pushed::Closed => self.counters.closed(&self.path),
                }
                Ok(())
            }
        }
    }

    /// Waits until the compressor has compressed what was rotated so far,
    /// at most until `deadline`.
    fn compressed_by(&self, deadline: Instant) -> bool {
        self.compressor.as_ref().is_none_or(|c| {
            c.queue
                .wait(deadline.saturating_duration_since(Instant::now()))
        })
    }
}

impl Delivery for Shared {
    fn stats(&self) -> Stats {
        self.counters.stats()
    }

    /// Waits until the lines queued before the call are written (or lost
    /// and counted), then until the files rotated by then are compressed.
    fn flush(&self, deadline: Instant) -> bool {
        let lines = match &self.sink {
            Sink::Direct(file) => file
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .flush()
                .is_ok(),
            Sink::Queued { queue, .. } => queue.flush(deadline),
        };
        lines && self.compressed_by(deadline)
    }

    /// Writes what is queued until `deadline`, stops the writer thread
    /// (lines arriving later are counted as failed) and the compressor.
    fn shutdown(&self, deadline: Instant) {
        if let Sink::Queued { queue, worker, .. } = &self.sink {
            let drained = queue.flush(deadline);
            queue.close();
            if !drained {
                self.counters.abandoned(&self.path, queue.abandon());
            }
            join_by(worker, deadline);
        }
        // After the lines: their rollovers may have queued files.
        if let Some(compressing) = &self.compressor {
            compressing.queue.close();
            if self.compressed_by(deadline) {
                join_by(&compressing.worker, deadline);
            }
        }
    }
}

/// Joins the thread in `handle` if it ends by `deadline`; else leaves it.
fn join_by(handle: &Mutex<Option<JoinHandle<()>>>, deadline: Instant) {
    let mut handle = handle.lock().unwrap_or_else(PoisonError::into_inner);
    while handle.as_ref().is_some_and(|h| !h.is_finished()) {
        if Instant::now() >= deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    if let Some(handle) = handle.take() {
        handle.join().ok();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The last clone of the writer and the guard are gone: deliver what
        // is left (the guard usually did already).
        let deadline = Instant::now() + Duration::from_secs(1);
        Delivery::shutdown(self, deadline);
    }
}

/// Starts the thread writing `queue`'s lines to `file`.
fn spawn_writer(
    queue: Arc<RecordQueue>,
    mut file: RotatingFile,
    counters: Arc<Counters>,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("logwood-file".into())
        .spawn(move || {
            // Nothing on this thread may log back into the application.
            logwood_core::__private::silence_thread();
            let mut batch = logwood_core::__private::Batch::default();
            loop {
                match queue.take(&mut batch, None) {
                    logwood_core::__private::Taken::Records(n) => {
                        for line in batch.records() {
                            // Failures are counted (and reported) inside.
                            file.write_line(line, &counters).ok();
                        }
                        file.flush().ok();
                        batch.clear();
                        queue.settle(n as u64);
                    }
                    logwood_core::__private::Taken::Closed => break,
                    _ => {}
                }
            }
        })
}

impl<'a> MakeWriter<'a> for RotatingFileWriter {
    type Writer = RotatingLineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        RotatingLineWriter {
            shared: &self.shared,
        }
    }
}

/// The writer a [`RotatingFileWriter`] hands out: each `write` call is one
/// whole line.
#[derive(Debug)]
pub struct RotatingLineWriter<'a> {
    shared: &'a Shared,
}

impl io::Write for RotatingLineWriter<'_> {
    /// Writes `buf` as one line (whole, in one file), or queues it.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.shared.write_line(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The guard of a [`RotatingFileWriter`], now core's one guard.
#[deprecated(
    note = "`build()` returns the writer's `FlushGuard`; `flush` returns `Result<(), FlushTimeout>`"
)]
pub type WriterGuard = FlushGuard;
