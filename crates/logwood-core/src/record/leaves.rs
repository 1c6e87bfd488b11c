//! The flat walk of a record, for flat formats (RFC 5424 SD-PARAMs,
//! `key=value` text): every scalar of `context` under its dotted path.

use crate::encode::Flat;
use crate::meta;
use crate::value::{Map, Value, key_bit};

use super::Record;

/// A scalar of the record's context, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Leaf<'a> {
    /// A string.
    Str(&'a str),
    /// An unsigned integer.
    U64(u64),
    /// A context value (never a map: leaves are scalars).
    Value(&'a Value),
}

// === impl Record ===

impl Record<'_> {
    /// Calls `f` with each leaf of `context.runtime` and `context.system`
    /// (when the layer writes them) under its dotted path:
    /// `runtime.function`, `runtime.module`, `runtime.file`,
    /// `runtime.line`, `runtime.thread_id`, `runtime.thread_name`,
    /// `runtime.logger_name`, `system.pid`, `system.process_name`,
    /// `system.hostname`; then `trace_id` and `span_id` when the event's
    /// span has OpenTelemetry ids (see [`Record::for_each_trace_id`]).
    pub fn for_each_metadata_leaf(&self, f: &mut impl FnMut(&str, Leaf<'_>)) {
        let meta = self.meta;
        if self.opts.runtime {
            if let Some(span) = self.span {
                f("runtime.function", Leaf::Str(span.function));
            }
            if let Some(module) = meta.module_path() {
                f("runtime.module", Leaf::Str(module));
            }
            if let Some(file) = meta.file() {
                f("runtime.file", Leaf::Str(file));
            }
            if let Some(line) = meta.line() {
                f("runtime.line", Leaf::U64(line.into()));
            }
            f("runtime.thread_id", Leaf::U64(meta::thread_id()));
            meta::thread_name(|name| {
                if let Some(name) = name {
                    f("runtime.thread_name", Leaf::Str(name));
                }
            });
            f("runtime.logger_name", Leaf::Str(meta.target()));
        }
        if self.opts.system {
            let system = meta::system();
            f("system.pid", Leaf::U64(system.pid.into()));
            f("system.process_name", Leaf::Str(&system.process_name));
            f("system.hostname", Leaf::Str(&system.hostname));
        }
        self.for_each_trace_id(|key, hex| f(key, Leaf::Str(hex)));
    }

    /// Calls `f` with each leaf of the layer's static context with the span
    /// context merged on top (the same tree as `context` in the JSON record,
    /// without `runtime` and `system`), under its dotted path (`user.id`).
    /// `path` is a reused buffer.
    pub fn for_each_context_leaf(&self, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
        path.clear();
        let fixed: &Map = self.opts.context.map();
        match self.span.map(|s| s.merged) {
            Some(span) if !span.is_empty() => {
                if span.shares_key_with(fixed) {
                    let mut both = fixed.clone();
                    both.merge(span.map());
                    both.for_each_leaf(path, f);
                } else {
                    fixed.for_each_leaf(path, f);
                    span.for_each_leaf(path, f);
                }
            }
            _ => fixed.for_each_leaf(path, f),
        }
    }

    /// Writes the metadata leaves (see
    /// [`for_each_metadata_leaf`](Self::for_each_metadata_leaf)) in the
    /// flat dialect `D`, each with its separator.
    pub fn write_metadata_flat<D: Flat>(&self, out: &mut Vec<u8>) {
        self.for_each_metadata_leaf(&mut |path, leaf| D::leaf(out, path, leaf));
    }

    /// Writes the context leaves (see
    /// [`for_each_context_leaf`](Self::for_each_context_leaf)) in the flat
    /// dialect `D`, each with its separator: the static context's and each
    /// span's leaves are encoded once and copied (walked again only when
    /// the static and span context share a top-level key).
    pub fn write_context_flat<D: Flat>(&self, out: &mut Vec<u8>, path: &mut String) {
        let fixed = &self.opts.context;
        match self.span.map(|s| s.merged) {
            Some(span) if !span.is_empty() => {
                if span.shares_key_with(fixed.map()) {
                    path.clear();
                    let mut both = fixed.map().clone();
                    both.merge(span.map());
                    both.for_each_leaf(path, &mut |p, v| D::leaf(out, p, Leaf::Value(v)));
                } else {
                    out.extend_from_slice(fixed.flat::<D>());
                    span.flat_into::<D>(out, path);
                }
            }
            _ => out.extend_from_slice(fixed.flat::<D>()),
        }
    }

    /// Writes the static context's leaves only (no span context) in the
    /// flat dialect `D`, each with its separator.
    pub fn write_static_flat<D: Flat>(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.opts.context.flat::<D>());
    }

    /// A summary of the first segments of every context leaf's path
    /// (`runtime` and `system` included when the layer writes them): a
    /// dotted name whose first segment's bit is not in it is no leaf's
    /// path.
    pub fn context_key_mask(&self) -> u64 {
        self.key_mask_with(true)
    }

    /// [`context_key_mask`](Self::context_key_mask) without the span
    /// context's keys: for a layer that writes the static context only.
    pub fn static_key_mask(&self) -> u64 {
        self.key_mask_with(false)
    }

    fn key_mask_with(&self, spans: bool) -> u64 {
        let mut mask = self.opts.context.key_mask();
        if let (true, Some(span)) = (spans, self.span) {
            mask |= span.merged.key_mask();
        }
        if self.opts.runtime {
            mask |= key_bit("runtime");
        }
        if self.opts.system {
            mask |= key_bit("system");
        }
        if self.trace.is_some() {
            mask |= key_bit("trace_id") | key_bit("span_id");
        }
        mask
    }

    /// The bit in [`context_key_mask`](Self::context_key_mask) of an event
    /// field's first segment, as [`EventFields::for_each_kept`] passes the
    /// field; `flat` is [`EventFields::is_flat`] (then the name is its own
    /// first segment). A reserved name (`_level`) gets every bit: its
    /// first segment is `_` + name.
    ///
    /// [`EventFields::for_each_kept`]: crate::field::EventFields::for_each_kept
    /// [`EventFields::is_flat`]: crate::field::EventFields::is_flat
    #[inline]
    pub fn field_bit(flat: bool, head: &str, name: &str) -> u64 {
        if flat {
            key_bit(name)
        } else if head.is_empty() {
            crate::value::first_segment_bit(name)
        } else {
            !0
        }
    }

    /// The bit of a dotted name's first segment in
    /// [`context_key_mask`](Self::context_key_mask).
    #[inline]
    pub fn first_segment_bit(name: &str) -> u64 {
        crate::value::first_segment_bit(name)
    }
}
