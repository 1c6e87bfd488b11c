//! logwood's demo: a small instrumented shop whose logs go through every
//! layer, each to a local receiver the demo starts itself.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! - JSON lines on stdout (`JsonLayer`), with nested span context, static
//!   context (`service.name`) and runtime / system metadata.
//! - Timber-style msgpack batches over HTTP (`HttpLayer`) to a
//!   `logwood-collector` started in-process on 127.0.0.1, which prints what
//!   it received at the end.

use std::time::Duration;

use logwood::http::{Format, HttpLayer};
use logwood::json::JsonLayer;
use logwood_collector::{Collector, Output};
use tracing_subscriber::prelude::*;

#[tracing::instrument(fields(user.id = user_id, job.id = 123, job.count = 1))]
fn handle_request(user_id: u64, order_id: u64) {
    tracing::info!(path = "/orders", "request received");
    place_order(order_id, 520.23);
    tracing::info!("request done");
}

#[tracing::instrument(skip(total), fields(job.count = 2))]
fn place_order(order_id: u64, total: f64) {
    tracing::info!(
        order_placed.id = order_id,
        order_placed.total = total,
        "Order #{order_id} placed, total: ${total}"
    );
    if let Err(err) = charge(total) {
        tracing::error!(error = &err as &dyn std::error::Error, "payment failed");
    }
}

fn charge(total: f64) -> Result<(), std::io::Error> {
    if total > 500.0 {
        return Err(std::io::Error::other("card declined: over limit"));
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The receivers: an HTTP ingest endpoint on 127.0.0.1 (any free port).
    let collector = Collector::builder()
        .token("demo-token")
        .out(Output::Memory)
        .start()?;

    let json = JsonLayer::builder()
        .context_field("service.name", "shop")
        .context_field("deploy.env", "demo")
        .build();
    let json_stats = json.stats_handle();
    let (http, http_guard) = HttpLayer::builder(collector.frames_url())
        .api_key("demo-token")
        .format(Format::Msgpack)
        .context_field("service.name", "shop")
        .build()?;

    let subscriber = tracing_subscriber::registry().with(json).with(http);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("shop starting");
        handle_request(42, 1234);
        tracing::warn!(queue.depth = 17, "queue is filling up");
    });

    // Flush what is buffered and read what arrived.
    let http_stats = http_guard.shutdown(Duration::from_secs(5));
    let received = collector.wait_for_records(http_stats.sent as usize, Duration::from_secs(5))?;
    let collector_stats = collector.shutdown();

    let json_stats = json_stats.get();
    eprintln!();
    eprintln!(
        "demo: JSON layer wrote {} records to stdout ({} write errors)",
        json_stats.written, json_stats.write_errors
    );
    eprintln!(
        "demo: HTTP layer emitted {}, sent {}, dropped {}, failed {}; the collector got {} records in {} request(s) on {} connection(s):",
        http_stats.emitted,
        http_stats.sent,
        http_stats.dropped(),
        http_stats.failed,
        collector_stats.records,
        collector_stats.requests,
        collector_stats.connections
    );
    for record in &received {
        eprintln!("  http <- {record}");
    }
    Ok(())
}
