//! Running a case in a child process, and the workload it emits.

use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

/// The child's case (not a `LOGWOOD_*` name: `init()` would refuse it).
pub const CASE: &str = "INIT_TEST_CASE";
/// The marker of the child's messages.
pub const MARKER: &str = "INIT_TEST_MARKER";
/// How long a test waits for a receiver.
pub const WAIT: Duration = Duration::from_secs(15);

/// The static context every case gives with `LOGWOOD_CONTEXT`.
pub const CONTEXT: &str = "service.name=shop,deploy.env=test";

/// A marker unique to this run: `name-PID-N`.
pub fn marker(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// What a child did.
#[derive(Debug)]
pub struct Child {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Child {
    /// The JSON lines it wrote on stdout (the test harness's own lines
    /// left out).
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// The `stats> sink: …` line of `sink`.
    pub fn stats(&self, sink: &str) -> &str {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix(&format!("stats> {sink}: ")))
            .unwrap_or_else(|| panic!("no stats for {sink}: {self:?}"))
    }

    /// Asserts that it exited with status 0.
    pub fn assert_ok(&self) -> &Self {
        assert!(self.status.success(), "child failed: {self:#?}");
        self
    }

    /// The `display>` line an error case printed.
    pub fn error(&self) -> &str {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("display> "))
            .unwrap_or_else(|| panic!("no error: {self:#?}"))
    }
}

/// Runs `case` in a child process with `vars` (and none of this process's
/// `LOGWOOD_*` variables or `RUST_LOG`).
pub fn run(case: &str, marker: &str, vars: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1"]);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("LOGWOOD_") || text == "RUST_LOG" {
            cmd.env_remove(&name);
        }
    }
    cmd.env(CASE, case).env(MARKER, marker);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    Child {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The workload: inside a span with `request.id`, one event of each level,
/// two of the target `noisy::db` and one `log`-crate record, in this order.
#[tracing::instrument(skip(marker), fields(request.id = "r-1", user.id = 42))]
pub fn emit(marker: &str) {
    tracing::debug!("{marker} debug");
    tracing::info!(order.id = 7, "{marker} info");
    tracing::info!(target: "noisy::db", "{} noisy info", marker);
    log::info!("{marker} from log");
    tracing::warn!("{marker} warn");
    tracing::error!(target: "noisy::db", "{} noisy error", marker);
    tracing::error!("{marker} error");
}

/// The workload's messages at the default level (`info`).
pub fn at_info(marker: &str) -> Vec<String> {
    [
        "info",
        "noisy info",
        "from log",
        "warn",
        "noisy error",
        "error",
    ]
    .map(|m| format!("{marker} {m}"))
    .to_vec()
}

/// The workload's messages at `warn` and above.
pub fn at_warn(marker: &str) -> Vec<String> {
    ["warn", "noisy error", "error"]
        .map(|m| format!("{marker} {m}"))
        .to_vec()
}

/// The messages of the JSON lines carrying `marker`, after checking that
/// each line has the static context.
pub fn messages_with_context(lines: &[Value], marker: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l["message"].as_str().is_some_and(|m| m.starts_with(marker)))
        .map(|l| {
            assert_eq!(l["context"]["service"]["name"], "shop", "{l}");
            assert_eq!(l["context"]["deploy"]["env"], "test", "{l}");
            l["message"].as_str().unwrap().to_owned()
        })
        .collect()
}
