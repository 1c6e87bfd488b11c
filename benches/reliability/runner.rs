//! Running a case in a child process: the parent gives it a directory and
//! two fresh secrets (in its environment), captures its stdout and stderr,
//! reads its rows back, scans everything it produced for the secrets, and
//! adds the checks only the parent can make (the process exited cleanly, no
//! secret anywhere).
//!
//! The child is the same executable: the `reliability` binary, or the test
//! binary re-run on one test (`--exact NAME`); [`child_main`] runs the case
//! named in its environment.

use std::collections::hash_map::RandomState;
use std::ffi::OsString;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use super::row::Row;
use super::scan::Scan;
use super::{Case, Ctx, Scale};

const ENV_CASE: &str = "RELIABILITY_CASE";
const ENV_SCALE: &str = "RELIABILITY_SCALE";
const ENV_DIR: &str = "RELIABILITY_DIR";
const ENV_API_KEY: &str = "RELIABILITY_API_KEY";
const ENV_OTLP_TOKEN: &str = "RELIABILITY_OTLP_TOKEN";
const ENV_COLLECTOR: &str = "RELIABILITY_COLLECTOR";
const ENV_UNSHARED: &str = "RELIABILITY_UNSHARED";

const ROW: &str = "RELIABILITY-ROW ";
const SCAN: &str = "RELIABILITY-SCAN ";

/// The program and arguments that run one case in a child.
#[derive(Debug, Clone)]
pub struct Spawn {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

/// What running a case gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: &'static str,
    pub rows: Vec<Row>,
    /// The child's exit, e.g. `exit status: 0`.
    pub status: String,
    pub scan: Scan,
    pub seconds: f64,
    pub stderr_tail: String,
}

// === impl Outcome ===

impl Outcome {
    pub fn ok(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(Row::ok)
    }

    /// Every failed check, one per line.
    pub fn failures(&self) -> String {
        let mut out = String::new();
        for row in &self.rows {
            for check in row.checks.iter().filter(|c| !c.ok) {
                out.push_str(&format!(
                    "{} / {}: {} ({})\n",
                    row.case, row.sink, check.what, check.detail
                ));
            }
        }
        if self.rows.is_empty() {
            out.push_str("no rows\n");
        }
        out
    }

    /// Panics with every failed check and the child's stderr when a check
    /// failed (for the tests).
    pub fn assert_ok(&self) {
        assert!(
            self.ok(),
            "case {} failed:\n{}\nexit: {}\nstderr (end):\n{}",
            self.case,
            self.failures(),
            self.status,
            self.stderr_tail
        );
    }
}

/// A fresh random secret that looks like an API key.
fn secret(prefix: &str) -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let a = hasher.finish();
    let b = RandomState::new().build_hasher().finish();
    format!("{prefix}{a:016x}{b:016x}")
}

/// Whether this process runs as root with `unshare` available.
fn can_unshare() -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1))
                == Some("0")
        })
        .unwrap_or(false);
    root && Command::new("unshare")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `case` at `scale` in a child made by `spawn`, in `base/{case}`
/// (emptied first; removed afterwards unless `keep`).
pub fn run(
    case: &'static Case,
    scale: Scale,
    base: &Path,
    collector_bin: &Path,
    spawn: Spawn,
    keep: bool,
) -> Outcome {
    let dir = base.join(case.name);
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("creating the case's directory");
    let api_key = secret("lwk_live_");
    let otlp_token = secret("otlp-tok-");
    let unshared = case.unshare && can_unshare();
    let mut command = if unshared {
        let mut c = Command::new("unshare");
        c.args(["--mount", "--propagation", "private"])
            .arg(&spawn.program)
            .args(&spawn.args);
        c
    } else {
        let mut c = Command::new(&spawn.program);
        c.args(&spawn.args);
        c
    };
    command
        .env(ENV_CASE, case.name)
        .env(ENV_SCALE, scale.as_str())
        .env(ENV_DIR, &dir)
        .env(ENV_API_KEY, &api_key)
        .env(ENV_OTLP_TOKEN, &otlp_token)
        .env(ENV_COLLECTOR, collector_bin)
        .env(ENV_UNSHARED, if unshared { "1" } else { "0" })
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().expect("starting the case's process");
    let mut stdout = child.stdout.take().expect("a piped stdout");
    let mut stderr = child.stderr.take().expect("a piped stderr");
    let out = thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).ok();
        bytes
    });
    let err = thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).ok();
        bytes
    });
    let limit = Duration::from_secs(scale.pick(case.limit_secs.0, case.limit_secs.1));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.to_string(),
            Ok(None) if start.elapsed() > limit => {
                child.kill().ok();
                child.wait().ok();
                break format!("killed after {} s (the case's limit)", limit.as_secs());
            }
            Ok(None) => thread::sleep(Duration::from_millis(50)),
            Err(e) => break format!("waiting failed: {e}"),
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();

    let secrets = [api_key.as_str(), otlp_token.as_str()];
    let mut scan = Scan::default();
    scan.bytes("stdout", &stdout, &secrets);
    scan.bytes("stderr", &stderr, &secrets);
    scan.tree(&dir, &secrets);
    let mut rows = Vec::new();
    for line in String::from_utf8_lossy(&stdout).lines() {
        if let Some(json) = line.strip_prefix(ROW) {
            if let Some(row) = serde_json::from_str(json)
                .ok()
                .as_ref()
                .and_then(Row::from_json)
            {
                rows.push(row);
            }
        } else if let Some(json) = line.strip_prefix(SCAN)
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(json)
        {
            scan.bytes += value["bytes"].as_u64().unwrap_or(0);
            scan.hits.extend(
                value["hits"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|h| h.as_str().map(str::to_owned)),
            );
        }
    }
    let stderr_text = String::from_utf8_lossy(&stderr);
    let tail_from = stderr_text
        .char_indices()
        .rev()
        .nth(4000)
        .map_or(0, |(i, _)| i);
    let stderr_tail = stderr_text[tail_from..].to_owned();
    let exited = status == "exit status: 0";
    if rows.is_empty() {
        rows.push(Row::bare(case.name, "-").note("the case reported no row"));
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            row.check(
                format!("no secret in output ({} MB scanned)", mb(scan.bytes)),
                scan.hits.is_empty(),
                scan.hits.join("; "),
            )
            .check("the case's process exited cleanly", exited, status.clone())
        })
        .collect();
    if !keep {
        std::fs::remove_dir_all(&dir).ok();
    }
    Outcome {
        case: case.name,
        rows,
        status,
        scan,
        seconds,
        stderr_tail,
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

/// In a child (its environment names a case): runs the case, prints its
/// rows on stdout, and returns `true`. Otherwise returns `false`.
pub fn child_main() -> bool {
    let Ok(name) = std::env::var(ENV_CASE) else {
        return false;
    };
    let case = super::case(&name).unwrap_or_else(|| panic!("no case {name}"));
    let env = |key: &str| std::env::var(key).unwrap_or_else(|_| panic!("{key} is not set"));
    let ctx = Ctx {
        case: case.name,
        scale: Scale::parse(&env(ENV_SCALE)).expect("RELIABILITY_SCALE: short or full"),
        dir: PathBuf::from(env(ENV_DIR)),
        api_key: env(ENV_API_KEY),
        otlp_token: env(ENV_OTLP_TOKEN),
        collector_bin: PathBuf::from(env(ENV_COLLECTOR)),
        unshared: env(ENV_UNSHARED) == "1",
    };
    // The case's layers must not see the secrets through the environment
    // of a process they start (none does; this keeps it so).
    let rows = (case.run)(&ctx);
    let mut out = std::io::stdout().lock();
    for row in rows {
        writeln!(out, "{ROW}{}", row.to_json()).ok();
    }
    out.flush().ok();
    true
}

/// Reports, from the child, a scan of files the parent cannot see (in a
/// private mount, or removed when the case ends).
pub fn report_scan(scan: &Scan) {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{SCAN}{}",
        json!({"bytes": scan.bytes, "hits": scan.hits})
    )
    .ok();
    out.flush().ok();
}

/// Scans `root` for the case's secrets from the child and reports it.
pub fn scan_and_report(ctx: &Ctx, root: &Path) {
    let mut scan = Scan::default();
    scan.tree(root, &ctx.secrets());
    report_scan(&scan);
}

/// The `logwood-collector` binary: `LOGWOOD_COLLECTOR_BIN`, or the one
/// beside this executable in cargo's target directory (built in the same
/// profile when missing, with the features `./scripts/test` builds the
/// workspace with, so that nothing else is built again).
pub fn collector_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("LOGWOOD_COLLECTOR_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("this executable's path");
    let mut dir = exe.parent().expect("a directory").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join("logwood-collector");
    if !bin.exists() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "-p",
                "logwood-collector",
                "--bin",
                "logwood-collector",
            ])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        if dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("running cargo build");
        assert!(
            status.success() && bin.exists(),
            "cargo build --bin logwood-collector failed"
        );
    }
    bin
}
