//! Every sink at once: a JSON file (rotating), syslog over TCP and over
//! RELP to rsyslogd, HTTP frames and OTLP to two in-process collectors;
//! then the shutdown of each (in parallel) and what each receiver holds.

use std::thread;
use std::time::{Duration, Instant};

use logwood::json::{JsonLayer, RotatingFileWriter};
use logwood::syslog::Multiline;
use logwood::{FlushGuard, Stats, StatsHandle};
use logwood_testkit::rsyslog::Rsyslog;
use tracing_subscriber::{Layer, Registry};

use super::measure::Emitted;
use super::peers::{self, Collectors};
use super::readback::{self, Tally};
use super::row::Row;
use super::{Ctx, runner};

/// A layer of the stack.
pub type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// The sinks' names, in the rows' order.
pub const SINKS: [&str; 5] = ["json-file", "syslog-tcp", "syslog-relp", "http", "otlp"];

#[derive(Debug, Clone)]
pub struct Options {
    /// Rotate the JSON file at this size.
    pub file_max_bytes: u64,
    /// Keep line breaks in one syslog record (octet-counted TCP and RELP
    /// delimit records by length) instead of a record per line.
    pub syslog_keep_newlines: bool,
    /// The shutdown deadline of each sink.
    pub deadline: Duration,
}

/// The running sinks and their receivers.
#[derive(Debug)]
pub struct Every {
    pub server: Rsyslog,
    pub collectors: Collectors,
    file_guard: Option<FlushGuard>,
    json: StatsHandle,
    guards: Vec<(&'static str, FlushGuard)>,
    deadline: Duration,
}

// === impl Every ===

impl Every {
    /// Starts the receivers and builds the layers (with their defaults but
    /// for `options`).
    pub fn start(ctx: &Ctx, options: &Options) -> (Self, Vec<BoxedLayer>) {
        let server = peers::rsyslogd();
        let collectors = peers::collectors(
            ctx,
            peers::collector(ctx, "frames"),
            peers::collector(ctx, "otlp"),
        );
        let file = ctx.path("app.log");
        let (writer, file_guard) = RotatingFileWriter::builder(&file)
            .max_bytes(options.file_max_bytes)
            .backup_count(1000)
            .build()
            .expect("opening the JSON file");
        let json = JsonLayer::builder().with_writer(writer).build();
        let json_stats = json.stats_handle();
        let multiline = if options.syslog_keep_newlines {
            Multiline::KeepNewlines
        } else {
            Multiline::SplitLines
        };
        let (tcp, tcp_guard) = peers::syslog(&server, "tcp")
            .multiline(multiline)
            .build()
            .expect("a syslog TCP layer");
        let (relp, relp_guard) = peers::syslog(&server, "relp")
            .multiline(multiline)
            .build()
            .expect("a syslog RELP layer");
        let (http, http_guard) = peers::http(ctx, &collectors.frames.frames_url())
            .build()
            .expect("an HTTP layer");
        let (otlp, otlp_guard) = peers::otlp(ctx, &collectors.otlp.http_url())
            .build()
            .expect("an OTLP layer");
        let layers: Vec<BoxedLayer> = vec![
            Box::new(json),
            Box::new(tcp),
            Box::new(relp),
            Box::new(http),
            Box::new(otlp),
        ];
        let every = Self {
            server,
            collectors,
            file_guard: Some(file_guard),
            json: json_stats,
            guards: vec![
                ("syslog-tcp", tcp_guard),
                ("syslog-relp", relp_guard),
                ("http", http_guard),
                ("otlp", otlp_guard),
            ],
            deadline: options.deadline,
        };
        (every, layers)
    }

    /// Shuts every sink down at once, reads back what each receiver holds
    /// and returns a row per sink (in [`SINKS`] order) with the checks
    /// every case makes: the counters add up with nothing queued, and the
    /// receiver holds exactly what was counted sent, once.
    ///
    /// `start` is when the first event was emitted.
    pub fn finish(
        &mut self,
        ctx: &Ctx,
        marker: &str,
        events: u64,
        emitted: &Emitted,
        start: Instant,
    ) -> Vec<Row> {
        let deadline = self.deadline;
        let file_guard = self.file_guard.take().expect("finish is called once");
        let guards = std::mem::take(&mut self.guards);
        let json = self.json.clone();
        let mut ended: Vec<(&str, Stats, Duration)> = thread::scope(|s| {
            let file = s.spawn(|| {
                file_guard.shutdown(deadline);
                ("json-file", json.get(), start.elapsed())
            });
            let others: Vec<_> = guards
                .into_iter()
                .map(|(name, guard)| {
                    s.spawn(move || {
                        let stats = guard.shutdown(deadline);
                        (name, stats, start.elapsed())
                    })
                })
                .collect();
            std::iter::once(file)
                .chain(others)
                .map(|h| h.join().expect("a shutdown thread panicked"))
                .collect()
        });
        ended.sort_by_key(|(name, _, _)| SINKS.iter().position(|s| s == name));

        let mut tallies: Vec<Tally> = SINKS.iter().map(|_| Tally::new(marker, events)).collect();
        for path in readback::files_starting_with(&ctx.dir, "app.log") {
            tallies[0]
                .read_file(&path, |_| true)
                .expect("reading the JSON file back");
        }
        let (tcp_sent, relp_sent) = (ended[1].1.sent, ended[2].1.sent);
        let (tcp_input, relp_input) = (peers::rsyslog_input("tcp"), peers::rsyslog_input("relp"));
        let mut syslog = [tallies[1].clone(), tallies[2].clone()];
        readback::follow_until(
            &self.server.messages_path(),
            Duration::from_secs(3),
            Duration::from_secs(300),
            &mut syslog,
            |t, line| {
                if line.starts_with(&tcp_input) {
                    t[0].line(line);
                } else if line.starts_with(&relp_input) {
                    t[1].line(line);
                }
            },
            |t| t[0].lines >= tcp_sent && t[1].lines >= relp_sent,
        )
        .expect("reading rsyslogd's output");
        let [tcp, relp] = syslog;
        tallies[1] = tcp;
        tallies[2] = relp;
        for (i, name) in [(3, "frames"), (4, "otlp")] {
            tallies[i]
                .read_file(&ctx.path(&format!("{name}.jsonl")), |_| true)
                .expect("reading a collector's output");
        }
        runner::scan_and_report(ctx, self.server.dir());
        if std::env::var_os("RELIABILITY_COPY_RSYSLOG").is_some() {
            std::fs::copy(
                self.server.messages_path(),
                ctx.path("rsyslog-messages.jsonl"),
            )
            .ok();
        }
        ended
            .iter()
            .zip(&tallies)
            .map(|((name, stats, took), tally)| {
                Row::new(ctx.case, name, stats)
                    .received(tally)
                    .took(*took)
                    .latency(&emitted.latency)
                    .check_accounted()
                    .check_received_sent()
            })
            .collect()
    }
}
