//! The local receiver for logwood's HTTP batch layer and for OTLP/HTTP logs:
//! an ingest server for tests, the demo and development.
//!
//! It speaks the receiving side of logwood's wire protocol (Timber's
//! `frames` endpoint): `POST /frames` and `POST /sources/{id}/frames` with a
//! msgpack or NDJSON batch, optionally gzip-compressed and behind a bearer
//! token, answered `202 {"accepted":N}`. It also takes OTLP/HTTP logs
//! (`POST /v1/logs`, protobuf or JSON) from logwood's OTLP sink or any
//! OpenTelemetry SDK exporter. Every accepted record is written as one JSON
//! line (see [`Output`]); a body that does not decode is answered `400` and
//! **nothing** of it is written. It can also receive syslog (RFC 5424 and RFC
//! 3164 over UDP and TCP) and inject faults (failing statuses, `Retry-After`,
//! delays, dropped connections, OTLP partial successes) for reliability
//! tests.
//!
//! The same server runs in-process ([`Collector::builder`]) or as the
//! `logwood-collector` binary (`logwood-collector --help` lists its
//! endpoints; its first stdout line gives their full URLs).
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
//! OTLP/HTTP logs are read back as the object under each line's `"otlp"`
//! key:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::{Read, Write};
//! use std::time::Duration;
//!
//! let collector = logwood_collector::Collector::builder().start()?;
//!
//! let body = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
//!   "scopeLogs":[{"logRecords":[{"severityNumber":9,"body":{"stringValue":"hello"}}]}]}]}"#;
//! let mut stream = std::net::TcpStream::connect(collector.http_addr())?;
//! write!(
//!     stream,
//!     "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
//!      Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
//!     body.len()
//! )?;
//! let mut response = String::new();
//! stream.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 200"));
//! assert!(response.ends_with("{}"));
//!
//! let records = collector.wait_for_otlp_records(1, Duration::from_secs(5))?;
//! assert_eq!(records[0]["resource"], serde_json::json!({"service.name": "shop"}));
//! assert_eq!(records[0]["body"], "hello");
//! assert_eq!(records[0]["severityNumber"], 9);
//! # Ok(())
//! # }
//! ```
//!
//! # The HTTP interface
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /frames`, `POST /sources/{id}/frames` (`application/msgpack` or `application/x-ndjson`) | `202 {"accepted":N}`, each record written as one line |
//! | `POST /v1/logs` (`application/x-protobuf` or `application/json`: an `ExportLogsServiceRequest`) | `200`, an `ExportLogsServiceResponse` in the request's encoding, each log record written as one line |
//! | … with a missing or wrong bearer token (when a token is set) | `401`, nothing written |
//! | … with a body over `max_body` (as sent or decompressed) | `413` |
//! | … with another `Content-Type` or `Content-Encoding` (gzip and identity are read) | `415` |
//! | … whose body does not arrive within `body_timeout` | `408`, the connection closed, nothing written |
//! | … whose body does not decode ([`decode_batch`], [`decode_otlp_logs`]) | `400` with the reason, nothing written |
//! | `GET /health` | `200 {"status":"ok"}` |
//! | `GET /stats` | `200`, the counters as JSON ([`Stats::to_json`]) |
//!
//! Error answers are `{"error":"<reason>"}`, and on `/v1/logs` a
//! `google.rpc.Status` (`{"code":3,"message":"<reason>"}` in JSON, or
//! protobuf), as OTLP/HTTP asks; a reason never quotes the body or the token.
//!
//! The bearer token is `Authorization: Bearer {token}` on both kinds of
//! endpoint. OTLP exporters send headers given as
//! `OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20{token}` (or with their
//! builder's `with_headers`): that is the same header.
//!
//! # Connections
//!
//! Connections are HTTP/1.1 keep-alive, and no client can hold one open for
//! long: a request head must be complete within
//! [`header_timeout`](CollectorBuilder::header_timeout) (10 s) of the
//! connection opening or of the request's first byte, a body within
//! [`body_timeout`](CollectorBuilder::body_timeout) (30 s) of its head, and a
//! kept-alive connection is closed after
//! [`idle_timeout`](CollectorBuilder::idle_timeout) (60 s) without a request.
//! At most [`max_connections`](CollectorBuilder::max_connections) (512) are
//! open: beyond that, or when the process runs out of file descriptors, the
//! connection that has waited longest for a request is closed to make room
//! (never one in the middle of a request), so `GET /health` answers while
//! hundreds of stalled connections are held against the collector. `/stats`
//! counts open connections and those closed by each limit.
//!
//! # Output lines
//!
//! - A frames record is written as the record itself: msgpack maps become
//!   compact JSON objects with the keys in the order sent
//!   (`{"dt":"…","level":"info","message":"…","context":{…}}`); NDJSON lines
//!   are copied verbatim. A record may nest [`MAX_RECORD_DEPTH`] levels.
//! - An OTLP log record is `{"otlp":{"resource":{…},"scope":{"name":"…",
//!   "version":"…","attributes":{…}},"timeUnixNano":"…",
//!   "observedTimeUnixNano":"…","severityNumber":9,"severityText":"INFO",
//!   "eventName":"","body":…,"attributes":{…},"droppedAttributesCount":0,
//!   "flags":1,"traceId":"<hex>","spanId":"<hex>"}}`, resource and scope
//!   with every record, attribute values typed; detailed on
//!   [`decode_otlp_logs`].
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

/// Parses one syslog message (RFC 5424 or RFC 3164, without framing) the way
/// the collector's syslog listeners do, into the JSON object they write
/// (`{"format":"rfc5424","pri":…,"hostname":…,"sd":{…},"msg":…}`; what does
/// not parse is kept raw in `msg`, with the reason in `error`). Never panics.
///
/// # Examples
///
/// ```
/// let parsed = logwood_collector::parse_syslog(b"<14>1 2026-01-02T23:34:45Z web-1 shop 42 - [ctx@32473 user.id=\"7\"] hi");
/// assert_eq!(parsed["msg"], "hi");
/// assert_eq!(parsed["sd"]["ctx@32473"]["user.id"], "7");
/// ```
pub fn parse_syslog(frame: &[u8]) -> serde_json::Value {
    syslog::parse::to_value(frame)
}

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
    /// | [`otlp_reject`](CollectorBuilder::otlp_reject) | 0 |
    /// | [`header_timeout`](CollectorBuilder::header_timeout) | 10 s ([`DEFAULT_HEADER_TIMEOUT`]) |
    /// | [`body_timeout`](CollectorBuilder::body_timeout) | 30 s ([`DEFAULT_BODY_TIMEOUT`]) |
    /// | [`idle_timeout`](CollectorBuilder::idle_timeout) | 60 s ([`DEFAULT_IDLE_TIMEOUT`]) |
    /// | [`max_connections`](CollectorBuilder::max_connections) | 512 ([`DEFAULT_MAX_CONNECTIONS`]) |
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
    ///     .header_timeout(Duration::from_secs(2))
    ///     .max_connections(64)
    ///     .syslog_udp("127.0.0.1:0")
    ///     .start()?;
    /// assert!(collector.frames_url().ends_with("/frames"));
    /// assert!(collector.otlp_url().ends_with("/v1/logs"));
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
