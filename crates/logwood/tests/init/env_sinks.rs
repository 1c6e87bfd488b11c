//! `init()` from the environment, one sink at a time and all at once:
//! events reach each receiver with the `LOGWOOD_CONTEXT` keys, and each
//! sink's level is respected.

use logwood_collector::{Collector, Output};
use logwood_testkit::rsyslog::Rsyslog;

use crate::support::{CONTEXT, WAIT, at_info, at_warn, marker, messages_with_context, run};

#[test]
fn stdout_gets_json_lines_with_the_static_and_span_context_at_info() {
    let marker = marker("stdout");
    let child = run("init", &marker, &[("LOGWOOD_CONTEXT", CONTEXT)]);
    child.assert_ok();
    let lines = child.json_lines();
    assert_eq!(messages_with_context(&lines, &marker), at_info(&marker));
    for line in &lines {
        assert_eq!(line["context"]["request"]["id"], "r-1", "{line}");
        assert_eq!(line["context"]["user"]["id"], 42, "{line}");
    }
    // The `log` record, bridged, with its real file and target.
    let bridged = lines
        .iter()
        .find(|l| l["message"] == format!("{marker} from log"))
        .unwrap();
    assert_eq!(bridged["level"], "info");
    let file = bridged["context"]["runtime"]["file"].as_str().unwrap();
    assert!(file.ends_with("support.rs"), "{bridged}");
    assert_eq!(
        child.stats("stdout"),
        "emitted 6, sent 6, dropped 0, failed 0, queued 0"
    );
}

#[test]
fn stdout_level_narrows_what_stdout_gets() {
    let marker = marker("stdout-level");
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT_LEVEL", "warn"),
        ],
    );
    child.assert_ok();
    assert_eq!(
        messages_with_context(&child.json_lines(), &marker),
        at_warn(&marker)
    );
}

#[test]
fn rust_log_and_a_pattern_on_stdout() {
    let marker = marker("stdout-pattern");
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("RUST_LOG", "debug,noisy=warn"),
            ("LOGWOOD_STDOUT", "pattern"),
            ("LOGWOOD_PATTERN", "%(levelname)s %(name)s: %(message)s"),
        ],
    );
    child.assert_ok();
    let lines: Vec<&str> = child
        .stdout
        .lines()
        .filter(|l| l.contains(&marker))
        .collect();
    let expected = [
        format!("DEBUG init::support: {marker} debug"),
        format!("INFO init::support: {marker} info order.id=7"),
        format!("INFO init::support: {marker} from log"),
        format!("WARNING init::support: {marker} warn"),
        format!("ERROR noisy::db: {marker} noisy error"),
        format!("ERROR init::support: {marker} error"),
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, start) in lines.iter().zip(&expected) {
        assert!(line.starts_with(start.as_str()), "{line:?} vs {start:?}");
        assert!(line.contains("service.name=shop"), "{line}");
        assert!(line.contains("deploy.env=test"), "{line}");
    }
}

#[test]
fn file_gets_pattern_lines_at_its_own_level_with_rotation_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let marker = marker("file");
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("LOGWOOD_FILE", path.to_str().unwrap()),
            ("LOGWOOD_FILE_LEVEL", "warn"),
            ("LOGWOOD_FILE_MAX_BYTES", "10MiB"),
            ("LOGWOOD_FILE_BACKUP_COUNT", "3"),
            ("LOGWOOD_FILE_WHEN", "midnight"),
            ("LOGWOOD_FILE_AT_TIME", "03:30"),
            ("LOGWOOD_FILE_UTC", "true"),
            ("LOGWOOD_FILE_COMPRESS", "gzip"),
        ],
    );
    child.assert_ok();
    assert!(child.json_lines().is_empty(), "{}", child.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, message) in lines.iter().zip(at_warn(&marker)) {
        // The default pattern: `%(asctime)s %(levelname)s [%(name)s] %(message)s`.
        assert!(line.contains(&format!("] {message}")), "{line}");
        assert!(line.contains("service.name=shop"), "{line}");
    }
    assert!(
        lines[0].contains(" WARNING [init::support] "),
        "{}",
        lines[0]
    );
    assert_eq!(
        child.stats("file"),
        "emitted 3, sent 3, dropped 0, failed 0, queued 0"
    );
}

#[test]
fn file_as_json_written_off_the_callers_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.jsonl");
    let marker = marker("file-json");
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("LOGWOOD_FILE", path.to_str().unwrap()),
            ("LOGWOOD_FILE_FORMAT", "json"),
            ("LOGWOOD_FILE_NON_BLOCKING", "true"),
            ("LOGWOOD_BUFFER_CAPACITY", "100"),
        ],
    );
    child.assert_ok();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(messages_with_context(&lines, &marker), at_info(&marker));
    assert_eq!(
        child.stats("file"),
        "emitted 6, sent 6, dropped 0, failed 0, queued 0"
    );
}

#[test]
fn syslog_reaches_rsyslogd_with_the_context_at_its_level() {
    let server = Rsyslog::shared();
    let marker = marker("syslog");
    let url = format!("tcp://{}", server.tcp_addr());
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("LOGWOOD_SYSLOG", &url),
            ("LOGWOOD_SYSLOG_LEVEL", "warn"),
            ("LOGWOOD_SYSLOG_APP_NAME", "init-test"),
            ("LOGWOOD_SYSLOG_PATTERN", "%(levelname)s %(message)s"),
        ],
    );
    child.assert_ok();
    assert_eq!(
        child.stats("syslog"),
        "emitted 3, sent 3, dropped 0, failed 0, queued 0"
    );
    let lines = server.wait_for(&marker, 3, WAIT);
    let msgs: Vec<&str> = lines.iter().map(|l| l["msg"].as_str().unwrap()).collect();
    assert_eq!(
        msgs,
        [
            format!("WARNING {marker} warn"),
            format!("ERROR {marker} noisy error"),
            format!("ERROR {marker} error"),
        ]
    );
    for line in &lines {
        assert_eq!(line["app-name"], "init-test", "{line}");
        assert_eq!(line["protocol-version"], 1, "{line}");
        let ctx = &line["sd"]["ctx@32473"];
        assert_eq!(ctx["service.name"], "shop", "{line}");
        assert_eq!(ctx["deploy.env"], "test", "{line}");
        assert_eq!(ctx["request.id"], "r-1", "{line}");
    }
}

#[test]
fn syslog_over_udp_as_rfc3164() {
    let server = Rsyslog::shared();
    let marker = marker("syslog-udp");
    let url = format!("udp://{}", server.udp_addr());
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("LOGWOOD_SYSLOG", &url),
            ("LOGWOOD_SYSLOG_FORMAT", "rfc3164"),
            ("LOGWOOD_SYSLOG_FACILITY", "local3"),
        ],
    );
    child.assert_ok();
    let lines = server.wait_for(&marker, 6, WAIT);
    let mut msgs: Vec<String> = Vec::new();
    for line in &lines {
        assert_eq!(line["protocol-version"], 0, "{line}");
        assert_eq!(line["facility"], 19, "{line}");
        let msg = line["msg"].as_str().unwrap().trim_start();
        for pair in [
            "service.name=shop",
            "deploy.env=test",
            "request.id=r-1",
            "user.id=42",
        ] {
            assert!(msg.contains(&format!(" {pair}")), "{msg}");
        }
        let text = msg.split(" deploy.env=").next().unwrap();
        msgs.push(text.split(" service.name=").next().unwrap().to_owned());
    }
    let mut expected = at_info(&marker);
    expected[0].push_str(" order.id=7");
    assert_eq!(msgs, expected);
}

#[test]
fn http_reaches_the_collector_with_the_context_at_its_level() {
    let collector = Collector::builder()
        .token("c0llect0r-t0ken")
        .out(Output::Memory)
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "c0llect0r-t0ken\n").unwrap();
    let marker = marker("http");
    let url = collector.frames_url();
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("LOGWOOD_HTTP_URL", &url),
            ("LOGWOOD_HTTP_TOKEN_FILE", token_file.to_str().unwrap()),
            ("LOGWOOD_HTTP_FORMAT", "ndjson"),
            ("LOGWOOD_HTTP_LEVEL", "warn"),
            ("LOGWOOD_FLUSH_INTERVAL", "100ms"),
        ],
    );
    child.assert_ok();
    assert_eq!(
        child.stats("http"),
        "emitted 3, sent 3, dropped 0, failed 0, queued 0"
    );
    let records = collector.wait_for_records(3, WAIT).unwrap();
    assert_eq!(messages_with_context(&records, &marker), at_warn(&marker));
    for record in &records {
        assert_eq!(record["context"]["request"]["id"], "r-1", "{record}");
    }
}

#[test]
fn every_sink_at_once_each_at_its_level() {
    let server = Rsyslog::shared();
    let collector = Collector::builder()
        .token("every-t0ken")
        .out(Output::Memory)
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let marker = marker("every");
    let syslog = format!("tcp://{}", server.tcp_addr());
    let http = collector.frames_url();
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("RUST_LOG", "debug"),
            ("LOGWOOD_STDOUT_LEVEL", "info"),
            ("LOGWOOD_FILE", path.to_str().unwrap()),
            ("LOGWOOD_FILE_LEVEL", "warn"),
            ("LOGWOOD_SYSLOG", &syslog),
            ("LOGWOOD_SYSLOG_LEVEL", "error"),
            ("LOGWOOD_HTTP_URL", &http),
            ("LOGWOOD_HTTP_TOKEN", "every-t0ken"),
            ("LOGWOOD_SHUTDOWN_TIMEOUT", "5s"),
        ],
    );
    child.assert_ok();
    // stdout at info; the file at warn; syslog at error; HTTP at debug.
    assert_eq!(
        messages_with_context(&child.json_lines(), &marker),
        at_info(&marker)
    );
    let file = std::fs::read_to_string(&path).unwrap();
    assert_eq!(file.lines().count(), 3, "{file}");
    let lines = server.wait_for(&marker, 2, WAIT);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let records = collector.wait_for_records(7, WAIT).unwrap();
    let messages = messages_with_context(&records, &marker);
    assert_eq!(messages[0], format!("{marker} debug"));
    assert_eq!(messages[1..], at_info(&marker));
    for (sink, n) in [("stdout", 6), ("file", 3), ("syslog", 2), ("http", 7)] {
        assert_eq!(
            child.stats(sink),
            format!("emitted {n}, sent {n}, dropped 0, failed 0, queued 0"),
            "{sink}"
        );
    }
}

#[test]
fn syslog_over_relp_is_acknowledged_by_rsyslogd() {
    let server = Rsyslog::shared();
    let marker = marker("syslog-relp");
    let url = format!("relp://{}", server.relp_addr());
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONTEXT", CONTEXT),
            ("LOGWOOD_STDOUT", "off"),
            ("LOGWOOD_SYSLOG", &url),
            ("LOGWOOD_SYSLOG_LEVEL", "warn"),
        ],
    );
    child.assert_ok();
    // `sent` over RELP means acknowledged by rsyslogd.
    assert_eq!(
        child.stats("syslog"),
        "emitted 3, sent 3, dropped 0, failed 0, queued 0"
    );
    let lines = server.wait_for(&marker, 3, WAIT);
    for line in &lines {
        assert_eq!(line["protocol-version"], 1, "{line}");
        assert_eq!(line["sd"]["ctx@32473"]["service.name"], "shop", "{line}");
    }
}
