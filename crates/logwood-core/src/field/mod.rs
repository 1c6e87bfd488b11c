//! Field visitors: span fields into a context [`Map`](crate::context::Map),
//! event fields into reusable pre-encoded scratch ([`EventFields`]).

mod event;
mod layout;
mod visit;

pub use event::{EventFields, EventVisitor, RESERVED_RECORD_KEYS};
pub use visit::MapVisitor;

/// The deepest nesting a dotted name produces: past this many segments the
/// rest of the name stays one key (`a.b.….x.y` keeps `x.y` literally), so a
/// hostile name cannot make the encoder recurse without bound.
pub const MAX_DEPTH: usize = 128;

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
