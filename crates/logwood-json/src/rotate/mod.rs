//! [`RotatingFileWriter`]: a size-rotating log file, as Python's
//! `RotatingFileHandler`.
//!
//! - `file`: the file and its rollover.
//! - `queue`: `non_blocking` mode's bounded queue and worker thread.
//! - `writer`: the `MakeWriter`, its line writer and the flush guard.
//! - `builder`: options; `stats`: counters.

mod builder;
mod file;
mod queue;
mod stats;
mod writer;

pub use builder::{
    DEFAULT_BACKUP_COUNT, DEFAULT_BUFFERED_LINES_LIMIT, DEFAULT_FLUSH_TIMEOUT, DEFAULT_MAX_BYTES,
    RotatingFileWriterBuilder,
};
pub use stats::WriterStats;
pub use writer::{RotatingFileWriter, RotatingLineWriter, WriterGuard};
