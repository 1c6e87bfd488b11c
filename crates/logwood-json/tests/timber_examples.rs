//! The two examples of Timber's Python docs, done the tracing way.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use logwood_json::JsonLayer;
use logwood_testkit::CaptureWriter;
use serde_json::{Value, json};
use tracing_subscriber::prelude::*;

fn run(f: impl FnOnce()) -> Vec<Value> {
    let capture = CaptureWriter::new();
    let layer = JsonLayer::builder().with_writer(capture.clone()).build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    capture.json_lines()
}

#[tracing::instrument(fields(user.id = 123))]
fn place_order() {
    tracing::info!(
        order_placed.id = 1234,
        order_placed.total = 520.23,
        "Order #1234 placed, total: $520.23"
    );
}

#[test]
fn instrumented_user_context_and_order_fields_print_the_documented_structure() {
    let lines = run(place_order);
    assert_eq!(lines.len(), 1);
    let r = &lines[0];
    assert_eq!(r["message"], "Order #1234 placed, total: $520.23");
    assert_eq!(r["level"], "info");
    assert_eq!(r["order_placed"], json!({"id": 1234, "total": 520.23}));
    assert_eq!(r["context"]["user"], json!({"id": 123}));

    let dt = r["dt"].as_str().unwrap();
    assert_eq!(dt.len(), 27, "{dt}");
    assert!(dt.ends_with('Z') && dt.as_bytes()[19] == b'.', "{dt}");
    chrono_like_check(dt);

    let runtime = &r["context"]["runtime"];
    assert_eq!(runtime["function"], "place_order");
    assert_eq!(runtime["module"], "timber_examples");
    assert_eq!(runtime["logger_name"], "timber_examples");
    assert!(
        runtime["file"]
            .as_str()
            .unwrap()
            .ends_with("timber_examples.rs")
    );
    assert!(runtime["line"].as_u64().unwrap() > 0);
    let tid = runtime["thread_id"].as_str().unwrap();
    assert!(
        !tid.is_empty() && tid.bytes().all(|b| b.is_ascii_digit()),
        "{tid}"
    );
    assert_eq!(
        runtime["thread_name"],
        std::thread::current().name().unwrap(),
        "the test thread is named after the test"
    );

    let system = &r["context"]["system"];
    assert_eq!(system["pid"], std::process::id());
    assert!(system["hostname"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(
        system["process_name"]
            .as_str()
            .unwrap()
            .starts_with("timber_examples")
    );
}

fn chrono_like_check(dt: &str) {
    let digits = [
        0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25,
    ];
    for i in digits {
        assert!(dt.as_bytes()[i].is_ascii_digit(), "{dt}");
    }
    assert_eq!(&dt[4..5], "-");
    assert_eq!(&dt[10..11], "T");
}

#[test]
fn nested_job_context_merges_inside_and_is_restored_after() {
    let lines = run(|| {
        let outer = tracing::info_span!("outer", job.id = 123, job.count = 1);
        let _outer = outer.enter();
        tracing::info!("before");
        {
            let inner = tracing::info_span!("inner", job.count = 2);
            let _inner = inner.enter();
            tracing::info!("inside");
        }
        tracing::info!("after");
    });
    let jobs: Vec<_> = lines.iter().map(|r| r["context"]["job"].clone()).collect();
    assert_eq!(
        jobs,
        vec![
            json!({"id": 123, "count": 1}),
            json!({"id": 123, "count": 2}),
            json!({"id": 123, "count": 1}),
        ]
    );
    assert_eq!(lines[1]["context"]["runtime"]["function"], "inner");
    assert_eq!(lines[2]["context"]["runtime"]["function"], "outer");
}
