//! A JSON check that parsing hides: duplicate keys in an object.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A duplicate key found by [`check_no_duplicate_keys`], or a parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey(pub String);

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "duplicate key or invalid JSON: {}", self.0)
    }
}

impl std::error::Error for DuplicateKey {}

/// Parses `text` as one JSON value and fails on the first object that holds
/// the same key twice (serde_json alone silently keeps the last one).
///
/// # Errors
///
/// The duplicated key, or the parser's message when `text` is not JSON.
///
/// # Examples
///
/// ```
/// use logwood_testkit::check_no_duplicate_keys;
/// assert!(check_no_duplicate_keys(r#"{"a":{"b":1},"c":[{"b":2}]}"#).is_ok());
/// assert!(check_no_duplicate_keys(r#"{"a":1,"a":2}"#).is_err());
/// ```
pub fn check_no_duplicate_keys(text: &str) -> Result<(), DuplicateKey> {
    let mut de = serde_json::Deserializer::from_str(text);
    // Deep records (100-level dotted names) nest further than serde_json's default 128.
    de.disable_recursion_limit();
    NoDup
        .deserialize(&mut de)
        .map_err(|e| DuplicateKey(e.to_string()))?;
    de.end().map_err(|e| DuplicateKey(e.to_string()))
}

struct NoDup;

impl<'de> DeserializeSeed<'de> for NoDup {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(NoDupVisitor)
    }
}

struct NoDupVisitor;

impl<'de> Visitor<'de> for NoDupVisitor {
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
        while seq.next_element_seed(NoDup)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("key {key:?} appears twice")));
            }
            map.next_value_seed(NoDup)?;
        }
        Ok(())
    }
}
