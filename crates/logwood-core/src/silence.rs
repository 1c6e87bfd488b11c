//! Keeping logwood's own threads out of `tracing`.
//!
//! A logwood worker thread (and every thread of a runtime it starts) calls
//! [`silence_thread`] first: its default dispatcher becomes a no-op, so
//! nothing logwood or its dependencies (hyper, tokio, rustls) emit on that
//! thread comes back into the application's subscriber, which holds the
//! very layer the worker serves.

use std::cell::RefCell;

use tracing_core::Dispatch;
use tracing_core::dispatcher::{self, DefaultGuard};

thread_local! {
    static SILENCED: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// Makes this thread's default dispatcher a no-op until
/// [`unsilence_thread`] (or the thread ends). Calling it twice is harmless.
pub fn silence_thread() {
    SILENCED.with(|guard| {
        let mut guard = guard.borrow_mut();
        if guard.is_none() {
            *guard = Some(dispatcher::set_default(&Dispatch::none()));
        }
    });
}

/// Whether [`silence_thread`] is in effect on this thread.
pub fn is_thread_silenced() -> bool {
    SILENCED.with(|guard| guard.borrow().is_some())
}

/// Restores this thread's previous default dispatcher.
pub fn unsilence_thread() {
    // Take the guard out first: dropping it touches tracing-core's own
    // thread-local, which must not happen inside our `borrow_mut`.
    let guard = SILENCED.with(|guard| guard.borrow_mut().take());
    drop(guard);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tracing_core::span::{Attributes, Id, Record};
    use tracing_core::{Event, Metadata, Subscriber};

    use super::*;

    /// Counts events.
    struct Counting(Arc<AtomicUsize>);

    impl Subscriber for Counting {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn a_silenced_thread_emits_nothing_into_the_default_subscriber() {
        let count = Arc::new(AtomicUsize::new(0));
        let dispatch = Dispatch::new(Counting(Arc::clone(&count)));
        dispatcher::with_default(&dispatch, || {
            tracing::info!("counted");
            silence_thread();
            silence_thread();
            tracing::info!("not counted");
            tracing::error!(target: "hyper::proto", "not counted either");
            unsilence_thread();
            tracing::info!("counted again");
        });
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
