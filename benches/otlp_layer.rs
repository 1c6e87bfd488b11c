#![allow(missing_docs)] // criterion_group! generates undocumented functions
//! The caller-side cost per event of logwood's OTLP layer against the
//! OpenTelemetry SDK path (`opentelemetry-appender-tracing` copying span
//! attributes + the default `BatchLogProcessor` + `opentelemetry-otlp`
//! HTTP/protobuf), both posting to an in-process `logwood-collector`, on the
//! fixed workload, in one group with the registry alone.
//!
//! Only the events are timed: every 500 events both flush, untimed
//! (`FlushGuard::flush`, `SdkLoggerProvider::force_flush`), so that neither
//! drops (dropping is cheaper and would flatter either).
//!
//! ```text
//! cargo bench -p benches --bench otlp_layer
//! ```

use std::time::{Duration, Instant};

use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use logwood::otlp::OtlpProtocol;
use logwood_collector::{Collector, Output};

#[path = "support/otlp.rs"]
mod otlp;
#[path = "support/mod.rs"]
mod support;

/// Events between two untimed flushes.
const CHUNK: u64 = 500;

fn timed(b: &mut Bencher<'_>, flush: &dyn Fn()) {
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
                flush();
                left -= n;
            }
            timed
        })
    });
}

fn per_event(c: &mut Criterion) {
    let collector = Collector::builder()
        .out(Output::Discard)
        .start()
        .expect("an in-process collector");
    let base = collector.http_url();
    let mut group = c.benchmark_group("otlp_layer/per_event");
    group.bench_function("registry", |b| {
        tracing::dispatcher::with_default(&support::registry(), || {
            support::in_spans(|| b.iter(support::event))
        });
    });
    for (name, protocol) in [
        ("logwood_otlp_protobuf", OtlpProtocol::Protobuf),
        ("logwood_otlp_json", OtlpProtocol::Json),
    ] {
        let (dispatch, guard) = otlp::logwood(&base, protocol, false);
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                timed(b, &|| {
                    guard.flush(Duration::from_secs(30)).ok();
                })
            });
        });
        let stats = guard.shutdown(Duration::from_secs(30));
        eprintln!("{name}: {stats:?}");
        assert_eq!(stats.dropped + stats.failed, 0, "{stats:?}");
    }
    let before = collector.stats().otlp_records;
    let (dispatch, provider) = otlp::otel(&base);
    group.bench_function("otel_appender_batch_otlp", |b| {
        tracing::dispatcher::with_default(&dispatch, || {
            timed(b, &|| {
                provider.force_flush().ok();
            })
        });
    });
    provider.shutdown().ok();
    eprintln!(
        "otel_appender_batch_otlp: the collector received {}",
        collector.stats().otlp_records - before
    );
    group.finish();
}

criterion_group!(benches, per_event);
criterion_main!(benches);
