//! UDP (RFC 5426): one record per datagram.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// A UDP socket bound to an ephemeral port and connected to `addr`.
pub(crate) fn connect(addr: SocketAddr) -> io::Result<UdpSocket> {
    let local: SocketAddr = match addr {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local)?;
    socket.connect(addr)?;
    Ok(socket)
}

/// Sends one datagram. A connected UDP socket reports an ICMP "port
/// unreachable" of an *earlier* datagram on the next send, without sending
/// it: that send is tried once more.
pub(crate) fn send(socket: &UdpSocket, record: &[u8]) -> io::Result<()> {
    let sent = match socket.send(record) {
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => socket.send(record)?,
        other => other?,
    };
    if sent == record.len() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "the datagram was sent in part",
        ))
    }
}
