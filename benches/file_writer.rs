#![allow(missing_docs)] // criterion_group! generates undocumented functions
//! The caller's cost of a line through `RotatingFileWriter`: a plain file
//! (no rotation, no watch) against timed rotation with the watch on, and
//! against size + time rotation with gzip (rollovers happen during the run;
//! compression runs on the `logwood-compress` thread). Per line (a bare
//! `write_all` of 96 bytes) and per event (the pattern layer on the fixed
//! workload of `support`).
//!
//! ```text
//! cargo bench -p benches --bench file_writer
//! ```
//!
//! Under callgrind, one output file per thread (`FILE_WRITER_LINES` runs a
//! fixed number of lines instead of criterion; see `docs/benchmarks.md`):
//!
//! ```text
//! FILE_WRITER_CASE=rotating_gzip FILE_WRITER_LINES=300000 \
//!   valgrind --tool=callgrind --separate-threads=yes target/release/deps/file_writer-*
//! ```

use std::io::Write as _;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group};
use logwood::json::{
    Compression, PatternLayer, RotatingFileWriter, RotatingFileWriterBuilder, When,
};
use tracing_subscriber::fmt::MakeWriter as _;
use tracing_subscriber::prelude::*;

#[path = "support/mod.rs"]
mod support;

/// 95 bytes and a newline.
const LINE: &[u8] = b"2026-11-27 23:10:05,123 INFO shop.orders place_order: Order #1234 placed order_id=1234 paid=1\n";

/// A fresh directory for one case (removed at the end of the case).
fn scratch(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "logwood-bench-file-writer-{}-{case}",
        std::process::id()
    ));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

type Configure = fn(RotatingFileWriterBuilder) -> RotatingFileWriterBuilder;

fn cases() -> Vec<(&'static str, Configure)> {
    vec![
        ("plain", |b| b.watch(false)),
        ("timed_watched", |b| b.when(When::Hours).watch(true)),
        ("rotating_gzip", |b| {
            b.when(When::Seconds)
                .interval(1)
                .max_bytes(8 << 20)
                .backup_count(3)
                .compression(Compression::Gzip)
        }),
    ]
}

fn per_line(c: &mut Criterion) {
    let mut group = c.benchmark_group("file_writer/per_line");
    for (name, configure) in cases() {
        let dir = scratch(name);
        let (writer, guard) = configure(RotatingFileWriter::builder(dir.join("app.log")))
            .build()
            .expect("the writer builds");
        group.bench_function(name, |b| {
            b.iter(|| {
                writer
                    .make_writer()
                    .write_all(LINE)
                    .expect("the line is written");
            });
        });
        drop((writer, guard));
        std::fs::remove_dir_all(&dir).ok();
    }
    group.finish();
}

fn per_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("file_writer/per_event");
    for (name, configure) in cases() {
        let dir = scratch(name);
        let (writer, guard) = configure(RotatingFileWriter::builder(dir.join("app.log")))
            .build()
            .expect("the writer builds");
        let layer =
            PatternLayer::builder("%(asctime)s %(levelname)s %(name)s %(funcName)s: %(message)s")
                .with_writer(writer.clone())
                .build()
                .expect("a valid pattern");
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                support::in_spans(|| b.iter(support::event))
            });
        });
        drop(dispatch);
        drop((writer, guard));
        std::fs::remove_dir_all(&dir).ok();
    }
    group.finish();
}

/// Measures `plain` and `timed` in alternating blocks of 256 within each
/// sample (in alternating order), so that both see the same machine: the
/// figure criterion reports is `timed`'s, and the ratio to `plain` over the
/// whole run is printed at the end.
fn paired_ratio(
    c: &mut Criterion,
    name: &str,
    mut plain: impl FnMut(u64) -> std::time::Duration,
    mut timed: impl FnMut(u64) -> std::time::Duration,
) {
    use std::time::Duration;
    const BLOCK: u64 = 256;
    let mut totals = (Duration::ZERO, Duration::ZERO);
    let mut group = c.benchmark_group("file_writer/paired");
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut timed_total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(BLOCK);
                let (p, t) = if (left / BLOCK).is_multiple_of(2) {
                    (plain(n), timed(n))
                } else {
                    let t = timed(n);
                    (plain(n), t)
                };
                totals.0 += p;
                totals.1 += t;
                timed_total += t;
                left -= n;
            }
            timed_total
        });
    });
    group.finish();
    if !totals.0.is_zero() {
        println!(
            "file_writer/paired/{name}: timed_watched / plain = {:.3} over {:.1} s of each",
            totals.1.as_secs_f64() / totals.0.as_secs_f64(),
            totals.0.as_secs_f64()
        );
    }
}

/// A plain writer and a timed (hourly), watched one, per line and per
/// event, paired.
fn paired(c: &mut Criterion) {
    use std::time::Instant;
    let dir = scratch("paired");
    let (plain, plain_guard) = RotatingFileWriter::builder(dir.join("plain.log"))
        .watch(false)
        .build()
        .expect("the writer builds");
    let (timed, timed_guard) = RotatingFileWriter::builder(dir.join("timed.log"))
        .when(When::Hours)
        .watch(true)
        .build()
        .expect("the writer builds");
    let lines = |writer: &RotatingFileWriter| {
        let writer = writer.clone();
        move |n: u64| {
            let start = Instant::now();
            for _ in 0..n {
                writer
                    .make_writer()
                    .write_all(LINE)
                    .expect("the line is written");
            }
            start.elapsed()
        }
    };
    paired_ratio(c, "per_line", lines(&plain), lines(&timed));
    let events = |writer: &RotatingFileWriter| {
        let layer =
            PatternLayer::builder("%(asctime)s %(levelname)s %(name)s %(funcName)s: %(message)s")
                .with_writer(writer.clone())
                .build()
                .expect("a valid pattern");
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        move |n: u64| {
            tracing::dispatcher::with_default(&dispatch, || {
                support::in_spans(|| {
                    let start = Instant::now();
                    for _ in 0..n {
                        support::event();
                    }
                    start.elapsed()
                })
            })
        }
    };
    paired_ratio(c, "per_event", events(&plain), events(&timed));
    drop((plain, timed, plain_guard, timed_guard));
    std::fs::remove_dir_all(&dir).ok();
}

/// `FILE_WRITER_LINES=N FILE_WRITER_CASE=name`: writes N lines through the
/// case's writer, waits for its compressions, and exits (for callgrind:
/// instructions per line from two counts; which thread ran what).
fn count_lines(case: &str, lines: u64) {
    let (_, configure) = cases()
        .into_iter()
        .find(|(name, _)| *name == case)
        .expect("FILE_WRITER_CASE: plain, timed_watched or rotating_gzip");
    let dir = scratch(case);
    let (writer, guard) = configure(RotatingFileWriter::builder(dir.join("app.log")))
        .build()
        .expect("the writer builds");
    for _ in 0..lines {
        writer
            .make_writer()
            .write_all(LINE)
            .expect("the line is written");
    }
    guard
        .flush(std::time::Duration::from_secs(600))
        .expect("the lines are written and compressed");
    println!("{case}: {:?} {:?}", writer.stats(), writer.file_stats());
    drop((writer, guard));
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, per_line, per_event, paired);

fn main() {
    if let Some(lines) = std::env::var("FILE_WRITER_LINES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let case = std::env::var("FILE_WRITER_CASE").unwrap_or_else(|_| "plain".into());
        count_lines(&case, lines);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
