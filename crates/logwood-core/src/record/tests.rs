//! Trace ids in the record: the tree's `context` and the flat leaves.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::field::FieldSet;
use tracing_core::metadata::Kind;
use tracing_core::{Interest, Level, Metadata};

use super::*;
use crate::context::StaticContext;
use crate::encode::{Json, Kv, SdParams};

struct TestCallsite;

impl Callsite for TestCallsite {
    fn set_interest(&self, _: Interest) {}
    fn metadata(&self) -> &Metadata<'_> {
        &META
    }
}

static CALLSITE: TestCallsite = TestCallsite;
static META: Metadata<'static> = Metadata::new(
    "event",
    "shop::orders",
    Level::INFO,
    None,
    None,
    None,
    FieldSet::new(&[], Identifier(&CALLSITE)),
    Kind::EVENT,
);

const TRACE: TraceIds = TraceIds {
    trace_id: [0x5b; 16],
    span_id: [0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74],
    flags: 1,
};

fn options(context: StaticContext) -> RecordOptions {
    RecordOptions {
        context: Arc::new(context),
        runtime: false,
        system: false,
        lift_message_fields: false,
    }
}

fn record<'a>(opts: &'a RecordOptions, trace: Option<TraceIds>) -> Record<'a> {
    Record {
        time: UNIX_EPOCH,
        meta: &META,
        callsite: None,
        span: None,
        opts,
        trace,
    }
}

fn tree(record: &Record<'_>) -> serde_json::Value {
    let mut out = Vec::new();
    record.write_tree::<Json>(&mut out, &mut EventFields::default());
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn trace_ids_close_the_context_in_hex() {
    let opts = options(StaticContext::new());
    let json = tree(&record(&opts, Some(TRACE)));
    assert_eq!(
        json["context"],
        serde_json::json!({"trace_id": "5b".repeat(16), "span_id": "eee19b7ec3c1b174"})
    );
    assert_eq!(tree(&record(&opts, None))["context"], serde_json::json!({}));
}

#[test]
fn a_context_key_of_the_same_name_wins() {
    let mut context = StaticContext::new();
    context.insert("trace_id", "mine");
    let opts = options(context);
    let json = tree(&record(&opts, Some(TRACE)));
    assert_eq!(json["context"]["trace_id"], "mine");
    assert_eq!(json["context"]["span_id"], "eee19b7ec3c1b174");
    logwood_testkit::check_no_duplicate_keys(&json.to_string()).unwrap();
}

#[test]
fn trace_ids_are_flat_leaves_for_sd_params_and_key_value_text() {
    let opts = options(StaticContext::new());
    let r = record(&opts, Some(TRACE));
    let mut sd = Vec::new();
    r.write_metadata_flat::<SdParams>(&mut sd);
    assert_eq!(
        String::from_utf8(sd).unwrap(),
        format!(
            " trace_id=\"{}\" span_id=\"eee19b7ec3c1b174\"",
            "5b".repeat(16)
        )
    );
    let mut kv = Vec::new();
    r.write_metadata_flat::<Kv>(&mut kv);
    assert_eq!(
        String::from_utf8(kv).unwrap(),
        format!(" trace_id={} span_id=eee19b7ec3c1b174", "5b".repeat(16))
    );
    assert_ne!(
        r.context_key_mask() & Record::first_segment_bit("trace_id"),
        0
    );
}
