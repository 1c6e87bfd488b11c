use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use serde_json::{Value, json};

use super::*;

fn any(value: Any) -> Option<AnyValue> {
    Some(AnyValue { value: Some(value) })
}

fn kv(key: &str, value: Any) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: any(value),
        ..KeyValue::default()
    }
}

fn string(s: &str) -> Any {
    Any::StringValue(s.to_owned())
}

fn request(records: Vec<LogRecord>) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![
                    kv("service.name", string("shop")),
                    kv("process.pid", Any::IntValue(20643)),
                ],
                ..Resource::default()
            }),
            scope_logs: vec![ScopeLogs {
                scope: Some(InstrumentationScope {
                    name: "shop::orders".to_owned(),
                    version: "1.0.0".to_owned(),
                    ..InstrumentationScope::default()
                }),
                log_records: records,
                ..ScopeLogs::default()
            }],
            ..ResourceLogs::default()
        }],
    }
}

fn full_record() -> LogRecord {
    LogRecord {
        time_unix_nano: 1_795_405_461_221_232_000,
        observed_time_unix_nano: 1_795_405_461_221_300_000,
        severity_number: 9,
        severity_text: "INFO".to_owned(),
        body: any(string("Order #1234 placed")),
        attributes: vec![
            kv("order.id", Any::IntValue(i64::MIN)),
            kv("order.total", Any::DoubleValue(520.23)),
            kv("ok", Any::BoolValue(true)),
            kv("nan", Any::DoubleValue(f64::NAN)),
            kv(
                "tags",
                Any::ArrayValue(ArrayValue {
                    values: vec![AnyValue {
                        value: Some(string("a")),
                    }],
                }),
            ),
            kv(
                "user",
                Any::KvlistValue(KeyValueList {
                    values: vec![kv("id", Any::IntValue(42))],
                }),
            ),
            kv("raw", Any::BytesValue(b"foob".to_vec())),
            KeyValue {
                key: "empty".to_owned(),
                value: None,
                ..KeyValue::default()
            },
        ],
        dropped_attributes_count: 1,
        flags: 1,
        trace_id: vec![0x5b; 16],
        span_id: vec![0xee; 8],
        event_name: "order.placed".to_owned(),
    }
}

const FULL_LINE: &str = concat!(
    r#"{"otlp":{"resource":{"service.name":"shop","process.pid":20643},"#,
    r#""scope":{"name":"shop::orders","version":"1.0.0","attributes":{}},"#,
    r#""timeUnixNano":"1795405461221232000","observedTimeUnixNano":"1795405461221300000","#,
    r#""severityNumber":9,"severityText":"INFO","eventName":"order.placed","#,
    r#""body":"Order #1234 placed","#,
    r#""attributes":{"order.id":-9223372036854775808,"order.total":520.23,"ok":true,"nan":"NaN","#,
    r#""tags":["a"],"user":{"id":42},"raw":"Zm9vYg==","empty":null},"#,
    r#""droppedAttributesCount":1,"flags":1,"#,
    r#""traceId":"5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b","spanId":"eeeeeeeeeeeeeeee"}}"#,
    "\n"
);

fn decode(format: OtlpFormat, body: &[u8]) -> Result<(usize, String), DecodeError> {
    let mut out = b"kept\n".to_vec();
    let result = decode_otlp_logs(format, body, &mut out);
    if result.is_err() {
        assert_eq!(out, b"kept\n", "a refused body left output behind");
    }
    result.map(|n| (n, String::from_utf8(out[5..].to_vec()).unwrap()))
}

fn protobuf(request: &ExportLogsServiceRequest) -> Result<(usize, String), DecodeError> {
    decode(OtlpFormat::Protobuf, &request.encode_to_vec())
}

fn json(request: &ExportLogsServiceRequest) -> Result<(usize, String), DecodeError> {
    decode(OtlpFormat::Json, &serde_json::to_vec(request).unwrap())
}

#[test]
fn each_log_record_becomes_one_line_with_its_resource_and_scope() {
    let (n, out) = protobuf(&request(vec![full_record()])).unwrap();
    assert_eq!(n, 1);
    assert_eq!(out, FULL_LINE);
}

#[test]
fn protobuf_and_json_give_the_same_lines() {
    let mut plain = full_record();
    // OTLP/JSON has no NaN in `doubleValue` as opentelemetry-proto writes it.
    plain.attributes.retain(|kv| kv.key != "nan");
    let request = request(vec![plain, LogRecord::default()]);
    let from_protobuf = protobuf(&request).unwrap();
    assert_eq!(from_protobuf.0, 2);
    assert_eq!(json(&request).unwrap(), from_protobuf);
}

#[test]
fn absent_fields_are_written_with_proto3_defaults() {
    let (_, out) = protobuf(&ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: vec![LogRecord::default()],
                ..ScopeLogs::default()
            }],
            ..ResourceLogs::default()
        }],
    })
    .unwrap();
    let line: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        line,
        json!({"otlp": {
            "resource": {}, "scope": {"name": "", "version": "", "attributes": {}},
            "timeUnixNano": "0", "observedTimeUnixNano": "0", "severityNumber": 0,
            "severityText": "", "eventName": "", "body": null, "attributes": {},
            "droppedAttributesCount": 0, "flags": 0, "traceId": "", "spanId": ""
        }})
    );
}

#[test]
fn the_specification_s_json_example_is_read() {
    // opentelemetry-proto/examples/logs.json, as published.
    let example = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
      "scopeLogs":[{"scope":{"name":"my.library","version":"1.0.0","attributes":[{"key":"my.scope.attribute","value":{"stringValue":"some scope attribute"}}]},
      "logRecords":[{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000000","severityNumber":10,
        "severityText":"Information","traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
        "body":{"stringValue":"Example log record"},
        "attributes":[{"key":"string.attribute","value":{"stringValue":"some string"}},
          {"key":"boolean.attribute","value":{"boolValue":true}},
          {"key":"int.attribute","value":{"intValue":"10"}},
          {"key":"double.attribute","value":{"doubleValue":637.704}},
          {"key":"array.attribute","value":{"arrayValue":{"values":[{"stringValue":"many"},{"stringValue":"values"}]}}},
          {"key":"map.attribute","value":{"kvlistValue":{"values":[{"key":"some.map.key","value":{"stringValue":"some value"}}]}}}]}]}]}]}"#;
    let (n, out) = decode(OtlpFormat::Json, example.as_bytes()).unwrap();
    assert_eq!(n, 1);
    let line: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        line,
        json!({"otlp": {
            "resource": {"service.name": "my.service"},
            "scope": {"name": "my.library", "version": "1.0.0",
                      "attributes": {"my.scope.attribute": "some scope attribute"}},
            "timeUnixNano": "1544712660300000000", "observedTimeUnixNano": "1544712660300000000",
            "severityNumber": 10, "severityText": "Information", "eventName": "",
            "body": "Example log record",
            "attributes": {"string.attribute": "some string", "boolean.attribute": true,
                           "int.attribute": 10, "double.attribute": 637.704,
                           "array.attribute": ["many", "values"],
                           "map.attribute": {"some.map.key": "some value"}},
            "droppedAttributesCount": 0, "flags": 0,
            "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174"
        }})
    );
}

#[test]
fn json_accepts_64_bit_integers_as_numbers_too() {
    let body = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":12,
        "attributes":[{"key":"n","value":{"intValue":7}}]}]}]}]}"#;
    let (_, out) = decode(OtlpFormat::Json, body).unwrap();
    let line: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(line["otlp"]["timeUnixNano"], "12");
    assert_eq!(line["otlp"]["attributes"]["n"], 7);
}

#[test]
fn ids_of_the_wrong_length_are_refused() {
    let mut record = full_record();
    record.trace_id = vec![1; 15];
    let err = protobuf(&request(vec![LogRecord::default(), record]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "otlp protobuf: resourceLogs[0].scopeLogs[0].logRecords[1].traceId: must be 16 bytes"
    );
    let mut record = full_record();
    record.span_id = vec![1; 16];
    assert!(
        protobuf(&request(vec![record]))
            .unwrap_err()
            .to_string()
            .ends_with("spanId: must be 8 bytes")
    );
}

#[test]
fn repeated_keys_are_refused_wherever_they_are() {
    let mut record = full_record();
    record.attributes.push(kv("ok", Any::BoolValue(false)));
    assert!(
        protobuf(&request(vec![record]))
            .unwrap_err()
            .to_string()
            .contains("logRecords[0].attributes: a key is repeated")
    );

    let mut record = full_record();
    record.body = any(Any::KvlistValue(KeyValueList {
        values: vec![kv("a", Any::IntValue(1)), kv("a", Any::IntValue(2))],
    }));
    assert!(
        protobuf(&request(vec![record]))
            .unwrap_err()
            .to_string()
            .contains("logRecords[0].body: a key is repeated")
    );

    let mut request = request(vec![full_record()]);
    let resource = request.resource_logs[0].resource.as_mut().unwrap();
    for i in 0..40 {
        resource
            .attributes
            .push(kv(&format!("k{}", i % 39), Any::IntValue(i)));
    }
    assert!(
        protobuf(&request)
            .unwrap_err()
            .to_string()
            .contains("resourceLogs[0].resource.attributes: a key is repeated")
    );
}

#[test]
fn bodies_that_do_not_decode_are_refused_without_quoting_them() {
    for body in [&b"\xff\xff\xff"[..], b"\x0a\x05\x0a"] {
        let err = decode(OtlpFormat::Protobuf, body).unwrap_err().to_string();
        assert!(err.starts_with("otlp protobuf: "), "{err}");
    }
    for body in [
        &br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"s3cret-text"}]}]}]}"#
            [..],
        br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz-s3cret"}]}]}]}"#,
        br#"{"resourceLogs": s3cret"#,
        b"",
    ] {
        let err = decode(OtlpFormat::Json, body).unwrap_err().to_string();
        assert!(err.starts_with("otlp json: "), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    // 10,000 nested arrayValues in protobuf: prost's recursion limit (100)
    // stops the decoder. Building, encoding and dropping such a message
    // recurses too: that happens on a thread with room.
    let body = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(|| {
            let mut value = AnyValue {
                value: Some(string("deep")),
            };
            for _ in 0..10_000 {
                value = AnyValue {
                    value: Some(Any::ArrayValue(ArrayValue {
                        values: vec![value],
                    })),
                };
            }
            let record = LogRecord {
                body: Some(value),
                ..LogRecord::default()
            };
            request(vec![record]).encode_to_vec()
        })
        .unwrap()
        .join()
        .unwrap();
    let err = decode(OtlpFormat::Protobuf, &body).unwrap_err().to_string();
    assert!(err.contains("recursion limit"), "{err}");

    let json = format!(
        r#"{{"resourceLogs":[{{"scopeLogs":[{{"logRecords":[{{"body":{}"x"{}}}]}}]}}]}}"#,
        r#"{"arrayValue":{"values":["#.repeat(10_000),
        "]}}".repeat(10_000)
    );
    let err = decode(OtlpFormat::Json, json.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("recursion limit"), "{err}");
}

#[test]
fn content_types_map_to_formats() {
    assert_eq!(
        OtlpFormat::from_content_type("application/protobuf"),
        Some(OtlpFormat::Protobuf)
    );
    assert_eq!(
        OtlpFormat::from_content_type("Application/JSON"),
        Some(OtlpFormat::Json)
    );
    assert_eq!(OtlpFormat::from_content_type("text/plain"), None);
}
