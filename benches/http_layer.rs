#![allow(missing_docs)] // criterion_group! generates undocumented functions
//! The HTTP layer's caller-side cost per event (encode, lock, copy into the
//! batch) on the fixed workload, against the registry alone,
//! tracing-subscriber's `fmt().json()` and logwood's JSON layer writing to
//! `io::sink()`, in one group.
//!
//! The layer posts to an in-process `logwood-collector` that discards what it
//! receives. Only the events are timed: every 500 events (half the default
//! buffer) the bench flushes, untimed, so that every record is appended to
//! a batch and none is dropped (dropping is cheaper and would flatter the
//! layer).
//!
//! ```text
//! cargo bench -p benches --bench http_layer
//! ```

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use logwood_collector::{Collector, Output};
use logwood_http::{Format, HttpLayer};
use tracing_subscriber::prelude::*;

#[path = "support/mod.rs"]
mod support;

/// Events between two untimed flushes.
const CHUNK: u64 = 500;

fn per_event(c: &mut Criterion) {
    let collector = Collector::builder()
        .out(Output::Discard)
        .start()
        .expect("an in-process collector");
    let mut group = c.benchmark_group("http_layer/per_event");
    for (name, make) in [
        ("registry", support::registry as support::MakeDispatch),
        ("fmt_json", support::fmt_json),
        ("logwood_json", support::logwood_json),
    ] {
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&make(), || {
                support::in_spans(|| b.iter(support::event))
            });
        });
    }
    for (name, format) in [
        ("logwood_http_msgpack", Format::Msgpack),
        ("logwood_http_ndjson", Format::Ndjson),
    ] {
        let (layer, guard) = HttpLayer::builder(collector.frames_url())
            .format(format)
            .log_internal_errors(false)
            .build()
            .expect("a layer");
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                support::in_spans(|| {
                    b.iter_custom(|iters| {
                        let mut timed = Duration::ZERO;
                        let mut left = iters;
                        while left > 0 {
                            let n = left.min(CHUNK);
                            let start = Instant::now();
                            for _ in 0..n {
                                support::event();
                            }
                            timed += start.elapsed();
                            guard.flush(std::time::Duration::from_secs(30)).ok();
                            left -= n;
                        }
                        timed
                    })
                })
            });
        });
        let stats = guard.shutdown(Duration::from_secs(10));
        eprintln!("{name}: {stats:?}");
        assert_eq!(stats.dropped + stats.failed, 0, "{stats:?}");
    }
    group.finish();
}

criterion_group!(benches, per_event);
criterion_main!(benches);
