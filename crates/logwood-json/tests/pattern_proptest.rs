//! Random patterns, date formats and messages never panic: a pattern either
//! builds or is a `BuildError`; a built layer writes one line per event;
//! lifting random messages still gives one valid JSON object per line with
//! no duplicate key.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use logwood_json::{JsonLayer, PatternLayer};
use logwood_testkit::{CaptureWriter, DynValue, dispatch_dynamic_event};
use proptest::prelude::*;
use tracing_subscriber::prelude::*;

/// A directive that builds: a known attribute with a conversion of its type.
fn valid_directive() -> impl Strategy<Value = String> {
    let attr = prop_oneof![
        (
            prop::sample::select(vec![
                "name",
                "levelname",
                "pathname",
                "filename",
                "module",
                "funcName",
                "asctime",
                "threadName",
                "message",
                "hostname",
            ]),
            Just("sra")
        ),
        (
            prop::sample::select(vec!["levelno", "lineno", "thread", "process"]),
            Just("diuoxXeEfFgGsra")
        ),
        (
            prop::sample::select(vec!["created", "relativeCreated", "msecs"]),
            Just("diueEfFgGsra")
        ),
    ];
    (
        attr,
        "[-+ #0]{0,3}",
        "([0-9]{1,2})?",
        "(\\.[0-9]{0,2})?",
        any::<prop::sample::Index>(),
    )
        .prop_map(|((key, convs), flags, width, precision, index)| {
            let conv = convs.as_bytes()[index.index(convs.len())] as char;
            format!("%({key}){flags}{width}{precision}{conv}")
        })
}

/// Pieces patterns are made of: valid directives, near misses and text.
fn pattern_piece() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec!["message", "nope", "", "mess(age)", "levelno"]);
    let width = prop_oneof![Just(String::new()), "[0-9]{1,4}", Just("*".to_owned())];
    let precision = prop_oneof![Just(String::new()), "\\.[0-9]{0,2}", Just(".*".to_owned())];
    let conv = "[sdfchlq%]";
    prop_oneof![
        40 => valid_directive(),
        1 => (keys, width, precision, conv).prop_map(|(k, w, p, c)| format!("%({k}){w}{p}{c}")),
        2 => Just("%%".to_owned()),
        1 => Just("%".to_owned()),
        1 => Just("%(".to_owned()),
        10 => "[ -$&-~é€😀\\n]{0,6}",
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    proptest::collection::vec(pattern_piece(), 0..8).prop_map(|p| p.concat())
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~é€😀\\n\\t\"\\\\{}=:,\\[\\]]{0,60}",
        proptest::collection::vec(
            prop_oneof![
                "[a-z_][a-z0-9_.-]{0,5}=[a-z0-9.\"-]{0,6}",
                "\\{\"[a-z.]{0,3}\": ?(1|-2.5e3|true|null|\"x\"|\\[1, \\{\\}\\]|\\{\"b\":\\{\\}\\})\\}",
                "[ {}\"=]{1,3}",
            ],
            0..8
        )
        .prop_map(|words| words.join(" ")),
    ]
}

fn field_value() -> impl Strategy<Value = DynValue> {
    prop_oneof![
        any::<u64>().prop_map(DynValue::U64),
        any::<i64>().prop_map(DynValue::I64),
        any::<f64>().prop_map(DynValue::F64),
        any::<bool>().prop_map(DynValue::Bool),
        "[ -~é\\n\"=]{0,12}".prop_map(DynValue::Str),
    ]
}

fn fields() -> impl Strategy<Value = Vec<(String, DynValue)>> {
    proptest::collection::vec(
        (
            prop::sample::select(vec![
                "user",
                "user.id",
                "level",
                "a b",
                "x=y",
                "",
                "message.x",
                "dt",
            ]),
            field_value(),
        ),
        0..5,
    )
    .prop_map(|f| f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn emit(message: &str, fields: &[(String, DynValue)]) {
    let mut all: Vec<(&str, DynValue)> = vec![("message", DynValue::Str(message.to_owned()))];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.clone())));
    dispatch_dynamic_event(&all);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_patterns_build_or_fail_cleanly_and_never_panic(
        pattern in pattern(),
        datefmt in prop_oneof![Just(None), "[ -~]{0,10}".prop_map(Some), Just(Some("%b %d %H:%M:%S.%3f".to_owned()))],
        utc in any::<bool>(),
        span_context in any::<bool>(),
        lift in any::<bool>(),
        message in message(),
        fields in fields(),
    ) {
        let capture = CaptureWriter::new();
        let mut builder = PatternLayer::builder(pattern.as_str())
            .with_writer(capture.clone())
            .utc(utc)
            .with_span_context(span_context)
            .lift_message_fields(lift);
        if let Some(datefmt) = datefmt {
            builder = builder.datefmt(datefmt);
        }
        let Ok(layer) = builder.build() else { return Ok(()) };
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let span = tracing::info_span!("span", user.id = 1, tenant = "a b");
            let _e = span.enter();
            emit(&message, &fields);
            emit("", &[]);
        });
        let writes = capture.writes();
        prop_assert_eq!(writes.len(), 2);
        for write in writes {
            prop_assert!(write.ends_with(b"\n"));
            prop_assert!(std::str::from_utf8(&write).is_ok());
        }
    }

    #[test]
    fn lifting_random_messages_keeps_json_valid(message in message(), fields in fields()) {
        let capture = CaptureWriter::new();
        let layer = JsonLayer::builder()
            .with_writer(capture.clone())
            .lift_message_fields(true)
            .build();
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            emit(&message, &fields);
        });
        // One line, valid JSON, no duplicate key (checked inside).
        let records = capture.json_lines();
        prop_assert_eq!(records.len(), 1);
        prop_assert_eq!(records[0]["message"].as_str(), Some(message.as_str()));
    }
}
