//! Configuration errors ([`BuildError`]) and delivery failures ([`SyslogError`]).

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why [`SyslogLayerBuilder::build`](crate::SyslogLayerBuilder::build)
/// refused the configuration. Each message names the option in backticks.
///
/// An unreachable server is **not** a build error: the worker connects in
/// the background and retries.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An option has a value outside what it allows.
    #[error("`{option}` {reason}")]
    InvalidOption {
        /// The option, as the builder method is named.
        option: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A transport address is not `HOST:PORT`.
    #[error(
        "`{option}` address {address:?} is invalid: {reason} \
         (expected HOST:PORT, such as 127.0.0.1:514 or logs5.papertrailapp.com:12345)"
    )]
    InvalidAddress {
        /// The transport: `udp`, `tcp` or `tls`.
        option: &'static str,
        /// The address as given.
        address: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A file named by an option could not be read.
    #[error("`{option}` file {} cannot be read", path.display())]
    ReadFile {
        /// The option: `ca_file`, `client_cert` or `client_key`.
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A certificate, key or the TLS settings are unusable.
    #[error("`{option}`: {reason}")]
    Tls {
        /// The option: `tls`, `ca_file`, `client_cert`, `client_key` or
        /// `server_name`.
        option: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The worker thread could not be started.
    #[error("the `logwood-syslog` worker thread could not be started")]
    Worker {
        /// The error from `std::thread::Builder::spawn`.
        #[source]
        source: io::Error,
    },
}

impl BuildError {
    pub(crate) fn invalid(option: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidOption {
            option,
            reason: reason.into(),
        }
    }

    /// The option this error is about (`tcp`, `ca_file`, `buffer_capacity`,
    /// …; `build` when the worker thread could not start).
    pub fn option(&self) -> &'static str {
        match self {
            Self::InvalidOption { option, .. }
            | Self::InvalidAddress { option, .. }
            | Self::ReadFile { option, .. }
            | Self::Tls { option, .. } => option,
            Self::Worker { .. } => "build",
        }
    }
}

/// What kind of delivery failure a [`SyslogError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server's host name did not resolve.
    Resolve,
    /// The TCP (or Unix socket) connection could not be made.
    Connect,
    /// The TLS handshake failed (certificate, server name, protocol).
    Tls,
    /// Writing to the server failed, or the server closed the connection;
    /// the records are kept and sent again after reconnecting.
    Write,
    /// A record was dropped because the queue was full
    /// ([`drop_extra_events(true)`](crate::SyslogLayerBuilder::drop_extra_events)),
    /// or because the worker had stopped.
    Dropped,
    /// Records were still unsent when the shutdown deadline passed, or could
    /// never be sent (a datagram the socket refused as too large).
    Failed,
}

// === impl ErrorKind ===

impl ErrorKind {
    /// A short lowercase name: `resolve`, `connect`, `tls`, `write`,
    /// `dropped` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolve => "resolve",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Write => "write",
            Self::Dropped => "dropped",
            Self::Failed => "failed",
        }
    }

    pub(crate) const ALL: [ErrorKind; 6] = [
        Self::Resolve,
        Self::Connect,
        Self::Tls,
        Self::Write,
        Self::Dropped,
        Self::Failed,
    ];

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Resolve => 0,
            Self::Connect => 1,
            Self::Tls => 2,
            Self::Write => 3,
            Self::Dropped => 4,
            Self::Failed => 5,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A delivery failure, as given to the
/// [`on_error`](crate::SyslogLayerBuilder::on_error) callback.
///
/// It never reaches the application's code otherwise: the layer counts it in
/// [`Stats`](crate::Stats) and (once per kind) reports it on stderr. Its
/// text names the transport and the server, never a record's content.
#[derive(Debug)]
pub struct SyslogError {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

// === impl SyslogError ===

impl SyslogError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for SyslogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SyslogError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_errors_name_the_option_in_backticks() {
        let e = BuildError::invalid("buffer_capacity", "must be greater than zero");
        assert_eq!(e.to_string(), "`buffer_capacity` must be greater than zero");
        assert_eq!(e.option(), "buffer_capacity");
        let e = BuildError::InvalidAddress {
            option: "tcp",
            address: "nowhere".into(),
            reason: "there is no port",
        };
        assert!(
            e.to_string()
                .starts_with("`tcp` address \"nowhere\" is invalid")
        );
    }

    #[test]
    fn syslog_error_text_carries_its_source() {
        let e = SyslogError::with_source(
            ErrorKind::Connect,
            "connecting to tcp 127.0.0.1:9 failed",
            io::Error::from(io::ErrorKind::ConnectionRefused),
        );
        assert_eq!(e.kind(), ErrorKind::Connect);
        assert_eq!(
            e.to_string(),
            "connecting to tcp 127.0.0.1:9 failed: connection refused"
        );
    }
}
