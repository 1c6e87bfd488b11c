//! Sends 200,000 events through the syslog layer to a real rsyslogd on
//! 127.0.0.1 (the testkit harness), over TCP and over TLS, and reports
//! events per second and loss.
//!
//! ```text
//! cargo run --release -p benches --bin syslog-throughput [COUNT]
//! ```
//!
//! For each transport it runs three times: blocking
//! (`drop_extra_events(false)`: the application waits for room, nothing may
//! be lost), the defaults (a 10,000-record queue: what does not fit is
//! dropped and counted), and `buffer_capacity(COUNT)` (the whole burst
//! fits; nothing blocks, nothing is lost). Reported:
//! the rate at which the application emitted, the rate until rsyslogd had
//! written every record it got, and `emitted - received` (which must equal
//! the layer's `dropped`).

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use logwood_syslog::SyslogLayer;
use logwood_testkit::rsyslog::Rsyslog;
use tracing_subscriber::prelude::*;

/// Counts the lines of `path` that contain `marker`,
/// until there are `want` or `timeout` passed; returns the count.
fn count_lines(path: &Path, marker: &str, want: u64, timeout: Duration) -> u64 {
    let deadline = Instant::now() + timeout;
    let mut offset = 0;
    let mut count = 0;
    let mut line = Vec::new();
    loop {
        if let Ok(mut file) = File::open(path)
            && file.seek(SeekFrom::Start(offset)).is_ok()
        {
            let mut reader = BufReader::with_capacity(1 << 20, file);
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(n) if line.ends_with(b"\n") => {
                        offset += n as u64;
                        if line.windows(marker.len()).any(|w| w == marker.as_bytes()) {
                            count += 1;
                        }
                    }
                    // A partial last line: read it again next time.
                    Ok(_) => break,
                }
            }
        }
        if count >= want || Instant::now() >= deadline {
            return count;
        }
        // Rarely: scanning the file takes CPU from rsyslogd.
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How the application's thread meets a full queue.
#[derive(Clone, Copy)]
enum Mode {
    /// `drop_extra_events(false)`: it waits.
    Blocking,
    /// The defaults: a 10,000-record queue; what does not fit is dropped.
    Drop,
    /// `buffer_capacity(COUNT)`: the whole burst fits in the queue.
    BigQueue,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Blocking => "blocking",
            Mode::Drop => "default-queue",
            Mode::BigQueue => "queue-of-count",
        }
    }
}

fn run(server: &Rsyslog, via: &str, mode: Mode, count: u64) {
    let marker = format!("tput-{via}-{}-{}", mode.name(), std::process::id());
    let builder = SyslogLayer::builder()
        .app_name("throughput")
        .log_internal_errors(false);
    let builder = match via {
        "tcp" => builder.tcp(server.tcp_addr()),
        _ => builder
            .tls(server.tls_addr())
            .ca_file(server.ca_file())
            .server_name(server.tls_server_name()),
    };
    let builder = match mode {
        Mode::Blocking => builder.drop_extra_events(false),
        Mode::Drop => builder,
        Mode::BigQueue => builder.buffer_capacity(count as usize),
    };
    let (layer, guard) = builder.build().expect("build the layer");
    let subscriber = tracing_subscriber::registry().with(layer);
    let start = Instant::now();
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..count {
            tracing::info!(
                order_id = i,
                total = 520.23,
                paid = true,
                "{marker} order placed"
            );
        }
    });
    let emitted_in = start.elapsed();
    let stats = guard.shutdown(Duration::from_secs(60));
    let sent_in = start.elapsed();
    let received = count_lines(
        &server.messages_path(),
        &marker,
        stats.sent,
        Duration::from_secs(120),
    );
    let received_in = start.elapsed();
    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "{via} {mode}: {count} events; emitted at {:.0}/s; sent at {:.0}/s; received at {:.0}/s (until the last one); \
         received {received}, dropped {}, failed {}, loss {} (emitted - received)",
        rate(count, emitted_in),
        rate(stats.sent, sent_in),
        rate(received, received_in),
        stats.dropped,
        stats.failed,
        stats.emitted - received,
        mode = mode.name(),
    );
}

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let server = Rsyslog::builder()
        .udp(false)
        .start()
        .expect("start rsyslogd (the testkit harness)");
    for via in ["tcp", "tls"] {
        for mode in [Mode::Blocking, Mode::Drop, Mode::BigQueue] {
            run(&server, via, mode, count);
        }
    }
}
