//! Any body as an OTLP/HTTP logs request, protobuf or JSON (chosen by the
//! first byte): the collector's decoder never panics or overflows its stack,
//! appends nothing when it refuses a body, and when it accepts one appends
//! exactly one line per log record, each a JSON object `{"otlp":{…}}` with
//! every documented key, in order, and no key repeated anywhere.
//!
//! ```text
//! cargo +nightly fuzz run otlp
//! ```

#![no_main]

use std::collections::HashSet;
use std::fmt;

use libfuzzer_sys::fuzz_target;
use logwood_collector::{OtlpFormat, decode_otlp_logs};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

const KEYS: [&str; 13] = [
    "resource",
    "scope",
    "timeUnixNano",
    "observedTimeUnixNano",
    "severityNumber",
    "severityText",
    "eventName",
    "body",
    "attributes",
    "droppedAttributesCount",
    "flags",
    "traceId",
    "spanId",
];

fuzz_target!(|data: &[u8]| {
    let (format, body) = match data.split_first() {
        Some((&selector, body)) if selector & 1 == 1 => (OtlpFormat::Json, body),
        Some((_, body)) => (OtlpFormat::Protobuf, body),
        None => return,
    };
    let mut out = b"previous\n".to_vec();
    match decode_otlp_logs(format, body, &mut out) {
        Err(_) => assert_eq!(out, b"previous\n", "a refused body appended output"),
        Ok(records) => {
            let written = &out[b"previous\n".len()..];
            let lines: Vec<&[u8]> = written
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(lines.len(), records, "one line per record");
            for line in lines {
                let mut de = serde_json::Deserializer::from_slice(line);
                de.disable_recursion_limit();
                NoDuplicates
                    .deserialize(&mut de)
                    .expect("a line that is not JSON, or repeats a key");
                de.end().expect("trailing characters on a line");
                let mut de = serde_json::Deserializer::from_slice(line);
                de.disable_recursion_limit();
                let value: serde_json::Value = serde::Deserialize::deserialize(&mut de).unwrap();
                let record = value["otlp"].as_object().expect("no otlp object");
                let mut de = serde_json::Deserializer::from_slice(line);
                de.disable_recursion_limit();
                let Line { otlp: Keys(keys) } = serde::Deserialize::deserialize(&mut de).unwrap();
                assert_eq!(keys, KEYS, "the documented keys, in order");
                for key in ["resource", "attributes"] {
                    assert!(record[key].is_object(), "{key} is not an object");
                }
                for key in ["timeUnixNano", "observedTimeUnixNano"] {
                    let text = record[key].as_str().expect("a time that is not a string");
                    assert!(text.parse::<u64>().is_ok(), "{key} is not a u64");
                }
                for (key, len) in [("traceId", 32), ("spanId", 16)] {
                    let hex = record[key].as_str().expect("an id that is not a string");
                    assert!(
                        hex.is_empty() || hex.len() == len,
                        "{key} has the wrong length"
                    );
                }
            }
        }
    }
});

/// A line's shape: the keys of its `otlp` object, in order.
#[derive(serde::Deserialize)]
struct Line {
    otlp: Keys,
}

struct Keys(Vec<String>);

impl<'de> serde::Deserialize<'de> for Keys {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;

        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = Keys;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }

        deserializer.deserialize_map(KeysVisitor)
    }
}

/// Any JSON value; an object repeating a key is an error.
struct NoDuplicates;

impl<'de> DeserializeSeed<'de> for NoDuplicates {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoDuplicates {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoDuplicates)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(de::Error::custom("a repeated key"));
            }
            map.next_value_seed(NoDuplicates)?;
        }
        Ok(())
    }
}
