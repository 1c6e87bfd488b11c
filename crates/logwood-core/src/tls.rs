//! Trust roots for the TLS transports (feature `tls`): a CA file or the
//! system's roots, with the failures named. Shared by the syslog (RFC 5425)
//! and HTTP layers, which map [`TlsFilesError`] into their own build errors
//! with their own option names.
//!
//! This module exposes `rustls` types and is plumbing between logwood's
//! crates, not part of the stable API.

use std::io;
use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

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
