//! Any body, as msgpack or NDJSON: the collector's decoder never panics,
//! appends nothing when it refuses a body, and appends exactly one valid
//! JSON object per record when it accepts one.
//!
//! ```text
//! cargo +nightly fuzz run msgpack
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;
use logwood_collector::{BodyFormat, decode_batch};

fuzz_target!(|data: &[u8]| {
    let (format, body) = match data.split_first() {
        Some((&selector, body)) if selector & 1 == 1 => (BodyFormat::Ndjson, body),
        Some((_, body)) => (BodyFormat::Msgpack, body),
        None => return,
    };
    let mut out = b"previous\n".to_vec();
    match decode_batch(format, body, &mut out) {
        Err(_) => assert_eq!(out, b"previous\n", "a refused body appended output"),
        Ok(records) => {
            let written = &out[b"previous\n".len()..];
            let lines: Vec<&[u8]> = written
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(lines.len(), records, "one line per record");
            for line in lines {
                // Records may nest up to MAX_RECORD_DEPTH (192) levels, deeper
                // than serde_json's default limit.
                let mut de = serde_json::Deserializer::from_slice(line);
                de.disable_recursion_limit();
                let value: serde_json::Value = serde::Deserialize::deserialize(&mut de)
                    .expect("an output line that is not JSON");
                de.end().expect("trailing characters on a line");
                assert!(value.is_object(), "a record that is not an object");
            }
        }
    }
});
