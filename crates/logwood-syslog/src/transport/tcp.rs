//! TCP (RFC 6587), and what every stream transport shares: connect with a
//! timeout, notice a server that closed the connection before writing to
//! it, and close so that the server reads everything.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// Connects to `addr` within `timeout`.
pub(crate) fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, timeout.max(Duration::from_millis(1)))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// The socket operations the stream transports need (TCP and Unix stream).
pub(crate) trait StreamSocket: Read + Write {
    fn set_nonblocking(&self, on: bool) -> io::Result<()>;
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;
}

macro_rules! stream_socket {
    ($t:ty) => {
        impl StreamSocket for $t {
            fn set_nonblocking(&self, on: bool) -> io::Result<()> {
                <$t>::set_nonblocking(self, on)
            }
            fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
                <$t>::set_read_timeout(self, timeout)
            }
            fn shutdown(&self, how: Shutdown) -> io::Result<()> {
                <$t>::shutdown(self, how)
            }
        }
    };
}

stream_socket!(TcpStream);
stream_socket!(UnixStream);

/// Whether the server has closed (or reset) the connection.
///
/// A syslog server never sends anything, so a readable socket means end of
/// stream or an error. Checked before each write: a write into a
/// connection the server has already closed "succeeds" locally and its
/// records are lost without an error, which this check avoids.
pub(crate) fn peer_closed<S: StreamSocket>(stream: &mut S) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut buf = [0u8; 512];
    let closed = loop {
        match stream.read(&mut buf) {
            Ok(0) => break true,
            // Unexpected data from the server: discard it.
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break true,
        }
    };
    stream.set_nonblocking(false).is_err() || closed
}

/// Half-closes the connection and waits, until `deadline`, for the server
/// to close its side: then it has read every record.
pub(crate) fn close<S: StreamSocket>(stream: &mut S, deadline: Instant) {
    let _ignored = stream.flush();
    let _ignored = stream.shutdown(Shutdown::Write);
    drain_until_eof(stream, deadline);
}

/// Reads and discards until end of stream, an error or `deadline`.
pub(crate) fn drain_until_eof<S: StreamSocket>(stream: &mut S, deadline: Instant) {
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}
