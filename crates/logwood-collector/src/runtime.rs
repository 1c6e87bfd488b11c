//! The collector's own tokio runtime, kept out of the application's `tracing`.
//!
//! Every thread the collector runs on installs a no-op default dispatcher for
//! its whole life, so nothing it or its dependencies emit reaches the
//! subscriber the application installed globally (which may well be a
//! logwood HTTP layer posting to this very collector).

use std::io;

pub(crate) use logwood_core::__private::{
    silence_thread as silence, unsilence_thread as unsilence,
};

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
    use logwood_core::__private::is_thread_silenced;

    use super::*;

    #[test]
    fn every_runtime_thread_is_silenced() {
        let rt = build().unwrap();
        let silenced = rt.block_on(async {
            let mut all = Vec::new();
            for _ in 0..8 {
                let task = tokio::spawn(async { is_thread_silenced() });
                all.push(task.await.unwrap());
            }
            all.push(
                tokio::task::spawn_blocking(is_thread_silenced)
                    .await
                    .unwrap(),
            );
            all
        });
        assert!(silenced.iter().all(|&s| s), "{silenced:?}");
    }
}
