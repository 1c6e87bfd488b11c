//! logwood: `tracing` layers that ship an application's logs where people
//! read them (JSON lines on stdout, Python-style rotating files, syslog,
//! HTTP batches, OTLP), set up in one line or added with `.with(layer)`.
//!
//! # One line
//!
//! ```no_run
//! fn main() {
//!     let _guard = logwood::init();
//!     tracing::info!(user.id = 42, "logged in");
//! }
//! ```
//!
//! [`init`] reads `RUST_LOG`, the `LOGWOOD_*` variables, the standard
//! `OTEL_*` variables of an OTLP exporter (feature `otlp`) and the TOML file
//! named by `LOGWOOD_CONFIG`, builds every sink they ask for with the same
//! static context, an `EnvFilter` (default `info`) and a level per sink,
//! routes the `log` crate into `tracing`, installs the subscriber and
//! returns one [`Guard`] that flushes every sink when dropped. With nothing
//! set, it writes JSON lines on stdout. A wrong value is an error that
//! names the variable or key, the value and what is allowed; an unknown
//! `LOGWOOD_*` variable or TOML key is an error too:
//!
//! ```text
//! $ LOGWOOD_FILE=app.log LOGWOOD_FILE_WHEN=fortnightly ./shop
//! logwood: LOGWOOD_FILE_WHEN=fortnightly: not a rollover interval; expected S, M, H, D, midnight or W0-W6 (W0 is Monday), in any case
//! ```
//!
//! The same in code is [`builder()`]; the README's reference table lists
//! every variable with its TOML key and default.
//!
//! ```
//! # fn main() -> Result<(), logwood::InitError> {
//! let (dispatch, guard) = logwood::builder()
//!     .read_env(false)
//!     .stdout(logwood::Stdout::Json)
//!     .context_field("service.name", "shop")
//!     .level("info,hyper=warn")
//!     .build()?;
//! tracing::dispatcher::with_default(&dispatch, || {
//!     tracing::info!(order.id = 1234, "Order placed");
//! });
//! let stats = guard.shutdown(std::time::Duration::from_secs(5));
//! assert_eq!(stats.get("stdout").unwrap().sent, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Layer by layer
//!
//! The layers, each behind its feature (the links lead to the ones this
//! build has):
//!
#![cfg_attr(
    feature = "json",
    doc = "- [`json`]: one Timber-style JSON object per line on stdout or any \
           `MakeWriter`; Python `logging` patterns; rotating files."
)]
#![cfg_attr(
    not(feature = "json"),
    doc = "- `json` (feature `json`): one Timber-style JSON object per line; \
           Python `logging` patterns; rotating files."
)]
#![cfg_attr(
    feature = "syslog",
    doc = "- [`syslog`]: RFC 5424 / RFC 3164 over UDP, TCP, TLS and Unix sockets \
           (Papertrail, rsyslog), from a background worker."
)]
#![cfg_attr(
    not(feature = "syslog"),
    doc = "- `syslog` (feature `syslog`): RFC 5424 / RFC 3164 over UDP, TCP, TLS \
           and Unix sockets (Papertrail, rsyslog), from a background worker."
)]
#![cfg_attr(
    feature = "http",
    doc = "- [`http`]: Timber-compatible msgpack (or NDJSON) batches over HTTP, \
           with a bounded buffer, retries and a flush guard."
)]
#![cfg_attr(
    not(feature = "http"),
    doc = "- `http` (feature `http`): Timber-compatible msgpack (or NDJSON) \
           batches over HTTP, with a bounded buffer, retries and a flush guard."
)]
#![cfg_attr(
    feature = "otlp",
    doc = "- [`otlp`]: OpenTelemetry log records over OTLP/HTTP (protobuf or JSON) \
           to any OpenTelemetry Collector, Vector, Grafana Alloy or Data Prepper, \
           with the same batching, retries (per the OTLP specification) and \
           accounting; configurable from the standard `OTEL_*` variables."
)]
#![cfg_attr(
    not(feature = "otlp"),
    doc = "- `otlp` (feature `otlp`): OpenTelemetry log records over OTLP/HTTP \
           to any OpenTelemetry Collector, Vector, Grafana Alloy or Data Prepper."
)]
//!
//! ```
//! use tracing_subscriber::prelude::*;
//!
//! # #[allow(dead_code)]
//! # fn docs() {
//! tracing_subscriber::registry()
//!     .with(logwood::json::JsonLayer::stdout())
//!     .init();
//!
//! #[tracing::instrument(fields(user.id = 42, job.id = 123))]
//! fn place_order() {
//!     tracing::info!(order_placed.id = 1234_u64, order_placed.total = 520.23, "Order #1234 placed");
//! }
//! place_order();
//! # }
//! ```
//!
//! Span fields become nested, merging context (`#[instrument(fields(user.id = 42))]`
//! behaves like Python's `with timber.context(user={'id': 42})`), and every
//! record carries runtime (function, module, file, line, thread, logger) and
//! system (pid, process name, hostname) metadata. The record format is
//! described on `json::JsonLayer`.
//!
//! # Exiting
//!
//! The buffered sinks (HTTP and OTLP batches, the syslog queue, a
//! non-blocking file) hold records for a moment. Dropping the [`Guard`] (at the end of
//! `main`, or during a panic unwind) delivers them, waiting at most
//! `LOGWOOD_SHUTDOWN_TIMEOUT`. `std::process::exit` runs no destructors,
//! so what is buffered then is lost: call [`Guard::shutdown`] (or
//! `drop(guard)`) before it.
//!
//! # Feature flags
//!
//! - `json` (default): the JSON and pattern layers and the file writer, as
//!   `logwood::json`; `init()`'s stdout and file sinks.
//! - `syslog`: the syslog layer, as `logwood::syslog`; `init()`'s syslog
//!   sink.
//! - `http`: the HTTP batch layer, as `logwood::http`; `init()`'s HTTP sink.
//! - `tls`: TLS with rustls for the layers that are on (RFC 5425 for
//!   `syslog`, https for `http` and `otlp`). Requires a layer feature to
//!   have an effect.
//! - `gzip`: gzip request bodies for `http` and `otlp`. Requires one of
//!   them.
//! - `zstd`: zstd compression of rotated files. Requires `json` (and a C
//!   compiler, for libzstd).
//! - `otlp`: the OTLP/HTTP logs layer, as [`otlp`]; `init()`'s OTLP sink,
//!   turned on by `LOGWOOD_OTLP_ENDPOINT` or the standard
//!   `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`,
//!   with the other standard `OTEL_*` variables. Without this feature the
//!   `OTEL_*` variables are left alone (other OpenTelemetry SDKs read them).
//! - `opentelemetry`: trace correlation. With `tracing-opentelemetry` in
//!   the subscriber, every layer's records of events inside a span carry
//!   its OpenTelemetry trace and span ids (OTLP's `trace_id` / `span_id`,
//!   `context.trace_id` / `context.span_id` in JSON and msgpack records,
//!   SD-PARAMs in syslog). Requires opentelemetry and
//!   tracing-opentelemetry.
//! - `full`: every layer, with TLS.
//!
//! A setting of a sink whose feature is off is an error naming the
//! feature (`LOGWOOD_SYSLOG needs logwood's `syslog` feature`).
//!
//! # Supported Rust versions
//!
//! Built and tested with Rust 1.95 (the manifest's `rust-version`).
#![doc(test(attr(deny(warnings))))]
// The examples show `main` holding the guard: that is their point.
#![allow(clippy::needless_doctest_main)]

mod builder;
mod config;
mod env;
mod error;
mod filter;
mod guard;
mod init;
mod otel;
mod sinks;

pub use builder::{Builder, FileFormat, Stdout};
pub use error::InitError;
pub use filter::DEFAULT_LEVEL;
pub use guard::{Guard, SinkStats};
pub use logwood_core::{
    DEFAULT_SHUTDOWN_TIMEOUT, DeliveryError, ErrorKind, FlushGuard, FlushTimeout, JitterMode,
    StaticContext, Stats, StatsHandle, Value,
};
pub use sinks::file::DEFAULT_PATTERN;

/// The JSON and pattern layers and the rotating file writer
/// (`logwood-json`).
///
/// Requires the `json` feature (on by default).
#[cfg(feature = "json")]
#[doc(inline)]
pub use logwood_json as json;

/// The syslog layer (`logwood-syslog`).
///
/// Requires the `syslog` feature.
#[cfg(feature = "syslog")]
#[doc(inline)]
pub use logwood_syslog as syslog;

/// The HTTP batch layer (`logwood-http`).
///
/// Requires the `http` feature.
#[cfg(feature = "http")]
#[doc(inline)]
pub use logwood_http as http;

/// The OTLP/HTTP logs layer (from `logwood-http`): [`OtlpLayer`](otlp::OtlpLayer),
/// its builder, and [`OtlpEnv`](otlp::OtlpEnv) for the standard `OTEL_*`
/// variables.
///
/// Requires the `otlp` feature.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use tracing_subscriber::prelude::*;
///
/// let (layer, _guard) = logwood::otlp::OtlpLayer::builder("http://127.0.0.1:9")
///     .service_name("shop")
///     .log_internal_errors(false)
///     .shutdown_timeout(std::time::Duration::ZERO)
///     .build()?;
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || tracing::info!(order.id = 1, "placed"));
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "otlp")]
pub mod otlp {
    pub use logwood_http::{
        BuildError, DEFAULT_OTLP_BUFFER_CAPACITY, DEFAULT_OTLP_ENDPOINT,
        DEFAULT_OTLP_MAX_BATCH_BYTES, MAX_OTLP_BATCH_BYTES, OTLP_LOGS_PATH, OtlpEnv, OtlpEnvError,
        OtlpLayer, OtlpLayerBuilder, OtlpProtocol,
    };
}

/// Sets up logging from the environment and the TOML file named by
/// `LOGWOOD_CONFIG`, installs it as the global subscriber and returns its
/// [`Guard`]; on a configuration error, prints it on stderr and exits the
/// process with status 1 (see [`try_init`] to handle it instead).
///
/// Keep the guard until the program ends: `let _guard = logwood::init();`.
///
/// # Examples
///
/// ```no_run
/// fn main() {
///     // RUST_LOG=info,hyper=warn LOGWOOD_FILE=app.log LOGWOOD_CONTEXT=service.name=shop
///     let _guard = logwood::init();
///     tracing::info!("started");
/// }
/// ```
pub fn init() -> Guard {
    builder().init()
}

/// Sets up logging from the environment and the TOML file named by
/// `LOGWOOD_CONFIG`, installs it as the global subscriber (and the `log`
/// crate's bridge) and returns its [`Guard`].
///
/// # Errors
///
/// An [`InitError`] naming the variable or TOML key, its value and what is
/// allowed; [`InitError::AlreadyInitialized`] on a second call.
///
/// # Examples
///
/// ```no_run
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let _guard = logwood::try_init()?;
///     tracing::info!("started");
///     Ok(())
/// }
/// ```
pub fn try_init() -> Result<Guard, InitError> {
    builder().try_init()
}

/// A [`Builder`]: the settings of [`init`] in code, beneath the TOML file
/// and the environment.
///
/// # Examples
///
/// ```no_run
/// let _guard = logwood::builder()
///     .context_field("service.name", "shop")
///     .file("shop.log")
///     .file_max_bytes(10 << 20)
///     .file_backup_count(5)
///     .init();
/// ```
pub fn builder() -> Builder {
    Builder::default()
}

/// Prints `e` (and its deeper causes) on stderr and exits with status 1.
fn exit_with(e: &InitError) -> ! {
    use std::error::Error as _;

    let mut text = e.to_string();
    eprintln!("logwood: {text}");
    // Causes the message does not already say.
    let mut cause = e.source();
    while let Some(c) = cause {
        let line = c.to_string();
        if !text.contains(&line) {
            eprintln!("  caused by: {line}");
            text.push_str(&line);
        }
        cause = c.source();
    }
    std::process::exit(1)
}

/// The README's Rust blocks, compiled and run as doctests (they use every
/// layer: `cargo test --doc -p logwood --all-features`).
#[cfg(all(
    doctest,
    feature = "json",
    feature = "syslog",
    feature = "http",
    feature = "otlp"
))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
