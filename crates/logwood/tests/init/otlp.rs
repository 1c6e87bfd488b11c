//! `init()` with the OTLP sink, from the standard `OTEL_*` variables, the
//! `LOGWOOD_OTLP_*` ones and the TOML file's `[otlp]`: every event reaches
//! the in-process collector's `POST /v1/logs` as a log record with its
//! body, severity, the static and span context as attributes and the
//! resource; the sink's level holds; the guard reports its counters.

use logwood_collector::{Collector, CollectorHandle, Output};
use serde_json::Value;

use crate::support::{CONTEXT, WAIT, at_info, at_warn, marker, run};

/// The collector's bearer token: the sink's headers must carry it.
const TOKEN: &str = "0tlp-t0ken";
/// `authorization=Bearer%20…` with [`TOKEN`], as the standard variables
/// write it.
const AUTHORIZATION: &str = "authorization=Bearer%200tlp-t0ken";

fn collector() -> CollectorHandle {
    Collector::builder()
        .token(TOKEN)
        .out(Output::Memory)
        .start()
        .unwrap()
}

/// The bodies of the records carrying `marker`, after checking that each
/// has the static and span context as attributes and `service` as the
/// resource's `service.name`.
fn bodies(records: &[Value], marker: &str, service: &str) -> Vec<String> {
    records
        .iter()
        .filter(|r| r["body"].as_str().is_some_and(|b| b.starts_with(marker)))
        .map(|r| {
            let attributes = &r["attributes"];
            assert_eq!(attributes["service.name"], "shop", "{r}");
            assert_eq!(attributes["deploy.env"], "test", "{r}");
            assert_eq!(attributes["request.id"], "r-1", "{r}");
            assert_eq!(attributes["user.id"], 42, "{r}");
            assert_eq!(r["resource"]["service.name"], service, "{r}");
            assert!(r["resource"]["host.name"].is_string(), "{r}");
            r["body"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The record whose body is `body`.
fn record<'a>(records: &'a [Value], body: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["body"] == body)
        .unwrap_or_else(|| panic!("no record {body:?} in {records:#?}"))
}

/// The body bytes of the collector's `/v1/logs` requests.
fn otlp_body_bytes(collector: &CollectorHandle) -> usize {
    let stats = collector.stats();
    stats
        .recent
        .iter()
        .filter(|r| r.path == "/v1/logs")
        .map(|r| r.body_bytes)
        .sum()
}

#[test]
fn the_logs_endpoint_variable_ships_every_event_with_context_severity_and_resource() {
    let collector = collector();
    let marker = marker("otlp-logs");
    let url = collector.otlp_url();
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", &url),
            ("OTEL_EXPORTER_OTLP_HEADERS", AUTHORIZATION),
            ("OTEL_SERVICE_NAME", "shop-otlp"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=test,team=a%20b",
            ),
            ("LOGWOOD_FLUSH_INTERVAL", "100ms"),
        ],
    );
    child.assert_ok();
    assert!(child.json_lines().is_empty(), "{}", child.stdout);
    assert_eq!(
        child.stats("otlp"),
        "emitted 6, sent 6, dropped 0, failed 0, queued 0"
    );
    let records = collector.wait_for_otlp_records(6, WAIT).unwrap();
    assert_eq!(bodies(&records, &marker, "shop-otlp"), at_info(&marker));
    for r in &records {
        assert_eq!(r["resource"]["deployment.environment"], "test", "{r}");
        assert_eq!(r["resource"]["team"], "a b", "{r}");
    }
    let info = record(&records, &format!("{marker} info"));
    assert_eq!(
        (&info["severityNumber"], &info["severityText"]),
        (&Value::from(9), &Value::from("INFO"))
    );
    assert_eq!(info["attributes"]["order.id"], 7, "{info}");
    assert_eq!(info["scope"]["name"], "init::support", "{info}");
    let warn = record(&records, &format!("{marker} warn"));
    assert_eq!(
        (&warn["severityNumber"], &warn["severityText"]),
        (&Value::from(13), &Value::from("WARN"))
    );
    let noisy = record(&records, &format!("{marker} noisy error"));
    assert_eq!(
        (&noisy["severityNumber"], &noisy["scope"]["name"]),
        (&Value::from(17), &Value::from("noisy::db"))
    );
    // The `log` record, bridged.
    let bridged = record(&records, &format!("{marker} from log"));
    assert_eq!(bridged["severityNumber"], 9, "{bridged}");
}

#[test]
fn the_base_endpoint_with_either_protocol_at_the_sinks_own_level() {
    let mut bytes = Vec::new();
    for protocol in ["http/protobuf", "http/json"] {
        let collector = collector();
        let marker = marker("otlp-base");
        let base = collector.http_url();
        let child = run(
            "init",
            &marker,
            &[
                ("LOGWOOD_CONTEXT", CONTEXT),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &base),
                ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", protocol),
                ("LOGWOOD_OTLP_HEADERS", AUTHORIZATION),
                ("LOGWOOD_OTLP_LEVEL", "warn"),
                ("LOGWOOD_FLUSH_INTERVAL", "100ms"),
            ],
        );
        child.assert_ok();
        // stdout keeps everything at info; OTLP only warnings and errors.
        assert_eq!(child.json_lines().len(), 6, "{}", child.stdout);
        assert_eq!(
            child.stats("otlp"),
            "emitted 3, sent 3, dropped 0, failed 0, queued 0",
            "{protocol}"
        );
        let records = collector.wait_for_otlp_records(3, WAIT).unwrap();
        // No service name given: the static context's `service.name`.
        assert_eq!(bodies(&records, &marker, "shop"), at_warn(&marker));
        let stats = collector.stats();
        assert_eq!((stats.otlp_records, stats.status_count(401)), (3, 0));
        bytes.push(otlp_body_bytes(&collector));
    }
    // OTLP/JSON spells every key out: the same records (but for a digit or
    // two of the marker) take many more bytes.
    assert!(
        bytes[1] > bytes[0],
        "protobuf {} vs JSON {}",
        bytes[0],
        bytes[1]
    );
}

#[test]
fn the_toml_files_otlp_section_under_the_standard_variables() {
    let collector = collector();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logwood.toml");
    std::fs::write(
        &config,
        format!(
            r#"
flush_interval = "100ms"

[context]
service.name = "shop"
deploy.env = "test"

[stdout]
format = "off"

[otlp]
endpoint = "{base}"
protocol = "http/json"
headers = "authorization=Bearer {TOKEN}"
service_name = "from-file"
resource_attributes = "deployment.environment=file,team=file"
timeout = "5s"
level = "warn"
"#,
            base = collector.http_url(),
        ),
    )
    .unwrap();
    let marker = marker("otlp-toml");
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONFIG", config.to_str().unwrap()),
            // The environment wins over the file, key by key.
            ("OTEL_SERVICE_NAME", "from-env"),
        ],
    );
    child.assert_ok();
    assert_eq!(
        child.stats("otlp"),
        "emitted 3, sent 3, dropped 0, failed 0, queued 0"
    );
    let records = collector.wait_for_otlp_records(3, WAIT).unwrap();
    assert_eq!(bodies(&records, &marker, "from-env"), at_warn(&marker));
    assert_eq!(records[0]["resource"]["team"], "file", "{}", records[0]);
}

#[test]
fn the_standard_variables_are_left_alone_without_an_endpoint_or_with_the_sink_off() {
    for vars in [
        &[
            ("OTEL_SERVICE_NAME", "traces-only"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ][..],
        &[
            ("LOGWOOD_OTLP_ENDPOINT", "off"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
        ][..],
    ] {
        let child = run("init", &marker("otlp-off"), vars);
        child.assert_ok();
        assert!(
            !child.stderr.contains("stats> otlp"),
            "{vars:?}: {child:#?}"
        );
    }
}
