//! Python's own `logging.Formatter`, run through `python3` on the same
//! format string and the same record values, prints the same lines as
//! `PatternLayer`.
//!
//! The record values Python is given are those logwood used: the event's
//! target, level, file, line, message (with its ` key=value` fields, written
//! out by hand here) and span name; the time (a fixed clock); and the values
//! that differ between two processes by nature (thread id, thread name,
//! process id, host name). Everything else (level names, `module`,
//! `filename`, `created`, `msecs`, `relativeCreated`, `asctime`, every
//! `%` modifier) is Python's own computation.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

mod support;

use logwood_json::PatternLayer;
use logwood_testkit::CaptureWriter;
use serde_json::{Value, json};
use support::{FixedClock, lines, on_thread, os_thread_id, python_format};
use tracing_subscriber::prelude::*;

/// One event of the table, as logwood saw it.
#[derive(Debug, Clone)]
struct Emitted {
    target: &'static str,
    levelno: u32,
    lineno: u32,
    func: &'static str,
    /// The message Python is given: the event's message and its fields.
    msg: &'static str,
}

/// Emits event `i` of the table.
fn emit(i: usize) -> Emitted {
    let e = |target, levelno, lineno, func, msg| Emitted {
        target,
        levelno,
        lineno,
        func,
        msg,
    };
    match i {
        0 => {
            let line = line!() + 1;
            tracing::info!(target: "tst", "hello world");
            e("tst", 20, line, "<module>", "hello world")
        }
        1 => {
            let span = tracing::info_span!("place_order", user.id = 7);
            let _e = span.enter();
            let line = line!() + 1;
            tracing::warn!(target: "shop::orders", user = 42, path = "/a b", "payment 100% late");
            e(
                "shop::orders",
                30,
                line,
                "place_order",
                r#"payment 100% late user=42 path="/a b""#,
            )
        }
        2 => {
            let line = line!() + 1;
            tracing::trace!(target: "tst", "é€ 😀 'single' \"double\" \\ tab\there");
            e(
                "tst",
                5,
                line,
                "<module>",
                "é€ 😀 'single' \"double\" \\ tab\there",
            )
        }
        3 => {
            let span = tracing::debug_span!("db");
            let _e = span.enter();
            let line = line!() + 1;
            tracing::debug!(target: "app::db::pool", ok = true, ratio = 0.5, empty = "", "checked out");
            e(
                "app::db::pool",
                10,
                line,
                "db",
                r#"checked out ok=true ratio=0.5 empty="""#,
            )
        }
        _ => {
            let line = line!() + 1;
            tracing::error!(target: "tst", code = 500_u64, reason = "a=b \"c\"");
            e(
                "tst",
                40,
                line,
                "<module>",
                r#"code=500 reason="a=b \"c\"""#,
            )
        }
    }
}

const EVENTS: usize = 5;

/// (event time, start of `relativeCreated`), in nanoseconds since the epoch.
const TIMES: [(u64, u64); 5] = [
    // 2025-11-20 03:44:21.221232 UTC (winter in the northern hemisphere).
    (1_763_610_261_221_232_000, 1_763_610_248_875_553_099),
    // Python < 3.13 would print `,895` for this `.896` (float rounding).
    (1_700_000_000_896_000_000, 1_699_999_999_000_000_000),
    // The float conversion rounds up to the next second: msecs is 0.
    (1_677_903_920_999_999_900, 1_677_903_000_000_000_000),
    // Summer, and `relativeCreated` negative (the clock went back).
    (1_751_371_200_123_456_789, 1_751_371_201_000_000_000),
    // 1970: tiny `created`.
    (123_456, 0),
];

/// A table case: a format, an optional `datefmt`, UTC or local time,
/// dotted logger names or not.
struct Case {
    fmt: &'static str,
    datefmt: Option<&'static str>,
    utc: bool,
    dotted: bool,
}

const LONG_LOGTAIL: &str = "%(asctime)s - %(filename)s:%(lineno)s - %(levelno)s %(levelname)s %(pathname)s %(module)s %(funcName)s %(created)f %(thread)d %(threadName)s %(process)d %(name)s - %(message)s";

const CASES: &[Case] = &[
    Case {
        fmt: LONG_LOGTAIL,
        datefmt: None,
        utc: false,
        dotted: false,
    },
    Case {
        fmt: LONG_LOGTAIL,
        datefmt: None,
        utc: true,
        dotted: true,
    },
    Case {
        fmt: "%(asctime)s - %(filename)s:%(lineno)s - %(name)s - %(message)s",
        datefmt: None,
        utc: false,
        dotted: true,
    },
    Case {
        fmt: "%(asctime)s %(hostname)s YOUR_APP: %(message)s",
        datefmt: Some("%b %d %H:%M:%S"),
        utc: false,
        dotted: false,
    },
    Case {
        fmt: "[%(levelname)-8s] %(name)20s %(levelno)03d %(lineno)-5d|%(created).3f %(msecs)03d %(relativeCreated)d %(relativeCreated).2f %(msecs)s %(created)s %(relativeCreated)s %(thread)x %(process)#o|%(message).20s|%(funcName)r %(module)a %(threadName)+12s %(pathname)s %(filename)s %%",
        datefmt: None,
        utc: true,
        dotted: false,
    },
    Case {
        fmt: "%(asctime)s|%(message)r|%(message)a|%(message)-60s|%(name)-.3s|%(funcName)10.4s",
        datefmt: Some("%Y/%m/%d %I:%M:%S %p %j %a %A %B %y %z %e %H%%"),
        utc: false,
        dotted: false,
    },
    Case {
        fmt: "%(asctime)s %(created)e %(created)g %(relativeCreated)G %(msecs)#g %(created)+.2E %(levelno)+d %(levelno) d %(lineno)#x %(lineno)X %(process)o %(created)012.1f %(relativeCreated)-+12.1F|",
        datefmt: Some("%d.%m.%Y %H:%M:%S %z"),
        utc: true,
        dotted: false,
    },
    Case {
        fmt: "%(asctime)s %(asctime)30s %(asctime)-.10s %(levelname)s",
        datefmt: Some(""),
        utc: false,
        dotted: false,
    },
];

/// Renders every event at every time through `case` with logwood, and
/// describes the records for Python.
fn logwood_lines(case: &'static Case) -> (Vec<String>, Vec<Value>) {
    on_thread(Some("MainThread"), move || {
        let mut ours = Vec::new();
        let mut records = Vec::new();
        for (ns, start) in TIMES {
            let clock = FixedClock::new(start);
            let capture = CaptureWriter::new();
            let mut builder = PatternLayer::builder(case.fmt)
                .with_writer(capture.clone())
                .with_clock(clock.source())
                .utc(case.utc)
                .hostname("web-1")
                .dotted_logger_names(case.dotted);
            if let Some(datefmt) = case.datefmt {
                builder = builder.datefmt(datefmt);
            }
            let layer = builder.build().unwrap();
            clock.set(ns);
            let emitted = tracing::subscriber::with_default(
                tracing_subscriber::registry().with(layer),
                || (0..EVENTS).map(emit).collect::<Vec<_>>(),
            );
            ours.extend(lines(&capture));
            for e in emitted {
                let name = if case.dotted {
                    e.target.replace("::", ".")
                } else {
                    e.target.to_owned()
                };
                records.push(json!({
                    "name": name,
                    "levelno": e.levelno,
                    "pathname": file!(),
                    "lineno": e.lineno,
                    "msg": e.msg,
                    "func": e.func,
                    "ns": ns,
                    "start_ns": start,
                    "thread": os_thread_id(),
                    "threadName": "MainThread",
                    "process": std::process::id(),
                    "hostname": "web-1",
                }));
            }
        }
        (ours, records)
    })
}

fn compare_with_python() {
    let mut ours = Vec::new();
    let mut cases = Vec::new();
    for case in CASES {
        let (lines, records) = logwood_lines(case);
        ours.push(lines);
        cases.push(json!({
            "fmt": case.fmt,
            "datefmt": case.datefmt,
            "utc": case.utc,
            "records": records,
        }));
    }
    let theirs = python_format(&Value::Array(cases));
    assert_eq!(theirs.len(), CASES.len());
    for ((case, ours), theirs) in CASES.iter().zip(&ours).zip(&theirs) {
        assert_eq!(ours.len(), EVENTS * TIMES.len());
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            assert_eq!(
                a,
                b,
                "format {:?} (datefmt {:?}, utc {}), event {} at time {}",
                case.fmt,
                case.datefmt,
                case.utc,
                i % EVENTS,
                i / EVENTS
            );
        }
    }
}

#[test]
fn python_formatter_prints_the_same_lines() {
    compare_with_python();
}

const CHILD_ENV: &str = "LOGWOOD_PATTERN_TZ_CHILD";

/// Local time in zones with offsets and summer time: the test binary runs
/// itself with `TZ` set (chrono and Python both read it).
#[test]
fn python_formatter_prints_the_same_local_times_in_other_zones() {
    if std::env::var_os(CHILD_ENV).is_some() {
        compare_with_python();
        return;
    }
    for zone in ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "python_formatter_prints_the_same_local_times_in_other_zones",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, "1")
            .env("TZ", zone)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "in {zone}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
    }
}

/// Every combination of flags, width, precision and conversion on every
/// attribute type, against Python's `%`.
#[test]
fn printf_modifiers_match_python() {
    const FLAGS: [&str; 5] = ["-", "0", "+", " ", "#"];
    let widths = ["", "1", "7", "15"];
    let precisions = ["", ".0", ".2", ".7"];
    let attributes: [(&str, &str); 8] = [
        ("levelno", "diuoxXeEfFgGsra"),
        ("lineno", "diuoxXeEfFgGsra"),
        ("created", "diueEfFgGsra"),
        ("relativeCreated", "diueEfFgGsra"),
        ("msecs", "diueEfFgGsra"),
        ("levelname", "sra"),
        ("message", "sra"),
        ("funcName", "sra"),
    ];
    let mut cases = Vec::new();
    let mut formats = Vec::new();
    for (attr, convs) in attributes {
        let mut directives = Vec::new();
        for mask in 0..32 {
            let flags: String = (0..5)
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| FLAGS[bit])
                .collect();
            for width in widths {
                for precision in precisions {
                    for conv in convs.chars() {
                        directives.push(format!("%({attr}){flags}{width}{precision}{conv}"));
                    }
                }
            }
        }
        formats.push(directives.join("|"));
    }
    let formats: &'static [String] = Box::leak(formats.into_boxed_slice());
    let mut ours = Vec::new();
    for fmt in formats {
        let (lines, records) = on_thread(Some("MainThread"), move || {
            let mut ours = Vec::new();
            let mut records = Vec::new();
            for (ns, start) in TIMES {
                let clock = FixedClock::new(start);
                let capture = CaptureWriter::new();
                let layer = PatternLayer::builder(fmt.as_str())
                    .with_writer(capture.clone())
                    .with_clock(clock.source())
                    .utc(true)
                    .build()
                    .unwrap();
                clock.set(ns);
                let emitted = tracing::subscriber::with_default(
                    tracing_subscriber::registry().with(layer),
                    || [emit(1), emit(2)],
                );
                ours.extend(lines(&capture));
                for e in emitted {
                    records.push(json!({
                        "name": e.target, "levelno": e.levelno, "pathname": file!(),
                        "lineno": e.lineno, "msg": e.msg, "func": e.func, "ns": ns,
                        "start_ns": start, "thread": os_thread_id(), "threadName": "MainThread",
                        "process": std::process::id(), "hostname": "web-1",
                    }));
                }
            }
            (ours, records)
        });
        ours.push(lines);
        cases.push(json!({"fmt": fmt, "datefmt": null, "utc": true, "records": records}));
    }
    let theirs = python_format(&Value::Array(cases));
    let mut checked = 0;
    for ((fmt, ours), theirs) in formats.iter().zip(&ours).zip(&theirs) {
        let directives: Vec<&str> = fmt.split('|').collect();
        for (a, b) in ours.iter().zip(theirs) {
            let a: Vec<&str> = a.split('|').collect();
            let b: Vec<&str> = b.split('|').collect();
            assert_eq!(a.len(), directives.len());
            for ((d, x), y) in directives.iter().zip(&a).zip(&b) {
                assert_eq!(x, y, "directive {d}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
}
