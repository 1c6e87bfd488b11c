//! Compression of rotated files on a background thread.
//!
//! The writer renames a file out of the way (`app.log` → `app.log.1` or
//! `app.log.2026-11-27`) and queues it here; the thread compresses it to
//! a temporary name (`app.log.1.gz.tmp`), fsyncs it, renames it to its
//! final name (`app.log.1.gz`), fsyncs the directory and only then
//! deletes the original. A crash at any point leaves the original or the
//! compressed file (or both, identical), never neither; the next start
//! deletes leftover temporary files and compresses what was left
//! uncompressed.
//!
//! The writer keeps renaming (size rotation shifts `app.log.1` to
//! `app.log.2`, …) and deleting (retention) while a file is being
//! compressed; it does so holding this module's lock and tells it where
//! each queued file went (`Moves`), so the thread always finishes the
//! file under its current name.

use std::collections::{HashMap, VecDeque};
use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::stats::Counters;
use crate::BuildError;

/// How rotated files are compressed (the live file never is).
///
/// | `Compression` | rotated files | needs |
/// | --- | --- | --- |
/// | [`None`](Compression::None) | `app.log.1`, `app.log.2026-11-27` | |
/// | [`Gzip`](Compression::Gzip) | `app.log.1.gz`, `app.log.2026-11-27.gz` | |
/// | [`Zstd`](Compression::Zstd) | `app.log.1.zst`, `app.log.2026-11-27.zst` | the `zstd` feature |
///
/// # Examples
///
/// ```
/// use logwood_json::Compression;
///
/// assert_eq!("gzip".parse::<Compression>().unwrap(), Compression::Gzip);
/// assert_eq!("ZST".parse::<Compression>().unwrap(), Compression::Zstd);
/// assert_eq!(Compression::Gzip.to_string(), "gzip");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Rotated files stay as they are.
    #[default]
    None,
    /// gzip (deflate, level 6; `zcat`, `gunzip`), as `.gz`.
    Gzip,
    /// Zstandard (level 3; `zstdcat`, `unzstd`), as `.zst`. Needs the
    /// crate's `zstd` feature: without it, `build()` fails with
    /// [`BuildError::CompressionUnavailable`].
    Zstd,
}

// === impl Compression ===

impl Compression {
    /// The name `FromStr` takes: `none`, `gzip`, `zstd`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compressed file's extension (`.gz`, `.zst`).
    pub(super) fn extension(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some(".gz"),
            Compression::Zstd => Some(".zst"),
        }
    }

    /// Whether this build can compress this way.
    pub(super) fn available(self) -> bool {
        self != Compression::Zstd || cfg!(feature = "zstd")
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Compression {
    type Err = BuildError;

    /// `none`, `gzip` (or `gz`), `zstd` (or `zst`), in any case.
    ///
    /// # Errors
    ///
    /// [`BuildError::UnknownCompression`] naming the value.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Compression::None),
            "gzip" | "gz" => Ok(Compression::Gzip),
            "zstd" | "zst" => Ok(Compression::Zstd),
            _ => Err(BuildError::UnknownCompression {
                value: s.to_owned(),
            }),
        }
    }
}

/// `path` with `ext` appended (`app.log.1` → `app.log.1.gz`).
pub(super) fn with_extension(path: &Path, ext: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(ext);
    PathBuf::from(name)
}

/// The files waiting for the thread, by id, at their current
/// (uncompressed) paths.
#[derive(Debug, Default)]
pub(super) struct Pending {
    queue: VecDeque<u64>,
    at: HashMap<u64, PathBuf>,
    next_id: u64,
    /// Files queued so far.
    queued: u64,
    /// Files finished with (compressed, failed or deleted meanwhile).
    done: u64,
    closed: bool,
}

/// The compression thread's queue, shared with the writer.
#[derive(Debug)]
pub(super) struct Compressor {
    codec: Compression,
    state: Mutex<Pending>,
    /// A file was queued, or the queue closed.
    work: Condvar,
    /// A file was finished with.
    finished: Condvar,
    counters: Arc<Counters>,
}

// === impl Compressor ===

impl Compressor {
    /// The queue of a writer compressing with `codec` (not `None`); its
    /// thread starts with [`spawn`](Self::spawn).
    pub(super) fn new(codec: Compression, counters: Arc<Counters>) -> Arc<Self> {
        Arc::new(Self {
            codec,
            state: Mutex::new(Pending::default()),
            work: Condvar::new(),
            finished: Condvar::new(),
            counters,
        })
    }

    /// Starts the thread that compresses the queued files.
    pub(super) fn spawn(self: &Arc<Self>) -> io::Result<JoinHandle<()>> {
        let worker = self.clone();
        std::thread::Builder::new()
            .name("logwood-compress".into())
            .spawn(move || {
                // Nothing on this thread may log back into the application.
                let _no_events =
                    tracing_core::dispatcher::set_default(&tracing_core::Dispatch::none());
                worker.run();
            })
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The compressed extension (`.gz`).
    pub(super) fn extension(&self) -> &'static str {
        self.codec.extension().unwrap_or(".gz")
    }

    /// Stops taking files; the thread finishes the queued ones and exits.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.work.notify_all();
    }

    /// Waits until the files queued before the call are finished with, at
    /// most `timeout`; returns whether they were.
    pub(super) fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        let target = state.queued;
        while state.done < target {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .finished
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    fn run(&self) {
        loop {
            let id = {
                let mut state = self.lock();
                loop {
                    if let Some(id) = state.queue.pop_front() {
                        break id;
                    }
                    if state.closed {
                        return;
                    }
                    state = self
                        .work
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            self.compress_one(id);
            let mut state = self.lock();
            state.at.remove(&id);
            state.done += 1;
            drop(state);
            self.finished.notify_all();
        }
    }

    /// Compresses file `id` wherever the writer has moved it meanwhile.
    fn compress_one(&self, id: u64) {
        let ext = self.extension();
        // Opened under the lock, so that the writer cannot move it between
        // the look-up and the open.
        let (mut source, path) = {
            let state = self.lock();
            let Some(path) = state.at.get(&id).cloned() else {
                return; // deleted by retention meanwhile
            };
            match File::open(&path) {
                Ok(file) => (file, path),
                Err(err) if err.kind() == io::ErrorKind::NotFound => return,
                Err(err) => {
                    drop(state);
                    self.counters.compress_failed(&path, &err);
                    return;
                }
            }
        };
        let tmp = with_extension(&with_extension(&path, ext), ".tmp");
        if let Err(err) = compress_file(self.codec, &mut source, &tmp) {
            fs::remove_file(&tmp).ok();
            self.counters.compress_failed(&path, &err);
            return;
        }
        drop(source);
        // The compressed file takes its final name next to the original.
        {
            let state = self.lock();
            let Some(current) = state.at.get(&id) else {
                fs::remove_file(&tmp).ok();
                return;
            };
            if let Err(err) = fs::rename(&tmp, with_extension(current, ext)) {
                drop(state);
                fs::remove_file(&tmp).ok();
                self.counters.compress_failed(&path, &err);
                return;
            }
        }
        // Durable before the original goes.
        sync_dir(&path).ok();
        let state = self.lock();
        if let Some(current) = state.at.get(&id) {
            match fs::remove_file(current) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => {
                    let current = current.clone();
                    drop(state);
                    self.counters.compress_failed(&current, &err);
                    return;
                }
            }
        }
        drop(state);
        self.counters.compressed();
    }
}

/// Writes `source` compressed into `tmp` (created or truncated, with the
/// source's permissions) and fsyncs it.
fn compress_file(codec: Compression, source: &mut File, tmp: &Path) -> io::Result<()> {
    let out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)?;
    if let Ok(meta) = source.metadata() {
        out.set_permissions(meta.permissions()).ok();
    }
    let out = match codec {
        Compression::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            io::copy(source, &mut encoder)?;
            encoder.finish()?
        }
        #[cfg(feature = "zstd")]
        Compression::Zstd => {
            let mut encoder = zstd::stream::write::Encoder::new(out, 0)?;
            io::copy(source, &mut encoder)?;
            encoder.finish()?
        }
        other => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("`{other}` compression is not built in"),
            ));
        }
    };
    out.sync_all()
}

/// fsyncs the directory holding `path` (so that a rename in it is durable).
fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// The writer's renames and deletions of rotated files during a rollover,
/// under the compressor's lock (when there is one), keeping the queued
/// files' paths current.
pub(super) struct Moves<'a> {
    compressor: Option<&'a Compressor>,
    pending: Option<MutexGuard<'a, Pending>>,
    counters: &'a Counters,
}

// === impl Moves ===

impl<'a> Moves<'a> {
    pub(super) fn new(compressor: Option<&'a Compressor>, counters: &'a Counters) -> Self {
        Self {
            compressor,
            pending: compressor.map(Compressor::lock),
            counters,
        }
    }

    /// Renames `from` to `to` (replacing it), as Python's `os.rename`.
    pub(super) fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)?;
        if let Some(pending) = &mut self.pending {
            for path in pending.at.values_mut() {
                if path == from {
                    *path = to.to_path_buf();
                }
            }
        }
        Ok(())
    }

    /// Deletes a rotated file (gone already is fine); returns whether it
    /// was there.
    pub(super) fn remove(&mut self, path: &Path) -> io::Result<bool> {
        if let Some(pending) = &mut self.pending {
            pending.at.retain(|_, queued| queued != path);
        }
        match fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Counts one rotated file deleted (whatever its forms).
    pub(super) fn deleted(&self) {
        self.counters.deleted();
    }

    /// Queues `path` (a rotated, uncompressed file) for compression.
    pub(super) fn compress(&mut self, path: PathBuf) {
        if let Some(pending) = &mut self.pending
            && !pending.closed
        {
            let id = pending.next_id;
            pending.next_id += 1;
            pending.at.insert(id, path);
            pending.queue.push_back(id);
            pending.queued += 1;
        }
    }
}

impl Drop for Moves<'_> {
    fn drop(&mut self) {
        drop(self.pending.take());
        if let Some(compressor) = self.compressor {
            compressor.work.notify_all();
        }
    }
}

impl fmt::Debug for Moves<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Moves")
            .field("compressing", &self.compressor.is_some())
            .finish_non_exhaustive()
    }
}
