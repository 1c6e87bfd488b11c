//! The collector killed (SIGKILL) for 5 s and started again on the same
//! port while the application logs through the HTTP and OTLP layers.

use std::thread;
use std::time::{Duration, Instant};

use tracing_subscriber::prelude::*;

use super::measure::{self, Emit};
use super::peers::{self, CollectorProcess};
use super::readback::{self, Tally};
use super::row::Row;
use super::{Case, Ctx};

pub const CASE: Case = Case {
    name: "collector-kill",
    about: "The application logs at a steady rate (2 threads × 5,000 events/s for 15 s; short: \
            1 × 2,000/s for 4 s) through the HTTP and the OTLP layer (defaults: drop mode), each \
            posting to a `logwood-collector` binary; 3 s in, both collectors are killed (SIGKILL, \
            requests in flight cut) and started again on the same port 5 s later (short: 1 s). \
            Checks: no caller waited (drop mode); the counters add up with nothing queued; every \
            record counted sent arrived, and only records counted sent or failed arrived; at most \
            one batch arrived twice (a batch written just before the kill and sent again). \
            Notes: how long after the restart the first record arrived.",
    run,
    unshare: false,
    limit_secs: (120, 300),
};

fn run(ctx: &Ctx) -> Vec<Row> {
    let plan = ctx.scale.pick(
        Emit::paced(1, 2_000.0, Duration::from_secs(4)),
        Emit::paced(2, 5_000.0, Duration::from_secs(15)),
    );
    let kill_at = ctx
        .scale
        .pick(Duration::from_secs(1), Duration::from_secs(3));
    let down = ctx
        .scale
        .pick(Duration::from_secs(1), Duration::from_secs(5));
    let marker = ctx.marker();
    let mut frames = CollectorProcess::start(ctx, "frames", &ctx.api_key, &[], None);
    let mut otlp = CollectorProcess::start(ctx, "otlp", &ctx.otlp_token, &[], None);
    let (http_layer, http_guard) = peers::http(ctx, &frames.frames_url())
        .build()
        .expect("an HTTP layer");
    let (otlp_layer, otlp_guard) = peers::otlp(ctx, &otlp.base_url())
        .build()
        .expect("an OTLP layer");
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(http_layer)
            .with(otlp_layer),
    );

    let start = Instant::now();
    let (emitted, recovery) = thread::scope(|s| {
        let app = s.spawn(|| measure::emit(&dispatch, plan, |seq| measure::event(&marker, seq)));
        thread::sleep(kill_at);
        frames.kill();
        otlp.kill();
        let sizes = [
            readback::file_len(&frames.out()),
            readback::file_len(&otlp.out()),
        ];
        thread::sleep(down);
        frames.restart(&ctx.api_key);
        otlp.restart(&ctx.otlp_token);
        let restarted = Instant::now();
        // The first record written after the restart, per collector.
        let mut recovery = [None, None];
        while restarted.elapsed() < Duration::from_secs(20) && recovery.iter().any(Option::is_none)
        {
            for (i, path) in [frames.out(), otlp.out()].iter().enumerate() {
                if recovery[i].is_none() && readback::file_len(path) > sizes[i] {
                    recovery[i] = Some(restarted.elapsed());
                }
            }
            thread::sleep(Duration::from_millis(10));
        }
        (app.join().expect("the application thread"), recovery)
    });
    drop(dispatch);
    let rows: Vec<Row> = thread::scope(|s| {
        let http = s.spawn(|| peers::shutdown(http_guard, Duration::from_secs(60)));
        let otlp = s.spawn(|| peers::shutdown(otlp_guard, Duration::from_secs(60)));
        [("http", http), ("otlp", otlp)]
            .into_iter()
            .map(|(name, h)| (name, h.join().expect("a shutdown")))
            .map(|(name, (stats, _))| (name, stats, start.elapsed()))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .zip([(&mut frames, recovery[0]), (&mut otlp, recovery[1])])
    .map(|((name, stats, took), (collector, recovered))| {
        let mut tally = Tally::new(&marker, plan.total());
        tally
            .read_file(&collector.out(), |_| true)
            .expect("reading the collector's output");
        collector.terminate();
        let row = Row::new(ctx.case, name, &stats)
            .received(&tally)
            .took(took)
            .latency(&emitted.latency);
        let received = row.received.unwrap_or(0);
        let batch = if name == "http" {
            logwood::http::DEFAULT_BUFFER_CAPACITY
        } else {
            logwood::http::DEFAULT_OTLP_BUFFER_CAPACITY
        } as u64;
        let duplicates = row.duplicates.unwrap_or(0);
        let detail = row.counters();
        row.note(match recovered {
            Some(d) => format!(
                "first record written {} after the restart",
                super::row::human_duration(d)
            ),
            None => "no record written within 20 s of the restart".into(),
        })
        .note(format!(
            "collector peak RSS {:.0} MB",
            collector.peak_rss_kib as f64 / 1024.0
        ))
        .check_emitted(plan.total())
        .check_accounted()
        .check_caller_max_below(Duration::from_secs(1))
        .check(
            "every record counted sent arrived",
            received >= stats.sent,
            format!("received {received}; {detail}"),
        )
        .check(
            "only records counted sent or failed arrived",
            received <= stats.sent + stats.failed,
            format!("received {received}; {detail}"),
        )
        .check(
            "at most one batch arrived twice",
            duplicates <= batch,
            format!("{duplicates} duplicates"),
        )
    })
    .collect();
    rows
}
