//! Counters and the recent-request log.

use std::collections::{BTreeMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::output::Kind;

/// How many requests [`Stats::recent`] keeps (the newest ones).
pub const RECENT_REQUESTS: usize = 1024;

/// A snapshot of what a collector has seen, from
/// [`CollectorHandle::stats`](crate::CollectorHandle::stats).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// HTTP requests answered or dropped, any path.
    pub requests: u64,
    /// TCP connections accepted by the HTTP listener.
    pub connections: u64,
    /// HTTP connections open now.
    pub connections_open: u64,
    /// HTTP connections closed because a request head was not complete within
    /// [`header_timeout`](crate::CollectorBuilder::header_timeout).
    pub closed_header_timeout: u64,
    /// HTTP connections closed (after a `408`) because a request body was not
    /// complete within [`body_timeout`](crate::CollectorBuilder::body_timeout).
    pub closed_body_timeout: u64,
    /// Kept-alive HTTP connections closed after
    /// [`idle_timeout`](crate::CollectorBuilder::idle_timeout) without a request.
    pub closed_idle: u64,
    /// HTTP connections closed to stay within
    /// [`max_connections`](crate::CollectorBuilder::max_connections) or the
    /// process's file descriptors.
    pub closed_limit: u64,
    /// Frames batches accepted (answered 2xx and written).
    pub batches: u64,
    /// Records written from accepted frames batches.
    pub records: u64,
    /// `POST /v1/logs` requests accepted (answered 2xx; their accepted
    /// records written).
    pub otlp_requests: u64,
    /// OTLP log records written.
    pub otlp_records: u64,
    /// OTLP log records refused in a partial success by
    /// [`otlp_reject`](crate::CollectorBuilder::otlp_reject).
    pub otlp_rejected: u64,
    /// Syslog messages written.
    pub syslog_messages: u64,
    /// Syslog frames refused: over the size bound or with a broken octet
    /// count (the TCP connection is closed), or cut off by the peer closing.
    pub syslog_rejected: u64,
    /// Connections closed without an answer by
    /// [`drop_connection_every`](crate::CollectorBuilder::drop_connection_every).
    pub dropped_connections: u64,
    /// Writes to the output that failed (the batch was answered `500`).
    pub write_errors: u64,
    /// How many responses were sent with each status code.
    pub statuses: BTreeMap<u16, u64>,
    /// The last [`RECENT_REQUESTS`] requests, oldest first.
    pub recent: Vec<RequestInfo>,
}

/// One HTTP request as the collector saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestInfo {
    /// When the request head arrived.
    pub arrived: SystemTime,
    /// The accepted connection it came on, numbered from 1 in accept order
    /// (equal ids mean the connection was reused).
    pub connection: u64,
    /// The request method, e.g. `POST`.
    pub method: String,
    /// The request path, without the query.
    pub path: String,
    /// The status answered, or `None` when the connection was closed without
    /// an answer (a `drop_connection_every` fault, or the client went away).
    pub status: Option<u16>,
    /// Records (frames records or OTLP log records) written from this
    /// request's body (0 unless accepted).
    pub records: usize,
    /// Body bytes received, before decompression (0 when it was not read).
    pub body_bytes: usize,
}

// === impl Stats ===

impl Stats {
    /// How many responses had `status`.
    ///
    /// # Examples
    ///
    /// ```
    /// let stats = logwood_collector::Stats::default();
    /// assert_eq!(stats.status_count(202), 0);
    /// ```
    pub fn status_count(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// The counters (not the recent log) as the JSON object `GET /stats`
    /// answers: `{"requests":…,"connections":…,"connections_open":…,
    /// "closed_header_timeout":…,"closed_body_timeout":…,"closed_idle":…,
    /// "closed_limit":…,"batches":…,"records":…,"otlp_requests":…,
    /// "otlp_records":…,"otlp_rejected":…,"syslog_messages":…,
    /// "syslog_rejected":…,"dropped_connections":…,"write_errors":…,
    /// "statuses":{"202":…}}`, each named as the field.
    pub fn to_json(&self) -> serde_json::Value {
        let statuses: serde_json::Map<String, serde_json::Value> = self
            .statuses
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect();
        serde_json::json!({
            "requests": self.requests,
            "connections": self.connections,
            "connections_open": self.connections_open,
            "closed_header_timeout": self.closed_header_timeout,
            "closed_body_timeout": self.closed_body_timeout,
            "closed_idle": self.closed_idle,
            "closed_limit": self.closed_limit,
            "batches": self.batches,
            "records": self.records,
            "otlp_requests": self.otlp_requests,
            "otlp_records": self.otlp_records,
            "otlp_rejected": self.otlp_rejected,
            "syslog_messages": self.syslog_messages,
            "syslog_rejected": self.syslog_rejected,
            "dropped_connections": self.dropped_connections,
            "write_errors": self.write_errors,
            "statuses": statuses,
        })
    }
}

// === impl RequestInfo ===

impl RequestInfo {
    /// [`arrived`](Self::arrived) in microseconds since the Unix epoch.
    pub fn arrived_unix_micros(&self) -> u128 {
        self.arrived
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or(0)
    }
}

/// Why the collector closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    HeaderTimeout,
    BodyTimeout,
    Idle,
    Limit,
}

/// What an accepted request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// A frames batch.
    Frames,
    /// An OTLP logs request, `rejected` of its records refused.
    Otlp { rejected: u64 },
}

/// The live counters behind [`Stats`], kept under one mutex.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    stats: Stats,
    recent: VecDeque<RequestInfo>,
}

// === impl Counters ===

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        let mut stats = self.stats.clone();
        stats.recent = self.recent.iter().cloned().collect();
        stats
    }

    /// Lines of `kind` written so far.
    pub(crate) fn written(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Record => self.stats.records,
            Kind::Otlp => self.stats.otlp_records,
            Kind::Syslog => self.stats.syslog_messages,
        }
    }

    /// Counts a connection accepted and open; returns its id.
    pub(crate) fn connection_accepted(&mut self) -> u64 {
        self.stats.connections += 1;
        self.stats.connections_open += 1;
        self.stats.connections
    }

    /// Counts a connection that is no longer open.
    pub(crate) fn connection_ended(&mut self) {
        self.stats.connections_open = self.stats.connections_open.saturating_sub(1);
    }

    /// Counts a connection the collector closed (or refused at once) for
    /// `reason`.
    pub(crate) fn closed(&mut self, reason: Closed) {
        let counter = match reason {
            Closed::HeaderTimeout => &mut self.stats.closed_header_timeout,
            Closed::BodyTimeout => &mut self.stats.closed_body_timeout,
            Closed::Idle => &mut self.stats.closed_idle,
            Closed::Limit => &mut self.stats.closed_limit,
        };
        *counter += 1;
    }

    pub(crate) fn request(&mut self, info: RequestInfo, accepted: Option<Accepted>) {
        self.stats.requests += 1;
        if let Some(status) = info.status {
            *self.stats.statuses.entry(status).or_default() += 1;
        }
        match accepted {
            Some(Accepted::Frames) => {
                self.stats.batches += 1;
                self.stats.records += info.records as u64;
            }
            Some(Accepted::Otlp { rejected }) => {
                self.stats.otlp_requests += 1;
                self.stats.otlp_records += info.records as u64;
                self.stats.otlp_rejected += rejected;
            }
            None => {}
        }
        if self.recent.len() == RECENT_REQUESTS {
            self.recent.pop_front();
        }
        self.recent.push_back(info);
    }

    pub(crate) fn connection_dropped(&mut self) {
        self.stats.dropped_connections += 1;
    }

    pub(crate) fn syslog_written(&mut self, n: usize) {
        self.stats.syslog_messages += n as u64;
    }

    pub(crate) fn syslog_rejected(&mut self) {
        self.stats.syslog_rejected += 1;
    }

    pub(crate) fn write_error(&mut self) {
        self.stats.write_errors += 1;
    }
}
