//! The local receiver for logwood's HTTP batch layer: an ingest server for
//! tests, the demo and development.
//!
//! It speaks the receiving side of logwood's wire protocol (Timber's
//! `frames` endpoint): `POST /frames` and `POST /sources/{id}/frames` with a
//! msgpack or NDJSON batch, optionally gzip-compressed and behind a bearer
//! token, answered `202 {"accepted":N}`. Every accepted record is written as
//! one JSON line (see [`Output`]); a body that does not decode is answered
//! `400` and **nothing** of it is written. It can also receive syslog (RFC 5424
//! and RFC 3164 over UDP and TCP) and inject faults (failing statuses,
//! `Retry-After`, delays, dropped connections) for reliability tests.
//!
//! The same server runs in-process ([`Collector::builder`]) or as the
//! `logwood-collector` binary.
//!
//! # Examples
//!
//! Start a collector in-process, post a batch over a plain TCP socket, read
//! back what it wrote, and shut it down:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::{Read, Write};
//! use std::time::Duration;
//!
//! use logwood_collector::{Collector, Output};
//!
//! let collector = Collector::builder().token("T").out(Output::Memory).start()?;
//!
//! let body = "{\"level\":\"info\",\"message\":\"hello\"}\n";
//! let mut stream = std::net::TcpStream::connect(collector.http_addr())?;
//! write!(
//!     stream,
//!     "POST /frames HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer T\r\n\
//!      Content-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
//!     body.len()
//! )?;
//! let mut response = String::new();
//! stream.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 202"));
//! assert!(response.ends_with("{\"accepted\":1}"));
//!
//! let records = collector.wait_for_records(1, Duration::from_secs(5))?;
//! assert_eq!(records, vec![serde_json::json!({"level": "info", "message": "hello"})]);
//!
//! let stats = collector.shutdown();
//! assert_eq!(stats.records, 1);
//! assert_eq!(stats.status_count(202), 1);
//! # Ok(())
//! # }
//! ```
//!
//! # The HTTP interface
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /frames`, `POST /sources/{id}/frames` | `202 {"accepted":N}`, each record written as one line |
//! | … with a missing or wrong bearer token (when a token is set) | `401`, nothing written |
//! | … with a body over `max_body` (as sent or decompressed) | `413` |
//! | … with another `Content-Type` or `Content-Encoding` | `415` |
//! | … whose body does not decode ([`decode_batch`]) | `400 {"error":"<reason>"}`, nothing written |
//! | `GET /health` | `200 {"status":"ok"}` |
//! | `GET /stats` | `200`, the counters as JSON ([`Stats::to_json`]) |
//!
//! Error answers are `{"error":"<reason>"}`; a reason never quotes the body
//! or the token. Connections are HTTP/1.1 keep-alive.
//!
//! # Output lines
//!
//! - An HTTP record is written as the record itself: msgpack maps become
//!   compact JSON objects with the keys in the order sent
//!   (`{"dt":"…","level":"info","message":"…","context":{…}}`); NDJSON lines
//!   are copied verbatim.
//! - A syslog message is `{"syslog":{"transport":"udp","peer":"…",
//!   "format":"rfc5424","pri":14,"facility":1,"severity":6,"version":1,
//!   "timestamp":"…","hostname":"…","app_name":"…","procid":"…","msgid":null,
//!   "sd":{"id@1":{"k":"v"}},"msg":"…"}}`, detailed on
//!   [`CollectorBuilder::syslog_udp`].
//!
//! # Threads and `tracing`
//!
//! [`CollectorBuilder::start`] runs the server on a thread of its own with a
//! two-worker tokio runtime, so it works from synchronous tests and from
//! inside another runtime alike. Every one of its threads installs a no-op
//! default `tracing` dispatcher, and the collector never uses `tracing`
//! itself, so nothing it does reaches the application's subscriber (which
//! may be a logwood layer posting to it).
//!
//! # Feature flags
//!
//! None: the library and the binary are always built whole.
//!
//! # Supported Rust versions
//!
//! The crate is built and tested with Rust 1.95 (the workspace's
//! `rust-version`).

#![doc(test(attr(deny(warnings))))]

mod builder;
mod decode;
mod error;
mod handle;
mod http;
mod output;
mod runtime;
mod server;
mod settings;
mod stats;
mod syslog;
mod token;

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub use builder::CollectorBuilder;
pub use decode::{
    BodyFormat, DecodeError, MAX_RECORD_DEPTH, OtlpFormat, decode_batch, decode_otlp_logs,
};
pub use error::{Error, WaitTimeout};
pub use handle::{CollectorHandle, SHUTDOWN_TIMEOUT};
pub use output::Output;
pub use settings::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_FAIL_STATUS, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_LISTEN, DEFAULT_MAX_BODY, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SYSLOG_FRAME,
};
pub use stats::{RECENT_REQUESTS, RequestInfo, Stats};

/// The entry point: [`Collector::builder`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Collector;

// === impl Collector ===

impl Collector {
    /// A builder for an in-process collector.
    ///
    /// # Default values
    ///
    /// | option | default |
    /// | --- | --- |
    /// | [`listen`](CollectorBuilder::listen) | `127.0.0.1:0` ([`DEFAULT_LISTEN`]) |
    /// | [`token`](CollectorBuilder::token) | none (no authentication) |
    /// | [`out`](CollectorBuilder::out) | [`Output::Memory`] |
    /// | [`max_body`](CollectorBuilder::max_body) | 10 MiB ([`DEFAULT_MAX_BODY`]) |
    /// | [`fail_first`](CollectorBuilder::fail_first) | 0 |
    /// | [`fail_status`](CollectorBuilder::fail_status) | 503 ([`DEFAULT_FAIL_STATUS`]) |
    /// | [`retry_after`](CollectorBuilder::retry_after) | none |
    /// | [`delay`](CollectorBuilder::delay) | none |
    /// | [`drop_connection_every`](CollectorBuilder::drop_connection_every) | never |
    /// | [`status_sequence`](CollectorBuilder::status_sequence) | empty |
    /// | [`syslog_udp`](CollectorBuilder::syslog_udp), [`syslog_tcp`](CollectorBuilder::syslog_tcp) | off |
    /// | [`max_syslog_frame`](CollectorBuilder::max_syslog_frame) | 256 KiB ([`DEFAULT_MAX_SYSLOG_FRAME`]) |
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), logwood_collector::Error> {
    /// use std::time::Duration;
    ///
    /// let collector = logwood_collector::Collector::builder()
    ///     .fail_first(2)
    ///     .retry_after(Duration::from_secs(1))
    ///     .syslog_udp("127.0.0.1:0")
    ///     .start()?;
    /// assert!(collector.frames_url().ends_with("/frames"));
    /// assert!(collector.syslog_udp_addr().is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> CollectorBuilder {
        CollectorBuilder::new()
    }
}

/// State shared by the handle and every task of a running collector.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: settings::Settings,
    pub(crate) store: output::Store,
    pub(crate) counters: Mutex<stats::Counters>,
    pub(crate) faults: Mutex<http::faults::FaultState>,
    /// Signalled (with `counters`) whenever records or syslog messages were
    /// written and counted.
    pub(crate) written: Condvar,
}

impl Shared {
    pub(crate) fn new(settings: settings::Settings, store: output::Store) -> Self {
        Self {
            settings,
            store,
            counters: Mutex::new(stats::Counters::default()),
            faults: Mutex::new(http::faults::FaultState::default()),
            written: Condvar::new(),
        }
    }

    pub(crate) fn counters(&self) -> MutexGuard<'_, stats::Counters> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes [`wait_for`](Self::wait_for) callers; call after counting lines
    /// that were written, so that a waiter sees the stats and the lines agree.
    pub(crate) fn notify_written(&self) {
        self.written.notify_all();
    }

    /// Waits until at least `n` lines of `kind` were written and counted or
    /// `timeout` passed; returns the count reached.
    pub(crate) fn wait_for(&self, kind: output::Kind, n: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        let mut counters = self.counters();
        loop {
            let got = counters.written(kind);
            let now = Instant::now();
            if got >= n || now >= deadline {
                return got;
            }
            counters = self
                .written
                .wait_timeout(counters, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}
