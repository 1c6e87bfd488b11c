//! With `tracing-opentelemetry` in the stack, every record carries the
//! OpenTelemetry ids of its span: the OTLP `LogRecord`'s own `trace_id`,
//! `span_id` and `flags`, and `context.trace_id` / `context.span_id` in
//! the Timber records.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use logwood_collector::{Collector, Output};
use logwood_http::{HttpLayer, OtlpLayer};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::prelude::*;

const WAIT: Duration = Duration::from_secs(20);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn trace_and_span_ids_match_the_spans() {
    let collector = Collector::builder().out(Output::Memory).start().unwrap();
    let (otlp, otlp_guard) = OtlpLayer::builder(collector.http_url())
        .log_internal_errors(false)
        .build()
        .unwrap();
    let (http, http_guard) = HttpLayer::builder(collector.frames_url())
        .log_internal_errors(false)
        .build()
        .unwrap();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let tracer = provider.tracer("test");
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with(otlp)
        .with(http);
    let mut expected = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("outside");
        let outer = tracing::info_span!("outer");
        let _o = outer.enter();
        tracing::info!("in outer");
        let inner = tracing::info_span!("inner");
        let _i = inner.enter();
        tracing::info!("in inner");
        // `parent:` is honoured.
        tracing::info!(parent: &outer, "explicit outer");
        for span in [&outer, &inner, &outer] {
            let cx = span.context();
            let sc = cx.span().span_context().clone();
            expected.push((
                hex(&sc.trace_id().to_bytes()),
                hex(&sc.span_id().to_bytes()),
            ));
        }
    });
    otlp_guard.shutdown(WAIT);
    http_guard.shutdown(WAIT);

    let otlp = collector.wait_for_otlp_records(4, WAIT).unwrap();
    let ids: Vec<(String, String)> = otlp
        .iter()
        .map(|r| {
            (
                r["traceId"].as_str().unwrap().to_owned(),
                r["spanId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(ids[0], (String::new(), String::new()), "outside any span");
    assert_eq!(ids[1..], expected[..]);
    assert_ne!(expected[0].1, expected[1].1);
    assert_eq!(expected[0].0, expected[1].0, "one trace");
    assert_eq!(otlp[1]["flags"], 1, "sampled");

    let timber = collector.wait_for_records(4, WAIT).unwrap();
    assert!(timber[0]["context"].get("trace_id").is_none());
    for (record, (trace, span)) in timber[1..].iter().zip(&expected) {
        assert_eq!(record["context"]["trace_id"], *trace);
        assert_eq!(record["context"]["span_id"], *span);
    }
}
