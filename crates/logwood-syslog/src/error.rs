//! Configuration errors: [`BuildError`]. (Delivery failures are core's
//! [`DeliveryError`](logwood_core::DeliveryError), the same in every layer.)

use std::io;
use std::path::PathBuf;

use logwood_core::InvalidOption;

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

// === impl BuildError ===

impl BuildError {
    pub(crate) fn invalid(option: &'static str, reason: impl Into<String>) -> Self {
        InvalidOption::new(option, reason).into()
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

impl From<InvalidOption> for BuildError {
    fn from(e: InvalidOption) -> Self {
        Self::InvalidOption {
            option: e.option,
            reason: e.reason,
        }
    }
}

#[cfg(feature = "tls")]
impl From<logwood_core::__private::tls::TlsConfigError> for BuildError {
    fn from(e: logwood_core::__private::tls::TlsConfigError) -> Self {
        use logwood_core::__private::tls::TlsConfigError;
        match e {
            TlsConfigError::ReadFile {
                option,
                path,
                source,
            } => Self::ReadFile {
                option,
                path,
                source,
            },
            TlsConfigError::Tls { option, reason } => Self::Tls { option, reason },
            TlsConfigError::Incomplete { option, reason } => Self::InvalidOption { option, reason },
            // A kind added to core later: keep its text, name the transport.
            other => Self::Tls {
                option: "tls",
                reason: format!("{other:?}"),
            },
        }
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
    fn core_option_errors_convert_keeping_the_option() {
        let e: BuildError =
            InvalidOption::new("buffer_capacity", "must be greater than zero").into();
        assert!(matches!(
            e,
            BuildError::InvalidOption {
                option: "buffer_capacity",
                ..
            }
        ));
        assert_eq!(e.to_string(), "`buffer_capacity` must be greater than zero");
    }
}
