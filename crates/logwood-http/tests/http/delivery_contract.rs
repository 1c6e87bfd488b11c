//! The delivery contract every logwood layer with a worker shares, against
//! the real collector over TCP: drops reach `on_error`; `flush(timeout)`
//! gives up with `FlushTimeout`; `shutdown(timeout)` returns balanced
//! `Stats`; the first failure is reported at once with its cause and the
//! shutdown-deadline report names the last one; a guard dropped at once
//! says so.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use logwood_http::{ErrorKind, FlushTimeout, HttpLayer};

use crate::support::{
    WAIT, accounted, collector, emit, error_log, free_port, layer, seqs, start, with_layer,
};

#[test]
fn drops_reach_on_error_one_report_per_dropped_record() {
    // A tiny buffer in front of a slow collector: most of a burst is
    // dropped, and each drop is reported on the emitting thread.
    let collector = collector()
        .delay(Duration::from_millis(300))
        .start()
        .unwrap();
    let (on_error, errors) = error_log();
    let (http, _guard) = layer(collector.frames_url())
        .buffer_capacity(2)
        .drop_extra_events(true)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 100));
    let stats = accounted(_guard.shutdown(WAIT));
    assert_eq!(stats.emitted, 100);
    assert!(stats.dropped >= 90, "{stats:?}");
    assert_eq!((stats.oversize, stats.failed), (0, 0), "{stats:?}");
    assert_eq!(stats.sent + stats.dropped, 100, "{stats:?}");

    let errors = errors.lock().unwrap();
    let drops: Vec<_> = errors
        .iter()
        .filter(|e| e.kind() == ErrorKind::Dropped)
        .collect();
    assert_eq!(drops.len() as u64, stats.dropped);
    assert_eq!(errors.len(), drops.len(), "{errors:?}");
    let url = collector.frames_url();
    for drop in &drops {
        assert_eq!(drop.sink(), "http");
        assert_eq!(drop.records(), 1);
        assert!(!drop.will_retry());
        assert_eq!(drop.endpoint(), Some(url.as_str()));
        assert!(
            drop.to_string().contains("the buffer is full (2 records)"),
            "{drop}"
        );
    }
    // What was not dropped arrived, in order.
    let records = collector
        .wait_for_records(stats.sent as usize, WAIT)
        .unwrap();
    let got = seqs(&records);
    assert!(got.windows(2).all(|w| w[0] < w[1]), "{got:?}");
    assert_eq!(stats.errors, stats.dropped);
}

#[test]
fn flush_with_a_short_timeout_against_a_stalled_receiver_returns_flush_timeout() {
    // Accepts connections and never answers: the first batch stays in
    // flight (the attempt timeout is a minute).
    let stalled = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/frames", stalled.local_addr().unwrap());
    let (on_error, errors) = error_log();
    let (http, _guard) = layer(url)
        .request_timeout(Duration::from_secs(60))
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 5));

    let start = Instant::now();
    let timeout = _guard.flush(Duration::from_millis(200)).unwrap_err();
    let FlushTimeout {
        waited, pending, ..
    } = timeout;
    assert!(waited >= Duration::from_millis(200), "{timeout}");
    assert!(start.elapsed() < Duration::from_secs(10), "{timeout}");
    assert_eq!(pending, 5, "{timeout}");
    let stats = accounted(_guard.stats());
    assert_eq!((stats.queued, stats.sent), (5, 0));

    // The shutdown gives up at its deadline too, counting the batch as
    // failed, and says that no attempt had failed: the receiver was slow.
    let start = Instant::now();
    let stats = accounted(_guard.shutdown(Duration::from_millis(200)));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!((stats.emitted, stats.failed, stats.queued), (5, 5, 0));
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind(), ErrorKind::Deadline);
    let text = errors[0].to_string();
    assert!(
        text.starts_with("5 records not delivered to http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.ends_with("by the shutdown deadline; no attempt had failed yet"),
        "{text}"
    );
    drop(stalled);
}

#[test]
fn a_failure_is_reported_at_once_with_its_cause_and_the_deadline_names_the_last_one() {
    let url = format!("http://127.0.0.1:{}/frames", free_port());
    let (on_error, errors) = error_log();
    let (http, _guard) = layer(url)
        .max_retries(10_000)
        .retry_max(Duration::from_millis(20))
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 5));

    // The first failed attempt is reported while the batch is still being
    // retried, not when its attempts are used up.
    let mut first = None;
    for _ in 0..1000 {
        if let Some(e) = errors.lock().unwrap().first() {
            first = Some(e.clone());
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let first = first.expect("a connect failure was reported");
    assert_eq!(first.kind(), ErrorKind::Connect);
    assert!(first.will_retry());
    assert_eq!((first.attempt(), first.records()), (1, 5));
    let cause = std::error::Error::source(&first).expect("the cause is kept");
    assert!(first.to_string().ends_with(&cause.to_string()), "{first}");
    assert!(first.to_string().contains("retrying"), "{first}");

    let stats = accounted(_guard.shutdown(Duration::from_millis(300)));
    assert_eq!((stats.sent, stats.failed), (0, 5));
    assert!(stats.errors >= 2, "{stats:?}");
    let errors = errors.lock().unwrap();
    let deadline = errors.last().unwrap();
    assert_eq!(deadline.kind(), ErrorKind::Deadline);
    assert_eq!(deadline.records(), 5);
    let text = deadline.to_string();
    assert!(
        text.contains("by the shutdown deadline; last failure: connect: "),
        "{text}"
    );
    assert!(text.ends_with(&cause.to_string()), "{text}");
}

#[test]
fn a_guard_dropped_at_once_makes_every_event_fail_with_a_report_that_says_why() {
    let collector = start();
    let (on_error, errors) = error_log();
    // The mistake: `_` drops the guard at once, which shuts the layer down.
    let (http, _) = layer(collector.frames_url())
        .on_error(on_error)
        .build()
        .unwrap();
    let stats = http.stats_handle();
    with_layer(http, || emit(0, 3));
    let stats = accounted(stats.get());
    assert_eq!((stats.emitted, stats.failed, stats.sent), (3, 3, 0));
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 3);
    for error in errors.iter() {
        assert_eq!(error.kind(), ErrorKind::Closed);
        assert!(
            error.to_string().contains(
                "the flush guard was dropped, so the layer is shut down: keep it alive with \
                 `let _guard = …` (not `let _ = …`)"
            ),
            "{error}"
        );
    }
    assert_eq!(collector.stats().requests, 0);
}

#[test]
fn shutdown_returns_balanced_stats_whatever_became_of_the_records() {
    // Sent, refused, dropped as oversize and failed after the shutdown, in
    // one layer's life.
    let collector = collector().status_sequence([400]).start().unwrap();
    let (http, _guard) = layer(collector.frames_url())
        .max_batch_bytes(2048)
        .build()
        .unwrap();
    let stats = http.stats_handle();
    let subscriber = {
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(http)
    };
    let dispatch = tracing::Dispatch::new(subscriber);
    let huge = "x".repeat(4096);
    tracing::dispatcher::with_default(&dispatch, || {
        emit(0, 4);
        _guard.flush(WAIT).unwrap();
        tracing::info!(huge = huge.as_str(), "too large");
        emit(4, 3);
    });
    let at_shutdown = accounted(_guard.shutdown(WAIT));
    assert_eq!(at_shutdown.emitted, 8);
    assert_eq!(
        (
            at_shutdown.sent,
            at_shutdown.failed,
            at_shutdown.dropped,
            at_shutdown.oversize
        ),
        (3, 4, 1, 1)
    );
    assert_eq!(at_shutdown.queued, 0);
    tracing::dispatcher::with_default(&dispatch, || emit(7, 2));
    let after = accounted(stats.get());
    assert_eq!((after.emitted, after.failed), (10, 6));
    assert_eq!(seqs(&collector.records()), [4, 5, 6]);
    // The layer is reachable in the subscriber, with the same counters.
    let layer_stats = dispatch.downcast_ref::<HttpLayer>().map(HttpLayer::stats);
    assert_eq!(layer_stats, Some(after));
}
