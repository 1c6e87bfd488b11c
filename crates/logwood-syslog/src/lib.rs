//! logwood's syslog layer: each `tracing` event as an RFC 5424 or RFC 3164
//! message, sent over UDP, TCP, TLS, a Unix socket or RELP by a background
//! thread, so that the application never waits on the network.
//!
//! - **Formats**: RFC 5424 with microsecond timestamps, the event's fields
//!   and the span context as structured data (`[logwood@32473 …][ctx@32473 …]`);
//!   RFC 3164 (`<14>Jan  2 23:34:45 host app[pid]: msg key=value`), what
//!   Python's `SysLogHandler` and Papertrail's docs show. The message
//!   text can go through a Python `logging` format, as a `Formatter` on
//!   `SysLogHandler` (`message_pattern("%(name)s[%(process)d]: %(levelname)s %(message)s")`,
//!   rendered by the pattern layer's engine). Or the whole logwood JSON
//!   record as the message, for JSON search.
//! - **Transports**: UDP (one datagram per record, cut to 2048 bytes), TCP
//!   with RFC 6587 octet counting or LF framing, TLS (RFC 5425, rustls,
//!   system roots or a CA file, optional client certificate), Unix sockets
//!   (`/dev/log`), and RELP, rsyslog's Reliable Event Logging Protocol
//!   (`imrelp`), plain or over TLS: every record is acknowledged by the
//!   server, `sent` counts acknowledged records, and the unacknowledged
//!   ones are sent again after a reconnect (at most one window of them may
//!   then arrive twice). In `logwood::init()`'s configuration it is
//!   `relp://HOST:PORT`.
//! - **Never in the way**: events are encoded on the caller's thread into
//!   reused buffers and handed to a bounded queue; a worker thread writes
//!   them, reconnects (at once after a restart, with exponential backoff
//!   and jitter after repeated failures, at least every second while the
//!   server is down), and keeps what it could not send up to the bound.
//!   What does not fit is dropped and counted (or the caller waits, if you
//!   choose). Nothing panics and no
//!   error reaches the application: [`Stats`] counts everything, an
//!   [`on_error`](SyslogLayerBuilder::on_error) callback sees each failure
//!   as a [`DeliveryError`].
//! - **Newline safe**: a line break can never forge a second record; by
//!   default each line of a multi-line message (a backtrace) is its own
//!   record with the same header and the same context, so that each line
//!   can still be found by its `request.id`.
//! - **One house**: the record (fields, span and static context, runtime
//!   and system metadata), the `key=value` rules, the queue, the backoff,
//!   the error reports, [`Stats`] and the [`FlushGuard`] are logwood-core's,
//!   the same as in the JSON, pattern and HTTP layers, and so are the
//!   common builder options (`with_runtime`, `context_field`,
//!   `lift_message_fields`, `on_error`, `buffer_capacity`,
//!   `drop_extra_events`, `shutdown_timeout`, `retry_initial`, …).
//!
//! The exact wire format and the delivery guarantees are documented on
//! [`SyslogLayer`]; the default of every option on
//! [`SyslogLayer::builder`].
//!
//! # Examples
//!
//! A UDP "server" on loopback receives one event:
//!
//! ```
//! use std::net::UdpSocket;
//! use std::time::Duration;
//!
//! use tracing_subscriber::prelude::*;
//! use logwood_syslog::{SyslogFormat, SyslogLayer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = UdpSocket::bind("127.0.0.1:0")?;
//! server.set_read_timeout(Some(Duration::from_secs(10)))?;
//!
//! let (layer, guard) = SyslogLayer::builder()
//!     .udp(server.local_addr()?)
//!     .format(SyslogFormat::Rfc5424)
//!     .hostname("web-1")
//!     .app_name("shop")
//!     .build()?;
//! let subscriber = tracing_subscriber::registry().with(layer);
//!
//! #[tracing::instrument(fields(user.id = 42))]
//! fn place_order() {
//!     tracing::warn!(order.id = 1234, msgid = "ORDER", "Order #1234 placed");
//! }
//! tracing::subscriber::with_default(subscriber, place_order);
//!
//! let mut buf = [0; 2048];
//! let n = server.recv(&mut buf)?;
//! let record = std::str::from_utf8(&buf[..n])?;
//! // <PRI = user (1) × 8 + warning (4)>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
//! assert!(record.starts_with("<12>1 20"), "{record}");
//! let pid = std::process::id();
//! assert!(record.ends_with(&format!(
//!     "Z web-1 shop {pid} ORDER [logwood@32473 order.id=\"1234\"][ctx@32473 user.id=\"42\"] Order #1234 placed"
//! )), "{record}");
//!
//! // The guard is logwood-core's `FlushGuard`; its `Stats` always balance.
//! let stats = guard.shutdown(Duration::from_secs(5));
//! assert_eq!((stats.emitted, stats.sent, stats.dropped), (1, 1, 0));
//! assert!(stats.is_balanced());
//! # Ok(())
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `tls` (default): the TLS transports ([`SyslogLayerBuilder::tls`],
//!   [`SyslogLayerBuilder::relp_tls`], [`SyslogLayer::papertrail`]) with
//!   rustls and its `ring` provider.
//!   Requires nothing else; without it the crate has no TLS dependency.
//! - `opentelemetry`: trace correlation. With `tracing-opentelemetry` in
//!   the subscriber, messages of events inside a span carry its
//!   OpenTelemetry ids as the SD-PARAMs `trace_id` and `span_id` (lowercase
//!   hex; RFC 3164 as `trace_id=…` pairs). Requires logwood-core's
//!   `opentelemetry` feature (opentelemetry, tracing-opentelemetry).
//!
//! # Supported Rust versions
//!
//! Built and tested with Rust 1.95 (the manifest's `rust-version`).
#![doc(test(attr(deny(warnings))))]

mod builder;
mod delivery;
mod error;
mod format;
mod layer;
mod transport;
mod worker;

pub use builder::{CLOSE_TIMEOUT, DEFAULT_RELP_WINDOW, MAX_RECONNECT_INTERVAL};
#[allow(deprecated)]
pub use builder::{DEFAULT_BACKOFF_MAX, DEFAULT_BACKOFF_MIN};
pub use builder::{
    DEFAULT_BUFFER_CAPACITY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_CONTEXT_SD_ID,
    DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MSGID_FIELD, DEFAULT_RETRY_INITIAL, DEFAULT_RETRY_MAX,
    DEFAULT_SD_ID, DEFAULT_UDP_MAX_MESSAGE_SIZE, DEFAULT_UNIX_PATH, DEFAULT_WRITE_TIMEOUT,
    MAX_UDP_MESSAGE_SIZE, MIN_MAX_MESSAGE_SIZE, SyslogLayerBuilder,
};
pub use error::BuildError;
pub use format::{Facility, MessageFormat, Multiline, SyslogFormat, severity};
pub use layer::SyslogLayer;
pub use logwood_core::{
    DEFAULT_SHUTDOWN_TIMEOUT, DeliveryError, ErrorKind, FlushGuard, FlushTimeout, JitterMode,
    StaticContext, Stats, Value,
};
pub use transport::Framing;

/// The guard of a syslog layer: now core's [`FlushGuard`], the same in
/// every logwood layer.
#[deprecated(note = "use `FlushGuard` (its `flush` returns `Result<(), FlushTimeout>`)")]
pub type SyslogGuard = FlushGuard;

/// A delivery failure given to the `on_error` callback: now core's
/// [`DeliveryError`], the same in every logwood layer.
#[deprecated(note = "use `DeliveryError`")]
pub type SyslogError = DeliveryError;
