//! Batches by size and by interval, over one kept-alive connection.

use std::time::{Duration, SystemTime};

use crate::support::{WAIT, accounted, emit, layer, seqs, start, with_layer};

#[test]
fn full_batches_of_buffer_capacity_go_out_as_one_request_each_on_one_connection() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .buffer_capacity(100)
        .flush_interval(Duration::from_secs(3600))
        .drop_extra_events(false)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 1000));
    let records = collector.wait_for_records(1000, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..1000).collect::<Vec<_>>());

    let stats = collector.stats();
    assert_eq!(stats.batches, 10);
    assert_eq!(stats.requests, 10);
    assert_eq!(stats.connections, 1);
    assert!(
        stats
            .recent
            .iter()
            .all(|r| r.records == 100 && r.connection == 1)
    );

    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.emitted, stats.sent), (1000, 1000));
    assert_eq!(stats.retried, 0);
}

#[test]
fn a_partial_batch_goes_out_when_the_flush_interval_passes() {
    let collector = start();
    let interval = Duration::from_millis(300);
    let (http, guard) = layer(collector.frames_url())
        .flush_interval(interval)
        .build()
        .unwrap();
    let before = SystemTime::now();
    with_layer(http, || emit(0, 5));
    // No flush, no shutdown: the interval sends the batch.
    let records = collector.wait_for_records(5, WAIT).unwrap();
    assert_eq!(seqs(&records), [0, 1, 2, 3, 4]);
    let stats = collector.stats();
    assert_eq!((stats.requests, stats.batches), (1, 1));
    let request = &stats.recent[0];
    assert_eq!(request.records, 5);
    // The collector's clock: the batch waited for the interval, not longer
    // than the interval plus generous scheduling slack.
    let waited = request.arrived.duration_since(before).unwrap();
    assert!(waited >= interval - Duration::from_millis(20), "{waited:?}");
    assert!(waited < interval + Duration::from_secs(5), "{waited:?}");

    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 5);
}

#[test]
fn one_connection_is_kept_alive_across_batches() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url()).build().unwrap();
    with_layer(http, || {
        for round in 0..3 {
            emit(round * 10, 10);
            collector
                .wait_for_records((round as usize + 1) * 10, WAIT)
                .unwrap();
        }
    });
    let stats = collector.stats();
    assert_eq!(stats.batches, 3);
    assert_eq!(stats.connections, 1);
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 30);
}

#[test]
fn connections_are_rotated_after_connection_max_age() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .connection_max_age(Duration::from_millis(100))
        .build()
        .unwrap();
    with_layer(http, || {
        for round in 0..3 {
            emit(round * 10, 10);
            collector
                .wait_for_records((round as usize + 1) * 10, WAIT)
                .unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    });
    let stats = collector.stats();
    assert_eq!(stats.batches, 3);
    // Each batch found the previous connection too old.
    assert_eq!(stats.connections, 3);
    let connections: Vec<u64> = stats.recent.iter().map(|r| r.connection).collect();
    assert_eq!(connections, [1, 2, 3]);
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.retried), (30, 0));
}

#[test]
fn flush_sends_a_partial_batch_at_once() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .flush_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    with_layer(http, || emit(0, 7));
    assert_eq!(guard.stats().queued, 7);
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.stats());
    assert_eq!((stats.sent, stats.queued), (7, 0));
    assert_eq!(collector.stats().records, 7);
    accounted(guard.shutdown(Duration::from_secs(5)));
}

#[test]
fn a_record_larger_than_max_batch_bytes_is_dropped_and_counted() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .max_batch_bytes(2048)
        .build()
        .unwrap();
    let huge = "x".repeat(4096);
    with_layer(http, || {
        tracing::info!(seq = 0_u64, "small");
        tracing::info!(seq = 1_u64, huge = huge.as_str(), "too large");
        tracing::info!(seq = 2_u64, "small");
    });
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(
        (stats.emitted, stats.sent, stats.dropped, stats.oversize),
        (3, 2, 1, 1)
    );
    let records = collector.wait_for_records(2, WAIT).unwrap();
    assert_eq!(seqs(&records), [0, 2]);
}

#[test]
fn batches_split_at_max_batch_bytes() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .max_batch_bytes(4096)
        .flush_interval(Duration::from_secs(3600))
        .drop_extra_events(false)
        .build()
        .unwrap();
    let filler = "y".repeat(500);
    with_layer(http, || {
        for seq in 0..40_u64 {
            tracing::info!(seq, filler = filler.as_str(), "filler");
        }
    });
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 40);
    let collector_stats = collector.stats();
    assert!(collector_stats.batches > 1, "{collector_stats:?}");
    assert!(
        collector_stats.recent.iter().all(|r| r.body_bytes <= 4096),
        "{:?}",
        collector_stats.recent
    );
    assert_eq!(seqs(&collector.records()), (0..40).collect::<Vec<_>>());
}
