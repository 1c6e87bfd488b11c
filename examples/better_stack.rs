//! Ship logs to Better Stack (Timber's successor, which still accepts
//! Timber's msgpack frames), batched over HTTPS, plus JSON lines on stdout.
//!
//! ```text
//! BETTER_STACK_SOURCE_TOKEN=... cargo run --example better_stack
//! BETTER_STACK_SOURCE_TOKEN=... BETTER_STACK_HOST=s1234.eu-nbg-2.betterstackdata.com cargo run --example better_stack
//! ```
//!
//! Sources created with their own ingesting host give it as
//! `BETTER_STACK_HOST`. Without a token the example says so and exits: it
//! never reaches the network unless asked to.

use std::time::Duration;

use logwood::http::HttpLayer;
use logwood::json::JsonLayer;
use tracing_subscriber::prelude::*;

#[tracing::instrument(fields(user.id = 42, job.id = 123))]
fn checkout(order_id: u64) {
    tracing::info!(
        order_placed.id = order_id,
        order_placed.total = 520.23,
        "Order #{order_id} placed"
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(token) = std::env::var("BETTER_STACK_SOURCE_TOKEN") else {
        eprintln!(
            "set BETTER_STACK_SOURCE_TOKEN (and BETTER_STACK_HOST for sources with their own ingesting host)"
        );
        return Ok(());
    };
    let builder = match std::env::var("BETTER_STACK_HOST") {
        Ok(host) => HttpLayer::better_stack_at(host, token),
        Err(_) => HttpLayer::better_stack(token),
    };
    let (better_stack, guard) = builder
        .context_field("service.name", "shop")
        .on_error(|err| eprintln!("better stack: {err}"))
        .build()?;
    tracing_subscriber::registry()
        .with(JsonLayer::stdout())
        .with(better_stack)
        .init();

    checkout(1234);

    let stats = guard.shutdown(Duration::from_secs(5));
    eprintln!(
        "sent {} records ({} dropped, {} failed)",
        stats.sent, stats.dropped, stats.failed
    );
    Ok(())
}
