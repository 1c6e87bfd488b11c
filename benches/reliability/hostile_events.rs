//! Hostile events through every sink at once: control characters, text
//! that is not UTF-8 from `Debug`, NaN, 1 MB messages, 10,000 fields,
//! 40,000-segment names, reserved names, a panicking `Debug`; each followed
//! by an ordinary event (its neighbour).

use std::ffi::OsStr;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use logwood_testkit::{DynValue, dispatch_dynamic_event, in_dynamic_span};
use serde_json::Value;
use tracing_subscriber::prelude::*;

use super::every::{Every, Options};
use super::measure::{self, Emit};
use super::readback;
use super::row::Row;
use super::{Case, Ctx};

pub const CASE: Case = Case {
    name: "hostile-events",
    about: "100 rounds (short: 2) of 8 hostile events, each followed by an ordinary one, from a \
            thread with a 2 MiB stack, through every sink at once (the load case's five; syslog \
            keeps line breaks in one octet-counted record): control characters in messages, \
            values and field names; text that is not UTF-8 through `Debug` (`OsStr`, lossy \
            strings, a `Debug` that fails half-way); NaN and infinities; a 1 MB message; 10,000 \
            fields; 40,000-segment dotted names on an event and on a span; fields named like \
            the record's own keys and a non-string `message`; a `Debug` that panics. Checks: \
            the process survives; the counters add up with nothing queued; each receiver holds \
            exactly the records counted sent, once (so no record cost its neighbours); every \
            record of the JSON file and the collectors is one JSON object without duplicate \
            keys whose `message` (OTLP: `body`) is a string; the panicking events are counted \
            failed, not lost silently.",
    run,
    unshare: false,
    limit_secs: (120, 900),
};

/// Hostile kinds per round (each followed by an ordinary event).
const KINDS: u64 = 8;

/// What the panicking `Debug` says (the panic hook counts these quietly).
const BOOM: &str = "a Debug impl that panics (hostile-events)";

static PANICS: AtomicU64 = AtomicU64::new(0);

struct Explodes;

impl fmt::Debug for Explodes {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("{BOOM}")
    }
}

/// Writes a piece, then fails.
struct FailsHalfway;

impl fmt::Debug for FailsHalfway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("half \u{fffd} written")?;
        Err(fmt::Error)
    }
}

fn run(ctx: &Ctx) -> Vec<Row> {
    let rounds = ctx.scale.pick(2, 100);
    let total = rounds * KINDS * 2;
    let marker = ctx.marker();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let quiet = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m == BOOM);
        if quiet {
            PANICS.fetch_add(1, Ordering::Relaxed);
        } else {
            default_hook(info);
        }
    }));
    let (mut every, layers) = Every::start(
        ctx,
        &Options {
            file_max_bytes: 256 << 20,
            syslog_keep_newlines: true,
            deadline: Duration::from_secs(60),
        },
    );
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layers));
    let big = "x".repeat(1_000_000);
    let deep = vec!["a"; 40_000].join(".");
    let start = Instant::now();
    let emitted = measure::emit(&dispatch, Emit::burst(1, total), |seq| {
        let tag = format!("{marker} {seq}");
        if seq % 2 == 1 {
            tracing::info!(
                tag,
                neighbour = true,
                "{marker} {seq} an ordinary neighbour"
            );
            return;
        }
        hostile((seq / 2) % KINDS, &tag, &big, &deep);
    });
    drop(dispatch);
    let panicking = rounds;
    let mut rows = every.finish(ctx, &marker, total, &emitted, start);
    let shape = [
        records_in_files(
            &readback::files_starting_with(&ctx.dir, "app.log"),
            "message",
        ),
        None,
        None,
        records_in_files(&[ctx.path("frames.jsonl")], "message"),
        records_in_files(&[ctx.path("otlp.jsonl")], "body"),
    ];
    drop(every);
    let panics = PANICS.load(Ordering::Relaxed);
    for (i, row) in rows.iter_mut().enumerate() {
        let failed = row.failed;
        let mut r = std::mem::take(row)
            .check_emitted(total)
            .check(
                "the panicking events were counted failed",
                failed >= panicking,
                format!("{failed} failed, {panicking} events with a panicking Debug"),
            )
            .note(format!(
                "{panics} panics of the hostile Debug caught in all"
            ));
        if let Some((records, bad)) = &shape[i] {
            r = r.check(
                "every record one JSON object, no duplicate key, a string message",
                bad.is_empty() && *records > 0,
                bad.join("; "),
            );
        }
        *row = r;
    }
    rows
}

/// One hostile event of `kind`, carrying `tag` (the marker and its
/// sequence number) as its first field.
fn hostile(kind: u64, tag: &str, big: &str, deep: &str) {
    match kind {
        0 => {
            let controls = "a\nb\r\nc\t\u{0}\u{1b}[31m\u{7f}\u{85}\u{2028}\u{feff}]\"\\";
            dispatch_dynamic_event(&[
                ("tag", DynValue::Str(tag.to_owned())),
                ("value", DynValue::Str(controls.into())),
                ("new\nline\u{0}name\u{1b}", DynValue::Str(controls.into())),
                ("message", DynValue::Str(format!("controls: {controls}"))),
            ]);
        }
        1 => {
            let raw = OsStr::from_bytes(b"\xff\xfe invalid \xc3\x28 utf-8 \xed\xa0\x80");
            let lossy = String::from_utf8_lossy(b"lossy \xf0\x28\x8c\x28 end");
            tracing::info!(tag, raw = ?raw, lossy = ?lossy, half = ?FailsHalfway, "not UTF-8 via Debug");
        }
        2 => tracing::info!(
            tag,
            nan = f64::NAN,
            inf = f64::INFINITY,
            ninf = f64::NEG_INFINITY,
            nzero = -0.0_f64,
            tiny = f64::MIN_POSITIVE,
            "not finite"
        ),
        3 => tracing::info!(tag, "{big}"),
        4 => {
            let names: Vec<String> = (0..10_000).map(|i| format!("f{i}")).collect();
            let mut fields = vec![("tag", DynValue::Str(tag.to_owned()))];
            fields.extend(names.iter().map(|n| (n.as_str(), DynValue::U64(7))));
            // The message too: syslog replaces structured data that does
            // not fit in `max_message_size` by `-` (documented).
            fields.push(("message", DynValue::Str(format!("{tag} 10,000 fields"))));
            dispatch_dynamic_event(&fields);
        }
        5 => in_dynamic_span(&[(deep, DynValue::U64(1))], || {
            dispatch_dynamic_event(&[
                ("tag", DynValue::Str(tag.to_owned())),
                (deep, DynValue::Str("deep".into())),
                ("message", DynValue::Str("40,000-segment names".into())),
            ]);
        }),
        6 => dispatch_dynamic_event(&[
            ("tag", DynValue::Str(tag.to_owned())),
            ("dt", DynValue::Str("not a time".into())),
            ("level", DynValue::U64(99)),
            ("context", DynValue::Bool(true)),
            ("context.runtime.line", DynValue::Str("x".into())),
            ("context.system", DynValue::I64(-1)),
            ("_level", DynValue::U64(3)),
            ("", DynValue::U64(2)),
            (".", DynValue::U64(4)),
            ("a..b", DynValue::U64(5)),
            ("severity", DynValue::Str("fatal".into())),
            ("message", DynValue::U64(5)),
        ]),
        _ => tracing::info!(tag, boom = ?Explodes, "a Debug that panics"),
    }
}

/// Checks every line of `files`: one JSON object, no duplicate key, a
/// string under `message_key` (inside `"otlp"` for OTLP lines). Returns
/// how many records and what was wrong (at most 5 reasons).
fn records_in_files(files: &[std::path::PathBuf], message_key: &str) -> Option<(u64, Vec<String>)> {
    let mut records = 0;
    let mut bad = Vec::new();
    for path in files {
        let text = std::fs::read(path).ok()?;
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            records += 1;
            let problem = check_line(line, message_key);
            if let Some(problem) = problem
                && bad.len() < 5
            {
                bad.push(problem);
            }
        }
    }
    Some((records, bad))
}

fn check_line(line: &[u8], message_key: &str) -> Option<String> {
    let Ok(text) = std::str::from_utf8(line) else {
        return Some("a line that is not UTF-8".into());
    };
    if let Err(e) = logwood_testkit::check_no_duplicate_keys(text) {
        return Some(format!("duplicate key {e:?}"));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value: Value = match de.into_iter().next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Some(format!("not JSON: {e}")),
        None => return Some("empty".into()),
    };
    let record = value.get("otlp").unwrap_or(&value);
    if !record.is_object() {
        return Some("not an object".into());
    }
    match record.get(message_key) {
        None | Some(Value::String(_)) => None,
        Some(other) => Some(format!("{message_key} is not a string: {}", kind_of(other))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
