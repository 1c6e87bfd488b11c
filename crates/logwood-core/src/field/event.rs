//! Event fields, encoded once into reusable scratch.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use tracing_core::field::{Field, Visit};

use super::ErrorChain;
use crate::encode::Format;

/// Top-level record keys that event fields may not take. An event field
/// whose first name segment is one of these gets a leading underscore:
/// `level = 3` is written `"_level":3`, `context.x = 1` is `"_context":{"x":1}`.
/// (A field named exactly `message` *is* the message, as in `tracing`.)
pub const RESERVED_RECORD_KEYS: [&str; 4] = ["dt", "level", "message", "context"];

/// One event field: its name and the range of its encoded value.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// `""`, or `"_"` when the first segment is a reserved record key.
    pub(super) head: &'static str,
    pub(super) name: &'static str,
    pub(super) value: Range<usize>,
}

/// The fields of one event, each value already encoded in the output format.
///
/// Kept in a thread-local and cleared per event, so that in steady state an
/// event costs no allocation.
#[derive(Debug, Default)]
pub struct EventFields {
    pub(super) entries: Vec<Entry>,
    pub(super) arena: Vec<u8>,
    message: Option<Range<usize>>,
    /// Whether some name is dotted or reserved (the layout must nest).
    pub(super) nested: bool,
    skip_log_fields: bool,
    // Reused scratch of the layout step.
    pub(super) order: Vec<u32>,
    pub(super) keep: Vec<bool>,
    pub(super) stack: Vec<(u32, u32)>,
}

// === impl EventFields ===

impl EventFields {
    /// Empties the fields, keeping the capacity.
    ///
    /// `skip_log_fields`: the event was bridged from the `log` crate, so its
    /// `log.target`, `log.file`, … fields are metadata, not fields.
    pub fn clear(&mut self, skip_log_fields: bool) {
        self.entries.clear();
        self.arena.clear();
        self.message = None;
        self.nested = false;
        self.skip_log_fields = skip_log_fields;
    }

    /// Frees memory a huge event left behind.
    pub fn shrink(&mut self, cap: usize) {
        if self.arena.capacity() > cap {
            self.arena = Vec::new();
        }
        if self.entries.capacity() > 1024 {
            self.entries = Vec::new();
            self.order = Vec::new();
            self.keep = Vec::new();
            self.stack = Vec::new();
        }
    }

    /// The encoded message, if the event had one.
    pub fn message(&self) -> Option<&[u8]> {
        self.message.clone().map(|r| &self.arena[r])
    }

    /// Number of recorded fields (the message excluded).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the event had no field besides the message.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The fields as `(head, name, encoded value)`, in the order recorded,
    /// without nesting or de-duplication (flat formats use
    /// [`EventFields::for_each_kept`]).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str, &[u8])> {
        self.entries
            .iter()
            .map(|e| (e.head, e.name, &self.arena[e.value.clone()]))
    }

    /// A visitor recording into these fields, encoding values with `F`.
    pub fn visitor<F: Format>(&mut self) -> EventVisitor<'_, F> {
        EventVisitor {
            fields: self,
            _format: PhantomData,
        }
    }

    pub(super) fn push(&mut self, name: &'static str, write: impl FnOnce(&mut Vec<u8>)) {
        let start = self.arena.len();
        if name == "message" {
            write(&mut self.arena);
            self.message = Some(start..self.arena.len());
            return;
        }
        if self.skip_log_fields && name.starts_with("log.") {
            return;
        }
        write(&mut self.arena);
        let first = name.split('.').next().unwrap_or(name);
        let head = if RESERVED_RECORD_KEYS.contains(&first) {
            "_"
        } else {
            ""
        };
        if !head.is_empty() || name.contains('.') {
            self.nested = true;
        }
        self.entries.push(Entry {
            head,
            name,
            value: start..self.arena.len(),
        });
    }
}

/// Records event fields into [`EventFields`], encoding with `F`.
#[derive(Debug)]
pub struct EventVisitor<'a, F> {
    fields: &'a mut EventFields,
    _format: PhantomData<F>,
}

impl<F: Format> Visit for EventVisitor<'_, F> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields
            .push(field.name(), |out| F::write_f64(out, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields
            .push(field.name(), |out| F::write_i64(out, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields
            .push(field.name(), |out| F::write_u64(out, value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.fields
            .push(field.name(), |out| match i64::try_from(value) {
                Ok(v) => F::write_i64(out, v),
                Err(_) => F::write_fmt_str(out, format_args!("{value}")),
            });
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.fields
            .push(field.name(), |out| match u64::try_from(value) {
                Ok(v) => F::write_u64(out, v),
                Err(_) => F::write_fmt_str(out, format_args!("{value}")),
            });
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields
            .push(field.name(), |out| F::write_bool(out, value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .push(field.name(), |out| F::write_str(out, value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.fields.push(field.name(), |out| {
            F::write_fmt_str(out, format_args!("{}", ErrorChain(value)))
        });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.fields.push(field.name(), |out| {
            F::write_fmt_str(out, format_args!("{value:?}"))
        });
    }
}
