//! rsyslogd stopped (SIGTERM, its graceful stop) and started again while
//! the application logs over TCP, TLS and RELP.

use std::thread;
use std::time::{Duration, Instant};

use logwood::syslog::DEFAULT_RELP_WINDOW;
use tracing_subscriber::prelude::*;

use super::measure::{self, Emit};
use super::peers;
use super::readback::{self, Tally};
use super::row::Row;
use super::{Case, Ctx, runner};

pub const CASE: Case = Case {
    name: "rsyslog-restart",
    about: "The application logs 5,000 events/s for 12 s (short: 2,000/s for 2 s) through three \
            syslog layers at once, over TCP, TLS and RELP to one rsyslogd, each with a buffer \
            that holds every record (so nothing is dropped); 3 s in (short: 0.5 s) rsyslogd is \
            stopped (SIGTERM) and started again 3 s later (short: 0.5 s) on the same ports. \
            Checks: no caller waited; the counters add up with nothing queued; every layer \
            reconnected; over RELP every record arrived (received = sent = emitted) with at most \
            one window (128) of duplicates. Over TCP and TLS `sent` means written to the socket: \
            what rsyslogd had not read when it stopped is lost, and the row shows how much \
            (sent − received).",
    run,
    unshare: false,
    limit_secs: (90, 300),
};

const TRANSPORTS: [&str; 3] = ["tcp", "tls", "relp"];

fn run(ctx: &Ctx) -> Vec<Row> {
    let plan = ctx.scale.pick(
        Emit::paced(1, 2_000.0, Duration::from_secs(2)),
        Emit::paced(1, 5_000.0, Duration::from_secs(12)),
    );
    let stop_at = ctx
        .scale
        .pick(Duration::from_millis(500), Duration::from_secs(3));
    let down = ctx
        .scale
        .pick(Duration::from_millis(500), Duration::from_secs(3));
    let marker = ctx.marker();
    let mut server = peers::rsyslogd();
    let (layers, guards): (Vec<_>, Vec<_>) = TRANSPORTS
        .iter()
        .map(|transport| {
            peers::syslog(&server, transport)
                .buffer_capacity(plan.total() as usize)
                .build()
                .expect("a syslog layer")
        })
        .unzip();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layers));
    let start = Instant::now();
    let (emitted, downtime) = thread::scope(|s| {
        let app = s.spawn(|| measure::emit(&dispatch, plan, |seq| measure::event(&marker, seq)));
        thread::sleep(stop_at);
        let stopping = Instant::now();
        server.stop();
        thread::sleep(down);
        server.start_again().expect("starting rsyslogd again");
        let downtime = stopping.elapsed();
        (app.join().expect("the application thread"), downtime)
    });
    drop(dispatch);
    let ended: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = guards
            .into_iter()
            .map(|guard| s.spawn(move || peers::shutdown(guard, Duration::from_secs(60))))
            .collect();
        handles
            .into_iter()
            .map(|h| (h.join().expect("a shutdown").0, start.elapsed()))
            .collect()
    });
    let relp_sent = ended[2].0.sent;
    let inputs: Vec<Vec<u8>> = TRANSPORTS.iter().map(|t| peers::rsyslog_input(t)).collect();
    let mut tallies: Vec<Tally> = TRANSPORTS
        .iter()
        .map(|_| Tally::new(&marker, plan.total()))
        .collect();
    readback::follow_until(
        &server.messages_path(),
        Duration::from_secs(3),
        Duration::from_secs(120),
        &mut tallies,
        |t, line| {
            if let Some(i) = inputs.iter().position(|p| line.starts_with(p)) {
                t[i].line(line);
            }
        },
        |t| t[2].lines >= relp_sent,
    )
    .expect("reading rsyslogd's output");
    runner::scan_and_report(ctx, server.dir());
    TRANSPORTS
        .iter()
        .zip(ended)
        .zip(&tallies)
        .map(|((transport, (stats, took)), tally)| {
            let row = Row::new(ctx.case, &format!("syslog-{transport}"), &stats)
                .received(tally)
                .took(took)
                .latency(&emitted.latency)
                .note(format!("rsyslogd down {:.1} s", downtime.as_secs_f64()))
                .check_emitted(plan.total())
                .check_accounted()
                .check_caller_max_below(Duration::from_secs(1))
                .check(
                    "reconnected",
                    stats.reconnects >= 1,
                    format!("{} reconnects", stats.reconnects),
                );
            let received = row.received.unwrap_or(0);
            let duplicates = row.duplicates.unwrap_or(0);
            if *transport == "relp" {
                let detail = row.counters();
                row.check(
                    "received = sent = emitted (nothing lost)",
                    received == stats.sent && stats.sent == stats.emitted,
                    format!("received {received}; {detail}"),
                )
                .check(
                    "at most one window of duplicates",
                    duplicates <= DEFAULT_RELP_WINDOW as u64,
                    format!("{duplicates} duplicates"),
                )
            } else {
                row.note(format!(
                    "lost in rsyslogd's stop (sent − received): {}",
                    stats.sent.saturating_sub(received)
                ))
                .check(
                    "received ≤ sent",
                    received <= stats.sent,
                    format!("received {received}, sent {}", stats.sent),
                )
            }
        })
        .collect()
}
