//! Thread-local scratch buffers, reused across events.

use std::cell::RefCell;

use crate::field::EventFields;

/// A record buffer larger than this after an event is freed rather than kept.
pub const MAX_RETAINED_CAPACITY: usize = 64 * 1024;

/// Per-thread buffers for encoding one event.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The encoded record(s).
    pub(crate) out: Vec<u8>,
    /// Where each record ends, when an event gives several.
    pub(crate) ends: Vec<usize>,
    /// The event's fields.
    pub(crate) fields: EventFields,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Calls `f` with this thread's scratch, cleared; with a fresh one when the
/// thread's is in use (an event emitted while encoding one) or gone (thread
/// teardown).
pub(crate) fn with_scratch<R>(mut f: impl FnMut(&mut Scratch) -> R) -> R {
    let reused = SCRATCH.try_with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        scratch.out.clear();
        let r = f(&mut scratch);
        if scratch.out.capacity() > MAX_RETAINED_CAPACITY {
            scratch.out = Vec::new();
        }
        if scratch.ends.capacity() > 1024 {
            scratch.ends = Vec::new();
        }
        scratch.fields.shrink(MAX_RETAINED_CAPACITY);
        Some(r)
    });
    match reused {
        Ok(Some(r)) => r,
        _ => f(&mut Scratch::default()),
    }
}
