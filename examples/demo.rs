//! logwood's demo: a small instrumented shop whose logs go through every
//! layer, each to a local receiver the demo starts itself.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! - JSON lines on stdout (`JsonLayer`), with nested span context, static
//!   context (`service.name`) and runtime / system metadata.
//! - Timber-style msgpack batches over HTTP (`HttpLayer`) and RFC 5424 over
//!   octet-counted TCP (`SyslogLayer`), both to a `logwood-collector` started
//!   in-process on 127.0.0.1, which prints what it received at the end.

use std::time::Duration;

use logwood::http::{Format, HttpLayer};
use logwood::json::JsonLayer;
use logwood::syslog::{SyslogFormat, SyslogLayer};
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
    // The receivers: an HTTP ingest endpoint and a syslog TCP listener on
    // 127.0.0.1 (any free ports).
    let collector = Collector::builder()
        .token("demo-token")
        .out(Output::Memory)
        .syslog_tcp("127.0.0.1:0")
        .start()?;
    let syslog_addr = collector
        .syslog_tcp_addr()
        .ok_or("the collector has no syslog listener")?;

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

    let (syslog, syslog_guard) = SyslogLayer::builder()
        .tcp(syslog_addr)
        .format(SyslogFormat::Rfc5424)
        .app_name("shop")
        .context_field("service.name", "shop")
        .build()?;

    let subscriber = tracing_subscriber::registry()
        .with(json)
        .with(http)
        .with(syslog);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("shop starting");
        handle_request(42, 1234);
        tracing::warn!(queue.depth = 17, "queue is filling up");
    });

    // Flush what is buffered and read what arrived.
    let http_stats = http_guard.shutdown(Duration::from_secs(5));
    let syslog_stats = syslog_guard.shutdown(Duration::from_secs(5));
    let received = collector.wait_for_records(http_stats.sent as usize, Duration::from_secs(5))?;
    let syslog_received =
        collector.wait_for_syslog_messages(syslog_stats.sent as usize, Duration::from_secs(5))?;
    let collector_stats = collector.shutdown();

    let json_stats = json_stats.get();
    eprintln!();
    eprintln!(
        "demo: JSON layer wrote {} records to stdout ({} write errors)",
        json_stats.sent, json_stats.failed
    );
    eprintln!(
        "demo: HTTP layer emitted {}, sent {}, dropped {}, failed {}; the collector got {} records in {} request(s) on {} connection(s):",
        http_stats.emitted,
        http_stats.sent,
        http_stats.dropped,
        http_stats.failed,
        collector_stats.records,
        collector_stats.requests,
        collector_stats.connections
    );
    for record in &received {
        eprintln!("  http <- {record}");
    }
    eprintln!(
        "demo: syslog layer emitted {}, sent {}, dropped {}, failed {}; the collector parsed {} RFC 5424 messages:",
        syslog_stats.emitted,
        syslog_stats.sent,
        syslog_stats.dropped,
        syslog_stats.failed,
        syslog_received.len()
    );
    for message in &syslog_received {
        eprintln!("  syslog <- {message}");
    }
    Ok(())
}
