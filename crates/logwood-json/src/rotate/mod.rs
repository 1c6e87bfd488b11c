//! [`RotatingFileWriter`]: a log file rotated by size (Python's
//! `RotatingFileHandler`), by time (`TimedRotatingFileHandler`) or both,
//! with compressed backups and a watch for external rotation
//! (`WatchedFileHandler`).
//!
//! - `file`: the live file, its rollover decisions and reopening.
//! - `timed`: the schedule and the dated suffixes; `clock`: the time source.
//! - `retention`: the rotated files' names, shifting and deletion.
//! - `compress`: the compression thread and its crash-safe steps.
//! - `watch`: the device/inode check for logrotate.
//! - `writer`: the `MakeWriter`, its line writer, `non_blocking` mode's
//!   writer thread (over core's bounded queue) and the guard's side.
//! - `builder`: options; `stats`: counters.

mod builder;
mod clock;
mod compress;
mod file;
mod retention;
mod stats;
mod timed;
mod watch;
mod writer;

pub use builder::{
    DEFAULT_BACKUP_COUNT, DEFAULT_BUFFER_CAPACITY, DEFAULT_INTERVAL, DEFAULT_MAX_BYTES,
    DEFAULT_WATCH_INTERVAL, RotatingFileWriterBuilder,
};
#[allow(deprecated)]
pub use builder::{DEFAULT_BUFFERED_LINES_LIMIT, DEFAULT_FLUSH_TIMEOUT};
pub use compress::Compression;
pub use stats::WriterStats;
pub use timed::When;
#[allow(deprecated)]
pub use writer::WriterGuard;
pub use writer::{RotatingFileWriter, RotatingLineWriter};
