//! Which rotated files exist, what the next one is called, and which ones
//! retention deletes.
//!
//! Size rotation alone names backups `app.log.1` … `app.log.N` and shifts
//! them as Python's `RotatingFileHandler` does. With timed rotation every
//! rotated file is named for the start of its interval
//! (`app.log.2026-11-27`); a second rotation in the same interval (by size,
//! or after a restart) adds a counter: `app.log.2026-11-27.1`, `.2`, … one
//! more than the highest there, so names never go back in time. Retention
//! orders them by (date, counter) and deletes the oldest beyond
//! `backup_count`, as Python 3.13's `getFilesToDelete` does for the names
//! its `extMatch` matches.
//!
//! With compression, each rotated file has two forms (`app.log.1` while it
//! waits for the compressor, `app.log.1.gz` after); both count as one
//! backup, and shifts and deletions move both.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::compress::{Moves, with_extension};
use super::timed::Precision;

/// How the rotated files are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// `app.log.1` … `app.log.N` (size rotation alone).
    Numbered,
    /// `app.log.<date>` and `app.log.<date>.<counter>` (timed rotation).
    Dated(Precision),
}

/// A rotated file's place in the order (compressed or not): smaller is
/// newer for `Numbered`, older for `Dated`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    /// `app.log.<n>`.
    Numbered(u64),
    /// `app.log.<suffix>` (counter 0) or `app.log.<suffix>.<counter>`.
    Dated { suffix: String, counter: u64 },
}

/// Which forms of one rotated file exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Forms {
    pub(super) plain: bool,
    pub(super) compressed: bool,
    /// A compression's leftover temporary file (`app.log.1.gz.tmp`).
    pub(super) temp: bool,
}

#[derive(Debug, Clone, Copy)]
enum Form {
    Plain,
    Compressed,
    Temp,
}

/// The rotated files of one live file.
#[derive(Debug, Clone)]
pub(super) struct Backups {
    live: PathBuf,
    dir: PathBuf,
    layout: Layout,
    /// `.gz` / `.zst` when compressing.
    ext: Option<&'static str>,
}

/// `1`, `2`, … (no sign, no leading zero).
fn parse_counter(s: &str) -> Option<u64> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

// === impl Backups ===

impl Backups {
    pub(super) fn new(live: &Path, layout: Layout, ext: Option<&'static str>) -> Self {
        let dir = match live.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Self {
            live: live.to_path_buf(),
            dir,
            layout,
            ext,
        }
    }

    /// The uncompressed name of `key`: `app.log.3`, `app.log.2026-11-27.1`.
    pub(super) fn plain(&self, key: &Key) -> PathBuf {
        match key {
            Key::Numbered(n) => with_extension(&self.live, &format!(".{n}")),
            Key::Dated { suffix, counter: 0 } => with_extension(&self.live, &format!(".{suffix}")),
            Key::Dated { suffix, counter } => {
                with_extension(&self.live, &format!(".{suffix}.{counter}"))
            }
        }
    }

    /// The paths `key` may have: plain, then compressed.
    fn forms(&self, key: &Key) -> impl Iterator<Item = PathBuf> {
        let plain = self.plain(key);
        let compressed = self.ext.map(|ext| with_extension(&plain, ext));
        std::iter::once(plain).chain(compressed)
    }

    /// What `name` (a file name in the directory) is, if it is one of ours.
    fn parse(&self, name: &OsStr) -> Option<(Key, Form)> {
        let live = self.live.file_name()?.as_encoded_bytes();
        let rest = name
            .as_encoded_bytes()
            .strip_prefix(live)?
            .strip_prefix(b".")?;
        let rest = std::str::from_utf8(rest).ok()?;
        let (rest, form) = match self.ext {
            Some(ext) => {
                if let Some(r) = rest.strip_suffix(".tmp").and_then(|r| r.strip_suffix(ext)) {
                    (r, Form::Temp)
                } else if let Some(r) = rest.strip_suffix(ext) {
                    (r, Form::Compressed)
                } else {
                    (rest, Form::Plain)
                }
            }
            None => (rest, Form::Plain),
        };
        let key = match self.layout {
            Layout::Numbered => Key::Numbered(parse_counter(rest)?),
            Layout::Dated(precision) => {
                let (suffix, counter) = match rest.split_at_checked(precision.len()) {
                    Some((suffix, "")) => (suffix, 0),
                    Some((suffix, counter)) => (suffix, parse_counter(counter.strip_prefix('.')?)?),
                    None => return None,
                };
                if !precision.matches(suffix) {
                    return None;
                }
                Key::Dated {
                    suffix: suffix.to_owned(),
                    counter,
                }
            }
        };
        Some((key, form))
    }

    /// Our rotated files in the directory, in key order.
    pub(super) fn list(&self) -> io::Result<BTreeMap<Key, Forms>> {
        let mut found: BTreeMap<Key, Forms> = BTreeMap::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            if let Some((key, form)) = self.parse(&entry.file_name()) {
                let forms = found.entry(key).or_default();
                match form {
                    Form::Plain => forms.plain = true,
                    Form::Compressed => forms.compressed = true,
                    Form::Temp => forms.temp = true,
                }
            }
        }
        Ok(found)
    }

    /// Deletes every form of `key`, counting it once if it was there.
    fn remove(&self, key: &Key, moves: &mut Moves<'_>) -> io::Result<()> {
        let mut removed = false;
        for path in self.forms(key) {
            removed |= moves.remove(&path)?;
        }
        if removed {
            moves.deleted();
        }
        Ok(())
    }

    /// Python's `RotatingFileHandler.doRollover` (`backup_count` ≥ 1):
    /// `app.log.{N-1}` → `app.log.N` (replacing it), …, `app.log` →
    /// `app.log.1`, each form of each backup; then queues `app.log.1` for
    /// compression.
    pub(super) fn rotate_numbered(
        &self,
        backup_count: u64,
        moves: &mut Moves<'_>,
    ) -> io::Result<()> {
        for i in (1..backup_count).rev() {
            let from = Key::Numbered(i);
            let to = Key::Numbered(i + 1);
            let existing: Vec<(PathBuf, PathBuf)> = self
                .forms(&from)
                .zip(self.forms(&to))
                .filter(|(from, _)| from.exists())
                .collect();
            if existing.is_empty() {
                continue;
            }
            self.remove(&to, moves)?;
            for (from, to) in existing {
                moves.rename(&from, &to)?;
            }
        }
        let first = Key::Numbered(1);
        self.remove(&first, moves)?;
        let dest = self.plain(&first);
        moves.rename(&self.live, &dest)?;
        moves.compress(dest);
        Ok(())
    }

    /// Timed rotation: renames the live file to `app.log.<suffix>` (with a
    /// counter if a file of that interval exists already), queues it for
    /// compression, then deletes the oldest rotated files beyond
    /// `backup_count` (`0` keeps them all).
    pub(super) fn rotate_dated(
        &self,
        suffix: String,
        backup_count: usize,
        moves: &mut Moves<'_>,
    ) -> io::Result<()> {
        let mut found = self.list()?;
        let counter = found
            .keys()
            .filter_map(|key| match key {
                Key::Dated { suffix: s, counter } if *s == suffix => Some(counter + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let key = Key::Dated { suffix, counter };
        let dest = self.plain(&key);
        moves.rename(&self.live, &dest)?;
        moves.compress(dest);
        if backup_count == 0 {
            return Ok(());
        }
        found.insert(
            key,
            Forms {
                plain: true,
                ..Forms::default()
            },
        );
        let kept: Vec<&Key> = found
            .iter()
            .filter(|(_, forms)| forms.plain || forms.compressed)
            .map(|(key, _)| key)
            .collect();
        let excess = kept.len().saturating_sub(backup_count);
        for key in &kept[..excess] {
            self.remove(key, moves)?;
        }
        Ok(())
    }

    /// At start, when compressing: deletes compressions' leftover
    /// temporary files and queues the rotated files left uncompressed (by
    /// a crash, or from before compression was turned on).
    pub(super) fn recover(&self, moves: &mut Moves<'_>) -> io::Result<()> {
        let Some(ext) = self.ext else { return Ok(()) };
        for (key, forms) in self.list()? {
            let plain = self.plain(&key);
            if forms.temp {
                fs::remove_file(with_extension(&with_extension(&plain, ext), ".tmp")).ok();
            }
            if forms.plain {
                moves.compress(plain);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(ext: Option<&'static str>) -> Backups {
        Backups::new(
            Path::new("/logs/app.log"),
            Layout::Dated(Precision::Day),
            ext,
        )
    }

    fn key(suffix: &str, counter: u64) -> Key {
        Key::Dated {
            suffix: suffix.into(),
            counter,
        }
    }

    #[test]
    fn dated_names_parse_with_counters_and_extensions() {
        let b = dated(Some(".gz"));
        let parse = |s: &str| b.parse(OsStr::new(s)).map(|(k, f)| (k, format!("{f:?}")));
        assert_eq!(
            parse("app.log.2026-11-27"),
            Some((key("2026-11-27", 0), "Plain".into()))
        );
        assert_eq!(
            parse("app.log.2026-11-27.12.gz"),
            Some((key("2026-11-27", 12), "Compressed".into()))
        );
        assert_eq!(
            parse("app.log.2026-11-27.gz.tmp"),
            Some((key("2026-11-27", 0), "Temp".into()))
        );
        for other in [
            "app.log",
            "app.log.1",
            "app.log.2026-11-27.0",
            "app.log.2026-11-27.01",
            "app.log.2026-11-27_10",
            "app.log.2026-11-27.zst",
            "app.log.2026-11-27.log",
            "app.log2026-11-27",
            "other.log.2026-11-27",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }
        assert_eq!(
            dated(None)
                .parse(OsStr::new("app.log.2026-11-27.gz"))
                .map(|p| p.0),
            None
        );
    }

    #[test]
    fn counters_order_after_the_bare_name_and_numerically() {
        let mut keys = vec![
            key("2026-11-27", 10),
            key("2026-11-28", 0),
            key("2026-11-27", 2),
            key("2026-11-27", 0),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                key("2026-11-27", 0),
                key("2026-11-27", 2),
                key("2026-11-27", 10),
                key("2026-11-28", 0)
            ]
        );
        let b = dated(None);
        assert_eq!(
            b.plain(&key("2026-11-27", 2)),
            Path::new("/logs/app.log.2026-11-27.2")
        );
    }

    #[test]
    fn numbered_names_have_no_leading_zero() {
        let b = Backups::new(Path::new("app.log"), Layout::Numbered, Some(".zst"));
        assert_eq!(
            b.parse(OsStr::new("app.log.3.zst")).map(|p| p.0),
            Some(Key::Numbered(3))
        );
        assert_eq!(b.parse(OsStr::new("app.log.03")).map(|p| p.0), None);
        assert_eq!(b.parse(OsStr::new("app.log.0")).map(|p| p.0), None);
        assert_eq!(b.dir, Path::new("."));
    }
}
