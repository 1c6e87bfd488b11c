//! A field whose `Debug` panics never unwinds into the application: the
//! event is counted as failed and reported, the layers after this one still
//! see it, and logging goes on.

#![allow(clippy::unwrap_used)]

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use logwood_json::{ErrorKind, JsonLayer, PatternLayer};
use logwood_testkit::CaptureWriter;
use tracing_subscriber::Layer;
use tracing_subscriber::prelude::*;

struct Explodes;

impl fmt::Debug for Explodes {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a Debug impl that panics")
    }
}

/// Counts the events it sees.
struct Counting(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for Counting {
    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_panicking_debug_is_counted_reported_and_the_application_goes_on() {
    let json = CaptureWriter::new();
    let text = CaptureWriter::new();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    let json_layer = JsonLayer::builder()
        .with_writer(json.clone())
        .log_internal_errors(false)
        .on_error(move |e| seen.lock().unwrap().push((e.kind(), e.records())))
        .build();
    let json_stats = json_layer.stats_handle();
    let pattern_layer = PatternLayer::builder("%(levelname)s %(message)s")
        .with_writer(text.clone())
        .log_internal_errors(false)
        .build()
        .unwrap();
    let pattern_stats = pattern_layer.stats_handle();
    let after = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry()
        .with(json_layer)
        .with(pattern_layer)
        .with(Counting(after.clone()));
    let survived = tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("job", bad = ?Explodes, good = 1);
        let _entered = span.enter();
        tracing::info!(value = ?Explodes, "first");
        tracing::info!("second");
        true
    });
    assert!(survived);
    // The layer after the two logwood layers saw both events.
    assert_eq!(after.load(Ordering::SeqCst), 2);
    let lines = json.json_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["message"], "second");
    assert_eq!(text.lines(), ["INFO second"]);
    let stats = json_stats.get();
    assert_eq!((stats.emitted, stats.sent, stats.failed), (2, 1, 1));
    assert!(stats.is_balanced());
    assert_eq!(pattern_stats.get().failed, 1);
    // The span's fields and the event were both reported.
    let errors = errors.lock().unwrap();
    assert_eq!(
        *errors,
        vec![(ErrorKind::Encode, 0), (ErrorKind::Encode, 1)]
    );
}

/// Logs while it is formatted.
struct Chatty;

impl fmt::Debug for Chatty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tracing::info!("formatting chatty");
        f.write_str("chatty")
    }
}

#[test]
fn a_span_record_whose_debug_logs_in_the_span_does_not_deadlock() {
    let json = CaptureWriter::new();
    let layer = JsonLayer::builder()
        .with_writer(json.clone())
        .with_runtime(false)
        .with_system(false)
        .build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let span = tracing::info_span!("job", who = tracing::field::Empty);
        let _entered = span.enter();
        span.record("who", tracing::field::debug(Chatty));
        tracing::info!("after");
    });
    let lines = json.json_lines();
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["formatting chatty", "after"]);
    assert_eq!(lines[1]["context"]["who"], "chatty");
}
