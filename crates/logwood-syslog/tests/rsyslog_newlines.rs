//! Line breaks in messages and fields never forge a record.

#![allow(clippy::unwrap_used)]

mod support;

use logwood_syslog::{Framing, Multiline, SyslogFormat, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, marker, run};

/// A message whose second line, sent raw on an LF-framed stream, would be
/// parsed as a record of its own (rsyslog reads `<11>` as its PRI).
fn forging(marker: &str) -> String {
    format!("{marker} first\n<11>1 2026-01-01T00:00:00Z forged app - - - {marker} injected")
}

#[test]
fn lf_framed_tcp_with_split_lines_sends_each_line_as_a_record_in_order() {
    let server = Rsyslog::shared();
    for format in [SyslogFormat::Rfc5424, SyslogFormat::Rfc3164] {
        let marker = marker("split");
        let message = format!("{marker} line1\n{marker} line2\r\n\n{marker} line3\n");
        let stats = run(
            Via::Tcp.to(
                server,
                SyslogLayer::builder()
                    .format(format)
                    .framing(Framing::LineFeed)
                    .app_name("splitter"),
            ),
            || tracing::error!(code = 7, "{message}"),
        );
        assert_eq!((stats.emitted, stats.sent), (3, 3), "{format:?}");
        let lines = server.wait_for(&marker, 3, WAIT);
        let msgs: Vec<&str> = lines
            .iter()
            .map(|l| l["msg"].as_str().unwrap().trim_start())
            .collect();
        match format {
            SyslogFormat::Rfc5424 => assert_eq!(
                msgs,
                [
                    format!("{marker} line1"),
                    format!("{marker} line2"),
                    format!("{marker} line3")
                ],
            ),
            _ => assert_eq!(
                msgs,
                [
                    format!("{marker} line1 code=7"),
                    format!("{marker} line2"),
                    format!("{marker} line3")
                ],
            ),
        }
        for line in &lines {
            // Every record keeps the header.
            assert_eq!(line["app-name"], "splitter", "{line}");
            assert_eq!(line["severity"], 3, "{line}");
            assert_eq!(line["timestamp"], lines[0]["timestamp"], "{line}");
        }
        if format == SyslogFormat::Rfc5424 {
            assert_eq!(lines[0]["sd"]["logwood@32473"]["code"], "7");
            assert_eq!(lines[1]["sd"], serde_json::json!({}));
        }
    }
}

#[test]
fn a_newline_in_a_message_or_field_never_forges_a_record_on_lf_framed_tcp() {
    let server = Rsyslog::shared();
    // SplitLines: the "forged" line arrives as the MSG of a record of ours,
    // with our header, not as a record with its own header.
    let marker_a = marker("forge-split");
    let stats = run(
        Via::Tcp.to(
            server,
            SyslogLayer::builder()
                .framing(Framing::LineFeed)
                .app_name("guarded"),
        ),
        || tracing::info!(field = %forging(&marker_a), "{}", forging(&marker_a)),
    );
    assert_eq!(stats.sent, 2);
    let lines = server.wait_for(&marker_a, 2, WAIT);
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        assert_eq!(line["app-name"], "guarded", "{line}");
        assert_eq!(line["hostname"], lines[0]["hostname"]);
        assert_ne!(line["hostname"], "forged", "{line}");
        assert_eq!(line["pri"], 14, "{line}");
    }
    // The SD value with a line break stayed in its record (as a space).
    let field = lines[0]["sd"]["logwood@32473"]["field"].as_str().unwrap();
    assert!(field.contains(" first <11>1 "), "{field}");

    // RFC 3164 with a `key=value` field holding a line break: escaped.
    let marker_b = marker("forge-kv");
    run(
        Via::Tcp.to(
            server,
            SyslogLayer::builder()
                .framing(Framing::LineFeed)
                .format(SyslogFormat::Rfc3164)
                .app_name("guarded"),
        ),
        || tracing::info!(field = %forging(&marker_b), "plain {marker_b}"),
    );
    let lines = server.wait_for(&marker_b, 1, WAIT);
    // Give a forged second record time to show up, then count again.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let lines_after = server.messages_containing(&marker_b);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines_after.len(), 1, "{lines_after:?}");
    assert!(
        lines[0]["msg"].as_str().unwrap().contains("\\n<11>1 "),
        "{}",
        lines[0]
    );
}

#[test]
fn octet_counting_with_keep_newlines_sends_one_record() {
    let server = Rsyslog::shared();
    for via in [Via::Tcp, Via::Tls] {
        let marker = marker("keep");
        let stats = run(
            via.to(
                server,
                SyslogLayer::builder().multiline(Multiline::KeepNewlines),
            ),
            || tracing::info!("{marker} line1\nline2\nline3"),
        );
        assert_eq!(stats.sent, 1);
        let lines = server.wait_for(&marker, 1, WAIT);
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(server.messages_containing(&marker).len(), 1);
        // rsyslog stores the LFs as #012.
        assert_eq!(
            lines[0]["msg"],
            format!("{marker} line1#012line2#012line3"),
            "{via:?}"
        );
    }
}

#[test]
fn keep_newlines_with_lf_framing_is_refused_at_build() {
    let err = SyslogLayer::builder()
        .tcp("127.0.0.1:514")
        .framing(Framing::LineFeed)
        .multiline(Multiline::KeepNewlines)
        .build()
        .unwrap_err();
    assert_eq!(err.option(), "multiline");
    assert!(err.to_string().contains("`KeepNewlines`"), "{err}");
}
