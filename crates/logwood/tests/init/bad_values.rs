//! Every bad value is an error naming the variable or key, the value and
//! what is allowed; `init()` prints it and exits with status 1; no error
//! ever shows the token.

use crate::support::{marker, run};

/// A token every case that has an HTTP sink sets: it must appear nowhere.
const SECRET: &str = "t0k3n-never-shown";

/// Runs `try_init` with `vars`; returns the error's `Display`, after
/// checking that neither it nor its `Debug` holds the token.
fn error(vars: &[(&str, &str)]) -> String {
    let child = run("try_init", &marker("bad"), vars);
    assert_eq!(child.status.code(), Some(3), "{vars:?}: {child:#?}");
    assert!(!child.stderr.contains(SECRET), "{}", child.stderr);
    assert!(child.stderr.contains("debug> "), "{}", child.stderr);
    child.error().to_owned()
}

#[track_caller]
fn assert_starts(text: &str, start: &str) {
    assert!(text.starts_with(start), "\n  got: {text}\n want: {start}…");
}

#[test]
fn bad_variables_name_themselves_the_value_and_what_is_allowed() {
    let http = [
        ("LOGWOOD_HTTP_URL", "http://127.0.0.1:9/frames"),
        ("LOGWOOD_HTTP_TOKEN", SECRET),
    ];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("LOGWOOD_SYSLOG", "ftp://127.0.0.1:514")],
            "LOGWOOD_SYSLOG=ftp://127.0.0.1:514: has an unknown scheme `ftp`; expected udp://HOST:PORT",
        ),
        (
            vec![("LOGWOOD_SYSLOG", "udp://127.0.0.1")],
            "LOGWOOD_SYSLOG=udp://127.0.0.1: `udp` address \"127.0.0.1\" is invalid",
        ),
        (
            [&http[..], &[("LOGWOOD_FLUSH_INTERVAL", "2")]].concat(),
            "LOGWOOD_FLUSH_INTERVAL=2: has no unit: expected a whole number with a unit, such as 500ms",
        ),
        (
            vec![("LOGWOOD_SHUTDOWN_TIMEOUT", "soon")],
            "LOGWOOD_SHUTDOWN_TIMEOUT=soon: is not a duration",
        ),
        (
            [&http[..], &[("LOGWOOD_BUFFER_CAPACITY", "0")]].concat(),
            "LOGWOOD_BUFFER_CAPACITY=0: must be greater than zero",
        ),
        (
            vec![("LOGWOOD_DROP_EXTRA_EVENTS", "maybe")],
            "LOGWOOD_DROP_EXTRA_EVENTS=maybe: expected true or false",
        ),
        (
            vec![
                ("LOGWOOD_HTTP_URL", "http://127.0.0.1:9/frames"),
                ("LOGWOOD_HTTP_TOKEN_FILE", "/nonexistent/token"),
            ],
            "LOGWOOD_HTTP_TOKEN_FILE=/nonexistent/token: cannot read the token file: No such file",
        ),
        (
            [&http[..], &[("LOGWOOD_HTTP_TOKEN_FILE", "/run/token")]].concat(),
            "LOGWOOD_HTTP_TOKEN and LOGWOOD_HTTP_TOKEN_FILE=/run/token: give the token one way",
        ),
        (
            vec![
                ("LOGWOOD_HTTP_URL", "http://127.0.0.1:9/frames"),
                ("LOGWOOD_HTTP_TOKEN", ""),
            ],
            "LOGWOOD_HTTP_TOKEN: is empty",
        ),
        (
            vec![
                ("LOGWOOD_HTTP_URL", "127.0.0.1:9/frames"),
                ("LOGWOOD_HTTP_TOKEN", SECRET),
            ],
            "LOGWOOD_HTTP_URL=127.0.0.1:9/frames: `url` is missing `http://` or `https://`",
        ),
        (
            [&http[..], &[("LOGWOOD_HTTP_FORMAT", "xml")]].concat(),
            "LOGWOOD_HTTP_FORMAT=xml: expected one of msgpack, ndjson",
        ),
        (
            vec![
                ("LOGWOOD_STDOUT", "pattern"),
                ("LOGWOOD_PATTERN", "%(nope)s"),
            ],
            "LOGWOOD_PATTERN=%(nope)s: unknown attribute `nope` at position 0; supported: name,",
        ),
        (
            vec![
                ("LOGWOOD_STDOUT", "pattern"),
                ("LOGWOOD_PATTERN", "%(asctime) %(message)s"),
            ],
            "LOGWOOD_PATTERN=%(asctime) %(message)s: missing conversion type after `%(asctime)`",
        ),
        (
            vec![
                ("LOGWOOD_SYSLOG", "udp://127.0.0.1:9"),
                ("LOGWOOD_SYSLOG_PATTERN", "%(nope)s"),
            ],
            "LOGWOOD_SYSLOG_PATTERN=%(nope)s: `message_pattern` is invalid: unknown attribute `nope`",
        ),
        (
            vec![
                ("LOGWOOD_SYSLOG", "udp://127.0.0.1:9"),
                ("LOGWOOD_SYSLOG_FACILITY", "local9"),
            ],
            "LOGWOOD_SYSLOG_FACILITY=local9: expected one of kern, user,",
        ),
        (
            vec![
                ("LOGWOOD_SYSLOG", "udp://127.0.0.1:9"),
                ("LOGWOOD_SYSLOG_CA_FILE", "/ca.pem"),
            ],
            "LOGWOOD_SYSLOG_CA_FILE=/ca.pem: applies to a tls:// destination only",
        ),
        (
            vec![
                ("LOGWOOD_SYSLOG", "tls://127.0.0.1:6514"),
                ("LOGWOOD_SYSLOG_CA_FILE", "/nonexistent/ca.pem"),
            ],
            "LOGWOOD_SYSLOG_CA_FILE=/nonexistent/ca.pem: `ca_file` file /nonexistent/ca.pem cannot be read",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_WHEN", "fortnightly"),
            ],
            "LOGWOOD_FILE_WHEN=fortnightly: not a rollover interval; expected S, M, H, D, midnight or W0-W6",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_WHEN", "W1"),
                ("LOGWOOD_FILE_AT_TIME", "25:00"),
            ],
            "LOGWOOD_FILE_AT_TIME=25:00: expected a time of day HH:MM or HH:MM:SS",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_WHEN", "H"),
                ("LOGWOOD_FILE_AT_TIME", "03:00"),
            ],
            "LOGWOOD_FILE_AT_TIME=03:00: applies with LOGWOOD_FILE_WHEN = midnight or W0-W6 only",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_INTERVAL", "2"),
            ],
            "LOGWOOD_FILE_INTERVAL=2: applies to timed rotation only: set LOGWOOD_FILE_WHEN too",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_WHEN", "S"),
                ("LOGWOOD_FILE_INTERVAL", "0"),
            ],
            "LOGWOOD_FILE_INTERVAL=0: must be greater than zero",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_COMPRESS", "lz4"),
            ],
            "LOGWOOD_FILE_COMPRESS=lz4: expected one of none, gzip, zstd",
        ),
        (
            vec![
                ("LOGWOOD_FILE", "/tmp/x.log"),
                ("LOGWOOD_FILE_MAX_BYTES", "ten"),
            ],
            "LOGWOOD_FILE_MAX_BYTES=ten: expected a number of bytes",
        ),
        (
            vec![("LOGWOOD_FILE", "/tmp/x.log"), ("LOGWOOD_FILE_UTC", "y")],
            "LOGWOOD_FILE_UTC=y: applies to timed rotation only",
        ),
        (
            vec![("LOGWOOD_FILE", "/nonexistent/dir/app.log")],
            "LOGWOOD_FILE=/nonexistent/dir/app.log: `path`: cannot open `/nonexistent/dir/app.log` for appending",
        ),
        (
            vec![("LOGWOOD_FILE_MAX_BYTES", "1MiB")],
            "LOGWOOD_FILE_MAX_BYTES=1MiB: the file sink is not on: set LOGWOOD_FILE (or `file.path` in the TOML file) to turn it on",
        ),
        (
            vec![("LOGWOOD_STDOUT", "yaml")],
            "LOGWOOD_STDOUT=yaml: expected one of json, pattern, off",
        ),
        (
            vec![("LOGWOOD_STDOUT_LEVEL", "loud")],
            "LOGWOOD_STDOUT_LEVEL=loud: `loud` is not a level; expected a level (trace, debug, \
             info, warn, error, off)",
        ),
        (
            vec![("RUST_LOG", "info,hyper=loud")],
            "RUST_LOG=info,hyper=loud: `hyper=loud` is not a directive",
        ),
        (
            vec![("LOGWOOD_CONTEXT", "service.name")],
            "LOGWOOD_CONTEXT=service.name: `service.name` has no `=`; expected comma-separated key=value pairs",
        ),
        (
            vec![("LOGWOOD_FILE_WHN", "midnight")],
            "unknown variable `LOGWOOD_FILE_WHN`: did you mean `LOGWOOD_FILE_WHEN`?",
        ),
        (
            [&http[..], &[("LOGWOOD_HTTP_TOKN", SECRET)]].concat(),
            "unknown variable `LOGWOOD_HTTP_TOKN`: did you mean `LOGWOOD_HTTP_TOKEN`?",
        ),
        (
            vec![("LOGWOOD_CONFIG", "/nonexistent/logwood.toml")],
            "cannot read the configuration file /nonexistent/logwood.toml (from LOGWOOD_CONFIG): No such file",
        ),
    ];
    let mut failures = Vec::new();
    for (vars, start) in &cases {
        let text = error(vars);
        if !text.starts_with(start) {
            failures.push(format!(
                "\n  vars: {vars:?}\n   got: {text}\n  want: {start}…"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.concat());
}

#[test]
fn bad_keys_of_the_toml_file_name_the_key_the_value_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logwood.toml");
    let path = config.to_str().unwrap();
    let cases = [
        (
            "[file]\npath = \"/tmp/x.log\"\nwhn = \"midnight\"\n",
            format!("{path}:3:1: unknown field `whn`, expected one of `path`, `format`"),
        ),
        (
            "levle = \"debug\"\n",
            format!("{path}:1:1: unknown field `levle`, expected one of `level`"),
        ),
        (
            "[file]\npath = \"/tmp/x.log\"\nmax_bytes = \"ten\"\n",
            format!("`file.max_bytes = \"ten\"` in {path}: expected a number of bytes"),
        ),
        (
            "[file]\npath = \"/tmp/x.log\"\nwhen = \"fortnightly\"\n",
            format!("`file.when = \"fortnightly\"` in {path}: not a rollover interval"),
        ),
        (
            "buffer_capacity = 0\n[syslog]\nurl = \"udp://127.0.0.1:9\"\n",
            format!("`buffer_capacity = 0` in {path}: must be greater than zero"),
        ),
        (
            "[levels]\nhyper = \"loud\"\n",
            format!("`levels.hyper = \"loud\"` in {path}: expected a level for the target `hyper`"),
        ),
        (
            "[syslog]\nurl = \"smtp://h:25\"\n",
            format!("`syslog.url = \"smtp://h:25\"` in {path}: has an unknown scheme `smtp`"),
        ),
        (
            &format!(
                "[http]\nurl = \"http://127.0.0.1:9/frames\"\ntoken = \"{SECRET}\"\nformat = \"xml\"\n"
            ),
            format!("`http.format = \"xml\"` in {path}: expected one of msgpack, ndjson"),
        ),
        (
            &format!("[http]\nurl = \"http://127.0.0.1:9/frames\"\ntoken = \"{SECRET}\n"),
            format!("{path}:3:"),
        ),
        (
            "[http]\nurl = \"http://127.0.0.1:9/frames\"\ntoken = 12345\n",
            format!("`http.token` in {path}: must be a string"),
        ),
    ];
    let mut failures = Vec::new();
    for (text, start) in &cases {
        std::fs::write(&config, text).unwrap();
        let got = error(&[("LOGWOOD_CONFIG", path)]);
        if !got.starts_with(start.as_str()) {
            failures.push(format!(
                "\n  file: {text:?}\n   got: {got}\n  want: {start}…"
            ));
        }
        assert!(!got.contains("12345"), "{got}");
    }
    assert!(failures.is_empty(), "{}", failures.concat());
}

#[test]
fn init_prints_the_error_and_exits_with_status_1() {
    let child = run(
        "init",
        &marker("exit"),
        &[
            ("LOGWOOD_FILE", "/tmp/x.log"),
            ("LOGWOOD_FILE_WHEN", "fortnightly"),
        ],
    );
    assert_eq!(child.status.code(), Some(1), "{child:#?}");
    assert_starts(
        &child.stderr,
        "logwood: LOGWOOD_FILE_WHEN=fortnightly: not a rollover interval; expected S, M, H, D, \
         midnight or W0-W6 (W0 is Monday), in any case\n",
    );
}

#[test]
fn a_second_init_is_refused() {
    let child = run("twice", &marker("twice"), &[]);
    child.assert_ok();
    let errors: Vec<&str> = child
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("display> "))
        .collect();
    assert_eq!(
        errors,
        [
            "a logger for the `log` crate (by an earlier `init()`, or another logging library: \
             `log_bridge(false)` leaves the `log` crate to it) is already installed: logwood's \
             `init()` runs once per process",
            "a global tracing subscriber is already installed: logwood's `init()` runs once per \
             process",
        ]
    );
}

#[test]
fn variables_of_a_sink_turned_off_are_ignored_and_other_tools_variables_too() {
    let child = run(
        "init",
        &marker("off"),
        &[
            ("LOGWOOD_SYSLOG", "off"),
            ("LOGWOOD_SYSLOG_APP_NAME", "x"),
            ("LOGWOOD_COLLECTOR_TOKEN", "collector's own"),
        ],
    );
    child.assert_ok();
}
