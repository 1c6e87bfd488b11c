//! [`CollectorBuilder`]: options, validation and start-up.

use std::fmt;
use std::net::{TcpListener, UdpSocket};
use std::num::NonZeroU64;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::Error;
use crate::handle::{CollectorHandle, Stopper};
use crate::http::faults::{FaultPlan, FaultState};
use crate::output::{Output, Store};
use crate::runtime;
use crate::stats::Counters;
use crate::{Shared, http, syslog};

/// The default listening address: loopback, any free port.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:0";
/// The default bound on a request body, on the wire and decompressed: 10 MiB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;
/// The default status of [`CollectorBuilder::fail_first`] answers.
pub const DEFAULT_FAIL_STATUS: u16 = 503;
/// The default bound on one syslog frame: 256 KiB.
pub const DEFAULT_MAX_SYSLOG_FRAME: usize = 256 * 1024;

/// Configures and starts a collector; from [`Collector::builder`](crate::Collector::builder).
#[derive(Debug, Clone)]
#[must_use]
pub struct CollectorBuilder {
    config: Config,
}

#[derive(Debug, Clone)]
struct Config {
    listen: String,
    token: Option<Token>,
    out: Output,
    max_body: usize,
    fail_first: u64,
    fail_status: u16,
    retry_after: Option<Duration>,
    delay: Duration,
    drop_connection_every: Option<u64>,
    status_sequence: Vec<u16>,
    syslog_udp: Option<String>,
    syslog_tcp: Option<String>,
    max_syslog_frame: usize,
}

/// The bearer token; never printed.
#[derive(Clone)]
pub(crate) struct Token(pub(crate) String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

/// The validated options the running collector uses.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) token: Option<Token>,
    pub(crate) max_body: usize,
    pub(crate) max_syslog_frame: usize,
    pub(crate) faults: FaultPlan,
}

// === impl CollectorBuilder ===

impl CollectorBuilder {
    pub(crate) fn new() -> Self {
        Self {
            config: Config {
                listen: DEFAULT_LISTEN.to_owned(),
                token: None,
                out: Output::Memory,
                max_body: DEFAULT_MAX_BODY,
                fail_first: 0,
                fail_status: DEFAULT_FAIL_STATUS,
                retry_after: None,
                delay: Duration::ZERO,
                drop_connection_every: None,
                status_sequence: Vec::new(),
                syslog_udp: None,
                syslog_tcp: None,
                max_syslog_frame: DEFAULT_MAX_SYSLOG_FRAME,
            },
        }
    }

    /// The HTTP listening address, `host:port` (port 0 picks a free one; read
    /// it back with [`CollectorHandle::http_url`]).
    ///
    /// By default, [`DEFAULT_LISTEN`] (`127.0.0.1:0`).
    pub fn listen(mut self, address: impl Into<String>) -> Self {
        self.config.listen = address.into();
        self
    }

    /// Requires `Authorization: Bearer {token}` on batch requests; a missing
    /// or wrong token is answered `401` and nothing is written. The token is
    /// compared in constant time and never printed (`Debug` redacts it).
    ///
    /// By default, no token is required.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.config.token = Some(Token(token.into()));
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
    /// By default, [`DEFAULT_MAX_BODY`] (10 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.config.max_body = bytes;
        self
    }

    /// Answers the first `n` batches with [`fail_status`](Self::fail_status),
    /// writing nothing.
    ///
    /// Batches are the authenticated `POST`s to a frames path, counted from
    /// the collector's start. The fault statuses are, in order, `n` times
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
    /// By default, [`DEFAULT_FAIL_STATUS`] (503).
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
    /// entry writes nothing. Each status must be 200–599.
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
    /// By default, [`DEFAULT_MAX_SYSLOG_FRAME`] (256 KiB).
    pub fn max_syslog_frame(mut self, bytes: usize) -> Self {
        self.config.max_syslog_frame = bytes;
        self
    }

    fn settings(&self) -> Result<Settings, Error> {
        let c = &self.config;
        let invalid = |option, reason: &str| Error::Config {
            option,
            reason: reason.to_owned(),
        };
        if c.token.as_ref().is_some_and(|t| t.0.is_empty()) {
            return Err(invalid("token", "must not be empty"));
        }
        if c.max_body == 0 {
            return Err(invalid("max_body", "must be greater than zero"));
        }
        if c.max_syslog_frame == 0 {
            return Err(invalid("max_syslog_frame", "must be greater than zero"));
        }
        if !(200..=599).contains(&c.fail_status) {
            return Err(invalid("fail_status", "must be a status from 200 to 599"));
        }
        if c.status_sequence.iter().any(|s| !(200..=599).contains(s)) {
            return Err(invalid(
                "status_sequence",
                "statuses must be from 200 to 599",
            ));
        }
        let drop_every = match c.drop_connection_every {
            None => None,
            Some(n) => Some(
                NonZeroU64::new(n)
                    .ok_or_else(|| invalid("drop_connection_every", "must be greater than zero"))?,
            ),
        };
        let retry_after = c
            .retry_after
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0));
        Ok(Settings {
            token: c.token.clone(),
            max_body: c.max_body,
            max_syslog_frame: c.max_syslog_frame,
            faults: FaultPlan {
                fail_first: c.fail_first,
                fail_status: c.fail_status,
                sequence: c.status_sequence.clone(),
                drop_every,
                retry_after,
                delay: c.delay,
            },
        })
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
        let settings = self.settings()?;
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
        for result in [
            http.set_nonblocking(true),
            udp.as_ref().map_or(Ok(()), |s| s.set_nonblocking(true)),
            tcp.as_ref().map_or(Ok(()), |s| s.set_nonblocking(true)),
        ] {
            result.map_err(Error::Runtime)?;
        }
        let store = Store::open(&c.out).map_err(|source| match &c.out {
            Output::File(path) => Error::Output {
                path: path.clone(),
                source,
            },
            _ => Error::Runtime(source),
        })?;
        let shared = Arc::new(Shared {
            settings,
            store,
            counters: Mutex::new(Counters::default()),
            faults: Mutex::new(FaultState::default()),
            written: std::sync::Condvar::new(),
        });

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), Error>>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("logwood-collector".to_owned())
            .spawn(move || {
                runtime::silence();
                let rt = match runtime::build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        ready_tx.send(Err(Error::Runtime(e))).ok();
                        return;
                    }
                };
                rt.block_on(async move {
                    let listeners = (|| {
                        Ok::<_, std::io::Error>((
                            tokio::net::TcpListener::from_std(http)?,
                            udp.map(tokio::net::UdpSocket::from_std).transpose()?,
                            tcp.map(tokio::net::TcpListener::from_std).transpose()?,
                        ))
                    })();
                    let (http, udp, tcp) = match listeners {
                        Ok(listeners) => listeners,
                        Err(e) => {
                            ready_tx.send(Err(Error::Runtime(e))).ok();
                            return;
                        }
                    };
                    ready_tx.send(Ok(())).ok();
                    let s = &thread_shared;
                    tokio::join!(
                        http::serve(http, Arc::clone(s), stop_rx.clone()),
                        syslog::serve_udp(udp, Arc::clone(s), stop_rx.clone()),
                        syslog::serve_tcp(tcp, Arc::clone(s), stop_rx.clone()),
                    );
                });
                rt.shutdown_timeout(Duration::from_secs(1));
                runtime::unsilence();
                done_tx.send(()).ok();
            })
            .map_err(Error::Runtime)?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                thread.join().ok();
                return Err(e);
            }
            Err(_) => {
                thread.join().ok();
                return Err(Error::Runtime(std::io::Error::other(
                    "the collector thread exited",
                )));
            }
        }
        Ok(CollectorHandle {
            shared,
            http_addr,
            udp_addr,
            tcp_addr,
            stopper: Mutex::new(Some(Stopper {
                stop: stop_tx,
                done: done_rx,
                thread,
            })),
        })
    }
}
