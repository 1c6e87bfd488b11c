//! The delivery contract every logwood layer with a worker shares (core's
//! queue, reporter, guard and `Stats`), shown for the syslog layer against
//! real peers on 127.0.0.1: drops reach `on_error`, `shutdown` returns
//! balanced `Stats`, `flush` gives up with `FlushTimeout` against a stalled
//! receiver, and records after the shutdown fail as `Closed`.

#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use logwood_syslog::{DeliveryError, ErrorKind, FlushTimeout, SyslogLayer};
use tracing_subscriber::prelude::*;

/// What the `on_error` callback saw: kind, sink and records of each error.
type Seen = Arc<Mutex<Vec<(ErrorKind, &'static str, u64)>>>;

fn collector() -> (Seen, impl Fn(&DeliveryError) + Send + Sync + 'static) {
    let seen = Seen::default();
    let sink = seen.clone();
    (seen, move |e: &DeliveryError| {
        sink.lock().unwrap().push((e.kind(), e.sink(), e.records()));
    })
}

/// A TCP peer that accepts connections and never reads from them: once its
/// socket buffers are full, every write to it blocks. Dropping the returned
/// holder closes the connections.
fn stalled_receiver() -> (SocketAddr, Arc<Mutex<Vec<TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let hold = held.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            hold.lock().unwrap().push(stream);
        }
    });
    (addr, held)
}

/// A TCP peer that reads everything until the connection closes; joining
/// it gives the bytes received.
fn reading_receiver() -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let reader = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    });
    (addr, reader)
}

#[test]
fn drops_from_a_full_buffer_reach_on_error_one_report_per_record() {
    let (addr, held) = stalled_receiver();
    let (seen, on_error) = collector();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .buffer_capacity(4)
        .on_error(on_error)
        .log_internal_errors(false)
        .build()
        .unwrap();
    // 4,000 records of 16 KiB (64 MiB): far more than the peer's socket
    // buffers, the queue (4) and the worker's batch can hold.
    let filler = "x".repeat(16 * 1024);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..4000 {
            tracing::info!("{i} {filler}");
        }
    });
    let during = guard.stats();
    assert_eq!(during.emitted, 4000, "{during:?}");
    assert!(during.dropped > 0, "{during:?}");

    let stats = guard.shutdown(Duration::from_millis(200));
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!(stats.queued, 0, "{stats:?}");
    let seen = seen.lock().unwrap();
    let drops: Vec<_> = seen
        .iter()
        .filter(|(kind, _, _)| *kind == ErrorKind::Dropped)
        .collect();
    // Every drop was reported, as one record, by the syslog sink.
    assert_eq!(drops.len() as u64, stats.dropped, "{stats:?}");
    assert!(
        drops
            .iter()
            .all(|&&(_, sink, records)| sink == "syslog" && records == 1)
    );
    assert!(stats.errors >= stats.dropped, "{stats:?}");
    drop(held);
}

#[test]
fn shutdown_returns_balanced_stats_from_a_reading_peer_and_a_stalled_one() {
    // A peer that reads: everything is sent, nothing is left.
    let (addr, reader) = reading_receiver();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .app_name("contract")
        .log_internal_errors(false)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..500 {
            tracing::info!(i, "delivered");
        }
    });
    let stats = guard.shutdown(Duration::from_secs(10));
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!((stats.emitted, stats.sent, stats.queued), (500, 500, 0));
    let bytes = reader.join().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.matches(" contract ").count(), 500);

    // A peer that does not read: what is stuck when the deadline passes is
    // counted as failed and reported as `Deadline`.
    let (addr, held) = stalled_receiver();
    let (seen, on_error) = collector();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .on_error(on_error)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let filler = "y".repeat(60 * 1024);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..800 {
            tracing::info!("{i} {filler}");
        }
    });
    let stats = guard.shutdown(Duration::from_millis(200));
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!(stats.queued, 0, "{stats:?}");
    assert!(stats.failed > 0, "{stats:?}");
    let seen = seen.lock().unwrap();
    let deadline = seen
        .iter()
        .find(|(kind, _, _)| *kind == ErrorKind::Deadline)
        .unwrap();
    assert!(deadline.2 > 0 && deadline.2 <= stats.failed, "{seen:?}");
    drop(held);
}

#[test]
fn flush_gives_up_with_flush_timeout_against_a_stalled_receiver() {
    let (addr, held) = stalled_receiver();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        // The worker stays blocked on the full socket (no reconnect to a
        // fresh connection during the test).
        .write_timeout(Duration::from_secs(60))
        .log_internal_errors(false)
        .build()
        .unwrap();
    // 800 records of 60 KiB (48 MiB): more than the peer's socket buffers
    // take, all of it queued (the buffer holds 10,000 records).
    let filler = "z".repeat(60 * 1024);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..800 {
            tracing::info!("{i} {filler}");
        }
    });
    let error: FlushTimeout = guard.flush(Duration::from_millis(200)).unwrap_err();
    assert!(error.pending > 0, "{error:?}");
    assert!(
        error.to_string().contains("records not yet delivered"),
        "{error}"
    );
    // The layer keeps running after a failed flush; the shutdown settles
    // everything.
    let stats = guard.shutdown(Duration::from_millis(200));
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!((stats.emitted, stats.queued), (800, 0), "{stats:?}");
    assert!(stats.failed > 0, "{stats:?}");
    drop(held);
}

#[test]
fn flush_succeeds_once_a_reading_peer_has_everything() {
    let (addr, reader) = reading_receiver();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for i in 0..200 {
            tracing::info!(i, "flushed");
        }
    });
    guard.flush(Duration::from_secs(10)).unwrap();
    let stats = guard.stats();
    assert_eq!((stats.emitted, stats.sent, stats.queued), (200, 200, 0));
    drop(guard);
    assert_eq!(
        String::from_utf8(reader.join().unwrap())
            .unwrap()
            .matches("flushed")
            .count(),
        200
    );
}

/// A field whose `Debug` panics.
struct Panics;

impl std::fmt::Debug for Panics {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("a broken Debug")
    }
}

#[test]
fn an_event_whose_field_panics_fails_and_the_application_goes_on() {
    let (addr, reader) = reading_receiver();
    let (seen, on_error) = collector();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .on_error(on_error)
        .log_internal_errors(false)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!(field = ?Panics, "lost");
        tracing::info!("kept");
    });
    let stats = guard.shutdown(Duration::from_secs(10));
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!((stats.emitted, stats.sent, stats.failed), (2, 1, 1));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(ErrorKind::Encode, "syslog", 1)]
    );
    let received = String::from_utf8(reader.join().unwrap()).unwrap();
    assert!(received.contains("kept") && !received.contains("lost"));
}

#[test]
fn records_after_the_shutdown_fail_as_closed_and_reach_on_error() {
    let (addr, reader) = reading_receiver();
    let (seen, on_error) = collector();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(addr)
        .on_error(on_error)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || tracing::info!("in time"));
    let stats = guard.shutdown(Duration::from_secs(10));
    assert_eq!((stats.emitted, stats.sent), (1, 1));
    tracing::dispatcher::with_default(&dispatch, || tracing::info!("too late"));
    let layer = dispatch.downcast_ref::<SyslogLayer>().unwrap();
    let stats = layer.stats();
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!((stats.emitted, stats.sent, stats.failed), (2, 1, 1));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(ErrorKind::Closed, "syslog", 1)]
    );
    let received = String::from_utf8(reader.join().unwrap()).unwrap();
    assert!(received.contains("in time") && !received.contains("too late"));
}
