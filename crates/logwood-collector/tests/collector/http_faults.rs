use std::time::{Duration, Instant};

use logwood_collector::Collector;
use serde_json::json;

use crate::support::*;

#[test]
fn fail_first_answers_the_first_batches_with_503_and_retry_after_and_writes_nothing() {
    let collector = Collector::builder()
        .fail_first(2)
        .retry_after(Duration::from_secs(2))
        .start()
        .unwrap();
    let mut client = Client::connect(collector.http_addr());
    for i in 0..2 {
        let response = client
            .post("/frames", MSGPACK, &msgpack_batch(&records(1)))
            .unwrap();
        assert_eq!(response.status, 503, "batch {i}");
        assert_eq!(response.header("retry-after"), Some("2"));
    }
    let response = client
        .post(
            "/frames",
            MSGPACK,
            &msgpack_batch(&[json!({"third": true})]),
        )
        .unwrap();
    assert_eq!(response.status, 202);
    assert_eq!(response.header("retry-after"), None);
    assert_eq!(collector.records(), vec![json!({"third": true})]);
    let stats = collector.stats();
    assert_eq!(
        (
            stats.status_count(503),
            stats.status_count(202),
            stats.connections
        ),
        (2, 1, 1)
    );
    // Health checks are not batches and never fail.
    assert_eq!(client.get("/health").unwrap().status, 200);
}

#[test]
fn fail_status_changes_the_fail_first_answer() {
    let collector = Collector::builder()
        .fail_first(1)
        .fail_status(500)
        .retry_after(Duration::from_secs(1))
        .start()
        .unwrap();
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", NDJSON)],
        b"{}\n",
    )
    .unwrap();
    assert_eq!(response.status, 500);
    assert_eq!(
        response.header("retry-after"),
        None,
        "Retry-After goes only with 429 and 503"
    );
}

#[test]
fn status_sequence_answers_in_order_then_accepts() {
    let collector = Collector::builder()
        .status_sequence([503, 429, 200, 500])
        .retry_after(Duration::from_millis(1500))
        .start()
        .unwrap();
    let mut client = Client::connect(collector.http_addr());
    let mut statuses = Vec::new();
    for i in 0..6 {
        let response = client
            .post("/frames", NDJSON, format!("{{\"i\":{i}}}\n").as_bytes())
            .unwrap();
        if matches!(response.status, 429 | 503) {
            assert_eq!(
                response.header("retry-after"),
                Some("2"),
                "rounded up to whole seconds"
            );
        }
        statuses.push(response.status);
    }
    assert_eq!(statuses, [503, 429, 200, 500, 202, 202]);
    // The 2xx entry of the sequence accepts its batch; the others write nothing.
    assert_eq!(
        collector.records(),
        vec![json!({"i": 2}), json!({"i": 4}), json!({"i": 5})]
    );
}

#[test]
fn drop_connection_every_closes_the_socket_without_an_answer() {
    let collector = Collector::builder()
        .drop_connection_every(2)
        .start()
        .unwrap();
    let addr = collector.http_addr();
    let mut client = Client::connect(addr);
    assert_eq!(
        client
            .post("/frames", NDJSON, b"{\"n\":1}\n")
            .unwrap()
            .status,
        202
    );
    let err = client.post("/frames", NDJSON, b"{\"n\":2}\n").unwrap_err();
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
        ),
        "{err:?}"
    );
    let mut client = Client::connect(addr);
    assert_eq!(
        client
            .post("/frames", NDJSON, b"{\"n\":3}\n")
            .unwrap()
            .status,
        202
    );
    assert!(client.post("/frames", NDJSON, b"{\"n\":4}\n").is_err());
    assert_eq!(collector.records(), vec![json!({"n": 1}), json!({"n": 3})]);
    let stats = collector.stats();
    assert_eq!(
        (stats.dropped_connections, stats.connections, stats.requests),
        (2, 2, 4)
    );
    let dropped: Vec<_> = stats
        .recent
        .iter()
        .filter(|r| r.status.is_none())
        .map(|r| r.connection)
        .collect();
    assert_eq!(dropped, [1, 2]);
}

#[test]
fn delay_holds_every_answer() {
    let collector = Collector::builder()
        .delay(Duration::from_millis(300))
        .start()
        .unwrap();
    let started = Instant::now();
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", NDJSON)],
        b"{}\n",
    )
    .unwrap();
    assert_eq!(response.status, 202);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn unauthenticated_requests_do_not_use_up_faults() {
    let collector = Collector::builder()
        .token("t")
        .fail_first(1)
        .start()
        .unwrap();
    let mut client = Client::connect(collector.http_addr());
    assert_eq!(client.post("/frames", NDJSON, b"{}\n").unwrap().status, 401);
    let auth = [("Content-Type", NDJSON), ("Authorization", "Bearer t")];
    assert_eq!(
        client
            .request("POST", "/frames", &auth, b"{}\n")
            .unwrap()
            .status,
        503
    );
    assert_eq!(
        client
            .request("POST", "/frames", &auth, b"{}\n")
            .unwrap()
            .status,
        202
    );
}

#[test]
fn shutdown_is_bounded_even_with_a_request_held_by_a_long_delay() {
    let collector = Collector::builder()
        .delay(Duration::from_secs(60))
        .start()
        .unwrap();
    let addr = collector.http_addr();
    let client =
        std::thread::spawn(move || post(addr, "/frames", &[("Content-Type", NDJSON)], b"{}\n"));
    // Let the request arrive and start waiting.
    let deadline = Instant::now() + Duration::from_secs(5);
    while collector.stats().connections == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let stats = collector.shutdown();
    assert!(
        started.elapsed() < logwood_collector::SHUTDOWN_TIMEOUT,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stats.records, 0);
    assert!(
        client.join().unwrap().is_err(),
        "the held request is cut off without an answer"
    );
}
