//! The collector's injected faults against the HTTP and OTLP layers: a 503
//! storm with `Retry-After`, answers after 2 s, every other connection
//! dropped without an answer.

use std::thread;
use std::time::{Duration, Instant};

use logwood_collector::{Collector, CollectorBuilder, CollectorHandle};

use super::measure::{self, Emit};
use super::peers::Kind;
use super::readback::Tally;
use super::row::{Row, human_duration};
use super::{Case, Ctx};

pub const STORM: Case = Case {
    name: "503-storm",
    about: "The HTTP and the OTLP layer (defaults: drop mode) each post to an in-process \
            collector that answers its first 5 requests `503` with `Retry-After: 2` (short: 2 \
            with `Retry-After: 1`), a 10 s storm, while the application logs 5,000 events/s for \
            14 s (short: 2,000/s for 3 s). Checks: every `Retry-After` was waited out between \
            attempts; no batch was given up (failed = 0); no caller waited; the counters add up; \
            the collector holds exactly the records counted sent, once.",
    run: storm,
    unshare: false,
    limit_secs: (90, 300),
};

pub const SLOW: Case = Case {
    name: "slow-collector",
    about: "In-process collectors that answer every request after 2 s. In drop mode the \
            application logs 2,000 events/s for 8 s (short: 3 s): no caller may wait anywhere \
            near 2 s, what the buffer cannot hold is dropped and counted. In block mode \
            (`drop_extra_events(false)`) it logs 3 buffers' worth at once (short: two and a \
            bit): callers wait for room and nothing is dropped or fails. HTTP and OTLP, all four \
            at once. Checks: as said, and the collector holds exactly the records counted sent, \
            once.",
    run: slow,
    unshare: false,
    limit_secs: (90, 300),
};

pub const RESETS: Case = Case {
    name: "connection-resets",
    about: "In-process collectors that close the connection without an answer on every other \
            request (after reading its body, writing nothing), while the application logs 5,000 \
            events/s for 6 s (short: 2,000/s for 2 s) through the HTTP and the OTLP layer \
            (defaults). Checks: every batch was delivered on a retry (failed = 0), nothing \
            arrived twice, no caller waited, the counters add up.",
    run: resets,
    unshare: false,
    limit_secs: (90, 300),
};

/// One layer against one collector: emits `plan`, shuts down, reads the
/// collector's output back; the row has the common checks.
fn drive(
    ctx: &Ctx,
    kind: Kind,
    sink: &str,
    collector: &CollectorHandle,
    out: &str,
    block: bool,
    plan: Emit,
) -> Row {
    let marker = format!("{}-{sink}", ctx.marker());
    let (layer, guard) = kind.layer(ctx, &collector.http_url(), block, None);
    let dispatch = tracing::Dispatch::new(tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::registry(),
        layer,
    ));
    let start = Instant::now();
    let emitted = measure::emit(&dispatch, plan, |seq| measure::event(&marker, seq));
    drop(dispatch);
    let stats = guard.shutdown(Duration::from_secs(60));
    let took = start.elapsed();
    let mut tally = Tally::new(&marker, plan.total());
    tally
        .read_file(&ctx.path(&format!("{out}.jsonl")), |_| true)
        .expect("reading the collector's output");
    Row::new(ctx.case, sink, &stats)
        .received(&tally)
        .took(took)
        .latency(&emitted.latency)
        .check_emitted(plan.total())
        .check_accounted()
        .check_received_sent()
}

/// Runs `f` for HTTP and OTLP at once.
fn both(f: impl Fn(Kind) -> Vec<Row> + Sync) -> Vec<Row> {
    thread::scope(|s| {
        let handles: Vec<_> = [Kind::Http, Kind::Otlp]
            .into_iter()
            .map(|kind| {
                let f = &f;
                s.spawn(move || f(kind))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a sub-run panicked"))
            .collect()
    })
}

fn start(ctx: &Ctx, kind: Kind, name: &str, builder: CollectorBuilder) -> CollectorHandle {
    kind.collector(ctx, name, builder)
}

fn storm(ctx: &Ctx) -> Vec<Row> {
    let (failures, after) = ctx.scale.pick((2, 1), (5, 2));
    let plan = ctx.scale.pick(
        Emit::paced(1, 2_000.0, Duration::from_secs(3)),
        Emit::paced(1, 5_000.0, Duration::from_secs(14)),
    );
    both(|kind| {
        let name = kind.name();
        let collector = start(
            ctx,
            kind,
            name,
            Collector::builder()
                .fail_first(failures)
                .fail_status(503)
                .retry_after(Duration::from_secs(after)),
        );
        let row = drive(ctx, kind, name, &collector, name, false, plan);
        let stats = collector.shutdown();
        let storm: Vec<u128> = stats
            .recent
            .iter()
            .filter(|r| r.status == Some(503))
            .map(|r| r.arrived_unix_micros())
            .collect();
        let gaps: Vec<u128> = storm.windows(2).map(|w| w[1] - w[0]).collect();
        let shortest = gaps.iter().min().copied().unwrap_or(0);
        let lasted = storm.last().zip(storm.first()).map_or(0, |(l, f)| l - f)
            + u128::from(after) * 1_000_000;
        let failed = row.failed;
        let row = row
            .note(format!(
                "{} answers 503 over {:.1} s, then {} accepted batches",
                storm.len(),
                lasted as f64 / 1e6,
                stats.batches + stats.otlp_requests
            ))
            .note(format!(
                "shortest wait between 503s {:.2} s",
                shortest as f64 / 1e6
            ))
            .check(
                format!("{failures} answers 503, each `Retry-After` waited out"),
                storm.len() as u64 == failures
                    && shortest * 10 >= u128::from(after) * 1_000_000 * 9,
                format!("{} 503s, shortest gap {shortest} µs", storm.len()),
            )
            .check("no batch given up", failed == 0, format!("{failed} failed"))
            .check_caller_max_below(Duration::from_secs(1));
        vec![row]
    })
}

fn slow(ctx: &Ctx) -> Vec<Row> {
    let delay = Duration::from_secs(2);
    let drop_plan = ctx.scale.pick(
        Emit::paced(1, 2_000.0, Duration::from_secs(3)),
        Emit::paced(1, 2_000.0, Duration::from_secs(8)),
    );
    thread::scope(|s| {
        let handles: Vec<_> = [Kind::Http, Kind::Otlp]
            .into_iter()
            .flat_map(|kind| [(kind, false), (kind, true)])
            .map(|(kind, block)| {
                s.spawn(move || {
                    let mode = if block { "block" } else { "drop" };
                    let name = format!("{}-{mode}", kind.name());
                    let collector = start(ctx, kind, &name, Collector::builder().delay(delay));
                    let plan = if block {
                        let capacity = kind.capacity() as u64;
                        Emit::burst(1, ctx.scale.pick(2 * capacity + 10, 3 * capacity))
                    } else {
                        drop_plan
                    };
                    let row = drive(
                        ctx,
                        kind,
                        &format!("{} · {mode}", kind.name()),
                        &collector,
                        &name,
                        block,
                        plan,
                    );
                    let requests = collector.shutdown().requests;
                    let row = row.note(format!("{requests} requests, each answered after 2 s"));
                    if block {
                        let lost = row.dropped + row.failed;
                        let waited = row.caller_max_ns.unwrap_or(0);
                        row.note(format!(
                            "the slowest caller waited {} for room",
                            human_duration(Duration::from_nanos(waited))
                        ))
                        .check(
                            "block mode drops nothing, fails nothing",
                            lost == 0,
                            row_counters(lost),
                        )
                        .check(
                            "the buffer filled: a caller waited for room (over 1 s)",
                            waited > 1_000_000_000,
                            format!(
                                "slowest caller {}",
                                human_duration(Duration::from_nanos(waited))
                            ),
                        )
                    } else {
                        row.check_caller_max_below(Duration::from_secs(1))
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a sub-run panicked"))
            .collect()
    })
}

fn row_counters(lost: u64) -> String {
    format!("{lost} dropped or failed")
}

fn resets(ctx: &Ctx) -> Vec<Row> {
    let plan = ctx.scale.pick(
        Emit::paced(1, 2_000.0, Duration::from_secs(2)),
        Emit::paced(1, 5_000.0, Duration::from_secs(6)),
    );
    both(|kind| {
        let name = kind.name();
        let collector = start(
            ctx,
            kind,
            name,
            Collector::builder().drop_connection_every(2),
        );
        let row = drive(ctx, kind, name, &collector, name, false, plan);
        let stats = collector.shutdown();
        let failed = row.failed;
        let row = row
            .note(format!(
                "{} connections closed without an answer, {} accepted",
                stats.dropped_connections,
                stats.batches + stats.otlp_requests
            ))
            .check(
                "every batch delivered on a retry",
                failed == 0 && stats.dropped_connections > 0,
                format!(
                    "{failed} failed, {} connections dropped",
                    stats.dropped_connections
                ),
            )
            .check_caller_max_below(Duration::from_secs(1));
        vec![row]
    })
}
