//! `init()` from a TOML file (`LOGWOOD_CONFIG`): every sink in its section,
//! per-target levels, and the environment overriding the file.

use logwood_collector::{Collector, Output};
use logwood_testkit::rsyslog::Rsyslog;

use crate::support::{WAIT, at_warn, marker, messages_with_context, run};

#[test]
fn a_toml_file_sets_every_sink_with_per_target_and_per_sink_levels() {
    let server = Rsyslog::shared();
    let collector = Collector::builder()
        .token("t0ml-t0ken")
        .out(Output::Memory)
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let config = dir.path().join("logwood.toml");
    std::fs::write(
        &config,
        format!(
            r#"
level = "debug"
flush_interval = "100ms"
shutdown_timeout = "5s"
pattern = "%(levelname)s [%(name)s] %(message)s"

[levels]
"noisy::db" = "error"

[context]
service.name = "shop"
deploy.env = "test"

[stdout]
format = "json"
level = "info"

[file]
path = "{log}"
level = "warn"
max_bytes = "1MiB"
backup_count = 2
when = "midnight"
compress = "gzip"

[syslog]
url = "udp://{udp}"
format = "rfc5424"
app_name = "toml-test"
level = "warn"

[http]
url = "{http}"
token = "t0ml-t0ken"
format = "msgpack"
"#,
            log = log.display(),
            udp = server.udp_addr(),
            http = collector.frames_url(),
        ),
    )
    .unwrap();
    let marker = marker("toml");
    let child = run(
        "init",
        &marker,
        &[("LOGWOOD_CONFIG", config.to_str().unwrap())],
    );
    child.assert_ok();

    // `noisy::db` at error everywhere; `debug` passes the global filter.
    let info =
        ["info", "from log", "warn", "noisy error", "error"].map(|m| format!("{marker} {m}"));
    assert_eq!(messages_with_context(&child.json_lines(), &marker), info);

    let file = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(
        lines,
        [
            format!("WARNING [init::support] {marker} warn deploy.env=test service.name=shop"),
            format!("ERROR [noisy::db] {marker} noisy error deploy.env=test service.name=shop"),
            format!("ERROR [init::support] {marker} error deploy.env=test service.name=shop"),
        ]
    );

    let received = server.wait_for(&marker, 3, WAIT);
    let msgs: Vec<&str> = received
        .iter()
        .map(|l| l["msg"].as_str().unwrap())
        .collect();
    assert_eq!(msgs, at_warn(&marker));
    for line in &received {
        assert_eq!(line["app-name"], "toml-test", "{line}");
        assert_eq!(line["sd"]["ctx@32473"]["service.name"], "shop", "{line}");
    }

    let records = collector.wait_for_records(6, WAIT).unwrap();
    let messages = messages_with_context(&records, &marker);
    assert_eq!(messages[0], format!("{marker} debug"));
    assert_eq!(messages[1..], info);
    assert_eq!(
        child.stats("http"),
        "emitted 6, sent 6, dropped 0, failed 0, queued 0"
    );
}

#[test]
fn the_environment_overrides_the_file_key_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logwood.toml");
    std::fs::write(
        &config,
        r#"
level = "debug"
[stdout]
format = "pattern"
[context]
service.name = "shop"
deploy.env = "staging"
"#,
    )
    .unwrap();
    let marker = marker("toml-env");
    let child = run(
        "init",
        &marker,
        &[
            ("LOGWOOD_CONFIG", config.to_str().unwrap()),
            ("LOGWOOD_STDOUT", "json"),
            ("RUST_LOG", "warn"),
            ("LOGWOOD_CONTEXT", "deploy.env=test"),
        ],
    );
    child.assert_ok();
    // JSON (the variable), at warn (RUST_LOG), the file's service.name and
    // the variable's deploy.env.
    assert_eq!(
        messages_with_context(&child.json_lines(), &marker),
        at_warn(&marker)
    );
}
