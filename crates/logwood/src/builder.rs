//! [`Builder`]: `init()` in code, one method per setting. Settings made
//! here are the defaults beneath the TOML file and the environment; the
//! assembly is `init.rs`'s.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use logwood_core::Value;
use tracing_core::Dispatch;

use crate::config::{self, Config, Key, Raw, Set};
use crate::{Guard, InitError, init, sinks};

/// What goes to stdout: [`Builder::stdout`], `LOGWOOD_STDOUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stdout {
    /// One JSON object per line (`JsonLayer`); the default.
    Json,
    /// One line in the Python `logging` format of
    /// [`Builder::pattern`] (`PatternLayer`).
    Pattern,
    /// Nothing.
    Off,
}

/// What a log file holds: [`Builder::file_format`], `LOGWOOD_FILE_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileFormat {
    /// Lines in the Python `logging` format of [`Builder::pattern`]; the
    /// default, as Python's `FileHandler` writes.
    Pattern,
    /// One JSON object per line.
    Json,
}

/// Sets up logging in code: the same settings as the environment
/// variables and the TOML file, as methods. Made by
/// [`logwood::builder()`](crate::builder).
///
/// What is set here is the **default**: the TOML file
/// ([`config_file`](Self::config_file) or `LOGWOOD_CONFIG`) overrides it
/// key by key, and the environment overrides both, so that an operator
/// can always redirect or quieten logs without a rebuild. Call
/// [`read_env(false)`](Self::read_env) to read neither the environment
/// nor `LOGWOOD_CONFIG`.
///
/// Each method names the variable and TOML key it stands for; the
/// README's reference table lists them all.
///
/// # Default values
///
/// | method | default |
/// | --- | --- |
/// | [`level`](Self::level) (`RUST_LOG`) | [`DEFAULT_LEVEL`](crate::DEFAULT_LEVEL) (`info`) |
/// | [`stdout`](Self::stdout) | [`Stdout::Json`] |
/// | [`pattern`](Self::pattern) | [`DEFAULT_PATTERN`](crate::DEFAULT_PATTERN) |
/// | [`file`](Self::file), [`syslog`](Self::syslog), [`http`](Self::http), [`otlp`](Self::otlp) | off |
/// | [`buffer_capacity`](Self::buffer_capacity), [`flush_interval`](Self::flush_interval), [`drop_extra_events`](Self::drop_extra_events) | each layer's own |
/// | [`shutdown_timeout`](Self::shutdown_timeout) | [`DEFAULT_SHUTDOWN_TIMEOUT`](crate::DEFAULT_SHUTDOWN_TIMEOUT) (5 s) |
/// | [`read_env`](Self::read_env) | `true` |
/// | [`log_bridge`](Self::log_bridge) | `true` |
///
/// # Examples
///
/// JSON on stdout plus a rotating Python-style file, in a test (nothing
/// is installed globally: [`build`](Self::build) returns the dispatcher):
///
/// ```
/// # fn main() -> Result<(), logwood::InitError> {
/// let dir = std::env::temp_dir().join(format!("logwood-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let (dispatch, guard) = logwood::builder()
///     .read_env(false)
///     .stdout(logwood::Stdout::Off)
///     .file(dir.join("app.log"))
///     .file_max_bytes(1 << 20)
///     .file_backup_count(3)
///     .pattern("%(levelname)s %(name)s: %(message)s")
///     .context_field("service.name", "shop")
///     .build()?;
/// tracing::dispatcher::with_default(&dispatch, || {
///     tracing::info!(target: "shop", order_id = 7, "placed");
///     tracing::debug!("not at the default level");
/// });
/// let stats = guard.shutdown(std::time::Duration::from_secs(5));
/// assert_eq!(stats.get("file").unwrap().sent, 1);
/// let text = std::fs::read_to_string(dir.join("app.log")).unwrap();
/// assert_eq!(text, "INFO shop: placed order_id=7 service.name=shop\n");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(())
/// # }
/// ```
#[must_use = "a builder does nothing until `init()`, `try_init()` or `build()` is called"]
pub struct Builder {
    config: Config,
    context: Vec<(String, Value)>,
    config_file: Option<PathBuf>,
    read_env: bool,
    log_bridge: bool,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Config`'s `Debug` shows where each setting came from, never a
        // value (one of them is the token).
        f.debug_struct("Builder")
            .field("config", &self.config)
            .field(
                "context",
                &self.context.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("config_file", &self.config_file)
            .field("read_env", &self.read_env)
            .field("log_bridge", &self.log_bridge)
            .finish()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            config: Config::default(),
            context: Vec::new(),
            config_file: None,
            read_env: true,
            log_bridge: true,
        }
    }
}

// === impl Builder ===

impl Builder {
    fn set(mut self, key: &Key, raw: impl Into<Raw>) -> Self {
        if let Some(slot) = self.config.slot(key.path) {
            *slot = Some(Set::code(raw));
        }
        self
    }

    /// Adds `entry` to the comma-separated list of `key` set in code.
    fn append(mut self, key: &Key, entry: String) -> Self {
        if let Some(slot) = self.config.slot(key.path) {
            let list = match slot.take() {
                Some(Set {
                    raw: Raw::Str(list),
                    ..
                }) if !list.is_empty() => format!("{list},{entry}"),
                _ => entry,
            };
            *slot = Some(Set::code(list));
        }
        self
    }

    // --- where settings come from ---

    /// Reads the TOML file at `path` (unless `LOGWOOD_CONFIG` names
    /// another); its settings override the builder's.
    ///
    /// By default, only `LOGWOOD_CONFIG` names a file.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Whether `RUST_LOG`, `LOGWOOD_CONFIG`, the `LOGWOOD_*` variables
    /// and the standard `OTEL_*` ones are read (and override the builder
    /// and the file). With `false` the environment is ignored entirely,
    /// including an unknown `LOGWOOD_*` variable.
    ///
    /// By default, they are read.
    pub fn read_env(mut self, read: bool) -> Self {
        self.read_env = read;
        self
    }

    /// Whether [`try_init`](Self::try_init) also routes the `log` crate's
    /// records into `tracing` (tracing-log's `LogTracer`), so that
    /// dependencies that log with `log` reach the same sinks, with their
    /// real file, line and target.
    ///
    /// By default, they are routed.
    pub fn log_bridge(mut self, bridge: bool) -> Self {
        self.log_bridge = bridge;
        self
    }

    // --- levels and context ---

    /// The filter directives (`RUST_LOG`, TOML `level`): a level (`debug`)
    /// or `tracing-subscriber` `EnvFilter` directives
    /// (`info,shop=debug,hyper=warn`).
    ///
    /// By default, [`DEFAULT_LEVEL`](crate::DEFAULT_LEVEL) (`info`).
    pub fn level(self, directives: impl Into<String>) -> Self {
        self.set(&config::LEVEL, directives.into())
    }

    /// The level of one target (TOML `[levels]`, like a logger's level in
    /// Python's `dictConfig`): `target_level("hyper", "warn")`. A directive
    /// of [`level`](Self::level) (or `RUST_LOG`) for the same target wins.
    ///
    /// By default, targets have the level of [`level`](Self::level).
    pub fn target_level(mut self, target: impl Into<String>, level: impl Into<String>) -> Self {
        self.config
            .levels
            .insert(target.into(), Set::code(level.into()));
        self
    }

    /// Adds `key = value` to the static context of every sink (TOML
    /// `[context]`, `LOGWOOD_CONTEXT`): `context_field("service.name",
    /// "shop")` gives `{"context":{"service":{"name":"shop"}}}` in JSON
    /// records, `service.name=shop` in pattern lines, an SD-PARAM in
    /// syslog.
    ///
    /// By default, there is no static context.
    pub fn context_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.context.push((key.into(), value.into()));
        self
    }

    /// The Python `logging` format of the pattern outputs (stdout with
    /// [`Stdout::Pattern`], the file with [`FileFormat::Pattern`]):
    /// `LOGWOOD_PATTERN`, TOML `pattern`.
    ///
    /// By default, [`DEFAULT_PATTERN`](crate::DEFAULT_PATTERN).
    pub fn pattern(self, pattern: impl Into<String>) -> Self {
        self.set(&config::PATTERN, pattern.into())
    }

    /// The `strftime` format of `%(asctime)s` in pattern outputs:
    /// `LOGWOOD_DATEFMT`, TOML `datefmt`.
    ///
    /// By default, Python's `2003-07-08 16:49:45,896`.
    pub fn datefmt(self, datefmt: impl Into<String>) -> Self {
        self.set(&config::DATEFMT, datefmt.into())
    }

    // --- delivery of the buffered sinks ---

    /// The queue bound of every buffered sink (syslog, HTTP, OTLP, a
    /// non-blocking file): `LOGWOOD_BUFFER_CAPACITY`, TOML
    /// `buffer_capacity`. Must be greater than zero.
    ///
    /// By default, each layer's own (syslog 10,000, HTTP 1,000, OTLP 512,
    /// file 128,000).
    pub fn buffer_capacity(self, records: usize) -> Self {
        self.set(&config::BUFFER_CAPACITY, records as u64)
    }

    /// How long the HTTP and OTLP sinks let a batch fill before sending
    /// it: `LOGWOOD_FLUSH_INTERVAL`, TOML `flush_interval` (whole
    /// milliseconds here).
    ///
    /// By default, the layers' (1 s).
    pub fn flush_interval(self, interval: Duration) -> Self {
        self.set(
            &config::FLUSH_INTERVAL,
            format!("{}ms", interval.as_millis()),
        )
    }

    /// Whether a full queue drops the record (`true`, counted) or makes
    /// the caller wait (`false`): `LOGWOOD_DROP_EXTRA_EVENTS`, TOML
    /// `drop_extra_events`.
    ///
    /// By default, each layer's own (`true`).
    pub fn drop_extra_events(self, drop: bool) -> Self {
        self.set(&config::DROP_EXTRA_EVENTS, drop)
    }

    /// How long the [`Guard`] waits, when dropped, for the buffered sinks
    /// to deliver what they hold: `LOGWOOD_SHUTDOWN_TIMEOUT`, TOML
    /// `shutdown_timeout` (whole milliseconds here).
    ///
    /// By default, [`DEFAULT_SHUTDOWN_TIMEOUT`](crate::DEFAULT_SHUTDOWN_TIMEOUT) (5 s).
    pub fn shutdown_timeout(self, timeout: Duration) -> Self {
        self.set(
            &config::SHUTDOWN_TIMEOUT,
            format!("{}ms", timeout.as_millis()),
        )
    }

    // --- stdout ---

    /// What goes to stdout: `LOGWOOD_STDOUT`, TOML `stdout.format`.
    ///
    /// By default, [`Stdout::Json`].
    pub fn stdout(self, stdout: Stdout) -> Self {
        let name = match stdout {
            Stdout::Json => "json",
            Stdout::Pattern => "pattern",
            Stdout::Off => "off",
        };
        self.set(&sinks::stdout::FORMAT, name)
    }

    /// Stdout's own filter directives, which can only narrow the global
    /// ones: `LOGWOOD_STDOUT_LEVEL`, TOML `stdout.level`.
    ///
    /// By default, stdout gets everything the global filter lets through.
    pub fn stdout_level(self, directives: impl Into<String>) -> Self {
        self.set(&sinks::stdout::LEVEL, directives.into())
    }

    // --- file ---

    /// Writes a log file (created if missing, appended to): `LOGWOOD_FILE`,
    /// TOML `file.path`. Its directory must exist.
    ///
    /// By default, there is no file.
    pub fn file(self, path: impl Into<PathBuf>) -> Self {
        let path = path.into().to_string_lossy().into_owned();
        self.set(&sinks::file::PATH, path)
    }

    /// What the file holds: `LOGWOOD_FILE_FORMAT`, TOML `file.format`.
    ///
    /// By default, [`FileFormat::Pattern`].
    pub fn file_format(self, format: FileFormat) -> Self {
        let name = match format {
            FileFormat::Pattern => "pattern",
            FileFormat::Json => "json",
        };
        self.set(&sinks::file::FORMAT, name)
    }

    /// The file's own filter directives: `LOGWOOD_FILE_LEVEL`, TOML
    /// `file.level`.
    ///
    /// By default, the file gets everything the global filter lets through.
    pub fn file_level(self, directives: impl Into<String>) -> Self {
        self.set(&sinks::file::LEVEL, directives.into())
    }

    /// Rolls the file over at this size, as `RotatingFileHandler`'s
    /// `maxBytes`: `LOGWOOD_FILE_MAX_BYTES`, TOML `file.max_bytes`.
    ///
    /// By default, `0`: no size rotation.
    pub fn file_max_bytes(self, bytes: u64) -> Self {
        self.set(&sinks::file::MAX_BYTES, bytes)
    }

    /// How many rotated files to keep (`backupCount`):
    /// `LOGWOOD_FILE_BACKUP_COUNT`, TOML `file.backup_count`.
    ///
    /// By default, `0`.
    pub fn file_backup_count(self, count: usize) -> Self {
        self.set(&sinks::file::BACKUP_COUNT, count as u64)
    }

    /// Rolls the file over by time, as `TimedRotatingFileHandler`'s
    /// `when`: `LOGWOOD_FILE_WHEN`, TOML `file.when`.
    ///
    /// By default, no timed rotation.
    #[cfg(feature = "json")]
    pub fn file_when(self, when: logwood_json::When) -> Self {
        self.set(&sinks::file::WHEN, when.as_str())
    }

    /// How many units of `when` make one interval:
    /// `LOGWOOD_FILE_INTERVAL`, TOML `file.interval`.
    ///
    /// By default, `1`.
    pub fn file_interval(self, interval: u32) -> Self {
        self.set(&sinks::file::INTERVAL, u64::from(interval))
    }

    /// Timed rotation in UTC rather than local time: `LOGWOOD_FILE_UTC`,
    /// TOML `file.utc`.
    ///
    /// By default, local time.
    pub fn file_utc(self, utc: bool) -> Self {
        self.set(&sinks::file::UTC, utc)
    }

    /// The time of day of a `midnight` or weekly rollover (`atTime`):
    /// `LOGWOOD_FILE_AT_TIME` (`HH:MM[:SS]`), TOML `file.at_time`.
    ///
    /// By default, midnight.
    pub fn file_at_time(self, hour: u8, minute: u8, second: u8) -> Self {
        self.set(
            &sinks::file::AT_TIME,
            format!("{hour:02}:{minute:02}:{second:02}"),
        )
    }

    /// Compresses rotated files (off the caller's thread):
    /// `LOGWOOD_FILE_COMPRESS` (`gzip`, `zstd`), TOML `file.compress`.
    ///
    /// By default, rotated files are not compressed.
    #[cfg(feature = "json")]
    pub fn file_compress(self, compression: logwood_json::Compression) -> Self {
        self.set(&sinks::file::COMPRESS, compression.as_str())
    }

    /// Writes the file on a background thread (the caller only queues the
    /// line): `LOGWOOD_FILE_NON_BLOCKING`, TOML `file.non_blocking`. The
    /// [`Guard`] writes what is queued when dropped.
    ///
    /// By default, lines are written on the caller's thread.
    pub fn file_non_blocking(self, non_blocking: bool) -> Self {
        self.set(&sinks::file::NON_BLOCKING, non_blocking)
    }

    // --- syslog ---

    /// Sends to a syslog server: `LOGWOOD_SYSLOG`, TOML `syslog.url`:
    /// `udp://HOST:PORT`, `tcp://HOST:PORT`, `tls://HOST:PORT` or
    /// `unix:///dev/log`.
    ///
    /// By default, there is no syslog sink.
    pub fn syslog(self, url: impl Into<String>) -> Self {
        self.set(&sinks::syslog::URL, url.into())
    }

    /// RFC 5424 or RFC 3164: `LOGWOOD_SYSLOG_FORMAT` (`rfc5424`,
    /// `rfc3164`), TOML `syslog.format`.
    ///
    /// By default, RFC 5424 for TCP and TLS, RFC 3164 for UDP and Unix.
    #[cfg(feature = "syslog")]
    pub fn syslog_format(self, format: logwood_syslog::SyslogFormat) -> Self {
        let name = match format {
            logwood_syslog::SyslogFormat::Rfc3164 => "rfc3164",
            _ => "rfc5424",
        };
        self.set(&sinks::syslog::FORMAT, name)
    }

    /// The APP-NAME / TAG: `LOGWOOD_SYSLOG_APP_NAME`, TOML
    /// `syslog.app_name`.
    ///
    /// By default, the process name.
    pub fn syslog_app_name(self, app_name: impl Into<String>) -> Self {
        self.set(&sinks::syslog::APP_NAME, app_name.into())
    }

    /// The facility: `LOGWOOD_SYSLOG_FACILITY` (`user`, `local0` …
    /// `local7`, …), TOML `syslog.facility`.
    ///
    /// By default, `user`.
    #[cfg(feature = "syslog")]
    pub fn syslog_facility(self, facility: logwood_syslog::Facility) -> Self {
        let name = sinks::syslog::FACILITIES
            .get(usize::from(facility.code()))
            .copied()
            .unwrap_or("user");
        self.set(&sinks::syslog::FACILITY, name)
    }

    /// The message text as a Python `logging` format
    /// (`%(name)s[%(process)d]: %(levelname)s %(message)s`):
    /// `LOGWOOD_SYSLOG_PATTERN`, TOML `syslog.pattern`. See the syslog
    /// layer's `message_pattern`.
    ///
    /// By default, the message as it is.
    pub fn syslog_pattern(self, pattern: impl Into<String>) -> Self {
        self.set(&sinks::syslog::PATTERN, pattern.into())
    }

    /// The CA certificates (PEM) a `tls://` server is verified with:
    /// `LOGWOOD_SYSLOG_CA_FILE`, TOML `syslog.ca_file`.
    ///
    /// By default, the system's root certificates.
    pub fn syslog_ca_file(self, path: impl Into<PathBuf>) -> Self {
        let path = path.into().to_string_lossy().into_owned();
        self.set(&sinks::syslog::CA_FILE, path)
    }

    /// The syslog sink's own filter directives: `LOGWOOD_SYSLOG_LEVEL`,
    /// TOML `syslog.level`.
    ///
    /// By default, syslog gets everything the global filter lets through.
    pub fn syslog_level(self, directives: impl Into<String>) -> Self {
        self.set(&sinks::syslog::LEVEL, directives.into())
    }

    // --- HTTP ---

    /// Sends batches to an HTTP ingest endpoint (`http://…/frames`):
    /// `LOGWOOD_HTTP_URL`, TOML `http.url`.
    ///
    /// By default, there is no HTTP sink.
    pub fn http(self, url: impl Into<String>) -> Self {
        self.set(&sinks::http::URL, url.into())
    }

    /// The bearer token: `LOGWOOD_HTTP_TOKEN`, TOML `http.token`. Never
    /// printed, in errors or `Debug`.
    ///
    /// By default, no `Authorization` header is sent.
    pub fn http_token(self, token: impl Into<String>) -> Self {
        self.set(&sinks::http::TOKEN, token.into())
    }

    /// Reads the bearer token from a file (a mounted secret; a trailing
    /// newline is dropped): `LOGWOOD_HTTP_TOKEN_FILE`, TOML
    /// `http.token_file`.
    ///
    /// By default, no `Authorization` header is sent.
    pub fn http_token_file(self, path: impl Into<PathBuf>) -> Self {
        let path = path.into().to_string_lossy().into_owned();
        self.set(&sinks::http::TOKEN_FILE, path)
    }

    /// The body format: `LOGWOOD_HTTP_FORMAT` (`msgpack`, `ndjson`), TOML
    /// `http.format`.
    ///
    /// By default, msgpack (Timber's frames).
    #[cfg(feature = "http")]
    pub fn http_format(self, format: logwood_http::Format) -> Self {
        let name = match format {
            logwood_http::Format::Ndjson => "ndjson",
            _ => "msgpack",
        };
        self.set(&sinks::http::FORMAT, name)
    }

    /// The CA certificates (PEM) an `https` endpoint is verified with:
    /// `LOGWOOD_HTTP_CA_FILE`, TOML `http.ca_file`.
    ///
    /// By default, the system's root certificates.
    pub fn http_ca_file(self, path: impl Into<PathBuf>) -> Self {
        let path = path.into().to_string_lossy().into_owned();
        self.set(&sinks::http::CA_FILE, path)
    }

    /// The HTTP sink's own filter directives: `LOGWOOD_HTTP_LEVEL`, TOML
    /// `http.level`.
    ///
    /// By default, HTTP gets everything the global filter lets through.
    pub fn http_level(self, directives: impl Into<String>) -> Self {
        self.set(&sinks::http::LEVEL, directives.into())
    }

    // --- OTLP ---

    /// Sends every event as an OpenTelemetry log record over OTLP/HTTP
    /// (an OpenTelemetry Collector, Vector, Grafana Alloy, Data Prepper):
    /// `LOGWOOD_OTLP_ENDPOINT`, TOML `otlp.endpoint`; the standard
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` (used as is) and
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/logs` appended) set it too. A
    /// URL with a path is used as is (`http://collector:4318/v1/logs`); one
    /// without (`http://collector:4318`) gets `/v1/logs`.
    ///
    /// By default, there is no OTLP sink.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// // Cargo.toml: logwood = { version = "0.1", features = ["otlp"] }
    /// let _guard = logwood::builder()
    ///     .context_field("service.name", "shop") // also the resource's service.name
    ///     .otlp("http://otel-collector:4318")
    ///     .otlp_header("authorization", "Bearer s3cr3t")
    ///     .otlp_resource_attribute("deployment.environment", "prod")
    ///     .otlp_level("info")
    ///     .init();
    /// tracing::info!(order.id = 1234, "Order placed");
    /// ```
    pub fn otlp(self, endpoint: impl Into<String>) -> Self {
        self.set(&sinks::otlp::ENDPOINT, endpoint.into())
    }

    /// The encoding of the requests: `LOGWOOD_OTLP_PROTOCOL`
    /// (`http/protobuf`, `http/json`), TOML `otlp.protocol`,
    /// `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`.
    ///
    /// By default, protobuf.
    #[cfg(feature = "otlp")]
    pub fn otlp_protocol(self, protocol: logwood_http::OtlpProtocol) -> Self {
        let name = match protocol {
            logwood_http::OtlpProtocol::Json => "http/json",
            _ => "http/protobuf",
        };
        self.set(&sinks::otlp::PROTOCOL, name)
    }

    /// Adds a header to every request (`authorization`, a tenant id):
    /// `LOGWOOD_OTLP_HEADERS`, TOML `otlp.headers`,
    /// `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_EXPORTER_OTLP_LOGS_HEADERS`
    /// (`name=value` pairs separated by commas, percent-decoded; this
    /// method encodes `value` for you). Values are never printed, in errors
    /// or `Debug`.
    ///
    /// By default, no extra header is sent.
    pub fn otlp_header(self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let entry = sinks::otlp::list_entry(name.as_ref(), value.as_ref());
        self.append(&sinks::otlp::HEADERS, entry)
    }

    /// Compresses each request with gzip (feature `gzip`):
    /// `LOGWOOD_OTLP_COMPRESSION` (`gzip`, `none`), TOML
    /// `otlp.compression`, `OTEL_EXPORTER_OTLP_LOGS_COMPRESSION`.
    ///
    /// By default, requests are not compressed.
    pub fn otlp_gzip(self, gzip: bool) -> Self {
        self.set(
            &sinks::otlp::COMPRESSION,
            if gzip { "gzip" } else { "none" },
        )
    }

    /// How long one request may take: `LOGWOOD_OTLP_TIMEOUT` (`10s`,
    /// `500ms`), TOML `otlp.timeout`, `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT` (in
    /// milliseconds there). Whole milliseconds here.
    ///
    /// By default, 10 s.
    pub fn otlp_timeout(self, timeout: Duration) -> Self {
        self.set(&sinks::otlp::TIMEOUT, format!("{}ms", timeout.as_millis()))
    }

    /// The resource's `service.name`: `LOGWOOD_OTLP_SERVICE_NAME`, TOML
    /// `otlp.service_name`, `OTEL_SERVICE_NAME`.
    ///
    /// By default, a `service.name` of the resource attributes, else the
    /// static context's `service.name` (a string), else
    /// `unknown_service:{executable name}`.
    pub fn otlp_service_name(self, name: impl Into<String>) -> Self {
        self.set(&sinks::otlp::SERVICE_NAME, name.into())
    }

    /// Adds an attribute to the resource of every request
    /// (`deployment.environment`, `service.version`):
    /// `LOGWOOD_OTLP_RESOURCE_ATTRIBUTES`, TOML `otlp.resource_attributes`,
    /// `OTEL_RESOURCE_ATTRIBUTES` (`key=value` pairs separated by commas,
    /// percent-decoded; this method encodes `value` for you).
    ///
    /// By default, the resource holds `service.name`, `host.name`,
    /// `process.pid` and `process.executable.name`.
    pub fn otlp_resource_attribute(self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let entry = sinks::otlp::list_entry(key.as_ref(), value.as_ref());
        self.append(&sinks::otlp::RESOURCE_ATTRIBUTES, entry)
    }

    /// The CA certificates (PEM) an `https` receiver is verified with:
    /// `LOGWOOD_OTLP_CA_FILE`, TOML `otlp.ca_file`.
    ///
    /// By default, the system's root certificates.
    pub fn otlp_ca_file(self, path: impl Into<PathBuf>) -> Self {
        let path = path.into().to_string_lossy().into_owned();
        self.set(&sinks::otlp::CA_FILE, path)
    }

    /// The OTLP sink's own filter directives: `LOGWOOD_OTLP_LEVEL`, TOML
    /// `otlp.level`.
    ///
    /// By default, OTLP gets everything the global filter lets through.
    pub fn otlp_level(self, directives: impl Into<String>) -> Self {
        self.set(&sinks::otlp::LEVEL, directives.into())
    }

    // --- building ---

    /// Reads the file and the environment, checks every setting, starts
    /// the sinks and returns the subscriber (as a [`Dispatch`]) and the
    /// [`Guard`], **without** installing anything: for tests
    /// (`tracing::dispatcher::with_default`) and for programs that install
    /// the subscriber themselves. The `log` bridge is not set up.
    ///
    /// # Errors
    ///
    /// An [`InitError`] naming the setting, its value and what is allowed.
    pub fn build(self) -> Result<(Dispatch, Guard), InitError> {
        let (assembled, _) = self.into_parts();
        init::assemble(assembled).map(|(dispatch, guard, _)| (dispatch, guard))
    }

    /// Does what [`build`](Self::build) does, then installs the subscriber
    /// as the global default and (with [`log_bridge`](Self::log_bridge))
    /// routes the `log` crate's records into it.
    ///
    /// # Errors
    ///
    /// An [`InitError`] naming the setting, its value and what is allowed;
    /// [`InitError::AlreadyInitialized`] when a global subscriber or a
    /// `log` logger is already installed (nothing is changed then).
    pub fn try_init(self) -> Result<Guard, InitError> {
        let (assembled, log_bridge) = self.into_parts();
        let (dispatch, guard, max_level) = init::assemble(assembled)?;
        init::install(dispatch, log_bridge.then_some(max_level))?;
        Ok(guard)
    }

    /// Checks every setting with `vars` standing for the environment,
    /// starting nothing (no file opened, no connection made). Test seam,
    /// not a stable API: for fuzzing and tests of the configuration.
    ///
    /// # Errors
    ///
    /// The [`InitError`] `try_init` would return for these settings.
    #[doc(hidden)]
    pub fn check_with_env<K, V>(
        self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(), InitError>
    where
        K: Into<std::ffi::OsString>,
        V: Into<std::ffi::OsString>,
    {
        let (parts, _) = self.into_parts();
        init::check(parts, vars.into_iter().map(|(k, v)| (k.into(), v.into())))
    }

    /// The settings for [`init::assemble`], and whether to bridge `log`.
    fn into_parts(self) -> (init::Parts, bool) {
        let parts = init::Parts {
            config: self.config,
            context: self.context,
            config_file: self.config_file,
            read_env: self.read_env,
        };
        (parts, self.log_bridge)
    }

    /// Does what [`try_init`](Self::try_init) does; on an error, prints it
    /// on stderr (`logwood: LOGWOOD_FILE_WHEN=fortnightly: not a rollover
    /// interval; …`) and exits the process with status 1.
    pub fn init(self) -> Guard {
        match self.try_init() {
            Ok(guard) => guard,
            Err(e) => crate::exit_with(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_never_shows_the_token() {
        let builder = crate::builder()
            .http("http://127.0.0.1:9/frames")
            .http_token("s3cr3t-t0ken");
        let text = format!("{builder:?}");
        assert!(!text.contains("s3cr3t-t0ken"), "{text}");
        assert!(text.contains("token: Some(Set(Code))"), "{text}");
    }

    #[test]
    fn debug_never_shows_an_otlp_header() {
        let builder = crate::builder()
            .otlp("http://127.0.0.1:9")
            .otlp_header("authorization", "Bearer s3cr3t-t0ken");
        let text = format!("{builder:?}");
        assert!(!text.contains("s3cr3t-t0ken"), "{text}");
        assert!(text.contains("headers: Some(Set(Code))"), "{text}");
    }

    #[cfg(feature = "otlp")]
    #[test]
    fn the_otlp_methods_reach_the_collector() {
        use std::time::Duration;

        use logwood_collector::{Collector, Output};

        let collector = Collector::builder()
            .token("t0k,en")
            .out(Output::Memory)
            .start()
            .unwrap();
        let (dispatch, guard) = crate::builder()
            .read_env(false)
            .stdout(crate::Stdout::Off)
            .context_field("service.name", "from-context")
            .otlp(collector.http_url())
            .otlp_protocol(logwood_http::OtlpProtocol::Json)
            .otlp_header("x-tenant", "shop")
            .otlp_header("authorization", "Bearer t0k,en")
            .otlp_resource_attribute("deployment.environment", "a b,c=d%")
            .otlp_timeout(Duration::from_secs(5))
            .otlp_gzip(false)
            .otlp_level("warn")
            .build()
            .unwrap();
        tracing::dispatcher::with_default(&dispatch, || {
            tracing::info!("not at the sink's level");
            tracing::warn!(order.id = 7, "low stock");
        });
        let stats = guard.shutdown(Duration::from_secs(5));
        let otlp = stats.get("otlp").unwrap();
        assert_eq!((otlp.emitted, otlp.sent), (1, 1), "{stats}");
        assert!(stats.is_balanced());
        let records = collector
            .wait_for_otlp_records(1, Duration::from_secs(5))
            .unwrap();
        let record = &records[0];
        assert_eq!(record["body"], "low stock");
        assert_eq!(record["attributes"]["order.id"], 7);
        assert_eq!(record["resource"]["service.name"], "from-context");
        assert_eq!(record["resource"]["deployment.environment"], "a b,c=d%");
    }
}
