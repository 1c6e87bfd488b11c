//! Field visitors: span fields into a context [`Map`](crate::value::Map),
//! event fields into reusable pre-encoded scratch ([`EventFields`]).
//!
//! # Lifting fields out of the message
//!
//! Messages often carry structure as text, typically `log`-crate records
//! bridged into `tracing` (`info!("user=42 action=login")`, or a message
//! holding a JSON object). When a layer asks for it
//! ([`EventFields::set_lift`], [`RecordOptions::lift_message_fields`](crate::record::RecordOptions::lift_message_fields)),
//! such structure becomes fields, as if the event had been written
//! `info!(user = 42, action = "login", "user=42 action=login")`:
//!
//! - The message is read word by word (words are separated by whitespace).
//! - A **pair** is a word `key=value` whose key starts with an ASCII letter
//!   or `_` and holds ASCII letters, digits, `_`, `.` and `-` (a dotted key
//!   nests like a dotted field name). The value is a `"…"` string (escapes
//!   `\"`, `\\`, `\n`, `\r`, `\t`; other backslashes are kept), a JSON
//!   object (its members nest under the key), or the rest of the word,
//!   typed: `true` / `false` are booleans, JSON-style numbers are numbers
//!   (integers that fit 64 bits, finite floats; `01234` and integers past
//!   64 bits stay strings), anything else is a string (`key=` is `""`).
//! - A word that starts with `{` and begins a valid JSON object (RFC 8259;
//!   the object may span several words) has its members lifted: strings,
//!   numbers and booleans as such, nested objects nested (to
//!   [`MAX_LIFTED_DEPTH`]; deeper ones, and arrays, become strings holding
//!   their JSON text), `null` members left out. Malformed JSON lifts
//!   nothing from that object.
//! - At most [`MAX_LIFTED_FIELDS`] fields are lifted per message.
//! - The event's own fields win: a lifted field is dropped when an event
//!   field has the same key, or a key above or below it (`user` and
//!   `user.id`). Among lifted fields the later wins, as among event fields.
//!   Lifted names follow the reserved-name rule of [`RESERVED_RECORD_KEYS`]
//!   (`level=3` in a message is `_level`), so a record never has a key twice.
//! - The message itself is kept unchanged.
//! - [`LiftFrom::Json`] lifts JSON objects only: text layers, whose lines
//!   already show a message's `key=value` pairs, use it.
//!
//! Lifting reuses per-thread buffers: once they have grown to the size of
//! the messages seen, it allocates nothing.

mod event;
mod layout;
mod lift;
mod visit;

pub use event::{EventFields, RESERVED_RECORD_KEYS};
pub use lift::{LiftFrom, MAX_LIFTED_DEPTH, MAX_LIFTED_FIELDS};
pub(crate) use visit::MapVisitor;

pub(crate) use crate::value::MAX_DEPTH;

/// `&dyn Error` rendered with its source chain: `outer: middle: root`.
pub(crate) struct ErrorChain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        // Bounded: a cyclic source chain must not loop forever.
        let mut depth = 0;
        while let Some(err) = source {
            if depth == 64 {
                return f.write_str(": …");
            }
            write!(f, ": {err}")?;
            source = err.source();
            depth += 1;
        }
        Ok(())
    }
}
