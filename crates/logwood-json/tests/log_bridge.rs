//! Records from the `log` crate, bridged by `tracing-log`, show the real
//! file, line and target.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use logwood_json::JsonLayer;
use logwood_testkit::CaptureWriter;
use tracing_subscriber::prelude::*;

#[test]
fn log_records_carry_their_own_file_line_and_target() {
    tracing_log::LogTracer::init().unwrap();
    let capture = CaptureWriter::new();
    let layer = JsonLayer::builder().with_writer(capture.clone()).build();
    let line =
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let span = tracing::info_span!("legacy_call", user.id = 5);
            let _s = span.enter();
            let line = line!() + 1;
            log::warn!(target: "legacy::db", "slow query took {}ms", 250);
            line
        });
    let lines = capture.json_lines();
    assert_eq!(lines.len(), 1);
    let r = &lines[0];
    assert_eq!(r["message"], "slow query took 250ms");
    assert_eq!(r["level"], "warn");
    let runtime = &r["context"]["runtime"];
    assert_eq!(runtime["logger_name"], "legacy::db");
    assert_eq!(runtime["line"], line);
    assert!(
        runtime["file"].as_str().unwrap().ends_with("log_bridge.rs"),
        "{runtime}"
    );
    assert_eq!(runtime["module"], "log_bridge");
    assert_eq!(runtime["function"], "legacy_call");
    assert_eq!(r["context"]["user"]["id"], 5);
    // The bridge's own `log.*` fields are metadata, not event fields.
    assert!(r.get("log").is_none() && r.get("_log").is_none(), "{r}");
}
