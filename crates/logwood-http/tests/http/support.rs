//! Shared helpers: fast retry settings, the accounting check, events.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logwood_collector::{Collector, CollectorBuilder, CollectorHandle, Output};
use logwood_http::{DeliveryError, HttpLayer, HttpLayerBuilder, JitterMode, Stats};
use tracing_subscriber::prelude::*;

/// How long a test waits for records at most (a bound, not a measurement).
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// A collector keeping what it receives in memory.
pub(crate) fn collector() -> CollectorBuilder {
    Collector::builder().out(Output::Memory)
}

/// A collector started with the default options.
pub(crate) fn start() -> CollectorHandle {
    collector().start().unwrap()
}

/// A layer builder for `url` with test-sized timings: exact backoff from
/// 10 ms, short attempts, no stderr reports.
pub(crate) fn layer(url: impl Into<String>) -> HttpLayerBuilder {
    HttpLayer::builder(url)
        .retry_initial(Duration::from_millis(10))
        .retry_max(Duration::from_millis(200))
        .retry_jitter(JitterMode::None)
        .request_timeout(Duration::from_secs(5))
        .flush_interval(Duration::from_millis(50))
        .shutdown_timeout(Duration::from_secs(10))
        .log_internal_errors(false)
}

/// Asserts the accounting identity and returns the stats.
#[track_caller]
pub(crate) fn accounted(stats: Stats) -> Stats {
    assert_eq!(
        stats.emitted,
        stats.sent + stats.dropped + stats.failed + stats.queued,
        "the accounting identity does not hold: {stats:?}"
    );
    assert!(stats.oversize <= stats.dropped, "{stats:?}");
    assert!(stats.is_balanced());
    stats
}

/// Runs `f` with `layer` as the thread's subscriber.
pub(crate) fn with_layer<R>(layer: HttpLayer, f: impl FnOnce() -> R) -> R {
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f)
}

/// Emits `n` events numbered from `from` (field `seq`).
pub(crate) fn emit(from: u64, n: u64) {
    for seq in from..from + n {
        tracing::info!(seq, "event");
    }
}

/// The `seq` fields of `records`, in order.
pub(crate) fn seqs(records: &[serde_json::Value]) -> Vec<u64> {
    records.iter().map(|r| r["seq"].as_u64().unwrap()).collect()
}

/// A callback collecting every delivery error, and what it collected.
pub(crate) fn error_log() -> (
    impl Fn(&DeliveryError) + Send + Sync + 'static,
    Arc<Mutex<Vec<DeliveryError>>>,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    (
        move |e: &DeliveryError| sink.lock().unwrap().push(e.clone()),
        log,
    )
}

/// A loopback port that nothing listens on (just freed).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The statuses of the collector's batch requests, in order.
pub(crate) fn post_statuses(collector: &CollectorHandle) -> Vec<Option<u16>> {
    collector
        .stats()
        .recent
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect()
}
