//! Runs the fixed workload N times under one subscriber, for instruction
//! counts with callgrind (run with N and 6N and subtract; see
//! `docs/benchmarks.md`).
//!
//! ```text
//! event-loop <SUBSCRIBER> <event|request> <N>
//! ```
//!
//! SUBSCRIBER is one of the JSON comparison's (`registry`, `fmt_json`,
//! `json_subscriber`, `logwood_json`), `logwood_pattern` (the pattern
//! layer with the long Logtail format), or a logwood transport layer
//! (`logwood_syslog5424`, `logwood_syslog3164`: UDP to a socket nobody
//! reads; `logwood_http_msgpack`, `logwood_http_ndjson`: to an in-process
//! `logwood-collector`). The transports deliver on their own threads: count
//! the main thread alone (`callgrind --separate-threads=yes`, the `-01`
//! file) for what the application pays.

#[path = "support/mod.rs"]
mod support;

use tracing::Dispatch;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: event-loop <subscriber> <event|request> <N>";
    let (Some(name), Some(kind), Some(n)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("{usage}: N must be a number");
        std::process::exit(2);
    };
    let json = support::json_peers()
        .into_iter()
        .chain([(
            "logwood_pattern",
            support::logwood_pattern as support::MakeDispatch,
        )])
        .find(|(peer, _)| peer == name)
        .map(|(_, make)| (make(), Keep::Nothing));
    let Some((dispatch, _keep)) = json.or_else(|| transport(name)) else {
        eprintln!("{usage}: unknown subscriber {name}");
        std::process::exit(2);
    };
    tracing::dispatcher::with_default(&dispatch, || match kind.as_str() {
        "event" => support::in_spans(|| (0..n).for_each(|_| support::event())),
        "request" => (0..n).for_each(|_| support::request()),
        _ => {
            eprintln!("{usage}: unknown workload {kind}");
            std::process::exit(2);
        }
    });
}

/// What a transport subscriber needs alive while it runs.
#[allow(dead_code)]
enum Keep {
    Nothing,
    Syslog(std::net::UdpSocket, logwood_syslog::FlushGuard),
    Http(logwood_collector::CollectorHandle, logwood_http::FlushGuard),
}

/// A logwood transport layer on the registry, with room for every event of
/// the run (nothing is dropped, nothing waits).
fn transport(name: &str) -> Option<(Dispatch, Keep)> {
    use tracing_subscriber::prelude::*;
    let syslog = match name {
        "logwood_syslog5424" => Some(logwood_syslog::SyslogFormat::Rfc5424),
        "logwood_syslog3164" => Some(logwood_syslog::SyslogFormat::Rfc3164),
        _ => None,
    };
    if let Some(format) = syslog {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
        let (layer, guard) = logwood_syslog::SyslogLayer::builder()
            .udp(socket.local_addr().ok()?)
            .format(format)
            .max_message_size(65_000)
            .buffer_capacity(1_000_000)
            .log_internal_errors(false)
            .build()
            .ok()?;
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
        return Some((dispatch, Keep::Syslog(socket, guard)));
    }
    let format = match name {
        "logwood_http_msgpack" => logwood_http::Format::Msgpack,
        "logwood_http_ndjson" => logwood_http::Format::Ndjson,
        _ => return None,
    };
    let collector = logwood_collector::Collector::builder()
        .out(logwood_collector::Output::Memory)
        .start()
        .ok()?;
    let (layer, guard) = logwood_http::HttpLayer::builder(collector.frames_url())
        .format(format)
        .buffer_capacity(1_000_000)
        .max_batch_bytes(64 << 20)
        .log_internal_errors(false)
        .build()
        .ok()?;
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
    Some((dispatch, Keep::Http(collector, guard)))
}
