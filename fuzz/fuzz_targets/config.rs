//! Any TOML file and any values of logwood's variables: the configuration
//! is accepted or refused with an error (never a panic), and no error, in
//! its text or its `Debug`, shows the HTTP token or an OTLP header value.
//!
//! ```text
//! cargo +nightly fuzz run config
//! ```

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "fuzz-s3cr3t-t0ken";
const OTLP_SECRET: &str = "fuzz-0tlp-h3ader";

/// The variables the fuzzer picks from (and one unknown).
const NAMES: &[&str] = &[
    "RUST_LOG",
    "LOGWOOD_CONTEXT",
    "LOGWOOD_STDOUT",
    "LOGWOOD_PATTERN",
    "LOGWOOD_DATEFMT",
    "LOGWOOD_FILE",
    "LOGWOOD_FILE_FORMAT",
    "LOGWOOD_FILE_MAX_BYTES",
    "LOGWOOD_FILE_BACKUP_COUNT",
    "LOGWOOD_FILE_WHEN",
    "LOGWOOD_FILE_INTERVAL",
    "LOGWOOD_FILE_UTC",
    "LOGWOOD_FILE_AT_TIME",
    "LOGWOOD_FILE_COMPRESS",
    "LOGWOOD_SYSLOG",
    "LOGWOOD_SYSLOG_FORMAT",
    "LOGWOOD_SYSLOG_APP_NAME",
    "LOGWOOD_SYSLOG_FACILITY",
    "LOGWOOD_SYSLOG_PATTERN",
    "LOGWOOD_HTTP_URL",
    "LOGWOOD_HTTP_FORMAT",
    "LOGWOOD_BUFFER_CAPACITY",
    "LOGWOOD_FLUSH_INTERVAL",
    "LOGWOOD_DROP_EXTRA_EVENTS",
    "LOGWOOD_SHUTDOWN_TIMEOUT",
    "LOGWOOD_STDOUT_LEVEL",
    "LOGWOOD_FILE_LEVEL",
    "LOGWOOD_SYSLOG_LEVEL",
    "LOGWOOD_HTTP_LEVEL",
    "LOGWOOD_FILE_NON_BLOCKING",
    "LOGWOOD_HTTP_CA_FILE",
    "LOGWOOD_SYSLOG_CA_FILE",
    "LOGWOOD_OTLP_ENDPOINT",
    "LOGWOOD_OTLP_PROTOCOL",
    "LOGWOOD_OTLP_COMPRESSION",
    "LOGWOOD_OTLP_TIMEOUT",
    "LOGWOOD_OTLP_SERVICE_NAME",
    "LOGWOOD_OTLP_RESOURCE_ATTRIBUTES",
    "LOGWOOD_OTLP_CA_FILE",
    "LOGWOOD_OTLP_LEVEL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_COMPRESSION",
    "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "LOGWOOD_TYPO",
];

#[derive(Arbitrary, Debug)]
struct Input {
    toml: Option<String>,
    vars: Vec<(u8, String)>,
}

fuzz_target!(|input: Input| {
    let mut vars: Vec<(String, String)> = input
        .vars
        .iter()
        .take(12)
        .map(|(i, v)| (NAMES[usize::from(*i) % NAMES.len()].to_owned(), v.clone()))
        .collect();
    vars.push(("LOGWOOD_HTTP_TOKEN".to_owned(), TOKEN.to_owned()));
    vars.push((
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS".to_owned(),
        format!("authorization=Bearer {OTLP_SECRET}"),
    ));
    let mut builder = logwood::builder().log_bridge(false);
    let path =
        std::env::temp_dir().join(format!("logwood-fuzz-config-{}.toml", std::process::id()));
    if let Some(toml) = &input.toml {
        if std::fs::write(&path, toml).is_err() {
            return;
        }
        builder = builder.config_file(&path);
    }
    if let Err(error) = builder.check_with_env(vars) {
        let text = error.to_string();
        let debug = format!("{error:?}");
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!debug.contains(TOKEN), "{debug}");
        assert!(!text.contains(OTLP_SECRET), "{text}");
        assert!(!debug.contains(OTLP_SECRET), "{debug}");
    }
});
