#![allow(missing_docs)] // criterion_group! generates undocumented functions
//! The syslog layer's cost on the application's thread, on the fixed
//! workload of the JSON bench, beside the registry alone,
//! tracing-subscriber's `fmt().json()` to `io::sink()`, and the peer crate
//! `syslog-tracing` (`fmt()` through libc `syslog(3)` to `/dev/log`).
//!
//! The syslog layer sends to a TCP (RFC 5424, octet counting) or UDP
//! (RFC 3164) listener on 127.0.0.1 that this bench drains on a thread; its
//! worker thread does the writing, so what is timed is encoding the record
//! and handing it to the queue (with `drop_extra_events(true)`, the
//! default: a full queue drops, and the drop count is printed at the end).
//!
//! ```text
//! cargo bench -p benches --bench syslog_layer
//! ```
//!
//! `tracing-rfc-5424` is GPL-3.0-or-later and is not a dependency of this
//! workspace; see `docs/benchmarks.md` for how it was measured.

use std::ffi::CStr;
use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::sync::OnceLock;
use std::thread;

use criterion::{Criterion, criterion_group, criterion_main};
use logwood_syslog::{FlushGuard, SyslogLayer};
use tracing::Dispatch;
use tracing_subscriber::prelude::*;

#[path = "support/mod.rs"]
mod support;

/// A TCP listener on loopback that reads and discards everything.
fn tcp_sink() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a TCP listener");
    let addr = listener.local_addr().expect("listener address");
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            thread::spawn(move || {
                let mut buf = vec![0; 256 * 1024];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    addr.to_string()
}

/// A UDP socket on loopback that reads and discards everything.
fn udp_sink() -> String {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket");
    let addr = socket.local_addr().expect("socket address");
    thread::spawn(move || {
        let mut buf = vec![0; 65_536];
        while socket.recv(&mut buf).is_ok() {}
    });
    addr.to_string()
}

fn syslog_tcp() -> (Dispatch, FlushGuard) {
    let (layer, guard) = SyslogLayer::builder()
        .tcp(tcp_sink())
        .log_internal_errors(false)
        .build()
        .expect("build the TCP syslog layer");
    (
        Dispatch::new(tracing_subscriber::registry().with(layer)),
        guard,
    )
}

fn syslog_udp() -> (Dispatch, FlushGuard) {
    let (layer, guard) = SyslogLayer::builder()
        .udp(udp_sink())
        .log_internal_errors(false)
        .build()
        .expect("build the UDP syslog layer");
    (
        Dispatch::new(tracing_subscriber::registry().with(layer)),
        guard,
    )
}

/// syslog-tracing: `fmt()` writing through libc `syslog(3)`; one per
/// process (openlog is global).
fn syslog_tracing() -> Option<Dispatch> {
    static DISPATCH: OnceLock<Option<Dispatch>> = OnceLock::new();
    DISPATCH
        .get_or_init(|| {
            let identity: &'static CStr = c"bench";
            let syslog =
                syslog_tracing::Syslog::new(identity, Default::default(), Default::default())?;
            Some(Dispatch::new(
                tracing_subscriber::registry()
                    .with(tracing_subscriber::fmt::layer().with_writer(syslog)),
            ))
        })
        .clone()
}

type Case = (&'static str, fn() -> (Dispatch, Option<FlushGuard>));

fn cases() -> Vec<Case> {
    vec![
        ("registry", || (support::registry(), None)),
        ("fmt_json", || (support::fmt_json(), None)),
        ("logwood_syslog_tcp_5424", || {
            let (d, g) = syslog_tcp();
            (d, Some(g))
        }),
        ("logwood_syslog_udp_3164", || {
            let (d, g) = syslog_udp();
            (d, Some(g))
        }),
        ("syslog_tracing", || {
            (syslog_tracing().unwrap_or_else(support::registry), None)
        }),
    ]
}

fn report(name: &str, guard: Option<FlushGuard>) {
    if let Some(guard) = guard {
        let stats = guard.shutdown(std::time::Duration::from_secs(5));
        eprintln!(
            "{name}: emitted {} sent {} dropped {} failed {}",
            stats.emitted, stats.sent, stats.dropped, stats.failed
        );
    }
}

fn per_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("syslog_layer/per_event");
    for (name, make) in cases() {
        let (dispatch, guard) = make();
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                support::in_spans(|| b.iter(support::event))
            });
        });
        report(name, guard);
    }
    group.finish();
}

fn per_request(c: &mut Criterion) {
    let mut group = c.benchmark_group("syslog_layer/per_request");
    for (name, make) in cases() {
        let (dispatch, guard) = make();
        group.bench_function(name, |b| {
            tracing::dispatcher::with_default(&dispatch, || b.iter(support::request));
        });
        report(name, guard);
    }
    group.finish();
}

criterion_group!(benches, per_event, per_request);
criterion_main!(benches);
