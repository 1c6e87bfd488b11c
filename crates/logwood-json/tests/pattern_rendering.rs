//! What `PatternLayer` writes: the Papertrail line, level names and
//! numbers, `%(message)s` with fields and span context, options, errors,
//! bridged `log` records, counters.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

mod support;

use logwood_json::{BuildError, PatternLayer, PatternLayerBuilder};
use logwood_testkit::{CaptureWriter, DynValue, FailingWriter, dispatch_dynamic_event};
use support::{FixedClock, lines};
use tracing_subscriber::prelude::*;

/// 2026-01-02 23:34:45.678 UTC.
const JAN_02: u64 = 1_767_396_885_678_000_000;

fn render(
    pattern: &str,
    build: impl FnOnce(PatternLayerBuilder<CaptureWriter>) -> PatternLayerBuilder<CaptureWriter>,
    f: impl FnOnce(),
) -> Vec<String> {
    let capture = CaptureWriter::new();
    let clock = FixedClock::new(JAN_02);
    let layer = build(
        PatternLayer::builder(pattern)
            .with_writer(capture.clone())
            .with_clock(clock.source())
            .utc(true),
    )
    .build()
    .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    lines(&capture)
}

#[test]
fn papertrail_line_renders_as_in_the_syslog_handler_docs() {
    let out = render(
        "%(asctime)s %(hostname)s YOUR_APP: %(message)s",
        |b| b.datefmt("%b %d %H:%M:%S").hostname("web-1"),
        || tracing::info!("msg"),
    );
    assert_eq!(out, ["Jan 02 23:34:45 web-1 YOUR_APP: msg"]);
}

#[test]
fn asctime_is_python_default_with_milliseconds() {
    let out = render(
        "%(asctime)s|%(msecs)03d|%(created).3f",
        |b| b,
        || tracing::info!("x"),
    );
    assert_eq!(out, ["2026-01-02 23:34:45,678|678|1767396885.678"]);
}

#[test]
fn levels_have_python_names_and_numbers() {
    let out = render(
        "%(levelno)s %(levelname)s",
        |b| b,
        || {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!("i");
            tracing::warn!("w");
            tracing::error!("e");
        },
    );
    assert_eq!(
        out,
        ["5 TRACE", "10 DEBUG", "20 INFO", "30 WARNING", "40 ERROR"]
    );
}

#[test]
fn callsite_attributes_come_from_the_event() {
    let (out, line) = {
        let mut line = 0;
        let out = render(
            "%(name)s|%(pathname)s|%(filename)s|%(module)s|%(lineno)d|%(funcName)s|%(process)d",
            |b| b,
            || {
                let span = tracing::info_span!("outer");
                let _o = span.enter();
                let inner = tracing::info_span!("handle_request");
                let _i = inner.enter();
                line = line!() + 1;
                tracing::info!(target: "shop::orders", "x");
            },
        );
        (out, line)
    };
    assert_eq!(
        out,
        [format!(
            "shop::orders|{}|pattern_rendering.rs|pattern_rendering|{line}|handle_request|{}",
            file!(),
            std::process::id()
        )]
    );
}

#[test]
fn module_is_the_last_segment_of_the_module_path() {
    mod inner {
        pub(super) fn log() {
            tracing::info!("x");
        }
    }
    let out = render(
        "%(module)s %(name)s",
        |b| b.dotted_logger_names(true),
        inner::log,
    );
    assert_eq!(out, ["inner pattern_rendering.inner"]);
}

#[test]
fn message_is_followed_by_fields_quoted_when_needed() {
    let out = render(
        "%(message)s",
        |b| b,
        || {
            tracing::info!(
                id = 7_u64,
                neg = -3_i64,
                ratio = 0.25,
                ok = true,
                who = "Ann Lee",
                quote = "say \"hi\"",
                empty = "",
                eq = "a=b",
                plain = "C:\\dir",
                dbg = ?vec![1, 2],
                "Order placed"
            );
            tracing::info!(only = 1, "");
            tracing::info!(only = 1);
            tracing::info!("line 1\nline 2");
        },
    );
    assert_eq!(
        out,
        [
            r#"Order placed id=7 neg=-3 ratio=0.25 ok=true who="Ann Lee" quote="say \"hi\"" empty="" eq="a=b" plain=C:\dir dbg="[1, 2]""#,
            "only=1",
            "only=1",
            // The message itself is written as it is, as Python does.
            "line 1\nline 2",
        ]
    );
}

#[test]
fn field_values_never_break_the_line() {
    let capture = CaptureWriter::new();
    let layer = PatternLayer::builder("%(levelname)s %(message)s")
        .with_writer(capture.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        dispatch_dynamic_event(&[
            ("message", DynValue::Str("m".into())),
            ("multi", DynValue::Str("a\nb\r\tc\u{1b}".into())),
            ("we ird=\"key\"", DynValue::U64(1)),
            ("level", DynValue::U64(3)),
            ("nan", DynValue::F64(f64::NAN)),
        ]);
    });
    assert_eq!(
        lines(&capture),
        [r#"INFO m _level=3 multi="a\nb\r\tc\u001b" nan=NaN we_ird__key_=1"#]
    );
}

#[test]
fn span_context_follows_the_fields_when_asked() {
    let emit = || {
        let request = tracing::info_span!("request", request_id = 7, user.id = 42);
        let _r = request.enter();
        let handler = tracing::info_span!("handler", tenant = "acme co", user.name = "ann");
        let _h = handler.enter();
        tracing::info!(request_id = 8, "done");
    };
    assert_eq!(render("%(message)s", |b| b, emit), ["done request_id=8"]);
    // The event's `request_id` is written once: the event's own wins.
    assert_eq!(
        render("%(message)s", |b| b.with_span_context(true), emit),
        [r#"done request_id=8 user.id=42 user.name=ann tenant="acme co""#]
    );
}

#[test]
fn dotted_logger_names_replace_path_separators() {
    let out = render(
        "%(name)s",
        |b| b.dotted_logger_names(true),
        || {
            tracing::info!(target: "shop::orders::api", "x");
            tracing::info!(target: "plain", "x");
        },
    );
    assert_eq!(out, ["shop.orders.api", "plain"]);
}

#[test]
fn hostname_defaults_to_the_machine_name() {
    let out = render("%(hostname)s", |b| b, || tracing::info!("x"));
    assert_eq!(out, [logwood_core::__private::system().hostname.clone()]);
}

#[test]
fn relative_created_counts_from_the_layer_build() {
    let capture = CaptureWriter::new();
    let clock = FixedClock::new(1_000_000_000_000);
    let layer = PatternLayer::builder("%(relativeCreated)d %(relativeCreated).3f")
        .with_writer(capture.clone())
        .with_clock(clock.source())
        .build()
        .unwrap();
    clock.set(1_000_000_000_000 + 1_234_567_891);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!("x");
    });
    assert_eq!(lines(&capture), ["1234 1234.568"]);
}

#[test]
fn datefmt_with_utc_switch() {
    let out = render(
        "%(asctime)s",
        |b| b.datefmt("%Y-%m-%dT%H:%M:%S%z"),
        || tracing::info!("x"),
    );
    assert_eq!(out, ["2026-01-02T23:34:45+0000"]);
    // chrono's sub-second directives (an extension over Python) work too.
    let out = render(
        "%(asctime)s",
        |b| b.datefmt("%H:%M:%S%.3f"),
        || tracing::info!("x"),
    );
    assert_eq!(out, ["23:34:45.678"]);
}

#[test]
fn bad_patterns_are_build_errors_naming_position_and_key() {
    let err = PatternLayer::builder("%(asctime)s - %(levelnam)s")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, BuildError::UnknownAttribute { key, position: 14 } if key == "levelnam"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(
            "`pattern`: unknown attribute `levelnam` at position 14; supported: name, "
        )
    );
    let err = PatternLayer::builder("%(lineno)d %(message)d")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`pattern`: `%d` cannot format `message` (a string) at position 11; use %s, %r or %a"
    );
    let err = PatternLayer::builder("%(message)s %(").build().unwrap_err();
    assert!(
        matches!(err, BuildError::InvalidPattern { position: 12, .. }),
        "{err:?}"
    );
    let err = PatternLayer::builder("%(message)s")
        .datefmt("%Y %Q")
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InvalidDatefmt { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("`datefmt`: `%Y %Q` is not a valid strftime format")
    );
}

#[test]
fn log_records_carry_their_own_file_line_and_target() {
    // The global `log` logger: only this test in this binary installs it.
    tracing_log::LogTracer::init().unwrap();
    let mut line = 0;
    let out = render(
        "%(name)s %(filename)s:%(lineno)d %(module)s %(funcName)s %(levelname)s %(message)s",
        |b| b,
        || {
            let span = tracing::info_span!("legacy_call");
            let _s = span.enter();
            line = line!() + 1;
            log::warn!(target: "legacy::db", "slow query took {}ms", 250);
        },
    );
    assert_eq!(
        out,
        [format!(
            "legacy::db pattern_rendering.rs:{line} pattern_rendering legacy_call WARNING slow query took 250ms"
        )]
    );
}

#[test]
fn failing_writer_is_counted_not_panicked() {
    let writer = FailingWriter::new();
    let layer = PatternLayer::builder("%(message)s")
        .with_writer(writer.clone())
        .log_internal_errors(false)
        .build()
        .unwrap();
    let stats = layer.stats_handle();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!("a");
        tracing::info!("b");
    });
    assert_eq!(writer.attempts(), 2);
    assert_eq!(stats.get().failed, 2);
    assert_eq!(stats.get().sent, 0);
}

#[test]
fn each_line_is_one_write() {
    let capture = CaptureWriter::new();
    let layer = PatternLayer::builder("%(levelname)s %(message)s")
        .with_writer(capture.clone())
        .build()
        .unwrap();
    let stats = layer.stats_handle();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..3 {
            tracing::info!(i, "n");
        }
    });
    assert_eq!(capture.writes().len(), 3);
    assert_eq!(stats.get().sent, 3);
    assert!(capture.writes().iter().all(|w| w.ends_with(b"\n")));
}

#[test]
fn stacked_layers_and_threads_never_share_cached_text() {
    let first = CaptureWriter::new();
    let second = CaptureWriter::new();
    let a = PatternLayer::builder("%(hostname)s %(name)s %(threadName)s:%(lineno)d %(message)s")
        .with_writer(first.clone())
        .hostname("a")
        .build()
        .unwrap();
    let b =
        PatternLayer::builder("[%(levelname)-7s] %(hostname)s %(name)s %(threadName)s %(message)s")
            .with_writer(second.clone())
            .hostname("b")
            .dotted_logger_names(true)
            .build()
            .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(a).with(b));
    fn emit(dispatch: &tracing::Dispatch, n: u32) {
        tracing::dispatcher::with_default(dispatch, || {
            tracing::warn!(target: "shop::orders", n, "hi");
        });
    }
    let line = line!() - 3;
    emit(&dispatch, 1);
    let shared = dispatch.clone();
    std::thread::Builder::new()
        .name("worker-1".into())
        .spawn(move || emit(&shared, 2))
        .unwrap()
        .join()
        .unwrap();
    emit(&dispatch, 3);
    let main = std::thread::current().name().unwrap().to_owned();
    assert_eq!(
        lines(&first),
        [
            format!("a shop::orders {main}:{line} hi n=1"),
            format!("a shop::orders worker-1:{line} hi n=2"),
            format!("a shop::orders {main}:{line} hi n=3"),
        ]
    );
    assert_eq!(
        lines(&second),
        [
            format!("[WARNING] b shop.orders {main} hi n=1"),
            "[WARNING] b shop.orders worker-1 hi n=2".to_owned(),
            format!("[WARNING] b shop.orders {main} hi n=3"),
        ]
    );
}
