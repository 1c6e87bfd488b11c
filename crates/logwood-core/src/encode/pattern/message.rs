//! `%(message)s`: the message, then ` key=value` for each field (and, when
//! asked, each context leaf), written with the one `key=value` rule set of
//! [`kv`](crate::encode::kv).

use crate::encode::{Kv, kv};
use crate::field::EventFields;
use crate::record::{Leaf, Record};

/// Reused buffers of the message step.
#[derive(Debug, Default)]
pub(crate) struct MessageScratch {
    /// Byte ranges (in the output) of the event-field keys written.
    keys: Vec<(usize, usize)>,
    /// The dotted path of a context leaf.
    path: String,
}

impl MessageScratch {
    pub(crate) fn shrink(&mut self, cap: usize) {
        if self.path.capacity() > cap {
            self.path = String::new();
        }
        if self.keys.capacity() > 1024 {
            self.keys = Vec::new();
        }
    }
}

/// Writes the message, the event's fields (those lifted out of the message
/// included), then the record's metadata leaves (when the layer writes
/// runtime / system metadata) and its context leaves: the static context,
/// with the span context merged on top when `span_context`; a context key
/// an event field already wrote is skipped.
pub(crate) fn write_message(
    out: &mut Vec<u8>,
    fields: &mut EventFields,
    record: &Record<'_>,
    span_context: bool,
    scratch: &mut MessageScratch,
) {
    let start = out.len();
    if let Some(message) = fields.message() {
        // Encoded with `Text`: the message as it is.
        out.extend_from_slice(message);
    }
    scratch.keys.clear();
    // The first segments of the keys the context leaves may write: none
    // (the default: no static context, no metadata, no span context) and
    // the fields need no check at all.
    let context_mask = if span_context {
        record.context_key_mask()
    } else {
        record.static_key_mask()
    };
    // The first segments of the event's keys, to know whether a context
    // leaf could repeat one of them.
    let mut event_mask = 0;
    // Plain names (the usual case) are their own first segment.
    let flat = fields.is_flat();
    fields.for_each_kept(|head, name, value| {
        if out.len() > start {
            out.push(b' ');
        }
        let key_start = out.len();
        kv::write_key(out, head, name);
        let key_end = out.len();
        out.push(b'=');
        kv::write_value(out, value);
        if context_mask == 0 {
            return;
        }
        scratch.keys.push((key_start, key_end));
        event_mask |= Record::field_bit(flat, head, name);
    });
    if context_mask == 0 {
        return;
    }
    let MessageScratch { keys, path } = scratch;
    if event_mask & context_mask == 0 {
        // No context leaf can repeat an event key: copy the cached leaves.
        let at = out.len();
        record.write_metadata_flat::<Kv>(out);
        if span_context {
            record.write_context_flat::<Kv>(out, path);
        } else {
            record.write_static_flat::<Kv>(out);
        }
        // Each leaf starts with a space; none before the first pair of a
        // line that has nothing else.
        if at == start && out.len() > at {
            out.remove(at);
        }
        return;
    }
    let mut leaf_pair = |path: &str, leaf: Leaf<'_>| {
        let before = out.len();
        if out.len() > start {
            out.push(b' ');
        }
        let key_start = out.len();
        kv::write_key(out, "", path);
        let key = &out[key_start..];
        if keys.iter().any(|&(s, e)| out.get(s..e) == Some(key)) {
            out.truncate(before);
            return;
        }
        out.push(b'=');
        kv::write_leaf(out, leaf);
    };
    record.for_each_metadata_leaf(&mut leaf_pair);
    path.clear();
    if span_context {
        record.for_each_context_leaf(path, &mut |p, v| leaf_pair(p, Leaf::Value(v)));
    } else {
        record
            .opts
            .context
            .map()
            .for_each_leaf(path, &mut |p, v| leaf_pair(p, Leaf::Value(v)));
    }
}
