//! In steady state an event costs no heap allocation.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::io;

use logwood_json::JsonLayer;
use tracing_subscriber::prelude::*;

// dhat counts every allocation of this test binary (one test, one thread at
// work); the window below is what is asserted.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[derive(Debug)]
#[allow(dead_code)]
struct Order {
    id: u64,
    items: [u8; 3],
}

fn emit(i: u64, order: &Order) {
    tracing::info!(
        order_id = i,
        total = 520.23,
        currency = "USD",
        paid = true,
        order = ?order,
        shipping.city = "Berlin",
        shipping.zip = 10115,
        "Order {} placed",
        i
    );
}

#[test]
fn ten_thousand_events_in_a_span_allocate_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let layer = JsonLayer::builder()
        .with_writer(io::sink)
        .context_field("service.name", "shop")
        .build();
    let order = Order {
        id: 1,
        items: [1, 2, 3],
    };
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let request = tracing::info_span!(
            "request",
            method = "GET",
            path = "/orders/1234",
            request_id = 7
        );
        let _r = request.enter();
        let handler = tracing::info_span!("handler", user_id = 42, tenant = "acme");
        let _h = handler.enter();
        // Warm up: thread-local buffers, cached encodings, callsite interest.
        for i in 0..100 {
            emit(i, &order);
        }
        // dhat counts the whole process: the test harness's main thread can
        // allocate (registering the running test) inside the first window
        // when the machine is loaded. A per-event allocation would show in
        // every window; the harness's only once.
        let windows: Vec<u64> = (0..3)
            .map(|_| {
                let before = dhat::HeapStats::get().total_blocks;
                for i in 0..10_000 {
                    emit(i, &order);
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
