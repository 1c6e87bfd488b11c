//! The file and its rollover, as Python's `RotatingFileHandler`.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::stats::Counters;

/// `app.log` and its backups `app.log.1` … `app.log.N`.
#[derive(Debug)]
pub(super) struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    backup_count: usize,
    file: Option<File>,
    /// Bytes in the current file (as logwood wrote them).
    size: u64,
    /// Only regular files roll over (not `/dev/stdout`, a FIFO, …), as
    /// Python since bpo-45401.
    regular: bool,
}

/// `app.log.<i>`.
fn backup_name(path: &Path, i: usize) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(format!(".{i}"));
    PathBuf::from(name)
}

fn open_append(path: &Path) -> io::Result<(File, u64, bool)> {
    let file = OpenOptions::new().append(true).create(true).open(path)?;
    let meta = file.metadata()?;
    Ok((file, meta.len(), meta.is_file()))
}

// === impl RotatingFile ===

impl RotatingFile {
    /// Opens (creating) `path` for appending.
    pub(super) fn open(path: PathBuf, max_bytes: u64, backup_count: usize) -> io::Result<Self> {
        let (file, size, regular) = open_append(&path)?;
        Ok(Self {
            path,
            max_bytes,
            backup_count,
            file: Some(file),
            size,
            regular,
        })
    }

    fn reopen(&mut self) -> io::Result<()> {
        let (file, size, regular) = open_append(&self.path)?;
        self.file = Some(file);
        self.size = size;
        self.regular = regular;
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

    /// Python's `doRollover`: `app.log.{N-1}` → `app.log.N`, …, `app.log` →
    /// `app.log.1`, then a new `app.log`. With no backups the file is
    /// truncated instead.
    fn roll(&mut self) -> io::Result<()> {
        if self.backup_count == 0 {
            return match &self.file {
                Some(file) => {
                    file.set_len(0)?;
                    self.size = 0;
                    Ok(())
                }
                None => self.reopen(),
            };
        }
        self.file = None;
        let renamed = self.rename_backups();
        // Write on, into a new file or (after a failed rename) the old one.
        let reopened = self.reopen();
        renamed.and(reopened)
    }

    /// Renames what exists, as Python does (each missing name skipped).
    fn rename_backups(&self) -> io::Result<()> {
        let rename = |from: &Path, to: &Path| match fs::rename(from, to) {
            Err(err) if err.kind() == io::ErrorKind::NotFound && !from.exists() => Ok(()),
            other => other,
        };
        for i in (1..self.backup_count).rev() {
            rename(&backup_name(&self.path, i), &backup_name(&self.path, i + 1))?;
        }
        rename(&self.path, &backup_name(&self.path, 1))
    }

    /// Writes one whole line (rolling over first when it would not fit),
    /// counting what happens.
    pub(super) fn write_line(&mut self, line: &[u8], counters: &Counters) -> io::Result<()> {
        if self.file.is_none()
            && let Err(err) = self.reopen()
        {
            counters.write_failed(&self.path, &err);
            return Err(err);
        }
        if self.should_roll(line.len()) {
            match self.roll() {
                Ok(()) => counters.rolled_over(),
                Err(err) => counters.rollover_failed(&self.path, &err),
            }
        }
        let result = match &mut self.file {
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
