//! Hostile bodies and slow connections against the collector's binary
//! under a file-descriptor limit, while an HTTP layer keeps logging to it
//! and `/health` is probed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use tracing_subscriber::prelude::*;

use super::attacks::{self, Held, Slow};
use super::measure::{self, Emit, Latency};
use super::peers::{self, CollectorProcess};
use super::readback::Tally;
use super::row::{Row, human_duration, human_ns};
use super::{Case, Ctx};

pub const CASE: Case = Case {
    name: "hostile-clients",
    about: "The collector's binary under `ulimit -n 256` (short: 128), with a 2 s header, 3 s \
            body and 4 s idle timeout (short: 1 s each), is attacked for 20 s (short: 4 s) by \
            300 partial-header connections (short: 150), 50 slowloris (a header byte every \
            200 ms), 50 idle connections, 20 bodies announced as 5 MB that send 10 bytes (short: \
            10, 10, 5), each reconnecting 250 ms after it was closed, and 4 clients posting \
            hostile bodies in a loop (random msgpack, 1,000,000-deep nesting in msgpack, NDJSON \
            and OTLP JSON, lengths claiming 4 GiB, 10 MiB of garbage, gzip bombs of 100 MB \
            (short: 12 MB), `Content-Length` over the 10 MiB limit, 100,000-deep protobuf, an \
            unknown content type). Meanwhile an HTTP layer logs 1,000 events/s to it and \
            `/health` is asked every 100 ms on a new connection. Checks: `/health` answered \
            throughout (each answer within 2 s; never two probes in a row, nor more than 1 in \
            20, without a 200: in a wave of reconnections that exhausts the descriptors, a \
            probe's connection has been seen closed without an answer); the collector closed \
            every attacking connection within its timeout + 3 s; the lying bodies got 408; every \
            hostile body got a 4xx and nothing of it was written; open connections stayed within \
            the descriptor limit and went back to the layer's after the attack; the collector's \
            peak RSS stayed under 512 MB; the layer lost nothing (received = sent, failed = 0).",
    run,
    unshare: false,
    limit_secs: (120, 300),
};

/// What the prober saw.
#[derive(Debug, Default)]
struct Probes {
    health: Latency,
    /// Probes without a 200, and the most in a row.
    unanswered: u64,
    most_in_a_row: u64,
    failures: Vec<String>,
    peak_open: u64,
    last_stats: serde_json::Value,
}

fn run(ctx: &Ctx) -> Vec<Row> {
    let attack = ctx
        .scale
        .pick(Duration::from_secs(4), Duration::from_secs(20));
    let fd_limit: usize = ctx.scale.pick(128, 256);
    let (partial, slowloris, idle, short_body) =
        ctx.scale.pick((150, 10, 10, 5), (300, 50, 50, 20));
    let (header_ms, body_ms, idle_ms) = ctx.scale.pick((1000, 1000, 1000), (2000, 3000, 4000));
    let bomb_mb = ctx.scale.pick(12, 100);
    let marker = ctx.marker();
    let (h, b, i) = (
        header_ms.to_string(),
        body_ms.to_string(),
        idle_ms.to_string(),
    );
    let mut collector = CollectorProcess::start(
        ctx,
        "collector",
        &ctx.api_key,
        &[
            "--header-timeout-ms",
            &h,
            "--body-timeout-ms",
            &b,
            "--idle-timeout-ms",
            &i,
        ],
        Some(fd_limit),
    );
    let addr = collector.addr;
    let (layer, guard) = peers::http(ctx, &collector.frames_url())
        .build()
        .expect("an HTTP layer");
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let plan = Emit::paced(1, 1_000.0, attack);
    let stop = AtomicBool::new(false);
    let bodies = attacks::hostile_bodies(bomb_mb);
    let auth = format!("Bearer {}", ctx.api_key);
    let kinds: Vec<Slow> = std::iter::repeat_n(Slow::PartialHead, partial)
        .chain(std::iter::repeat_n(Slow::Slowloris, slowloris))
        .chain(std::iter::repeat_n(Slow::Idle, idle))
        .chain(std::iter::repeat_n(Slow::ShortBody, short_body))
        .collect();
    let longest = Duration::from_millis(header_ms.max(body_ms).max(idle_ms));
    let give_up = longest + Duration::from_secs(10);
    let start = Instant::now();

    let (emitted, probes, held, answers) = thread::scope(|s| {
        let app = s.spawn(|| measure::emit(&dispatch, plan, |seq| measure::event(&marker, seq)));
        let prober = s.spawn(|| probe(addr, &stop));
        let slow = s.spawn(|| {
            attacks::on_threads(kinds.len(), |n| {
                (
                    kinds[n],
                    attacks::slow_connections(addr, kinds[n], &stop, give_up),
                )
            })
        });
        let hostile = s.spawn(|| {
            attacks::on_threads(4, |worker| {
                let mut answers = Vec::new();
                let mut round = 0;
                while round == 0 || !stop.load(Ordering::Relaxed) {
                    for hostile in bodies.iter().skip(worker).step_by(4) {
                        let mut headers = vec![
                            ("Content-Type", hostile.content_type.to_owned()),
                            ("Authorization", auth.clone()),
                        ];
                        headers.extend(hostile.headers.iter().cloned());
                        let (status, took) = attacks::request(
                            addr,
                            hostile.path,
                            &headers,
                            &hostile.body,
                            Duration::from_secs(20),
                        );
                        answers.push((hostile.name, status, took));
                    }
                    round += 1;
                }
                answers
            })
        });
        let emitted = app.join().expect("the application thread");
        thread::sleep(attack.saturating_sub(start.elapsed()));
        stop.store(true, Ordering::Relaxed);
        let held = slow.join().expect("the slow attackers");
        let answers: Vec<_> = hostile
            .join()
            .expect("the hostile clients")
            .into_iter()
            .flatten()
            .collect();
        // The prober goes on until the connections are back to the layer's.
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut open = u64::MAX;
        while Instant::now() < deadline {
            let got = attacks::get(addr, "/stats", Duration::from_secs(5));
            open = serde_json::from_slice::<serde_json::Value>(attacks::body_of(&got.response))
                .ok()
                .and_then(|v| v["connections_open"].as_u64())
                .unwrap_or(u64::MAX);
            if open <= 2 {
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
        let mut probes = prober.join().expect("the prober");
        probes.last_stats["open_after"] = open.into();
        (emitted, probes, held, answers)
    });
    drop(dispatch);
    let stats = guard.shutdown(Duration::from_secs(30));
    let took = start.elapsed();
    collector.rss_kib();
    let collector_peak = collector.peak_rss_kib;
    collector.terminate();

    let mut tally = Tally::new(&marker, plan.total());
    tally
        .read_file(&collector.out(), |_| true)
        .expect("reading the collector's output");
    let written = std::fs::read(collector.out())
        .map(|b| b.split(|&c| c == b'\n').filter(|l| !l.is_empty()).count() as u64)
        .unwrap_or(0);

    let legit = Row::new(ctx.case, "http (logging through it)", &stats)
        .received(&tally)
        .took(took)
        .latency(&emitted.latency)
        .check_emitted(plan.total())
        .check_accounted()
        .check_received_sent()
        .check(
            "no batch given up",
            stats.failed == 0,
            format!("{} failed", stats.failed),
        )
        .check_caller_max_below(Duration::from_secs(1));

    let slow_row = slow_row(
        ctx,
        &held,
        &probes,
        collector_peak,
        fd_limit as u64,
        &[header_ms, body_ms, idle_ms],
    );
    let bodies_row = bodies_row(ctx, &answers, written, tally.lines, collector_peak);
    vec![legit, slow_row, bodies_row]
}

/// Asks `/health` every 100 ms and `/stats` every 500 ms until `stop`.
fn probe(addr: std::net::SocketAddr, stop: &AtomicBool) -> Probes {
    let mut probes = Probes::default();
    let mut n = 0_u64;
    let mut in_a_row = 0;
    while !stop.load(Ordering::Relaxed) {
        let got = attacks::get(addr, "/health", Duration::from_secs(5));
        probes.health.record(got.took);
        if got.status == Some(200) {
            in_a_row = 0;
        } else {
            in_a_row += 1;
            probes.unanswered += 1;
            probes.most_in_a_row = probes.most_in_a_row.max(in_a_row);
            if probes.failures.len() < 5 {
                probes.failures.push(format!(
                    "{:?} after {} ({})",
                    got.status,
                    human_duration(got.took),
                    got.error.unwrap_or_default()
                ));
            }
        }
        if n.is_multiple_of(5) {
            let got = attacks::get(addr, "/stats", Duration::from_secs(5));
            if let Ok(v) =
                serde_json::from_slice::<serde_json::Value>(attacks::body_of(&got.response))
            {
                probes.peak_open = probes
                    .peak_open
                    .max(v["connections_open"].as_u64().unwrap_or(0));
                probes.last_stats = v;
            }
        }
        n += 1;
        thread::sleep(Duration::from_millis(100));
    }
    probes
}

fn slow_row(
    ctx: &Ctx,
    held: &[(Slow, Vec<Held>)],
    probes: &Probes,
    collector_peak: u64,
    fd_limit: u64,
    [header_ms, body_ms, _idle_ms]: &[u64; 3],
) -> Row {
    let mut per_kind: BTreeMap<String, (usize, Duration, usize)> = BTreeMap::new();
    let mut overdue = Vec::new();
    let mut not_408 = 0;
    for (kind, conns) in held {
        let limit = Duration::from_millis(match kind {
            Slow::ShortBody => header_ms + body_ms,
            _ => *header_ms,
        }) + Duration::from_secs(3);
        let entry = per_kind.entry(format!("{kind:?}")).or_default();
        for c in conns {
            entry.0 += 1;
            entry.1 = entry.1.max(c.open);
            if !c.closed || c.open > limit {
                entry.2 += 1;
                if overdue.len() < 5 {
                    overdue.push(format!("{kind:?} open {}", human_duration(c.open)));
                }
            }
            if *kind == Slow::ShortBody && c.status != Some(408) && c.status.is_some() {
                not_408 += 1;
            }
        }
    }
    let stats = &probes.last_stats;
    let mut row = Row::bare(ctx.case, "slow connections")
        .note(
            per_kind
                .iter()
                .map(|(k, (n, max, _))| {
                    format!("{k}: {n} connections, longest {}", human_duration(*max))
                })
                .collect::<Vec<_>>()
                .join(", "),
        )
        .note(format!(
            "closed by the collector: header timeout {}, body timeout {}, idle {}, limit {}",
            stats["closed_header_timeout"],
            stats["closed_body_timeout"],
            stats["closed_idle"],
            stats["closed_limit"]
        ))
        .note(format!(
            "/health: {} probes, {} unanswered{}, p99 {}, max {}",
            probes.health.count(),
            probes.unanswered,
            if probes.failures.is_empty() {
                String::new()
            } else {
                format!(" ({})", probes.failures.join(", "))
            },
            human_ns(probes.health.quantile(0.99)),
            human_ns(probes.health.max())
        ))
        .note(format!(
            "open connections: peak {} (fd limit {fd_limit}), {} after the attack",
            probes.peak_open, stats["open_after"]
        ))
        .note(format!(
            "collector peak RSS {:.0} MB",
            collector_peak as f64 / 1024.0
        ))
        .check(
            "/health answered throughout: within 2 s, never twice in a row without a 200, \
             at most 1 probe in 20",
            probes.most_in_a_row <= 1
                && probes.unanswered * 20 <= probes.health.count()
                && probes.health.count() > 0
                && probes.health.max() < 2_000_000_000,
            format!(
                "{} of {} unanswered ({} in a row): {}; max {}",
                probes.unanswered,
                probes.health.count(),
                probes.most_in_a_row,
                probes.failures.join(", "),
                human_ns(probes.health.max())
            ),
        )
        .check(
            "every attacking connection closed within its timeout + 3 s",
            overdue.is_empty(),
            overdue.join(", "),
        )
        .check(
            "bodies that never came got 408",
            not_408 == 0,
            format!("{not_408} other answers"),
        )
        .check(
            "open connections within the descriptor limit, and back after the attack",
            probes.peak_open <= fd_limit && stats["open_after"].as_u64().is_some_and(|n| n <= 2),
            format!("peak {}, after {}", probes.peak_open, stats["open_after"]),
        );
    row.peak_rss_kib = collector_peak;
    row
}

fn bodies_row(
    ctx: &Ctx,
    answers: &[(&str, Option<u16>, Duration)],
    written: u64,
    legit_lines: u64,
    collector_peak: u64,
) -> Row {
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut slowest = Duration::ZERO;
    for (name, status, took) in answers {
        *statuses
            .entry(status.map_or_else(|| "none".into(), |s| s.to_string()))
            .or_default() += 1;
        slowest = slowest.max(*took);
        if !status.is_some_and(|s| (400..500).contains(&s)) && wrong.len() < 5 {
            wrong.push(format!("{name}: {status:?}"));
        }
    }
    let mut row = Row::bare(ctx.case, "hostile bodies")
        .note(format!(
            "{} requests: {}",
            answers.len(),
            statuses
                .iter()
                .map(|(s, n)| format!("{n} × {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .note(format!("slowest answer {}", human_duration(slowest)))
        .note(format!(
            "collector peak RSS {:.0} MB",
            collector_peak as f64 / 1024.0
        ))
        .check(
            "every hostile body answered 4xx",
            wrong.is_empty() && !answers.is_empty(),
            wrong.join(", "),
        )
        .check(
            "nothing of them written",
            written == legit_lines,
            format!("{written} lines written, {legit_lines} from the layer"),
        )
        .check(
            "the collector's peak RSS under 512 MB",
            collector_peak < 512 * 1024,
            format!("{} KiB", collector_peak),
        );
    row.peak_rss_kib = collector_peak;
    row
}
