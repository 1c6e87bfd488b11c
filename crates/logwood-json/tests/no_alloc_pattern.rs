//! In steady state a `PatternLayer` event costs no heap allocation (with
//! message lifting on, too); the date is formatted once per second.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

mod support;

use std::io;
use std::time::Instant;

use logwood_json::PatternLayer;
use support::FixedClock;
use tracing_subscriber::prelude::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const LONG_LOGTAIL: &str = "%(asctime)s - %(filename)s:%(lineno)s - %(levelno)s %(levelname)s %(pathname)s %(module)s %(funcName)s %(created)f %(thread)d %(threadName)s %(process)d %(name)s - %(message)s";

fn emit(i: u64) {
    tracing::info!(
        order_id = i,
        total = 520.23,
        currency = "USD",
        note = "gift wrap",
        shipping.city = "Berlin",
        "Order {} placed user=42 {{\"cart\": {{\"items\": 3}}}}",
        i
    );
}

/// The fewest allocations seen in three windows of 10,000 events (after a
/// warm-up) under `layer`, and the seconds the windows took. (dhat counts
/// the whole process: the test harness's main thread can allocate inside
/// one window when the machine is loaded; a per-event allocation would
/// show in every window.)
fn allocations(layer: PatternLayer<fn() -> io::Sink>) -> (u64, f64) {
    let mut counted = (0, 0.0);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let request = tracing::info_span!("request", method = "GET", request_id = 7);
        let _r = request.enter();
        let handler = tracing::info_span!("handler", user_id = 42, tenant = "acme");
        let _h = handler.enter();
        for i in 0..100 {
            emit(i);
        }
        let start = Instant::now();
        let fewest = (0..3)
            .map(|_| {
                let before = dhat::HeapStats::get().total_blocks;
                for i in 0..10_000 {
                    emit(i);
                }
                dhat::HeapStats::get().total_blocks - before
            })
            .min()
            .unwrap_or(0);
        counted = (fewest, start.elapsed().as_secs_f64());
    });
    counted
}

#[test]
fn pattern_events_allocate_nothing_in_steady_state() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let builder = || {
        PatternLayer::builder(LONG_LOGTAIL)
            .with_writer(io::sink as fn() -> io::Sink)
            .with_span_context(true)
            .lift_message_fields(true)
    };
    // A fixed second: every date comes from the per-thread cache.
    let clock = FixedClock::new(1_763_610_261_221_232_000);
    let (fixed, _) = allocations(builder().with_clock(clock.source()).build().unwrap());
    assert_eq!(fixed, 0, "allocations during 10,000 events at a fixed time");
    // The real clock, local time: at most the date formatting of each new
    // second (chrono's local-time lookup), none per event.
    let (real, secs) = allocations(builder().build().unwrap());
    assert!(
        real as f64 <= 4.0 * (secs.ceil() + 1.0),
        "{real} allocations in {secs} s"
    );
}
