#![allow(missing_docs)] // criterion_group! generates undocumented functions
//! The JSON layer against tracing-subscriber's `fmt().json()` and
//! json-subscriber, on the fixed workload, all writing to `io::sink()`.
//!
//! ```text
//! cargo bench -p benches --bench json_layer
//! ```

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;

fn per_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_layer/per_event");
    for (name, make) in support::json_peers() {
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&make(), || {
                support::in_spans(|| b.iter(support::event))
            });
        });
    }
    group.finish();
}

fn per_request(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_layer/per_request");
    for (name, make) in support::json_peers() {
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&make(), || b.iter(support::request));
        });
    }
    group.finish();
}

criterion_group!(benches, per_event, per_request);
criterion_main!(benches);
