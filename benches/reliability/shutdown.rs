//! Shutting down with 50,000 records buffered and a receiver that accepts
//! the connection and then never reads nor answers.

use std::thread;
use std::time::{Duration, Instant};

use logwood::syslog::SyslogLayer;
use tracing_subscriber::prelude::*;

use super::every::BoxedLayer;
use super::measure::{self, Emit};
use super::peers::{Kind, Stalled};
use super::row::{Row, human_duration};
use super::{Case, Ctx};

pub const CASE: Case = Case {
    name: "shutdown-stalled",
    about: "Four layers (HTTP, OTLP, syslog over TCP and over RELP), each with a buffer of \
            50,000 records (short: 10,000) and a receiver that accepts the connection and never \
            reads a byte; one burst of 50,000 events (short: 10,000), then every guard's \
            `shutdown` with a 2 s deadline (short: 1 s), all at once. Checks: each returned by \
            its deadline (+ 2 s of slack for a loaded machine); nothing was dropped (the burst \
            fit); the counters add up with nothing queued: what was not delivered is counted \
            failed; nothing was counted sent where only an answer proves delivery (HTTP, OTLP, \
            RELP). Over TCP `sent` is what the kernel's socket buffers took.",
    run,
    unshare: false,
    limit_secs: (60, 120),
};

fn run(ctx: &Ctx) -> Vec<Row> {
    let n = ctx.scale.pick(10_000, 50_000);
    let deadline = ctx
        .scale
        .pick(Duration::from_secs(1), Duration::from_secs(2));
    let marker = ctx.marker();
    let servers: Vec<Stalled> = (0..4).map(|_| Stalled::start()).collect();
    let mut layers: Vec<BoxedLayer> = Vec::new();
    let mut guards = Vec::new();
    for (i, kind) in [Kind::Http, Kind::Otlp].into_iter().enumerate() {
        let (layer, guard) = kind.layer(
            ctx,
            &format!("http://{}", servers[i].addr),
            false,
            Some(n as usize),
        );
        layers.push(layer);
        guards.push((kind.name(), guard));
    }
    let tcp = SyslogLayer::builder()
        .tcp(servers[2].addr)
        .buffer_capacity(n as usize)
        .build()
        .expect("a syslog TCP layer");
    let relp = SyslogLayer::builder()
        .relp(servers[3].addr)
        .buffer_capacity(n as usize)
        .build()
        .expect("a syslog RELP layer");
    for (name, (layer, guard)) in [("syslog-tcp", tcp), ("syslog-relp", relp)] {
        layers.push(Box::new(layer));
        guards.push((name, guard));
    }
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layers));
    let emitted = measure::emit(&dispatch, Emit::burst(1, n), |seq| {
        measure::event(&marker, seq);
    });
    drop(dispatch);
    let ended: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = guards
            .into_iter()
            .map(|(name, guard)| {
                s.spawn(move || {
                    let start = Instant::now();
                    let stats = guard.shutdown(deadline);
                    (name, stats, start.elapsed())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a shutdown"))
            .collect()
    });
    let accepted: Vec<usize> = servers
        .iter()
        .map(|s| s.accepted.load(std::sync::atomic::Ordering::Relaxed))
        .collect();
    drop(servers);
    ended
        .into_iter()
        .zip(accepted)
        .map(|((name, stats, took), accepted)| {
            let mut row = Row::new(ctx.case, name, &stats)
                .took(took)
                .latency(&emitted.latency)
                .note(format!(
                    "shutdown returned after {} (deadline {})",
                    human_duration(took),
                    human_duration(deadline)
                ))
                .note(format!("{accepted} connections accepted, none read"))
                .check_emitted(n)
                .check_accounted()
                .check(
                    "returned by its deadline",
                    took <= deadline + Duration::from_secs(2),
                    format!("took {}", human_duration(took)),
                )
                .check(
                    "the burst fit: nothing dropped",
                    stats.dropped == 0,
                    format!("{} dropped", stats.dropped),
                );
            row.received = Some(0);
            row.duplicates = Some(0);
            if name == "syslog-tcp" {
                row.note(format!(
                    "{} records taken by the socket buffers count as sent",
                    stats.sent
                ))
            } else {
                row.check(
                    "nothing counted sent (no answer came)",
                    stats.sent == 0,
                    format!("{} sent", stats.sent),
                )
            }
        })
        .collect()
}
