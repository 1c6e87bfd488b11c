//! The reliability campaign of issue 11: each case drives logwood's layers
//! against the real receivers (rsyslogd through the testkit harness,
//! `logwood-collector` in-process or as its binary) on 127.0.0.1 and
//! returns one [`Row`] of figures per sink.
//!
//! The same case code runs at two scales: [`Scale::Full`] from
//! `scripts/reliability` (the `reliability` binary, which writes
//! `docs/reliability.md`), and [`Scale::Short`] from the integration tests
//! in `benches/tests/reliability.rs`, part of `./scripts/test`.
//!
//! Every case runs in a child process of its own ([`runner`]): its peak
//! memory is its own, a global subscriber can be installed, a crash is
//! a failed row instead of a lost run, and every byte it writes (stdout,
//! stderr, every file under its directory) is scanned for the secrets it
//! was given.

#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod every;
pub mod measure;
pub mod peers;
pub mod readback;
pub mod report;
pub mod row;
pub mod runner;
pub mod scan;

mod attacks;
mod collector_faults;
mod collector_kill;
mod disk_full;
mod feedback;
mod hostile_collector;
mod hostile_events;
mod load;
mod rsyslog_restart;
mod secrets;
mod shutdown;

use std::path::PathBuf;

pub use row::Row;

/// How big a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Seconds: the version `./scripts/test` runs.
    Short,
    /// Minutes in all: the version `scripts/reliability` runs.
    Full,
}

// === impl Scale ===

impl Scale {
    /// `short` or `full`, as the child reads it back.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Short => "short",
            Scale::Full => "full",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "short" => Some(Scale::Short),
            "full" => Some(Scale::Full),
            _ => None,
        }
    }

    /// `short` at [`Scale::Short`], `full` at [`Scale::Full`].
    pub fn pick<T>(self, short: T, full: T) -> T {
        match self {
            Scale::Short => short,
            Scale::Full => full,
        }
    }
}

/// What a case gets from the runner.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub case: &'static str,
    pub scale: Scale,
    /// The case's own directory: every file it writes goes here (all of it
    /// is scanned for the secrets afterwards).
    pub dir: PathBuf,
    /// The HTTP layer's API key (the frames collector's token).
    pub api_key: String,
    /// The OTLP layer's `authorization` header token (the OTLP collector's
    /// token).
    pub otlp_token: String,
    /// The `logwood-collector` binary.
    pub collector_bin: PathBuf,
    /// Whether the case runs as root in a private mount namespace (it may
    /// mount a tmpfs).
    pub unshared: bool,
}

// === impl Ctx ===

impl Ctx {
    /// The marker every event of the case carries before its sequence
    /// number: `rel-<case>-<pid>`.
    pub fn marker(&self) -> String {
        format!("rel-{}-{}", self.case, std::process::id())
    }

    /// Both secrets.
    pub fn secrets(&self) -> [&str; 2] {
        [&self.api_key, &self.otlp_token]
    }

    /// A path in the case's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// One case of the campaign.
#[derive(Debug)]
pub struct Case {
    /// The name on the command line and in the report (`load`, …).
    pub name: &'static str,
    /// What it does and what it checks, for the report.
    pub about: &'static str,
    pub run: fn(&Ctx) -> Vec<Row>,
    /// Whether it wants a private mount namespace (a tmpfs).
    pub unshare: bool,
    /// How long the runner lets it take before killing it.
    pub limit_secs: (u64, u64),
}

/// Every case, in the report's order.
pub const CASES: &[Case] = &[
    load::CASE,
    collector_kill::CASE,
    collector_faults::STORM,
    collector_faults::SLOW,
    collector_faults::RESETS,
    rsyslog_restart::CASE,
    shutdown::CASE,
    disk_full::CASE,
    hostile_events::CASE,
    hostile_collector::CASE,
    secrets::CASE,
    feedback::CASE,
];

/// The case called `name`.
pub fn case(name: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.name == name)
}
