use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::Duration;

use logwood_collector::{Collector, Output};
use serde_json::json;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn udp_datagrams_in_rfc5424_and_rfc3164_are_parsed() {
    let collector = Collector::builder()
        .syslog_udp("127.0.0.1:0")
        .start()
        .unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = collector.syslog_udp_addr().unwrap();
    socket
        .send_to(
            "<14>1 2026-11-20T03:44:21.221232Z web-1 shop 20643 - [logwood@32473 user.id=\"42\" note=\"a \\\"q\\\" \\] \\\\\"] \u{feff}Order placed\n".as_bytes(),
            to,
        )
        .unwrap();
    socket
        .send_to(b"<22>Jan  2 23:34:45 host app[123]: legacy message", to)
        .unwrap();
    let messages = collector.wait_for_syslog_messages(2, WAIT).unwrap();
    let peer = socket.local_addr().unwrap().to_string();
    assert_eq!(
        messages[0],
        json!({
            "transport": "udp", "peer": peer, "format": "rfc5424",
            "pri": 14, "facility": 1, "severity": 6, "version": 1,
            "timestamp": "2026-11-20T03:44:21.221232Z", "hostname": "web-1", "app_name": "shop",
            "procid": "20643", "msgid": null,
            "sd": {"logwood@32473": {"user.id": "42", "note": "a \"q\" ] \\"}},
            "msg": "Order placed"
        })
    );
    assert_eq!(messages[1]["format"], json!("rfc3164"));
    assert_eq!(messages[1]["hostname"], json!("host"));
    assert_eq!(messages[1]["app_name"], json!("app"));
    assert_eq!(messages[1]["procid"], json!("123"));
    assert_eq!(messages[1]["msg"], json!("legacy message"));
    assert_eq!(collector.stats().syslog_messages, 2);
    assert!(
        collector.records().is_empty(),
        "syslog lines are not HTTP records"
    );
}

#[test]
fn tcp_octet_counted_and_lf_framed_messages_are_parsed_on_one_stream() {
    let collector = Collector::builder()
        .syslog_tcp("127.0.0.1:0")
        .start()
        .unwrap();
    let mut stream = TcpStream::connect(collector.syslog_tcp_addr().unwrap()).unwrap();
    let multiline = "<13>1 - h app - - - line one\nline two";
    let lf = "<13>1 - h app - - - lf framed\n";
    let last = "<13>1 - h app - - - no final newline";
    let data = format!(
        "{} {multiline}{lf}{} {multiline}{last}",
        multiline.len(),
        multiline.len()
    );
    // Split the writes mid-frame to exercise reassembly.
    let (a, b) = data.as_bytes().split_at(7);
    stream.write_all(a).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    stream.write_all(b).unwrap();
    drop(stream);
    let messages = collector.wait_for_syslog_messages(4, WAIT).unwrap();
    let msgs: Vec<_> = messages
        .iter()
        .map(|m| m["msg"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        [
            "line one\nline two",
            "lf framed",
            "line one\nline two",
            "no final newline"
        ]
    );
    assert!(
        messages
            .iter()
            .all(|m| m["transport"] == json!("tcp") && m["app_name"] == json!("app"))
    );
    assert_eq!(collector.stats().syslog_rejected, 0);
}

#[test]
fn tcp_frame_over_the_bound_closes_the_connection_and_is_counted() {
    let collector = Collector::builder()
        .syslog_tcp("127.0.0.1:0")
        .max_syslog_frame(100)
        .start()
        .unwrap();
    let addr = collector.syslog_tcp_addr().unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
        .write_all(b"20 <13>1 - h a - - - ok500 <13>1 - h a - - - too big")
        .unwrap();
    let mut byte = [0; 1];
    assert!(
        matches!(stream.read(&mut byte), Ok(0) | Err(_)),
        "the collector closes the stream"
    );
    let messages = collector.wait_for_syslog_messages(1, WAIT).unwrap();
    assert_eq!(messages[0]["msg"], json!("ok"));

    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(&[b'x'; 200]).unwrap();
    assert!(
        matches!(stream.read(&mut byte), Ok(0) | Err(_)),
        "an LF frame over the bound too"
    );
    assert_eq!(collector.stats().syslog_rejected, 2);
}

#[test]
fn syslog_messages_and_records_share_the_output_file_and_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    let collector = Collector::builder()
        .out(Output::File(path.clone()))
        .syslog_udp("127.0.0.1:0")
        .start()
        .unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .send_to(
            b"<14>1 - h a - - - from syslog",
            collector.syslog_udp_addr().unwrap(),
        )
        .unwrap();
    collector.wait_for_syslog_messages(1, WAIT).unwrap();
    // A record that itself looks like a syslog line is still a record.
    let body = b"{\"syslog\":{\"msg\":\"from http\"}}\n";
    assert_eq!(
        post(
            collector.http_addr(),
            "/frames",
            &[("Content-Type", NDJSON)],
            body
        )
        .unwrap()
        .status,
        202
    );
    assert_eq!(
        collector.records(),
        vec![json!({"syslog": {"msg": "from http"}})]
    );
    let messages = collector.syslog_messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["msg"], json!("from syslog"));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("{\"syslog\":{\"transport\":\"udp\",\"peer\":"));
    assert_eq!(lines[1], "{\"syslog\":{\"msg\":\"from http\"}}");
}

#[test]
fn syslog_ports_can_be_reused_after_shutdown() {
    let first = Collector::builder()
        .syslog_udp("127.0.0.1:0")
        .syslog_tcp("127.0.0.1:0")
        .start()
        .unwrap();
    let (udp, tcp) = (
        first.syslog_udp_addr().unwrap(),
        first.syslog_tcp_addr().unwrap(),
    );
    let _open = TcpStream::connect(tcp).unwrap();
    first.shutdown();
    let second = Collector::builder()
        .syslog_udp(udp.to_string())
        .syslog_tcp(tcp.to_string())
        .start()
        .unwrap();
    let mut stream = TcpStream::connect(tcp).unwrap();
    stream.write_all(b"<13>1 - h a - - - again\n").unwrap();
    assert_eq!(
        second.wait_for_syslog_messages(1, WAIT).unwrap()[0]["msg"],
        json!("again")
    );
    assert_eq!(second.syslog_udp_addr(), Some(udp));
}
