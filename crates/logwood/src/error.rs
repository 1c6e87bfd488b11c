//! [`InitError`]: why `init()` refused the configuration.

use std::error::Error as StdError;
use std::io;
use std::path::PathBuf;

/// Why [`try_init`](crate::try_init) (or a [`Builder`](crate::Builder))
/// refused the configuration or could not install it.
///
/// Every message names the setting: the environment variable
/// (`LOGWOOD_FILE_WHEN`), or the TOML key and the file
/// (`` `file.when` in /etc/shop/logwood.toml ``), or the builder method;
/// then the value as given and what is allowed. A secret (the HTTP token)
/// is never part of a message or of `Debug`: its setting is named, its
/// value is not.
///
/// # Examples
///
/// ```
/// let err = logwood::builder()
///     .read_env(false)
///     .buffer_capacity(0)
///     .build()
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "`buffer_capacity` = 0 (set in code): must be greater than zero"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// A setting has a value outside what it allows.
    #[error("{setting}: {reason}")]
    Invalid {
        /// The setting with its value (without it for a secret):
        /// `LOGWOOD_FILE_WHEN=fortnightly`.
        setting: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A `LOGWOOD_*` environment variable that logwood does not read:
    /// most often a typo, which must not pass unnoticed.
    #[error(
        "unknown variable `{name}`: {}",
        hint.as_deref().unwrap_or("logwood reads the variables listed in its README; unset it or fix its name")
    )]
    UnknownVariable {
        /// The variable.
        name: String,
        /// `did you mean LOGWOOD_FILE_WHEN?`, or the variables of the sink
        /// its name starts like.
        hint: Option<String>,
    },
    /// A setting of a sink this build does not have.
    #[error(
        "{setting} needs logwood's `{feature}` feature, which this build does not have \
         (enable it in Cargo.toml: `logwood = {{ features = [\"{feature}\"] }}`)"
    )]
    FeatureDisabled {
        /// The setting (variable or TOML key).
        setting: String,
        /// The Cargo feature that provides it.
        feature: &'static str,
    },
    /// The configuration file could not be read.
    #[error("cannot read the configuration file {} (from {origin}): {source}", path.display())]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Where its name came from: `LOGWOOD_CONFIG`, or the builder.
        origin: &'static str,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The configuration file is not valid TOML, or has a key logwood does
    /// not know.
    #[error("{}:{line}:{column}: {message}", path.display())]
    ParseConfig {
        /// The file.
        path: PathBuf,
        /// The line of the problem (1-based).
        line: usize,
        /// The column of the problem (1-based).
        column: usize,
        /// What is wrong (the unknown key and the keys allowed there, …).
        message: String,
    },
    /// A layer's builder refused its settings (a file that cannot be
    /// opened, a TLS CA file that cannot be read, …).
    #[error("{setting}: {source}")]
    Layer {
        /// The setting the layer's error is about, with its value.
        setting: String,
        /// The layer's error.
        #[source]
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// A global subscriber (or a `log` logger) is already installed:
    /// `init()` runs once per process.
    #[error("{what} is already installed: logwood's `init()` runs once per process")]
    AlreadyInitialized {
        /// `a global tracing subscriber`, or `a logger for the log crate
        /// (…)`.
        what: &'static str,
    },
}

// === impl InitError ===

impl InitError {
    pub(crate) fn invalid(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            setting: setting.into(),
            reason: reason.into(),
        }
    }

    #[cfg_attr(
        not(any(feature = "json", feature = "syslog", feature = "http")),
        allow(dead_code)
    )]
    pub(crate) fn layer(
        setting: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::Layer {
            setting: setting.into(),
            source: Box::new(source),
        }
    }
}
