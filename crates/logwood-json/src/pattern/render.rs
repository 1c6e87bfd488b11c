//! Rendering one record through a compiled pattern.

use std::cell::RefCell;
use std::io::Write as _;

use logwood_core::context::SpanInfo;
use logwood_core::field::EventFields;
use logwood_core::meta;
use tracing_core::{Level, Metadata};

use super::clock::{DateFormat, EventTime};
use super::message::{MessageScratch, write_message};
use super::parse::{Attr, Pattern, Piece};
use super::printf::{Spec, finish_text, write_float, write_int};

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
    pub(crate) date: DateFormat,
    pub(crate) hostname: Box<str>,
    pub(crate) dotted_logger_names: bool,
    pub(crate) span_context: bool,
}

/// One record's inputs.
pub(crate) struct Record<'a> {
    pub(crate) meta: &'a Metadata<'a>,
    pub(crate) span: Option<SpanInfo<'a>>,
    pub(crate) time: EventTime,
}

/// Reused per-thread buffers of the pattern layer.
#[derive(Debug, Default)]
struct RenderScratch {
    tmp: Vec<u8>,
    message: MessageScratch,
}

thread_local! {
    static SCRATCH: RefCell<RenderScratch> = RefCell::new(RenderScratch::default());
}

fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `module`: the last segment of the module path; without one (some
/// bridged records), the file name without its extension, as Python.
fn module<'a>(meta: &'a Metadata<'a>) -> &'a str {
    match meta.module_path() {
        Some(path) => path.rsplit("::").next().unwrap_or(path),
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
    for piece in pattern.pieces() {
        match piece {
            Piece::Literal(range) => out.extend_from_slice(pattern.literal(range)),
            Piece::Attr(attr, spec) => attribute(out, *attr, spec, opts, record, fields, scratch),
        }
    }
    scratch.tmp.clear();
    if scratch.tmp.capacity() > logwood_core::buf::MAX_RETAINED_CAPACITY {
        scratch.tmp = Vec::new();
    }
    scratch
        .message
        .shrink(logwood_core::buf::MAX_RETAINED_CAPACITY);
}

fn attribute(
    out: &mut Vec<u8>,
    attr: Attr,
    spec: &Spec,
    opts: &RenderOptions,
    record: &Record<'_>,
    fields: &mut EventFields,
    scratch: &mut RenderScratch,
) {
    let meta = record.meta;
    let tmp = &mut scratch.tmp;
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
        Attr::FuncName => {
            let function = record.span.map_or(FUNC_NAME_OUTSIDE_SPANS, |s| s.function);
            text(out, spec, tmp, function);
        }
        Attr::Lineno => write_int(out, spec, meta.line().unwrap_or(0).into(), tmp),
        Attr::Created => write_float(out, spec, record.time.created, tmp),
        Attr::RelativeCreated => write_float(out, spec, record.time.relative, tmp),
        Attr::Msecs => write_float(out, spec, record.time.msecs, tmp),
        Attr::Asctime => {
            let start = out.len();
            opts.date.write(out, &record.time);
            finish_text(out, start, spec, tmp);
        }
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
        Attr::Message => {
            let start = out.len();
            let span = if opts.span_context {
                record.span.map(|s| s.merged)
            } else {
                None
            };
            write_message(out, fields, span, &mut scratch.message);
            finish_text(out, start, spec, &mut scratch.tmp);
        }
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
    }
}
