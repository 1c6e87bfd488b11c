//! The syslog listeners: UDP (one message per datagram) and TCP (RFC 6587
//! octet counting or LF framing), each message written as one JSON line.

mod framing;
pub(crate) mod parse;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::Shared;
use crate::output::Kind;
use crate::runtime::stopped;

/// Writes parsed frames' lines; a failed write is counted, not retried.
fn write(shared: &Shared, lines: &[u8], count: usize) {
    if count == 0 {
        return;
    }
    if shared.store.write(Kind::Syslog, lines, count).is_ok() {
        shared.counters().syslog_written(count);
        shared.notify_written();
    } else {
        shared.counters().write_error();
    }
}

/// Receives datagrams until told to stop.
pub(crate) async fn serve_udp(
    socket: Option<UdpSocket>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let Some(socket) = socket else {
        return;
    };
    let mut buf = vec![0; 65_536];
    let mut line = Vec::new();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => return,
            received = socket.recv_from(&mut buf) => {
                let Ok((len, peer)) = received else {
                    // ICMP errors and the like: keep listening.
                    continue;
                };
                line.clear();
                parse::parse(&buf[..len]).write_json("udp", Some(peer), &mut line);
                write(&shared, &line, 1);
            }
        }
    }
}

/// Accepts TCP connections until told to stop, then closes them.
pub(crate) async fn serve_tcp(
    listener: Option<TcpListener>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let Some(listener) = listener else {
        return;
    };
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(tcp_connection(stream, peer, Arc::clone(&shared), stop.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn tcp_connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let max = shared.settings.max_syslog_frame;
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut lines = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let read = tokio::select! {
            () = stopped(&mut stop) => return,
            read = stream.read(&mut chunk) => read,
        };
        let n = match read {
            Ok(0) | Err(_) => {
                // The peer closed: a last LF frame without its LF still counts.
                match framing::trailing_frame(&buf) {
                    Some(frame) => {
                        lines.clear();
                        parse::parse(frame).write_json("tcp", Some(peer), &mut lines);
                        write(&shared, &lines, 1);
                    }
                    None if !buf.is_empty() => shared.counters().syslog_rejected(),
                    None => {}
                }
                return;
            }
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        lines.clear();
        let mut count = 0;
        let mut consumed = 0;
        let result = loop {
            match framing::next_frame(&buf[consumed..], max) {
                Ok(Some((used, content))) => {
                    let frame = &buf[consumed..][content];
                    consumed += used;
                    if frame.iter().any(|b| !matches!(b, b'\r' | b'\n' | 0)) {
                        parse::parse(frame).write_json("tcp", Some(peer), &mut lines);
                        count += 1;
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        write(&shared, &lines, count);
        buf.drain(..consumed);
        if result.is_err() {
            // Oversized or unframeable: give up on this stream.
            shared.counters().syslog_rejected();
            return;
        }
    }
}

#[cfg(test)]
mod tests;
