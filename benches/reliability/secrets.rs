//! Where secrets are most at risk: refused credentials (every failure
//! reported on stderr and given to a callback that prints it), `Debug` of
//! every builder and guard, configuration errors next to a token.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use logwood::http::{HttpLayer, OtlpEnv, OtlpLayer};
use logwood::{DeliveryError, FlushGuard};
use logwood_collector::Collector;
use tracing_subscriber::prelude::*;

use super::every::BoxedLayer;
use super::measure::{self, Emit};
use super::peers;
use super::row::Row;
use super::{Case, Ctx};

pub const CASE: Case = Case {
    name: "secrets",
    about: "The HTTP layer sends the API key to a collector that wants the OTLP token, and the \
            OTLP layer sends the OTLP token to one that wants the API key: every batch is \
            refused `401`, reported once per kind on stderr and, each time, given to an \
            `on_error` callback that prints the error's `Display` and `Debug` on stdout; the \
            application logs 500 events/s for 3 s (short: 1 s). The `Debug` of every builder \
            and guard is printed, and so are the errors of `logwood::builder()` and `OtlpEnv` \
            given a token beside an invalid value. Checks: every record refused and counted \
            failed; the refusals reached the callback with status 401; and, as in every case, \
            neither secret in any byte of output.",
    run,
    unshare: false,
    limit_secs: (60, 120),
};

fn run(ctx: &Ctx) -> Vec<Row> {
    let plan = ctx.scale.pick(
        Emit::paced(1, 500.0, Duration::from_secs(1)),
        Emit::paced(1, 500.0, Duration::from_secs(3)),
    );
    let marker = ctx.marker();
    // Each collector wants the other secret.
    let frames = peers::start(peers::collector(ctx, "frames").token(ctx.otlp_token.as_str()));
    let otlp = peers::start(peers::collector(ctx, "otlp").token(ctx.api_key.as_str()));
    let refusals = [Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0))];
    let report = |sink: &'static str, counter: &Arc<AtomicU64>| {
        let counter = counter.clone();
        move |e: &DeliveryError| {
            if e.status() == Some(401) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            println!("on_error {sink}: {e}");
            println!("on_error {sink} (Debug): {e:?}");
        }
    };
    let http_builder = HttpLayer::builder(frames.frames_url())
        .api_key(ctx.api_key.as_str())
        .on_error(report("http", &refusals[0]));
    println!("HttpLayerBuilder: {http_builder:?}");
    let (http, http_guard) = http_builder.build().expect("an HTTP layer");
    let otlp_builder = OtlpLayer::builder(otlp.http_url())
        .header("authorization", format!("Bearer {}", ctx.otlp_token))
        .header("x-api-key", ctx.otlp_token.as_str())
        .on_error(report("otlp", &refusals[1]));
    println!("OtlpLayerBuilder: {otlp_builder:?}");
    let (otlp_layer, otlp_guard) = otlp_builder.build().expect("an OTLP layer");
    println!("layers: {http:?} {otlp_layer:?}");
    println!("guards: {http_guard:?} {otlp_guard:?}");
    let layers: Vec<BoxedLayer> = vec![Box::new(http), Box::new(otlp_layer)];
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layers));
    let start = Instant::now();
    let emitted = measure::emit(&dispatch, plan, |seq| measure::event(&marker, seq));
    drop(dispatch);
    let ended: Vec<(&str, FlushGuard)> = vec![("http", http_guard), ("otlp", otlp_guard)];
    let mut rows: Vec<Row> = ended
        .into_iter()
        .zip(&refusals)
        .map(|((name, guard), refused)| {
            let stats = guard.shutdown(Duration::from_secs(30));
            let refused = refused.load(Ordering::Relaxed);
            let mut row = Row::new(ctx.case, &format!("{name} (wrong credentials)"), &stats)
                .took(start.elapsed())
                .latency(&emitted.latency)
                .note(format!("{refused} refusals given to on_error"))
                .check_emitted(plan.total())
                .check_accounted()
                .check(
                    "every record refused and counted failed",
                    stats.sent == 0 && stats.failed + stats.dropped == stats.emitted,
                    format!("sent {}, failed {}", stats.sent, stats.failed),
                )
                .check(
                    "the refusals reached on_error with status 401",
                    refused > 0,
                    "no 401 reported",
                );
            row.received = Some(0);
            row
        })
        .collect();
    let frames_stats = frames.shutdown();
    let otlp_stats = otlp.shutdown();
    let texts = config_errors(ctx);
    rows.push(
        Row::bare(ctx.case, "configuration errors and Debug")
            .note(format!(
                "{} error texts printed; collectors answered 401 × {} and × {}",
                texts,
                frames_stats.status_count(401),
                otlp_stats.status_count(401)
            ))
            .check(
                "the errors were printed (so the scan saw them)",
                texts >= 3,
                format!("{texts} printed"),
            ),
    );
    rows
}

/// Prints the errors of configurations holding a token beside an invalid
/// value; returns how many were printed.
fn config_errors(ctx: &Ctx) -> usize {
    let mut printed = 0;
    let mut print = |what: &str, text: String| {
        println!("{what}: {text}");
        printed += 1;
    };
    let builder = logwood::builder()
        .read_env(false)
        .http("ftp://collector.invalid/frames")
        .http_token(ctx.api_key.as_str());
    print("logwood::Builder (Debug)", format!("{builder:?}"));
    match builder.build() {
        Ok(_) => print("logwood::builder() with an ftp URL", "accepted".into()),
        Err(e) => {
            print("logwood::builder() error", e.to_string());
            print("logwood::builder() error (Debug)", format!("{e:?}"));
        }
    }
    let headers = format!("authorization=Bearer%20{},x-bad", ctx.otlp_token);
    let lookup = |name: &str| match name {
        "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://127.0.0.1:4318".to_owned()),
        "OTEL_EXPORTER_OTLP_HEADERS" => Some(headers.clone()),
        _ => None,
    };
    match OtlpEnv::from_lookup(lookup) {
        Ok(env) => print("OtlpEnv with a malformed header list", format!("{env:?}")),
        Err(e) => {
            print("OtlpEnv error", e.to_string());
            print("OtlpEnv error (Debug)", format!("{e:?}"));
        }
    }
    let good = format!("authorization=Bearer%20{}", ctx.otlp_token);
    let lookup = |name: &str| match name {
        "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://127.0.0.1:4318".to_owned()),
        "OTEL_EXPORTER_OTLP_HEADERS" => Some(good.clone()),
        "OTEL_EXPORTER_OTLP_TIMEOUT" => Some("soon".to_owned()),
        _ => None,
    };
    match OtlpEnv::from_lookup(lookup) {
        Ok(env) => print("OtlpEnv with a bad timeout", format!("{env:?}")),
        Err(e) => print("OtlpEnv error", format!("{e} / {e:?}")),
    }
    let collector = Collector::builder().token(ctx.api_key.as_str());
    print("CollectorBuilder (Debug)", format!("{collector:?}"));
    printed
}
