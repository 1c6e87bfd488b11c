//! Rendering one record through a compiled pattern.

use std::cell::RefCell;
use std::io::Write as _;

use tracing_core::{Level, Metadata};

use super::clock::{DateFormat, EventTime};
use super::message::{MessageScratch, write_message};
use super::parse::{Attr, Pattern, Piece, Segment};
use super::printf::{Spec, finish_text, write_float, write_int};
use crate::buf::MAX_RETAINED_CAPACITY;
use crate::field::EventFields;
use crate::meta;
use crate::record::Record as CoreRecord;

/// `funcName` outside any span: what Python prints for module-level code.
pub const FUNC_NAME_OUTSIDE_SPANS: &str = "<module>";

/// Python's level number and name for a `tracing` level.
pub(crate) fn python_level(level: &Level) -> (i128, &'static str) {
    match *level {
        Level::TRACE => (5, "TRACE"),
        Level::DEBUG => (10, "DEBUG"),
        Level::INFO => (20, "INFO"),
        Level::WARN => (30, "WARNING"),
        Level::ERROR => (40, "ERROR"),
    }
}

/// What the pattern layer adds to a record beyond the event.
#[derive(Debug)]
pub(crate) struct RenderOptions {
    /// The layer's process-unique id (key of the per-callsite cache).
    pub(crate) id: u64,
    pub(crate) date: DateFormat,
    pub(crate) hostname: Box<str>,
    pub(crate) dotted_logger_names: bool,
    pub(crate) span_context: bool,
    /// `%(message)s` is the message alone (no fields, no context).
    pub(crate) bare_message: bool,
}

/// One record's inputs.
pub(crate) struct Record<'a> {
    /// The record as core walks it.
    pub(crate) record: &'a CoreRecord<'a>,
    /// Its time attributes.
    pub(crate) time: EventTime,
}

/// Reused per-thread buffers of the pattern layer.
#[derive(Debug, Default)]
struct RenderScratch {
    tmp: Vec<u8>,
    message: MessageScratch,
    callsites: Vec<CachedCallsite>,
}

/// How many callsites each thread keeps rendered (direct-mapped).
const CALLSITE_SLOTS: usize = 64;

/// The per-callsite segments of one pattern, rendered for one callsite on
/// this thread.
#[derive(Debug, Default)]
struct CachedCallsite {
    /// The layer's id; 0 for an empty slot.
    layer: u64,
    /// The callsite's metadata address.
    callsite: usize,
    bytes: Vec<u8>,
    /// End of each run in `bytes`.
    ends: Vec<usize>,
}

impl CachedCallsite {
    fn run(&self, run: usize) -> &[u8] {
        let start = if run == 0 { 0 } else { self.ends[run - 1] };
        &self.bytes[start..self.ends[run]]
    }
}

/// The cached runs of `meta` for this layer, rendered on a miss.
fn cached_runs<'c>(
    slots: &'c mut Vec<CachedCallsite>,
    pattern: &Pattern,
    opts: &RenderOptions,
    meta: &'static Metadata<'static>,
    tmp: &mut Vec<u8>,
) -> &'c CachedCallsite {
    if slots.is_empty() {
        slots.resize_with(CALLSITE_SLOTS, CachedCallsite::default);
    }
    let key = std::ptr::from_ref(meta).addr();
    let hash = (key >> 4) ^ (opts.id as usize).wrapping_mul(0x9E37_79B9);
    let slot = &mut slots[hash % CALLSITE_SLOTS];
    if slot.layer != opts.id || slot.callsite != key {
        slot.bytes.clear();
        slot.ends.clear();
        for segment in pattern.segments() {
            if let Segment::PerCallsite { pieces, .. } = segment {
                for piece in &pattern.pieces()[pieces.clone()] {
                    match piece {
                        Piece::Literal(range) => {
                            slot.bytes.extend_from_slice(pattern.literal(range))
                        }
                        Piece::Attr(attr, spec) => {
                            callsite_attribute(&mut slot.bytes, *attr, spec, opts, meta, tmp);
                        }
                    }
                }
                slot.ends.push(slot.bytes.len());
            }
        }
        slot.layer = opts.id;
        slot.callsite = key;
    }
    slot
}

thread_local! {
    static SCRATCH: RefCell<RenderScratch> = RefCell::new(RenderScratch::default());
}

fn basename(path: &str) -> &str {
    match path.bytes().rposition(|b| b == b'/' || b == b'\\') {
        Some(at) => &path[at + 1..],
        None => path,
    }
}

/// The last segment of a `::` path.
fn last_segment(path: &str) -> &str {
    let b = path.as_bytes();
    let mut i = b.len();
    while i >= 2 {
        if b[i - 1] == b':' && b[i - 2] == b':' {
            return &path[i..];
        }
        i -= 1;
    }
    path
}

/// `module`: the last segment of the module path; without one (some
/// bridged records), the file name without its extension, as Python.
fn module<'a>(meta: &'a Metadata<'a>) -> &'a str {
    match meta.module_path() {
        Some(path) => last_segment(path),
        None => match meta.file() {
            Some(file) => {
                let name = basename(file);
                name.rsplit_once('.').map_or(name, |(stem, _)| stem)
            }
            None => UNKNOWN_FILE,
        },
    }
}

/// `pathname` and friends when the callsite has no file: Python's text.
const UNKNOWN_FILE: &str = "(unknown file)";

/// Writes a string attribute.
fn text(out: &mut Vec<u8>, spec: &Spec, tmp: &mut Vec<u8>, value: &str) {
    let start = out.len();
    out.extend_from_slice(value.as_bytes());
    finish_text(out, start, spec, tmp);
}

/// Renders `record` through `pattern` into `out`.
pub(crate) fn render(
    out: &mut Vec<u8>,
    pattern: &Pattern,
    opts: &RenderOptions,
    record: &Record<'_>,
    fields: &mut EventFields,
) {
    let reused = SCRATCH.try_with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        render_with(out, pattern, opts, record, fields, &mut scratch);
        Some(())
    });
    if !matches!(reused, Ok(Some(()))) {
        render_with(
            out,
            pattern,
            opts,
            record,
            fields,
            &mut RenderScratch::default(),
        );
    }
}

fn render_with(
    out: &mut Vec<u8>,
    pattern: &Pattern,
    opts: &RenderOptions,
    record: &Record<'_>,
    fields: &mut EventFields,
    scratch: &mut RenderScratch,
) {
    let RenderScratch {
        tmp,
        message,
        callsites,
    } = scratch;
    let cached = record
        .record
        .callsite
        .map(|meta| cached_runs(callsites, pattern, opts, meta, tmp));
    let pieces = pattern.pieces();
    for segment in pattern.segments() {
        match segment {
            Segment::Piece(i) => piece(
                out,
                pattern,
                &pieces[*i],
                opts,
                record,
                fields,
                tmp,
                message,
            ),
            Segment::PerCallsite { run, pieces: range } => match cached {
                Some(cached) => out.extend_from_slice(cached.run(*run)),
                None => {
                    for p in &pieces[range.clone()] {
                        piece(out, pattern, p, opts, record, fields, tmp, message);
                    }
                }
            },
        }
    }
    tmp.clear();
    if tmp.capacity() > MAX_RETAINED_CAPACITY {
        *tmp = Vec::new();
    }
    message.shrink(MAX_RETAINED_CAPACITY);
}

#[allow(clippy::too_many_arguments)] // the parts of one record and the thread's buffers
fn piece(
    out: &mut Vec<u8>,
    pattern: &Pattern,
    piece: &Piece,
    opts: &RenderOptions,
    record: &Record<'_>,
    fields: &mut EventFields,
    tmp: &mut Vec<u8>,
    message: &mut MessageScratch,
) {
    match piece {
        Piece::Literal(range) => out.extend_from_slice(pattern.literal(range)),
        Piece::Attr(attr, spec) if attr.is_per_callsite() => {
            callsite_attribute(out, *attr, spec, opts, record.record.meta, tmp);
        }
        Piece::Attr(attr, spec) => {
            let start = out.len();
            match attr {
                Attr::FuncName => {
                    let function = record
                        .record
                        .span
                        .map_or(FUNC_NAME_OUTSIDE_SPANS, |s| s.function);
                    text(out, spec, tmp, function);
                }
                Attr::Created => write_float(out, spec, record.time.created, tmp),
                Attr::RelativeCreated => write_float(out, spec, record.time.relative, tmp),
                Attr::Msecs => write_float(out, spec, record.time.msecs, tmp),
                Attr::Asctime => {
                    opts.date.write(out, &record.time);
                    finish_text(out, start, spec, tmp);
                }
                Attr::Message if opts.bare_message => {
                    out.extend_from_slice(fields.message().unwrap_or_default());
                    finish_text(out, start, spec, tmp);
                }
                Attr::Message => {
                    write_message(out, fields, record.record, opts.span_context, message);
                    finish_text(out, start, spec, tmp);
                }
                // Per-callsite attributes are handled above.
                _ => callsite_attribute(out, *attr, spec, opts, record.record.meta, tmp),
            }
        }
    }
}

/// Writes an attribute that only depends on the callsite, the thread and
/// the layer.
fn callsite_attribute(
    out: &mut Vec<u8>,
    attr: Attr,
    spec: &Spec,
    opts: &RenderOptions,
    meta: &Metadata<'_>,
    tmp: &mut Vec<u8>,
) {
    match attr {
        Attr::Name => {
            let start = out.len();
            let target = meta.target();
            if opts.dotted_logger_names {
                for (i, part) in target.split("::").enumerate() {
                    if i > 0 {
                        out.push(b'.');
                    }
                    out.extend_from_slice(part.as_bytes());
                }
            } else {
                out.extend_from_slice(target.as_bytes());
            }
            finish_text(out, start, spec, tmp);
        }
        Attr::Levelno => write_int(out, spec, python_level(meta.level()).0, tmp),
        Attr::Levelname => text(out, spec, tmp, python_level(meta.level()).1),
        Attr::Pathname => text(out, spec, tmp, meta.file().unwrap_or(UNKNOWN_FILE)),
        Attr::Filename => text(out, spec, tmp, meta.file().map_or(UNKNOWN_FILE, basename)),
        Attr::Module => text(out, spec, tmp, module(meta)),
        Attr::Lineno => write_int(out, spec, meta.line().unwrap_or(0).into(), tmp),
        Attr::Thread => write_int(out, spec, meta::thread_id().into(), tmp),
        Attr::ThreadName => {
            let start = out.len();
            meta::thread_name(|name| match name {
                Some(name) => out.extend_from_slice(name.as_bytes()),
                None => {
                    write!(out, "Thread_{}", meta::thread_id()).ok();
                }
            });
            finish_text(out, start, spec, tmp);
        }
        Attr::Process => write_int(out, spec, meta::system().pid.into(), tmp),
        Attr::Hostname => text(out, spec, tmp, &opts.hostname),
        // Not per callsite: never asked for here.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_modules() {
        assert_eq!(basename("src/orders.rs"), "orders.rs");
        assert_eq!(basename("C:\\app\\main.rs"), "main.rs");
        assert_eq!(basename("main.rs"), "main.rs");
        assert_eq!(last_segment("shop::orders"), "orders");
        assert_eq!(last_segment("shop"), "shop");
        assert_eq!(last_segment("a::b::"), "");
    }
}
