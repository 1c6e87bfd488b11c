//! With `lift_message_fields` on, a JSON-layer event still costs no heap
//! allocation in steady state: lifting reuses per-thread buffers.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::io;

use logwood_json::JsonLayer;
use tracing_subscriber::prelude::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn emit(i: u64) {
    tracing::info!(
        order_id = i,
        currency = "USD",
        "Order {} placed user=42 action=checkout total=520.23 paid=true who=\"Ann Lee\" {{\"cart\": {{\"items\": 3, \"skus\": [1, 2]}}, \"coupon\": null}}",
        i
    );
}

#[test]
fn ten_thousand_lifting_events_in_a_span_allocate_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let layer = JsonLayer::builder()
        .with_writer(io::sink)
        .lift_message_fields(true)
        .build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let request = tracing::info_span!("request", method = "GET", request_id = 7);
        let _r = request.enter();
        for i in 0..100 {
            emit(i);
        }
        // dhat counts the whole process: the test harness's main thread can
        // allocate inside the first window when the machine is loaded. A
        // per-event allocation would show in every window.
        let windows: Vec<u64> = (0..3)
            .map(|_| {
                let before = dhat::HeapStats::get().total_blocks;
                for i in 0..10_000 {
                    emit(i);
                }
                dhat::HeapStats::get().total_blocks - before
            })
            .collect();
        assert!(
            windows.contains(&0),
            "allocations during 10,000 events: {windows:?}"
        );
    });
}
