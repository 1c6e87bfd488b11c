//! The short version of every case of the reliability campaign
//! (`scripts/reliability` runs the full one and writes
//! `docs/reliability.md`): the same case code with small counts, each in a
//! child process of this test binary (re-run on the one test), with every
//! check of the full run asserted: the counters add up, the receivers hold
//! what was counted sent (no duplicates where promised; RELP received =
//! sent), nothing blocked in drop mode, memory and connections bounded, no
//! secret in any byte of output.
//!
//! The cases that kill or limit the collector run its binary: the one
//! cargo built beside this test (`cargo nextest run --workspace` builds
//! it), or `LOGWOOD_COLLECTOR_BIN`.

#[path = "../reliability/mod.rs"]
mod campaign;

use std::ffi::OsString;

use campaign::Scale;
use campaign::runner::{self, Spawn};

/// Runs `case` in a child re-running `test`, and asserts its checks.
fn short(case: &str, test: &str) {
    if runner::child_main() {
        return;
    }
    let case = campaign::case(case).expect("a case of the campaign");
    let exe = std::env::current_exe().expect("this test binary");
    let base = std::env::temp_dir().join(format!(
        "logwood-reliability-test-{}-{}",
        std::process::id(),
        case.name
    ));
    let outcome = runner::run(
        case,
        Scale::Short,
        &base,
        &runner::collector_bin(),
        Spawn {
            program: exe,
            args: ["--exact", test, "--nocapture", "--test-threads=1"]
                .map(OsString::from)
                .to_vec(),
        },
        false,
    );
    std::fs::remove_dir_all(&base).ok();
    for row in &outcome.rows {
        eprintln!(
            "{} / {}: emitted {} sent {} dropped {} failed {} received {:?} duplicates {:?}; {}",
            row.case,
            row.sink,
            row.emitted,
            row.sent,
            row.dropped,
            row.failed,
            row.received,
            row.duplicates,
            row.notes.join("; ")
        );
    }
    outcome.assert_ok();
}

macro_rules! short_case {
    ($test:ident, $case:literal) => {
        #[test]
        fn $test() {
            short($case, stringify!($test));
        }
    };
}

short_case!(
    every_sink_at_once_adds_up_with_nothing_lost_or_doubled,
    "load"
);
short_case!(
    a_killed_collector_blocks_no_caller_and_every_record_is_counted,
    "collector-kill"
);
short_case!(a_503_storm_is_waited_out_per_retry_after, "503-storm");
short_case!(
    a_slow_collector_never_blocks_drop_mode_and_block_mode_drops_nothing,
    "slow-collector"
);
short_case!(
    connections_reset_every_other_request_lose_nothing,
    "connection-resets"
);
short_case!(
    rsyslogd_restarted_loses_nothing_over_relp,
    "rsyslog-restart"
);
short_case!(
    shutdown_with_a_stalled_receiver_returns_by_its_deadline,
    "shutdown-stalled"
);
short_case!(a_full_disk_is_counted_and_writing_resumes, "disk-full");
short_case!(
    hostile_events_cost_no_neighbour_in_any_sink,
    "hostile-events"
);
short_case!(
    hostile_clients_leave_the_collector_answering_within_bounds,
    "hostile-clients"
);
short_case!(no_secret_in_any_output, "secrets");
short_case!(
    no_diagnostic_of_logwood_or_hyper_reenters_the_layers,
    "no-feedback"
);

#[test]
fn every_case_has_a_short_test() {
    let source = include_str!("reliability.rs");
    for case in campaign::CASES {
        assert!(
            source.contains(&format!("\"{}\"", case.name)),
            "case {} has no short test here",
            case.name
        );
    }
}
