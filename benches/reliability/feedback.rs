//! No feedback loop: with every layer in the **global** subscriber at
//! TRACE (and the `log` crate routed into it), nothing that logwood's
//! workers, hyper, tokio or rustls do comes back as an event.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logwood::json::{JsonLayer, RotatingFileWriter};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{Layer, Registry};

use super::every::BoxedLayer;
use super::measure::{self, Emit};
use super::peers::{self, Kind};
use super::readback::{self, Tally};
use super::row::Row;
use super::{Case, Ctx, runner};

pub const CASE: Case = Case {
    name: "no-feedback",
    about: "Every layer in the process's global subscriber with no filter (TRACE), the `log` \
            crate routed into `tracing` (rustls logs through it), plus a layer counting every \
            event it sees with its thread and target: a JSON file, syslog over TLS and over RELP \
            to rsyslogd, HTTP and OTLP to in-process collectors, and an HTTP layer posting to a \
            closed port (hyper's connect errors, retries). The application logs 1,000 events/s \
            for 5 s (short: 1 s). Checks: the counting layer saw exactly the application's \
            events, all from its thread (none from a logwood worker, hyper, tokio or rustls); \
            each receiver holds exactly the records counted sent, once.",
    run,
    unshare: false,
    limit_secs: (60, 120),
};

/// Every event the global subscriber saw, by thread name and target.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<BTreeMap<(String, String), u64>>>);

impl<S: Subscriber> Layer<S> for Seen {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        let target = event.metadata().target().to_owned();
        if let Ok(mut seen) = self.0.lock() {
            *seen.entry((thread, target)).or_default() += 1;
        }
    }
}

fn run(ctx: &Ctx) -> Vec<Row> {
    tracing_log::LogTracer::init_with_filter(log::LevelFilter::Trace)
        .expect("routing `log` into tracing");
    let plan = ctx.scale.pick(
        Emit::paced(1, 1_000.0, Duration::from_secs(1)),
        Emit::paced(1, 1_000.0, Duration::from_secs(5)),
    );
    let marker = ctx.marker();
    let server = peers::rsyslogd();
    let frames = Kind::Http.collector(ctx, "frames", logwood_collector::Collector::builder());
    let otlp = Kind::Otlp.collector(ctx, "otlp", logwood_collector::Collector::builder());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let (writer, file_guard) = RotatingFileWriter::builder(ctx.path("app.log"))
        .build()
        .expect("a file writer");
    let json = JsonLayer::builder().with_writer(writer).build();
    let json_stats = json.stats_handle();
    let (tls, tls_guard) = peers::syslog(&server, "tls")
        .build()
        .expect("a syslog TLS layer");
    let (relp, relp_guard) = peers::syslog(&server, "relp")
        .build()
        .expect("a syslog RELP layer");
    let (http, http_guard) = Kind::Http.layer(ctx, &frames.http_url(), false, None);
    let (otlp_layer, otlp_guard) = Kind::Otlp.layer(ctx, &otlp.http_url(), false, None);
    let (refused, refused_guard) = Kind::Http.layer(ctx, &format!("http://{closed}"), false, None);
    let seen = Seen::default();
    let layers: Vec<BoxedLayer> = vec![
        Box::new(seen.clone()),
        Box::new(json),
        Box::new(tls),
        Box::new(relp),
        http,
        otlp_layer,
        refused,
    ];
    tracing::subscriber::set_global_default(Registry::default().with(layers))
        .expect("installing the global subscriber");
    let global = tracing::dispatcher::get_default(Clone::clone);
    let start = Instant::now();
    let emitted = measure::emit(&global, plan, |seq| measure::event(&marker, seq));
    // Let the workers run on (retries, reconnects) under the global
    // subscriber before shutting down.
    std::thread::sleep(Duration::from_millis(500));
    let deadline = Duration::from_secs(10);
    file_guard.shutdown(deadline);
    let ended = [
        ("json-file", json_stats.get()),
        ("syslog-tls", tls_guard.shutdown(deadline)),
        ("syslog-relp", relp_guard.shutdown(deadline)),
        ("http", http_guard.shutdown(deadline)),
        ("otlp", otlp_guard.shutdown(deadline)),
        (
            "http (closed port)",
            refused_guard.shutdown(Duration::from_secs(1)),
        ),
    ];
    let took = start.elapsed();

    // What the receivers hold.
    let total = plan.total();
    let mut tallies: Vec<Tally> = ended.iter().map(|_| Tally::new(&marker, total)).collect();
    for path in readback::files_starting_with(&ctx.dir, "app.log") {
        tallies[0]
            .read_file(&path, |_| true)
            .expect("reading the file");
    }
    let inputs = [peers::rsyslog_input("tls"), peers::rsyslog_input("relp")];
    let want = (ended[1].1.sent, ended[2].1.sent);
    let mut syslog = [tallies[1].clone(), tallies[2].clone()];
    readback::follow_until(
        &server.messages_path(),
        Duration::from_secs(3),
        Duration::from_secs(60),
        &mut syslog,
        |t, line| {
            if let Some(i) = inputs.iter().position(|p| line.starts_with(p)) {
                t[i].line(line);
            }
        },
        |t| t[0].lines >= want.0 && t[1].lines >= want.1,
    )
    .expect("reading rsyslogd's output");
    let [tls_tally, relp_tally] = syslog;
    tallies[1] = tls_tally;
    tallies[2] = relp_tally;
    tallies[3]
        .read_file(&ctx.path("frames.jsonl"), |_| true)
        .expect("reading a collector's output");
    tallies[4]
        .read_file(&ctx.path("otlp.jsonl"), |_| true)
        .expect("reading a collector's output");
    runner::scan_and_report(ctx, server.dir());

    let seen = seen.0.lock().map(|s| s.clone()).unwrap_or_default();
    let app_events: u64 = seen
        .iter()
        .filter(|((thread, target), _)| {
            thread.starts_with("app-") && target.starts_with("reliability")
        })
        .map(|(_, n)| n)
        .sum();
    let others: Vec<String> = seen
        .iter()
        .filter(|((thread, target), _)| {
            !(thread.starts_with("app-") && target.starts_with("reliability"))
        })
        .map(|((thread, target), n)| format!("{n} from thread {thread}, target {target}"))
        .collect();
    let mut rows: Vec<Row> = ended
        .iter()
        .zip(&tallies)
        .map(|((name, stats), tally)| {
            let row = Row::new(ctx.case, name, stats)
                .took(took)
                .latency(&emitted.latency)
                .check_emitted(total)
                .check_accounted();
            if name.contains("closed port") {
                let mut row = row.check(
                    "nothing counted sent to a closed port",
                    stats.sent == 0,
                    format!("{} sent", stats.sent),
                );
                row.received = Some(0);
                row
            } else {
                row.received(tally).check_received_sent()
            }
        })
        .collect();
    rows.push(
        Row::bare(ctx.case, "the global subscriber")
            .note(format!(
                "saw {app_events} application events and {} others",
                others.len()
            ))
            .check(
                "saw exactly the application's events, none of logwood's, hyper's, tokio's or rustls's",
                app_events == total && others.is_empty(),
                format!("{app_events} application events; {}", others.join("; ")),
            ),
    );
    rows
}
