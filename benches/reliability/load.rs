//! Load: 8 threads × 250,000 events through every sink at once, with the
//! layers' defaults (drop mode: what a full buffer cannot take is dropped
//! and counted).

use std::time::{Duration, Instant};

use tracing_subscriber::prelude::*;

use super::every::{Every, Options};
use super::measure::{self, Emit};
use super::row::Row;
use super::{Case, Ctx};

pub const CASE: Case = Case {
    name: "load",
    about: "8 application threads × 250,000 events (short: 2 × 2,000), each through every sink at \
            once: a rotating JSON file (64 MB files; short: 1 MB), syslog over TCP and over RELP to \
            rsyslogd, HTTP frames and OTLP to two in-process collectors, every layer with its \
            defaults (a full buffer drops and counts). Checks: the counters add up with nothing \
            queued; each receiver holds exactly the records counted sent, once.",
    run,
    unshare: false,
    limit_secs: (120, 1800),
};

fn run(ctx: &Ctx) -> Vec<Row> {
    let plan = ctx
        .scale
        .pick(Emit::burst(2, 2_000), Emit::burst(8, 250_000));
    let marker = ctx.marker();
    let (mut every, layers) = Every::start(
        ctx,
        &Options {
            file_max_bytes: ctx.scale.pick(1 << 20, 64 << 20),
            syslog_keep_newlines: false,
            deadline: Duration::from_secs(60),
        },
    );
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layers));
    let start = Instant::now();
    let emitted = measure::emit(&dispatch, plan, |seq| measure::event(&marker, seq));
    drop(dispatch);
    let emit_rate = emitted.count as f64 / emitted.elapsed.as_secs_f64();
    every
        .finish(ctx, &marker, plan.total(), &emitted, start)
        .into_iter()
        .map(|row| {
            row.check_emitted(plan.total()).note(format!(
                "{} threads emitted {:.0} events/s through all five layers",
                plan.threads, emit_rate
            ))
        })
        .collect()
}
