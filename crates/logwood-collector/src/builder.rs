//! [`CollectorBuilder`]: the options' setters, and `start()`, which validates
//! them, binds the listeners, opens the output and starts the server.

use std::net::{TcpListener, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::Error;
use crate::handle::CollectorHandle;
use crate::output::{Output, Store};
use crate::settings::Config;
use crate::token::Token;
use crate::{Shared, server};

/// Configures and starts a collector; from [`Collector::builder`](crate::Collector::builder).
#[derive(Debug, Clone)]
#[must_use]
pub struct CollectorBuilder {
    config: Config,
}

// === impl CollectorBuilder ===

impl CollectorBuilder {
    pub(crate) fn new() -> Self {
        Self {
            config: Config::default(),
        }
    }

    /// The HTTP listening address, `host:port` (port 0 picks a free one; read
    /// it back with [`CollectorHandle::http_url`]).
    ///
    /// By default, [`DEFAULT_LISTEN`](crate::DEFAULT_LISTEN) (`127.0.0.1:0`).
    pub fn listen(mut self, address: impl Into<String>) -> Self {
        self.config.listen = address.into();
        self
    }

    /// Requires `Authorization: Bearer {token}` on batch requests (frames
    /// and `/v1/logs`); a missing or wrong token is answered `401` and
    /// nothing is written. The token is compared in constant time and never
    /// printed (`Debug` redacts it).
    ///
    /// OTLP exporters send it as the same header when configured with
    /// `OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20{token}"` (or the
    /// exporter's `with_headers`).
    ///
    /// By default, no token is required.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = Some(Token::new(token.into()));
        self
    }

    /// Where accepted records and syslog messages are written.
    ///
    /// By default, [`Output::Memory`].
    pub fn out(mut self, output: Output) -> Self {
        self.config.out = output;
        self
    }

    /// The largest request body accepted, in bytes, both as sent and after
    /// gzip decoding; larger ones are answered `413` (checked against
    /// `Content-Length` before reading, and while reading or decompressing).
    ///
    /// By default, [`DEFAULT_MAX_BODY`](crate::DEFAULT_MAX_BODY) (10 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.config.max_body = bytes;
        self
    }

    /// Answers the first `n` batches with [`fail_status`](Self::fail_status),
    /// writing nothing.
    ///
    /// Batches are the authenticated `POST`s to a frames path or to
    /// `/v1/logs` (one count for both), counted from the collector's start. The fault statuses are, in order, `n` times
    /// `fail_status`, then the [`status_sequence`](Self::status_sequence),
    /// then normal answers; a batch whose connection is dropped by
    /// [`drop_connection_every`](Self::drop_connection_every) does not use
    /// one up.
    ///
    /// By default, 0.
    pub fn fail_first(mut self, n: u64) -> Self {
        self.config.fail_first = n;
        self
    }

    /// The status of [`fail_first`](Self::fail_first) answers (200–599).
    ///
    /// By default, [`DEFAULT_FAIL_STATUS`](crate::DEFAULT_FAIL_STATUS) (503).
    pub fn fail_status(mut self, status: u16) -> Self {
        self.config.fail_status = status;
        self
    }

    /// Sends `Retry-After: {seconds}` (rounded up to whole seconds) with every
    /// fault answer whose status is 429 or 503.
    ///
    /// By default, no `Retry-After` header is sent.
    pub fn retry_after(mut self, after: Duration) -> Self {
        self.config.retry_after = Some(after);
        self
    }

    /// Waits this long before answering each batch (or dropping its
    /// connection), whatever the answer.
    ///
    /// By default, no delay.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.config.delay = delay;
        self
    }

    /// Closes the connection without an answer on every `n`th batch (the
    /// `n`th, `2n`th, …), after reading its body; nothing of it is written.
    /// `n` must be at least 1.
    ///
    /// By default, connections are never dropped.
    pub fn drop_connection_every(mut self, n: u64) -> Self {
        self.config.drop_connection_every = Some(n);
        self
    }

    /// Answers batches with these statuses in order (after any
    /// [`fail_first`](Self::fail_first) answers), then normally. A 2xx entry
    /// accepts and writes the batch and answers with that status; any other
    /// entry writes nothing. Each status must be 200–599. (A normal answer is
    /// `202` on a frames path and `200` on `/v1/logs`.)
    ///
    /// By default, empty.
    pub fn status_sequence(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.config.status_sequence = statuses.into_iter().collect();
        self
    }

    /// Also receives syslog over UDP on this address (one message per
    /// datagram). Each message is written as one line:
    ///
    /// ```text
    /// {"syslog":{"transport":"udp","peer":"127.0.0.1:50000","format":"rfc5424",
    ///  "pri":14,"facility":1,"severity":6,"version":1,"timestamp":"2026-11-20T03:44:21.221232Z",
    ///  "hostname":"web-1","app_name":"shop","procid":"20643","msgid":null,
    ///  "sd":{"logwood@32473":{"k":"v"}},"msg":"Order placed"}}
    /// ```
    ///
    /// - Every key is always present, in this order; `error` is added last
    ///   only when part of the message did not parse.
    /// - `transport` is `udp` or `tcp`; `format` is `rfc5424`, `rfc3164` or
    ///   `unknown` (no valid `<PRI>`: every header field is `null` and `msg`
    ///   is the whole frame).
    /// - Absent fields and the NILVALUE `-` are `null`; RFC 3164 has no
    ///   `version`, `msgid` or `sd`. `timestamp` is the text as sent.
    /// - `sd` maps each SD-ID to its params, escapes (`\"`, `\\`, `\]`)
    ///   resolved; a param name repeated within an element maps to an array of
    ///   its values. Malformed structured data gives `"sd":null`, the raw
    ///   rest of the message in `msg`, and the reason in `error`.
    /// - `msg` has a leading UTF-8 BOM removed; trailing `\n`, `\r` and NUL
    ///   bytes are dropped from every frame. Invalid UTF-8 is replaced with
    ///   U+FFFD.
    ///
    /// By default, there is no UDP listener.
    pub fn syslog_udp(mut self, address: impl Into<String>) -> Self {
        self.config.syslog_udp = Some(address.into());
        self
    }

    /// Also receives syslog over TCP on this address, each frame either octet
    /// counted (`LEN SP MSG`, RFC 6587) or LF-terminated, told apart by
    /// whether the frame's first byte is a digit. A frame over
    /// [`max_syslog_frame`](Self::max_syslog_frame) or with a broken count
    /// closes the connection (counted in [`Stats::syslog_rejected`](crate::Stats)).
    /// Lines are written as for [`syslog_udp`](Self::syslog_udp), with
    /// `"transport":"tcp"`.
    ///
    /// By default, there is no TCP listener.
    pub fn syslog_tcp(mut self, address: impl Into<String>) -> Self {
        self.config.syslog_tcp = Some(address.into());
        self
    }

    /// The largest syslog TCP frame accepted, in bytes (at least 1).
    ///
    /// By default, [`DEFAULT_MAX_SYSLOG_FRAME`](crate::DEFAULT_MAX_SYSLOG_FRAME) (256 KiB).
    pub fn max_syslog_frame(mut self, bytes: usize) -> Self {
        self.config.max_syslog_frame = bytes;
        self
    }

    /// Closes a connection whose request head (the request line and
    /// headers) is not complete this long after the connection opened, or
    /// after the first byte of a later request on it: a client sending a
    /// byte a second, or nothing at all, cannot hold a connection open.
    /// Counted in [`Stats::closed_header_timeout`](crate::Stats::closed_header_timeout).
    ///
    /// By default, [`DEFAULT_HEADER_TIMEOUT`](crate::DEFAULT_HEADER_TIMEOUT) (10 s).
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.config.header_timeout = timeout;
        self
    }

    /// The time a client has to send a whole request body, from the end of
    /// its head. A body still incomplete then is answered `408` and the
    /// connection closed, nothing of it written. Counted in
    /// [`Stats::closed_body_timeout`](crate::Stats::closed_body_timeout).
    ///
    /// By default, [`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT) (30 s).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_timeout = timeout;
        self
    }

    /// Closes a kept-alive connection that sends nothing this long after an
    /// answer. Counted in [`Stats::closed_idle`](crate::Stats::closed_idle).
    ///
    /// By default, [`DEFAULT_IDLE_TIMEOUT`](crate::DEFAULT_IDLE_TIMEOUT) (60 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_timeout = timeout;
        self
    }

    /// The most HTTP connections kept open at once. When a new connection
    /// would exceed it (or the process is out of file descriptors), the
    /// connection that has waited longest for a request head (idle, or with
    /// a partial head) is closed to make room; a connection in the middle of
    /// a request (its body being read, or the request being handled) is
    /// never closed. When every open connection is in the middle of a
    /// request, the new connection is answered `503` (`Retry-After: 1`) and
    /// closed at once. Either way it is
    /// counted in [`Stats::closed_limit`](crate::Stats::closed_limit).
    ///
    /// So a new connection is served as long as one open connection waits
    /// for a request, and `GET /health` answers while hundreds of
    /// partial-header connections are held against the collector.
    ///
    /// By default, [`DEFAULT_MAX_CONNECTIONS`](crate::DEFAULT_MAX_CONNECTIONS) (512).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.config.max_connections = n;
        self
    }

    /// Answers every `POST /v1/logs` with a partial success rejecting its
    /// last `n` log records (all of them when it holds `n` or fewer):
    /// `200` with `partial_success { rejected_log_records: n, error_message:
    /// "…" }`, and only the records before them written. Applies to requests
    /// the other faults let through.
    ///
    /// By default, 0 (every record accepted).
    pub fn otlp_reject(mut self, n: u64) -> Self {
        self.config.otlp_reject = n;
        self
    }

    /// Binds the listeners, opens the output and starts serving on a thread
    /// of its own with its own tokio runtime (so it works whether or not the
    /// caller runs one). Returns once the listeners accept connections.
    ///
    /// Sockets are bound with `SO_REUSEADDR` (the standard library's default
    /// on Unix), so a collector can be shut down and a new one started on the
    /// same port at once.
    ///
    /// # Errors
    ///
    /// - [`Error::Config`] when an option has a value that is not allowed;
    /// - [`Error::Bind`] when an address does not resolve or cannot be bound;
    /// - [`Error::Output`] when the output file cannot be opened;
    /// - [`Error::Runtime`] when the thread or runtime cannot start.
    pub fn start(self) -> Result<CollectorHandle, Error> {
        let settings = self.config.validate()?;
        let c = self.config;
        let bind_error = |option, address: &str| {
            let address = address.to_owned();
            move |source| Error::Bind {
                option,
                address,
                source,
            }
        };
        let http = TcpListener::bind(&c.listen).map_err(bind_error("listen", &c.listen))?;
        let udp = match &c.syslog_udp {
            Some(address) => {
                Some(UdpSocket::bind(address).map_err(bind_error("syslog_udp", address))?)
            }
            None => None,
        };
        let tcp = match &c.syslog_tcp {
            Some(address) => {
                Some(TcpListener::bind(address).map_err(bind_error("syslog_tcp", address))?)
            }
            None => None,
        };
        let http_addr = http.local_addr().map_err(bind_error("listen", &c.listen))?;
        let udp_addr = udp
            .as_ref()
            .map(UdpSocket::local_addr)
            .transpose()
            .map_err(Error::Runtime)?;
        let tcp_addr = tcp
            .as_ref()
            .map(TcpListener::local_addr)
            .transpose()
            .map_err(Error::Runtime)?;
        let store = Store::open(&c.out).map_err(|source| match &c.out {
            Output::File(path) => Error::Output {
                path: path.clone(),
                source,
            },
            _ => Error::Runtime(source),
        })?;
        let shared = Arc::new(Shared::new(settings, store));
        let stopper = server::spawn(server::Listeners { http, udp, tcp }, Arc::clone(&shared))?;
        Ok(CollectorHandle {
            shared,
            http_addr,
            udp_addr,
            tcp_addr,
            stopper: Mutex::new(Some(stopper)),
        })
    }
}
