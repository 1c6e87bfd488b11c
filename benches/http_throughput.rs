//! Throughput of the HTTP layer: N events (default 1,000,000) of the fixed
//! workload from one thread, shipped to an in-process `logwood-collector`
//! that discards them, with the layer's default settings.
//!
//! ```text
//! cargo run --release -p benches --bin http-throughput -- [drop|block] [msgpack|ndjson] [N]
//! cargo run --release -p benches --bin http-throughput -- loki [N]
//! ```
//!
//! `drop` is the default `drop_extra_events(true)`: the producer never waits,
//! and what the buffer cannot hold is dropped and counted. `block` is
//! `drop_extra_events(false)`: the producer waits for room, nothing is
//! dropped, so the rate is the sustained delivery rate.
//!
//! Prints the producer's rate, the delivered rate (from the first event to
//! the end of the shutdown), the counters, the collector's count and the
//! peak RSS of the process (`VmHWM`, collector included), and fails if any
//! record is unaccounted for.
//!
//! `loki` runs the same workload through tracing-loki (0.2, the peer with a
//! bounded queue) posting to a local Loki-compatible receiver in this
//! process, which decodes each push (snappy, protobuf) and counts the
//! entries; tracing-loki has no counters, so what it lost is
//! `N - received`.

use std::time::{Duration, Instant};

use logwood_collector::{Collector, Output};
use logwood_http::{Format, HttpLayer};
use tracing_subscriber::prelude::*;

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
    if args.iter().any(|a| a == "loki") {
        let n = args
            .iter()
            .find_map(|a| a.parse().ok())
            .unwrap_or(1_000_000);
        loki::run(n);
        return;
    }
    let block = args.iter().any(|a| a == "block");
    let format = if args.iter().any(|a| a == "ndjson") {
        Format::Ndjson
    } else {
        Format::Msgpack
    };
    let n: u64 = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);

    let collector = Collector::builder()
        .out(Output::Discard)
        .start()
        .expect("an in-process collector");
    let (layer, guard) = HttpLayer::builder(collector.frames_url())
        .format(format)
        .drop_extra_events(!block)
        .shutdown_timeout(Duration::from_secs(60))
        .build()
        .expect("a layer");
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));

    let start = Instant::now();
    tracing::dispatcher::with_default(&dispatch, || {
        support::in_spans(|| (0..n).for_each(|_| support::event()))
    });
    let produced = start.elapsed();
    let stats = guard.shutdown(Duration::from_secs(60));
    let delivered = start.elapsed();
    let received = collector.stats().records;

    let rate = |count: u64, d: Duration| count as f64 / d.as_secs_f64();
    println!(
        "mode={} format={format:?} events={n}",
        if block { "block" } else { "drop" }
    );
    println!(
        "producer: {:.0} events/s ({:.2} s, {:.0} ns/event)",
        rate(n, produced),
        produced.as_secs_f64(),
        produced.as_nanos() as f64 / n as f64
    );
    println!(
        "delivered: {:.0} events/s ({} events in {:.2} s)",
        rate(stats.sent, delivered),
        stats.sent,
        delivered.as_secs_f64()
    );
    println!("stats: {stats:?}");
    println!("collector received: {received}");
    println!("peak RSS: {:.1} MiB", peak_rss_kib() as f64 / 1024.0);

    let accounted = stats.sent + stats.dropped + stats.failed + stats.queued;
    assert_eq!(stats.emitted, n, "every event reached the layer");
    assert_eq!(stats.emitted, accounted, "the accounting identity");
    assert_eq!(
        received, stats.sent,
        "the collector got exactly what was counted sent"
    );
    if block {
        assert_eq!(
            stats.dropped + stats.failed,
            0,
            "blocking mode loses nothing"
        );
    }
}

mod loki {
    //! tracing-loki against a local receiver.

    use std::convert::Infallible;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use bytes::Bytes;
    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Incoming;
    use hyper::{Request, Response};
    use loki_api::prost::Message as _;
    use tracing_subscriber::prelude::*;

    use super::{peak_rss_kib, support};

    async fn push(
        request: Request<Incoming>,
        received: Arc<AtomicU64>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        let status = match request.into_body().collect().await {
            Ok(body) => {
                let body = body.to_bytes();
                let entries = snap::raw::Decoder::new()
                    .decompress_vec(&body)
                    .ok()
                    .and_then(|raw| loki_api::logproto::PushRequest::decode(&raw[..]).ok())
                    .map(|push| {
                        push.streams
                            .iter()
                            .map(|s| s.entries.len() as u64)
                            .sum::<u64>()
                    });
                match entries {
                    Some(n) => {
                        received.fetch_add(n, Ordering::Relaxed);
                        204
                    }
                    None => 400,
                }
            }
            Err(_) => 400,
        };
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
        Ok(response)
    }

    pub(super) fn run(n: u64) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let received = Arc::new(AtomicU64::new(0));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a listener");
        let addr = listener.local_addr().expect("an address");
        let counter = Arc::clone(&received);
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |r| push(r, Arc::clone(&counter)));
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await
                        .ok();
                });
            }
        });

        let url = tracing_loki::url::Url::parse(&format!("http://{addr}/")).expect("a URL");
        let (layer, controller, task) = tracing_loki::builder()
            .label("service", "bench")
            .expect("a label")
            .build_controller_url(url)
            .expect("a tracing-loki layer");
        let task = runtime.spawn(task);
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));

        let start = Instant::now();
        tracing::dispatcher::with_default(&dispatch, || {
            support::in_spans(|| (0..n).for_each(|_| support::event()))
        });
        let produced = start.elapsed();
        runtime.block_on(async {
            controller.shutdown().await;
            tokio::time::timeout(Duration::from_secs(60), task)
                .await
                .ok();
        });
        let delivered = start.elapsed();
        let got = received.load(Ordering::Relaxed);

        let rate = |count: u64, d: Duration| count as f64 / d.as_secs_f64();
        println!("mode=tracing-loki events={n}");
        println!(
            "producer: {:.0} events/s ({:.2} s, {:.0} ns/event)",
            rate(n, produced),
            produced.as_secs_f64(),
            produced.as_nanos() as f64 / n as f64
        );
        println!(
            "delivered: {:.0} events/s ({got} events in {:.2} s)",
            rate(got, delivered),
            delivered.as_secs_f64()
        );
        println!(
            "lost without a count: {} ({:.1} %)",
            n - got.min(n),
            (n - got.min(n)) as f64 * 100.0 / n as f64
        );
        println!("peak RSS: {:.1} MiB", peak_rss_kib() as f64 / 1024.0);
    }
}
