//! Checked against the official message definitions in the HTTP crate's
//! tests (which decode every body with `opentelemetry-proto`); here, the
//! wire pieces.

use super::*;
use crate::encode::{Format, write_value};
use crate::value::{Map, Value};

#[test]
fn a_kvlist_value_closes_every_entry() {
    let mut map = Map::new();
    map.insert_dotted("a", Value::U64(1));
    map.insert_dotted("b.c", Value::Str("x".into()));
    let mut out = Vec::new();
    write_value::<OtlpValue>(&mut out, &Value::Map(Box::new(map.clone())));
    // kvlist_value { values: [ {key:"a", value:{int 1}}, {key:"b", value:{kvlist {c:"x"}}} ] }
    assert_eq!(out[0], 0x32);
    assert_eq!(usize::from(out[1]), out.len() - 2);
    let members = OtlpValue::members(&map);
    assert_eq!(members.count, 2);
    let mut spliced = Vec::new();
    let mut state = OtlpValue::map_begin(&mut spliced);
    OtlpValue::map_splice(&mut spliced, &mut state, &members);
    OtlpValue::map_end(&mut spliced, state);
    assert_eq!(spliced, out);

    let mut json = Vec::new();
    write_value::<OtlpJsonValue>(&mut json, &Value::Map(Box::new(map)));
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"kvlistValue":{"values":[
            {"key":"a","value":{"intValue":"1"}},
            {"key":"b","value":{"kvlistValue":{"values":[{"key":"c","value":{"stringValue":"x"}}]}}}
        ]}})
    );
}

#[test]
fn json_values_are_typed_and_64_bit_integers_are_strings() {
    let json = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    };
    assert_eq!(
        json(&|o| OtlpJsonValue::write_u64(o, 7)),
        r#"{"intValue":"7"}"#
    );
    assert_eq!(
        json(&|o| OtlpJsonValue::write_u64(o, u64::MAX)),
        r#"{"stringValue":"18446744073709551615"}"#
    );
    assert_eq!(
        json(&|o| OtlpJsonValue::write_f64(o, 1.5)),
        r#"{"doubleValue":1.5}"#
    );
    assert_eq!(
        json(&|o| OtlpJsonValue::write_f64(o, f64::NAN)),
        r#"{"stringValue":"NaN"}"#
    );
    assert_eq!(
        json(&|o| OtlpJsonValue::write_fmt_str(o, format_args!("{:?}", "q"))),
        r#"{"stringValue":"\"q\""}"#
    );
}

#[test]
fn the_resource_is_one_field_with_every_attribute() {
    let attrs = vec![
        ("service.name".to_owned(), Value::Str("shop".into())),
        ("process.pid".to_owned(), Value::U64(42)),
    ];
    let proto = resource_proto(&attrs);
    assert_eq!(proto[0], 0x0a);
    assert_eq!(usize::from(proto[1]), proto.len() - 2);
    let mut head = Vec::new();
    proto_head(&mut head, &proto, 100);
    assert!(head.len() <= PROTO_HEAD_MAX);
    let mut json = json_preamble(&attrs);
    json.extend_from_slice(JSON_TAIL);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        v["resourceLogs"][0]["resource"]["attributes"][1],
        serde_json::json!({"key":"process.pid","value":{"intValue":"42"}})
    );
}
