//! Unix sockets (`/dev/log`): datagram or stream.

use std::io;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::Path;

/// Which kind of Unix socket to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnixKind {
    /// Datagram, or stream when the socket is not a datagram socket (as
    /// Python's `SysLogHandler` does).
    Auto,
    /// `SOCK_DGRAM`.
    Datagram,
    /// `SOCK_STREAM`.
    Stream,
}

/// A connected Unix socket.
#[derive(Debug)]
pub(crate) enum UnixConn {
    Datagram(UnixDatagram),
    Stream(UnixStream),
}

/// Connects to the socket at `path`.
pub(crate) fn connect(path: &Path, kind: UnixKind) -> io::Result<UnixConn> {
    match kind {
        UnixKind::Datagram => connect_datagram(path).map(UnixConn::Datagram),
        UnixKind::Stream => UnixStream::connect(path).map(UnixConn::Stream),
        UnixKind::Auto => match connect_datagram(path) {
            Ok(socket) => Ok(UnixConn::Datagram(socket)),
            // A missing socket or no permission: the stream attempt would
            // fail the same way.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied
                ) =>
            {
                Err(e)
            }
            // EPROTOTYPE: the socket is a stream socket.
            Err(_) => UnixStream::connect(path).map(UnixConn::Stream),
        },
    }
}

fn connect_datagram(path: &Path) -> io::Result<UnixDatagram> {
    let socket = UnixDatagram::unbound()?;
    socket.connect(path)?;
    Ok(socket)
}

/// Sends one datagram.
pub(crate) fn send(socket: &UnixDatagram, record: &[u8]) -> io::Result<()> {
    let sent = socket.send(record)?;
    if sent == record.len() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "the datagram was sent in part",
        ))
    }
}
