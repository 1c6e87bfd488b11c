//! Why an instance could not be started.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Why [`RsyslogBuilder::start`](super::RsyslogBuilder::start) or
/// [`Rsyslog::start_again`](super::Rsyslog::start_again) failed.
///
/// The variants about rsyslogd itself carry its stderr and its own log, so the
/// message alone explains a failed test.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A builder option has a value rsyslogd or its config cannot take.
    #[error("`{option}` {reason}")]
    InvalidOption {
        /// The builder option.
        option: &'static str,
        /// What is allowed.
        reason: String,
    },
    /// rsyslogd or its GnuTLS module is missing and could not be installed.
    #[error("{0}")]
    Install(String),
    /// A file, socket or process operation failed.
    #[error("{context}")]
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The test CA or certificates could not be generated.
    #[error("generating the test certificates failed: {0}")]
    Certificates(String),
    /// `rsyslogd -N1` rejected the rendered config.
    #[error("rsyslogd rejected its config {}:\n{output}", path.display())]
    ConfigRejected {
        /// The rendered config file.
        path: PathBuf,
        /// rsyslogd's output.
        output: String,
    },
    /// rsyslogd exited before it was ready.
    #[error("rsyslogd exited during start-up\n{diagnostics}")]
    Exited {
        /// rsyslogd's stderr and log.
        diagnostics: String,
    },
    /// rsyslogd could not bind a listener port ("Could not create ... listener").
    #[error("rsyslogd could not open a listener ({attempts} attempt(s))\n{diagnostics}")]
    ListenerFailed {
        /// How many port sets were tried.
        attempts: u32,
        /// rsyslogd's stderr and log.
        diagnostics: String,
    },
    /// rsyslogd did not bind its ports or pass a probe message in time.
    #[error("rsyslogd was not ready within {timeout:?}\n{diagnostics}")]
    NotReady {
        /// The start timeout.
        timeout: Duration,
        /// rsyslogd's stderr and log.
        diagnostics: String,
    },
}

// === impl StartError ===

impl StartError {
    /// An [`StartError::Io`] with what the harness was doing.
    pub(super) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> Self {
        let context = context.into();
        move |source| Self::Io { context, source }
    }
}
