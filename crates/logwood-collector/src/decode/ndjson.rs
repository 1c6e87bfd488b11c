//! NDJSON batch validation: every non-empty line must be one JSON object with
//! no duplicate keys at any depth; accepted lines are copied through verbatim
//! (trimmed), so the output is byte-for-byte what the JSON layer wrote.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::DecodeError;

/// Validates an NDJSON batch and appends its lines to `out`; returns the
/// number of records. On error `out` may hold some lines already.
pub(crate) fn transcode(input: &[u8], out: &mut Vec<u8>) -> Result<usize, DecodeError> {
    let mut count = 0;
    for (index, line) in input.split(|&b| b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        validate_line(line).map_err(|reason| DecodeError::Ndjson {
            line: index + 1,
            reason,
        })?;
        out.extend_from_slice(line);
        out.push(b'\n');
        count += 1;
    }
    Ok(count)
}

fn validate_line(line: &[u8]) -> Result<(), String> {
    if line.first() != Some(&b'{') {
        return Err("not a JSON object".to_owned());
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    // serde_json's default recursion limit (128) bounds the depth.
    Any::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

/// Any JSON value, checked for duplicate keys, kept nowhere.
struct Any;

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = Any;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_str<E>(self, _: &str) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_unit<E>(self) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Any, A::Error> {
        while seq.next_element::<Any>()?.is_some() {}
        Ok(Any)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Any, A::Error> {
        let mut small: Vec<Cow<'de, str>> = Vec::new();
        let mut large: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(Key(key)) = map.next_key_seed(KeySeed)? {
            let duplicate = match &mut large {
                Some(set) => !set.insert(key),
                None if small.len() < 16 => {
                    let duplicate = small.contains(&key);
                    small.push(key);
                    duplicate
                }
                None => {
                    let mut set: HashSet<_> = small.drain(..).collect();
                    let duplicate = !set.insert(key);
                    large = Some(set);
                    duplicate
                }
            };
            if duplicate {
                return Err(de::Error::custom("duplicate key in an object"));
            }
            map.next_value::<Any>()?;
        }
        Ok(Any)
    }
}

struct Key<'de>(Cow<'de, str>);

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s.to_owned())))
    }
}
