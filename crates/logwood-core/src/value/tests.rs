//! Unit tests of the context tree.

use super::*;

fn json(map: &Map) -> String {
    let mut out = Vec::new();
    crate::encode::write_value::<crate::encode::Json>(&mut out, &Value::Map(Box::new(map.clone())));
    String::from_utf8(out).unwrap()
}

#[test]
fn leaves_are_walked_with_dotted_paths() {
    let mut m = Map::new();
    m.insert_dotted("user.id", 42u64.into());
    m.insert_dotted("user.name", "ann".into());
    m.insert_dotted("job", 1u64.into());
    let mut seen = Vec::new();
    m.for_each_leaf(&mut String::new(), &mut |path, v| {
        seen.push(format!("{path}={v}"))
    });
    assert_eq!(seen, ["user.id=42", "user.name=ann", "job=1"]);
}

#[test]
fn dotted_names_nest() {
    let mut m = Map::new();
    m.insert_dotted("user.id", 42u64.into());
    m.insert_dotted("user.name", "ann".into());
    assert_eq!(json(&m), r#"{"user":{"id":42,"name":"ann"}}"#);
}

#[test]
fn later_write_wins_leaf_object_conflicts() {
    let mut m = Map::new();
    m.insert_dotted("a", 1u64.into());
    m.insert_dotted("a.b", 2u64.into());
    assert_eq!(json(&m), r#"{"a":{"b":2}}"#);
    m.insert_dotted("a", 3u64.into());
    assert_eq!(json(&m), r#"{"a":3}"#);
}

#[test]
fn merge_is_deep_and_the_overlay_wins() {
    let mut outer = Map::new();
    outer.insert_dotted("job.id", 123u64.into());
    outer.insert_dotted("job.count", 1u64.into());
    let mut inner = Map::new();
    inner.insert_dotted("job.count", 2u64.into());
    outer.merge(&inner);
    assert_eq!(json(&outer), r#"{"job":{"id":123,"count":2}}"#);
}

#[test]
fn metadata_names_are_reserved_at_the_top_level_only() {
    let mut m = Map::new();
    m.insert_dotted("runtime.x", 1u64.into());
    m.insert_dotted("system", 2u64.into());
    m.insert_dotted("a.runtime", 3u64.into());
    assert_eq!(
        json(&m),
        r#"{"_runtime":{"x":1},"_system":2,"a":{"runtime":3}}"#
    );
}

#[test]
fn a_very_deep_dotted_name_nests_at_most_max_depth_levels_on_a_small_stack() {
    let name = vec!["a"; 40_000].join(".");
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut m = Map::new();
            m.insert_dotted_owned(&name, 1u64.into());
            let mut merged = Map::new();
            merged.merge(&m);
            let mut leaves = 0;
            merged.for_each_leaf(&mut String::new(), &mut |_, _| leaves += 1);
            assert_eq!(leaves, 1);
            let text = json(&merged);
            assert_eq!(text.matches('{').count(), MAX_DEPTH);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn key_masks_summarize_first_segments() {
    assert_eq!(first_segment_bit("user.id.raw"), key_bit("user"));
    assert_eq!(first_segment_bit("user"), key_bit("user"));
    assert_eq!(first_segment_bit(""), key_bit(""));
    let mut map = Map::default();
    map.insert_dotted("user.id", Value::U64(1));
    map.insert_dotted("tenant", Value::Str("acme".into()));
    // A map's mask holds the bit of each top-level key.
    assert_eq!(map.key_mask(), key_bit("user") | key_bit("tenant"));
    assert_eq!(key_bit("user").count_ones(), 1);
}
