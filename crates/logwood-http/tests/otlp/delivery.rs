//! 10,000 events with nested context from four threads arrive exactly
//! once, every mapped field right, in protobuf and in OTLP/JSON.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logwood_http::OtlpProtocol;
use serde_json::{Value, json};

use crate::support::{WAIT, accounted, collector, layer};

const THREADS: u64 = 4;
const PER_THREAD: u64 = 2500;

/// The line of the event in [`emit`].
static EVENT_LINE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn emit(thread: u64, seq: u64) {
    let note = "dbg";
    EVENT_LINE.store(line!() + 1, std::sync::atomic::Ordering::Relaxed);
    tracing::info!(seq, thread, order.total = 1.5, ok = true, note = ?note, "placed {seq}");
}

fn run(thread: u64) {
    let outer = tracing::info_span!("request", req.id = thread, user.id = 42_u64);
    let _outer = outer.enter();
    let middle = tracing::info_span!("job", job.id = thread * 1000, user.name = "ann");
    let _middle = middle.enter();
    let inner = tracing::info_span!("step", step = "encode");
    let _inner = inner.enter();
    for seq in 0..PER_THREAD {
        emit(thread, seq);
    }
}

fn ten_thousand_events_arrive_once(protocol: OtlpProtocol) {
    let collector = collector().start().unwrap();
    let (otlp, guard) = layer(&collector.http_url())
        .protocol(protocol)
        .service_name("shop")
        .resource_attribute("deployment.environment", "test")
        .context_field("service.tier", "web")
        .context_field("deploy.env", "prod")
        .drop_extra_events(false)
        .build()
        .unwrap();
    let subscriber = Arc::new(tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::registry(),
        otlp,
    ));
    let start = SystemTime::now();
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let subscriber = Arc::clone(&subscriber);
            let barrier = Arc::clone(&barrier);
            std::thread::Builder::new()
                .name(format!("worker-{t}"))
                .spawn(move || {
                    tracing::subscriber::with_default(subscriber, || {
                        barrier.wait();
                        run(t);
                    })
                })
                .unwrap()
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let stats = accounted(guard.shutdown(WAIT));
    let total = THREADS * PER_THREAD;
    assert_eq!(
        (stats.emitted, stats.sent, stats.dropped, stats.failed),
        (total, total, 0, 0),
        "{stats:?}"
    );
    let records = collector
        .wait_for_otlp_records(total as usize, WAIT)
        .unwrap();
    assert_eq!(records.len(), total as usize);
    let now = SystemTime::now();
    let nanos = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let line = EVENT_LINE.load(std::sync::atomic::Ordering::Relaxed);
    let mut seen = HashSet::new();
    let mut thread_ids = HashSet::new();
    for r in &records {
        let a = &r["attributes"];
        let thread = a["thread"].as_u64().unwrap();
        let seq = a["seq"].as_u64().unwrap();
        assert!(
            seen.insert((thread, seq)),
            "({thread}, {seq}) arrived twice"
        );
        assert_eq!(r["body"], format!("placed {seq}"));
        assert_eq!(r["severityNumber"], 9);
        assert_eq!(r["severityText"], "INFO");
        let time: u128 = r["timeUnixNano"].as_str().unwrap().parse().unwrap();
        assert!(time >= nanos(start) && time <= nanos(now), "{time}");
        assert_eq!(r["observedTimeUnixNano"], r["timeUnixNano"]);
        assert_eq!(r["scope"]["name"], module_path!());
        assert_eq!(r["traceId"], "");
        let resource = &r["resource"];
        assert_eq!(resource["service.name"], "shop");
        assert_eq!(resource["deployment.environment"], "test");
        assert_eq!(resource["process.pid"], std::process::id());
        assert!(resource["host.name"].is_string());
        assert!(resource["process.executable.name"].is_string());
        thread_ids.insert(a["thread.id"].as_u64().unwrap());
        let mut expected = json!({
            "seq": seq,
            "thread": thread,
            "order.total": 1.5,
            "ok": true,
            "note": "\"dbg\"",
            "service.tier": "web",
            "deploy.env": "prod",
            "req.id": thread,
            "user.id": 42,
            "user.name": "ann",
            "job.id": thread * 1000,
            "step": "encode",
            "code.function.name": "step",
            "code.file.path": file!(),
            "code.line.number": line,
            "thread.id": a["thread.id"],
            "thread.name": format!("worker-{thread}"),
        });
        assert_eq!(a, &expected.take(), "record ({thread}, {seq})");
    }
    assert_eq!(seen.len(), total as usize);
    assert_eq!(thread_ids.len(), THREADS as usize);
    let stats = collector.stats();
    assert_eq!(stats.otlp_records, total);
    assert_eq!(stats.statuses.keys().copied().collect::<Vec<_>>(), [200]);
}

#[test]
fn ten_thousand_events_from_four_threads_arrive_once_in_protobuf() {
    ten_thousand_events_arrive_once(OtlpProtocol::Protobuf);
}

#[test]
fn ten_thousand_events_from_four_threads_arrive_once_in_json() {
    ten_thousand_events_arrive_once(OtlpProtocol::Json);
}

#[test]
fn levels_map_to_severity_numbers_and_texts() {
    let collector = collector().start().unwrap();
    let (otlp, guard) = layer(&collector.http_url())
        .with_runtime(false)
        .with_system(false)
        .build()
        .unwrap();
    crate::support::with_layer(otlp, || {
        tracing::trace!("t");
        tracing::debug!("d");
        tracing::info!("i");
        tracing::warn!("w");
        tracing::error!("e");
        tracing::info!(n = 1);
    });
    accounted(guard.shutdown(WAIT));
    let records = collector.wait_for_otlp_records(6, WAIT).unwrap();
    let got: Vec<(Value, Value, Value)> = records
        .iter()
        .map(|r| {
            (
                r["body"].clone(),
                r["severityNumber"].clone(),
                r["severityText"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!("t"), json!(1), json!("TRACE")),
            (json!("d"), json!(5), json!("DEBUG")),
            (json!("i"), json!(9), json!("INFO")),
            (json!("w"), json!(13), json!("WARN")),
            (json!("e"), json!(17), json!("ERROR")),
            (json!(""), json!(9), json!("INFO")),
        ]
    );
    // No runtime metadata, and no system metadata in the resource.
    assert_eq!(records[5]["attributes"], json!({"n": 1}));
    let resource = records[0]["resource"].as_object().unwrap();
    assert_eq!(resource.keys().collect::<Vec<_>>(), ["service.name"]);
    let _ = Duration::ZERO;
}
