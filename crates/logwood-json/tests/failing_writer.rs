//! A writer that fails never panics the application; failures are counted
//! and reported once on stderr.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::process::Command;

use logwood_json::JsonLayer;
use logwood_testkit::FailingWriter;
use tracing_subscriber::prelude::*;

const CHILD_ENV: &str = "LOGWOOD_FAILING_WRITER_CHILD";

fn scenario() -> (logwood_json::Stats, usize) {
    let writer = FailingWriter::new();
    let layer = JsonLayer::builder().with_writer(writer.clone()).build();
    let stats = layer.stats_handle();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..5 {
            tracing::info!(i, "into a broken pipe");
        }
    });
    (stats.get(), writer.attempts())
}

#[test]
fn failing_writes_are_counted_and_never_reach_the_caller() {
    let (stats, attempts) = scenario();
    assert_eq!(attempts, 5);
    assert_eq!(stats.sent, 0);
    assert_eq!(stats.failed, 5);
}

#[test]
fn failing_writes_are_reported_once_on_stderr() {
    if std::env::var_os(CHILD_ENV).is_some() {
        let (stats, _) = scenario();
        println!("child-stats failed={}", stats.failed);
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "failing_writes_are_reported_once_on_stderr",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(stdout.contains("child-stats failed=5"), "{stdout}");
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[logwood]"))
        .collect();
    assert_eq!(reports.len(), 1, "{stderr}");
    assert!(
        reports[0].contains("json: writing a record failed"),
        "{}",
        reports[0]
    );
    assert!(
        reports[0].contains("test writer always fails"),
        "{}",
        reports[0]
    );
}
