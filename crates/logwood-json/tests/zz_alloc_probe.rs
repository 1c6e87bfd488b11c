//! probe
#![allow(clippy::unwrap_used)]
use std::io;
use logwood_json::JsonLayer;
use tracing_subscriber::prelude::*;
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;
fn emit(i: u64) {
    tracing::info!(order_id = i, total = 520.23, currency = "USD", paid = true, shipping.city = "Berlin", "Order {} placed", i);
}
#[test]
fn probe() {
    let _profiler = dhat::Profiler::builder().testing().file_name(format!("/tmp/dhat-probe-{}.json", std::process::id())).build();
    let layer = JsonLayer::builder().with_writer(io::sink).build();
    let mut n = 0;
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let request = tracing::info_span!("request", method = "GET", request_id = 7);
        let _r = request.enter();
        for i in 0..100 { emit(i); }
        let before = dhat::HeapStats::get().total_blocks;
        for i in 0..10_000 { emit(i); }
        n = dhat::HeapStats::get().total_blocks - before;
    });
    eprintln!("PROBE {} {n}", std::process::id());
    let r = std::panic::catch_unwind(|| { dhat::assert_eq!(1, 0); });
    assert!(r.is_err());
}
