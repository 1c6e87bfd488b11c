use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;

/// Encodes a JSON value as msgpack the way logwood does: `str` strings,
/// smallest ints, `float64`.
fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => rmp::encode::write_nil(out).unwrap(),
        Value::Bool(b) => rmp::encode::write_bool(out, *b).unwrap(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                rmp::encode::write_uint(out, u).unwrap();
            } else if let Some(i) = n.as_i64() {
                rmp::encode::write_sint(out, i).unwrap();
            } else {
                rmp::encode::write_f64(out, n.as_f64().unwrap()).unwrap();
            }
        }
        Value::String(s) => rmp::encode::write_str(out, s).unwrap(),
        Value::Array(items) => {
            rmp::encode::write_array_len(out, u32::try_from(items.len()).unwrap()).unwrap();
            for item in items {
                encode(item, out);
            }
        }
        Value::Object(map) => {
            rmp::encode::write_map_len(out, u32::try_from(map.len()).unwrap()).unwrap();
            for (k, v) in map {
                rmp::encode::write_str(out, k).unwrap();
                encode(v, out);
            }
        }
    }
}

fn batch(records: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&Value::Array(records.to_vec()), &mut out);
    out
}

fn msgpack(body: &[u8]) -> Result<(usize, String), DecodeError> {
    let mut out = Vec::new();
    let result = decode_batch(BodyFormat::Msgpack, body, &mut out);
    if result.is_err() {
        assert!(out.is_empty(), "a refused body left output behind");
    }
    result.map(|n| (n, String::from_utf8(out).unwrap()))
}

fn ndjson(body: &[u8]) -> Result<(usize, String), DecodeError> {
    let mut out = b"kept\n".to_vec();
    let result = decode_batch(BodyFormat::Ndjson, body, &mut out);
    assert!(out.starts_with(b"kept\n"));
    if result.is_err() {
        assert_eq!(out, b"kept\n", "a refused body left output behind");
    }
    result.map(|n| (n, String::from_utf8(out[5..].to_vec()).unwrap()))
}

fn reason(result: Result<(usize, String), DecodeError>) -> String {
    result.unwrap_err().to_string()
}

fn record() -> Value {
    json!({
        "dt": "2026-11-20T03:44:21.221232Z",
        "level": "info",
        "message": "Order #1234 placed",
        "order_placed": {"id": 1234, "total": 520.23, "tags": ["a", "b"], "neg": -7, "none": null, "ok": true},
        "context": {"runtime": {"line": 23, "thread_id": "8123"}, "system": {"pid": 20643}}
    })
}

#[test]
fn msgpack_batch_becomes_one_json_line_per_record() {
    let records = vec![record(), json!({"message": "second"})];
    let (n, out) = msgpack(&batch(&records)).unwrap();
    assert_eq!(n, 2);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, record) in lines.iter().zip(&records) {
        assert_eq!(&serde_json::from_str::<Value>(line).unwrap(), record);
    }
}

#[test]
fn msgpack_keys_keep_the_order_they_were_sent_in() {
    let mut body = vec![0x91, 0x83];
    for (key, value) in [
        ("dt", "2026-11-20T03:44:21.221232Z"),
        ("level", "info"),
        ("message", "m"),
    ] {
        rmp::encode::write_str(&mut body, key).unwrap();
        rmp::encode::write_str(&mut body, value).unwrap();
    }
    let (_, out) = msgpack(&body).unwrap();
    assert_eq!(
        out,
        "{\"dt\":\"2026-11-20T03:44:21.221232Z\",\"level\":\"info\",\"message\":\"m\"}\n"
    );
}

#[test]
fn msgpack_empty_batch_is_accepted_with_no_lines() {
    assert_eq!(msgpack(&[0x90]).unwrap(), (0, String::new()));
}

#[test]
fn msgpack_integers_of_every_width_and_floats_are_json_numbers() {
    let mut body = vec![0x91, 0x8a];
    let mut field = |name: &str, encode: &dyn Fn(&mut Vec<u8>)| {
        rmp::encode::write_str(&mut body, name).unwrap();
        encode(&mut body);
    };
    field("u8", &|b| rmp::encode::write_u8(b, 200).unwrap());
    field("u16", &|b| rmp::encode::write_u16(b, 60000).unwrap());
    field("u32", &|b| {
        rmp::encode::write_u32(b, 4_000_000_000).unwrap()
    });
    field("u64", &|b| rmp::encode::write_u64(b, u64::MAX).unwrap());
    field("i8", &|b| rmp::encode::write_i8(b, -100).unwrap());
    field("i16", &|b| rmp::encode::write_i16(b, -30000).unwrap());
    field("i32", &|b| {
        rmp::encode::write_i32(b, -2_000_000_000).unwrap()
    });
    field("i64", &|b| rmp::encode::write_i64(b, i64::MIN).unwrap());
    field("f32", &|b| rmp::encode::write_f32(b, 0.5).unwrap());
    field("f64", &|b| rmp::encode::write_f64(b, 520.23).unwrap());
    let (_, out) = msgpack(&body).unwrap();
    assert_eq!(
        out,
        "{\"u8\":200,\"u16\":60000,\"u32\":4000000000,\"u64\":18446744073709551615,\
         \"i8\":-100,\"i16\":-30000,\"i32\":-2000000000,\"i64\":-9223372036854775808,\
         \"f32\":0.5,\"f64\":520.23}\n"
    );
}

#[test]
fn msgpack_strings_are_escaped_for_json() {
    let body = batch(&[json!({"m": "quote \" backslash \\ newline \n nul \u{0} é"})]);
    let (_, out) = msgpack(&body).unwrap();
    assert_eq!(
        out,
        "{\"m\":\"quote \\\" backslash \\\\ newline \\n nul \\u0000 é\"}\n"
    );
}

#[test]
fn msgpack_every_truncation_is_refused() {
    let body = batch(&[record(), record()]);
    for len in 0..body.len() {
        let err = reason(msgpack(&body[..len]));
        assert!(err.contains("truncated"), "prefix {len}: {err}");
    }
}

#[test]
fn msgpack_lengths_claiming_more_than_the_body_are_refused_without_allocating() {
    // A map claiming 2^32 - 1 entries.
    assert!(reason(msgpack(&[0x91, 0xdf, 0xff, 0xff, 0xff, 0xff])).contains("truncated"));
    // An array claiming 2^32 - 1 records.
    assert!(reason(msgpack(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x80])).contains("truncated"));
    // A str claiming 4 GiB.
    assert!(
        reason(msgpack(&[
            0x91, 0x81, 0xa1, b'a', 0xdb, 0xff, 0xff, 0xff, 0xff
        ]))
        .contains("truncated")
    );
    // A nested array claiming 65535 elements.
    assert!(
        reason(msgpack(&[0x91, 0x81, 0xa1, b'a', 0xdc, 0xff, 0xff, 0xc0])).contains("truncated")
    );
}

#[test]
fn the_depth_refusal_names_the_limit() {
    assert!(TOO_DEEP.contains(&format!(" {MAX_RECORD_DEPTH} levels")));
}

#[test]
fn msgpack_deep_nesting_is_refused_without_overflowing_the_stack() {
    let mut body = vec![0x91, 0x81, 0xa1, b'a'];
    body.extend(std::iter::repeat_n(0x91, 10_000));
    body.push(0xc0);
    assert!(reason(msgpack(&body)).contains(TOO_DEEP));

    let mut body = vec![0x91, 0x81, 0xa1, b'a'];
    body.extend(std::iter::repeat_n([0x81, 0xa1, b'b'], 10_000).flatten());
    body.push(0xc0);
    assert!(reason(msgpack(&body)).contains(TOO_DEEP));
}

/// A record whose map holds `levels - 1` nested arrays around `null`: it
/// nests `levels` levels deep.
fn msgpack_record_nested(levels: usize) -> Vec<u8> {
    let mut record = vec![0x81, 0xa1, b'a'];
    record.extend(std::iter::repeat_n(0x91, levels - 1));
    record.push(0xc0);
    record
}

fn ndjson_record_nested(levels: usize) -> String {
    format!(
        "{{\"a\":{}null{}}}",
        "[".repeat(levels - 1),
        "]".repeat(levels - 1)
    )
}

#[test]
fn msgpack_nesting_up_to_the_limit_is_accepted_per_record() {
    // Three records at the limit in one batch: the batch array does not count.
    let record = msgpack_record_nested(MAX_RECORD_DEPTH);
    let body = [vec![0x93], record.clone(), record.clone(), record].concat();
    let (n, out) = msgpack(&body).unwrap();
    assert_eq!(n, 3);
    for line in out.lines() {
        assert_eq!(line.matches('[').count(), MAX_RECORD_DEPTH - 1);
        assert_eq!(line, ndjson_record_nested(MAX_RECORD_DEPTH));
    }
    let body = [vec![0x91], msgpack_record_nested(MAX_RECORD_DEPTH + 1)].concat();
    assert!(reason(msgpack(&body)).contains(TOO_DEEP));
}

#[test]
fn ndjson_nesting_up_to_the_limit_is_accepted_per_record() {
    let line = ndjson_record_nested(MAX_RECORD_DEPTH);
    let body = format!("{line}\n{line}\n");
    let (n, out) = ndjson(body.as_bytes()).unwrap();
    assert_eq!((n, out), (2, body));
    let deeper = format!(
        "{{\"ok\":1}}\n{}\n",
        ndjson_record_nested(MAX_RECORD_DEPTH + 1)
    );
    let err = reason(ndjson(deeper.as_bytes()));
    assert!(
        err.starts_with("ndjson: line 2:") && err.contains(TOO_DEEP),
        "{err}"
    );
    // Objects count as much as arrays.
    let objects = format!(
        "{}1{}",
        "{\"a\":".repeat(MAX_RECORD_DEPTH + 1),
        "}".repeat(MAX_RECORD_DEPTH + 1)
    );
    assert!(reason(ndjson(objects.as_bytes())).contains(TOO_DEEP));
}

#[test]
fn msgpack_invalid_utf8_is_refused_in_values_and_keys() {
    assert!(reason(msgpack(&[0x91, 0x81, 0xa1, b'a', 0xa2, 0xc3, 0x28])).contains("invalid UTF-8"));
    assert!(reason(msgpack(&[0x91, 0x81, 0xa1, 0xff, 0xc0])).contains("invalid UTF-8"));
}

#[test]
fn msgpack_bin_ext_and_reserved_markers_are_refused() {
    assert!(reason(msgpack(&[0x91, 0x81, 0xa1, b'a', 0xc4, 0x01, b'x'])).contains("bin"));
    assert!(reason(msgpack(&[0x91, 0x81, 0xa1, b'a', 0xd4, 0x01, 0x00])).contains("ext"));
    assert!(reason(msgpack(&[0x91, 0x81, 0xa1, b'a', 0xc7, 0x01, 0x01, 0x00])).contains("ext"));
    assert!(reason(msgpack(&[0x91, 0x81, 0xa1, b'a', 0xc1])).contains("reserved"));
}

#[test]
fn msgpack_non_string_keys_and_non_map_records_are_refused() {
    assert!(reason(msgpack(&[0x91, 0x81, 0x01, 0xc0])).contains("key is not a str"));
    assert!(reason(msgpack(&[0x91, 0x01])).contains("record is not a msgpack map"));
    assert!(reason(msgpack(&[0x80])).contains("not a msgpack array"));
    assert!(reason(msgpack(&[])).contains("truncated"));
}

#[test]
fn msgpack_duplicate_keys_are_refused_in_small_and_large_maps() {
    assert!(
        reason(msgpack(&[0x91, 0x82, 0xa1, b'a', 0x01, 0xa1, b'a', 0x02]))
            .contains("duplicate key")
    );
    // A nested map may reuse its parent's keys.
    assert!(msgpack(&[0x91, 0x81, 0xa1, b'a', 0x81, 0xa1, b'a', 0x01]).is_ok());

    let mut large = vec![0x91, 0xde, 0x00, 40];
    for i in 0..40 {
        rmp::encode::write_str(&mut large, &format!("k{}", if i == 39 { 3 } else { i })).unwrap();
        large.push(0xc0);
    }
    assert!(reason(msgpack(&large)).contains("duplicate key"));
    let unique = batch(&[Value::Object(
        (0..40).map(|i| (format!("k{i}"), json!(i))).collect(),
    )]);
    assert!(msgpack(&unique).is_ok());
}

#[test]
fn msgpack_non_finite_floats_and_trailing_bytes_are_refused() {
    let mut body = vec![0x91, 0x81, 0xa1, b'a'];
    rmp::encode::write_f64(&mut body, f64::NAN).unwrap();
    assert!(reason(msgpack(&body)).contains("non-finite"));
    assert!(reason(msgpack(&[0x91, 0x80, 0xc0])).contains("trailing bytes"));
}

#[test]
fn ndjson_lines_are_copied_verbatim_and_blank_lines_skipped() {
    let body = b"{\"a\":1,\"b\":{\"c\":[1,2]}}\r\n\n  \n{\"message\":\"x\"}";
    let (n, out) = ndjson(body).unwrap();
    assert_eq!(n, 2);
    assert_eq!(out, "{\"a\":1,\"b\":{\"c\":[1,2]}}\n{\"message\":\"x\"}\n");
}

#[test]
fn ndjson_one_bad_line_refuses_the_whole_body() {
    let err = reason(ndjson(b"{\"a\":1}\n{\"a\":2}\n{\"a\":\n"));
    assert!(err.starts_with("ndjson: line 3:"), "{err}");
    assert!(reason(ndjson(b"[1,2]\n")).contains("not a JSON object"));
    assert!(reason(ndjson(b"\"s\"\n")).contains("not a JSON object"));
    assert!(reason(ndjson(b"{\"a\":1} {\"b\":2}\n")).contains("trailing characters"));
    assert!(reason(ndjson(b"{\"a\":\"\xff\"}\n")).contains("line 1"));
}

#[test]
fn ndjson_duplicate_keys_are_refused_at_any_depth() {
    assert!(reason(ndjson(b"{\"a\":1,\"a\":2}")).contains("duplicate key"));
    assert!(reason(ndjson(b"{\"x\":[{\"a\":1,\"\\u0061\":2}]}")).contains("duplicate key"));
    let many: String = (0..40).map(|i| format!("\"k{}\":0,", i % 39)).collect();
    assert!(reason(ndjson(format!("{{{}\"z\":1}}", many).as_bytes())).contains("duplicate key"));
}

#[test]
fn ndjson_deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(reason(ndjson(deep.as_bytes())).contains(TOO_DEEP));
    let unclosed = "{\"a\":".repeat(100_000);
    assert!(reason(ndjson(unclosed.as_bytes())).contains(TOO_DEEP));
}

#[test]
fn content_types_map_to_formats() {
    assert_eq!(
        BodyFormat::from_content_type("application/x-msgpack"),
        Some(BodyFormat::Msgpack)
    );
    assert_eq!(
        BodyFormat::from_content_type("application/json"),
        Some(BodyFormat::Ndjson)
    );
    assert_eq!(BodyFormat::from_content_type(""), None);
    assert_eq!(
        BodyFormat::from_content_type("application/octet-stream"),
        None
    );
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Dyadic fractions parse back exactly with serde_json's float parser.
        (-1_000_000_i32..1_000_000).prop_map(|i| Value::from(f64::from(i) / 8.0)),
        ".*".prop_map(Value::String),
    ]
}

fn json_tree() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn record_strategy() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(".{0,8}", json_tree(), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    #[test]
    fn msgpack_round_trips_through_json_lines(records in prop::collection::vec(record_strategy(), 0..8)) {
        let (n, out) = msgpack(&batch(&records)).unwrap();
        prop_assert_eq!(n, records.len());
        let parsed: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(&parsed, &records);
        // And the NDJSON path accepts what the msgpack path wrote.
        let (m, again) = ndjson(out.as_bytes()).unwrap();
        prop_assert_eq!(m, records.len());
        prop_assert_eq!(again, out);
    }

    #[test]
    fn msgpack_arbitrary_bytes_never_panic_and_refusals_write_nothing(body in prop::collection::vec(any::<u8>(), 0..256)) {
        msgpack(&body).ok();
    }

    #[test]
    fn ndjson_arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        ndjson(&body).ok();
    }
}
