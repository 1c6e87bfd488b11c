//! The official OpenTelemetry SDK's OTLP/HTTP log exporter
//! (`opentelemetry-otlp`, its hyper client) posting to the collector: what
//! it sends is what real applications send.

use std::collections::HashMap;
use std::time::Duration;

use logwood_collector::{Collector, CollectorHandle};
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_otlp::{Compression, LogExporter, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

/// Emits two records through an SDK logger provider whose exporter posts to
/// `collector` with `protocol` and `compression`, then shuts it down.
fn export(collector: &CollectorHandle, protocol: Protocol, compression: Option<Compression>) {
    // The hyper client needs a tokio runtime; the simple processor blocks on
    // each export from the emitting thread.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let _entered = rt.enter();
    let mut builder = LogExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .with_endpoint(collector.otlp_url())
        .with_timeout(WAIT)
        .with_headers(HashMap::from([(
            "authorization".to_owned(),
            "Bearer s3cret".to_owned(),
        )]));
    if let Some(compression) = compression {
        builder = builder.with_compression(compression);
    }
    let exporter = builder.build().unwrap();
    let provider = SdkLoggerProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_service_name("shop")
                .with_attribute(KeyValue::new("process.pid", 20643_i64))
                .build(),
        )
        .with_simple_exporter(exporter)
        .build();
    let logger = provider.logger_with_scope(
        InstrumentationScope::builder("shop::orders")
            .with_version("1.0.0")
            .build(),
    );
    for (severity, text, body) in [
        (Severity::Info, "INFO", "Order #1234 placed"),
        (Severity::Error, "ERROR", "payment failed"),
    ] {
        let mut record = logger.create_log_record();
        record.set_severity_number(severity);
        record.set_severity_text(text);
        record.set_body(AnyValue::from(body));
        record.add_attribute("order.id", 1234_i64);
        record.add_attribute("order.total", 520.23);
        record.add_attribute("code.function.name", "place_order");
        logger.emit(record);
    }
    provider.shutdown().unwrap();
}

fn assert_received(collector: &CollectorHandle) {
    let records = collector.wait_for_otlp_records(2, WAIT).unwrap();
    assert_eq!(records.len(), 2);
    for (record, (number, text, body)) in records.iter().zip([
        (9, "INFO", "Order #1234 placed"),
        (17, "ERROR", "payment failed"),
    ]) {
        assert_eq!(
            record["resource"],
            json!({"service.name": "shop", "process.pid": 20643})
        );
        assert_eq!(
            record["scope"],
            json!({"name": "shop::orders", "version": "1.0.0", "attributes": {}})
        );
        assert_eq!(record["severityNumber"], number);
        assert_eq!(record["severityText"], text);
        assert_eq!(record["body"], body);
        assert_eq!(
            record["attributes"],
            json!({"order.id": 1234, "order.total": 520.23, "code.function.name": "place_order"})
        );
        // Outside a span: no trace correlation.
        assert_eq!(
            (&record["traceId"], &record["spanId"]),
            (&json!(""), &json!(""))
        );
        let observed: u64 = record["observedTimeUnixNano"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(observed > 1_700_000_000_000_000_000, "{observed}");
    }
    let stats = collector.stats();
    assert_eq!((stats.otlp_requests, stats.status_count(200)), (2, 2));
}

#[test]
fn the_official_sdk_exporter_posts_protobuf_with_gzip_and_a_bearer_token() {
    let collector = Collector::builder().token("s3cret").start().unwrap();
    export(&collector, Protocol::HttpBinary, Some(Compression::Gzip));
    assert_received(&collector);
}

#[test]
fn the_official_sdk_exporter_posts_json() {
    let collector = Collector::builder().token("s3cret").start().unwrap();
    export(&collector, Protocol::HttpJson, None);
    assert_received(&collector);
}
