//! The application's thread never waits on the network (with
//! `drop_extra_events(true)`), never panics and never sees an I/O error;
//! with `drop_extra_events(false)` it waits and nothing is dropped.

#![allow(clippy::unwrap_used)]

mod support;

use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logwood_syslog::{ErrorKind, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, assert_accounted, marker, run};
use tracing_subscriber::prelude::*;

#[test]
fn a_server_that_never_reads_makes_the_layer_drop_and_count_not_block() {
    // Accepts the connection and keeps it open, never reading from it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let hold = held.clone();
    let acceptor = std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            hold.lock().unwrap().push(stream);
        }
    });
    let kinds = Arc::new(Mutex::new(Vec::new()));
    let sink = kinds.clone();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .buffer_capacity(100)
        .on_error(move |e| sink.lock().unwrap().push(e.kind()))
        .log_internal_errors(false)
        .build()
        .unwrap();
    // 4,000 records of 16 KiB (64 MiB), paced so that the worker writes
    // until the socket buffers (a few MiB on loopback) are full and it
    // blocks: far more than they can hold.
    let filler = "x".repeat(16 * 1024);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for round in 0..400 {
            for i in 0..10 {
                tracing::info!("{round}.{i} {filler}");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    acceptor.join().unwrap();
    let during = guard.stats();
    assert_eq!(during.emitted, 4_000);
    assert!(during.dropped > 0, "{during:?}");
    // The worker is stuck in a write: shutdown gives up at the deadline,
    // unblocks it and counts what was left as failed.
    let stats = guard.shutdown(Duration::from_millis(200));
    assert_accounted(&stats);
    assert!(stats.failed > 0, "{stats:?}");
    assert!(stats.sent < 4_000, "{stats:?}");
    let kinds = kinds.lock().unwrap();
    assert!(kinds.contains(&ErrorKind::Dropped), "{kinds:?}");
    assert!(kinds.contains(&ErrorKind::Deadline), "{kinds:?}");
    drop(held);
}

#[test]
fn an_unreachable_server_costs_the_application_nothing_but_drops() {
    // A port nobody listens on.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (layer, guard) = SyslogLayer::builder()
        .tcp(format!("127.0.0.1:{port}"))
        .buffer_capacity(10)
        .retry_initial(Duration::from_millis(5))
        .retry_max(Duration::from_millis(20))
        .log_internal_errors(false)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..1000 {
            tracing::error!(i, "nobody listens");
        }
    });
    let stats = guard.shutdown(Duration::from_millis(100));
    assert_accounted(&stats);
    assert_eq!((stats.emitted, stats.sent), (1000, 0));
    assert!(stats.dropped >= 1000 - 20, "{stats:?}");
    assert_eq!(stats.dropped + stats.failed, 1000);
    assert!(stats.errors > 0);
}

#[test]
fn blocking_mode_waits_for_room_and_drops_nothing() {
    let server = Rsyslog::shared();
    let marker = marker("blocking");
    let stats = run(
        Via::Tcp.to(
            server,
            SyslogLayer::builder()
                .buffer_capacity(4)
                .drop_extra_events(false),
        ),
        || {
            for i in 0..3000 {
                tracing::info!("{marker} {i}");
            }
        },
    );
    assert_eq!((stats.emitted, stats.sent, stats.dropped), (3000, 3000, 0));
    assert_eq!(server.wait_for(&marker, 3000, WAIT).len(), 3000);
}

#[test]
fn events_after_shutdown_are_counted_as_failed() {
    let server = Rsyslog::shared();
    let (layer, guard) = Via::Udp
        .to(server, SyslogLayer::builder())
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let stats = guard.shutdown(Duration::from_secs(1));
    assert_eq!(stats.emitted, 0);
    tracing::dispatcher::with_default(&dispatch, || tracing::info!("too late"));
    // The layer still answers: the record is counted as failed (core's
    // contract: a record after the shutdown is `Closed`, not a drop from a
    // full queue).
    let layer = dispatch.downcast_ref::<SyslogLayer>().unwrap();
    let stats = layer.stats();
    assert_eq!((stats.emitted, stats.failed, stats.queued), (1, 1, 0));
}
