//! The live file: appends whole lines, rolls over by size (as Python's
//! `RotatingFileHandler`) and by time (as `TimedRotatingFileHandler`), and
//! reopens the path when it was rotated away from under it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::clock::{Clock, system_time, unix_seconds};
use super::compress::{Compressor, Moves};
use super::retention::{Backups, Layout};
use super::stats::Counters;
use super::timed::Schedule;
use super::watch::{Seen, Watch};

/// What the file does besides appending, as `build()` validated it.
#[derive(Debug, Clone)]
pub(super) struct Policy {
    pub(super) path: PathBuf,
    pub(super) max_bytes: u64,
    pub(super) backup_count: usize,
    pub(super) schedule: Option<Schedule>,
    /// The compressed extension (`.gz`), when compressing.
    pub(super) compressed_ext: Option<&'static str>,
    /// How often the path is checked, when watching.
    pub(super) watch: Option<Duration>,
    pub(super) clock: Clock,
}

// === impl Policy ===

impl Policy {
    /// The rotated files' names.
    pub(super) fn backups(&self) -> Backups {
        let layout = match &self.schedule {
            Some(schedule) => Layout::Dated(schedule.precision()),
            None => Layout::Numbered,
        };
        Backups::new(&self.path, layout, self.compressed_ext)
    }
}

/// `app.log` and its rotated files.
#[derive(Debug)]
pub(super) struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    backup_count: usize,
    schedule: Option<Schedule>,
    backups: Backups,
    compressor: Option<Arc<Compressor>>,
    clock: Clock,
    watch: Option<Watch>,
    file: Option<File>,
    /// Bytes in the current file (as logwood wrote them, or as the last
    /// watch check found).
    size: u64,
    /// Only regular files roll over (not `/dev/stdout`, a FIFO, …), as
    /// Python since bpo-45401.
    regular: bool,
    /// Timed rotation: when the file rolls over next, in seconds since the
    /// epoch (Python's `rolloverAt`).
    rollover_at: i64,
    /// `rollover_at` as a time, compared with the clock on every line.
    rollover_deadline: SystemTime,
    /// A failed write left part of a line in the file (a full disk): the
    /// next line is preceded by a line break, so that the fragment stays a
    /// line of its own instead of swallowing the next line.
    torn: bool,
}

/// Opens `path` for appending (`O_APPEND`: every write goes to the end, so
/// logrotate's `copytruncate` and other appenders are safe).
fn open_append(path: &Path) -> io::Result<(File, u64, bool)> {
    let file = OpenOptions::new().append(true).create(true).open(path)?;
    let meta = file.metadata()?;
    Ok((file, meta.len(), meta.is_file()))
}

// === impl RotatingFile ===

impl RotatingFile {
    /// Opens (creating) the policy's path for appending. Timed rotation is
    /// scheduled from the file's modification time when it exists, from now
    /// otherwise (as Python's handler).
    pub(super) fn open(policy: Policy, compressor: Option<Arc<Compressor>>) -> io::Result<Self> {
        let mtime = fs::metadata(&policy.path)
            .and_then(|meta| meta.modified())
            .ok();
        let (file, size, regular) = open_append(&policy.path)?;
        let rollover_at = match &policy.schedule {
            Some(schedule) => {
                let start = mtime.unwrap_or_else(|| policy.clock.now());
                schedule.next_rollover(unix_seconds(start))
            }
            None => i64::MAX,
        };
        let mut watch = policy.watch.map(Watch::new);
        if let Some(watch) = &mut watch {
            watch.opened(&file);
        }
        Ok(Self {
            backups: policy.backups(),
            path: policy.path,
            max_bytes: policy.max_bytes,
            backup_count: policy.backup_count,
            schedule: policy.schedule,
            compressor,
            clock: policy.clock,
            watch,
            file: Some(file),
            size,
            regular,
            rollover_at,
            rollover_deadline: system_time(rollover_at),
            torn: false,
        })
    }

    fn reopen(&mut self) -> io::Result<()> {
        let (file, size, regular) = open_append(&self.path)?;
        if let Some(watch) = &mut self.watch {
            watch.opened(&file);
        }
        self.file = Some(file);
        self.size = size;
        self.regular = regular;
        self.torn = false;
        Ok(())
    }

    /// Python's `shouldRollover`: the current size plus the line reaches
    /// `max_bytes` (`>=`), except that an empty file is never rolled over
    /// (a line longer than `max_bytes` goes whole into a fresh file, as in
    /// CPython since gh-116263).
    fn should_roll(&self, len: usize) -> bool {
        self.max_bytes > 0
            && self.regular
            && self.size > 0
            && self.size.saturating_add(len as u64) >= self.max_bytes
    }

    /// The watch check: reopens the path if it names another file (or
    /// none), re-reads the size otherwise (a `copytruncate` shrank it).
    fn check_watch(&mut self, counters: &Counters) {
        let Some(watch) = &self.watch else { return };
        match watch.check(&self.path) {
            Seen::Same { len } => self.size = len,
            Seen::Replaced => {
                self.file = None;
                // On failure the write below retries, and counts the line.
                if self.reopen().is_ok() {
                    counters.reopened();
                }
            }
            Seen::Unknown => {}
        }
    }

    /// Renames the file away (or, size rotation with no backups, truncates
    /// it) and opens a new one; `suffix` names it for timed rotation.
    fn roll(&mut self, suffix: Option<String>, counters: &Counters) -> io::Result<()> {
        if suffix.is_none() && self.backup_count == 0 {
            return match &self.file {
                Some(file) => {
                    file.set_len(0)?;
                    self.size = 0;
                    self.torn = false;
                    Ok(())
                }
                None => self.reopen(),
            };
        }
        self.file = None;
        let renamed = {
            let mut moves = Moves::new(self.compressor.as_deref(), counters);
            match suffix {
                Some(suffix) => self
                    .backups
                    .rotate_dated(suffix, self.backup_count, &mut moves),
                None => self
                    .backups
                    .rotate_numbered(self.backup_count as u64, &mut moves),
            }
        };
        // Write on, into a new file or (after a failed rename) the old one.
        let reopened = self.reopen();
        renamed.and(reopened)
    }

    fn count_roll(&self, result: io::Result<()>, counters: &Counters) {
        match result {
            Ok(()) => counters.rolled_over(),
            Err(err) => counters.rollover_failed(&self.path, &err),
        }
    }

    /// The suffix a file rolled over at `now` gets (timed rotation).
    fn suffix(&self, now: i64) -> Option<String> {
        let schedule = self.schedule.as_ref()?;
        Some(schedule.suffix(schedule.interval_start(self.rollover_at, now)))
    }

    /// Writes one whole line (rolling over first when it is time or it
    /// would not fit), counting what happens.
    pub(super) fn write_line(&mut self, line: &[u8], counters: &Counters) -> io::Result<()> {
        let now = (self.schedule.is_some() || self.watch.is_some()).then(|| self.clock.now());
        if let Some(now) = now
            && self.watch.as_mut().is_some_and(|watch| watch.due(now))
        {
            self.check_watch(counters);
        }
        if self.file.is_none()
            && let Err(err) = self.reopen()
        {
            counters.write_failed(&self.path, &err);
            return Err(err);
        }
        if let (Some(now), Some(schedule)) = (now, &self.schedule)
            && now >= self.rollover_deadline
        {
            let now = unix_seconds(now);
            let next = schedule.next_rollover(now);
            // An empty file (or a FIFO, …) only gets its next time.
            if self.regular && self.size > 0 {
                let result = self.roll(self.suffix(now), counters);
                self.count_roll(result, counters);
            }
            self.rollover_at = next;
            self.rollover_deadline = system_time(next);
        }
        if self.should_roll(line.len()) {
            let suffix = now.and_then(|now| self.suffix(unix_seconds(now)));
            let result = self.roll(suffix, counters);
            self.count_roll(result, counters);
        }
        let result = match &mut self.file {
            // First close the fragment a failed write left; if even that
            // fails, the line is not tried (it would be glued to it).
            Some(file) if self.torn => file.write_all(b"\n").and_then(|()| {
                self.torn = false;
                self.size += 1;
                file.write_all(line)
            }),
            Some(file) => file.write_all(line),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the log file could not be reopened",
            )),
        };
        match result {
            Ok(()) => {
                self.size += line.len() as u64;
                counters.written(line.len());
                Ok(())
            }
            Err(err) => {
                counters.write_failed(&self.path, &err);
                // Part of the line may have reached the file.
                if let Some(len) = self
                    .file
                    .as_ref()
                    .and_then(|f| f.metadata().ok())
                    .map(|m| m.len())
                {
                    self.torn |= self.regular && len > self.size;
                    self.size = len;
                }
                Err(err)
            }
        }
    }

    /// Flushes the OS buffers' view (files are unbuffered here).
    pub(super) fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}
