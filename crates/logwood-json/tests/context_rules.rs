//! Span context, static context, values and switches.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fmt;

use logwood_json::JsonLayer;
use logwood_testkit::CaptureWriter;
use serde_json::{Value, json};
use tracing::field::Empty;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;

fn capture_with(
    build: impl FnOnce(
        logwood_json::JsonLayerBuilder<CaptureWriter>,
    ) -> logwood_json::JsonLayerBuilder<CaptureWriter>,
    f: impl FnOnce(),
) -> Vec<Value> {
    let capture = CaptureWriter::new();
    let layer = build(JsonLayer::builder().with_writer(capture.clone())).build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    capture.json_lines()
}

fn user_context(r: &Value) -> Value {
    let mut ctx = r["context"].clone();
    let map = ctx.as_object_mut().unwrap();
    map.remove("runtime");
    map.remove("system");
    ctx
}

#[test]
fn inner_span_wins_a_leaf_object_conflict_either_way() {
    let lines = capture_with(
        |b| b,
        || {
            let outer = tracing::info_span!("outer", a = 1);
            let _o = outer.enter();
            let inner = tracing::info_span!("inner", a.b = 2);
            let _i = inner.enter();
            tracing::info!("leaf outside, object inside");
        },
    );
    assert_eq!(user_context(&lines[0]), json!({"a": {"b": 2}}));

    let lines = capture_with(
        |b| b,
        || {
            let outer = tracing::info_span!("outer", a.b = 2, c = 3);
            let _o = outer.enter();
            let inner = tracing::info_span!("inner", a = 1);
            let _i = inner.enter();
            tracing::info!("object outside, leaf inside");
        },
    );
    assert_eq!(user_context(&lines[0]), json!({"a": 1, "c": 3}));
}

#[test]
fn explicit_parent_is_honoured_over_the_current_span() {
    let lines = capture_with(
        |b| b,
        || {
            let elsewhere = tracing::info_span!("elsewhere", request.id = 7);
            let current = tracing::info_span!("current", request.id = 8);
            let _c = current.enter();
            tracing::info!(parent: &elsewhere, "explicit");
            tracing::info!(parent: None, "root");
            tracing::info!("contextual");
        },
    );
    assert_eq!(lines[0]["context"]["request"]["id"], 7);
    assert_eq!(lines[0]["context"]["runtime"]["function"], "elsewhere");
    assert_eq!(user_context(&lines[1]), json!({}));
    assert!(lines[1]["context"]["runtime"].get("function").is_none());
    assert_eq!(lines[2]["context"]["request"]["id"], 8);
}

#[test]
fn span_record_updates_the_spans_context() {
    let lines = capture_with(
        |b| b,
        || {
            let span = tracing::info_span!("request", http.status = Empty, path = "/a");
            let _s = span.enter();
            tracing::info!("before");
            span.record("http.status", 200);
            tracing::info!("after");
        },
    );
    assert_eq!(user_context(&lines[0]), json!({"path": "/a"}));
    assert_eq!(
        user_context(&lines[1]),
        json!({"path": "/a", "http": {"status": 200}})
    );
}

#[test]
fn static_context_sits_beneath_span_context() {
    let lines = capture_with(
        |b| {
            b.context_field("service.name", "shop")
                .context_field("deploy.env", "prod")
                .context_field("user.id", 0)
        },
        || {
            tracing::info!("no span");
            let span = tracing::info_span!("s", user.id = 42, service.version = "1.2");
            let _s = span.enter();
            tracing::info!("in span");
        },
    );
    assert_eq!(
        user_context(&lines[0]),
        json!({"service": {"name": "shop"}, "deploy": {"env": "prod"}, "user": {"id": 0}})
    );
    assert_eq!(
        user_context(&lines[1]),
        json!({"service": {"name": "shop", "version": "1.2"}, "deploy": {"env": "prod"}, "user": {"id": 42}})
    );
}

#[test]
fn runtime_and_system_can_be_left_out() {
    let lines = capture_with(
        |b| b.with_runtime(false).with_system(false),
        || {
            let span = tracing::info_span!("s", k = "v");
            let _s = span.enter();
            tracing::info!("x");
        },
    );
    assert_eq!(lines[0]["context"], json!({"k": "v"}));
}

#[derive(Debug)]
struct Inner;
impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("disk full")
    }
}
impl std::error::Error for Inner {}

#[derive(Debug)]
struct Outer(Inner);
impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("saving order failed")
    }
}
impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn typed_values_stay_typed_and_errors_carry_their_chain() {
    let lines = capture_with(
        |b| b,
        || {
            let err = Outer(Inner);
            tracing::warn!(
                u = 7_u64,
                i = -7_i64,
                f = 1.5,
                b = true,
                s = "text",
                d = ?("a", 1),
                disp = %"shown",
                big = u128::MAX,
                error = &err as &dyn std::error::Error,
                "values"
            );
        },
    );
    let r = &lines[0];
    assert_eq!(r["level"], "warn");
    assert_eq!(r["u"], json!(7));
    assert_eq!(r["i"], json!(-7));
    assert_eq!(r["f"], json!(1.5));
    assert_eq!(r["b"], json!(true));
    assert_eq!(r["s"], json!("text"));
    assert_eq!(r["d"], json!("(\"a\", 1)"));
    assert_eq!(r["disp"], json!("shown"));
    assert_eq!(r["big"], json!(u128::MAX.to_string()));
    assert_eq!(r["error"], json!("saving order failed: disk full"));
}

#[test]
fn per_layer_filters_apply_to_each_layer() {
    let all = CaptureWriter::new();
    let warn = CaptureWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(JsonLayer::builder().with_writer(all.clone()).build())
        .with(
            JsonLayer::builder()
                .with_writer(warn.clone())
                .build()
                .with_filter(LevelFilter::WARN),
        );
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("req", id = 1);
        let _s = span.enter();
        tracing::info!("info");
        tracing::warn!("warn");
        tracing::error!("error");
    });
    let messages = |c: &CaptureWriter| -> Vec<String> {
        c.json_lines()
            .iter()
            .map(|r| r["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(messages(&all), ["info", "warn", "error"]);
    assert_eq!(messages(&warn), ["warn", "error"]);
    // The INFO span is filtered out of the WARN layer: its events have no span.
    assert!(warn.json_lines()[0]["context"].get("id").is_none());
    assert_eq!(all.json_lines()[1]["context"]["id"], 1);
}

#[test]
fn reserved_names_get_an_underscore() {
    let lines = capture_with(
        |b| b,
        || {
            let span = tracing::info_span!("s", runtime.x = 1, system = "mine");
            let _s = span.enter();
            tracing::info!(
                dt = 1,
                level = 2,
                context.k = 3,
                message.extra = 4,
                "the message"
            );
        },
    );
    let r = &lines[0];
    assert_eq!(r["message"], "the message");
    assert_eq!(r["level"], "info");
    assert_eq!(r["_dt"], 1);
    assert_eq!(r["_level"], 2);
    assert_eq!(r["_context"], json!({"k": 3}));
    assert_eq!(r["_message"], json!({"extra": 4}));
    assert_eq!(r["context"]["_runtime"], json!({"x": 1}));
    assert_eq!(r["context"]["_system"], "mine");
    assert_eq!(r["context"]["runtime"]["function"], "s");
}

#[test]
fn an_event_without_message_has_an_empty_one() {
    let lines = capture_with(|b| b, || tracing::info!(k = 1));
    assert_eq!(lines[0]["message"], "");
    assert_eq!(lines[0]["k"], 1);
}
