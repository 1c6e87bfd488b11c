//! `logwood-collector`: a local ingest server for logwood's HTTP batch layer.
//!
//! Prints `listening http=http://127.0.0.1:PORT frames=http://127.0.0.1:PORT/frames
//! otlp=http://127.0.0.1:PORT/v1/logs health=… stats=…` (plus
//! ` syslog-udp=ADDR` and ` syslog-tcp=ADDR` when those listeners are on) as
//! its first stdout line once it accepts connections, then writes every
//! accepted record as one JSON line to `--out` (stdout by default). Stops
//! cleanly on SIGINT or SIGTERM.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use logwood_collector::{
    Collector, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BODY, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SYSLOG_FRAME, Output,
};

/// What `--help` says about the endpoints, after the options.
const ENDPOINTS: &str = "\
Endpoints (the first stdout line prints their full URLs):
  POST /frames                 a batch of records: msgpack (application/msgpack) or NDJSON
                               (application/x-ndjson), optionally Content-Encoding: gzip;
                               answers 202 {\"accepted\":N} and writes each record as one line
  POST /sources/{id}/frames    the same (Timber's path)
  POST /v1/logs                OTLP/HTTP logs: an ExportLogsServiceRequest in protobuf
                               (application/x-protobuf) or JSON (application/json),
                               optionally gzip; answers 200 with an ExportLogsServiceResponse
                               and writes each LogRecord as one {\"otlp\":{...}} line
  GET  /health                 200 {\"status\":\"ok\"}
  GET  /stats                  200, the counters as JSON

With --token, POSTs need `Authorization: Bearer TOKEN` (OTLP exporters: set
OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20TOKEN). A body that does not
decode gets 400 and nothing of it is written.";

/// A local ingest server for logwood's HTTP batch layer (msgpack or NDJSON
/// frames), OTLP/HTTP logs and syslog, with fault injection for reliability
/// tests.
#[derive(Parser)]
#[command(name = "logwood-collector", version, after_help = ENDPOINTS)]
struct Args {
    /// HTTP listening address; port 0 picks a free one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: String,
    /// Require `Authorization: Bearer TOKEN` on batches (401 otherwise).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "LOGWOOD_COLLECTOR_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    /// Where to write records: a file (appended, flushed per batch) or `-` for stdout.
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    out: String,
    /// Also receive syslog over UDP on this address.
    #[arg(long, value_name = "ADDR")]
    syslog_udp: Option<String>,
    /// Also receive syslog over TCP (octet counting or LF framing) on this address.
    #[arg(long, value_name = "ADDR")]
    syslog_tcp: Option<String>,
    /// Largest request body, as sent and decompressed (413 above it).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,
    /// Largest syslog TCP frame; a larger one closes the connection.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SYSLOG_FRAME)]
    max_syslog_frame: usize,
    /// Close a connection whose request head is not complete this long after
    /// it opened (or after the request's first byte).
    #[arg(long, value_name = "MS", default_value_t = millis(DEFAULT_HEADER_TIMEOUT))]
    header_timeout_ms: u64,
    /// Answer 408 and close when a request body is not complete this long
    /// after its head.
    #[arg(long, value_name = "MS", default_value_t = millis(DEFAULT_BODY_TIMEOUT))]
    body_timeout_ms: u64,
    /// Close a kept-alive connection idle this long between requests.
    #[arg(long, value_name = "MS", default_value_t = millis(DEFAULT_IDLE_TIMEOUT))]
    idle_timeout_ms: u64,
    /// Most HTTP connections open at once; beyond it (or out of file
    /// descriptors) the one waiting longest for a request is closed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Answer the first N batches with --fail-status, writing nothing.
    #[arg(long, value_name = "N", default_value_t = 0)]
    fail_first: u64,
    /// Status of --fail-first answers.
    #[arg(long, value_name = "STATUS", default_value_t = 503)]
    fail_status: u16,
    /// Send `Retry-After: SECONDS` with 429 and 503 fault answers.
    #[arg(long, value_name = "SECONDS")]
    retry_after: Option<u64>,
    /// Wait this long before answering each batch.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_ms: u64,
    /// Close the connection without an answer on every Nth batch.
    #[arg(long, value_name = "N")]
    drop_connection_every: Option<u64>,
    /// Answer batches with these statuses in order (after --fail-first), then normally.
    #[arg(long, value_name = "STATUS,...", value_delimiter = ',')]
    status_sequence: Vec<u16>,
    /// Answer each /v1/logs request with a partial success rejecting its last
    /// N log records (only the others are written).
    #[arg(long, value_name = "N", default_value_t = 0)]
    otlp_reject: u64,
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = format!("logwood-collector: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Collector::builder()
        .listen(args.listen)
        .out(if args.out == "-" {
            Output::Stdout
        } else {
            Output::File(PathBuf::from(args.out))
        })
        .max_body(args.max_body)
        .max_syslog_frame(args.max_syslog_frame)
        .fail_first(args.fail_first)
        .fail_status(args.fail_status)
        .delay(Duration::from_millis(args.delay_ms))
        .status_sequence(args.status_sequence)
        .otlp_reject(args.otlp_reject)
        .header_timeout(Duration::from_millis(args.header_timeout_ms))
        .body_timeout(Duration::from_millis(args.body_timeout_ms))
        .idle_timeout(Duration::from_millis(args.idle_timeout_ms))
        .max_connections(args.max_connections);
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    if let Some(address) = args.syslog_udp {
        builder = builder.syslog_udp(address);
    }
    if let Some(address) = args.syslog_tcp {
        builder = builder.syslog_tcp(address);
    }
    if let Some(seconds) = args.retry_after {
        builder = builder.retry_after(Duration::from_secs(seconds));
    }
    if let Some(n) = args.drop_connection_every {
        builder = builder.drop_connection_every(n);
    }
    let signals = Signals::install()?;
    let collector = builder.start()?;

    // Harnesses parse `http=` (the first field); the rest are for people.
    let base = collector.http_url();
    let mut line = format!(
        "listening http={base} frames={} otlp={} health={base}/health stats={base}/stats",
        collector.frames_url(),
        collector.otlp_url(),
    );
    if let Some(address) = collector.syslog_udp_addr() {
        line.push_str(&format!(" syslog-udp={address}"));
    }
    if let Some(address) = collector.syslog_tcp_addr() {
        line.push_str(&format!(" syslog-tcp={address}"));
    }
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()?;
    }

    signals.wait()?;
    let stats = collector.shutdown();
    eprintln!(
        "logwood-collector: stopped after {} requests on {} connections, {} records, {} OTLP records, {} syslog messages",
        stats.requests, stats.connections, stats.records, stats.otlp_records, stats.syslog_messages
    );
    Ok(())
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere), caught from before the listening
/// line is printed, so that a harness may stop the collector as soon as it
/// has read it.
struct Signals {
    rt: tokio::runtime::Runtime,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let entered = rt.enter();
            let terminate = signal(SignalKind::terminate())?;
            let interrupt = signal(SignalKind::interrupt())?;
            drop(entered);
            Ok(Self {
                rt,
                terminate,
                interrupt,
            })
        }
        #[cfg(not(unix))]
        Ok(Self { rt })
    }

    /// Blocks until one of the signals arrives.
    fn wait(mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            self.rt.block_on(async {
                tokio::select! {
                    _ = self.terminate.recv() => {}
                    _ = self.interrupt.recv() => {}
                }
            });
            Ok(())
        }
        #[cfg(not(unix))]
        self.rt.block_on(tokio::signal::ctrl_c())
    }
}
