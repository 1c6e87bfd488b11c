//! Every bad OTLP setting, from a standard `OTEL_*` variable, a
//! `LOGWOOD_OTLP_*` one or the TOML file's `[otlp]`, is an error naming it,
//! its value and what is allowed; no error text or `Debug` ever shows a
//! header value.

use crate::support::{marker, run};

/// The token of every case's header list: it must appear nowhere.
const SECRET: &str = "s3cr3t-0tlp";

/// Runs `try_init` with `vars`; returns the error's `Display`, after
/// checking that neither it nor its `Debug` shows the token.
fn error(vars: &[(&str, &str)]) -> String {
    let child = run("try_init", &marker("otlp-bad"), vars);
    assert_eq!(child.status.code(), Some(3), "{vars:?}: {child:#?}");
    assert!(child.stderr.contains("debug> "), "{}", child.stderr);
    for shown in [SECRET, "Bearer"] {
        assert!(!child.stderr.contains(shown), "{}", child.stderr);
    }
    child.error().to_owned()
}

#[test]
fn bad_variables_name_themselves_and_never_show_a_header() {
    let headers = format!("authorization=Bearer%20{SECRET}");
    let on = [
        (
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            "http://127.0.0.1:9/v1/logs",
        ),
        ("OTEL_EXPORTER_OTLP_HEADERS", headers.as_str()),
    ];
    let with = |more: &[(&'static str, &'static str)]| -> Vec<(&str, String)> {
        on.iter()
            .chain(more)
            .map(|(n, v)| (*n, (*v).to_owned()))
            .collect()
    };
    let cases: Vec<(Vec<(&str, String)>, String)> = vec![
        (
            with(&[("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc")]),
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=grpc: is `grpc`, which logwood does not speak: it \
             sends OTLP over HTTP; set `http/protobuf` (or `http/json`)"
                .into(),
        ),
        (
            with(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "http/xml")]),
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/xml: is `http/xml`: choose from http/protobuf, \
             http/json"
                .into(),
        ),
        (
            with(&[("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "10s")]),
            "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT=10s: is `10s`: give the timeout as a number of \
             milliseconds greater than zero"
                .into(),
        ),
        (
            with(&[("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "br")]),
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION=br: is `br`: choose from gzip, none".into(),
        ),
        (
            vec![
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9".into()),
                ("OTEL_EXPORTER_OTLP_HEADERS", format!("{headers},tenant")),
            ],
            "OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not `name=value` (values are not shown)"
                .into(),
        ),
        (
            vec![
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9".into()),
                (
                    "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
                    format!("authorization=Bearer%2{SECRET}"),
                ),
            ],
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS: header `authorization` has a value that is not \
             validly percent-encoded"
                .into(),
        ),
        (
            with(&[("OTEL_RESOURCE_ATTRIBUTES", "team=a,broken")]),
            "OTEL_RESOURCE_ATTRIBUTES=team=a,broken: has the entry `broken`, which is not \
             `key=value`"
                .into(),
        ),
        (
            vec![
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318".into()),
                ("OTEL_EXPORTER_OTLP_HEADERS", headers.clone()),
            ],
            "OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318: is `collector:4318/v1/logs`, which is \
             missing `http://` or `https://`"
                .into(),
        ),
        (
            vec![(
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                format!("http://user:{SECRET}@127.0.0.1:9/v1/logs"),
            )],
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=http://***@127.0.0.1:9/v1/logs: is `http://…@127.0.0.1:9/v1/logs`, which must not hold credentials"
                .into(),
        ),
        (
            with(&[("LOGWOOD_OTLP_PROTCOL", "http/json")]),
            "unknown variable `LOGWOOD_OTLP_PROTCOL`: did you mean `LOGWOOD_OTLP_PROTOCOL`?".into(),
        ),
        (
            with(&[("LOGWOOD_OTLP_TIMEOUT", "10")]),
            "LOGWOOD_OTLP_TIMEOUT=10: has no unit: expected a whole number with a unit".into(),
        ),
        (
            with(&[("LOGWOOD_OTLP_LEVEL", "loud")]),
            "LOGWOOD_OTLP_LEVEL=loud: `loud` is not a level".into(),
        ),
        (
            vec![
                ("LOGWOOD_OTLP_ENDPOINT", "http://127.0.0.1:9".into()),
                ("LOGWOOD_OTLP_HEADERS", format!("{headers},host=example")),
            ],
            "LOGWOOD_OTLP_HEADERS: `header` host is set by the layer and cannot be overridden"
                .into(),
        ),
        (
            vec![("LOGWOOD_OTLP_SERVICE_NAME", "shop".into())],
            "LOGWOOD_OTLP_SERVICE_NAME=shop: the otlp sink is not on: set LOGWOOD_OTLP_ENDPOINT, \
             OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT (or `otlp.endpoint` \
             in the TOML file) to turn it on"
                .into(),
        ),
    ];
    let mut failures = Vec::new();
    for (vars, start) in &cases {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let text = error(&vars);
        if !text.starts_with(start.as_str()) {
            failures.push(format!(
                "\n  vars: {vars:?}\n   got: {text}\n  want: {start}…"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.concat());
}

#[test]
fn bad_keys_of_the_otlp_section_name_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logwood.toml");
    let path = config.to_str().unwrap();
    let start = "[otlp]\nendpoint = \"http://127.0.0.1:9\"\n";
    let headers = format!("headers = \"authorization=Bearer {SECRET}\"\n");
    let cases = [
        (
            format!("{start}{headers}protocl = \"http/json\"\n"),
            format!("{path}:4:1: unknown field `protocl`, expected one of `endpoint`, `protocol`"),
        ),
        (
            format!("{start}{headers}protocol = \"grpc\"\n"),
            format!(
                "`otlp.protocol = \"grpc\"` in {path}: is `grpc`, which logwood does not speak"
            ),
        ),
        (
            format!("{start}{headers}timeout = 10000\n"),
            format!("`otlp.timeout = 10000` in {path}: has no unit (write it as a string)"),
        ),
        (
            format!("{start}headers = \"authorization=Bearer {SECRET},x\"\n"),
            format!("`otlp.headers` in {path}: entry 2 is not `name=value` (values are not shown)"),
        ),
        (
            format!("{start}headers = 12345\n"),
            format!("`otlp.headers` in {path}: must be a string"),
        ),
        (
            format!("[otlp]\nendpoint = \"ftp://c\"\n{headers}"),
            format!(
                "`otlp.endpoint = \"ftp://c\"` in {path}: is `ftp://c/v1/logs`, which must be an \
                 absolute http:// or https:// URL"
            ),
        ),
    ];
    let mut failures = Vec::new();
    for (text, want) in &cases {
        std::fs::write(&config, text).unwrap();
        let got = error(&[("LOGWOOD_CONFIG", path)]);
        if !got.starts_with(want.as_str()) {
            failures.push(format!(
                "\n  file: {text:?}\n   got: {got}\n  want: {want}…"
            ));
        }
        assert!(!got.contains("12345"), "{got}");
    }
    assert!(failures.is_empty(), "{}", failures.concat());
}
