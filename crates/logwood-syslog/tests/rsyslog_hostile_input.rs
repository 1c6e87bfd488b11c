//! Hostile events through the syslog layer to the real rsyslogd (issue 11,
//! items 1, 2 and 5): a span field named by 40,000 dotted segments on a
//! thread with a 256 KiB stack, a 127-segment name beside ordinary
//! records, and a `Debug` that panics. Nothing aborts, the hostile record
//! is sent (or fails alone, counted), and its neighbours arrive.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use logwood_syslog::{ErrorKind, MessageFormat, SyslogFormat, SyslogLayer, SyslogLayerBuilder};
use logwood_testkit::rsyslog::Rsyslog;
use logwood_testkit::{DynValue, dispatch_dynamic_event, in_dynamic_span};
use serde_json::Value;
use support::{Via, WAIT, assert_accounted, marker, run};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The record shapes: RFC 5424 with SD, RFC 3164 with `key=value`, and the
/// JSON record as MSG.
const SHAPES: [(&str, SyslogFormat, MessageFormat); 3] = [
    ("5424", SyslogFormat::Rfc5424, MessageFormat::Text),
    ("3164", SyslogFormat::Rfc3164, MessageFormat::Text),
    ("json", SyslogFormat::Rfc5424, MessageFormat::Json),
];

fn shaped(
    via: Via,
    server: &Rsyslog,
    format: SyslogFormat,
    message: MessageFormat,
) -> SyslogLayerBuilder {
    via.to(
        server,
        SyslogLayer::builder()
            .format(format)
            .message_format(message)
            .log_internal_errors(false),
    )
}

/// A dotted name of `segments` segments, built at run time.
fn dotted(segments: usize) -> String {
    vec!["a"; segments].join(".")
}

#[test]
fn a_span_field_with_a_40000_segment_name_is_sent_from_a_256_kib_stack_thread() {
    let server = Rsyslog::shared();
    let name = dotted(40_000);
    for (tag, format, message) in SHAPES {
        let marker = marker(&format!("deep-span-{tag}"));
        let (layer, guard) = shaped(Via::Relp, server, format, message).build().unwrap();
        let (name, m) = (name.clone(), marker.clone());
        let emitter = thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let subscriber = tracing_subscriber::registry().with(layer);
                tracing::subscriber::with_default(subscriber, || {
                    in_dynamic_span(&[(name.as_str(), DynValue::U64(7))], || {
                        tracing::info!("{m} inside");
                    });
                    tracing::info!("{m} after");
                });
            })
            .unwrap();
        emitter
            .join()
            .expect("no stack overflow on a 256 KiB thread");
        let stats = guard.shutdown(Duration::from_secs(10));
        assert_accounted(&stats);
        assert_eq!(
            (stats.emitted, stats.sent, stats.failed),
            (2, 2, 0),
            "{tag}: {stats:?}"
        );
        let inside = server.wait_for(&format!("{marker} inside"), 1, WAIT);
        assert_eq!(inside.len(), 1, "{tag}");
        assert_eq!(
            server.wait_for(&format!("{marker} after"), 1, WAIT).len(),
            1,
            "{tag}"
        );
        let line = &inside[0];
        match tag {
            "5424" => {
                // One context leaf, its PARAM-NAME cut to 32 characters.
                let ctx = line["sd"]["ctx@32473"].as_object().unwrap();
                assert_eq!(ctx.len(), 1, "{ctx:?}");
                let (param, value) = ctx.iter().next().unwrap();
                assert_eq!(value, "7");
                assert_eq!(param.len(), 32, "{param}");
                assert!(param.starts_with("a.a.a.a.a.a.a.a.a.a.a.a~"), "{param}");
            }
            "3164" => {
                // The key=value text is longer than the record may be: cut.
                assert!(stats.truncated >= 1, "{stats:?}");
                let msg = line["msg"].as_str().unwrap();
                assert!(
                    msg.starts_with(&format!(" {marker} inside a.a.a.a")),
                    "{msg:.80}"
                );
            }
            _ => {
                let msg = line["msg"].as_str().unwrap();
                assert!(msg.starts_with("{\"dt\":\""), "{msg:.80}");
            }
        }
    }
}

#[test]
fn a_127_segment_name_and_its_neighbours_reach_rsyslogd() {
    let server = Rsyslog::shared();
    let name = dotted(127);
    for via in [Via::Tcp, Via::Relp] {
        for (tag, format, message) in SHAPES {
            let marker = marker(&format!("deep-127-{}-{tag}", via.name()));
            let stats = run(shaped(via, server, format, message), || {
                tracing::info!("{marker} before");
                in_dynamic_span(&[(name.as_str(), DynValue::Str("span".into()))], || {
                    dispatch_dynamic_event(&[
                        ("message", DynValue::Str(format!("{marker} deep"))),
                        (name.as_str(), DynValue::U64(127)),
                    ]);
                });
                tracing::info!("{marker} after");
            });
            assert_eq!(
                (stats.emitted, stats.sent, stats.failed),
                (3, 3, 0),
                "{stats:?}"
            );
            let lines = server.wait_for(&marker, 3, WAIT);
            assert_eq!(lines.len(), 3, "{via:?} {tag}: {lines:?}");
            let deep = lines
                .iter()
                .find(|l| {
                    l["msg"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("{marker} deep"))
                })
                .unwrap();
            match tag {
                "5424" => {
                    assert_eq!(deep["sd"]["logwood@32473"].as_object().unwrap().len(), 1);
                    assert_eq!(deep["sd"]["ctx@32473"].as_object().unwrap().len(), 1);
                }
                "3164" => {
                    let msg = deep["msg"].as_str().unwrap();
                    assert!(msg.contains(&format!("{name}=127")), "{msg}");
                    assert!(msg.contains(&format!("{name}=span")), "{msg}");
                }
                _ => {
                    // The event field nested 127 levels: 126 objects under
                    // the record, the last name holding the value.
                    let msg = deep["msg"].as_str().unwrap();
                    let nested = format!("{}\"a\":127", "\"a\":{".repeat(126));
                    assert!(msg.contains(&nested), "{msg}");
                    assert!(msg.starts_with("{\"dt\":\""), "{msg}");
                }
            }
        }
    }
}

/// A field whose `Debug` panics.
struct Panics;

impl std::fmt::Debug for Panics {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("a broken Debug")
    }
}

/// Counts the events a layer after logwood's sees.
struct CountEvents(Arc<AtomicUsize>);

impl<S: Subscriber> Layer<S> for CountEvents {
    fn on_event(&self, _: &tracing::Event<'_>, _: Context<'_, S>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_panicking_debug_fails_its_event_alone_and_the_next_events_go_out() {
    let server = Rsyslog::shared();
    for (tag, format, message) in SHAPES {
        let marker = marker(&format!("panics-{tag}"));
        let reports: Arc<std::sync::Mutex<Vec<(ErrorKind, u64)>>> = Arc::default();
        let sink = reports.clone();
        let (layer, guard) = shaped(Via::Relp, server, format, message)
            .on_error(move |e| sink.lock().unwrap().push((e.kind(), e.records())))
            .build()
            .unwrap();
        let seen_after = Arc::new(AtomicUsize::new(0));
        let subscriber = tracing_subscriber::registry()
            .with(layer)
            .with(CountEvents(seen_after.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(field = ?Panics, "{marker} lost-1");
            tracing::info!("{marker} kept-1");
            tracing::info!(field = ?Panics, "{marker} lost-2");
            let span = tracing::info_span!("job", job.id = 3, broken = ?Panics);
            let _entered = span.enter();
            tracing::info!("{marker} kept-2");
        });
        let stats = guard.shutdown(Duration::from_secs(10));
        assert_accounted(&stats);
        assert_eq!(
            (stats.emitted, stats.sent, stats.failed),
            (4, 2, 2),
            "{tag}: {stats:?}"
        );
        // Each failed event once; the span's field fails no record.
        assert_eq!(
            *reports.lock().unwrap(),
            [
                (ErrorKind::Encode, 1),
                (ErrorKind::Encode, 1),
                (ErrorKind::Encode, 0)
            ],
            "{tag}"
        );
        // The layers after logwood's saw every event.
        assert_eq!(seen_after.load(Ordering::SeqCst), 4, "{tag}");
        let lines = server.wait_for(&marker, 2, WAIT);
        assert_eq!(lines.len(), 2, "{tag}: {lines:?}");
        assert!(
            lines.iter().all(|l| !l.to_string().contains("lost-")),
            "{tag}"
        );
        // The span whose field panicked keeps the fields recorded before it.
        let kept_2 = lines
            .iter()
            .find(|l| l.to_string().contains("kept-2"))
            .unwrap();
        match tag {
            "5424" => assert_eq!(kept_2["sd"]["ctx@32473"]["job.id"], "3", "{kept_2}"),
            "3164" => assert!(
                kept_2["msg"].as_str().unwrap().contains("job.id=3"),
                "{kept_2}"
            ),
            _ => {
                let record: Value = serde_json::from_str(kept_2["msg"].as_str().unwrap()).unwrap();
                assert_eq!(record["context"]["job"]["id"], 3, "{record}");
            }
        }
    }
}
