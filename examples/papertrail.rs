//! Ship logs to Papertrail over TLS (RFC 5424, octet counting, one record per
//! line of a multi-line message), the way Python's `SysLogHandler` is set up
//! in Papertrail's docs, plus JSON lines on stdout.
//!
//! ```text
//! PAPERTRAIL_DESTINATION=logs5.papertrailapp.com:12345 cargo run --example papertrail
//! ```
//!
//! The destination is the host and port shown on Papertrail's "Log
//! Destinations" page. Without it the example says so and exits: it never
//! reaches the network unless asked to.

use std::time::Duration;

use logwood::json::JsonLayer;
use logwood::syslog::SyslogLayer;
use tracing_subscriber::prelude::*;

#[tracing::instrument(fields(user.id = 42))]
fn checkout(order_id: u64) {
    tracing::info!(
        order.id = order_id,
        order.total = 520.23,
        "Order #{order_id} placed"
    );
    tracing::warn!("stock low\nsku=A-17 left=2\nsku=B-02 left=1");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(destination) = std::env::var("PAPERTRAIL_DESTINATION") else {
        eprintln!(
            "set PAPERTRAIL_DESTINATION=logsN.papertrailapp.com:PORT (from Papertrail's Log Destinations page)"
        );
        return Ok(());
    };
    let (papertrail, guard) = SyslogLayer::papertrail(&destination)
        .app_name("shop")
        .context_field("deploy.env", "example")
        .on_error(|err| eprintln!("papertrail: {err}"))
        .build()?;
    tracing_subscriber::registry()
        .with(JsonLayer::stdout())
        .with(papertrail)
        .init();

    checkout(1234);

    // Flush before exiting (dropping the guard would too, within its
    // shutdown timeout).
    let stats = guard.shutdown(Duration::from_secs(5));
    eprintln!(
        "sent {} records to {destination} ({} dropped, {} failed)",
        stats.sent, stats.dropped, stats.failed
    );
    Ok(())
}
