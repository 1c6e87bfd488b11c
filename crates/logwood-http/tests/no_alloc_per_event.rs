//! On the caller's side an event costs no heap allocation in steady state:
//! it is encoded into the thread's scratch buffer and copied into a batch
//! buffer that is recycled from one batch to the next.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use logwood_collector::{Collector, Output};
use logwood_http::HttpLayer;
use tracing_subscriber::prelude::*;

// dhat counts every allocation of this test binary, all threads included.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const WINDOW: u64 = 2_000;

fn emit(from: u64) {
    for seq in from..from + WINDOW {
        tracing::info!(
            seq,
            order.total = 520.23,
            order.currency = "USD",
            paid = true,
            "Order {} placed",
            seq
        );
    }
}

#[test]
fn events_appended_to_a_recycled_batch_allocate_nothing() {
    let collector = Collector::builder().out(Output::Discard).start().unwrap();
    let _profiler = dhat::Profiler::builder().testing().build();
    // Batches go out only on flush: the worker sleeps through each window.
    let (layer, guard) = HttpLayer::builder(collector.frames_url())
        .buffer_capacity(10_000)
        .flush_interval(Duration::from_secs(3600))
        .log_internal_errors(false)
        .build()
        .unwrap();
    let windows =
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let request = tracing::info_span!("request", method = "GET", request_id = 7);
            let _r = request.enter();
            let handler = tracing::info_span!("handler", user.id = 42, tenant = "acme");
            let _h = handler.enter();
            // Warm up: the scratch buffer, the cached context encodings, and
            // both batch buffers (the open one and the one in flight).
            for round in 0..3 {
                emit(round * WINDOW);
                guard.flush(Duration::from_secs(20)).unwrap();
            }
            // The collector's connection task may allocate while a window runs
            // (dhat counts the whole process); a per-event allocation would show
            // in every window, as thousands.
            (0..3)
                .map(|round| {
                    let before = dhat::HeapStats::get().total_blocks;
                    emit((3 + round) * WINDOW);
                    let allocated = dhat::HeapStats::get().total_blocks - before;
                    guard.flush(Duration::from_secs(20)).unwrap();
                    allocated
                })
                .collect::<Vec<u64>>()
        });
    let stats = guard.shutdown(Duration::from_secs(5));
    assert_eq!((stats.emitted, stats.sent), (6 * WINDOW, 6 * WINDOW));
    assert!(stats.is_balanced());
    assert!(
        windows.contains(&0),
        "allocations during {WINDOW} events: {windows:?}"
    );
}
