//! The OTLP subscribers compared: logwood's `OtlpLayer` and the
//! OpenTelemetry SDK path (`opentelemetry-appender-tracing` with span
//! attributes copied + the default `BatchLogProcessor` +
//! `opentelemetry-otlp` over HTTP/protobuf).

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use logwood::FlushGuard;
use logwood::otlp::{OtlpLayer, OtlpProtocol};
use opentelemetry_appender_tracing::layer::{OpenTelemetryTracingBridge, TracingSpanAttributes};
use opentelemetry_otlp::{LogExporter, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use tracing::Dispatch;
use tracing_subscriber::prelude::*;

/// logwood's OTLP layer posting to `{base}/v1/logs` with its defaults
/// (runtime metadata on), dropping when full unless `block`.
pub fn logwood(base: &str, protocol: OtlpProtocol, block: bool) -> (Dispatch, FlushGuard) {
    let mut builder = OtlpLayer::builder(base);
    if let Some(capacity) = std::env::var("LOGWOOD_BENCH_CAPACITY")
        .ok()
        .and_then(|c| c.parse().ok())
    {
        builder = builder.buffer_capacity(capacity);
    }
    let (layer, guard) = builder
        .protocol(protocol)
        .service_name("bench")
        .drop_extra_events(!block)
        .shutdown_timeout(Duration::from_secs(120))
        .build()
        .expect("a layer");
    (
        Dispatch::new(tracing_subscriber::registry().with(layer)),
        guard,
    )
}

/// The SDK path with its defaults: the bridge copying every span
/// attribute, `BatchLogProcessor` (queue 2048, batches of 512, 1 s), the
/// OTLP/HTTP protobuf exporter (reqwest's blocking client) posting to
/// `{base}/v1/logs`.
pub fn otel(base: &str) -> (Dispatch, SdkLoggerProvider) {
    // The client `opentelemetry-otlp`'s default `reqwest-blocking-client`
    // feature would make, given explicitly (see benches/Cargo.toml).
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a reqwest client");
    let exporter = LogExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{base}/v1/logs"))
        .build()
        .expect("an exporter");
    let provider = SdkLoggerProvider::builder()
        .with_resource(Resource::builder_empty().with_service_name("bench").build())
        .with_batch_exporter(exporter)
        .build();
    let bridge = OpenTelemetryTracingBridge::builder(&provider)
        .with_tracing_span_attributes(TracingSpanAttributes::all())
        .build();
    (
        Dispatch::new(tracing_subscriber::registry().with(bridge)),
        provider,
    )
}
