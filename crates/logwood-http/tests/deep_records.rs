//! The HTTP layer never produces a record its own receiver refuses: a span
//! field and an event field with very long dotted names (127 and 40,000
//! segments) nest at most `MAX_DEPTH` levels, the collector accepts them,
//! and their neighbours in the same batch are delivered too.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use logwood_collector::{Collector, Output};
use logwood_http::{Format, HttpLayer};
use logwood_testkit::{DynValue, dispatch_dynamic_event, in_dynamic_span};
use tracing_subscriber::prelude::*;

fn run(format: Format) {
    let collector = Collector::builder().out(Output::Memory).start().unwrap();
    let (layer, guard) = HttpLayer::builder(collector.frames_url())
        .format(format)
        .flush_interval(Duration::from_secs(60))
        .log_internal_errors(false)
        .build()
        .unwrap();
    let name_127 = vec!["a"; 127].join(".");
    let name_40k = vec!["b"; 40_000].join(".");
    // A small stack: nothing recurses with the name's length.
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let subscriber = tracing_subscriber::registry().with(layer);
            tracing::subscriber::with_default(subscriber, || {
                for i in 0..8_u64 {
                    tracing::info!(i, "neighbour");
                }
                in_dynamic_span(&[(name_127.as_str(), DynValue::U64(1))], || {
                    dispatch_dynamic_event(&[
                        (name_127.as_str(), DynValue::U64(2)),
                        ("message", DynValue::Str("deep 127".into())),
                    ]);
                });
                in_dynamic_span(&[(name_40k.as_str(), DynValue::U64(3))], || {
                    dispatch_dynamic_event(&[
                        (name_40k.as_str(), DynValue::U64(4)),
                        ("message", DynValue::Str("deep 40000".into())),
                    ]);
                });
                for i in 8..17_u64 {
                    tracing::info!(i, "neighbour");
                }
            });
        })
        .unwrap()
        .join()
        .unwrap();
    let stats = guard.shutdown(Duration::from_secs(20));
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (19, 19, 0),
        "{stats:?}"
    );
    let records = collector
        .wait_for_records(19, Duration::from_secs(20))
        .unwrap();
    let messages: Vec<&str> = records
        .iter()
        .filter_map(|r| r["message"].as_str())
        .filter(|m| m.starts_with("deep"))
        .collect();
    assert_eq!(messages, ["deep 127", "deep 40000"]);
    // One batch: the deep records did not cost their neighbours anything.
    assert_eq!(collector.stats().batches, 1);
}

#[test]
fn deep_names_are_accepted_with_their_neighbours_in_msgpack() {
    run(Format::Msgpack);
}

#[test]
fn deep_names_are_accepted_with_their_neighbours_in_ndjson() {
    run(Format::Ndjson);
}
