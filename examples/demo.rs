//! logwood's demo: a small instrumented shop whose logs go through every
//! layer, each to a local receiver the demo starts itself.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! - JSON lines on stdout (`JsonLayer`), with nested span context, static
//!   context (`service.name`) and runtime / system metadata.

use tracing_subscriber::prelude::*;

use logwood::json::JsonLayer;

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

fn main() {
    let json = JsonLayer::builder()
        .context_field("service.name", "shop")
        .context_field("deploy.env", "demo")
        .build();
    let stats = json.stats_handle();
    tracing_subscriber::registry().with(json).init();

    tracing::info!("shop starting");
    handle_request(42, 1234);
    tracing::warn!(queue.depth = 17, "queue is filling up");

    let stats = stats.get();
    eprintln!(
        "demo: JSON layer wrote {} records to stdout ({} write errors)",
        stats.written, stats.write_errors
    );
}
