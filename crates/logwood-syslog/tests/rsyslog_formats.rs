//! Every transport × format against the real rsyslogd: what it parsed out
//! of the layer's records, field by field.

#![allow(clippy::unwrap_used)]

mod support;

use logwood_syslog::{Facility, SyslogFormat, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use serde_json::{Value, json};
use support::{Via, WAIT, marker, run};
use tracing_subscriber::prelude::*;

const UTF8: &str = "é € 日本語 😀";

/// Emits, inside a span with context, one WARN event carrying `marker`.
fn emit(marker: &str) {
    let span = tracing::info_span!("place_order", user.id = 42, note = "a \"q\" \\ ]");
    let _e = span.enter();
    tracing::warn!(
        order.id = 1234_u64,
        total = 520.23,
        text = "é € 日本語 😀 \"q\" ] \\",
        msgid = "ORDER",
        "{marker} {UTF8}"
    );
}

/// The timestamp as sent: the second word of the raw message (RFC 5424).
fn sent_timestamp(line: &Value) -> String {
    let raw = line["rawmsg"].as_str().unwrap();
    raw.split(' ').nth(1).unwrap().to_string()
}

fn check_rfc5424(line: &Value, via: Via, app: &str, marker: &str) {
    let pid = std::process::id().to_string();
    let expected = json!({
        "input": via.name(),
        "pri": 132,
        "facility": 16,
        "severity": 4,
        "severity-text": "warning",
        "protocol-version": 1,
        "hostname": "web-1",
        "app-name": app,
        "procid": pid,
        "msgid": "ORDER",
        "sd": {
            "logwood@32473": {
                "order.id": "1234",
                "total": "520.23",
                "text": "é € 日本語 😀 \"q\" ] \\",
            },
            "ctx@32473": {
                "service": "shop-api",
                "user.id": "42",
                "note": "a \"q\" \\ ]",
            },
        },
        "msg": format!("{marker} {UTF8}"),
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&line[key], value, "{key} of {line}");
    }
    // The timestamp round-trips with its 6 fractional digits.
    let ts = sent_timestamp(line);
    assert_eq!(ts.len(), "2026-11-20T03:44:21.221232Z".len(), "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
    assert_eq!(line["timestamp"], ts.as_str(), "{line}");
}

fn check_rfc3164(line: &Value, via: Via, app: &str, marker: &str) {
    let pid = std::process::id().to_string();
    let expected = json!({
        "input": via.name(),
        "pri": 132,
        "facility": 16,
        "severity": 4,
        "protocol-version": 0,
        "hostname": "web-1",
        "app-name": app,
        "procid": pid,
        "syslogtag": format!("{app}[{pid}]:"),
        "programname": app,
        "sd": {},
        // rsyslog keeps the space after the TAG's colon.
        "msg": format!(
            " {marker} {UTF8} msgid=ORDER order.id=1234 text=\"é € 日本語 😀 \\\"q\\\" ] \\\\\" \
             total=520.23 service=shop-api user.id=42 note=\"a \\\"q\\\" \\\\ ]\""
        ),
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&line[key], value, "{key} of {line}");
    }
    // `Mmm dd hh:mm:ss` (UTC) is what rsyslog read as the time.
    let raw = line["rawmsg"].as_str().unwrap();
    let clock = &raw[raw.find('>').unwrap() + 8..][..8];
    assert!(
        line["timestamp"].as_str().unwrap().contains(clock),
        "{line}"
    );
}

#[test]
fn every_transport_and_format_is_parsed_field_by_field_by_rsyslog() {
    let server = Rsyslog::shared();
    let cases = [
        (Via::Udp, SyslogFormat::Rfc5424),
        (Via::Udp, SyslogFormat::Rfc3164),
        (Via::Tcp, SyslogFormat::Rfc5424),
        (Via::Tcp, SyslogFormat::Rfc3164),
        (Via::Tls, SyslogFormat::Rfc5424),
        (Via::Tls, SyslogFormat::Rfc3164),
        (Via::Relp, SyslogFormat::Rfc5424),
        (Via::Relp, SyslogFormat::Rfc3164),
    ];
    for (via, format) in cases {
        let tag = match format {
            SyslogFormat::Rfc5424 => "5424",
            _ => "3164",
        };
        let app = format!("shop-{}-{tag}", via.name());
        let marker = marker(&format!("fmt-{}-{tag}", via.name()));
        let builder = SyslogLayer::builder()
            .format(format)
            .facility(Facility::Local0)
            .hostname("web-1")
            .app_name(&app)
            .context_field("service", "shop-api");
        let stats = run(via.to(server, builder), || emit(&marker));
        assert_eq!(
            (stats.emitted, stats.sent, stats.dropped),
            (1, 1, 0),
            "{via:?} {format:?}"
        );
        let lines = server.wait_for(&marker, 1, WAIT);
        assert_eq!(lines.len(), 1, "{via:?} {format:?}: {lines:?}");
        match format {
            SyslogFormat::Rfc5424 => check_rfc5424(&lines[0], via, &app, &marker),
            _ => check_rfc3164(&lines[0], via, &app, &marker),
        }
    }
}

#[test]
fn the_default_format_is_rfc5424_on_streams_and_relp_and_rfc3164_over_udp() {
    let server = Rsyslog::shared();
    for (via, version) in [(Via::Udp, 0), (Via::Tcp, 1), (Via::Tls, 1), (Via::Relp, 1)] {
        let marker = marker(&format!("default-{}", via.name()));
        run(
            via.to(server, SyslogLayer::builder().app_name("dflt")),
            || {
                tracing::info!("{marker}");
            },
        );
        let lines = server.wait_for(&marker, 1, WAIT);
        assert_eq!(lines.len(), 1, "{via:?}");
        assert_eq!(
            lines[0]["protocol-version"], version,
            "{via:?}: {}",
            lines[0]
        );
        assert_eq!(lines[0]["pri"], 14, "{via:?}: user.info");
        assert_eq!(lines[0]["app-name"], "dflt");
    }
}

#[test]
fn header_fields_outside_the_rfc_sets_are_cut_and_replaced_before_sending() {
    let server = Rsyslog::shared();
    let marker = marker("header");
    let host = format!("h é{}", "x".repeat(300));
    let app = format!("app name {}", "a".repeat(60));
    run(
        Via::Tcp.to(
            server,
            SyslogLayer::builder().hostname(&host).app_name(&app),
        ),
        || tracing::info!(msgid = "an id with spaces that is far too long", "{marker}"),
    );
    let lines = server.wait_for(&marker, 1, WAIT);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    let hostname = line["hostname"].as_str().unwrap();
    assert_eq!(hostname.len(), 255);
    assert!(hostname.starts_with("h__xxx"), "{hostname}");
    let app_name = line["app-name"].as_str().unwrap();
    assert_eq!(app_name, format!("app_name_{}", "a".repeat(39)));
    assert_eq!(line["msgid"], "an_id_with_spaces_that_is_far_to");
    assert_eq!(line["msg"], marker.as_str());
}

#[test]
fn json_message_format_sends_the_logwood_record_rsyslog_keeps_as_msg() {
    let server = Rsyslog::shared();
    let marker = marker("json");
    run(
        Via::Tcp.to(
            server,
            SyslogLayer::builder().message_format(logwood_syslog::MessageFormat::Json),
        ),
        || {
            let span = tracing::info_span!("job", user.id = 42);
            let _e = span.enter();
            tracing::info!(order.id = 1234, "{marker} placed\nsecond line");
        },
    );
    let lines = server.wait_for(&marker, 1, WAIT);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["sd"], json!({}));
    let record: Value = serde_json::from_str(lines[0]["msg"].as_str().unwrap()).unwrap();
    assert_eq!(record["level"], "info");
    assert_eq!(record["message"], format!("{marker} placed\nsecond line"));
    assert_eq!(record["order"], json!({"id": 1234}));
    assert_eq!(record["context"], json!({"user": {"id": 42}}));
    assert_eq!(record["dt"], lines[0]["timestamp"]);
}

#[test]
fn dropping_the_guard_sends_what_is_queued() {
    let server = Rsyslog::shared();
    let marker = marker("guard-drop");
    let (layer, guard) = Via::Tls
        .to(server, SyslogLayer::builder())
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for i in 0..500 {
            tracing::info!("{marker} {i}");
        }
    });
    drop(guard);
    let stats = dispatch.downcast_ref::<SyslogLayer>().unwrap().stats();
    support::assert_accounted(&stats);
    assert_eq!((stats.emitted, stats.sent), (500, 500));
    assert_eq!(server.wait_for(&marker, 500, WAIT).len(), 500);
}
