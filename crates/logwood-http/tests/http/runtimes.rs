//! No runtime at init; the same behaviour in a plain thread, inside a
//! multi-thread runtime and inside a current-thread runtime.

use std::time::Duration;

use tracing::instrument::WithSubscriber as _;

use crate::support::{WAIT, accounted, emit, layer, seqs, start, with_layer};

#[test]
fn the_layer_is_built_and_used_without_any_tokio_runtime() {
    assert!(tokio::runtime::Handle::try_current().is_err());
    let collector = start();
    let (http, guard) = layer(collector.frames_url()).build().unwrap();
    with_layer(http, || emit(0, 10));
    drop(guard);
    let records = collector.wait_for_records(10, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..10).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_layer_works_inside_a_multi_thread_runtime() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url()).build().unwrap();
    let subscriber = {
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(http)
    };
    let dispatch = tracing::Dispatch::new(subscriber);
    let _default = tracing::dispatcher::set_default(&dispatch);
    emit(0, 10);
    let mut tasks = Vec::new();
    for task in 1..=4_u64 {
        tasks.push(tokio::spawn(
            async move {
                tokio::task::yield_now().await;
                emit(task * 10, 10);
            }
            .with_current_subscriber(),
        ));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Shutting down blocks this worker thread briefly; the layer's own
    // runtime does the work.
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.emitted, stats.sent), (50, 50));
    let mut got = seqs(&collector.wait_for_records(50, WAIT).unwrap());
    got.sort_unstable();
    assert_eq!(got, (0..50).collect::<Vec<_>>());
}

#[tokio::test(flavor = "current_thread")]
async fn shutdown_inside_a_current_thread_runtime_delivers_everything_by_the_deadline() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .flush_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let subscriber = {
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(http)
    };
    let _default = tracing::subscriber::set_default(subscriber);
    emit(0, 100);
    tokio::task::yield_now().await;
    // Nothing was sent yet (the interval is an hour): the shutdown sends
    // it all, from inside this single-threaded runtime.
    assert_eq!(guard.stats().queued, 100);
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed, stats.queued), (100, 0, 0));
    assert_eq!(collector.stats().records, 100);
}

#[tokio::test(flavor = "current_thread")]
async fn dropping_the_guard_inside_a_current_thread_runtime_delivers_everything() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .flush_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let stats = {
        use tracing_subscriber::prelude::*;
        let subscriber = tracing_subscriber::registry().with(http);
        let dispatch = tracing::Dispatch::new(subscriber);
        tracing::dispatcher::with_default(&dispatch, || emit(0, 100));
        drop(guard);
        dispatch
            .downcast_ref::<logwood_http::HttpLayer>()
            .map(logwood_http::HttpLayer::stats)
            .unwrap()
    };
    let stats = accounted(stats);
    assert_eq!((stats.sent, stats.failed), (100, 0));
    // Delivered before `drop` returned.
    assert_eq!(collector.stats().records, 100);
    assert_eq!(seqs(&collector.records()), (0..100).collect::<Vec<_>>());
}

#[test]
fn events_from_many_threads_all_arrive() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .drop_extra_events(false)
        .buffer_capacity(50)
        .build()
        .unwrap();
    let subscriber = {
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(http)
    };
    let dispatch = tracing::Dispatch::new(subscriber);
    std::thread::scope(|s| {
        for t in 0..4_u64 {
            let dispatch = dispatch.clone();
            s.spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || emit(t * 1000, 500));
            });
        }
    });
    let stats = accounted(guard.shutdown(Duration::from_secs(10)));
    assert_eq!((stats.emitted, stats.sent, stats.dropped), (2000, 2000, 0));
    let mut got = seqs(&collector.records());
    got.sort_unstable();
    let want: Vec<u64> = (0..4).flat_map(|t| t * 1000..t * 1000 + 500).collect();
    assert_eq!(got, want);
}
