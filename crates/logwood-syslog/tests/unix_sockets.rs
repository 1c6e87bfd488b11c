//! Unix datagram and stream sockets, against `std::os::unix::net` peers.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::Read;
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::time::Duration;

use logwood_syslog::{Framing, SyslogLayer};
use support::run;
use tracing_subscriber::prelude::*;

fn builder() -> logwood_syslog::SyslogLayerBuilder {
    SyslogLayer::builder().hostname("web-1").app_name("shop")
}

#[test]
fn a_unix_datagram_socket_gets_one_rfc3164_record_per_datagram() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    let stats = run(builder().unix(&path), || {
        tracing::info!("first");
        tracing::warn!(k = 1, "second\nline");
    });
    assert_eq!(stats.sent, 3);
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let pid = std::process::id();
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    for _ in 0..3 {
        let n = socket.recv(&mut buf).unwrap();
        got.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    let tail: Vec<&str> = got
        .iter()
        .map(|r| &r[r.find(" web-1 ").unwrap()..])
        .collect();
    assert_eq!(
        tail,
        [
            format!(" web-1 shop[{pid}]: first"),
            format!(" web-1 shop[{pid}]: second k=1"),
            format!(" web-1 shop[{pid}]: line"),
        ]
    );
    assert!(got[0].starts_with("<14>") && got[1].starts_with("<12>"));
}

/// Accepts one connection on `listener` and reads it to the end.
fn read_stream(listener: UnixListener) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    })
}

#[test]
fn a_unix_stream_socket_is_found_and_gets_lf_framed_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let reader = read_stream(UnixListener::bind(&path).unwrap());
    // `unix()` tries a datagram socket first, then the stream.
    let stats = run(builder().unix(&path), || {
        tracing::info!("one");
        tracing::info!(f = "a\nb", "two\nthree");
    });
    assert_eq!(stats.sent, 3);
    let bytes = reader.join().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    assert_eq!(lines.len(), 3, "{text:?}");
    assert!(lines[0].ends_with("]: one"), "{text:?}");
    assert!(lines[1].ends_with("]: two f=\"a\\nb\""), "{text:?}");
    assert!(lines[2].ends_with("]: three"), "{text:?}");
}

#[test]
fn a_unix_stream_socket_with_octet_counting_gets_length_prefixed_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let reader = read_stream(UnixListener::bind(&path).unwrap());
    run(
        builder()
            .unix_stream(&path)
            .framing(Framing::OctetCounting)
            .multiline(logwood_syslog::Multiline::KeepNewlines),
        || {
            tracing::info!("é\n€");
            tracing::info!("x");
        },
    );
    let bytes = reader.join().unwrap();
    // Parse `LEN SP RECORD` frames.
    let mut rest = &bytes[..];
    let mut records = Vec::new();
    while !rest.is_empty() {
        let sp = rest.iter().position(|&b| b == b' ').unwrap();
        let len: usize = std::str::from_utf8(&rest[..sp]).unwrap().parse().unwrap();
        records.push(String::from_utf8(rest[sp + 1..sp + 1 + len].to_vec()).unwrap());
        rest = &rest[sp + 1 + len..];
    }
    assert_eq!(records.len(), 2);
    assert!(records[0].ends_with("]: é\n€"), "{records:?}");
    assert!(records[1].ends_with("]: x"), "{records:?}");
}

#[test]
fn guard_flush_waits_until_everything_emitted_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    // The kernel queues only a few datagrams per socket: read meanwhile.
    let reader = std::thread::spawn(move || {
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0; 1024];
        (0..100)
            .take_while(|_| socket.recv(&mut buf).is_ok())
            .count()
    });
    let (layer, guard) = builder()
        .unix_datagram(&path)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for i in 0..100 {
            tracing::info!("flushed {i}");
        }
    });
    assert!(guard.flush(Duration::from_secs(10)).is_ok());
    let stats = guard.stats();
    assert_eq!((stats.emitted, stats.sent, stats.queued), (100, 100, 0));
    assert_eq!(reader.join().unwrap(), 100);
}
