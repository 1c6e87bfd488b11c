//! A stalled collector: drop and count, or wait and drop nothing.

use std::time::Duration;

use crate::support::{WAIT, accounted, collector, emit, layer, seqs, with_layer};

/// Waits (bounded) until `f` holds.
fn wait_until(mut f: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the condition did not hold in time");
}

#[test]
fn with_drop_extra_events_a_stalled_collector_makes_the_caller_drop_and_count_never_block() {
    // Every answer takes 30 s: the first batch is stuck in flight for the
    // whole test.
    let collector = collector().delay(Duration::from_secs(30)).start().unwrap();
    let (http, guard) = layer(collector.frames_url())
        .buffer_capacity(10)
        .flush_interval(Duration::from_millis(1))
        .request_timeout(Duration::from_secs(60))
        .drop_extra_events(true)
        .build()
        .unwrap();
    with_layer(http, || {
        emit(0, 10);
        // Wait (bounded) until the worker holds the first batch: it took it
        // out of the buffer before it connected.
        wait_until(|| collector.stats().connections == 1);
        assert_eq!(guard.stats().queued, 10);
        // The caller cannot block here: had it waited for the stalled
        // collector, nothing would have been dropped.
        emit(10, 1000);
    });
    let stats = accounted(guard.stats());
    assert_eq!(stats.emitted, 1010);
    // 10 in flight, 10 buffered.
    assert_eq!(stats.queued, 20);
    assert_eq!(stats.dropped, 990);
    assert_eq!(stats.sent, 0);

    // The stalled batch and the buffer are failed at the deadline.
    let stats = accounted(guard.shutdown(Duration::from_millis(200)));
    assert_eq!((stats.failed, stats.dropped, stats.sent), (20, 990, 0));
}

#[test]
fn without_drop_extra_events_a_slow_collector_makes_the_caller_wait_and_nothing_is_dropped() {
    let collector = collector()
        .delay(Duration::from_millis(50))
        .start()
        .unwrap();
    let (http, guard) = layer(collector.frames_url())
        .buffer_capacity(10)
        .drop_extra_events(false)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 200));
    // Returning from emit with a 10-record buffer and 20 slow batches means
    // the caller waited for room.
    let stats = accounted(guard.stats());
    assert_eq!(stats.dropped, 0);
    assert!(stats.sent >= 180, "{stats:?}");
    let records = collector.wait_for_records(200, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..200).collect::<Vec<_>>());
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.dropped, stats.failed), (200, 0, 0));
}

#[test]
fn records_keep_filling_the_buffer_while_a_batch_is_retried() {
    // Five refusals 100 ms apart: the first batch is retried for 400 ms
    // while more records arrive.
    let collector = collector().fail_first(5).start().unwrap();
    let (http, guard) = layer(collector.frames_url())
        .buffer_capacity(5)
        .retry_initial(Duration::from_millis(100))
        .retry_max(Duration::from_millis(100))
        .build()
        .unwrap();
    with_layer(http, || {
        emit(0, 5);
        for _ in 0..1000 {
            if guard.stats().retried > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        emit(5, 8);
    });
    let stats = accounted(guard.stats());
    // 5 in flight (being retried), 5 buffered, 3 dropped.
    assert_eq!(stats.dropped, 3, "{stats:?}");
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.dropped, stats.failed), (10, 3, 0));
    assert_eq!(seqs(&collector.records()), (0..10).collect::<Vec<_>>());
}
