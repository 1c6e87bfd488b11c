//! `logwood::init()`: every sink from environment variables (and the TOML
//! file `LOGWOOD_CONFIG` names, if any), one guard.
//!
//! ```text
//! cargo run --example env_config
//! RUST_LOG=debug LOGWOOD_STDOUT=pattern cargo run --example env_config
//! LOGWOOD_CONTEXT=service.name=shop,deploy.env=dev LOGWOOD_FILE=/tmp/shop.log LOGWOOD_FILE_LEVEL=warn \
//!     cargo run --example env_config
//! ```
//!
//! With a collector running (`cargo run -p logwood-collector -- --listen
//! 127.0.0.1:9000 --token dev --syslog-tcp 127.0.0.1:5514`), add
//! `LOGWOOD_HTTP_URL=http://127.0.0.1:9000/frames LOGWOOD_HTTP_TOKEN=dev
//! LOGWOOD_SYSLOG=tcp://127.0.0.1:5514` and watch the collector print what
//! arrives. A wrong value (`LOGWOOD_FILE_WHEN=fortnightly`) or an unknown
//! variable (`LOGWOOD_FILE_WHN`) stops the program with a message naming it.

use std::time::Duration;

#[tracing::instrument(skip_all, fields(user.id = user_id, cart.items = 2))]
fn checkout(user_id: u64) {
    tracing::debug!("pricing the cart");
    tracing::info!(order.id = 1234, order.total = 520.23, "Order #1234 placed");
    tracing::warn!(sku = "A-17", "stock low");
    // A dependency logging with the `log` crate reaches the same sinks.
    log::info!(target: "payments", "payment captured");
}

fn main() {
    // Prints the error and exits with status 1 if a setting is wrong.
    let guard = logwood::init();

    checkout(42);

    // Returning from `main` would flush too (the guard is dropped); here
    // the counters are printed, on stderr to keep stdout for the records.
    let stats = guard.shutdown(Duration::from_secs(5));
    eprintln!("{stats}");
}
