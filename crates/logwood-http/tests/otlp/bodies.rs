//! Every body the layer sends, decoded with `opentelemetry-proto`'s
//! generated types: the envelope, the resource, the scope, each field of
//! the `LogRecord`, the typed attributes; protobuf and OTLP/JSON agree.

use logwood_http::OtlpProtocol;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::logs::v1::LogRecord;

/// The resource, the scope name and the record of each log record sent.
type Sent = Vec<(Vec<(String, Any)>, String, LogRecord)>;

use crate::support::{
    Capture, WAIT, accounted, attr, content_type, decode, duplicate_keys, layer, with_layer,
};

#[derive(Debug)]
struct Failing;

impl std::fmt::Display for Failing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("disk full")
    }
}

impl std::error::Error for Failing {}

mod shop {
    pub(super) fn events() {
        let span = tracing::info_span!("checkout", cart.items = 3_u64, user.id = 42_i64);
        let _g = span.enter();
        let long = "é".repeat(300);
        tracing::warn!(
            big = u64::MAX,
            neg = -7_i64,
            ratio = 0.25,
            flag = false,
            text = "naïve \"q\"\n",
            long = %long,
            dbg = ?vec![1, 2],
            err = &super::Failing as &(dyn std::error::Error + 'static),
            user.id = 7_u64,
            "checkout of {} items",
            3
        );
        for i in 0..200_u64 {
            tracing::info!(i, "bulk");
        }
    }
}

/// The records of every captured body, checking the envelope of each.
fn records(capture: &Capture, protocol: OtlpProtocol) -> Sent {
    let mut out = Vec::new();
    for captured in capture.bodies() {
        assert_eq!(captured.content_type, content_type(protocol));
        let request: ExportLogsServiceRequest = decode(&captured);
        assert_eq!(request.resource_logs.len(), 1);
        let resource_logs = &request.resource_logs[0];
        let resource = resource_logs.resource.as_ref().unwrap();
        assert!(duplicate_keys(&resource.attributes).is_empty());
        let resource: Vec<(String, Any)> = resource
            .attributes
            .iter()
            .map(|kv| (kv.key.clone(), kv.value.clone().unwrap().value.unwrap()))
            .collect();
        for scope_logs in &resource_logs.scope_logs {
            let scope = scope_logs.scope.as_ref().unwrap();
            assert_eq!(scope_logs.log_records.len(), 1);
            for record in &scope_logs.log_records {
                assert!(duplicate_keys(&record.attributes).is_empty());
                out.push((resource.clone(), scope.name.clone(), record.clone()));
            }
        }
    }
    out
}

fn send(protocol: OtlpProtocol) -> Sent {
    let capture = Capture::start();
    let (otlp, guard) = layer(&capture.url)
        .protocol(protocol)
        .service_name("shop")
        .resource_attribute("service.version", "1.2.3")
        .resource_attribute("build", 7_u64)
        .buffer_capacity(64)
        .drop_extra_events(false)
        .build()
        .unwrap();
    with_layer(otlp, shop::events);
    let stats = accounted(guard.shutdown(WAIT));
    assert_eq!(stats.sent, 201, "{stats:?}");
    // Several requests: 64 records at most in each.
    assert!(capture.bodies().len() >= 4);
    records(&capture, protocol)
}

#[test]
fn every_body_decodes_with_the_official_types_and_holds_every_field() {
    let proto = send(OtlpProtocol::Protobuf);
    let json = send(OtlpProtocol::Json);
    assert_eq!(proto.len(), 201);
    assert_eq!(json.len(), 201);

    let (resource, scope, record) = &proto[0];
    let keys: Vec<&str> = resource.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "service.name",
            "host.name",
            "process.pid",
            "process.executable.name",
            "service.version",
            "build"
        ]
    );
    assert_eq!(resource[0].1, Any::StringValue("shop".into()));
    assert_eq!(resource[2].1, Any::IntValue(i64::from(std::process::id())));
    assert_eq!(resource[5].1, Any::IntValue(7));
    assert!(scope.ends_with("bodies::shop"), "{scope}");

    assert!(record.time_unix_nano > 0);
    assert_eq!(record.observed_time_unix_nano, record.time_unix_nano);
    assert_eq!(
        (record.severity_number, &record.severity_text[..]),
        (13, "WARN")
    );
    assert_eq!(
        record.body.as_ref().unwrap().value,
        Some(Any::StringValue("checkout of 3 items".into()))
    );
    assert!(record.trace_id.is_empty() && record.span_id.is_empty());
    assert_eq!(record.flags, 0);
    let a = &record.attributes;
    let keys: Vec<&str> = a.iter().map(|kv| kv.key.as_str()).collect();
    // The event's fields (in path order, as a dotted name is among them),
    // then the context, then the metadata.
    assert_eq!(
        &keys[..10],
        [
            "big",
            "dbg",
            "err",
            "flag",
            "long",
            "neg",
            "ratio",
            "text",
            "user.id",
            "cart.items"
        ]
    );
    assert_eq!(
        attr(a, "big"),
        Some(&Any::StringValue(u64::MAX.to_string()))
    );
    assert_eq!(attr(a, "neg"), Some(&Any::IntValue(-7)));
    assert_eq!(attr(a, "ratio"), Some(&Any::DoubleValue(0.25)));
    assert_eq!(attr(a, "flag"), Some(&Any::BoolValue(false)));
    assert_eq!(
        attr(a, "text"),
        Some(&Any::StringValue("naïve \"q\"\n".into()))
    );
    assert_eq!(attr(a, "long"), Some(&Any::StringValue("é".repeat(300))));
    assert_eq!(attr(a, "dbg"), Some(&Any::StringValue("[1, 2]".into())));
    assert_eq!(attr(a, "err"), Some(&Any::StringValue("disk full".into())));
    // The event's `user.id` wins over the span's.
    assert_eq!(attr(a, "user.id"), Some(&Any::IntValue(7)));
    assert_eq!(attr(a, "cart.items"), Some(&Any::IntValue(3)));
    assert_eq!(
        attr(a, "code.function.name"),
        Some(&Any::StringValue("checkout".into()))
    );
    assert_eq!(
        attr(a, "code.file.path"),
        Some(&Any::StringValue(file!().into()))
    );
    assert!(matches!(attr(a, "code.line.number"), Some(Any::IntValue(n)) if *n > 0));
    assert!(matches!(attr(a, "thread.id"), Some(Any::IntValue(n)) if *n > 0));
    assert_eq!(keys.len(), 15, "{keys:?}");

    let bulk = &proto[200].2;
    assert_eq!(attr(&bulk.attributes, "i"), Some(&Any::IntValue(199)));

    // Both encodings carry the same records.
    for (p, j) in proto.iter().zip(&json) {
        assert_eq!(p.0, j.0);
        assert_eq!(p.1, j.1);
        let (mut p, mut j) = (p.2.clone(), j.2.clone());
        assert_eq!(p.attributes, j.attributes);
        // Times differ between the two runs.
        p.time_unix_nano = 0;
        p.observed_time_unix_nano = 0;
        j.time_unix_nano = 0;
        j.observed_time_unix_nano = 0;
        assert_eq!(p, j);
    }
}

#[test]
fn non_finite_floats_are_doubles_in_protobuf_and_strings_in_json() {
    for (protocol, expected) in [
        (OtlpProtocol::Protobuf, None),
        (OtlpProtocol::Json, Some("NaN")),
    ] {
        let capture = Capture::start();
        let (otlp, guard) = layer(&capture.url).protocol(protocol).build().unwrap();
        with_layer(otlp, || tracing::info!(x = f64::NAN, y = f64::NEG_INFINITY));
        accounted(guard.shutdown(WAIT));
        let records = records(&capture, protocol);
        let a = &records[0].2.attributes;
        match expected {
            None => {
                assert!(matches!(attr(a, "x"), Some(Any::DoubleValue(v)) if v.is_nan()));
                assert_eq!(attr(a, "y"), Some(&Any::DoubleValue(f64::NEG_INFINITY)));
            }
            Some(nan) => {
                assert_eq!(attr(a, "x"), Some(&Any::StringValue(nan.into())));
                assert_eq!(attr(a, "y"), Some(&Any::StringValue("-inf".into())));
            }
        }
    }
}

#[test]
fn a_record_larger_than_16_kib_keeps_its_lengths_right() {
    let capture = Capture::start();
    let (otlp, guard) = layer(&capture.url).build().unwrap();
    let text = "x".repeat(40_000);
    with_layer(otlp, || tracing::info!(text = %text, "big"));
    accounted(guard.shutdown(WAIT));
    let records = records(&capture, OtlpProtocol::Protobuf);
    assert_eq!(
        attr(&records[0].2.attributes, "text"),
        Some(&Any::StringValue(text))
    );
}
