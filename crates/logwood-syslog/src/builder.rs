//! Configuration of [`SyslogLayer`]: the builder, its defaults and its
//! validation.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use logwood_core::context::{StaticContext, Value};
use logwood_core::meta;
use logwood_core::record::RecordOptions;

use crate::error::{BuildError, SyslogError};
use crate::format::{
    Encoder, EncoderConfig, Facility, MessageFormat, Multiline, SyslogFormat, escape,
};
use crate::guard::SyslogGuard;
use crate::layer::{Inner, SyslogLayer};
use crate::stats::{ErrorCallback, Shared};
use crate::transport::{ConnSettings, Framing, HostPort, Target, UnixKind};
use crate::worker::{Worker, WorkerSettings};

/// The Unix socket of the local syslog daemon: `/dev/log`.
pub const DEFAULT_UNIX_PATH: &str = "/dev/log";
/// The SD-ID of the element holding the event's fields: `logwood@32473`
/// (32473 is the private enterprise number RFC 5612 reserves for
/// documentation; set your own with [`SyslogLayerBuilder::sd_id`]).
pub const DEFAULT_SD_ID: &str = "logwood@32473";
/// The SD-ID of the element holding the context: `ctx@32473`.
pub const DEFAULT_CONTEXT_SD_ID: &str = "ctx@32473";
/// The event field whose value becomes the RFC 5424 MSGID: `msgid`.
pub const DEFAULT_MSGID_FIELD: &str = "msgid";
/// The largest UDP record: 2048 bytes (RFC 5426 says receivers SHOULD
/// accept that much).
pub const DEFAULT_UDP_MAX_MESSAGE_SIZE: usize = 2048;
/// The largest record on the other transports: 65536 bytes. (rsyslog's own
/// default `maxMessageSize` is 8 KiB: set the layer's limit to the
/// server's, or a longer record arrives in pieces.)
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;
/// The smallest `max_message_size` accepted: 480 bytes, what every IPv4
/// receiver must accept (RFC 5426).
pub const MIN_MAX_MESSAGE_SIZE: usize = 480;
/// The largest UDP payload over IPv4: 65,507 bytes.
pub const MAX_UDP_MESSAGE_SIZE: usize = 65_507;
/// How many records the queue holds: 10,000.
pub const DEFAULT_BUFFER_CAPACITY: usize = 10_000;
/// How long a connection (with its TLS handshake) may take: 5 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one write to a stream may block: 10 s.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait before reconnecting: 100 ms.
pub const DEFAULT_BACKOFF_MIN: Duration = Duration::from_millis(100);
/// The longest wait before reconnecting: 30 s.
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How long dropping the guard may take to send what is queued: 5 s.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The chosen transport, unchecked.
#[derive(Debug, Clone)]
enum Transport {
    Udp(String),
    Tcp(String),
    #[cfg(feature = "tls")]
    Tls(String),
    Unix(PathBuf, UnixKind),
}

/// Builds a [`SyslogLayer`] and its [`SyslogGuard`]; made by
/// [`SyslogLayer::builder`], whose docs list the default values.
///
/// Setters only record the option; [`build`](Self::build) checks them all,
/// reads the TLS files and starts the worker, but opens no connection.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct SyslogLayerBuilder {
    transport: Transport,
    format: Option<SyslogFormat>,
    framing: Option<Framing>,
    multiline: Multiline,
    message_format: MessageFormat,
    facility: Facility,
    app_name: Option<String>,
    hostname: Option<String>,
    sd_id: String,
    context_sd_id: String,
    msgid_field: String,
    runtime: bool,
    system: bool,
    context: StaticContext,
    max_message_size: Option<usize>,
    buffer_capacity: usize,
    drop_extra_events: bool,
    connect_timeout: Duration,
    write_timeout: Duration,
    backoff: (Duration, Duration),
    jitter: bool,
    shutdown_timeout: Duration,
    on_error: Option<ErrorCallback>,
    log_internal_errors: bool,
    ca_file: Option<PathBuf>,
    server_name: Option<String>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    clock: fn() -> SystemTime,
}

impl fmt::Debug for SyslogLayerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyslogLayerBuilder")
            .field("transport", &self.transport)
            .field("format", &self.format)
            .field("framing", &self.framing)
            .field("multiline", &self.multiline)
            .field("message_format", &self.message_format)
            .field("facility", &self.facility)
            .field("buffer_capacity", &self.buffer_capacity)
            .field("drop_extra_events", &self.drop_extra_events)
            .finish_non_exhaustive()
    }
}

// === impl SyslogLayerBuilder ===

impl SyslogLayerBuilder {
    pub(crate) fn new() -> Self {
        Self {
            transport: Transport::Unix(DEFAULT_UNIX_PATH.into(), UnixKind::Auto),
            format: None,
            framing: None,
            multiline: Multiline::default(),
            message_format: MessageFormat::default(),
            facility: Facility::default(),
            app_name: None,
            hostname: None,
            sd_id: DEFAULT_SD_ID.into(),
            context_sd_id: DEFAULT_CONTEXT_SD_ID.into(),
            msgid_field: DEFAULT_MSGID_FIELD.into(),
            runtime: false,
            system: false,
            context: StaticContext::new(),
            max_message_size: None,
            buffer_capacity: DEFAULT_BUFFER_CAPACITY,
            drop_extra_events: true,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            backoff: (DEFAULT_BACKOFF_MIN, DEFAULT_BACKOFF_MAX),
            jitter: true,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            on_error: None,
            log_internal_errors: true,
            ca_file: None,
            server_name: None,
            client_cert: None,
            client_key: None,
            clock: SystemTime::now,
        }
    }

    // --- transport ---

    /// Sends over UDP to `address` (`HOST:PORT`, `[v6]:PORT`), one record
    /// per datagram (RFC 5426).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn udp(mut self, address: impl fmt::Display) -> Self {
        self.transport = Transport::Udp(address.to_string());
        self
    }

    /// Sends over TCP to `address` (`HOST:PORT`), framed as
    /// [`framing`](Self::framing) says (RFC 6587).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn tcp(mut self, address: impl fmt::Display) -> Self {
        self.transport = Transport::Tcp(address.to_string());
        self
    }

    /// Sends over TLS (RFC 5425) to `address` (`HOST:PORT`), verifying the
    /// server against the system's root certificates (or
    /// [`ca_file`](Self::ca_file)) as the address's host (or
    /// [`server_name`](Self::server_name)).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, address: impl fmt::Display) -> Self {
        self.transport = Transport::Tls(address.to_string());
        self
    }

    /// Sends to the Unix socket at `path` (such as `/dev/log`): a datagram
    /// socket, or a stream socket when it is not one (as Python's
    /// `SysLogHandler` does).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn unix(mut self, path: impl AsRef<Path>) -> Self {
        self.transport = Transport::Unix(path.as_ref().to_owned(), UnixKind::Auto);
        self
    }

    /// Sends to the Unix datagram socket at `path`, one record per datagram.
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn unix_datagram(mut self, path: impl AsRef<Path>) -> Self {
        self.transport = Transport::Unix(path.as_ref().to_owned(), UnixKind::Datagram);
        self
    }

    /// Sends to the Unix stream socket at `path`, framed as
    /// [`framing`](Self::framing) says (LF unless set).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn unix_stream(mut self, path: impl AsRef<Path>) -> Self {
        self.transport = Transport::Unix(path.as_ref().to_owned(), UnixKind::Stream);
        self
    }

    // --- format ---

    /// The message format.
    ///
    /// By default, RFC 5424 for TCP and TLS, RFC 3164 for UDP and Unix
    /// sockets.
    pub fn format(mut self, format: SyslogFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// How records are delimited on a stream; datagram transports ignore it.
    ///
    /// By default, [`Framing::OctetCounting`] for TCP and TLS and
    /// [`Framing::LineFeed`] for Unix stream sockets.
    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = Some(framing);
        self
    }

    /// What happens to line breaks in a message.
    ///
    /// By default, [`Multiline::SplitLines`]: one record per line.
    pub fn multiline(mut self, multiline: Multiline) -> Self {
        self.multiline = multiline;
        self
    }

    /// What MSG holds: the message (and, with RFC 3164, ` key=value`
    /// fields), or the whole record as JSON.
    ///
    /// By default, [`MessageFormat::Text`].
    pub fn message_format(mut self, message_format: MessageFormat) -> Self {
        self.message_format = message_format;
        self
    }

    /// The facility of every record (PRI = facility × 8 + severity).
    ///
    /// By default, [`Facility::User`].
    pub fn facility(mut self, facility: Facility) -> Self {
        self.facility = facility;
        self
    }

    /// APP-NAME (RFC 5424, cut to 48 characters) or TAG (RFC 3164, cut to
    /// 32); characters outside printable ASCII become `_`.
    ///
    /// By default, the process name.
    pub fn app_name(mut self, app_name: impl Into<String>) -> Self {
        self.app_name = Some(app_name.into());
        self
    }

    /// HOSTNAME (cut to 255 characters; characters outside printable ASCII
    /// become `_`).
    ///
    /// By default, the system's host name.
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = Some(hostname.into());
        self
    }

    /// The SD-ID of the element holding the event's fields (RFC 5424):
    /// `name@enterprise-number`, at most 32 printable characters without
    /// `=`, space, `]` or `"`.
    ///
    /// By default, [`DEFAULT_SD_ID`] (`logwood@32473`).
    pub fn sd_id(mut self, sd_id: impl Into<String>) -> Self {
        self.sd_id = sd_id.into();
        self
    }

    /// The SD-ID of the element holding the context (RFC 5424), with the
    /// rules of [`sd_id`](Self::sd_id); it must differ from it.
    ///
    /// By default, [`DEFAULT_CONTEXT_SD_ID`] (`ctx@32473`).
    pub fn context_sd_id(mut self, sd_id: impl Into<String>) -> Self {
        self.context_sd_id = sd_id.into();
        self
    }

    /// The event field whose value becomes MSGID (RFC 5424; cut to 32
    /// characters) instead of an SD-PARAM; `""` turns this off (MSGID is
    /// then always `-`).
    ///
    /// By default, [`DEFAULT_MSGID_FIELD`] (`msgid`).
    pub fn msgid_field(mut self, name: impl Into<String>) -> Self {
        self.msgid_field = name.into();
        self
    }

    /// Whether records carry the runtime metadata (`runtime.function`,
    /// `module`, `file`, `line`, `thread_id`, `thread_name`,
    /// `logger_name`), in the context element or text, or the JSON record.
    ///
    /// By default, they do not (syslog's header already names the host,
    /// app and process).
    pub fn with_runtime(mut self, include: bool) -> Self {
        self.runtime = include;
        self
    }

    /// Whether records carry `system.pid`, `system.process_name` and
    /// `system.hostname`.
    ///
    /// By default, they do not (the header has them).
    pub fn with_system(mut self, include: bool) -> Self {
        self.system = include;
        self
    }

    /// Adds static context to every record, beneath the span context (a
    /// span field wins a conflict). `key` is dotted: `service.name`.
    ///
    /// By default, there is none.
    pub fn context_field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.context.insert(key, value);
        self
    }

    /// Replaces the static context with `context`.
    ///
    /// By default, there is none.
    pub fn context(mut self, context: StaticContext) -> Self {
        self.context = context;
        self
    }

    /// The largest record in bytes (framing excluded); a longer one is cut
    /// on a UTF-8 boundary and counted in `truncated`. At least
    /// [`MIN_MAX_MESSAGE_SIZE`]; for UDP at most [`MAX_UDP_MESSAGE_SIZE`].
    ///
    /// By default, [`DEFAULT_UDP_MAX_MESSAGE_SIZE`] (2048) for UDP and
    /// [`DEFAULT_MAX_MESSAGE_SIZE`] (65536) otherwise.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = Some(bytes);
        self
    }

    // --- queue and worker ---

    /// How many records wait in the queue for the worker. While the server
    /// is slow or unreachable, the queue and the worker's current batch (at
    /// most as many again, and at most 1024) are kept and later sent;
    /// beyond that, see [`drop_extra_events`](Self::drop_extra_events).
    ///
    /// By default, [`DEFAULT_BUFFER_CAPACITY`] (10,000).
    pub fn buffer_capacity(mut self, records: usize) -> Self {
        self.buffer_capacity = records;
        self
    }

    /// With `true`, a record that finds the queue full is dropped and
    /// counted, and the application's thread never waits on the network.
    /// With `false`, that thread waits until the queue has room, as long as
    /// the server is slow or unreachable.
    ///
    /// By default, `true`.
    pub fn drop_extra_events(mut self, drop: bool) -> Self {
        self.drop_extra_events = drop;
        self
    }

    /// How long connecting (TCP connect plus TLS handshake) may take.
    ///
    /// By default, [`DEFAULT_CONNECT_TIMEOUT`] (5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one write to a stream may block (a server that does not
    /// read) before the connection is dropped and made again.
    ///
    /// By default, [`DEFAULT_WRITE_TIMEOUT`] (10 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The wait before reconnecting after a failure: `min` first, doubling
    /// after each further failure up to `max`, back to `min` after a
    /// success.
    ///
    /// By default, [`DEFAULT_BACKOFF_MIN`] (100 ms) to
    /// [`DEFAULT_BACKOFF_MAX`] (30 s).
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min, max);
        self
    }

    /// Whether each wait is drawn at random between zero and the backoff
    /// ("full jitter"), so that many clients do not reconnect in step.
    ///
    /// By default, `true`.
    pub fn reconnect_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// How long dropping the [`SyslogGuard`] may take to send what is
    /// queued and close the connection.
    ///
    /// By default, [`DEFAULT_SHUTDOWN_TIMEOUT`] (5 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Calls `callback` with each delivery failure: on the worker's thread
    /// for connection, TLS and write failures and records failed at
    /// shutdown, on the application's thread for records dropped from a
    /// full queue. A panic in it is caught; an event it logs does not come
    /// back to it.
    ///
    /// By default, there is none (failures are counted in
    /// [`Stats`](crate::Stats) and reported on stderr).
    pub fn on_error<F>(mut self, callback: F) -> Self
    where
        F: Fn(&SyslogError) + Send + Sync + 'static,
    {
        self.on_error = Some(Arc::new(callback));
        self
    }

    /// Whether the first failure of each kind is printed on stderr as one
    /// `[logwood] syslog: …` line. Failures are always counted.
    ///
    /// By default, they are printed.
    pub fn log_internal_errors(mut self, report: bool) -> Self {
        self.log_internal_errors = report;
        self
    }

    // --- TLS ---

    /// Verifies the TLS server against the CA certificates in this PEM file
    /// instead of the system's roots.
    ///
    /// By default, the system's root certificates are used.
    #[cfg(feature = "tls")]
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.ca_file = Some(path.as_ref().to_owned());
        self
    }

    /// The name the TLS server's certificate must be valid for (a DNS name
    /// or an IP address).
    ///
    /// By default, the host of the [`tls`](Self::tls) address.
    #[cfg(feature = "tls")]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// The client certificate chain (PEM) for mutual TLS; needs
    /// [`client_key`](Self::client_key).
    ///
    /// By default, no client certificate is presented.
    #[cfg(feature = "tls")]
    pub fn client_cert(mut self, path: impl AsRef<Path>) -> Self {
        self.client_cert = Some(path.as_ref().to_owned());
        self
    }

    /// The private key (PEM: PKCS #8, PKCS #1 or SEC1) of
    /// [`client_cert`](Self::client_cert).
    ///
    /// By default, none.
    #[cfg(feature = "tls")]
    pub fn client_key(mut self, path: impl AsRef<Path>) -> Self {
        self.client_key = Some(path.as_ref().to_owned());
        self
    }

    /// Replaces the clock (tests of the exact output).
    #[cfg(test)]
    pub(crate) fn clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }

    // --- build ---

    /// Checks the options, reads the TLS files and starts the worker thread
    /// (`logwood-syslog`). No connection is opened here and no name is
    /// resolved: the worker does that, and retries while the server is
    /// unreachable.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the option when an address is not
    /// `HOST:PORT`, a number or SD-ID is out of range, `KeepNewlines` is
    /// combined with LF framing, a TLS option is set without the TLS
    /// transport, or a CA file, client certificate or key cannot be read or
    /// used.
    pub fn build(self) -> Result<(SyslogLayer, SyslogGuard), BuildError> {
        let (target, stream) = self.target()?;
        let udp = matches!(target, Target::Udp(_));
        let format = self.format.unwrap_or(match target {
            Target::Udp(_) | Target::Unix(..) => SyslogFormat::Rfc3164,
            _ => SyslogFormat::Rfc5424,
        });
        let framing = self.framing.unwrap_or(match target {
            Target::Unix(..) => Framing::LineFeed,
            _ => Framing::OctetCounting,
        });
        if stream && framing == Framing::LineFeed && self.multiline == Multiline::KeepNewlines {
            return Err(BuildError::invalid(
                "multiline",
                "`KeepNewlines` cannot be used with `Framing::LineFeed`, where a line break \
                 ends the record: use `Multiline::SplitLines` or `Framing::OctetCounting`",
            ));
        }
        let max_message_size = self.max_message_size.unwrap_or(if udp {
            DEFAULT_UDP_MAX_MESSAGE_SIZE
        } else {
            DEFAULT_MAX_MESSAGE_SIZE
        });
        if max_message_size < MIN_MAX_MESSAGE_SIZE {
            return Err(BuildError::invalid(
                "max_message_size",
                format!("must be at least {MIN_MAX_MESSAGE_SIZE} bytes, got {max_message_size}"),
            ));
        }
        if udp && max_message_size > MAX_UDP_MESSAGE_SIZE {
            return Err(BuildError::invalid(
                "max_message_size",
                format!(
                    "must be at most {MAX_UDP_MESSAGE_SIZE} bytes over UDP (the largest \
                     datagram), got {max_message_size}"
                ),
            ));
        }
        check_sd_id("sd_id", &self.sd_id)?;
        check_sd_id("context_sd_id", &self.context_sd_id)?;
        if self.sd_id == self.context_sd_id {
            return Err(BuildError::invalid(
                "context_sd_id",
                format!("must differ from `sd_id` ({:?})", self.sd_id),
            ));
        }
        if self.buffer_capacity == 0 {
            return Err(BuildError::invalid(
                "buffer_capacity",
                "must be greater than zero",
            ));
        }
        for (option, value) in [
            ("connect_timeout", self.connect_timeout),
            ("write_timeout", self.write_timeout),
        ] {
            if value.is_zero() {
                return Err(BuildError::invalid(option, "must be greater than zero"));
            }
        }
        let (backoff_min, backoff_max) = self.backoff;
        if backoff_min.is_zero() || backoff_min > backoff_max {
            return Err(BuildError::invalid(
                "reconnect_backoff",
                format!("needs 0 < min <= max, got min {backoff_min:?} and max {backoff_max:?}"),
            ));
        }

        let system = meta::system();
        let encoder = Encoder::new(EncoderConfig {
            format,
            message_format: self.message_format,
            multiline: self.multiline,
            max_message_size,
            facility: self.facility,
            hostname: self.hostname.unwrap_or_else(|| system.hostname.clone()),
            app_name: self.app_name.unwrap_or_else(|| system.process_name.clone()),
            pid: system.pid,
            sd_id: self.sd_id,
            context_sd_id: self.context_sd_id,
            msgid_field: self.msgid_field,
            opts: RecordOptions {
                context: Arc::new(self.context),
                runtime: self.runtime,
                system: self.system,
                ..RecordOptions::default()
            },
            clock: self.clock,
        });
        let settings = WorkerSettings {
            conn: ConnSettings {
                connect_timeout: self.connect_timeout,
                write_timeout: self.write_timeout,
                framing,
            },
            backoff_min,
            backoff_max,
            jitter: self.jitter,
            shutdown_timeout: self.shutdown_timeout,
            batch_records: self.buffer_capacity,
        };

        let (queue_tx, queue_rx) = crossbeam_channel::bounded(self.buffer_capacity);
        let (pool_tx, pool_rx) = crossbeam_channel::bounded(self.buffer_capacity.min(1024));
        let (control_tx, control_rx) = crossbeam_channel::bounded(1);
        let (done_tx, done_rx) = crossbeam_channel::bounded(0);
        let shared = Arc::new(Shared::new(self.on_error, self.log_internal_errors));
        let worker = Worker::new(
            target,
            settings,
            queue_rx,
            control_rx,
            pool_tx.clone(),
            shared.clone(),
            done_tx,
        );
        let handle = thread::Builder::new()
            .name("logwood-syslog".into())
            .spawn(move || worker.run())
            .map_err(|source| BuildError::Worker { source })?;
        let layer = SyslogLayer::from_inner(Inner {
            encoder,
            queue: queue_tx,
            pool: pool_rx,
            pool_return: pool_tx,
            shared: shared.clone(),
            drop_extra_events: self.drop_extra_events,
        });
        let guard = SyslogGuard::new(shared, control_tx, done_rx, handle, self.shutdown_timeout);
        Ok((layer, guard))
    }

    /// The checked transport, and whether it is (or may be) a stream whose
    /// framing is LF.
    fn target(&self) -> Result<(Target, bool), BuildError> {
        let parse = |option: &'static str, address: &str| {
            HostPort::parse(address).map_err(|reason| BuildError::InvalidAddress {
                option,
                address: address.to_owned(),
                reason,
            })
        };
        let tls_options = [
            ("ca_file", self.ca_file.is_some()),
            ("server_name", self.server_name.is_some()),
            ("client_cert", self.client_cert.is_some()),
            ("client_key", self.client_key.is_some()),
        ];
        #[cfg(feature = "tls")]
        let is_tls = matches!(self.transport, Transport::Tls(_));
        #[cfg(not(feature = "tls"))]
        let is_tls = false;
        if let Some((option, _)) = tls_options.iter().find(|(_, set)| *set && !is_tls) {
            return Err(BuildError::invalid(
                option,
                "applies to the `tls` transport only",
            ));
        }
        Ok(match &self.transport {
            Transport::Udp(address) => (Target::Udp(parse("udp", address)?), false),
            Transport::Tcp(address) => (Target::Tcp(parse("tcp", address)?), true),
            #[cfg(feature = "tls")]
            Transport::Tls(address) => {
                use crate::transport::tls;
                let hp = parse("tls", address)?;
                let server_name = match &self.server_name {
                    Some(name) => tls::server_name(name, true)?,
                    None => tls::server_name(&hp.host, false)?,
                };
                let config = tls::client_config(&tls::TlsOptions {
                    ca_file: self.ca_file.clone(),
                    client_cert: self.client_cert.clone(),
                    client_key: self.client_key.clone(),
                })?;
                (
                    Target::Tls(
                        hp,
                        tls::TlsSettings {
                            config,
                            server_name,
                        },
                    ),
                    true,
                )
            }
            Transport::Unix(path, kind) => {
                (Target::Unix(path.clone(), *kind), *kind == UnixKind::Stream)
            }
        })
    }
}

/// Checks an SD-ID: `name@number`, an SD-NAME of at most 32 characters.
fn check_sd_id(option: &'static str, sd_id: &str) -> Result<(), BuildError> {
    let shape_ok = sd_id.split_once('@').is_some_and(|(name, number)| {
        !name.is_empty()
            && !name.contains('@')
            && !number.is_empty()
            && number
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    if escape::is_sd_name(sd_id) && shape_ok {
        Ok(())
    } else {
        Err(BuildError::invalid(
            option,
            format!(
                "must be NAME@ENTERPRISE-NUMBER (such as {DEFAULT_SD_ID}), at most 32 printable \
                 ASCII characters without '=', space, ']' or '\"'; got {sd_id:?}"
            ),
        ))
    }
}
