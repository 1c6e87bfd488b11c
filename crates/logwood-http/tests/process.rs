//! Behaviours only a whole process shows, each run in a child process (this
//! very binary, re-executed): a panic unwinding through `main` still
//! flushes; the API key never reaches stderr; the first failure is printed
//! on stderr at once with its cause, and the shutdown-deadline line names
//! the last one; with the HTTP layer as the
//! global subscriber, nothing from the worker thread (its own events, or
//! hyper's, tokio's or rustls's, every target and level being enabled) is
//! shipped back.
//!
//! `harness = false`: a panic must unwind through a real `main`, which
//! libtest's catch-all would hide. The binary speaks enough of libtest's
//! command line (`--list --format terse`, name filters, `--exact`) for
//! `cargo test` and `cargo nextest`.
#![allow(clippy::unwrap_used)]

use std::io::Read as _;
use std::panic::catch_unwind;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use logwood_collector::{Collector, Output};
use logwood_http::HttpLayer;
use tracing_subscriber::prelude::*;

const CHILD: &str = "LOGWOOD_HTTP_TEST_CHILD";
const URL: &str = "LOGWOOD_HTTP_TEST_URL";
const KEY: &str = "LOGWOOD_HTTP_TEST_KEY";
const WAIT: Duration = Duration::from_secs(20);

type Test = (&'static str, fn());

const TESTS: &[Test] = &[
    (
        "a_panic_unwinding_through_main_still_flushes",
        a_panic_unwinding_through_main_still_flushes,
    ),
    (
        "a_refused_api_key_is_reported_on_stderr_without_the_key",
        a_refused_api_key_is_reported_on_stderr_without_the_key,
    ),
    (
        "as_the_global_subscriber_the_layer_never_ships_events_from_its_worker",
        as_the_global_subscriber_the_layer_never_ships_events_from_its_worker,
    ),
    (
        "a_failing_endpoint_is_on_stderr_at_once_with_its_cause_and_the_deadline_names_it",
        a_failing_endpoint_is_on_stderr_at_once_with_its_cause_and_the_deadline_names_it,
    ),
];

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        child(&mode);
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let mut filters = Vec::new();
    let mut skip_value = false;
    for arg in &args {
        if skip_value {
            skip_value = false;
        } else if matches!(
            arg.as_str(),
            "--format" | "--logfile" | "--test-threads" | "--color" | "--skip"
        ) {
            skip_value = true;
        } else if !arg.starts_with('-') {
            filters.push(arg.as_str());
        }
    }
    let selected: Vec<&Test> = TESTS
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if flag("--exact") {
                        name == f
                    } else {
                        name.contains(f)
                    }
                })
        })
        .collect();
    if flag("--list") {
        if !flag("--ignored") {
            for (name, _) in &selected {
                println!("{name}: test");
            }
        }
        return;
    }
    if flag("--ignored") {
        println!("\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n");
        return;
    }
    println!("\nrunning {} tests", selected.len());
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let ok = catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len(),
        TESTS.len() - selected.len()
    );
    if !failed.is_empty() {
        std::process::exit(101);
    }
}

// --- the parent side ---

struct Child {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs this binary in `mode` with `envs`, waiting at most a minute.
fn run_child(mode: &str, envs: &[(&str, &str)]) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env(CHILD, mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("the child process did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Child {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn a_panic_unwinding_through_main_still_flushes() {
    let collector = Collector::builder().out(Output::Memory).start().unwrap();
    let child = run_child("panic", &[(URL, &collector.frames_url())]);
    assert!(!child.status.success(), "the child should have panicked");
    assert!(
        child.stderr.contains("boom after logging"),
        "{}",
        child.stderr
    );
    let records = collector.wait_for_records(50, WAIT).unwrap();
    let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (0..50).collect::<Vec<_>>());
    // The interval was an hour: only the guard's drop during the unwind
    // could have sent them, in one batch.
    assert_eq!(collector.stats().batches, 1);
    assert_eq!(collector.stats().requests, 1);
}

fn a_refused_api_key_is_reported_on_stderr_without_the_key() {
    let key = "sk_live_4f9d2c81e7a6-never-print-me";
    let collector = Collector::builder()
        .token("the-right-token")
        .out(Output::Memory)
        .start()
        .unwrap();
    let child = run_child("wrong-key", &[(URL, &collector.frames_url()), (KEY, key)]);
    assert!(child.status.success(), "{}", child.stderr);
    let everything = format!("{}\n{}", child.stdout, child.stderr);
    assert!(!everything.contains(key), "{everything}");
    assert!(!everything.contains("never-print-me"), "{everything}");
    // The one report names the endpoint and the status.
    let reports: Vec<&str> = child
        .stderr
        .lines()
        .filter(|l| l.starts_with("[logwood] http:"))
        .collect();
    assert_eq!(reports.len(), 1, "{}", child.stderr);
    assert!(
        reports[0].contains(&collector.frames_url()),
        "{}",
        reports[0]
    );
    assert!(reports[0].contains("401"), "{}", reports[0]);
    // The child printed its counters: 5 failed, none retried.
    assert!(
        child.stdout.contains("emitted=5 sent=0 failed=5 retried=0"),
        "{}",
        child.stdout
    );
    assert_eq!(collector.stats().status_count(401), 1);
    assert_eq!(collector.stats().records, 0);
}

fn as_the_global_subscriber_the_layer_never_ships_events_from_its_worker() {
    // Two refusals make the worker call the error callback, which emits
    // events on the worker thread.
    let collector = Collector::builder()
        .fail_first(2)
        .out(Output::Memory)
        .start()
        .unwrap();
    let child = run_child("feedback", &[(URL, &collector.frames_url())]);
    assert!(child.status.success(), "{}", child.stderr);
    assert!(
        child.stdout.contains("emitted=20 sent=20 failed=0"),
        "{}",
        child.stdout
    );
    let records = collector.wait_for_records(20, WAIT).unwrap();
    assert_eq!(records.len(), 20);
    assert!(
        records
            .iter()
            .all(|r| r["context"]["runtime"]["logger_name"] == "app"),
        "{records:?}"
    );
    // Exactly the two refused tries and the accepted one: no batch of the
    // worker's own events followed.
    let stats = collector.stats();
    assert_eq!(stats.requests, 3, "{stats:?}");
    assert_eq!(stats.records, 20);
}

fn a_failing_endpoint_is_on_stderr_at_once_with_its_cause_and_the_deadline_names_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/frames");
    let child = run_child("unreachable", &[(URL, &url)]);
    assert!(child.status.success(), "{}", child.stderr);
    let lines: Vec<&str> = child.stderr.lines().collect();
    let mark = lines
        .iter()
        .position(|l| l.starts_with("MARK"))
        .expect("the child's mark");
    // The first connect failure was printed while the batch was still being
    // retried (before the mark), with its cause, and only once.
    let connect: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(&format!("[logwood] http: could not connect to {url}")))
        .collect();
    assert_eq!(connect.len(), 1, "{}", child.stderr);
    assert!(connect[0] < mark, "{}", child.stderr);
    let line = lines[connect[0]];
    assert!(
        line.contains("(attempt 1 for 5 records, retrying): "),
        "{line}"
    );
    assert!(
        line.ends_with("(further failures of this kind are counted, not printed)"),
        "{line}"
    );
    let cause = line
        .split("retrying): ")
        .nth(1)
        .and_then(|rest| {
            rest.strip_suffix(" (further failures of this kind are counted, not printed)")
        })
        .unwrap();
    assert!(!cause.is_empty(), "{line}");
    // The deadline line names the last failure and its cause.
    let deadline = lines
        .iter()
        .find(|l| l.contains("by the shutdown deadline"))
        .expect("a deadline line");
    assert!(
        deadline.starts_with(&format!(
            "[logwood] http: 5 records not delivered to {url} by the shutdown deadline; \
             last failure: connect: {cause}"
        )),
        "{deadline}"
    );
    assert!(
        child.stdout.contains("emitted=5 sent=0 failed=5"),
        "{}",
        child.stdout
    );
}

// --- the child side ---

fn child(mode: &str) {
    let url = std::env::var(URL).unwrap();
    match mode {
        "panic" => {
            let (layer, _guard) = HttpLayer::builder(url)
                .flush_interval(Duration::from_secs(3600))
                .shutdown_timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            tracing_subscriber::registry().with(layer).init();
            for seq in 0..50_u64 {
                tracing::info!(seq, "before the panic");
            }
            panic!("boom after logging");
        }
        "wrong-key" => {
            let key = std::env::var(KEY).unwrap();
            let builder = HttpLayer::builder(url).api_key(key);
            // Even the builder's Debug output is printed: it must not
            // hold the key either.
            eprintln!("builder: {builder:?}");
            let (layer, guard) = builder.build().unwrap();
            tracing_subscriber::registry().with(layer).init();
            for seq in 0..5_u64 {
                tracing::info!(seq, "refused");
            }
            let s = guard.shutdown(Duration::from_secs(10));
            println!(
                "emitted={} sent={} failed={} retried={}",
                s.emitted, s.sent, s.failed, s.retried
            );
        }
        "feedback" => {
            let (layer, guard) = HttpLayer::builder(url)
                .retry_initial(Duration::from_millis(10))
                .log_internal_errors(false)
                .on_error(|error| {
                    // On the worker thread: must go nowhere.
                    tracing::error!(target: "hyper::client::conn", %error, "from the callback");
                    tracing::warn!(target: "app", "an app-target event from the worker thread");
                })
                .build()
                .unwrap();
            // No filter: every level of every target is enabled, so any
            // event from hyper, tokio, rustls or logwood on the worker
            // thread would reach the layer if the thread were not silenced.
            tracing_subscriber::registry().with(layer).init();
            for seq in 0..20_u64 {
                tracing::info!(target: "app", seq, "from the application");
            }
            let s = guard.shutdown(Duration::from_secs(10));
            println!(
                "emitted={} sent={} failed={} retried={}",
                s.emitted, s.sent, s.failed, s.retried
            );
        }
        "unreachable" => {
            let (layer, _guard) = HttpLayer::builder(url)
                .retry_initial(Duration::from_millis(10))
                .retry_max(Duration::from_millis(50))
                .max_retries(10_000)
                .build()
                .unwrap();
            tracing_subscriber::registry().with(layer).init();
            for seq in 0..5_u64 {
                tracing::info!(seq, "unreachable");
            }
            // A few retries happen meanwhile; the first failure is already
            // on stderr.
            let flushed = _guard.flush(Duration::from_millis(500));
            eprintln!("MARK flush timed out: {}", flushed.is_err());
            let s = _guard.shutdown(Duration::from_millis(300));
            println!(
                "emitted={} sent={} failed={} retried={}",
                s.emitted, s.sent, s.failed, s.retried
            );
        }
        other => panic!("unknown child mode {other}"),
    }
}
