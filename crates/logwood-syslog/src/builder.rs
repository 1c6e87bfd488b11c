//! Configuration of [`SyslogLayer`]: the builder and its defaults, the
//! validation of its `Config` into `Settings`, and the wiring of the
//! encoder, the queue, the worker and the guard.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use logwood_core::__private::pattern::{PatternError, PatternFormatter, PatternOptions};
use logwood_core::__private::{
    Backoff, CoreLayer, DeliveryOptions, LayerOptions, RecordOptions, Reporter, TlsOptions, system,
};
use logwood_core::{FlushGuard, JitterMode};

use crate::delivery::{QueueSink, Shared};
use crate::error::BuildError;
use crate::format::{
    EncoderSettings, Facility, MessageFormat, Multiline, SyslogEncoder, SyslogFormat, escape,
};
use crate::layer::SyslogLayer;
use crate::transport::{ConnSettings, Framing, HostPort, Target, UnixKind};
use crate::worker::{self, Retry, WorkerSettings};

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
/// Default of [`retry_initial`](SyslogLayerBuilder::retry_initial): the
/// first wait before reconnecting, 100 ms.
pub const DEFAULT_RETRY_INITIAL: Duration = Duration::from_millis(100);
/// Default of [`retry_max`](SyslogLayerBuilder::retry_max): the longest
/// wait before reconnecting, 30 s.
pub const DEFAULT_RETRY_MAX: Duration = Duration::from_secs(30);
/// The first wait before reconnecting: 100 ms.
#[deprecated(note = "use `DEFAULT_RETRY_INITIAL`")]
pub const DEFAULT_BACKOFF_MIN: Duration = DEFAULT_RETRY_INITIAL;
/// The longest wait before reconnecting: 30 s.
#[deprecated(note = "use `DEFAULT_RETRY_MAX`")]
pub const DEFAULT_BACKOFF_MAX: Duration = DEFAULT_RETRY_MAX;
/// While the server cannot be reached at all (the connection is refused
/// or not answered: it is down, restarting, not listening yet), the worker
/// tries to connect again at least this often, whatever
/// [`retry_max`](SyslogLayerBuilder::retry_max) says: 1 s. Delivery then
/// resumes within about a second of the server's return, and a server
/// that stays down sees one connection attempt (a TCP SYN) per second or
/// less from each layer, at random moments (full jitter). Failures on an
/// open connection (a write, the TLS handshake, a RELP session refused)
/// keep the configured backoff.
pub const MAX_RECONNECT_INTERVAL: Duration = Duration::from_secs(1);
/// How long closing a connection at shutdown waits for the server: for
/// its end of stream after logwood's (TCP, TLS, Unix stream), or for its
/// answer to RELP's `close`: 100 ms, and never past the shutdown deadline.
/// Nothing is lost by not waiting longer (over TCP every record is written
/// by then, over RELP every record acknowledged), and a server that keeps
/// the connection open no longer holds the shutdown for seconds.
pub const CLOSE_TIMEOUT: Duration = Duration::from_millis(100);
/// Default of [`relp_window`](SyslogLayerBuilder::relp_window): 128
/// records may await their acknowledgement at once (librelp's own
/// default window).
pub const DEFAULT_RELP_WINDOW: usize = 128;

/// The chosen transport, unchecked.
#[derive(Debug, Clone)]
enum Transport {
    Udp(String),
    Tcp(String),
    #[cfg(feature = "tls")]
    Tls(String),
    Unix(PathBuf, UnixKind),
    Relp(String),
    #[cfg(feature = "tls")]
    RelpTls(String),
}

/// The syslog options as set, unchecked (the options every layer shares
/// are core's `LayerOptions`, `DeliveryOptions` and `TlsOptions`).
#[derive(Debug, Clone)]
struct Config {
    transport: Transport,
    format: Option<SyslogFormat>,
    framing: Option<Framing>,
    multiline: Multiline,
    message_format: MessageFormat,
    message_pattern: Option<String>,
    facility: Facility,
    app_name: Option<String>,
    hostname: Option<String>,
    sd_id: String,
    context_sd_id: String,
    msgid_field: String,
    max_message_size: Option<usize>,
    connect_timeout: Duration,
    write_timeout: Duration,
    retry_initial: Duration,
    retry_max: Duration,
    retry_jitter: JitterMode,
    clock: fn() -> SystemTime,
    relp_window: Option<usize>,
}

// === impl Config ===

impl Config {
    /// The format, the framing and the size limit for `target` (the
    /// transport's defaults where unset), checked together.
    fn wire(
        &self,
        target: &Target,
        stream: bool,
    ) -> Result<(SyslogFormat, Framing, usize), BuildError> {
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
        let udp = matches!(target, Target::Udp(_));
        let max_message_size = check_max_message_size(self.max_message_size, udp)?;
        Ok((format, framing, max_message_size))
    }

    /// The compiled [`message_pattern`](SyslogLayerBuilder::message_pattern),
    /// if one is set (with `hostname` for `%(hostname)s`).
    fn pattern(&self, hostname: &str) -> Result<Option<PatternFormatter>, BuildError> {
        let Some(pattern) = &self.message_pattern else {
            return Ok(None);
        };
        if self.message_format == MessageFormat::Json {
            return Err(BuildError::invalid(
                "message_pattern",
                "applies to `MessageFormat::Text` only (with `MessageFormat::Json` MSG is the \
                 JSON record)",
            ));
        }
        let clock = self.clock;
        let options = PatternOptions {
            hostname: Some(hostname.to_owned()),
            bare_message: true,
            now: Some(Arc::new(clock)),
            ..PatternOptions::default()
        };
        PatternFormatter::new(pattern, options)
            .map(Some)
            .map_err(|e| BuildError::invalid("message_pattern", pattern_reason(e)))
    }

    /// Both SD-IDs are valid and differ.
    fn check_sd_ids(&self) -> Result<(), BuildError> {
        check_sd_id("sd_id", &self.sd_id)?;
        check_sd_id("context_sd_id", &self.context_sd_id)?;
        if self.sd_id == self.context_sd_id {
            return Err(BuildError::invalid(
                "context_sd_id",
                format!("must differ from `sd_id` ({:?})", self.sd_id),
            ));
        }
        Ok(())
    }

    /// The timeouts and the reconnect backoff are usable.
    fn check_timing(&self) -> Result<(), BuildError> {
        for (option, value) in [
            ("connect_timeout", self.connect_timeout),
            ("write_timeout", self.write_timeout),
            ("retry_initial", self.retry_initial),
        ] {
            if value.is_zero() {
                return Err(BuildError::invalid(option, "must be greater than zero"));
            }
        }
        if self.retry_max < self.retry_initial {
            return Err(BuildError::invalid(
                "retry_max",
                format!(
                    "must be at least `retry_initial`, got {:?} and {:?}",
                    self.retry_max, self.retry_initial
                ),
            ));
        }
        Ok(())
    }

    /// The RELP window: at least 1, and set only with a RELP transport.
    fn relp_window(&self, target: &Target) -> Result<usize, BuildError> {
        match self.relp_window {
            None => Ok(DEFAULT_RELP_WINDOW),
            Some(_) if !target.is_relp() => Err(BuildError::invalid(
                "relp_window",
                "applies to the `relp` and `relp_tls` transports only",
            )),
            Some(0) => Err(BuildError::invalid(
                "relp_window",
                "must be at least 1 record",
            )),
            Some(window) => Ok(window),
        }
    }
}

/// What `build()` made of the options, checked: everything the wiring
/// needs.
struct Settings {
    target: Target,
    encoder: EncoderSettings,
    worker: WorkerSettings,
    record: RecordOptions,
    reporter: Reporter,
    delivery: DeliveryOptions,
}

/// Builds a [`SyslogLayer`] and its [`FlushGuard`]; made by
/// [`SyslogLayer::builder`], whose docs list the default values.
///
/// Setters only record the option; [`build`](Self::build) checks them all,
/// reads the TLS files and starts the worker, but opens no connection.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct SyslogLayerBuilder {
    config: Config,
    layer: LayerOptions,
    delivery: DeliveryOptions,
    tls: TlsOptions,
}

impl fmt::Debug for SyslogLayerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyslogLayerBuilder")
            .field("config", &self.config)
            .field("layer", &self.layer)
            .field("delivery", &self.delivery)
            .field("tls", &self.tls)
            .finish()
    }
}

// === impl SyslogLayerBuilder ===

impl SyslogLayerBuilder {
    pub(crate) fn new() -> Self {
        Self {
            config: Config {
                transport: Transport::Unix(DEFAULT_UNIX_PATH.into(), UnixKind::Auto),
                format: None,
                framing: None,
                multiline: Multiline::default(),
                message_format: MessageFormat::default(),
                message_pattern: None,
                facility: Facility::default(),
                app_name: None,
                hostname: None,
                sd_id: DEFAULT_SD_ID.into(),
                context_sd_id: DEFAULT_CONTEXT_SD_ID.into(),
                msgid_field: DEFAULT_MSGID_FIELD.into(),
                max_message_size: None,
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                write_timeout: DEFAULT_WRITE_TIMEOUT,
                retry_initial: DEFAULT_RETRY_INITIAL,
                retry_max: DEFAULT_RETRY_MAX,
                retry_jitter: JitterMode::Full,
                clock: SystemTime::now,
                relp_window: None,
            },
            layer: LayerOptions::new(false, false),
            delivery: DeliveryOptions::new(DEFAULT_BUFFER_CAPACITY),
            tls: TlsOptions::default(),
        }
    }

    // --- transport ---

    /// Sends over UDP to `address` (`HOST:PORT`, `[v6]:PORT`), one record
    /// per datagram (RFC 5426).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn udp(mut self, address: impl fmt::Display) -> Self {
        self.config.transport = Transport::Udp(address.to_string());
        self
    }

    /// Sends over TCP to `address` (`HOST:PORT`), framed as
    /// [`framing`](Self::framing) says (RFC 6587).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn tcp(mut self, address: impl fmt::Display) -> Self {
        self.config.transport = Transport::Tcp(address.to_string());
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
        self.config.transport = Transport::Tls(address.to_string());
        self
    }

    /// Sends to the Unix socket at `path` (such as `/dev/log`): a datagram
    /// socket, or a stream socket when it is not one (as Python's
    /// `SysLogHandler` does).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn unix(mut self, path: impl AsRef<Path>) -> Self {
        self.config.transport = Transport::Unix(path.as_ref().to_owned(), UnixKind::Auto);
        self
    }

    /// Sends to the Unix datagram socket at `path`, one record per datagram.
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn unix_datagram(mut self, path: impl AsRef<Path>) -> Self {
        self.config.transport = Transport::Unix(path.as_ref().to_owned(), UnixKind::Datagram);
        self
    }

    /// Sends to the Unix stream socket at `path`, framed as
    /// [`framing`](Self::framing) says (LF unless set).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    pub fn unix_stream(mut self, path: impl AsRef<Path>) -> Self {
        self.config.transport = Transport::Unix(path.as_ref().to_owned(), UnixKind::Stream);
        self
    }

    /// Sends over RELP, rsyslog's Reliable Event Logging Protocol (what
    /// `imrelp` speaks; Debian package `rsyslog-relp`), to `address`
    /// (`HOST:PORT`; rsyslog's examples use port 2514, librelp's default
    /// is 20514). RFC 5424 records unless [`format`](Self::format) says
    /// otherwise; RELP frames them itself, so [`framing`](Self::framing) is
    /// ignored.
    ///
    /// Every record is acknowledged by the server: `sent` counts the
    /// acknowledged ones, up to [`relp_window`](Self::relp_window) records
    /// are in flight at once, and after a broken connection every
    /// unacknowledged record is sent again on the next one, so that none
    /// is lost; the server may then see the records of one window (at
    /// most) twice. See *Delivery* on [`SyslogLayer`].
    ///
    /// `logwood::init()` takes this transport as `relp://HOST:PORT`.
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// use tracing_subscriber::prelude::*;
    /// use logwood_syslog::SyslogLayer;
    ///
    /// # fn main() -> Result<(), logwood_syslog::BuildError> {
    /// // rsyslog.conf: module(load="imrelp") input(type="imrelp" port="2514")
    /// let (layer, guard) = SyslogLayer::builder().relp("logs.example.com:2514").build()?;
    /// tracing_subscriber::registry().with(layer).init();
    /// tracing::info!(order.id = 1234, "Order placed");
    ///
    /// let stats = guard.shutdown(Duration::from_secs(5));
    /// // `sent`: acknowledged by the server; `failed`: still unacknowledged
    /// // at the deadline (it may have received some of them).
    /// assert_eq!(stats.emitted, stats.sent + stats.dropped + stats.failed);
    /// # Ok(())
    /// # }
    /// ```
    pub fn relp(mut self, address: impl fmt::Display) -> Self {
        self.config.transport = Transport::Relp(address.to_string());
        self
    }

    /// Sends over RELP (as [`relp`](Self::relp)) inside TLS (imrelp's
    /// `tls="on"`: TLS from the first byte), verifying the server as
    /// [`tls`](Self::tls) does. imrelp's TLS modes other than `anon` (which
    /// is anonymous Diffie-Hellman, not offered here) ask for a client
    /// certificate: set [`client_cert`](Self::client_cert) and
    /// [`client_key`](Self::client_key).
    ///
    /// By default, records go to the Unix socket `/dev/log`.
    #[cfg(feature = "tls")]
    pub fn relp_tls(mut self, address: impl fmt::Display) -> Self {
        self.config.transport = Transport::RelpTls(address.to_string());
        self
    }

    /// RELP: how many records may be sent and not yet acknowledged at once
    /// (at least 1). A larger window keeps a distant server busier; it is
    /// also the most records the server may receive twice after a
    /// reconnect. Applies to [`relp`](Self::relp) and
    /// [`relp_tls`](Self::relp_tls) only.
    ///
    /// By default, [`DEFAULT_RELP_WINDOW`] (128).
    pub fn relp_window(mut self, records: usize) -> Self {
        self.config.relp_window = Some(records);
        self
    }

    // --- format ---

    /// The message format.
    ///
    /// By default, RFC 5424 for TCP, TLS and RELP, RFC 3164 for UDP and
    /// Unix sockets.
    pub fn format(mut self, format: SyslogFormat) -> Self {
        self.config.format = Some(format);
        self
    }

    /// How records are delimited on a stream; datagram transports and RELP
    /// (whose frames carry the length of each record) ignore it.
    ///
    /// By default, [`Framing::OctetCounting`] for TCP and TLS and
    /// [`Framing::LineFeed`] for Unix stream sockets.
    pub fn framing(mut self, framing: Framing) -> Self {
        self.config.framing = Some(framing);
        self
    }

    /// What happens to line breaks in a message.
    ///
    /// By default, [`Multiline::SplitLines`]: one record per line.
    pub fn multiline(mut self, multiline: Multiline) -> Self {
        self.config.multiline = multiline;
        self
    }

    /// What MSG holds: the message (and, with RFC 3164, ` key=value`
    /// fields), or the whole record as JSON.
    ///
    /// By default, [`MessageFormat::Text`].
    pub fn message_format(mut self, message_format: MessageFormat) -> Self {
        self.config.message_format = message_format;
        self
    }

    /// Renders the message text (MSG) through a Python `logging` format
    /// string, as a `logging.Formatter` set on Python's `SysLogHandler`
    /// does: `"%(name)s[%(process)d]: %(levelname)s %(message)s"` (the
    /// format Papertrail's Python docs use) gives
    /// `shop::orders[8123]: WARNING stock low`. The attributes and `%`
    /// modifiers are the pattern layer's (`logwood-json`'s `PatternLayer`),
    /// rendered by the same engine over the same record; `%(hostname)s` is
    /// [`hostname`](Self::hostname), `%(asctime)s` local time.
    ///
    /// `%(message)s` is the message alone here: the event's fields and the
    /// context stay where they are without a pattern (SD-ELEMENTs with
    /// RFC 5424, ` key=value` pairs after the text with RFC 3164). With
    /// [`Multiline::SplitLines`] the rendered text is split into lines, so
    /// the pattern's prefix leads the first record and each continuation
    /// record carries the header and the context as usual.
    ///
    /// Parsed by [`build`](Self::build): an unknown attribute or a bad
    /// directive is a [`BuildError`] naming `message_pattern` and the
    /// position. Applies to [`MessageFormat::Text`] only (`build` refuses
    /// it with [`MessageFormat::Json`]).
    ///
    /// By default, MSG is the message as it is.
    pub fn message_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.config.message_pattern = Some(pattern.into());
        self
    }

    /// The facility of every record (PRI = facility × 8 + severity).
    ///
    /// By default, [`Facility::User`].
    pub fn facility(mut self, facility: Facility) -> Self {
        self.config.facility = facility;
        self
    }

    /// APP-NAME (RFC 5424, cut to 48 characters) or TAG (RFC 3164, cut to
    /// 32); characters outside printable ASCII become `_`.
    ///
    /// By default, the process name.
    pub fn app_name(mut self, app_name: impl Into<String>) -> Self {
        self.config.app_name = Some(app_name.into());
        self
    }

    /// HOSTNAME (cut to 255 characters; characters outside printable ASCII
    /// become `_`).
    ///
    /// By default, the system's host name.
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.config.hostname = Some(hostname.into());
        self
    }

    /// The SD-ID of the element holding the event's fields (RFC 5424):
    /// `name@enterprise-number`, at most 32 printable characters without
    /// `=`, space, `]` or `"`.
    ///
    /// By default, [`DEFAULT_SD_ID`] (`logwood@32473`).
    pub fn sd_id(mut self, sd_id: impl Into<String>) -> Self {
        self.config.sd_id = sd_id.into();
        self
    }

    /// The SD-ID of the element holding the context (RFC 5424), with the
    /// rules of [`sd_id`](Self::sd_id); it must differ from it.
    ///
    /// By default, [`DEFAULT_CONTEXT_SD_ID`] (`ctx@32473`).
    pub fn context_sd_id(mut self, sd_id: impl Into<String>) -> Self {
        self.config.context_sd_id = sd_id.into();
        self
    }

    /// The event field whose value becomes MSGID (RFC 5424; cut to 32
    /// characters) instead of an SD-PARAM; `""` turns this off (MSGID is
    /// then always `-`).
    ///
    /// By default, [`DEFAULT_MSGID_FIELD`] (`msgid`).
    pub fn msgid_field(mut self, name: impl Into<String>) -> Self {
        self.config.msgid_field = name.into();
        self
    }

    // --- what records carry, failures ---

    logwood_core::layer_option_setters!(
        layer,
        runtime: "`false` (the syslog header already names the host, app and process)",
        system: "`false` (the syslog header already names the host, app and process)"
    );

    /// The largest record in bytes (framing excluded); a longer one is cut
    /// on a UTF-8 boundary and counted in `truncated`. At least
    /// [`MIN_MAX_MESSAGE_SIZE`]; for UDP at most [`MAX_UDP_MESSAGE_SIZE`].
    ///
    /// By default, [`DEFAULT_UDP_MAX_MESSAGE_SIZE`] (2048) for UDP and
    /// [`DEFAULT_MAX_MESSAGE_SIZE`] (65536) otherwise.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = Some(bytes);
        self
    }

    // --- queue, guard and worker ---

    logwood_core::delivery_option_setters!(
        delivery,
        capacity: "10,000 records ([`DEFAULT_BUFFER_CAPACITY`])"
    );

    /// How long connecting (TCP connect plus TLS handshake) may take.
    ///
    /// By default, [`DEFAULT_CONNECT_TIMEOUT`] (5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How long one write to a stream may block (a server that does not
    /// read) before the connection is dropped and made again. Over RELP it
    /// is also the longest wait for the answer to the oldest record in
    /// flight: then the session is made again and the unacknowledged
    /// records are sent again.
    ///
    /// By default, [`DEFAULT_WRITE_TIMEOUT`] (10 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.config.write_timeout = timeout;
        self
    }

    /// The first wait before reconnecting after failures in a row
    /// (connect, TLS handshake, write, RELP session); each further failure
    /// doubles the wait up to [`retry_max`](Self::retry_max), and a success
    /// starts again from here. (A connection that worked and then broke,
    /// as at a server restart, is made again at once; the waits apply from
    /// the next failure.) Must be greater than zero. With full jitter (the
    /// default) each wait is drawn between zero and that bound.
    ///
    /// By default, [`DEFAULT_RETRY_INITIAL`] (100 ms).
    pub fn retry_initial(mut self, wait: Duration) -> Self {
        self.config.retry_initial = wait;
        self
    }

    /// The longest wait before reconnecting; at least
    /// [`retry_initial`](Self::retry_initial). While the server refuses or
    /// does not answer connections (it is down), the wait is at most
    /// [`MAX_RECONNECT_INTERVAL`] (1 s) whatever this says, so that
    /// delivery resumes within about a second of its return.
    ///
    /// By default, [`DEFAULT_RETRY_MAX`] (30 s).
    pub fn retry_max(mut self, wait: Duration) -> Self {
        self.config.retry_max = wait;
        self
    }

    /// How much of each wait is random: [`JitterMode::Full`] draws it
    /// between zero and the exponential bound, so that many clients do not
    /// reconnect in step; [`JitterMode::None`] waits the bound itself (for
    /// tests).
    ///
    /// By default, [`JitterMode::Full`].
    pub fn retry_jitter(mut self, jitter: JitterMode) -> Self {
        self.config.retry_jitter = jitter;
        self
    }

    /// The wait before reconnecting: `min` first, doubling up to `max`.
    #[deprecated(
        note = "use `retry_initial(min).retry_max(max)`, the names every logwood layer uses"
    )]
    pub fn reconnect_backoff(self, min: Duration, max: Duration) -> Self {
        self.retry_initial(min).retry_max(max)
    }

    /// Whether each wait before reconnecting is drawn at random.
    #[deprecated(
        note = "use `retry_jitter(JitterMode::Full)` (`true`) or `retry_jitter(JitterMode::None)` (`false`)"
    )]
    pub fn reconnect_jitter(self, jitter: bool) -> Self {
        self.retry_jitter(if jitter {
            JitterMode::Full
        } else {
            JitterMode::None
        })
    }

    /// Replaces the clock (tests of the exact output).
    #[cfg(test)]
    pub(crate) fn clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.config.clock = clock;
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
    /// combined with LF framing, a TLS option is set without a TLS
    /// transport (`tls`, `relp_tls`), `relp_window` is 0 or set without a
    /// RELP transport, a CA file, client certificate or key cannot be read
    /// or used, or the worker thread cannot be started.
    pub fn build(self) -> Result<(SyslogLayer, FlushGuard), BuildError> {
        self.into_settings()?.start()
    }

    /// Validation: the options, checked, as [`Settings`].
    fn into_settings(self) -> Result<Settings, BuildError> {
        let (target, stream) = self.target()?;
        let (format, framing, max_message_size) = self.config.wire(&target, stream)?;
        let relp_window = self.config.relp_window(&target)?;
        self.config.check_sd_ids()?;
        self.config.check_timing()?;
        self.delivery.validate()?;

        let system = system();
        let hostname = self
            .config
            .hostname
            .clone()
            .unwrap_or_else(|| system.hostname.clone());
        let pattern = self.config.pattern(&hostname)?;
        let Config {
            multiline,
            message_format,
            facility,
            app_name,
            sd_id,
            context_sd_id,
            msgid_field,
            connect_timeout,
            write_timeout,
            retry_initial,
            retry_max,
            retry_jitter,
            clock,
            ..
        } = self.config;
        Ok(Settings {
            target,
            encoder: EncoderSettings {
                format,
                message_format,
                multiline,
                max_message_size,
                facility,
                hostname,
                pattern,
                app_name: app_name.unwrap_or_else(|| system.process_name.clone()),
                pid: system.pid,
                sd_id,
                context_sd_id,
                msgid_field,
                clock,
            },
            worker: WorkerSettings {
                conn: ConnSettings {
                    connect_timeout,
                    write_timeout,
                    framing,
                },
                retry: Retry::new(
                    Backoff::new(retry_initial, retry_max, retry_jitter),
                    Backoff::new(
                        retry_initial.min(MAX_RECONNECT_INTERVAL),
                        retry_max.min(MAX_RECONNECT_INTERVAL),
                        retry_jitter,
                    ),
                ),
                relp_window,
            },
            record: self.layer.record_options(),
            reporter: self.layer.reporter("syslog"),
            delivery: self.delivery,
        })
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
        let tls = &self.tls;
        let tls_options = [
            ("ca_file", tls.ca_file.is_some()),
            ("server_name", tls.server_name.is_some()),
            ("client_cert", tls.client_cert.is_some()),
            ("client_key", tls.client_key.is_some()),
        ];
        #[cfg(feature = "tls")]
        let is_tls = matches!(
            self.config.transport,
            Transport::Tls(_) | Transport::RelpTls(_)
        );
        #[cfg(not(feature = "tls"))]
        let is_tls = false;
        if let Some((option, _)) = tls_options.iter().find(|(_, set)| *set && !is_tls) {
            return Err(BuildError::invalid(
                option,
                "applies to the `tls` and `relp_tls` transports only",
            ));
        }
        Ok(match &self.config.transport {
            Transport::Udp(address) => (Target::Udp(parse("udp", address)?), false),
            Transport::Tcp(address) => (Target::Tcp(parse("tcp", address)?), true),
            #[cfg(feature = "tls")]
            Transport::Tls(address) => {
                let hp = parse("tls", address)?;
                let (config, server_name) =
                    logwood_core::__private::tls::client_config(tls, &hp.host, "tls", &[])?;
                let settings = crate::transport::tls::TlsSettings {
                    config,
                    server_name,
                };
                (Target::Tls(hp, settings), true)
            }
            Transport::Unix(path, kind) => {
                (Target::Unix(path.clone(), *kind), *kind == UnixKind::Stream)
            }
            // RELP frames records itself (never by a line feed).
            Transport::Relp(address) => (Target::Relp(parse("relp", address)?), false),
            #[cfg(feature = "tls")]
            Transport::RelpTls(address) => {
                let hp = parse("relp_tls", address)?;
                let (config, server_name) =
                    logwood_core::__private::tls::client_config(tls, &hp.host, "relp_tls", &[])?;
                let settings = crate::transport::tls::TlsSettings {
                    config,
                    server_name,
                };
                (Target::RelpTls(hp, settings), false)
            }
        })
    }
}

#[cfg(feature = "tls")]
impl SyslogLayerBuilder {
    logwood_core::tls_option_setters!(tls);
}

// === impl Settings ===

impl Settings {
    /// Wiring: the queue and counters, the worker thread, the encoder and
    /// the layer, the guard.
    fn start(self) -> Result<(SyslogLayer, FlushGuard), BuildError> {
        let Settings {
            target,
            encoder,
            worker,
            record,
            reporter,
            delivery,
        } = self;
        let shared = Arc::new(Shared::new(
            delivery.buffer_capacity,
            delivery.drop_extra_events,
            reporter,
        ));
        let worker_shared = shared.clone();
        let handle = thread::Builder::new()
            .name("logwood-syslog".into())
            .spawn(move || worker::run(target, worker, worker_shared))
            .map_err(|source| BuildError::Worker { source })?;
        shared.set_worker(handle);
        let encoder = SyslogEncoder::new(encoder, shared.counters.clone());
        let sink = QueueSink {
            shared: shared.clone(),
        };
        let layer = SyslogLayer::from_inner(CoreLayer::new(encoder, sink, record));
        let guard = FlushGuard::new(shared, delivery.shutdown_timeout);
        Ok((layer, guard))
    }
}

/// What is wrong with a message pattern, after its option name
/// (`message_pattern` here, where core's text says `pattern`).
fn pattern_reason(e: PatternError) -> String {
    let text = e.to_string();
    let reason = text.strip_prefix("`pattern`: ").unwrap_or(&text);
    format!("is invalid: {reason}")
}

/// Checks `max_message_size` (the transport's default when unset).
fn check_max_message_size(size: Option<usize>, udp: bool) -> Result<usize, BuildError> {
    let size = size.unwrap_or(if udp {
        DEFAULT_UDP_MAX_MESSAGE_SIZE
    } else {
        DEFAULT_MAX_MESSAGE_SIZE
    });
    if size < MIN_MAX_MESSAGE_SIZE {
        return Err(BuildError::invalid(
            "max_message_size",
            format!("must be at least {MIN_MAX_MESSAGE_SIZE} bytes, got {size}"),
        ));
    }
    if udp && size > MAX_UDP_MESSAGE_SIZE {
        return Err(BuildError::invalid(
            "max_message_size",
            format!(
                "must be at most {MAX_UDP_MESSAGE_SIZE} bytes over UDP (the largest datagram), \
                 got {size}"
            ),
        ));
    }
    Ok(size)
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
