//! `POST /v1/logs`: OTLP/HTTP logs requests encoded with the official
//! generated types (`opentelemetry-proto`: prost for protobuf, serde for
//! JSON), posted over TCP; the written lines are asserted.

use std::time::Duration;

use logwood_collector::Collector;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use serde_json::{Value, json};

use crate::support::*;

const PROTOBUF: &str = "application/x-protobuf";
const JSON: &str = "application/json";
const WAIT: Duration = Duration::from_secs(5);

/// `google.rpc.Status`, as OTLP/HTTP error answers carry it.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

fn kv(key: &str, value: Any) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

fn log(i: i64) -> LogRecord {
    LogRecord {
        time_unix_nano: 1_795_405_461_221_232_000 + i as u64,
        observed_time_unix_nano: 1_795_405_461_221_300_000,
        severity_number: 9,
        severity_text: "INFO".to_owned(),
        body: Some(AnyValue {
            value: Some(Any::StringValue(format!("Order #{i} placed"))),
        }),
        attributes: vec![
            kv("order.id", Any::IntValue(i)),
            kv("order.total", Any::DoubleValue(520.23)),
            kv("paid", Any::BoolValue(true)),
            kv(
                "tags",
                Any::ArrayValue(ArrayValue {
                    values: vec![AnyValue {
                        value: Some(Any::StringValue("new".to_owned())),
                    }],
                }),
            ),
            kv(
                "user",
                Any::KvlistValue(KeyValueList {
                    values: vec![kv("id", Any::IntValue(42))],
                }),
            ),
        ],
        flags: 1,
        trace_id: (0..16).collect(),
        span_id: (0..8).collect(),
        ..LogRecord::default()
    }
}

/// What the collector writes (under `"otlp"`) for `log(i)` from the
/// resource and scope of `request`.
fn expected(i: i64, service: &str) -> Value {
    json!({
        "resource": {"service.name": service, "host.name": "web-1"},
        "scope": {"name": "shop::orders", "version": "1.0.0", "attributes": {}},
        "timeUnixNano": (1_795_405_461_221_232_000 + i as u64).to_string(),
        "observedTimeUnixNano": "1795405461221300000",
        "severityNumber": 9,
        "severityText": "INFO",
        "eventName": "",
        "body": format!("Order #{i} placed"),
        "attributes": {"order.id": i, "order.total": 520.23, "paid": true,
                       "tags": ["new"], "user": {"id": 42}},
        "droppedAttributesCount": 0,
        "flags": 1,
        "traceId": "000102030405060708090a0b0c0d0e0f",
        "spanId": "0001020304050607"
    })
}

fn resource_logs(service: &str, logs: Vec<LogRecord>) -> ResourceLogs {
    ResourceLogs {
        resource: Some(Resource {
            attributes: vec![
                kv("service.name", Any::StringValue(service.to_owned())),
                kv("host.name", Any::StringValue("web-1".to_owned())),
            ],
            ..Resource::default()
        }),
        scope_logs: vec![ScopeLogs {
            scope: Some(InstrumentationScope {
                name: "shop::orders".to_owned(),
                version: "1.0.0".to_owned(),
                ..InstrumentationScope::default()
            }),
            log_records: logs,
            ..ScopeLogs::default()
        }],
        ..ResourceLogs::default()
    }
}

/// Two resources: `shop` with logs 0..n, `billing` with log 100.
fn request(n: i64) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![
            resource_logs("shop", (0..n).map(log).collect()),
            resource_logs("billing", vec![log(100)]),
        ],
    }
}

fn expected_lines(n: i64) -> Vec<Value> {
    (0..n)
        .map(|i| expected(i, "shop"))
        .chain([expected(100, "billing")])
        .collect()
}

#[test]
fn otlp_protobuf_request_is_answered_200_and_each_log_record_written_as_one_line() {
    let collector = Collector::builder().start().unwrap();
    assert_eq!(
        collector.otlp_url(),
        format!("http://{}/v1/logs", collector.http_addr())
    );
    let response = post(
        collector.http_addr(),
        "/v1/logs",
        &[("Content-Type", PROTOBUF)],
        &request(2).encode_to_vec(),
    )
    .unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("content-type"), Some(PROTOBUF));
    let answer = ExportLogsServiceResponse::decode(&response.body[..]).unwrap();
    assert_eq!(answer.partial_success, None);
    assert_eq!(
        collector.wait_for_otlp_records(3, WAIT).unwrap(),
        expected_lines(2)
    );
    let stats = collector.stats();
    assert_eq!(
        (
            stats.otlp_requests,
            stats.otlp_records,
            stats.otlp_rejected,
            stats.records
        ),
        (1, 3, 0, 0)
    );
    assert!(collector.records().is_empty(), "frames records are apart");
    let recent = stats.recent.last().unwrap();
    assert_eq!((&recent.path[..], recent.records), ("/v1/logs", 3));
}

#[test]
fn otlp_json_request_is_answered_in_json() {
    let collector = Collector::builder().start().unwrap();
    let body = serde_json::to_vec(&request(1)).unwrap();
    // The JSON mapping: lowerCamelCase, 64-bit integers as strings, hex ids.
    let text = String::from_utf8_lossy(&body);
    for part in [
        "\"resourceLogs\"",
        "\"timeUnixNano\":\"1795405461221232000\"",
        "\"traceId\":\"000102030405060708090a0b0c0d0e0f\"",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    let response = post(
        collector.http_addr(),
        "/v1/logs",
        &[("Content-Type", "application/json; charset=utf-8")],
        &body,
    )
    .unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("content-type"), Some(JSON));
    assert_eq!(response.json(), json!({}));
    assert_eq!(collector.otlp_records(), expected_lines(1));
}

#[test]
fn otlp_takes_gzip_and_the_bearer_token_in_an_authorization_header() {
    let collector = Collector::builder().token("s3cret").start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    let body = gzip(&request(1).encode_to_vec());
    let mut headers = vec![("Content-Type", PROTOBUF), ("Content-Encoding", "gzip")];
    let response = client.request("POST", "/v1/logs", &headers, &body).unwrap();
    assert_eq!(response.status, 401);
    assert_eq!(response.header("content-type"), Some(PROTOBUF));
    let status = RpcStatus::decode(&response.body[..]).unwrap();
    assert_eq!(status.code, 16, "UNAUTHENTICATED");
    assert!(!response.text().contains("s3cret"));

    // What OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20s3cret sends.
    headers.push(("authorization", "Bearer s3cret"));
    let response = client.request("POST", "/v1/logs", &headers, &body).unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(collector.otlp_records(), expected_lines(1));
}

#[test]
fn otlp_body_that_does_not_decode_gets_400_and_nothing_is_written() {
    let collector = Collector::builder().start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    let mut bad_id = request(1);
    bad_id.resource_logs[0].scope_logs[0].log_records[0].trace_id = vec![1, 2, 3];
    let mut duplicate = request(1);
    duplicate.resource_logs[1].scope_logs[0].log_records[0]
        .attributes
        .push(kv("paid", Any::BoolValue(false)));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (PROTOBUF, b"\xff\xff\xff\xff".to_vec(), "otlp protobuf: "),
        (
            PROTOBUF,
            bad_id.encode_to_vec(),
            "traceId: must be 16 bytes",
        ),
        (PROTOBUF, duplicate.encode_to_vec(), "a key is repeated"),
        (JSON, b"{\"resourceLogs\":[".to_vec(), "otlp json: "),
        (JSON, serde_json::to_vec(&bad_id).unwrap(), "traceId"),
        (JSON, request(1).encode_to_vec(), "otlp json: "),
    ];
    for (content_type, body, reason) in cases {
        let response = client.post("/v1/logs", content_type, &body).unwrap();
        assert_eq!(response.status, 400, "{reason}");
        assert_eq!(response.header("content-type"), Some(content_type));
        let message = if content_type == JSON {
            let status = response.json();
            assert_eq!(status["code"], 3, "INVALID_ARGUMENT");
            status["message"].as_str().unwrap().to_owned()
        } else {
            let status = RpcStatus::decode(&response.body[..]).unwrap();
            assert_eq!(status.code, 3, "INVALID_ARGUMENT");
            status.message
        };
        assert!(message.contains(reason), "{message} lacks {reason}");
    }
    let response = client
        .post("/v1/logs", "application/x-ndjson", b"{}\n")
        .unwrap();
    assert_eq!(response.status, 415);
    assert_eq!(client.get("/v1/logs").unwrap().status, 405);
    assert!(collector.otlp_records().is_empty());
    let stats = collector.stats();
    assert_eq!((stats.otlp_requests, stats.otlp_records), (0, 0));
    assert_eq!(stats.status_count(400), 6);
}

#[test]
fn otlp_reject_answers_a_partial_success_and_writes_only_the_records_before() {
    let collector = Collector::builder().otlp_reject(2).start().unwrap();
    let addr = collector.http_addr();
    // Three records: the last two (log 1 of shop, log 100 of billing) are
    // rejected.
    let response = post(
        addr,
        "/v1/logs",
        &[("Content-Type", PROTOBUF)],
        &request(2).encode_to_vec(),
    )
    .unwrap();
    assert_eq!(response.status, 200);
    let partial = ExportLogsServiceResponse::decode(&response.body[..])
        .unwrap()
        .partial_success
        .unwrap();
    assert_eq!(partial.rejected_log_records, 2);
    assert!(partial.error_message.contains("otlp_reject"));
    assert_eq!(collector.otlp_records(), vec![expected(0, "shop")]);

    // In JSON, the count is a decimal string (OTLP/JSON's 64-bit integers).
    let response = post(
        addr,
        "/v1/logs",
        &[("Content-Type", JSON)],
        &serde_json::to_vec(&request(0)).unwrap(),
    )
    .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json()["partialSuccess"]["rejectedLogRecords"],
        json!("1")
    );
    assert_eq!(collector.otlp_records().len(), 1, "nothing more written");
    let stats = collector.stats();
    assert_eq!(
        (stats.otlp_requests, stats.otlp_records, stats.otlp_rejected),
        (2, 1, 3)
    );
}

#[test]
fn fault_flags_apply_to_otlp_requests_as_to_frames_batches() {
    let collector = Collector::builder()
        .fail_first(1)
        .retry_after(Duration::from_secs(2))
        .status_sequence([429, 204])
        .drop_connection_every(5)
        .delay(Duration::from_millis(20))
        .start()
        .unwrap();
    let addr = collector.http_addr();
    let body = request(0).encode_to_vec();
    let send = || post(addr, "/v1/logs", &[("Content-Type", PROTOBUF)], &body);

    let response = send().unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(response.header("retry-after"), Some("2"));
    assert_eq!(RpcStatus::decode(&response.body[..]).unwrap().code, 14);
    let response = send().unwrap();
    assert_eq!(response.status, 429);
    assert_eq!(response.header("retry-after"), Some("2"));
    assert!(collector.otlp_records().is_empty());
    let response = send().unwrap();
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    // One count for both endpoints: a frames batch is the 4th batch.
    let frames = post(addr, "/frames", &[("Content-Type", NDJSON)], b"{\"a\":1}\n").unwrap();
    assert_eq!(frames.status, 202);
    assert!(send().is_err(), "the 5th batch's connection is dropped");
    assert_eq!(send().unwrap().status, 200);
    assert_eq!(collector.otlp_records().len(), 2);
    let stats = collector.stats();
    assert_eq!((stats.otlp_requests, stats.dropped_connections), (2, 1));
}
