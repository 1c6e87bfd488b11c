//! The flat walk of a record, for flat formats (RFC 5424 SD-PARAMs,
//! `key=value` text): every scalar of `context` under its dotted path.

use crate::meta;
use crate::value::{Map, Value};

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
    /// `system.hostname`.
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
}
