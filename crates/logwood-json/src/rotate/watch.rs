//! Living with external rotation, as Python's `WatchedFileHandler`: notice
//! that the path now names another file (logrotate renamed or removed
//! ours) and reopen it, and notice a truncation (`copytruncate`).
//!
//! The check is one `stat` of the path, at most once per `watch_interval`
//! (by the writer's clock), never on every line.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// What the path names now, compared with the open file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// The same file, now this long (shorter after a `copytruncate`).
    Same { len: u64 },
    /// Another file, or none: reopen the path.
    Replaced,
    /// The path could not be checked (permission); carry on.
    Unknown,
}

/// The device and inode of the open file and when they were last checked.
#[derive(Debug, Clone)]
pub(super) struct Watch {
    every: Duration,
    /// The last check and when the next is due (compared, never
    /// subtracted: the hot path does no time arithmetic).
    checked: Option<(SystemTime, SystemTime)>,
    /// `(st_dev, st_ino)` of the open file.
    id: Option<(u64, u64)>,
}

#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

// === impl Watch ===

impl Watch {
    pub(super) fn new(every: Duration) -> Self {
        Self {
            every,
            checked: None,
            id: None,
        }
    }

    /// Remembers the file just opened (its `fstat`).
    pub(super) fn opened(&mut self, file: &File) {
        self.id = file.metadata().ok().as_ref().and_then(file_id);
    }

    /// Whether a check is due at `now` (and, if so, counts it as done): the
    /// first time, then once `every` has passed, or when the clock went
    /// back.
    pub(super) fn due(&mut self, now: SystemTime) -> bool {
        if let Some((last, next)) = self.checked
            && last <= now
            && now < next
        {
            return false;
        }
        self.checked = Some((now, now.checked_add(self.every).unwrap_or(now)));
        true
    }

    /// Compares what `path` names now with the open file.
    pub(super) fn check(&self, path: &Path) -> Seen {
        match fs::metadata(path) {
            Ok(meta) => match (self.id, file_id(&meta)) {
                (Some(open), Some(now)) if open != now => Seen::Replaced,
                _ => Seen::Same { len: meta.len() },
            },
            Err(err) if err.kind() == io::ErrorKind::NotFound => Seen::Replaced,
            Err(_) => Seen::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_due_once_per_interval_and_after_the_clock_goes_back() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut watch = Watch::new(Duration::from_secs(1));
        assert!(watch.due(t0));
        assert!(!watch.due(t0 + Duration::from_millis(999)));
        assert!(watch.due(t0 + Duration::from_secs(1)));
        assert!(watch.due(t0));
        let mut every_line = Watch::new(Duration::ZERO);
        assert!(every_line.due(t0) && every_line.due(t0));
    }
}
