//! Any Python `logging` pattern either builds or is refused with an error
//! (never a panic); a pattern that builds renders any event as one line
//! ending in one newline.
//!
//! ```text
//! cargo +nightly fuzz run pattern
//! ```

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use logwood_json::PatternLayer;
use logwood_testkit::{CaptureWriter, DynValue, dispatch_dynamic_event};
use tracing_subscriber::prelude::*;

#[derive(Arbitrary, Debug)]
struct Input {
    pattern: String,
    datefmt: Option<String>,
    message: String,
    fields: Vec<(String, String)>,
}

fuzz_target!(|input: Input| {
    let capture = CaptureWriter::new();
    let mut builder = PatternLayer::builder(input.pattern.clone()).with_writer(capture.clone());
    if let Some(datefmt) = &input.datefmt {
        builder = builder.datefmt(datefmt.clone());
    }
    let Ok(layer) = builder.build() else {
        return;
    };
    let mut fields: Vec<(&str, DynValue)> = input
        .fields
        .iter()
        .take(16)
        .filter(|(name, _)| name != "message")
        .map(|(name, value)| (name.as_str(), DynValue::Str(value.clone())))
        .collect();
    fields.push(("message", DynValue::Str(input.message.replace('\n', " "))));
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        dispatch_dynamic_event(&fields);
    });
    let writes = capture.writes();
    assert_eq!(writes.len(), 1, "one write per event");
    assert_eq!(writes[0].last(), Some(&b'\n'));
});
