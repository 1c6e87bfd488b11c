//! Any TOML file and any values of logwood's variables: the configuration
//! is accepted or refused with an error (never a panic), and no error, in
//! its text or its `Debug`, shows the HTTP token.
//!
//! ```text
//! cargo +nightly fuzz run config
//! ```

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "fuzz-s3cr3t-t0ken";

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
    }
});
