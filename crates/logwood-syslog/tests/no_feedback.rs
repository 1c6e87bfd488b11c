//! Nothing the worker does, and nothing an error callback logs, comes back
//! into the layer as an endless stream of events.

#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use logwood_syslog::{ErrorKind, SyslogLayer};
use tracing_subscriber::prelude::*;

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn events_logged_by_the_callback_on_the_worker_thread_are_not_shipped() {
    let calls = Arc::new(AtomicU64::new(0));
    let count = calls.clone();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(format!("127.0.0.1:{}", closed_port()))
        .retry_initial(Duration::from_millis(1))
        .retry_max(Duration::from_millis(5))
        .on_error(move |e| {
            count.fetch_add(1, Ordering::Relaxed);
            // The worker thread's default dispatcher is a no-op: this goes
            // nowhere, in particular not into the layer.
            tracing::error!(kind = %e.kind(), "callback saw {e}");
        })
        .log_internal_errors(false)
        .build()
        .unwrap();
    // A global default, so that any thread without its own would use it.
    tracing_subscriber::registry().with(layer).init();
    tracing::info!("the only event");
    let deadline = Instant::now() + Duration::from_secs(10);
    while calls.load(Ordering::Relaxed) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let stats = guard.shutdown(Duration::from_millis(50));
    assert!(calls.load(Ordering::Relaxed) >= 5);
    assert_eq!(stats.emitted, 1, "{stats:?}");
    assert_eq!(stats.failed, 1, "{stats:?}");
}

#[test]
fn a_callback_that_logs_a_dropped_record_does_not_recurse() {
    let calls = Arc::new(AtomicU64::new(0));
    let count = calls.clone();
    let (layer, guard) = SyslogLayer::builder()
        .tcp(format!("127.0.0.1:{}", closed_port()))
        .buffer_capacity(1)
        .retry_initial(Duration::from_secs(1))
        .retry_max(Duration::from_secs(1))
        .on_error(move |e| {
            if e.kind() == ErrorKind::Dropped {
                count.fetch_add(1, Ordering::Relaxed);
                // On the application's thread, inside the layer: this event
                // is dropped too, without calling the callback again.
                tracing::warn!("dropped: {e}");
            }
        })
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for i in 0..10 {
            tracing::info!(i, "event");
        }
    });
    let stats = guard.shutdown(Duration::from_millis(50));
    let calls = calls.load(Ordering::Relaxed);
    // At most 2 of the 10 fit (queue and batch). The event each callback
    // logged never reached the layer: `tracing` routes events emitted
    // while dispatching one to no subscriber, and the layer's own guard
    // would not call the callback again.
    assert!((8..=10).contains(&calls), "{calls} {stats:?}");
    assert_eq!(stats.emitted, 10, "{stats:?}");
    assert_eq!(stats.dropped, calls, "{stats:?}");
}
