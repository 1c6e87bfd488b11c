//! The retry table against the collector's injected faults.

use std::time::Duration;

use logwood_http::ErrorKind;

use crate::support::{
    WAIT, accounted, collector, emit, error_log, layer, post_statuses, seqs, start, with_layer,
};

#[test]
fn temporary_failures_are_retried_until_the_batch_is_delivered() {
    let collector = collector().fail_first(3).start().unwrap();
    let (on_error, errors) = error_log();
    let (http, guard) = layer(collector.frames_url())
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 5));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed), (5, 0));
    // Three retries of the five records.
    assert_eq!(stats.retried, 15);
    assert_eq!(
        post_statuses(&collector),
        [Some(503), Some(503), Some(503), Some(202)]
    );
    assert_eq!(seqs(&collector.records()), [0, 1, 2, 3, 4]);
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 3);
    assert!(
        errors
            .iter()
            .all(|e| e.kind() == ErrorKind::Temporary && e.status() == Some(503) && e.will_retry())
    );
}

/// The gap between the first (refused) and the second try, on the
/// collector's clock.
fn retry_gap(status: u16, retry_after: Duration, retry_max: Duration) -> Duration {
    let collector = collector()
        .fail_first(1)
        .fail_status(status)
        .retry_after(retry_after)
        .start()
        .unwrap();
    let (http, guard) = layer(collector.frames_url())
        .retry_max(retry_max)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 3));
    let records = collector.wait_for_records(3, WAIT).unwrap();
    assert_eq!(seqs(&records), [0, 1, 2]);
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.retried), (3, 3));
    let recent = collector.stats().recent;
    assert_eq!(recent.len(), 2);
    assert_eq!(
        (recent[0].status, recent[1].status),
        (Some(status), Some(202))
    );
    recent[1].arrived.duration_since(recent[0].arrived).unwrap()
}

#[test]
fn retry_after_on_429_is_waited_for_before_the_next_try() {
    // The backoff alone would be 10 ms.
    let gap = retry_gap(429, Duration::from_secs(2), Duration::from_secs(30));
    assert!(gap >= Duration::from_secs(2), "{gap:?}");
}

#[test]
fn retry_after_on_503_is_waited_for_before_the_next_try() {
    let gap = retry_gap(503, Duration::from_secs(1), Duration::from_secs(30));
    assert!(gap >= Duration::from_secs(1), "{gap:?}");
}

#[test]
fn retry_after_is_capped_by_retry_max() {
    let gap = retry_gap(429, Duration::from_secs(30), Duration::from_millis(200));
    assert!(gap >= Duration::from_millis(200), "{gap:?}");
    assert!(gap < Duration::from_secs(10), "{gap:?}");
}

#[test]
fn a_wrong_api_key_is_not_retried_and_appears_in_no_error_text() {
    let key = "wrong-key-7f3a9c";
    let collector = collector().token("right-key").start().unwrap();
    let (on_error, errors) = error_log();
    let (http, guard) = layer(collector.frames_url())
        .api_key(key)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 5));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (0, 5, 0));
    assert_eq!(post_statuses(&collector), [Some(401)]);
    assert_eq!(collector.stats().records, 0);

    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1);
    let error = &errors[0];
    assert_eq!(error.kind(), ErrorKind::Unauthorized);
    assert_eq!((error.status(), error.records()), (Some(401), 5));
    assert!(!error.will_retry());
    let text = format!("{error} {error:?} {stats:?}");
    assert!(text.contains(&collector.frames_url()), "{text}");
    assert!(!text.contains(key), "{text}");
}

#[test]
fn the_api_key_is_sent_as_a_bearer_token() {
    let collector = collector().token("right-key").start().unwrap();
    let (http, guard) = layer(collector.frames_url())
        .api_key("right-key")
        .build()
        .unwrap();
    with_layer(http, || emit(0, 2));
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 2);
    assert_eq!(post_statuses(&collector), [Some(202)]);
}

#[test]
fn a_400_is_not_retried_and_later_batches_still_go_out() {
    let collector = collector().status_sequence([400]).start().unwrap();
    let (on_error, errors) = error_log();
    let (http, guard) = layer(collector.frames_url())
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || {
        emit(0, 5);
        guard.flush(WAIT).unwrap();
        emit(5, 5);
        guard.flush(WAIT).unwrap();
    });
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (5, 5, 0));
    assert_eq!(post_statuses(&collector), [Some(400), Some(202)]);
    assert_eq!(seqs(&collector.records()), [5, 6, 7, 8, 9]);
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind(), ErrorKind::Rejected);
    assert_eq!(errors[0].status(), Some(400));
}

#[test]
fn a_413_for_a_body_over_the_collectors_limit_is_not_retried() {
    // The collector refuses bodies over 1 KiB; the layer's batches may be
    // 1 MiB: the batch is refused for good.
    let collector = collector().max_body(1024).start().unwrap();
    let (on_error, errors) = error_log();
    let (http, guard) = layer(collector.frames_url())
        .flush_interval(Duration::from_secs(3600))
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 50));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (0, 50, 0));
    assert_eq!(post_statuses(&collector), [Some(413)]);
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind(), ErrorKind::Rejected);
    assert_eq!(errors[0].status(), Some(413));
}

#[test]
fn a_404_for_a_wrong_path_is_not_retried() {
    let collector = start();
    let url = format!("{}/nowhere", collector.http_url());
    let (http, guard) = layer(url).build().unwrap();
    with_layer(http, || emit(0, 3));
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (0, 3, 0));
    assert_eq!(post_statuses(&collector), [Some(404)]);
}

#[test]
fn a_501_is_not_retried_but_500_and_408_are() {
    let collector = collector()
        .status_sequence([500, 408, 202, 501])
        .start()
        .unwrap();
    let (http, guard) = layer(collector.frames_url()).build().unwrap();
    with_layer(http, || {
        emit(0, 2);
        guard.flush(WAIT).unwrap();
        emit(2, 2);
        guard.flush(WAIT).unwrap();
    });
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (2, 2, 4));
    assert_eq!(
        post_statuses(&collector),
        [Some(500), Some(408), Some(202), Some(501)]
    );
}

#[test]
fn dropped_connections_are_retried_on_new_connections_until_everything_arrives() {
    let collector = collector().drop_connection_every(2).start().unwrap();
    let (on_error, errors) = error_log();
    let (http, guard) = layer(collector.frames_url())
        .buffer_capacity(10)
        .drop_extra_events(false)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 100));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(10)));
    assert_eq!((stats.sent, stats.failed, stats.dropped), (100, 0, 0));
    assert!(stats.retried > 0, "{stats:?}");

    let records = collector.records();
    assert_eq!(seqs(&records), (0..100).collect::<Vec<_>>());
    let c = collector.stats();
    assert!(c.dropped_connections >= 5, "{c:?}");
    // Every dropped connection was replaced by a new one.
    assert!(c.connections > c.dropped_connections, "{c:?}");
    let errors = errors.lock().unwrap();
    assert!(
        errors
            .iter()
            .all(|e| e.kind() == ErrorKind::Reset && e.will_retry())
    );
    assert_eq!(errors.len() as u64, c.dropped_connections);
}

#[test]
fn an_attempt_without_an_answer_times_out_and_the_batch_fails_after_its_retries() {
    let collector = collector().delay(Duration::from_secs(3)).start().unwrap();
    let (on_error, errors) = error_log();
    let (http, guard) = layer(collector.frames_url())
        .request_timeout(Duration::from_millis(100))
        .max_retries(2)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 4));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.retried), (0, 4, 8));
    let errors = errors.lock().unwrap();
    let kinds: Vec<(ErrorKind, bool)> = errors.iter().map(|e| (e.kind(), e.will_retry())).collect();
    assert_eq!(
        kinds,
        [
            (ErrorKind::Timeout, true),
            (ErrorKind::Timeout, true),
            (ErrorKind::Timeout, false)
        ]
    );
    // Each attempt came on a new connection.
    assert_eq!(collector.stats().connections, 3);
}
