//! `lift_message_fields`: `key=value` pairs and JSON objects found in a
//! message become fields; the message is unchanged, the event's own fields
//! win, and a record never has a key twice.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

mod support;

use logwood_json::{JsonLayer, PatternLayer};
use logwood_testkit::CaptureWriter;
use serde_json::{Value, json};
use support::lines;
use tracing_subscriber::prelude::*;

fn json_records(lift: bool, f: impl FnOnce()) -> Vec<Value> {
    let capture = CaptureWriter::new();
    let layer = JsonLayer::builder()
        .with_writer(capture.clone())
        .with_runtime(false)
        .with_system(false)
        .lift_message_fields(lift)
        .build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    // Parsed, after the check for duplicate keys.
    capture.json_lines()
}

/// The record without `dt`, `level` and `context`.
fn fields(record: &Value) -> Value {
    let mut record = record.clone();
    let map = record.as_object_mut().unwrap();
    for key in ["dt", "level", "context"] {
        map.remove(key);
    }
    record
}

#[test]
fn key_value_message_gives_typed_fields() {
    let out = json_records(true, || tracing::info!("user=42 action=login"));
    assert_eq!(
        fields(&out[0]),
        json!({"message": "user=42 action=login", "user": 42, "action": "login"})
    );
    let out = json_records(true, || {
        tracing::info!(
            r#"paid order=1234 total=520.23 paid=true refund=false who="Ann Lee" zip=01234 note="#
        );
    });
    assert_eq!(
        fields(&out[0]),
        json!({
            "message": r#"paid order=1234 total=520.23 paid=true refund=false who="Ann Lee" zip=01234 note="#,
            "order": 1234, "total": 520.23, "paid": true, "refund": false,
            "who": "Ann Lee", "zip": "01234", "note": ""
        })
    );
}

#[test]
fn json_object_in_message_gives_nested_fields() {
    let out = json_records(true, || {
        tracing::info!(
            r#"webhook received {{"event": "charge", "amount": 12.5, "customer": {{"id": 42, "vip": true}}, "tags": ["a", "b"], "x": null}}"#
        );
    });
    assert_eq!(
        fields(&out[0])
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "message")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<serde_json::Map<_, _>>(),
        json!({
            "event": "charge", "amount": 12.5,
            "customer": {"id": 42, "vip": true},
            "tags": "[\"a\", \"b\"]"
        })
        .as_object()
        .unwrap()
        .clone()
    );
    let out = json_records(true, || tracing::info!(r#"{{"user": 1}}"#));
    assert_eq!(
        fields(&out[0]),
        json!({"message": r#"{"user": 1}"#, "user": 1})
    );
}

#[test]
fn event_fields_win_over_lifted_ones() {
    let out = json_records(true, || {
        tracing::info!(
            user = 7,
            order.id = 1,
            "user=42 order=5 order.total=3 extra=yes"
        );
    });
    assert_eq!(
        fields(&out[0]),
        json!({
            "message": "user=42 order=5 order.total=3 extra=yes",
            // `user`: the event's. The lifted `order` (a leaf) clashes with
            // the event's `order.id` below it: dropped. `order.total` is a
            // sibling of `order.id`: both are kept, in one object.
            "user": 7, "order": {"id": 1, "total": 3}, "extra": "yes"
        })
    );
}

#[test]
fn lifted_names_follow_the_reserved_key_rule() {
    let out = json_records(true, || {
        tracing::info!("level=3 dt=now message=hi context.x=1 a=1 a=2");
    });
    let r = &out[0];
    assert_eq!(r["level"], "info");
    assert_eq!(
        r["message"],
        "level=3 dt=now message=hi context.x=1 a=1 a=2"
    );
    assert_eq!(r["_level"], 3);
    assert_eq!(r["_dt"], "now");
    assert_eq!(r["_message"], "hi");
    assert_eq!(r["_context"], json!({"x": 1}));
    assert!(r["context"].is_object());
    // Later lifted pairs win, as later fields do.
    assert_eq!(r["a"], 2);
}

#[test]
fn lifting_is_off_by_default() {
    let out = json_records(false, || tracing::info!("user=42 action=login"));
    assert_eq!(fields(&out[0]), json!({"message": "user=42 action=login"}));
}

#[test]
fn log_crate_records_are_lifted() {
    tracing_log::LogTracer::init().unwrap();
    let out = json_records(true, || {
        log::info!(target: "legacy", "request done status={} took_ms={} path=/orders", 200, 12.5);
    });
    assert_eq!(
        fields(&out[0]),
        json!({
            "message": "request done status=200 took_ms=12.5 path=/orders",
            "status": 200, "took_ms": 12.5, "path": "/orders"
        })
    );
}

#[test]
fn hostile_messages_still_give_valid_json() {
    let nested = format!("{}1{}", "{\"a\":".repeat(300), "}".repeat(300));
    let wide: String = (0..500).map(|i| format!("k{}={i} ", i % 7)).collect();
    let messages = [
        nested.as_str(),
        wide.as_str(),
        "{\"a\": \"\\ud800\"} {\"b\": 1",
        "a=\"unterminated b=2",
        "=== == =x x= {} {\"\": 1} {\"a.b\": {\"\": 2}}",
        "\u{0}=1 k=\u{7f}",
    ];
    for message in messages {
        let out = json_records(true, || tracing::info!("{message}"));
        assert_eq!(out[0]["message"], message);
    }
}

fn pattern_lines(lift: bool, f: impl FnOnce()) -> Vec<String> {
    let capture = CaptureWriter::new();
    let layer = PatternLayer::builder("%(levelname)s %(message)s")
        .with_writer(capture.clone())
        .lift_message_fields(lift)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    lines(&capture)
}

#[test]
fn pattern_layer_appends_json_members_but_not_pairs_already_in_text() {
    let emit = || {
        tracing::info!(
            user = 7,
            r#"charge {{"user": 1, "amount": 12.5, "card": {{"brand": "visa"}}}} retry=2"#
        );
    };
    assert_eq!(
        pattern_lines(true, emit),
        [
            r#"INFO charge {"user": 1, "amount": 12.5, "card": {"brand": "visa"}} retry=2 amount=12.5 card.brand=visa user=7"#
        ]
    );
    assert_eq!(
        pattern_lines(false, emit),
        [r#"INFO charge {"user": 1, "amount": 12.5, "card": {"brand": "visa"}} retry=2 user=7"#]
    );
}
