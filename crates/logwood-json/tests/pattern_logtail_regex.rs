//! Lines in the Logtail formats parse with the log-collector regular
//! expressions published for them, every captured group equal to what
//! logwood knew; and the cases a Rust program really has (no span, unnamed
//! threads, `::` targets, dashed thread names) with the documented widening.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

mod support;

use logwood_json::PatternLayer;
use logwood_testkit::CaptureWriter;
use regex::Regex;
use support::{FixedClock, lines, on_thread, os_thread_id};
use tracing_subscriber::prelude::*;

const LONG_FORMAT: &str = "%(asctime)s - %(filename)s:%(lineno)s - %(levelno)s %(levelname)s %(pathname)s %(module)s %(funcName)s %(created)f %(thread)d %(threadName)s %(process)d %(name)s - %(message)s";
const LONG_REGEX: &str = r"(\d+-\d+-\d+\s\S+)\s-\s([^:]+):(\d+)\s+-\s+(\d+)\s+(\w+)\s+(\S+)\s+(\w+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\w+)\s+-\s+(.*)";
const SHORT_FORMAT: &str = "%(asctime)s - %(filename)s:%(lineno)s - %(name)s - %(message)s";
const SHORT_REGEX: &str = r"(\d+-\d+-\d+\s\S+)\s+-\s+([^:]+):(\d+)\s+-\s+(\w+)\s+-\s+(.*)";

/// 2025-11-20 03:44:21.221232 UTC.
const NS: u64 = 1_763_610_261_221_232_000;
const ASCTIME: &str = "2025-11-20 03:44:21,221";
const CREATED: &str = "1763610261.221232";

/// What logwood knew about one event.
#[derive(Debug)]
struct Known {
    line: String,
    lineno: u32,
    thread: u64,
}

fn layer(format: &str, capture: &CaptureWriter, dotted: bool) -> PatternLayer<CaptureWriter> {
    let clock = FixedClock::new(NS);
    PatternLayer::builder(format)
        .with_writer(capture.clone())
        .with_clock(clock.source())
        .utc(true)
        .dotted_logger_names(dotted)
        .build()
        .unwrap()
}

/// Emits one event per call site of interest on a thread named `thread`.
fn emit(format: &'static str, thread: Option<&'static str>, dotted: bool, site: Site) -> Known {
    on_thread(thread, move || {
        let capture = CaptureWriter::new();
        let subscriber = tracing_subscriber::registry().with(layer(format, &capture, dotted));
        let lineno = tracing::subscriber::with_default(subscriber, || match site {
            Site::InSpan => {
                let span = tracing::info_span!("place_order");
                let _e = span.enter();
                let line = line!() + 1;
                tracing::warn!(target: "tst", user = 42, "hello world");
                line
            }
            Site::OutsideSpans => {
                let line = line!() + 1;
                tracing::info!(target: "tst", "hello world");
                line
            }
            Site::RustTarget => {
                let span = tracing::info_span!("place_order");
                let _e = span.enter();
                let line = line!() + 1;
                tracing::error!(target: "shop::orders", "hello world");
                line
            }
        });
        Known {
            line: lines(&capture).remove(0),
            lineno,
            thread: os_thread_id(),
        }
    })
}

#[derive(Debug, Clone, Copy)]
enum Site {
    InSpan,
    OutsideSpans,
    RustTarget,
}

/// The groups of `regex` matching the whole of `line`.
fn groups(regex: &str, line: &str) -> Option<Vec<String>> {
    assert_eq!(
        Regex::new(regex).unwrap().captures_len(),
        if regex.len() > 80 { 15 } else { 6 }
    );
    let re = Regex::new(&format!("^(?:{regex})$")).unwrap();
    let caps = re.captures(line)?;
    Some(
        caps.iter()
            .skip(1)
            .map(|m| m.map_or_else(String::new, |m| m.as_str().to_owned()))
            .collect(),
    )
}

fn long_groups(
    known: &Known,
    levelno: &str,
    levelname: &str,
    func: &str,
    thread_name: &str,
    name: &str,
    message: &str,
) -> Vec<String> {
    [
        ASCTIME,
        "pattern_logtail_regex.rs",
        &known.lineno.to_string(),
        levelno,
        levelname,
        file!(),
        "pattern_logtail_regex",
        func,
        CREATED,
        &known.thread.to_string(),
        thread_name,
        &std::process::id().to_string(),
        name,
        message,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn long_format_matches_the_published_regex_group_by_group() {
    let known = emit(LONG_FORMAT, Some("MainThread"), false, Site::InSpan);
    let got = groups(LONG_REGEX, &known.line).unwrap_or_else(|| panic!("no match: {}", known.line));
    assert_eq!(
        got,
        long_groups(
            &known,
            "30",
            "WARNING",
            "place_order",
            "MainThread",
            "tst",
            "hello world user=42"
        )
    );
}

#[test]
fn short_format_matches_the_published_regex_group_by_group() {
    let known = emit(SHORT_FORMAT, Some("MainThread"), false, Site::InSpan);
    let got =
        groups(SHORT_REGEX, &known.line).unwrap_or_else(|| panic!("no match: {}", known.line));
    assert_eq!(
        got,
        [
            ASCTIME,
            "pattern_logtail_regex.rs",
            &known.lineno.to_string(),
            "tst",
            "hello world user=42"
        ]
        .map(str::to_owned)
        .to_vec()
    );
}

#[test]
fn event_outside_spans_has_one_token_func_name() {
    let known = emit(LONG_FORMAT, Some("MainThread"), false, Site::OutsideSpans);
    let got = groups(LONG_REGEX, &known.line).unwrap_or_else(|| panic!("no match: {}", known.line));
    assert_eq!(
        got,
        long_groups(
            &known,
            "20",
            "INFO",
            "<module>",
            "MainThread",
            "tst",
            "hello world"
        )
    );
}

#[test]
fn unnamed_thread_is_a_word_and_still_matches() {
    let known = emit(LONG_FORMAT, None, false, Site::OutsideSpans);
    let got = groups(LONG_REGEX, &known.line).unwrap_or_else(|| panic!("no match: {}", known.line));
    let name = format!("Thread_{}", known.thread);
    assert_eq!(
        got,
        long_groups(
            &known,
            "20",
            "INFO",
            "<module>",
            &name,
            "tst",
            "hello world"
        )
    );
}

#[test]
fn rust_targets_need_the_name_group_widened() {
    // `shop::orders` as it is: the published `(\w+)` name group cannot
    // match, for either format; `(\S+)` does.
    let raw = emit(LONG_FORMAT, Some("MainThread"), false, Site::RustTarget);
    assert!(groups(LONG_REGEX, &raw.line).is_none(), "{}", raw.line);
    let widened = LONG_REGEX.replace(r"(\d+)\s+(\w+)\s+-\s+(.*)", r"(\d+)\s+(\S+)\s+-\s+(.*)");
    assert_eq!(
        groups(&widened, &raw.line).unwrap(),
        long_groups(
            &raw,
            "40",
            "ERROR",
            "place_order",
            "MainThread",
            "shop::orders",
            "hello world"
        )
    );
    let raw = emit(SHORT_FORMAT, Some("MainThread"), false, Site::RustTarget);
    assert!(groups(SHORT_REGEX, &raw.line).is_none(), "{}", raw.line);

    // Dotted logger names: `shop.orders`, matched by `([\w.]+)`.
    let dotted = emit(LONG_FORMAT, Some("MainThread"), true, Site::RustTarget);
    let widened = LONG_REGEX.replace(r"(\d+)\s+(\w+)\s+-\s+(.*)", r"(\d+)\s+([\w.]+)\s+-\s+(.*)");
    assert_eq!(
        groups(&widened, &dotted.line).unwrap(),
        long_groups(
            &dotted,
            "40",
            "ERROR",
            "place_order",
            "MainThread",
            "shop.orders",
            "hello world"
        )
    );
    let dotted = emit(SHORT_FORMAT, Some("MainThread"), true, Site::RustTarget);
    let widened = SHORT_REGEX.replace(r"(\d+)\s+-\s+(\w+)", r"(\d+)\s+-\s+([\w.]+)");
    assert_eq!(
        groups(&widened, &dotted.line).unwrap(),
        [
            ASCTIME,
            "pattern_logtail_regex.rs",
            &dotted.lineno.to_string(),
            "shop.orders",
            "hello world"
        ]
        .map(str::to_owned)
        .to_vec()
    );
}

#[test]
fn dashed_thread_names_need_the_thread_group_widened() {
    let known = emit(
        LONG_FORMAT,
        Some("tokio-runtime-worker"),
        false,
        Site::OutsideSpans,
    );
    assert!(groups(LONG_REGEX, &known.line).is_none(), "{}", known.line);
    // The threadName group is the 11th: `(\d+)\s+(\w+)\s+(\d+)` → `(\S+)`.
    let widened = LONG_REGEX.replace(r"(\d+)\s+(\w+)\s+(\d+)", r"(\d+)\s+(\S+)\s+(\d+)");
    assert_eq!(
        groups(&widened, &known.line).unwrap(),
        long_groups(
            &known,
            "20",
            "INFO",
            "<module>",
            "tokio-runtime-worker",
            "tst",
            "hello world"
        )
    );
}
