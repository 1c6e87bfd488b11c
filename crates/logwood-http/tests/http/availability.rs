//! A collector that is not there yet, goes away, or never comes.

use std::time::Duration;

use logwood_http::{ErrorKind, JitterMode};

use crate::support::{
    WAIT, accounted, collector, emit, error_log, free_port, layer, seqs, with_layer,
};

#[test]
fn events_are_delivered_once_a_collector_that_was_not_started_yet_comes_up() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/frames");
    let (on_error, errors) = error_log();
    let (http, guard) = layer(&url)
        .max_retries(200)
        .retry_max(Duration::from_millis(50))
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 20));
    // Wait until the worker has tried and failed to connect.
    for _ in 0..500 {
        if guard.stats().retried > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(guard.stats().retried > 0);
    let collector = collector()
        .listen(format!("127.0.0.1:{port}"))
        .start()
        .unwrap();
    let records = collector.wait_for_records(20, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..20).collect::<Vec<_>>());
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed), (20, 0));
    let errors = errors.lock().unwrap();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|e| e.kind() == ErrorKind::Connect && e.will_retry())
    );
}

#[test]
fn a_collector_stopped_and_restarted_mid_run_gets_everything_after_it_is_back() {
    let first = collector().start().unwrap();
    let addr = first.http_addr();
    let (http, guard) = layer(first.frames_url())
        .max_retries(200)
        .retry_max(Duration::from_millis(50))
        .build()
        .unwrap();
    with_layer(http, || {
        emit(0, 10);
        guard.flush(WAIT).unwrap();
        let stats = first.shutdown();
        assert_eq!(stats.records, 10);

        emit(10, 10);
        for _ in 0..500 {
            if guard.stats().retried > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(guard.stats().retried > 0);
        let second = collector().listen(addr.to_string()).start().unwrap();
        let records = second.wait_for_records(10, WAIT).unwrap();
        assert_eq!(seqs(&records), (10..20).collect::<Vec<_>>());
        // The collector counts records before it answers: wait for the
        // answer to be counted too.
        guard.flush(WAIT).unwrap();
        let stats = accounted(guard.stats());
        assert_eq!((stats.sent, stats.failed, stats.dropped), (20, 0, 0));
    });
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 20);
}

#[test]
fn a_collector_that_comes_back_during_a_long_backoff_gets_the_batch_without_waiting_it_out() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/frames");
    // Every wait between attempts is exactly 10 minutes: without the
    // probe, nothing would arrive before the wait below gives up.
    let (on_error, errors) = error_log();
    let (http, guard) = layer(&url)
        .retry_initial(Duration::from_secs(600))
        .retry_max(Duration::from_secs(600))
        .retry_jitter(JitterMode::None)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 5));
    // The first attempt finds no collector and the batch is in its wait.
    for _ in 0..500 {
        if !errors.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(errors.lock().unwrap()[0].kind(), ErrorKind::Connect);
    let collector = collector()
        .listen(format!("127.0.0.1:{port}"))
        .start()
        .unwrap();
    let records = collector.wait_for_records(5, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..5).collect::<Vec<_>>());
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (5, 0, 5));
}

#[test]
fn records_undelivered_at_the_shutdown_deadline_are_counted_as_failed() {
    let url = format!("http://127.0.0.1:{}/frames", free_port());
    let (on_error, errors) = error_log();
    let (http, guard) = layer(url)
        .max_retries(1000)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 10));
    let stats = accounted(guard.shutdown(Duration::from_millis(300)));
    assert_eq!((stats.emitted, stats.sent, stats.failed), (10, 0, 10));
    assert_eq!(stats.queued, 0);
    let errors = errors.lock().unwrap();
    let deadline: Vec<_> = errors
        .iter()
        .filter(|e| e.kind() == ErrorKind::Deadline)
        .collect();
    assert_eq!(deadline.len(), 1);
    assert_eq!(deadline[0].records(), 10);
}

#[test]
fn a_batch_out_of_retries_is_counted_as_failed() {
    let url = format!("http://127.0.0.1:{}/frames", free_port());
    let (on_error, errors) = error_log();
    let (http, guard) = layer(url)
        .max_retries(3)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 6));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (0, 6, 18));
    let errors = errors.lock().unwrap();
    let retrying: Vec<bool> = errors.iter().map(|e| e.will_retry()).collect();
    assert_eq!(retrying, [true, true, true, false]);
    assert_eq!(errors[3].attempt(), 4);
}

#[test]
fn events_after_the_guard_is_gone_are_counted_as_failed() {
    let collector = collector().start().unwrap();
    let (http, guard) = layer(collector.frames_url()).build().unwrap();
    let subscriber = {
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(http)
    };
    let dispatch = tracing::Dispatch::new(subscriber);
    tracing::dispatcher::with_default(&dispatch, || emit(0, 3));
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 3);
    tracing::dispatcher::with_default(&dispatch, || emit(3, 2));
    let layer_stats = dispatch
        .downcast_ref::<logwood_http::HttpLayer>()
        .map(logwood_http::HttpLayer::stats);
    // The layer inside the subscriber is reachable by downcast.
    let after = accounted(layer_stats.unwrap());
    assert_eq!((after.emitted, after.sent, after.failed), (5, 3, 2));
}
