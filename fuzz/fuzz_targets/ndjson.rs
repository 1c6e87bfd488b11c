//! Any body as an NDJSON batch: the collector's decoder never panics or
//! overflows its stack, appends nothing when it refuses a body, and when it
//! accepts one appends exactly its non-empty lines, trimmed, each one JSON
//! object nested at most `MAX_RECORD_DEPTH` levels.
//!
//! ```text
//! cargo +nightly fuzz run ndjson
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;
use logwood_collector::{BodyFormat, MAX_RECORD_DEPTH, decode_batch};

fuzz_target!(|body: &[u8]| {
    let mut out = b"previous\n".to_vec();
    match decode_batch(BodyFormat::Ndjson, body, &mut out) {
        Err(_) => assert_eq!(out, b"previous\n", "a refused body appended output"),
        Ok(records) => {
            let written = &out[b"previous\n".len()..];
            let expected: Vec<u8> = body
                .split(|&b| b == b'\n')
                .map(<[u8]>::trim_ascii)
                .filter(|line| !line.is_empty())
                .flat_map(|line| line.iter().copied().chain([b'\n']))
                .collect();
            assert_eq!(written, expected, "lines are copied through verbatim");
            let lines: Vec<&[u8]> = written
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(lines.len(), records, "one line per record");
            for line in lines {
                assert!(depth(line) <= MAX_RECORD_DEPTH, "a record nested too deep");
                let mut de = serde_json::Deserializer::from_slice(line);
                de.disable_recursion_limit();
                let value: serde_json::Value =
                    serde::Deserialize::deserialize(&mut de).expect("a line that is not JSON");
                de.end().expect("trailing characters on a line");
                assert!(value.is_object(), "a record that is not an object");
            }
        }
    }
});

/// The deepest nesting of arrays and objects, brackets in strings aside.
fn depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0_usize, 0, false, false);
    for &b in json {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}
