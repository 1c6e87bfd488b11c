//! Trust roots for the TLS transports (feature `tls`): a CA file or the
//! system's roots, with the failures named. Shared by the syslog (RFC 5425)
//! and HTTP layers, which map [`TlsFilesError`] into their own build errors
//! with their own option names.
//!
//! This module exposes `rustls` types and is plumbing between logwood's
//! crates, not part of the stable API.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use crate::options::TlsOptions;

/// Why a certificate file or the system roots could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsFilesError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not valid PEM, holds no certificate, or holds one rustls
    /// cannot use.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, as a sentence ending that starts with the file.
        reason: String,
    },
    /// No system root certificate was found.
    NoSystemRoots {
        /// The first error the system store reported, if any.
        detail: Option<String>,
    },
}

impl std::fmt::Display for TlsFilesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsFilesError::Read { path, source } => {
                write!(f, "{} cannot be read: {source}", path.display())
            }
            TlsFilesError::Invalid { reason, .. } => f.write_str(reason),
            TlsFilesError::NoSystemRoots { detail: None } => {
                f.write_str("no system root certificate was found")
            }
            TlsFilesError::NoSystemRoots { detail: Some(d) } => {
                write!(f, "no system root certificate was found ({d})")
            }
        }
    }
}

impl std::error::Error for TlsFilesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsFilesError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn invalid(path: &Path, reason: String) -> TlsFilesError {
    TlsFilesError::Invalid {
        path: path.to_owned(),
        reason: format!("{} {reason}", path.display()),
    }
}

/// The PEM certificates in `path` (at least one).
///
/// # Errors
///
/// The file cannot be read, is not valid PEM, or holds no certificate.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsFilesError> {
    let pem = std::fs::read(path).map_err(|source| TlsFilesError::Read {
        path: path.to_owned(),
        source,
    })?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(path, format!("is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(path, "holds no PEM certificate".to_owned()));
    }
    Ok(certs)
}

/// The roots to verify servers with: the certificates of `ca_file`, else
/// the system's.
///
/// # Errors
///
/// See [`read_certificates`]; also a certificate rustls cannot use, or no
/// system root at all.
pub fn root_store(ca_file: Option<&Path>) -> Result<RootCertStore, TlsFilesError> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in read_certificates(path)? {
                roots.add(cert).map_err(|e| {
                    invalid(path, format!("holds a certificate rustls cannot use: {e}"))
                })?;
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(native.certs);
            if added == 0 {
                return Err(TlsFilesError::NoSystemRoots {
                    detail: native.errors.first().map(ToString::to_string),
                });
            }
        }
    }
    Ok(roots)
}

/// Why [`client_config`] could not build the TLS settings; each case names
/// the builder option (`ca_file`, `client_cert`, `client_key`,
/// `server_name`, or the address option given as `address_option`).
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// A file named by `option` could not be read.
    ReadFile {
        /// The option.
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The value of `option` is unusable (not PEM, no certificate, a key
    /// that does not fit, no system roots, not a valid server name).
    Tls {
        /// The option.
        option: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// `option` is set without the option it needs.
    Incomplete {
        /// The option.
        option: &'static str,
        /// What is missing.
        reason: String,
    },
}

impl std::fmt::Display for TlsConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsConfigError::ReadFile {
                option,
                path,
                source,
            } => {
                write!(
                    f,
                    "`{option}` file {} cannot be read: {source}",
                    path.display()
                )
            }
            TlsConfigError::Tls { option, reason }
            | TlsConfigError::Incomplete { option, reason } => {
                write!(f, "`{option}` {reason}")
            }
        }
    }
}

impl std::error::Error for TlsConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsConfigError::ReadFile { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn files_error(
    option: &'static str,
    address_option: &'static str,
    e: TlsFilesError,
) -> TlsConfigError {
    match e {
        TlsFilesError::Read { path, source } => TlsConfigError::ReadFile {
            option,
            path,
            source,
        },
        TlsFilesError::NoSystemRoots { .. } => TlsConfigError::Tls {
            option: address_option,
            reason: format!("{e}: install the ca-certificates package or set `ca_file`"),
        },
        e => TlsConfigError::Tls {
            option,
            reason: e.to_string(),
        },
    }
}

/// The client settings of a TLS transport: rustls with the `ring`
/// provider, TLS 1.2 and 1.3, the roots of `ca_file` (else the system's),
/// the client certificate of `client_cert` / `client_key` (mutual TLS), the
/// ALPN protocols given; and the name to verify the server as:
/// `server_name`, else `host` (an IP address in brackets is accepted).
///
/// `address_option` names the option that holds `host` (`tls`, `url`), for
/// errors about it.
///
/// # Errors
///
/// [`TlsConfigError`], naming the option.
pub fn client_config(
    options: &TlsOptions,
    host: &str,
    address_option: &'static str,
    alpn: &[&[u8]],
) -> Result<(Arc<ClientConfig>, ServerName<'static>), TlsConfigError> {
    let roots = root_store(options.ca_file.as_deref())
        .map_err(|e| files_error("ca_file", address_option, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsConfigError::Tls {
            option: address_option,
            reason: format!("no usable protocol version: {e}"),
        })?
        .with_root_certificates(roots);
    let mut config = match (&options.client_cert, &options.client_key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let certs = read_certificates(cert)
                .map_err(|e| files_error("client_cert", address_option, e))?;
            let pem = std::fs::read(key).map_err(|source| TlsConfigError::ReadFile {
                option: "client_key",
                path: key.clone(),
                source,
            })?;
            let key_der = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsConfigError::Tls {
                option: "client_key",
                reason: format!("{} holds no usable PEM private key: {e}", key.display()),
            })?;
            builder
                .with_client_auth_cert(certs, key_der)
                .map_err(|e| TlsConfigError::Tls {
                    option: "client_key",
                    reason: format!("does not fit `client_cert`: {e}"),
                })?
        }
        (Some(_), None) => {
            return Err(TlsConfigError::Incomplete {
                option: "client_cert",
                reason: "is set without `client_key`: mutual TLS needs both".to_owned(),
            });
        }
        (None, Some(_)) => {
            return Err(TlsConfigError::Incomplete {
                option: "client_key",
                reason: "is set without `client_cert`: mutual TLS needs both".to_owned(),
            });
        }
    };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let (name, option) = match &options.server_name {
        Some(name) => (name.as_str(), "server_name"),
        None => (host, address_option),
    };
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let server_name = ServerName::try_from(bare.to_owned()).map_err(|_| TlsConfigError::Tls {
        option,
        reason: format!("{name:?} is not a valid DNS name or IP address to verify the server as"),
    })?;
    Ok((Arc::new(config), server_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_certificates_is_named_in_the_error() {
        let dir = std::env::temp_dir().join(format!("logwood-core-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no pem here\n").unwrap();
        let e = root_store(Some(&empty)).unwrap_err();
        assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
        assert!(e.to_string().contains("empty.pem"), "{e}");
        let missing = dir.join("missing.pem");
        assert!(matches!(
            root_store(Some(&missing)),
            Err(TlsFilesError::Read { .. })
        ));
        std::fs::remove_dir_all(&dir).ok();
    }
}
