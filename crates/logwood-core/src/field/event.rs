//! Event fields, encoded once into reusable scratch.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use tracing_core::Event;
use tracing_core::field::{Field, Visit};

use super::ErrorChain;
use super::lift::{self, LiftFrom};
use crate::encode::Format;

/// Top-level record keys that event fields may not take. An event field
/// whose first name segment is one of these gets a leading underscore:
/// `level = 3` is written `"_level":3`, `context.x = 1` is `"_context":{"x":1}`.
/// (A field named exactly `message` *is* the message, as in `tracing`.)
pub const RESERVED_RECORD_KEYS: [&str; 4] = ["dt", "level", "message", "context"];

/// The name of an event field: a `tracing` field name, or a name lifted out
/// of the message (stored in [`EventFields::names`]).
#[derive(Debug, Clone)]
pub(super) enum Name {
    Static(&'static str),
    Lifted(Range<usize>),
}

/// One event field: its name and the range of its encoded value.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// `""`, or `"_"` when the first segment is a reserved record key.
    pub(super) head: &'static str,
    pub(super) name: Name,
    pub(super) value: Range<usize>,
}

/// The text of an entry's name (`names` is [`EventFields::names`]).
pub(super) fn name_of<'a>(names: &'a str, e: &Entry) -> &'a str {
    match &e.name {
        Name::Static(name) => name,
        Name::Lifted(range) => names.get(range.clone()).unwrap_or(""),
    }
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
    // Lifting (off unless `set_lift` asked for it).
    lift: Option<LiftFrom>,
    /// The message as plain text, kept while lifting.
    raw_message: String,
    /// Names of lifted fields.
    pub(super) names: String,
    /// Reused by the lifting parser (unescaped strings, dotted prefixes).
    pub(super) lift_scratch: lift::Scratch,
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
        self.lift = None;
        self.raw_message.clear();
        self.names.clear();
    }

    /// Asks the visitor to keep the message's text, so that
    /// [`EventFields::lift_message_fields`] can lift fields out of it. Call
    /// after [`EventFields::clear`] and before recording.
    pub fn set_lift(&mut self, lift: Option<LiftFrom>) {
        self.lift = lift;
    }

    /// Clears the fields, records `event`'s fields encoded with `F` and,
    /// when `lift` is set, lifts fields out of its message (see
    /// [lifting](crate#lifting-fields-out-of-the-message)): the whole
    /// per-event field step of a layer.
    ///
    /// `skip_log_fields`: as for [`EventFields::clear`].
    pub fn record_event<F: Format>(
        &mut self,
        event: &Event<'_>,
        skip_log_fields: bool,
        lift: Option<LiftFrom>,
    ) {
        self.clear(skip_log_fields);
        self.set_lift(lift);
        event.record(&mut self.visitor::<F>());
        self.lift_message_fields::<F>();
    }

    /// Lifts `key=value` pairs and JSON objects out of the recorded message
    /// into fields (after the event's own), when [`EventFields::set_lift`]
    /// asked for it; otherwise does nothing. The message itself is kept
    /// unchanged.
    pub fn lift_message_fields<F: Format>(&mut self) {
        let Some(from) = self.lift else { return };
        if self.raw_message.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.raw_message);
        lift::lift::<F>(self, &raw, from);
        self.raw_message = raw;
    }

    /// Frees memory a huge event left behind.
    pub fn shrink(&mut self, cap: usize) {
        if self.arena.capacity() > cap {
            self.arena = Vec::new();
        }
        if self.raw_message.capacity() > cap {
            self.raw_message = String::new();
        }
        if self.names.capacity() > cap {
            self.names = String::new();
        }
        self.lift_scratch.shrink(cap);
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

    /// Whether every field name is a plain key: no dotted name and no
    /// reserved record key (which [`EventFields::for_each_kept`] passes
    /// under a `_` head).
    pub fn is_flat(&self) -> bool {
        !self.nested
    }

    /// The fields as `(head, name, encoded value)`, in the order recorded
    /// (lifted fields last), without nesting or de-duplication (flat formats
    /// use [`EventFields::for_each_kept`]).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str, &[u8])> {
        self.entries.iter().map(|e| {
            (
                e.head,
                name_of(&self.names, e),
                &self.arena[e.value.clone()],
            )
        })
    }

    /// The encoded value of the first field named `name` at the top level
    /// (not under a reserved record key's `_` head); the name is compared
    /// before any value is touched.
    #[inline]
    pub fn value_of(&self, name: &str) -> Option<&[u8]> {
        let entry = self
            .entries
            .iter()
            .find(|e| e.head.is_empty() && name_of(&self.names, e) == name)?;
        self.arena.get(entry.value.clone())
    }

    /// The message as plain text, when lifting was asked for (see
    /// [`EventFields::set_lift`]); `""` otherwise or without a message.
    pub fn message_text(&self) -> &str {
        &self.raw_message
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
        let dot = name.bytes().position(|b| b == b'.');
        let first = dot.map_or(name, |at| &name[..at]);
        let head = if RESERVED_RECORD_KEYS.contains(&first) {
            "_"
        } else {
            ""
        };
        if !head.is_empty() || dot.is_some() {
            self.nested = true;
        }
        self.entries.push(Entry {
            head,
            name: Name::Static(name),
            value: start..self.arena.len(),
        });
    }

    /// Whether `field` is the message and its text must be kept (lifting).
    fn keeps_text_of(&self, field: &Field) -> bool {
        self.lift.is_some() && field.name() == "message"
    }

    /// Records the message from its text, keeping the text for lifting.
    fn push_kept_message<F: Format>(&mut self, text: fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        self.raw_message.clear();
        match text.as_str() {
            Some(s) => self.raw_message.push_str(s),
            None => {
                self.raw_message.write_fmt(text).ok();
            }
        }
        let text = std::mem::take(&mut self.raw_message);
        self.push("message", |out| F::write_str(out, &text));
        self.raw_message = text;
    }

    /// Adds a field lifted out of the message: its name is `name` in
    /// `self.names`, its value what was written to the arena from
    /// `value_start`. Dropped when one of the event's own fields claims the
    /// same key, or a key above or below it: the event's own fields win.
    pub(super) fn push_lifted(&mut self, name: Range<usize>, value_start: usize) {
        let text = self.names.get(name.clone()).unwrap_or("");
        let head = head_for(text);
        let nested = !head.is_empty() || text.contains('.');
        let lifted = Entry {
            head,
            name: Name::Lifted(name),
            value: value_start..self.arena.len(),
        };
        let names = &self.names;
        let clashes = self.entries.iter().any(|e| {
            matches!(e.name, Name::Static(_))
                && (super::layout::prefix_or_equal(names, e, &lifted)
                    || super::layout::prefix_or_equal(names, &lifted, e))
        });
        if clashes {
            self.arena.truncate(value_start);
            return;
        }
        self.nested |= nested;
        self.entries.push(lifted);
    }
}

/// `"_"` when the first segment of `name` is a reserved record key.
fn head_for(name: &str) -> &'static str {
    let first = name.split('.').next().unwrap_or(name);
    if RESERVED_RECORD_KEYS.contains(&first) {
        "_"
    } else {
        ""
    }
}

/// Records event fields into [`EventFields`], encoding with `F`.
#[derive(Debug)]
pub struct EventVisitor<'a, F> {
    fields: &'a mut EventFields,
    _format: PhantomData<F>,
}

// === impl EventVisitor ===

impl<F: Format> EventVisitor<'_, F> {
    /// A `message` field given as a number or a boolean
    /// (`info!(message = 5)`) is recorded as its text: the record's
    /// `message` is always a string. Returns whether it was the message.
    fn message_as_text(&mut self, field: &Field, value: &dyn fmt::Display) -> bool {
        if field.name() != "message" {
            return false;
        }
        if self.fields.keeps_text_of(field) {
            self.fields.push_kept_message::<F>(format_args!("{value}"));
        } else {
            self.fields.push("message", |out| {
                F::write_fmt_str(out, format_args!("{value}"))
            });
        }
        true
    }
}

impl<F: Format> Visit for EventVisitor<'_, F> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if self.message_as_text(field, &value) {
            return;
        }
        self.fields
            .push(field.name(), |out| F::write_f64(out, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.message_as_text(field, &value) {
            return;
        }
        self.fields
            .push(field.name(), |out| F::write_i64(out, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.message_as_text(field, &value) {
            return;
        }
        self.fields
            .push(field.name(), |out| F::write_u64(out, value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        if self.message_as_text(field, &value) {
            return;
        }
        self.fields
            .push(field.name(), |out| match i64::try_from(value) {
                Ok(v) => F::write_i64(out, v),
                Err(_) => F::write_fmt_str(out, format_args!("{value}")),
            });
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        if self.message_as_text(field, &value) {
            return;
        }
        self.fields
            .push(field.name(), |out| match u64::try_from(value) {
                Ok(v) => F::write_u64(out, v),
                Err(_) => F::write_fmt_str(out, format_args!("{value}")),
            });
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.message_as_text(field, &value) {
            return;
        }
        self.fields
            .push(field.name(), |out| F::write_bool(out, value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.fields.keeps_text_of(field) {
            self.fields.push_kept_message::<F>(format_args!("{value}"));
            return;
        }
        self.fields
            .push(field.name(), |out| F::write_str(out, value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.fields.push(field.name(), |out| {
            F::write_fmt_str(out, format_args!("{}", ErrorChain(value)))
        });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.fields.keeps_text_of(field) {
            self.fields
                .push_kept_message::<F>(format_args!("{value:?}"));
            return;
        }
        self.fields.push(field.name(), |out| {
            F::write_fmt_str(out, format_args!("{value:?}"))
        });
    }
}
