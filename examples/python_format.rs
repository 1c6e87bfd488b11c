//! Python-style log lines in a size-rotating file: the long Logtail format
//! (which Logtail's log-collector expression parses), written to
//! `target/python_format/app.log` with Python `RotatingFileHandler`
//! semantics (`app.log.1` … `app.log.3`), off the caller's thread.
//!
//! ```text
//! cargo run --example python_format
//! ```

use std::path::PathBuf;

use logwood::json::{PatternLayer, RotatingFileWriter};
use tracing_subscriber::prelude::*;

const LOGTAIL_FORMAT: &str = "%(asctime)s - %(filename)s:%(lineno)s - %(levelno)s %(levelname)s %(pathname)s %(module)s %(funcName)s %(created)f %(thread)d %(threadName)s %(process)d %(name)s - %(message)s";

#[tracing::instrument(fields(user.id = user_id))]
fn place_order(user_id: u64, order_id: u64) {
    tracing::info!(order_id, total = 520.23, "Order #{order_id} placed");
    if order_id.is_multiple_of(7) {
        tracing::warn!(order_id, reason = "card declined", "payment retried");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("python_format");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("app.log");

    // Dropping the guard waits until what is queued is written.
    let (file, guard) = RotatingFileWriter::builder(&path)
        .max_bytes(16 * 1024)
        .backup_count(3)
        .non_blocking(true)
        .build()?;
    let layer = PatternLayer::builder(LOGTAIL_FORMAT)
        .with_writer(file.clone())
        .dotted_logger_names(true)
        .with_span_context(true)
        .build()?;
    tracing_subscriber::registry().with(layer).init();

    for order_id in 1..=400 {
        place_order(order_id % 13, order_id);
    }
    tracing::info!("user=42 action=logout");

    drop(guard);
    let stats = file.file_stats();
    println!(
        "wrote {} lines ({} rollovers) to {} (backups app.log.1 … app.log.3 beside it)",
        stats.lines,
        stats.rollovers,
        path.canonicalize()?.display()
    );
    let text = std::fs::read_to_string(&path)?;
    if let Some(last) = text.lines().last() {
        println!("last line: {last}");
    }
    Ok(())
}
