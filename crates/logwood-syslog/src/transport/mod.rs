//! Transports: where the worker sends records, and how.
//!
//! Addresses are resolved by the worker at each connection (so a server
//! that moves is followed, and a name that does not resolve yet is retried
//! like an unreachable server); `build()` only checks their syntax.

pub(crate) mod framing;
pub(crate) mod relp;
pub(crate) mod tcp;
#[cfg(feature = "tls")]
pub(crate) mod tls;
pub(crate) mod udp;
pub(crate) mod unix;

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use framing::Framing;
pub(crate) use unix::UnixKind;

use logwood_core::{DeliveryError, ErrorKind};

/// `HOST:PORT`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostPort {
    pub(crate) host: String,
    pub(crate) port: u16,
}

// === impl HostPort ===

impl HostPort {
    /// Parses `HOST:PORT` (`[v6]:PORT` for IPv6).
    pub(crate) fn parse(addr: &str) -> Result<Self, &'static str> {
        if let Ok(sa) = addr.parse::<SocketAddr>() {
            if sa.port() == 0 {
                return Err("the port is 0");
            }
            return Ok(Self {
                host: sa.ip().to_string(),
                port: sa.port(),
            });
        }
        let Some((host, port)) = addr.rsplit_once(':') else {
            return Err("there is no port");
        };
        let port: u16 = port
            .parse()
            .map_err(|_| "the port is not a number from 1 to 65535")?;
        if port == 0 {
            return Err("the port is 0");
        }
        if host.is_empty() {
            return Err("the host is empty");
        }
        if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
            return Err("an IPv6 address must be in brackets, as [::1]:514");
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err("the host holds a space, control character or '/'");
        }
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        Ok(Self {
            host: host.to_owned(),
            port,
        })
    }

    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port).to_socket_addrs()?.collect();
        if addrs.is_empty() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no address found"));
        }
        Ok(addrs)
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Where records go.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Udp(HostPort),
    Tcp(HostPort),
    #[cfg(feature = "tls")]
    Tls(HostPort, tls::TlsSettings),
    Unix(PathBuf, UnixKind),
    /// RELP over TCP.
    Relp(HostPort),
    /// RELP over TLS.
    #[cfg(feature = "tls")]
    RelpTls(HostPort, tls::TlsSettings),
}

/// Connection timeouts and framing, validated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) framing: Framing,
}

/// An open connection.
#[derive(Debug)]
pub(crate) enum Conn {
    Udp(UdpSocket),
    Tcp(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<tls::TlsStream>),
    UnixDatagram(UnixDatagram),
    UnixStream(UnixStream),
}

/// A second handle on a stream socket, to shut it down from another thread
/// and unblock a worker stuck in a write past the shutdown deadline.
#[derive(Debug)]
pub(crate) enum AbortHandle {
    Tcp(TcpStream),
    Unix(UnixStream),
}

// === impl AbortHandle ===

impl AbortHandle {
    pub(crate) fn abort(&self) {
        let _ignored = match self {
            Self::Tcp(s) => s.shutdown(Shutdown::Both),
            Self::Unix(s) => s.shutdown(Shutdown::Both),
        };
    }
}

// === impl Target ===

impl Target {
    /// Whether records go as RELP transactions (acknowledged).
    pub(crate) fn is_relp(&self) -> bool {
        match self {
            Self::Relp(_) => true,
            #[cfg(feature = "tls")]
            Self::RelpTls(..) => true,
            _ => false,
        }
    }

    /// Connects, trying each resolved address in turn.
    pub(crate) fn connect(&self, settings: &ConnSettings) -> Result<Conn, DeliveryError> {
        let timeout = settings.connect_timeout;
        match self {
            Self::Unix(path, kind) => {
                let conn = unix::connect(path, *kind).map_err(|e| self.connect_error(e))?;
                Ok(match conn {
                    unix::UnixConn::Datagram(s) => {
                        // A full receive queue blocks a send: bound it.
                        s.set_write_timeout(Some(settings.write_timeout))
                            .map_err(|e| self.connect_error(e))?;
                        Conn::UnixDatagram(s)
                    }
                    unix::UnixConn::Stream(s) => {
                        s.set_write_timeout(Some(settings.write_timeout))
                            .map_err(|e| self.connect_error(e))?;
                        Conn::UnixStream(s)
                    }
                })
            }
            Self::Udp(hp) => {
                let addrs = self.resolve(hp)?;
                let mut last = None;
                for addr in addrs {
                    match udp::connect(addr) {
                        Ok(s) => return Ok(Conn::Udp(s)),
                        Err(e) => last = Some(e),
                    }
                }
                Err(self.connect_error(last.unwrap_or_else(|| io::Error::other("no address"))))
            }
            Self::Tcp(hp) | Self::Relp(hp) => {
                let addrs = self.resolve(hp)?;
                let mut last = None;
                for addr in addrs {
                    match tcp::connect(addr, timeout) {
                        Ok(s) => {
                            s.set_write_timeout(Some(settings.write_timeout))
                                .map_err(|e| self.connect_error(e))?;
                            return Ok(Conn::Tcp(s));
                        }
                        Err(e) => last = Some(e),
                    }
                }
                Err(self.connect_error(last.unwrap_or_else(|| io::Error::other("no address"))))
            }
            #[cfg(feature = "tls")]
            Self::Tls(hp, tls_settings) | Self::RelpTls(hp, tls_settings) => {
                let addrs = self.resolve(hp)?;
                let mut last = None;
                for addr in addrs {
                    match tls::connect(addr, timeout, tls_settings) {
                        Ok(s) => {
                            s.sock
                                .set_write_timeout(Some(settings.write_timeout))
                                .map_err(|e| self.connect_error(e))?;
                            return Ok(Conn::Tls(Box::new(s)));
                        }
                        Err(tls::ConnectError::Tcp(e)) => last = Some(self.connect_error(e)),
                        Err(tls::ConnectError::Handshake(e)) => {
                            let name = match &tls_settings.server_name {
                                rustls::pki_types::ServerName::DnsName(n) => n.as_ref().to_owned(),
                                other => format!("{other:?}"),
                            };
                            last = Some(
                                DeliveryError::new(
                                    ErrorKind::Tls,
                                    format!(
                                        "TLS handshake with {self} (verifying the server as \
                                         {name:?}) failed"
                                    ),
                                )
                                .with_source(e),
                            );
                        }
                    }
                }
                Err(last.unwrap_or_else(|| self.connect_error(io::Error::other("no address"))))
            }
        }
    }

    fn resolve(&self, hp: &HostPort) -> Result<Vec<SocketAddr>, DeliveryError> {
        hp.resolve().map_err(|e| {
            DeliveryError::new(
                ErrorKind::Resolve,
                format!("resolving the address of {self} failed"),
            )
            .with_source(e)
        })
    }

    fn connect_error(&self, e: io::Error) -> DeliveryError {
        DeliveryError::new(ErrorKind::Connect, format!("connecting to {self} failed"))
            .with_source(e)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Udp(hp) => write!(f, "udp {hp}"),
            Self::Tcp(hp) => write!(f, "tcp {hp}"),
            #[cfg(feature = "tls")]
            Self::Tls(hp, _) => write!(f, "tls {hp}"),
            Self::Unix(path, _) => write!(f, "unix {}", path.display()),
            Self::Relp(hp) => write!(f, "relp {hp}"),
            #[cfg(feature = "tls")]
            Self::RelpTls(hp, _) => write!(f, "relp over tls {hp}"),
        }
    }
}

// === impl Conn ===

impl Conn {
    /// Whether records are framed on a stream (else one per datagram).
    pub(crate) fn is_stream(&self) -> bool {
        !matches!(self, Self::Udp(_) | Self::UnixDatagram(_))
    }

    /// A handle to shut the socket down from another thread.
    pub(crate) fn abort_handle(&self) -> Option<AbortHandle> {
        match self {
            Self::Tcp(s) => s.try_clone().ok().map(AbortHandle::Tcp),
            #[cfg(feature = "tls")]
            Self::Tls(s) => s.sock.try_clone().ok().map(AbortHandle::Tcp),
            Self::UnixStream(s) => s.try_clone().ok().map(AbortHandle::Unix),
            Self::Udp(_) | Self::UnixDatagram(_) => None,
        }
    }

    /// Whether the server has closed a stream connection.
    pub(crate) fn peer_closed(&mut self) -> bool {
        match self {
            Self::Tcp(s) => tcp::peer_closed(s),
            #[cfg(feature = "tls")]
            Self::Tls(s) => tls::peer_closed(s),
            Self::UnixStream(s) => tcp::peer_closed(s),
            Self::Udp(_) | Self::UnixDatagram(_) => false,
        }
    }

    /// Sets the timeout of each write (streams and Unix datagrams).
    pub(crate) fn set_write_timeout(&self, timeout: Duration) {
        let timeout = Some(timeout.max(Duration::from_millis(1)));
        let _ignored = match self {
            Self::Tcp(s) => s.set_write_timeout(timeout),
            #[cfg(feature = "tls")]
            Self::Tls(s) => s.sock.set_write_timeout(timeout),
            Self::UnixStream(s) => s.set_write_timeout(timeout),
            Self::UnixDatagram(s) => s.set_write_timeout(timeout),
            Self::Udp(_) => Ok(()),
        };
    }

    /// Writes framed bytes to a stream.
    pub(crate) fn write_stream(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.write_all(bytes),
            #[cfg(feature = "tls")]
            Self::Tls(s) => {
                s.write_all(bytes)?;
                s.flush()
            }
            Self::UnixStream(s) => s.write_all(bytes),
            Self::Udp(_) | Self::UnixDatagram(_) => Err(io::Error::other("not a stream")),
        }
    }

    /// Reads from a stream, waiting at most `timeout` (at least 1 ms):
    /// `Ok(0)` at end of stream, an error of kind `WouldBlock` or
    /// `TimedOut` when nothing arrived in time.
    pub(crate) fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let timeout = Some(timeout.max(Duration::from_millis(1)));
        match self {
            Self::Tcp(s) => {
                s.set_read_timeout(timeout)?;
                s.read(buf)
            }
            #[cfg(feature = "tls")]
            Self::Tls(s) => {
                s.sock.set_read_timeout(timeout)?;
                s.read(buf)
            }
            Self::UnixStream(s) => {
                s.set_read_timeout(timeout)?;
                s.read(buf)
            }
            Self::Udp(_) | Self::UnixDatagram(_) => Err(io::Error::other("not a stream")),
        }
    }

    /// Sends one record as a datagram.
    pub(crate) fn send_datagram(&mut self, record: &[u8]) -> io::Result<()> {
        match self {
            Self::Udp(s) => udp::send(s, record),
            Self::UnixDatagram(s) => unix::send(s, record),
            _ => Err(io::Error::other("not a datagram socket")),
        }
    }

    /// Closes the connection cleanly: half-close (and close_notify for
    /// TLS), then wait until `deadline` for the server to close its side.
    pub(crate) fn close(self, deadline: Instant) {
        match self {
            Self::Tcp(mut s) => tcp::close(&mut s, deadline),
            #[cfg(feature = "tls")]
            Self::Tls(mut s) => tls::close(&mut s, deadline),
            Self::UnixStream(mut s) => tcp::close(&mut s, deadline),
            Self::Udp(_) | Self::UnixDatagram(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_host_and_a_port() {
        let hp = HostPort::parse("logs5.papertrailapp.com:12345").unwrap();
        assert_eq!(
            (hp.host.as_str(), hp.port),
            ("logs5.papertrailapp.com", 12345)
        );
        let hp = HostPort::parse("[::1]:514").unwrap();
        assert_eq!((hp.host.as_str(), hp.port), ("::1", 514));
        assert_eq!(hp.to_string(), "[::1]:514");
        assert_eq!(HostPort::parse("127.0.0.1:514").unwrap().host, "127.0.0.1");
        assert_eq!(HostPort::parse("nowhere"), Err("there is no port"));
        assert!(HostPort::parse("host:99999").is_err());
        assert!(HostPort::parse("host:0").is_err());
        assert!(HostPort::parse(":514").is_err());
        assert!(HostPort::parse("::1:514").is_err());
        assert!(HostPort::parse("a b:514").is_err());
    }
}
