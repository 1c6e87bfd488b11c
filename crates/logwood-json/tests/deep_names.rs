//! A span field or an event field with a very long dotted name (built at
//! run time) never overflows the stack: it nests at most `MAX_DEPTH`
//! levels, the rest of the name staying one key, on a thread with a small
//! stack, in the JSON and the pattern layer.

#![allow(clippy::unwrap_used)]

use logwood_json::{JsonLayer, PatternLayer};
use logwood_testkit::{CaptureWriter, DynValue, dispatch_dynamic_event, in_dynamic_span};
use tracing_subscriber::prelude::*;

const SEGMENTS: usize = 40_000;

fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn deep_name() -> String {
    vec!["a"; SEGMENTS].join(".")
}

#[test]
fn a_40000_segment_span_field_and_event_field_are_written_on_a_small_stack() {
    let (json, text) = on_small_stack(|| {
        let json = CaptureWriter::new();
        let text = CaptureWriter::new();
        let subscriber = tracing_subscriber::registry()
            .with(
                JsonLayer::builder()
                    .with_writer(json.clone())
                    .with_runtime(false)
                    .with_system(false)
                    .build(),
            )
            .with(
                PatternLayer::builder("%(message)s")
                    .with_writer(text.clone())
                    .with_span_context(true)
                    .build()
                    .unwrap(),
            );
        let name = deep_name();
        tracing::subscriber::with_default(subscriber, || {
            in_dynamic_span(&[(name.as_str(), DynValue::U64(1))], || {
                dispatch_dynamic_event(&[
                    (name.as_str(), DynValue::U64(2)),
                    ("message", DynValue::Str("deep".into())),
                ]);
            });
        });
        (json.lines(), text.lines())
    });
    assert_eq!(json.len(), 1);
    logwood_testkit::check_no_duplicate_keys(&json[0]).unwrap();
    // 128 nested maps for the event field; the context's deep name nests
    // the same way under `context`.
    let depth = |s: &str| {
        let (mut depth, mut max) = (0usize, 0usize);
        for b in s.bytes() {
            match b {
                b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b'}' => depth -= 1,
                _ => {}
            }
        }
        max
    };
    assert!(
        depth(&json[0]) <= logwood_core::MAX_DEPTH + 2,
        "{}",
        depth(&json[0])
    );
    assert!(json[0].contains("\"message\":\"deep\""));
    assert_eq!(text.len(), 1);
    assert!(text[0].starts_with("deep a.a.a."), "{}", &text[0][..40]);
}
