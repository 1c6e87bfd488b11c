//! On the caller's side an OTLP event costs no heap allocation in steady
//! state, in protobuf and in OTLP/JSON: it is encoded straight into the
//! thread's scratch buffer (no SDK objects) and copied into a recycled
//! batch buffer.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use logwood_collector::{Collector, Output};
use logwood_http::{OtlpLayer, OtlpProtocol};
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
            items = ?[1, 2, 3],
            "Order {} placed",
            seq
        );
    }
}

#[test]
fn otlp_events_appended_to_a_recycled_batch_allocate_nothing() {
    let collector = Collector::builder().out(Output::Discard).start().unwrap();
    let _profiler = dhat::Profiler::builder().testing().build();
    for protocol in [OtlpProtocol::Protobuf, OtlpProtocol::Json] {
        // Batches go out only on flush: the worker sleeps through each window.
        let (layer, guard) = OtlpLayer::builder(collector.http_url())
            .protocol(protocol)
            .context_field("service.tier", "web")
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
                // Warm up: the scratch buffers, the cached context
                // attributes, and both batch buffers.
                for round in 0..3 {
                    emit(round * WINDOW);
                    guard.flush(Duration::from_secs(20)).unwrap();
                }
                // The collector allocates while it decodes (dhat counts the
                // whole process); a per-event allocation would show in every
                // window, as thousands.
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
            "{protocol:?}: allocations during {WINDOW} events: {windows:?}"
        );
    }
}
