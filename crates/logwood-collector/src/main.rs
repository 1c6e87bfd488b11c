//! `logwood-collector`: a local ingest server for logwood's HTTP batch layer.
//!
//! Prints `listening http=http://127.0.0.1:PORT` (plus ` syslog-udp=ADDR` and
//! ` syslog-tcp=ADDR` when those listeners are on) as its first stdout line
//! once it accepts connections, then writes every accepted record as one JSON
//! line to `--out` (stdout by default). Stops cleanly on SIGINT or SIGTERM.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use logwood_collector::{Collector, DEFAULT_MAX_BODY, DEFAULT_MAX_SYSLOG_FRAME, Output};

/// A local ingest server for logwood's HTTP batch layer (msgpack or NDJSON
/// frames) and syslog, with fault injection for reliability tests.
#[derive(Parser)]
#[command(name = "logwood-collector", version)]
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
        .status_sequence(args.status_sequence);
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
    let collector = builder.start()?;

    let mut line = format!("listening http={}", collector.http_url());
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

    wait_for_signal()?;
    let stats = collector.shutdown();
    eprintln!(
        "logwood-collector: stopped after {} requests on {} connections, {} records, {} syslog messages",
        stats.requests, stats.connections, stats.records, stats.syslog_messages
    );
    Ok(())
}

/// Blocks until SIGINT or SIGTERM (Ctrl-C elsewhere).
fn wait_for_signal() -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    rt.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut terminate = signal(SignalKind::terminate())?;
            let mut interrupt = signal(SignalKind::interrupt())?;
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    })
}
