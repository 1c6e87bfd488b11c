//! Shutdown with an empty queue (issue 11, item 8): closing the connection
//! waits at most `CLOSE_TIMEOUT` (100 ms) for the server (its end of
//! stream over TCP and TLS, its answer to `close` over RELP), so a server
//! that keeps the connection open no longer holds the shutdown until its
//! deadline (it took 1.2 s and more).

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use logwood_syslog::{CLOSE_TIMEOUT, FlushGuard, SyslogLayer, SyslogLayerBuilder};
use logwood_testkit::rsyslog::Rsyslog;
use support::Via;
use tracing_subscriber::prelude::*;

/// Well under the old 1.2 s, with a wide margin over `CLOSE_TIMEOUT`.
const FAST: Duration = Duration::from_secs(1);

/// A peer that reads what it gets, answers RELP's `open` and `close` when
/// `relp`, and never closes a connection (they are kept until the test
/// ends).
fn keeps_connections_open(relp: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            held.lock().unwrap().push(stream.try_clone().unwrap());
            thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n) = stream.read(&mut chunk) {
                    if n == 0 {
                        // End of stream from the layer: keep ours open.
                        thread::sleep(Duration::from_secs(60));
                        return;
                    }
                    if !relp {
                        continue;
                    }
                    // One frame per read is enough for this peer: `1 open …`,
                    // `2 syslog …`, `3 close 0`.
                    let text = String::from_utf8_lossy(&chunk[..n]).into_owned();
                    let txnr = text.split(' ').next().unwrap_or("0").to_owned();
                    let reply = if text.contains(" open ") {
                        let offers = "200 OK\nrelp_version=0\ncommands=syslog";
                        format!("{txnr} rsp {} {offers}\n", offers.len())
                    } else if text.contains(" close ") {
                        format!("{txnr} rsp 0\n")
                    } else {
                        format!("{txnr} rsp 6 200 OK\n")
                    };
                    let _ignored = stream.write_all(reply.as_bytes());
                }
            });
        }
    });
    addr
}

/// Builds the layer, sends one event, flushes it, and times the shutdown.
fn timed_shutdown(builder: SyslogLayerBuilder) -> Duration {
    let (layer, guard): (SyslogLayer, FlushGuard) =
        builder.log_internal_errors(false).build().unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!("before the shutdown");
    });
    assert!(guard.flush(Duration::from_secs(10)).is_ok());
    let started = Instant::now();
    let stats = guard.shutdown(Duration::from_secs(5));
    let took = started.elapsed();
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (1, 1, 0),
        "{stats:?}"
    );
    took
}

#[test]
fn tcp_shutdown_does_not_wait_for_a_server_that_keeps_the_connection_open() {
    let took = timed_shutdown(SyslogLayer::builder().tcp(keeps_connections_open(false)));
    eprintln!("tcp shutdown, the server keeping the connection open: {took:?}");
    assert!(
        took < FAST,
        "shutdown took {took:?} (CLOSE_TIMEOUT {CLOSE_TIMEOUT:?})"
    );
}

#[test]
fn relp_shutdown_does_not_wait_for_a_server_that_keeps_the_connection_open() {
    let took = timed_shutdown(SyslogLayer::builder().relp(keeps_connections_open(true)));
    eprintln!("relp shutdown, the server keeping the connection open: {took:?}");
    assert!(
        took < FAST,
        "shutdown took {took:?} (CLOSE_TIMEOUT {CLOSE_TIMEOUT:?})"
    );
}

#[test]
fn shutdown_from_rsyslogd_is_quick_over_every_stream_transport() {
    let server = Rsyslog::shared();
    for via in [Via::Tcp, Via::Tls, Via::Relp] {
        let took = timed_shutdown(via.to(server, SyslogLayer::builder()));
        eprintln!("shutdown over {} with an empty queue: {took:?}", via.name());
        assert!(took < FAST, "{via:?}: shutdown took {took:?}");
    }
}
