//! Any event, any field names and values: the JSON layer writes exactly one
//! line per event, which is one valid JSON object without duplicate keys.
//!
//! ```text
//! cargo +nightly fuzz run json_line
//! ```

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use logwood_json::JsonLayer;
use logwood_testkit::{CaptureWriter, DynValue, dispatch_dynamic_event};
use tracing_subscriber::prelude::*;

#[derive(Arbitrary, Debug)]
enum Value {
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    Str(String),
    Debug(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    span_name: bool,
    fields: Vec<(String, Value)>,
}

fuzz_target!(|input: Input| {
    let fields: Vec<(&str, DynValue)> = input
        .fields
        .iter()
        .take(32)
        .map(|(name, value)| {
            let value = match value {
                Value::U64(v) => DynValue::U64(*v),
                Value::I64(v) => DynValue::I64(*v),
                Value::F64(v) => DynValue::F64(*v),
                Value::Bool(v) => DynValue::Bool(*v),
                Value::Str(v) => DynValue::Str(v.clone()),
                Value::Debug(v) => DynValue::Debug(v.clone()),
            };
            (name.as_str(), value)
        })
        .collect();
    let capture = CaptureWriter::new();
    let layer = JsonLayer::builder().with_writer(capture.clone()).build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        if input.span_name {
            let span = tracing::info_span!("fuzz", a.b = 1, level = "x");
            let _s = span.enter();
            dispatch_dynamic_event(&fields);
        } else {
            dispatch_dynamic_event(&fields);
        }
    });
    // Panics (a crash) unless there is one line, with one trailing newline,
    // valid JSON and no duplicate keys.
    let lines = capture.json_lines();
    assert_eq!(lines.len(), 1);
});
