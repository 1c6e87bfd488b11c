//! Field visitors: span fields into a context [`Map`](crate::value::Map),
//! event fields into reusable pre-encoded scratch ([`EventFields`]).
//!
//! The rules of lifting fields out of messages are in the crate docs
//! ([`crate`]).

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
