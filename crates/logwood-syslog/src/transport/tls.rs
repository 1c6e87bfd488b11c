//! TLS (RFC 5425) with rustls over a blocking `TcpStream`: the handshake,
//! noticing a closed peer, and close_notify. (The client configuration is
//! core's, shared with the HTTP layer.)

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::tcp;

/// A TLS connection to the server.
pub(crate) type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// What the worker needs to connect: core's client configuration (built
/// and checked in `build()` by `logwood_core::__private::tls::client_config`)
/// and the name to verify the server as.
#[derive(Debug, Clone)]
pub(crate) struct TlsSettings {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: ServerName<'static>,
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
