//! Laying event fields out as a tree: dotted names nest, and no key is
//! written twice.
//!
//! The rule is the one of [`Map::insert_dotted`](crate::value::Map::insert_dotted)
//! applied in recording order: a later field wins over an earlier one of the
//! same path, a later leaf replaces an earlier object at its path, and a
//! later object replaces an earlier leaf. So `a = 1, a.b = 2` is
//! `{"a":{"b":2}}` and `a.b = 2, a = 1` is `{"a":1}`.
//!
//! Fast path: no dotted or reserved name and no repeated name, the fields are
//! written in order. Otherwise the fields are sorted by path (reused index
//! scratch, no allocation in steady state), the losers of each conflict are
//! dropped, and the survivors are written with objects opened and closed as
//! the sorted paths enter and leave them.

use std::cmp::Ordering;

use super::MAX_DEPTH;
use super::event::{Entry, EventFields, name_of};
use crate::encode::Format;
use crate::value::key_bit;

// `names` below is `EventFields::names`, where lifted names live.

fn key_bytes<'a>(names: &'a str, e: &'a Entry) -> impl Iterator<Item = u8> + Clone + 'a {
    e.head.bytes().chain(name_of(names, e).bytes())
}

/// Path order: segment by segment, a prefix before its extensions, so that
/// every subtree is one contiguous run.
fn cmp_path(names: &str, a: &Entry, b: &Entry) -> Ordering {
    let rank = |b: u8| if b == b'.' { 0u16 } else { u16::from(b) + 1 };
    key_bytes(names, a)
        .map(rank)
        .cmp(key_bytes(names, b).map(rank))
}

/// Whether `a`'s path equals `b`'s or is an ancestor of it.
pub(super) fn prefix_or_equal(names: &str, a: &Entry, b: &Entry) -> bool {
    let mut bb = key_bytes(names, b);
    for x in key_bytes(names, a) {
        if bb.next() != Some(x) {
            return false;
        }
    }
    matches!(bb.next(), None | Some(b'.'))
}

/// The segments of an entry's path (the head joined to the first segment),
/// at most [`MAX_DEPTH`] of them.
fn segments<'a>(names: &'a str, e: &'a Entry) -> impl Iterator<Item = (&'static str, &'a str)> {
    let head = e.head;
    name_of(names, e)
        .splitn(MAX_DEPTH, '.')
        .enumerate()
        .map(move |(i, s)| (if i == 0 { head } else { "" }, s))
}

/// Whether no two of (at most 16) entries share a name. A 64-bit summary
/// of the names (one cheap hash bit each) answers most field sets without
/// comparing a single pair; only when two bits meet are the names compared.
fn no_repeated_names(names: &str, entries: &[Entry]) -> bool {
    if entries.len() > 16 {
        return false;
    }
    let mut seen = 0u64;
    let mut met = false;
    for e in entries {
        let bit = key_bit(name_of(names, e));
        met |= seen & bit != 0;
        seen |= bit;
    }
    !met || entries.iter().enumerate().all(|(i, e)| {
        entries[..i]
            .iter()
            .all(|o| name_of(names, o) != name_of(names, e))
    })
}

// === impl EventFields ===

impl EventFields {
    /// Marks in `self.keep` (indexed by sorted position) the fields that
    /// survive, with `self.order` holding the sorted positions.
    fn resolve(&mut self) {
        let n = self.entries.len();
        let entries = &self.entries;
        let names = self.names.as_str();
        self.order.clear();
        self.order.extend(0..n as u32);
        self.order.sort_unstable_by(|&a, &b| {
            cmp_path(names, &entries[a as usize], &entries[b as usize]).then(a.cmp(&b))
        });
        let order = &self.order;
        let at = |k: usize| &entries[order[k] as usize];
        self.keep.clear();
        self.keep.resize(n, true);
        // A later field at the same path or below it wins.
        for k in 0..n {
            for m in k + 1..n {
                if !prefix_or_equal(names, at(k), at(m)) {
                    break;
                }
                if order[m] > order[k] {
                    self.keep[k] = false;
                    break;
                }
            }
        }
        // A later field at an ancestor path (a leaf) wins.
        self.stack.clear();
        for (k, &index) in order.iter().enumerate() {
            while let Some(&(top, _)) = self.stack.last() {
                if prefix_or_equal(names, at(top as usize), at(k)) {
                    break;
                }
                self.stack.pop();
            }
            let latest_ancestor = self.stack.last().map(|&(_, max)| max);
            if latest_ancestor.is_some_and(|max| max > index) {
                self.keep[k] = false;
            }
            let max = latest_ancestor.map_or(index, |max| max.max(index));
            self.stack.push((k as u32, max));
        }
    }

    /// Writes the fields as entries of the open map `map`, nested by dots,
    /// without duplicate keys.
    pub fn write_into<F: Format>(&mut self, out: &mut Vec<u8>, map: &mut F::Map) {
        let names = self.names.as_str();
        if !self.nested && no_repeated_names(names, &self.entries) {
            for e in &self.entries {
                F::map_key(out, map, "", name_of(names, e));
                out.extend_from_slice(&self.arena[e.value.clone()]);
            }
            return;
        }
        self.resolve();
        let names = self.names.as_str();
        // open[d] is the map at depth d + 1; `map` is depth 0.
        let mut open: [Option<F::Map>; MAX_DEPTH] = [None; MAX_DEPTH];
        let mut depth = 0usize;
        let mut prev: Option<&Entry> = None;
        for (k, &i) in self.order.iter().enumerate() {
            if !self.keep[k] {
                continue;
            }
            let e = &self.entries[i as usize];
            let count = segments(names, e).count();
            // How many open objects this path shares with the previous one.
            let common = prev.map_or(0, |p| {
                segments(names, p)
                    .zip(segments(names, e))
                    .take(depth.min(count - 1))
                    .take_while(|((h1, s1), (h2, s2))| {
                        h1.len() + s1.len() == h2.len() + s2.len()
                            && h1
                                .bytes()
                                .chain(s1.bytes())
                                .eq(h2.bytes().chain(s2.bytes()))
                    })
                    .count()
            });
            while depth > common {
                if let Some(m) = open[depth - 1].take() {
                    F::map_end(out, m);
                }
                depth -= 1;
            }
            for (j, (head, seg)) in segments(names, e).enumerate().skip(depth) {
                let parent = match depth {
                    0 => &mut *map,
                    d => match open[d - 1].as_mut() {
                        Some(parent) => parent,
                        // Every depth below `depth` is open: not reached.
                        None => return,
                    },
                };
                F::map_key(out, parent, head, seg);
                if j + 1 == count {
                    out.extend_from_slice(&self.arena[e.value.clone()]);
                } else {
                    open[depth] = Some(F::map_begin(out));
                    depth += 1;
                }
            }
            prev = Some(e);
        }
        while depth > 0 {
            if let Some(m) = open[depth - 1].take() {
                F::map_end(out, m);
            }
            depth -= 1;
        }
    }

    /// Calls `f` with each surviving field (same conflict rule as
    /// [`EventFields::write_into`]) as `(head, dotted name, encoded value)`,
    /// in path order: for flat formats (`key=value`, RFC 5424 SD-PARAMs).
    ///
    /// Names are `&str` rather than `&'static str` because fields lifted out
    /// of the message have names that live in this event's buffers.
    pub fn for_each_kept(&mut self, mut f: impl FnMut(&'static str, &str, &[u8])) {
        let names = self.names.as_str();
        if !self.nested && no_repeated_names(names, &self.entries) {
            for e in &self.entries {
                f("", name_of(names, e), &self.arena[e.value.clone()]);
            }
            return;
        }
        self.resolve();
        let names = self.names.as_str();
        for (k, &i) in self.order.iter().enumerate() {
            if self.keep[k] {
                let e = &self.entries[i as usize];
                f(e.head, name_of(names, e), &self.arena[e.value.clone()]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::encode::{Json, write_value};
    use crate::value::{Map, Value};

    /// Leaks names so they are `'static` like tracing's field names.
    fn leak(name: &str) -> &'static str {
        Box::leak(name.to_owned().into_boxed_str())
    }

    fn layout_json(fields: &[(&'static str, u64)]) -> String {
        let mut ev = EventFields::default();
        ev.clear(false);
        for &(name, v) in fields {
            ev.push(name, |out| Json::write_u64(out, v));
        }
        let mut out = Vec::new();
        let mut map = Json::map_begin(&mut out);
        ev.write_into::<Json>(&mut out, &mut map);
        Json::map_end(&mut out, map);
        String::from_utf8(out).unwrap()
    }

    /// The specification: apply the fields one by one to a tree.
    fn model_json(fields: &[(&'static str, u64)]) -> serde_json::Value {
        let mut map = Map::new();
        for &(name, v) in fields {
            let first = name.split('.').next().unwrap();
            let name = if crate::field::RESERVED_RECORD_KEYS.contains(&first) {
                leak(&format!("_{name}"))
            } else {
                name
            };
            // The model has no metadata keys at the top of an event.
            map.insert_segments_for_test(name, Value::U64(v));
        }
        let mut out = Vec::new();
        write_value::<Json>(&mut out, &Value::Map(Box::new(map)));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn later_fields_win_conflicts() {
        assert_eq!(layout_json(&[("a", 1), ("a.b", 2)]), r#"{"a":{"b":2}}"#);
        assert_eq!(layout_json(&[("a.b", 2), ("a", 1)]), r#"{"a":1}"#);
        assert_eq!(layout_json(&[("a", 1), ("a", 2)]), r#"{"a":2}"#);
        // Nested layouts are written in path order.
        assert_eq!(
            layout_json(&[("x.y", 1), ("z", 3), ("x.w", 2)]),
            r#"{"x":{"w":2,"y":1},"z":3}"#
        );
        assert_eq!(
            layout_json(&[("level", 1), ("dt", 2)]),
            r#"{"_dt":2,"_level":1}"#
        );
    }

    #[test]
    fn deep_names_nest_up_to_the_limit() {
        let name = leak(&vec!["a"; 200].join("."));
        let json = layout_json(&[(name, 1)]);
        logwood_testkit::check_no_duplicate_keys(&json).unwrap();
        assert_eq!(json.matches('{').count(), MAX_DEPTH);
        assert!(json.contains(&format!(
            "\"{}\":1",
            vec!["a"; 200 - MAX_DEPTH + 1].join(".")
        )));
    }

    proptest! {
        #[test]
        fn layout_matches_sequential_model(
            fields in proptest::collection::vec(
                (proptest::collection::vec(prop::sample::select(vec!["a", "b", "level", "c", ""]), 1..4), 0u64..100),
                0..12,
            )
        ) {
            let fields: Vec<(&'static str, u64)> =
                fields.into_iter().map(|(segs, v)| (leak(&segs.join(".")), v)).collect();
            let ours = layout_json(&fields);
            logwood_testkit::check_no_duplicate_keys(&ours).unwrap();
            let ours: serde_json::Value = serde_json::from_str(&ours).unwrap();
            prop_assert_eq!(ours, model_json(&fields));
        }
    }
}
