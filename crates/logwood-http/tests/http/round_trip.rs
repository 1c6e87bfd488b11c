//! 10,000 events with nested context arrive exactly once each, identical to
//! what the JSON layer prints for the same events.

use std::time::Duration;

use logwood_collector::Output;
use logwood_http::Format;
use logwood_json::JsonLayer;
use logwood_testkit::CaptureWriter;
use serde_json::Value;
use tracing_subscriber::prelude::*;

use crate::support::{WAIT, accounted, collector, layer};

const EVENTS: u64 = 10_000;

/// The workload: nested spans with dotted fields, a `Span::record`, and
/// events with every kind of value.
fn workload() {
    for block in 0..EVENTS / 100 {
        let request = tracing::info_span!(
            "request",
            request.id = block,
            http.method = "POST",
            user.id = 42_u64
        );
        let _request = request.enter();
        let handler = tracing::info_span!(
            "handler",
            user.name = "ünïcødé \"quoted\"\n\ttab",
            job.id = tracing::field::Empty
        );
        let _handler = handler.enter();
        for seq in block * 100..block * 100 + 100 {
            if seq % 100 == 50 {
                handler.record("job.id", seq);
            }
            let total = 520.23 + seq as f64 / 7.0;
            match seq % 10 {
                0 => tracing::warn!(
                    seq,
                    order.id = seq * 7,
                    order.total = total,
                    "Order #{seq} late"
                ),
                1 => tracing::error!(
                    seq,
                    nan = f64::NAN,
                    inf = f64::INFINITY,
                    "Order #{seq} failed"
                ),
                2 => tracing::debug!(seq, big = u64::MAX, neg = i64::MIN, "big numbers"),
                3 => tracing::trace!(seq, list = ?vec![1, 2, 3], shown = %"display", "traced"),
                _ => tracing::info!(
                    seq,
                    order.id = seq * 7,
                    order.total = total,
                    order.paid = seq % 2 == 0,
                    order.note = "café \u{1F600} \\ \"",
                    "Order #{seq} placed"
                ),
            }
        }
    }
}

/// Microseconds into the day of a `dt` (`2026-11-20T03:44:21.221232Z`).
fn micros_of_day(dt: &str) -> i64 {
    assert_eq!(dt.len(), 27, "{dt}");
    assert!(dt.ends_with('Z') && &dt[10..11] == "T", "{dt}");
    let n = |r: std::ops::Range<usize>| dt[r].parse::<i64>().unwrap();
    ((n(11..13) * 60 + n(14..16)) * 60 + n(17..19)) * 1_000_000 + n(20..26)
}

/// The lines' `dt` values are timestamps taken by each layer for the same
/// event: check they are within a second of each other, then make them equal.
fn same_dt(http: &str, json: &str) -> String {
    let (h, j) = (&http[7..34], &json[7..34]);
    assert!(http.starts_with("{\"dt\":\"") && json.starts_with("{\"dt\":\""));
    let diff = (micros_of_day(h) - micros_of_day(j)).rem_euclid(86_400_000_000);
    let diff = diff.min(86_400_000_000 - diff);
    assert!(diff < 1_000_000, "dt {h} vs {j}");
    format!("{}{}{}", &http[..7], j, &http[34..])
}

fn round_trip(format: Format) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.jsonl");
    let collector = collector().out(Output::File(out.clone())).start().unwrap();
    let capture = CaptureWriter::new();
    let json = JsonLayer::builder()
        .with_writer(capture.clone())
        .context_field("service.name", "shop")
        .context_field("deploy.env", "test")
        .build();
    let (http, guard) = layer(collector.frames_url())
        .format(format)
        .drop_extra_events(false)
        .context_field("service.name", "shop")
        .context_field("deploy.env", "test")
        .build()
        .unwrap();
    let subscriber = tracing_subscriber::registry().with(json).with(http);
    tracing::subscriber::with_default(subscriber, workload);

    let stats = accounted(guard.shutdown(Duration::from_secs(20)));
    assert_eq!(stats.emitted, EVENTS);
    assert_eq!(stats.sent, EVENTS, "{stats:?}");
    assert_eq!(stats.dropped + stats.failed, 0, "{stats:?}");

    collector.wait_for_records(EVENTS as usize, WAIT).unwrap();
    let got = std::fs::read_to_string(&out).unwrap();
    let got: Vec<&str> = got.lines().collect();
    let printed = capture.lines();
    assert_eq!(got.len(), printed.len());
    assert_eq!(printed.len(), EVENTS as usize);
    // Parsed and checked for duplicate keys like every JSON line.
    let printed_values = capture.json_lines();
    for (i, (http, json)) in got.iter().zip(&printed).enumerate() {
        let http = same_dt(http, json);
        logwood_testkit::check_no_duplicate_keys(&http).unwrap();
        let http_value: Value = serde_json::from_str(&http).unwrap();
        assert_eq!(http_value, printed_values[i], "record {i}");
        // Exactly once, in order.
        assert_eq!(http_value["seq"], i as u64);
        if format == Format::Ndjson {
            // Byte for byte the JSON layer's line.
            assert_eq!(&http, json, "record {i}");
        }
    }
    let sample = &printed_values[54];
    assert_eq!(
        sample["context"]["user"]["name"],
        "ünïcødé \"quoted\"\n\ttab"
    );
    assert_eq!(sample["context"]["job"]["id"], 50);
    assert_eq!(sample["context"]["service"]["name"], "shop");
    assert_eq!(sample["context"]["runtime"]["function"], "handler");
    assert_eq!(printed_values[1]["nan"], "NaN");
    assert_eq!(printed_values[2]["big"], u64::MAX);
    assert_eq!(printed_values[2]["level"], "debug");
}

#[test]
fn msgpack_batches_arrive_once_each_as_the_json_layer_prints_them() {
    round_trip(Format::Msgpack);
}

#[test]
fn ndjson_batches_arrive_once_each_byte_for_byte_as_the_json_layer_prints_them() {
    round_trip(Format::Ndjson);
}

#[test]
fn key_value_pairs_in_messages_are_lifted_into_fields_when_asked() {
    for format in [Format::Msgpack, Format::Ndjson] {
        let collector = crate::support::start();
        let (http, _guard) = layer(collector.frames_url())
            .format(format)
            .lift_message_fields(true)
            .with_runtime(false)
            .with_system(false)
            .build()
            .unwrap();
        crate::support::with_layer(http, || {
            tracing::info!(user = 7_u64, "user=42 action=login ok=true");
            tracing::info!(r#"payload {{"order":{{"id":9}}}}"#);
        });
        let stats = accounted(_guard.shutdown(Duration::from_secs(5)));
        assert_eq!(stats.sent, 2, "{format:?}");
        let records = collector.wait_for_records(2, WAIT).unwrap();
        // The message is kept; the event's own field wins over a lifted one.
        assert_eq!(records[0]["message"], "user=42 action=login ok=true");
        assert_eq!(records[0]["user"], 7, "{format:?}");
        assert_eq!(records[0]["action"], "login", "{format:?}");
        assert_eq!(records[0]["ok"], true, "{format:?}");
        assert_eq!(records[1]["order"]["id"], 9, "{format:?}");
        assert_eq!(records[1]["context"], serde_json::json!({}), "{format:?}");
    }
}
