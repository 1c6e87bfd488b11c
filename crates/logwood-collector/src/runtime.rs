//! The collector's own tokio runtime, kept out of the application's `tracing`.
//!
//! Every thread the collector runs on installs a no-op default dispatcher for
//! its whole life, so nothing it or its dependencies emit reaches the
//! subscriber the application installed globally (which may well be a
//! logwood HTTP layer posting to this very collector).

use std::cell::RefCell;
use std::io;

use tracing_core::Dispatch;
use tracing_core::dispatcher::{self, DefaultGuard};

thread_local! {
    static SILENCED: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// Makes this thread's default dispatcher a no-op until [`unsilence`].
pub(crate) fn silence() {
    SILENCED.with(|guard| {
        let mut guard = guard.borrow_mut();
        if guard.is_none() {
            *guard = Some(dispatcher::set_default(&Dispatch::none()));
        }
    });
}

/// Restores this thread's previous default dispatcher.
pub(crate) fn unsilence() {
    // Take the guard out first: dropping it touches tracing-core's own
    // thread-local, which must not happen inside our `borrow_mut`.
    let guard = SILENCED.with(|guard| guard.borrow_mut().take());
    drop(guard);
}

/// A two-worker multi-thread runtime whose threads are all silenced.
pub(crate) fn build() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("logwood-collector-worker")
        .enable_io()
        .enable_time()
        .on_thread_start(silence)
        .on_thread_stop(unsilence)
        .build()
}

/// Resolves once the collector is told to stop (or its handle is gone).
pub(crate) async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    loop {
        let is_stopped = *stop.borrow_and_update();
        if is_stopped || stop.changed().await.is_err() {
            return;
        }
    }
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
            silence();
            tracing::info!("not counted");
            tracing::error!("not counted either");
            unsilence();
            tracing::info!("counted again");
        });
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn every_runtime_thread_is_silenced() {
        let rt = build().unwrap();
        let silenced = rt.block_on(async {
            let mut all = Vec::new();
            for _ in 0..8 {
                let task = tokio::spawn(async { SILENCED.with(|g| g.borrow().is_some()) });
                all.push(task.await.unwrap());
            }
            all.push(
                tokio::task::spawn_blocking(|| SILENCED.with(|g| g.borrow().is_some()))
                    .await
                    .unwrap(),
            );
            all
        });
        assert!(silenced.iter().all(|&s| s), "{silenced:?}");
    }
}
