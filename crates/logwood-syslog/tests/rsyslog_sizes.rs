//! Large records: whole over octet-counted streams, cut and counted over UDP.

#![allow(clippy::unwrap_used)]

mod support;

use logwood_syslog::{Multiline, SyslogFormat, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, marker, run};

/// A 60,000-byte message starting with `marker`, of ASCII and `€`.
fn big(marker: &str) -> String {
    let mut text = format!("{marker} ");
    while text.len() < 60_000 - 4 {
        text.push_str(if text.len() % 7 == 0 { "€" } else { "x" });
    }
    while text.len() < 60_000 {
        text.push('y');
    }
    assert_eq!(text.len(), 60_000);
    text
}

#[test]
fn a_60000_byte_message_arrives_whole_over_octet_counted_tcp_and_tls() {
    let server = Rsyslog::shared();
    for via in [Via::Tcp, Via::Tls] {
        let marker = marker(&format!("big-{}", via.name()));
        let message = big(&marker);
        let stats = run(
            via.to(
                server,
                SyslogLayer::builder().multiline(Multiline::KeepNewlines),
            ),
            || tracing::info!("{message}"),
        );
        assert_eq!((stats.sent, stats.truncated), (1, 0), "{via:?}");
        let lines = server.wait_for(&marker, 1, WAIT);
        assert_eq!(lines.len(), 1, "{via:?}");
        assert_eq!(lines[0]["msg"].as_str().unwrap(), message, "{via:?}");
        // Nothing of it arrived as a second record.
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(
            server
                .messages()
                .iter()
                .filter(|l| l["msg"].as_str().unwrap().starts_with('y'))
                .count(),
            0
        );
    }
}

#[test]
fn a_60000_byte_message_over_udp_is_cut_to_2048_bytes_on_a_utf8_boundary_and_counted() {
    let server = Rsyslog::shared();
    for format in [SyslogFormat::Rfc5424, SyslogFormat::Rfc3164] {
        let marker = marker("udp-cut");
        let message = big(&marker);
        let stats = run(
            Via::Udp.to(server, SyslogLayer::builder().format(format)),
            || tracing::info!("{message}"),
        );
        assert_eq!(
            (stats.emitted, stats.sent, stats.truncated),
            (1, 1, 1),
            "{format:?}"
        );
        let raw = server.wait_for_raw(&marker, 1, WAIT);
        assert_eq!(raw.len(), 1, "{format:?}");
        // rsyslog wrote valid UTF-8: no character was split.
        let text = std::str::from_utf8(&raw[0]).unwrap();
        let line: serde_json::Value = serde_json::from_str(text).unwrap();
        let rawmsg = line["rawmsg"].as_str().unwrap();
        assert!((2045..=2048).contains(&rawmsg.len()), "{}", rawmsg.len());
        let msg = line["msg"].as_str().unwrap().trim_start();
        assert!(message.starts_with(msg), "{format:?}");
    }
}

#[test]
fn max_message_size_applies_to_streams_too() {
    let server = Rsyslog::shared();
    let marker = marker("tcp-cut");
    let message = big(&marker);
    let stats = run(
        Via::Tcp.to(server, SyslogLayer::builder().max_message_size(1000)),
        || tracing::info!("{message}"),
    );
    assert_eq!((stats.sent, stats.truncated), (1, 1));
    let lines = server.wait_for(&marker, 1, WAIT);
    assert!(lines[0]["rawmsg"].as_str().unwrap().len() <= 1000);
}
