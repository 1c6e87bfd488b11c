//! [`PatternError`]: why a Python `logging` format string or a date format
//! was refused.

/// The attributes a pattern may name.
pub const SUPPORTED_ATTRIBUTES: &str = "name, levelno, levelname, pathname, filename, module, funcName, \
     lineno, created, relativeCreated, asctime, msecs, thread, threadName, process, message, hostname";

/// Why a pattern (a Python `logging` format string) or its date format was
/// refused. Each message names the option (`pattern`, `datefmt`) and, for a
/// pattern, the position: the 0-based character index of the `%` that
/// starts the bad directive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
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
}
