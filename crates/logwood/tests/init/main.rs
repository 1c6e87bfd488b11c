//! `logwood::init()` end to end, each case in a child process (the global
//! subscriber can be set once per process): the test binary runs itself
//! with `INIT_TEST_CASE` set, and the parent reads what reached stdout,
//! the file, a real rsyslogd and an in-process collector (frames and
//! OTLP).

#![allow(clippy::unwrap_used, unreachable_pub)] // tests unwrap; helpers are `pub` within the test crate

#[cfg(not(all(
    feature = "json",
    feature = "syslog",
    feature = "http",
    feature = "otlp",
    feature = "tls"
)))]
compile_error!(
    "the init tests drive every sink: run them with `--all-features` (or `--features full`)"
);

mod bad_values;
mod env_sinks;
mod otlp;
mod otlp_errors;
mod support;
mod toml_file;

use std::time::Duration;

/// The child's side: set up logging as the case says, emit the workload,
/// shut down and print each sink's counters on stderr (`stats> …`).
/// Without `INIT_TEST_CASE` (the parent's run) it does nothing.
#[test]
fn child() {
    let Ok(case) = std::env::var(support::CASE) else {
        return;
    };
    let marker = std::env::var(support::MARKER).unwrap_or_default();
    // The test harness wrote `test child ... ` without a line break: end
    // its line, so that the sinks' lines on stdout start lines of their own.
    println!();
    match case.as_str() {
        "init" => {
            let guard = logwood::init();
            support::emit(&marker);
            let stats = guard.shutdown(Duration::from_secs(10));
            for line in stats.to_string().lines() {
                eprintln!("stats> {line}");
            }
        }
        "try_init" => match logwood::try_init() {
            Ok(_guard) => eprintln!("unexpected> init succeeded"),
            Err(e) => {
                eprintln!("display> {e}");
                eprintln!("debug> {e:?}");
                std::process::exit(3);
            }
        },
        "twice" => {
            let _guard = logwood::try_init().unwrap();
            let e = logwood::try_init().unwrap_err();
            eprintln!("display> {e}");
            let e = logwood::builder().log_bridge(false).try_init().unwrap_err();
            eprintln!("display> {e}");
        }
        other => panic!("unknown case {other}"),
    }
}
