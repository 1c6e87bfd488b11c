//! rsyslogd stopped and started again on the same port mid-stream: the
//! layer reconnects, and every event is received or counted as dropped.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use logwood_syslog::{ErrorKind, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, assert_accounted, marker};
use tracing::Dispatch;
use tracing_subscriber::prelude::*;

fn emit(dispatch: &Dispatch, marker: &str, phase: &str, n: usize) {
    tracing::dispatcher::with_default(dispatch, || {
        for i in 0..n {
            tracing::info!("{marker} {phase} {i}");
        }
    });
}

fn restart_mid_stream(via: Via) {
    let mut server = Rsyslog::builder().udp(false).start().unwrap();
    let marker = marker(&format!("restart-{}", via.name()));
    let kinds = Arc::new(Mutex::new(Vec::new()));
    let sink = kinds.clone();
    let (layer, guard) = via
        .to(&server, SyslogLayer::builder())
        .buffer_capacity(100)
        .retry_initial(Duration::from_millis(10))
        .retry_max(Duration::from_millis(100))
        .on_error(move |e| sink.lock().unwrap().push(e.kind()))
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));

    // Connected: everything arrives.
    emit(&dispatch, &marker, "before", 50);
    assert_eq!(server.wait_for(&marker, 50, WAIT).len(), 50);

    // Down: the queue (100) and the worker's batch (100) are kept, the rest
    // is dropped and counted.
    server.stop();
    emit(&dispatch, &marker, "down", 1000);
    let during = guard.stats();
    assert!(during.dropped >= 1000 - 200, "{during:?}");

    // Up again on the same port: the layer reconnects and sends what it kept.
    server.start_again().unwrap();
    // Once what was kept is out, the stream goes on as before.
    assert!(guard.flush(WAIT).is_ok(), "{:?}", guard.stats());
    emit(&dispatch, &marker, "after", 50);
    let stats = guard.shutdown(Duration::from_secs(10));
    assert_accounted(&stats);
    assert_eq!(stats.emitted, 1100);
    assert_eq!(stats.failed, 0, "{stats:?}");
    assert!(stats.reconnects >= 1, "{stats:?}");

    let expected = (stats.emitted - stats.dropped) as usize;
    let received = server.wait_for(&marker, expected, WAIT);
    // Wait a little longer for duplicates, which would break the count too.
    std::thread::sleep(Duration::from_millis(300));
    let received = received
        .len()
        .max(server.messages_containing(&marker).len());
    assert_eq!(received as u64 + stats.dropped, stats.emitted, "{stats:?}");
    assert_eq!(stats.sent as usize, received);
    // Everything emitted after the restart arrived.
    assert_eq!(
        server.messages_containing(&format!("{marker} after")).len(),
        50
    );
    let kinds = kinds.lock().unwrap();
    assert!(kinds.contains(&ErrorKind::Dropped), "{kinds:?}");
    assert!(kinds.contains(&ErrorKind::Connect), "{kinds:?}");
}

#[test]
fn tcp_reconnects_after_rsyslogd_restarts_and_accounts_for_every_event() {
    restart_mid_stream(Via::Tcp);
}

#[test]
fn tls_reconnects_after_rsyslogd_restarts_and_accounts_for_every_event() {
    restart_mid_stream(Via::Tls);
}
