//! No field set produces a duplicate attribute key: event fields, static
//! context, span context and metadata drawn from names that collide.

use std::sync::OnceLock;

use logwood_http::OtlpProtocol;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use proptest::prelude::*;

use crate::support::{Capture, WAIT, accounted, attr, decode, duplicate_keys, layer, with_layer};

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(Capture::start)
}

/// Event fields (names that do not collide with one another) and span
/// fields, each present or not.
#[derive(Debug, Clone)]
struct Fields {
    event: [Option<u64>; 6],
    outer: [Option<u64>; 4],
    inner: [Option<u64>; 4],
}

/// The event's field names, as the record writes them.
const EVENT_KEYS: [&str; 6] = [
    "a",
    "b.c",
    "user.id",
    "code.line.number",
    "thread.id",
    "_level",
];

fn emit(f: &Fields) {
    let [o0, o1, o2, o3] = f.outer;
    let outer = tracing::info_span!(
        "outer",
        a = o0,
        user.id = o1,
        code.line.number = o2,
        thread.name = o3
    );
    let _o = outer.enter();
    let [i0, i1, i2, i3] = f.inner;
    let inner = tracing::info_span!("inner", b.c = i0, user = i1, level = i2, thread.id = i3);
    let _i = inner.enter();
    let [e0, e1, e2, e3, e4, e5] = f.event;
    tracing::info!(
        a = e0,
        b.c = e1,
        user.id = e2,
        code.line.number = e3,
        thread.id = e4,
        level = e5,
        "m"
    );
}

fn context_key() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "a", "b", "c", "user", "id", "code", "thread", "line", "level",
        ]),
        1..4,
    )
    .prop_map(|segments| segments.join("."))
}

fn fields() -> impl Strategy<Value = Fields> {
    let opt = || proptest::option::of(0u64..1000);
    (
        [opt(), opt(), opt(), opt(), opt(), opt()],
        [opt(), opt(), opt(), opt()],
        [opt(), opt(), opt(), opt()],
    )
        .prop_map(|(event, outer, inner)| Fields {
            event,
            outer,
            inner,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_field_set_produces_duplicate_attribute_keys(
        statics in proptest::collection::vec((context_key(), 0u64..1000), 0..5),
        fields in fields(),
        json in any::<bool>(),
        runtime in any::<bool>(),
    ) {
        let capture = capture();
        let protocol = if json { OtlpProtocol::Json } else { OtlpProtocol::Protobuf };
        let mut builder = layer(&capture.url).protocol(protocol).with_runtime(runtime);
        for (key, value) in &statics {
            builder = builder.context_field(key, *value);
        }
        // A marker to find this case's record among the others.
        let marker = format!("case-{}", std::process::id() as u128 * 1_000_000 + u128::from(rand_u32()));
        builder = builder.resource_attribute("case", marker.clone());
        let (otlp, guard) = builder.build().unwrap();
        with_layer(otlp, || emit(&fields));
        let stats = accounted(guard.shutdown(WAIT));
        prop_assert_eq!(stats.sent, 1);
        let bodies = capture.bodies();
        let request = bodies
            .iter()
            .map(decode)
            .find(|r| {
                r.resource_logs[0].resource.as_ref().unwrap().attributes.iter().any(|kv| {
                    kv.key == "case"
                        && kv.value.as_ref().and_then(|v| v.value.as_ref())
                            == Some(&Any::StringValue(marker.clone()))
                })
            })
            .expect("this case's request");
        let record = &request.resource_logs[0].scope_logs[0].log_records[0];
        let duplicates = duplicate_keys(&record.attributes);
        prop_assert!(duplicates.is_empty(), "duplicate keys {:?} in {:?}", duplicates, record.attributes);
        // Each event field is there with its own value: the event wins.
        for (key, value) in EVENT_KEYS.iter().zip(fields.event) {
            if let Some(v) = value {
                let v = i64::try_from(v).unwrap();
                prop_assert_eq!(attr(&record.attributes, key), Some(&Any::IntValue(v)), "{}", key);
            }
        }
    }
}

/// A number that differs between cases (no `rand` dependency).
fn rand_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A dotted name from segments that collide with one another, with the
/// metadata's names, the reserved record keys, and empty segments.
fn any_name() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "a", "b", "user", "id", "code", "line", "number", "thread", "name", "level", "message",
            "context", "", "é",
        ]),
        1..4,
    )
    .prop_map(|segments| segments.join("."))
}

fn named_fields(max: usize) -> impl Strategy<Value = Vec<(String, u64)>> {
    proptest::collection::vec((any_name(), 0u64..1000), 0..max)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_run_time_field_names_produce_duplicate_attribute_keys(
        statics in named_fields(4),
        outer in named_fields(5),
        inner in named_fields(5),
        event in named_fields(8),
        json in any::<bool>(),
    ) {
        use logwood_testkit::{DynValue, dispatch_dynamic_event, in_dynamic_span};

        let capture = capture();
        let protocol = if json { OtlpProtocol::Json } else { OtlpProtocol::Protobuf };
        let mut builder = layer(&capture.url).protocol(protocol);
        for (key, value) in &statics {
            builder = builder.context_field(key, *value);
        }
        let marker = format!("dyn-{}", rand_u32());
        builder = builder.resource_attribute("case", marker.clone());
        let (otlp, guard) = builder.build().unwrap();
        let dynamic = |fields: &[(String, u64)]| -> Vec<(String, DynValue)> {
            fields.iter().map(|(k, v)| (k.clone(), DynValue::U64(*v))).collect()
        };
        let (outer, inner, event) = (dynamic(&outer), dynamic(&inner), dynamic(&event));
        let (outer, inner, event) = (borrow(&outer), borrow(&inner), borrow(&event));
        with_layer(otlp, || {
            in_dynamic_span(&outer, || {
                in_dynamic_span(&inner, || dispatch_dynamic_event(&event))
            })
        });
        let stats = accounted(guard.shutdown(WAIT));
        prop_assert_eq!(stats.sent, 1);
        let request = capture
            .bodies()
            .iter()
            .map(decode)
            .find(|r| {
                r.resource_logs[0].resource.as_ref().unwrap().attributes.iter().any(|kv| {
                    kv.key == "case"
                        && kv.value.as_ref().and_then(|v| v.value.as_ref())
                            == Some(&Any::StringValue(marker.clone()))
                })
            })
            .expect("this case's request");
        let record = &request.resource_logs[0].scope_logs[0].log_records[0];
        let duplicates = duplicate_keys(&record.attributes);
        prop_assert!(duplicates.is_empty(), "duplicate keys {:?} in {:?}", duplicates, record.attributes);
    }
}

fn borrow(
    fields: &[(String, logwood_testkit::DynValue)],
) -> Vec<(&str, logwood_testkit::DynValue)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect()
}
