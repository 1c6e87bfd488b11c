//! Errors of starting a collector and of waiting on one.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Why [`CollectorBuilder::start`](crate::CollectorBuilder::start) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option has a value that is not allowed.
    #[error("`{option}` {reason}")]
    Config {
        /// The builder option (and binary flag) at fault.
        option: &'static str,
        /// What is allowed.
        reason: String,
    },
    /// A listening address could not be resolved or bound.
    #[error("`{option}` address {address:?} could not be bound")]
    Bind {
        /// `listen`, `syslog_udp` or `syslog_tcp`.
        option: &'static str,
        /// The address as given.
        address: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The output file could not be opened for appending.
    #[error("`out` file {} could not be opened", path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The collector's thread or runtime could not be started.
    #[error("the collector's runtime could not start")]
    Runtime(#[source] io::Error),
}

/// [`CollectorHandle::wait_for_records`](crate::CollectorHandle::wait_for_records)
/// or [`wait_for_syslog_messages`](crate::CollectorHandle::wait_for_syslog_messages)
/// ran out of time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("waited {waited:?} for {wanted} lines but {got} were written")]
#[non_exhaustive]
pub struct WaitTimeout {
    /// How many lines were waited for.
    pub wanted: usize,
    /// How many had been written when the time ran out.
    pub got: usize,
    /// How long was waited.
    pub waited: Duration,
}
