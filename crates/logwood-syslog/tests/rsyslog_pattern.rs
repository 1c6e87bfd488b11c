//! `message_pattern`: the message text rendered through a Python `logging`
//! format, as a real rsyslogd parses it.

#![allow(clippy::unwrap_used)]

mod support;

use logwood_syslog::{SyslogFormat, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, marker, run};

/// The format Papertrail's Python docs set on `SysLogHandler`.
const PAPERTRAIL_PATTERN: &str = "%(name)s[%(process)d]: %(levelname)s %(message)s";

fn emit(marker: &str) {
    let span = tracing::info_span!("checkout", request.id = "r-7");
    let _e = span.enter();
    tracing::warn!(target: "shop::orders", order_id = 1234, "{marker} stock low");
}

#[test]
fn rfc5424_msg_is_the_rendered_pattern_and_fields_stay_structured_data() {
    let server = Rsyslog::shared();
    for via in [Via::Tcp, Via::Tls] {
        let marker = marker("pattern5424");
        let stats = run(
            via.to(
                server,
                SyslogLayer::builder()
                    .format(SyslogFormat::Rfc5424)
                    .app_name("shop")
                    .message_pattern(PAPERTRAIL_PATTERN),
            ),
            || emit(&marker),
        );
        assert_eq!((stats.emitted, stats.sent), (1, 1), "{via:?}");
        let lines = server.wait_for(&marker, 1, WAIT);
        let line = &lines[0];
        let pid = std::process::id();
        assert_eq!(
            line["msg"],
            format!("shop::orders[{pid}]: WARNING {marker} stock low"),
            "{line}"
        );
        assert_eq!(line["app-name"], "shop", "{line}");
        assert_eq!(line["severity-text"], "warning", "{line}");
        assert_eq!(line["sd"]["logwood@32473"]["order_id"], "1234", "{line}");
        assert_eq!(line["sd"]["ctx@32473"]["request.id"], "r-7", "{line}");
    }
}

#[test]
fn rfc3164_over_udp_reads_as_python_sysloghandler_with_a_formatter() {
    let server = Rsyslog::shared();
    let marker = marker("pattern3164");
    let stats = run(
        Via::Udp.to(
            server,
            SyslogLayer::builder()
                .format(SyslogFormat::Rfc3164)
                .app_name("shop")
                .message_pattern(PAPERTRAIL_PATTERN),
        ),
        || emit(&marker),
    );
    assert_eq!((stats.emitted, stats.sent), (1, 1));
    let lines = server.wait_for(&marker, 1, WAIT);
    let line = &lines[0];
    let pid = std::process::id();
    assert_eq!(line["programname"], "shop", "{line}");
    assert_eq!(
        line["msg"].as_str().unwrap().trim_start(),
        format!("shop::orders[{pid}]: WARNING {marker} stock low order_id=1234 request.id=r-7"),
        "{line}"
    );
}

#[test]
fn split_lines_with_a_pattern_keep_the_context_on_every_line() {
    let server = Rsyslog::shared();
    let marker = marker("pattern-split");
    let stats = run(
        Via::Tcp.to(
            server,
            SyslogLayer::builder()
                .format(SyslogFormat::Rfc5424)
                .message_pattern("%(levelname)s %(message)s"),
        ),
        || {
            let span = tracing::info_span!("checkout", request.id = "r-8");
            let _e = span.enter();
            tracing::error!("{marker} panicked\n{marker}   at a.rs:1");
        },
    );
    assert_eq!((stats.emitted, stats.sent), (2, 2));
    let lines = server.wait_for(&marker, 2, WAIT);
    assert_eq!(lines[0]["msg"], format!("ERROR {marker} panicked"));
    assert_eq!(lines[1]["msg"], format!("{marker}   at a.rs:1"));
    for line in &lines {
        assert_eq!(line["sd"]["ctx@32473"]["request.id"], "r-8", "{line}");
    }
}
