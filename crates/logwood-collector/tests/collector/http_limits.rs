//! A collector that cannot be held open: header, body and idle timeouts, and
//! the connection limit. Timing is never asserted tightly: short timeouts,
//! generous bounds ("closed within 5 s").

use std::io::Write;
use std::time::{Duration, Instant};

use logwood_collector::Collector;

use crate::support::*;

const SHORT: Duration = Duration::from_millis(300);
const LONG: Duration = Duration::from_secs(60);
const WAIT: Duration = Duration::from_secs(5);

#[test]
fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let collector = Collector::builder().header_timeout(SHORT).start().unwrap();
    let mut stream = partial(collector.http_addr(), b"");
    assert!(closed_within(&mut stream, WAIT));
    assert!(eventually(WAIT, || collector.stats().closed_header_timeout == 1));
    let stats = collector.stats();
    assert_eq!((stats.connections_open, stats.closed_idle), (0, 0));
}

#[test]
fn a_slowloris_sending_a_byte_at_a_time_is_closed_after_the_header_timeout() {
    let collector = Collector::builder()
        .header_timeout(Duration::from_millis(500))
        .start()
        .unwrap();
    let mut stream = partial(collector.http_addr(), b"P");
    let head = b"OST /frames HTTP/1.1\r\nHost: collector\r\nX-Padding: ".iter();
    let started = Instant::now();
    let mut closed = false;
    // A byte every 50 ms, endlessly: each byte arrives well within any
    // per-read timeout, but the head never completes.
    for &byte in head.chain(std::iter::repeat(&b'a')).take(200) {
        if stream.write_all(&[byte]).is_err() || closed_within(&mut stream, SHORT / 6) {
            closed = true;
            break;
        }
    }
    assert!(closed, "still open after {:?}", started.elapsed());
    assert!(eventually(WAIT, || collector.stats().closed_header_timeout == 1));
}

#[test]
fn a_body_that_never_arrives_gets_408_and_the_connection_closed() {
    let collector = Collector::builder()
        .body_timeout(SHORT)
        .header_timeout(LONG)
        .start()
        .unwrap();
    let mut client = Client::connect(collector.http_addr());
    client
        .send_raw(
            b"POST /frames HTTP/1.1\r\nHost: c\r\nContent-Type: application/x-ndjson\r\n\
              Content-Length: 5000000\r\n\r\n{\"a\":1}\n\r\n",
        )
        .unwrap();
    let response = client.read_response().unwrap();
    assert_eq!(response.status, 408);
    assert_eq!(response.header("connection"), Some("close"));
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .contains("body timeout")
    );
    assert!(client.closed_within(WAIT));
    assert!(eventually(WAIT, || collector.stats().connections_open == 0));
    let stats = collector.stats();
    assert_eq!((stats.closed_body_timeout, stats.records), (1, 0));
    assert!(collector.records().is_empty());
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout_not_the_header_timeout() {
    let collector = Collector::builder()
        .header_timeout(SHORT)
        .idle_timeout(Duration::from_secs(3))
        .start()
        .unwrap();
    let mut client = Client::connect(collector.http_addr());
    assert_eq!(client.get("/health").unwrap().status, 200);
    // Longer than the header timeout between requests: still kept alive.
    std::thread::sleep(SHORT * 3);
    assert_eq!(client.get("/health").unwrap().status, 200);
    assert!(client.closed_within(Duration::from_secs(15)));
    assert!(eventually(WAIT, || collector.stats().closed_idle == 1));
    let stats = collector.stats();
    assert_eq!(
        (
            stats.connections,
            stats.requests,
            stats.closed_header_timeout
        ),
        (1, 2, 0)
    );
}

#[test]
fn a_request_head_begun_on_an_idle_connection_has_the_header_timeout() {
    let collector = Collector::builder()
        .header_timeout(SHORT)
        .idle_timeout(LONG)
        .start()
        .unwrap();
    let mut client = Client::connect(collector.http_addr());
    assert_eq!(client.get("/health").unwrap().status, 200);
    client.send_raw(PARTIAL_HEAD).unwrap();
    assert!(client.closed_within(WAIT));
    assert!(eventually(WAIT, || collector.stats().closed_header_timeout == 1));
    assert_eq!(collector.stats().closed_idle, 0);
}

#[test]
fn beyond_max_connections_the_one_waiting_longest_for_a_request_is_closed() {
    let collector = Collector::builder()
        .max_connections(3)
        .header_timeout(LONG)
        .start()
        .unwrap();
    let addr = collector.http_addr();
    let mut held: Vec<_> = (0..3)
        .map(|_| {
            let stream = partial(addr, PARTIAL_HEAD);
            std::thread::sleep(Duration::from_millis(20));
            stream
        })
        .collect();
    assert!(eventually(WAIT, || collector.stats().connections_open == 3));
    let _fourth = partial(addr, PARTIAL_HEAD);
    assert!(closed_within(&mut held[0], WAIT), "the oldest is closed");
    assert!(!closed_within(&mut held[1], Duration::from_millis(200)));
    // And a health check gets room too (closing the next oldest).
    assert_eq!(Client::connect(addr).get("/health").unwrap().status, 200);
    assert!(closed_within(&mut held[1], WAIT));
    assert!(!closed_within(&mut held[2], Duration::from_millis(200)));
    assert!(eventually(WAIT, || collector.stats().closed_limit == 2));
    assert!(collector.stats().connections_open <= 3);
}

#[test]
fn a_connection_in_the_middle_of_a_request_is_never_closed_to_make_room() {
    let collector = Collector::builder()
        .max_connections(2)
        .header_timeout(LONG)
        .start()
        .unwrap();
    let addr = collector.http_addr();
    let body = ndjson_batch(&records(2));
    let head = format!(
        "POST /frames HTTP/1.1\r\nHost: c\r\nContent-Type: application/x-ndjson\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    // The oldest connection is in the middle of its body.
    let mut busy = Client::connect(addr);
    busy.send_raw(head.as_bytes()).unwrap();
    busy.send_raw(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let mut waiting = partial(addr, PARTIAL_HEAD);
    assert!(eventually(WAIT, || collector.stats().connections_open == 2));

    let newcomer = partial(addr, PARTIAL_HEAD);
    assert!(
        closed_within(&mut waiting, WAIT),
        "the waiting one is closed"
    );
    assert!(eventually(WAIT, || collector.stats().closed_limit == 1));
    drop(newcomer);
    assert!(eventually(WAIT, || collector.stats().connections_open == 1));

    // With every open connection in the middle of a request, a newcomer is
    // turned away at once.
    let mut second = Client::connect(addr);
    second.send_raw(head.as_bytes()).unwrap();
    second.send_raw(&body[..10]).unwrap();
    assert!(eventually(WAIT, || collector.stats().connections_open == 2));
    // Give the collector time to read the second head (it is then serving).
    std::thread::sleep(Duration::from_millis(200));
    // (Read without sending: the answer comes at once, and data sent to a
    // closed socket could reset the connection before it is read.)
    let mut turned_away = Client::connect(addr);
    let response = turned_away.read_response().unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(response.header("retry-after"), Some("1"));
    assert_eq!(response.json()["error"], "too many connections busy");
    assert!(turned_away.closed_within(WAIT));
    assert!(eventually(WAIT, || collector.stats().closed_limit == 2));

    for client in [&mut busy, &mut second] {
        client.send_raw(&body[10..]).unwrap();
        assert_eq!(client.read_response().unwrap().status, 202);
    }
    assert_eq!(collector.records().len(), 4);
    assert_eq!(collector.stats().closed_limit, 2);
}

#[test]
fn health_answers_while_hundreds_of_partial_head_connections_are_held() {
    let collector = Collector::builder()
        .max_connections(64)
        .header_timeout(LONG)
        .start()
        .unwrap();
    let addr = collector.http_addr();
    let held: Vec<_> = (0..300).map(|_| partial(addr, PARTIAL_HEAD)).collect();
    let mut client = Client::connect(addr);
    assert_eq!(client.get("/health").unwrap().status, 200);
    // Connections asked to close may not all have closed yet; soon they have.
    assert!(
        eventually(WAIT, || {
            let stats = collector.stats();
            stats.connections_open <= 64 && stats.closed_limit >= 300 - 63
        }),
        "{}",
        collector.stats().to_json()
    );
    drop(held);
}
