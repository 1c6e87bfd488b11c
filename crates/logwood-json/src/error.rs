//! The crate's configuration errors.

use std::io;
use std::path::PathBuf;

use logwood_core::__private::pattern::{PatternError, SUPPORTED_ATTRIBUTES};

/// Why a [`PatternLayerBuilder`](crate::PatternLayerBuilder) or a
/// [`RotatingFileWriterBuilder`](crate::RotatingFileWriterBuilder) could not
/// build.
///
/// Each message names the option (and, for a pattern, the position: the
/// 0-based character index of the `%` that starts the bad directive).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The pattern names an attribute logwood does not provide.
    #[error(
        "`pattern`: unknown attribute `{key}` at position {position}; supported: {}",
        SUPPORTED_ATTRIBUTES
    )]
    UnknownAttribute {
        /// The name between the parentheses.
        key: String,
        /// The character index of the directive's `%`.
        position: usize,
    },
    /// The pattern is not a valid Python `%`-style format string.
    #[error("`pattern`: {problem} at position {position}")]
    InvalidPattern {
        /// What is wrong, in words.
        problem: String,
        /// The character index of the directive's `%`.
        position: usize,
    },
    /// A conversion that cannot format the attribute's type (Python would
    /// raise `TypeError` on every record).
    #[error(
        "`pattern`: `%{conversion}` cannot format `{key}` (a {kind}) at position {position}; \
         use {allowed}"
    )]
    ConversionMismatch {
        /// The attribute.
        key: String,
        /// The conversion character.
        conversion: char,
        /// `string`, `integer` or `float`.
        kind: &'static str,
        /// The conversions that work for this attribute.
        allowed: &'static str,
        /// The character index of the directive's `%`.
        position: usize,
    },
    /// The date format holds a directive chrono's `strftime` does not know.
    #[error(
        "`datefmt`: `{datefmt}` is not a valid strftime format (see chrono's `format::strftime` \
         for the directives)"
    )]
    InvalidDatefmt {
        /// The date format given.
        datefmt: String,
    },
    /// The log file could not be opened for appending.
    #[error("`path`: cannot open `{}` for appending: {source}", path.display())]
    OpenFile {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The path names no file (empty, or ending in `..`).
    #[error("`path`: `{}` does not name a file", path.display())]
    NotAFilePath {
        /// The path given.
        path: PathBuf,
    },
    /// A `when` string that is not one of Python's.
    #[error(
        "`when`: `{value}` is not a rollover interval; choose from S, M, H, D, midnight, \
         W0-W6 (W0 is Monday), in any case"
    )]
    UnknownWhen {
        /// The string given.
        value: String,
    },
    /// `interval` was zero.
    #[error("`interval` must be greater than zero")]
    ZeroInterval,
    /// `at_time` is not a time of day.
    #[error(
        "`at_time`: {hour:02}:{minute:02}:{second:02} is not a time of day \
         (hours 0-23, minutes and seconds 0-59)"
    )]
    InvalidAtTime {
        /// The hour given.
        hour: u8,
        /// The minute given.
        minute: u8,
        /// The second given.
        second: u8,
    },
    /// `at_time` was set without `when` = midnight or a weekday.
    #[error(
        "`at_time` only applies with `when` = midnight or W0-W6 (`when` is {})",
        when.map_or("not set", crate::When::as_str)
    )]
    AtTimeNeedsDailyWhen {
        /// The `when` given, if any.
        when: Option<crate::When>,
    },
    /// A `compression` string that names no compression.
    #[error("`compression`: `{value}` is not one of none, gzip, zstd")]
    UnknownCompression {
        /// The string given.
        value: String,
    },
    /// The compression needs a feature this build does not have.
    #[error("`compression`: `{compression}` needs logwood-json's `{compression}` feature")]
    CompressionUnavailable {
        /// The compression asked for.
        compression: crate::Compression,
    },
    /// The compression thread could not start.
    #[error("`compression`: cannot start the compression thread: {source}")]
    SpawnCompressor {
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// An option has a value outside what it allows (`buffer_capacity`
    /// zero, …).
    #[error(transparent)]
    InvalidOption(#[from] logwood_core::InvalidOption),
    /// The background writer thread of `non_blocking` mode could not start.
    #[error("`non_blocking`: cannot start the writer thread: {source}")]
    SpawnWorker {
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl From<PatternError> for BuildError {
    fn from(e: PatternError) -> Self {
        match e {
            PatternError::UnknownAttribute { key, position } => {
                BuildError::UnknownAttribute { key, position }
            }
            PatternError::InvalidPattern { problem, position } => {
                BuildError::InvalidPattern { problem, position }
            }
            PatternError::ConversionMismatch {
                key,
                conversion,
                kind,
                allowed,
                position,
            } => BuildError::ConversionMismatch {
                key,
                conversion,
                kind,
                allowed,
                position,
            },
            PatternError::InvalidDatefmt { datefmt } => BuildError::InvalidDatefmt { datefmt },
            // `PatternError` is non-exhaustive: a future case keeps its text.
            other => BuildError::InvalidPattern {
                problem: other.to_string(),
                position: 0,
            },
        }
    }
}
