//! Several logwood layers in one subscriber record each span once.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use logwood_json::JsonLayer;
use logwood_testkit::CaptureWriter;
use tracing_subscriber::prelude::*;

static FORMATTED: AtomicUsize = AtomicUsize::new(0);

/// Counts how often its `Debug` runs: once per recording of the span.
struct Counted;

impl fmt::Debug for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        FORMATTED.fetch_add(1, Ordering::SeqCst);
        f.write_str("counted")
    }
}

#[test]
fn three_stacked_layers_record_each_span_once_and_print_the_same_context() {
    let captures = [
        CaptureWriter::new(),
        CaptureWriter::new(),
        CaptureWriter::new(),
    ];
    let layer = |c: &CaptureWriter| JsonLayer::builder().with_writer(c.clone()).build();
    let subscriber = tracing_subscriber::registry()
        .with(layer(&captures[0]))
        .with(layer(&captures[1]))
        .with(layer(&captures[2]));
    tracing::subscriber::with_default(subscriber, || {
        let outer = tracing::info_span!("outer", probe = ?Counted, user.id = 42);
        let _o = outer.enter();
        let inner = tracing::info_span!("inner", job.id = 1);
        let _i = inner.enter();
        tracing::info!("one");
        tracing::info!("two");
        inner.record("job.id", 2);
        tracing::info!("three");
    });
    assert_eq!(
        FORMATTED.load(Ordering::SeqCst),
        1,
        "the span was recorded more than once"
    );
    let contexts: Vec<Vec<serde_json::Value>> = captures
        .iter()
        .map(|c| {
            c.json_lines()
                .into_iter()
                .map(|r| r["context"].clone())
                .collect()
        })
        .collect();
    assert_eq!(contexts[0].len(), 3);
    assert_eq!(contexts[0], contexts[1]);
    assert_eq!(contexts[0], contexts[2]);
    assert_eq!(contexts[0][0]["probe"], "counted");
    assert_eq!(contexts[0][0]["user"]["id"], 42);
    assert_eq!(contexts[0][1]["job"]["id"], 1);
    // `Span::record` is applied once (by the owning layer) and seen by all.
    assert_eq!(contexts[0][2]["job"]["id"], 2);
}
