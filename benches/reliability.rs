//! The reliability campaign (issue 11): every case against the real
//! rsyslogd and the real `logwood-collector` on 127.0.0.1, each in a child
//! process, and the report `docs/reliability.md`.
//!
//! ```text
//! cargo run --release -p benches --bin reliability -- --out docs/reliability.md
//!     [--short] [--case NAME]... [--keep] [--dir DIR]
//! ```
//!
//! `scripts/reliability` runs it (after building the collector's binary).
//! `--short` runs the versions `./scripts/test` runs; `--case` picks cases
//! (`--list` names them); `--keep` leaves each case's files in `--dir`
//! (default: a directory under the system's temp directory). Exits with 1
//! when a check failed (the report is written all the same).

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "reliability/mod.rs"]
mod campaign;

use campaign::runner::{self, Spawn};
use campaign::{CASES, Scale, report};

fn main() -> ExitCode {
    if runner::child_main() {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = None;
    let mut dir = None;
    let mut names = Vec::new();
    let mut scale = Scale::Full;
    let mut keep = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => out = it.next().map(PathBuf::from),
            "--dir" => dir = it.next().map(PathBuf::from),
            "--case" => names.extend(it.next().cloned()),
            "--short" => scale = Scale::Short,
            "--keep" => keep = true,
            "--list" => {
                for case in CASES {
                    println!("{}", case.name);
                }
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("reliability: unknown argument {other}; see the source's header");
                return ExitCode::from(2);
            }
        }
    }
    let cases: Vec<_> = if names.is_empty() {
        CASES.iter().collect()
    } else {
        match names
            .iter()
            .map(|n| campaign::case(n).ok_or(n))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(cases) => cases,
            Err(name) => {
                eprintln!("reliability: no case {name} (--list)");
                return ExitCode::from(2);
            }
        }
    };
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("logwood-reliability-{}", std::process::id()))
    });
    let collector = runner::collector_bin();
    let exe = std::env::current_exe().expect("this executable's path");
    let mut machine = report::Machine::now();
    let mut outcomes = Vec::new();
    for case in cases {
        eprintln!("reliability: {} …", case.name);
        let outcome = runner::run(
            case,
            scale,
            &dir,
            &collector,
            Spawn {
                program: exe.clone(),
                args: Vec::new(),
            },
            keep,
        );
        for row in &outcome.rows {
            eprintln!(
                "  {:<12} emitted {:>9} sent {:>9} dropped {:>9} failed {:>7} received {:>9} dup {:>5} {}",
                row.sink,
                row.emitted,
                row.sent,
                row.dropped,
                row.failed,
                row.received.map_or_else(|| "-".into(), |r| r.to_string()),
                row.duplicates.map_or_else(|| "-".into(), |r| r.to_string()),
                if row.ok() { "ok" } else { "FAILED" }
            );
        }
        if !outcome.ok() {
            eprint!("{}", outcome.failures());
            eprintln!("  exit: {}", outcome.status);
        }
        outcomes.push(outcome);
    }
    machine.load_after = report::load();
    if !keep {
        std::fs::remove_dir_all(&dir).ok();
    }
    let mut command = String::from("cargo run --release -p benches --bin reliability --");
    for arg in &args {
        command.push(' ');
        command.push_str(arg);
    }
    let document = report::render(&machine, &command, scale, &outcomes);
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, document) {
                eprintln!("reliability: writing {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            eprintln!("reliability: wrote {}", path.display());
        }
        None => print!("{document}"),
    }
    if outcomes.iter().all(runner::Outcome::ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
