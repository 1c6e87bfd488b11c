//! Throughput of the OTLP layer against the OpenTelemetry SDK path: N
//! events (default 1,000,000) of the fixed workload from one thread,
//! shipped to an in-process `logwood-collector` that discards them.
//!
//! ```text
//! cargo run --release -p benches --bin otlp-throughput -- [block|drop] [protobuf|json] [N]
//! cargo run --release -p benches --bin otlp-throughput -- otel [N]
//! ```
//!
//! `block` is `drop_extra_events(false)` (the producer waits for room;
//! nothing is lost), `drop` the default (what the buffer cannot hold is
//! dropped and counted). `otel` is `opentelemetry-appender-tracing` (span
//! attributes copied) + the default `BatchLogProcessor` +
//! `opentelemetry-otlp` (HTTP, protobuf): it has no counters, so what it
//! lost is `N - received`.
//!
//! Prints the producer's rate, the delivered rate (first event to the end
//! of the shutdown), the counters, the collector's count and the peak RSS
//! of the process (`VmHWM`, collector included); fails if a logwood record
//! is unaccounted for, or if blocking mode lost any.

use std::time::{Duration, Instant};

use logwood::otlp::OtlpProtocol;
use logwood_collector::{Collector, Output};

#[path = "support/otlp.rs"]
mod otlp;
#[path = "support/mod.rs"]
mod support;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let collector = Collector::builder()
        .out(Output::Discard)
        .start()
        .expect("an in-process collector");
    let base = collector.http_url();
    let rate = |count: u64, d: Duration| count as f64 / d.as_secs_f64();

    let otel = args.iter().any(|a| a == "otel");
    let block = args.iter().any(|a| a == "block");
    let protocol = if args.iter().any(|a| a == "json") {
        OtlpProtocol::Json
    } else {
        OtlpProtocol::Protobuf
    };
    let start = Instant::now();
    let (produced, stats) = if otel {
        let (dispatch, provider) = otlp::otel(&base);
        tracing::dispatcher::with_default(&dispatch, || {
            support::in_spans(|| (0..n).for_each(|_| support::event()))
        });
        let produced = start.elapsed();
        provider.shutdown().ok();
        (produced, None)
    } else {
        let (dispatch, guard) = otlp::logwood(&base, protocol, block);
        tracing::dispatcher::with_default(&dispatch, || {
            support::in_spans(|| (0..n).for_each(|_| support::event()))
        });
        let produced = start.elapsed();
        (produced, Some(guard.shutdown(Duration::from_secs(120))))
    };
    let delivered = start.elapsed();
    let received = collector.stats().otlp_records;

    match &stats {
        None => println!(
            "mode=otel (appender-tracing + BatchLogProcessor + otlp http/protobuf) events={n}"
        ),
        Some(_) => println!(
            "mode={} protocol={protocol:?} events={n}",
            if block { "block" } else { "drop" }
        ),
    }
    println!(
        "producer: {:.0} events/s ({:.2} s, {:.0} ns/event)",
        rate(n, produced),
        produced.as_secs_f64(),
        produced.as_nanos() as f64 / n as f64
    );
    println!(
        "delivered: {:.0} events/s ({received} events in {:.2} s)",
        rate(received, delivered),
        delivered.as_secs_f64()
    );
    println!(
        "lost: {} ({:.1} %)",
        n - received.min(n),
        (n - received.min(n)) as f64 * 100.0 / n as f64
    );
    println!("peak RSS: {:.1} MiB", peak_rss_kib() as f64 / 1024.0);
    if let Some(stats) = stats {
        println!("stats: {stats:?}");
        let accounted = stats.sent + stats.dropped + stats.failed + stats.queued;
        assert_eq!(stats.emitted, n, "every event reached the layer");
        assert_eq!(stats.emitted, accounted, "the accounting identity");
        assert_eq!(
            received, stats.sent,
            "the collector got exactly what was counted sent"
        );
        assert_eq!(
            n - received,
            stats.dropped + stats.failed,
            "every loss counted"
        );
        if block {
            assert_eq!(
                stats.dropped + stats.failed,
                0,
                "blocking mode loses nothing"
            );
        }
    }
}
