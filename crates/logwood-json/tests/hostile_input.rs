//! Hostile input never breaks a line: every line is one JSON object with no
//! duplicate keys.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fmt;

use logwood_json::JsonLayer;
use logwood_testkit::{CaptureWriter, DynValue, dispatch_dynamic_event};
use proptest::prelude::*;
use serde_json::{Value, json};
use tracing_subscriber::prelude::*;

/// Runs `f` under a JSON layer and returns its lines, each checked for one
/// trailing newline, no raw newline, valid JSON and no duplicate keys.
fn lines(f: impl FnOnce()) -> Vec<Value> {
    let capture = CaptureWriter::new();
    let layer = JsonLayer::builder().with_writer(capture.clone()).build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    capture.json_lines()
}

#[test]
fn fields_named_like_record_keys_never_duplicate_a_key() {
    let out = lines(|| {
        dispatch_dynamic_event(&[
            ("dt", DynValue::Str("x".into())),
            ("level", DynValue::U64(1)),
            ("context", DynValue::Bool(true)),
            ("context.runtime", DynValue::U64(2)),
            ("_level", DynValue::U64(3)),
            ("message", DynValue::Str("real".into())),
        ]);
    });
    let r = &out[0];
    assert_eq!(r["message"], "real");
    assert_eq!(r["level"], "info");
    assert_eq!(r["_dt"], "x");
    // `level` became `_level`, then the later `_level` field won.
    assert_eq!(r["_level"], 3);
    // `context` (leaf) then `context.runtime` (object): the later one wins.
    assert_eq!(r["_context"], json!({"runtime": 2}));
    assert!(r["context"]["runtime"].is_object());
}

#[test]
fn quotes_controls_and_odd_names_stay_inside_strings() {
    let out = lines(|| {
        dispatch_dynamic_event(&[
            (
                "message",
                DynValue::Str("line1\nline2\r\t\"quoted\" \\ \u{0}\u{1f}\u{7f} é€日本語😀".into()),
            ),
            ("na\"me", DynValue::Str("v\"al".into())),
            ("new\nline", DynValue::U64(1)),
            ("", DynValue::U64(2)),
            ("a..b", DynValue::U64(3)),
            (".", DynValue::U64(4)),
            (
                "dbg",
                DynValue::Debug("\u{fffd}\u{fffd} invalid bytes replaced".into()),
            ),
        ]);
    });
    let r = &out[0];
    assert_eq!(
        r["message"],
        "line1\nline2\r\t\"quoted\" \\ \u{0}\u{1f}\u{7f} é€日本語😀"
    );
    assert_eq!(r["na\"me"], "v\"al");
    assert_eq!(r["new\nline"], 1);
    assert_eq!(r[""], json!({"": 4}));
    assert_eq!(r["a"], json!({"": {"b": 3}}));
    assert_eq!(r["dbg"], "\u{fffd}\u{fffd} invalid bytes replaced");
}

/// A `Debug` that prints bytes that are not UTF-8 the way `Debug` can: lossily.
struct Bytes(&'static [u8]);
impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(self.0))
    }
}

/// A `Debug` that fails half-way.
struct Failing;
impl fmt::Debug for Failing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("half \"written")?;
        Err(fmt::Error)
    }
}

#[test]
fn debug_values_that_are_lossy_or_fail_still_give_valid_lines() {
    let out = lines(|| {
        tracing::info!(bytes = ?Bytes(b"ok \xff\xfe end"), os = ?std::ffi::OsStr::new("p\u{1}"), broken = ?Failing, "debug");
    });
    assert_eq!(out[0]["bytes"], "ok \u{fffd}\u{fffd} end");
    assert_eq!(out[0]["broken"], "half \"written");
}

#[test]
fn non_finite_floats_are_strings() {
    let out = lines(|| {
        tracing::info!(
            nan = f64::NAN,
            inf = f64::INFINITY,
            ninf = f64::NEG_INFINITY,
            tiny = 1e-300,
            "floats"
        )
    });
    assert_eq!(out[0]["nan"], "NaN");
    assert_eq!(out[0]["inf"], "inf");
    assert_eq!(out[0]["ninf"], "-inf");
    assert_eq!(out[0]["tiny"], 1e-300);
}

#[test]
fn a_one_megabyte_message_is_one_line() {
    let big = "x\"".repeat(512 * 1024);
    let out = lines(|| tracing::info!("{big}"));
    assert_eq!(out[0]["message"].as_str().unwrap().len(), 1024 * 1024);
    // The layer's buffer does not keep the megabyte: a second event works too.
    let out = lines(|| tracing::info!(k = 1, "small"));
    assert_eq!(out[0]["message"], "small");
}

#[test]
fn ten_thousand_fields_are_all_written_once() {
    let fields: Vec<(String, DynValue)> = (0..10_000)
        .map(|i| (format!("f{}.k{}", i % 100, i), DynValue::U64(i)))
        .chain((0..100).map(|i| (format!("dup{}", i % 10), DynValue::U64(i))))
        .collect();
    let borrowed: Vec<(&str, DynValue)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    let out = lines(|| dispatch_dynamic_event(&borrowed));
    let r = out[0].as_object().unwrap();
    for i in 0..100 {
        assert_eq!(r[&format!("f{i}")].as_object().unwrap().len(), 100);
    }
    for i in 0..10 {
        // The last of the repeated names wins.
        assert_eq!(r[&format!("dup{i}")], 90 + i);
    }
}

#[test]
fn hundred_level_dotted_names_nest_fully() {
    let name: String = (0..100)
        .map(|i| format!("l{i}"))
        .collect::<Vec<_>>()
        .join(".");
    let sibling = format!("{name}x");
    let out = lines(|| {
        dispatch_dynamic_event(&[
            (name.as_str(), DynValue::U64(1)),
            (sibling.as_str(), DynValue::U64(2)),
        ]);
    });
    let mut node = &out[0];
    for i in 0..99 {
        node = &node[format!("l{i}")];
    }
    assert_eq!(node["l99"], 1);
    assert_eq!(node["l99x"], 2);
}

#[test]
fn span_fields_with_hostile_names_keep_the_context_valid() {
    let out = lines(|| {
        let span = tracing::info_span!("s", a = 1, a.b = 2, "q\"k" = "v\n");
        let _s = span.enter();
        tracing::info!("in span");
    });
    assert_eq!(out[0]["context"]["a"], json!({"b": 2}));
    assert_eq!(out[0]["context"]["q\"k"], "v\n");
}

fn name_strategy() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("dt".to_string()),
        Just("level".to_string()),
        Just("message".to_string()),
        Just("context".to_string()),
        Just("runtime".to_string()),
        Just(String::new()),
        "[a-z\"\\\\\n\u{0}-\u{1f}é😀]{1,4}",
    ];
    proptest::collection::vec(segment, 1..5).prop_map(|segs| segs.join("."))
}

fn value_strategy() -> impl Strategy<Value = DynValue> {
    prop_oneof![
        any::<u64>().prop_map(DynValue::U64),
        any::<i64>().prop_map(DynValue::I64),
        any::<f64>().prop_map(DynValue::F64),
        any::<bool>().prop_map(DynValue::Bool),
        any::<String>().prop_map(DynValue::Str),
        any::<String>().prop_map(DynValue::Debug),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_field_sets_give_one_valid_object_without_duplicates(
        fields in proptest::collection::vec((name_strategy(), value_strategy()), 0..24)
    ) {
        let borrowed: Vec<(&str, DynValue)> = fields.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        // `json_lines` asserts: one line, valid JSON, no duplicate keys.
        let out = lines(|| dispatch_dynamic_event(&borrowed));
        prop_assert_eq!(out.len(), 1);
        prop_assert!(out[0]["dt"].is_string());
        prop_assert!(out[0]["context"]["runtime"].is_object());
    }
}

#[test]
fn a_non_string_message_is_written_as_a_string() {
    let out = lines(|| {
        tracing::info!(message = 5);
        tracing::info!(message = 2.5, other = 1);
        tracing::info!(message = true);
        tracing::info!(message = -7_i64);
        tracing::info!(message = f64::NAN);
    });
    let messages: Vec<&Value> = out.iter().map(|r| &r["message"]).collect();
    assert_eq!(
        messages,
        [
            &json!("5"),
            &json!("2.5"),
            &json!("true"),
            &json!("-7"),
            &json!("NaN")
        ]
    );
    assert_eq!(out[1]["other"], 1);
}
