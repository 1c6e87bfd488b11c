//! TLS (RFC 5425) with rustls over a blocking `TcpStream`: the client
//! configuration (built and checked in `build()`), the handshake, noticing
//! a closed peer, and close_notify.

use std::fs;
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use logwood_core::tls::{TlsFilesError, read_certificates, root_store};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::tcp;
use crate::error::BuildError;

/// A TLS connection to the server.
pub(crate) type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// The TLS options of the builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsOptions {
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) client_cert: Option<PathBuf>,
    pub(crate) client_key: Option<PathBuf>,
}

/// What the worker needs to connect.
#[derive(Debug, Clone)]
pub(crate) struct TlsSettings {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: ServerName<'static>,
}

fn read(option: &'static str, path: &Path) -> Result<Vec<u8>, BuildError> {
    fs::read(path).map_err(|source| BuildError::ReadFile {
        option,
        path: path.to_owned(),
        source,
    })
}

/// Maps a core TLS-files error to this crate's build error for `option`.
fn files_error(option: &'static str, e: TlsFilesError) -> BuildError {
    match e {
        TlsFilesError::Read { path, source } => BuildError::ReadFile {
            option,
            path,
            source,
        },
        TlsFilesError::NoSystemRoots { .. } => BuildError::Tls {
            option: "tls",
            reason: format!("{e}: install the ca-certificates package or set `ca_file`"),
        },
        e => BuildError::Tls {
            option,
            reason: e.to_string(),
        },
    }
}

fn certificates(
    option: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, BuildError> {
    read_certificates(path).map_err(|e| files_error(option, e))
}

fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, BuildError> {
    root_store(ca_file).map_err(|e| files_error("ca_file", e))
}

/// The server name to verify: `server_name`, else the address's host.
pub(crate) fn server_name(
    name: &str,
    from_option: bool,
) -> Result<ServerName<'static>, BuildError> {
    let option = if from_option { "server_name" } else { "tls" };
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    ServerName::try_from(bare.to_owned()).map_err(|_| BuildError::Tls {
        option,
        reason: format!("{name:?} is not a valid DNS name or IP address to verify the server as"),
    })
}

/// Builds the client configuration: roots from `ca_file` or the system,
/// optionally a client certificate; TLS 1.2 and 1.3 with the `ring`
/// provider.
pub(crate) fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, BuildError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls {
            option: "tls",
            reason: format!("no usable protocol version: {e}"),
        })?
        .with_root_certificates(roots(options.ca_file.as_deref())?);
    let config = match (&options.client_cert, &options.client_key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let certs = certificates("client_cert", cert)?;
            let pem = read("client_key", key)?;
            let key_der = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| BuildError::Tls {
                option: "client_key",
                reason: format!("{} holds no usable PEM private key: {e}", key.display()),
            })?;
            builder
                .with_client_auth_cert(certs, key_der)
                .map_err(|e| BuildError::Tls {
                    option: "client_key",
                    reason: format!("does not fit `client_cert`: {e}"),
                })?
        }
        (Some(_), None) => {
            return Err(BuildError::invalid(
                "client_cert",
                "is set without `client_key`: mutual TLS needs both",
            ));
        }
        (None, Some(_)) => {
            return Err(BuildError::invalid(
                "client_key",
                "is set without `client_cert`: mutual TLS needs both",
            ));
        }
    };
    Ok(Arc::new(config))
}

/// Why a TLS connection could not be made.
#[derive(Debug)]
pub(crate) enum ConnectError {
    /// The TCP connection failed.
    Tcp(io::Error),
    /// The handshake failed (certificate, name, protocol, the server hung up).
    Handshake(io::Error),
}

/// Connects and completes the handshake within `timeout`.
pub(crate) fn connect(
    addr: SocketAddr,
    timeout: Duration,
    settings: &TlsSettings,
) -> Result<TlsStream, ConnectError> {
    let mut sock = tcp::connect(addr, timeout).map_err(ConnectError::Tcp)?;
    let mut conn = ClientConnection::new(settings.config.clone(), settings.server_name.clone())
        .map_err(|e| ConnectError::Handshake(io::Error::other(e)))?;
    let handshake = (|| {
        sock.set_read_timeout(Some(timeout))?;
        sock.set_write_timeout(Some(timeout))?;
        while conn.is_handshaking() {
            conn.complete_io(&mut sock)?;
        }
        sock.set_read_timeout(None)
    })();
    handshake.map_err(ConnectError::Handshake)?;
    Ok(StreamOwned::new(conn, sock))
}

/// Whether the server closed the connection (TCP end of stream, a TLS
/// close_notify, or an error). Reads what the server sent (a TLS 1.3
/// session ticket, an alert) through rustls.
pub(crate) fn peer_closed(stream: &mut TlsStream) -> bool {
    if stream.sock.set_nonblocking(true).is_err() {
        return true;
    }
    let mut plain = [0u8; 512];
    let closed = loop {
        match stream.conn.read_tls(&mut stream.sock) {
            Ok(0) => break true,
            Ok(_) => match stream.conn.process_new_packets() {
                Ok(state) if state.peer_has_closed() => break true,
                Ok(_) => {
                    // Discard application data (a syslog server sends none).
                    while matches!(stream.conn.reader().read(&mut plain), Ok(n) if n > 0) {}
                }
                Err(_) => break true,
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break true,
        }
    };
    stream.sock.set_nonblocking(false).is_err() || closed
}

/// Sends close_notify, half-closes, and waits until `deadline` for the
/// server to close: rsyslog then logs no "non-properly terminated" session.
pub(crate) fn close(stream: &mut TlsStream, deadline: Instant) {
    stream.conn.send_close_notify();
    let left = deadline.saturating_duration_since(Instant::now());
    if stream
        .sock
        .set_write_timeout(Some(left.max(Duration::from_millis(1))))
        .is_ok()
    {
        while stream.conn.wants_write() {
            if stream.conn.write_tls(&mut stream.sock).is_err() {
                break;
            }
        }
    }
    let _ignored = stream.sock.shutdown(Shutdown::Write);
    tcp::drain_until_eof(&mut stream.sock, deadline);
}
