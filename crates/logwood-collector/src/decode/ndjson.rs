//! NDJSON batch validation: every non-empty line must be one JSON object with
//! no duplicate keys at any depth, nesting at most [`MAX_RECORD_DEPTH`]
//! levels; accepted lines are copied through verbatim (trimmed), so the
//! output is byte-for-byte what the JSON layer wrote.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{DecodeError, MAX_RECORD_DEPTH, TOO_DEEP};

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
    // serde_json's own limit (128 levels) is too low for logwood's records;
    // `Any` bounds the depth (and so the recursion) instead.
    de.disable_recursion_limit();
    Any { depth: 1 }
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

/// Any JSON value whose containers sit at `depth` (the line's object is 1),
/// checked for duplicate keys and depth, kept nowhere.
#[derive(Clone, Copy)]
struct Any {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Any {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Any {
    /// The seed for the values inside a container at this depth, or an error
    /// when the container is one level too deep.
    fn enter<E: de::Error>(self) -> Result<Self, E> {
        if self.depth > MAX_RECORD_DEPTH {
            return Err(E::custom(TOO_DEEP));
        }
        Ok(Self {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for Any {
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
        let inner = self.enter()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
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
            map.next_value_seed(inner)?;
        }
        Ok(())
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
