#![allow(missing_docs)] // criterion_group! generates undocumented functions
//! The pattern layer with the long Logtail format against logwood's JSON
//! layer and the bare registry, on the fixed workload of the JSON bench
//! (`support`), all writing to `io::sink()`.
//!
//! ```text
//! cargo bench -p benches --bench pattern_layer
//! ```

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;

fn peers() -> Vec<(&'static str, support::MakeDispatch)> {
    vec![
        ("registry", support::registry as support::MakeDispatch),
        ("logwood_json", support::logwood_json),
        ("logwood_pattern", support::logwood_pattern),
    ]
}

fn per_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("pattern_layer/per_event");
    for (name, make) in peers() {
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&make(), || {
                support::in_spans(|| b.iter(support::event))
            });
        });
    }
    group.finish();
}

fn per_request(c: &mut Criterion) {
    let mut group = c.benchmark_group("pattern_layer/per_request");
    for (name, make) in peers() {
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&make(), || b.iter(support::request));
        });
    }
    group.finish();
}

criterion_group!(benches, per_event, per_request);
criterion_main!(benches);
