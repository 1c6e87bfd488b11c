//! The layer: core's layer skeleton with the syslog encoder and the queue
//! sink.

use std::fmt;

use logwood_core::__private::CoreLayer;
use logwood_core::Stats;

use crate::SyslogLayerBuilder;
use crate::delivery::QueueSink;
use crate::format::SyslogEncoder;

/// A `tracing` layer that sends each event to a syslog server, from a
/// background thread.
///
/// Made by [`SyslogLayer::builder`] (or the [`papertrail`](Self::papertrail)
/// preset); `build()` returns the layer and a
/// [`FlushGuard`](crate::FlushGuard) that flushes on drop.
///
/// # Wire format
///
/// Each event becomes one record (or one per line, see
/// [`Multiline`](crate::Multiline)). PRI is `facility × 8 + severity`, with
/// severity ERROR 3, WARN 4, INFO 6, DEBUG 7, TRACE 7.
///
/// **RFC 5424** (default for TCP, TLS and RELP):
///
/// ```text
/// <134>1 2026-11-20T03:44:21.221232Z web-1 shop 20643 - [logwood@32473 order_placed.id="1234" order_placed.total="520.23"][ctx@32473 user.id="42"] Order #1234 placed
/// ```
///
/// - TIMESTAMP: UTC with 6 fractional digits and `Z`. HOSTNAME (the
///   system's, ≤ 255), APP-NAME (the process name, ≤ 48), PROCID (the pid,
///   ≤ 128) and MSGID (≤ 32) hold printable US-ASCII only: every other
///   character becomes `_`, longer values are cut, an empty one is `-`.
/// - MSGID: the value of the event field named by
///   [`msgid_field`](crate::SyslogLayerBuilder::msgid_field) (`msgid` by
///   default), else `-`.
/// - STRUCTURED-DATA: two elements, each left out when empty (`-` when both
///   are). `[logwood@32473 …]` ([`sd_id`](crate::SyslogLayerBuilder::sd_id))
///   holds the event's fields; `[ctx@32473 …]`
///   ([`context_sd_id`](crate::SyslogLayerBuilder::context_sd_id)) holds
///   the context: `runtime.*` and `system.*` when enabled, then the
///   layer's static context with the span context merged on top (inner span
///   wins), each leaf under its dotted path (`user.id`). Keeping the context
///   in its own element means an event field and a context key of the same
///   name never collide, and a PARAM-NAME keeps its 32 characters for the
///   name.
/// - PARAM-NAME: the dotted field name, each character outside PRINTUSASCII
///   or one of `=`, space, `]`, `"` replaced by `_`; a name longer than 32
///   characters is cut to its first 23, then `~` and 8 hex digits of a hash
///   of the whole name (`a_very_long_field_name_~1f2e3d4c`). Fields whose
///   name starts with a reserved record key get a leading `_`, as in the
///   JSON record (`level` → `_level`). When two fields have the same name,
///   the later one wins.
/// - PARAM-VALUE: the value as text (numbers as digits, `?Debug` and
///   `%Display` as formatted), with `"`, `\` and `]` escaped by `\`.
/// - MSG: the message in UTF-8, without a BOM.
///
/// **RFC 3164** (default for UDP and Unix sockets), as Python's
/// `SysLogHandler` and the Papertrail docs show it:
///
/// ```text
/// <14>Jan  2 23:34:45 web-1 shop[20643]: Order #1234 placed order_placed.id=1234 user.id=42
/// ```
///
/// The timestamp is UTC with the day space-padded; the TAG is the app name
/// cut to 32 characters, with `[`, `]`, `:` and spaces replaced by `_`. The
/// fields, then the context leaves (`runtime.*`, `system.*`, static and
/// span context), follow the message as ` key=value`, with the `key=value`
/// rules every logwood layer shares (the pattern layer's too): a value
/// that is empty or holds a space, a control character, `"` or `=` is
/// double-quoted, with `"` and `\` escaped by `\`, `\n`, `\r`, `\t` written
/// as such and other control characters as `\u00XX`, so a value never holds
/// a raw line break (a backslash alone does not quote: `C:\dir`); in keys,
/// spaces, control characters, `=` and `"` become `_`.
///
/// **Multi-line messages**: with [`Multiline::SplitLines`](crate::Multiline::SplitLines)
/// (the default) each non-empty line is its own record with the same
/// header. The event's fields go with the first line only; the context goes
/// with every line, so each line of a backtrace can still be found by its
/// `request.id`:
///
/// ```text
/// <11>1 2026-11-20T03:44:21.221232Z web-1 shop 20643 - [logwood@32473 code="7"][ctx@32473 request.id="42"] panicked
/// <11>1 2026-11-20T03:44:21.221232Z web-1 shop 20643 - [ctx@32473 request.id="42"]   at src/main.rs:10
/// <11>Nov 20 03:44:21 web-1 shop[20643]: panicked code=7 request.id=42
/// <11>Nov 20 03:44:21 web-1 shop[20643]:   at src/main.rs:10 request.id=42
/// ```
///
/// With [`MessageFormat::Json`](crate::MessageFormat::Json) MSG is the whole
/// logwood JSON record instead (as `logwood-json` writes it) and no
/// structured data is sent.
///
/// **Size**: a record longer than
/// [`max_message_size`](crate::SyslogLayerBuilder::max_message_size) (2048
/// bytes for UDP, 64 KiB otherwise) is cut on a UTF-8 boundary and counted
/// in [`Stats::truncated`]; if the header and structured data alone exceed
/// it, the structured data is replaced by `-` first.
///
/// **Framing** on streams: RFC 6587 octet counting by default; with LF
/// framing every `\n` inside a record is sent as a space, so no record can
/// be forged by a line break. RELP carries each record as the DATA of one
/// `syslog` command (`TXNR syslog LEN RECORD\n`), length-delimited like
/// octet counting.
///
/// # Delivery
///
/// Events are encoded on the application's thread and handed to a bounded
/// queue of [`buffer_capacity`](crate::SyslogLayerBuilder::buffer_capacity)
/// records (core's queue, the same contract as every logwood layer with a
/// worker): when it is full a record is dropped, counted in
/// [`Stats::dropped`] and reported (or, with
/// [`drop_extra_events(false)`](crate::SyslogLayerBuilder::drop_extra_events),
/// the application's thread waits for room). A worker thread takes the
/// queued records and delivers them; [`Stats`] always balances:
/// `emitted = sent + dropped + failed + queued`, where `queued` holds what
/// is in the queue, in the worker's hands, or (RELP) awaiting its
/// acknowledgement.
///
/// **What `sent` means** is what each transport can prove:
///
/// | transport | a record is `sent` when | what a server restart can cost |
/// | --- | --- | --- |
/// | UDP, Unix datagram | the datagram is handed to the socket | anything, silently (no delivery signal at all) |
/// | TCP, TLS, Unix stream | its bytes are written to the socket | the records the server had not read when it stopped: a few, counted as `sent` (there are no acknowledgements) |
/// | RELP, RELP over TLS | the server acknowledged it (`rsp 200`) | nothing: unacknowledged records are sent again |
///
/// **Streams** (TCP, TLS, Unix stream): the worker writes everything queued
/// as one batch; before each write it checks whether the server has closed
/// the connection (a restart), so that no batch is written into a dead
/// connection. A batch whose write fails is kept and written again after
/// reconnecting; after a failure mid-write the server may see a few
/// records twice.
///
/// **RELP** ([`relp`](crate::SyslogLayerBuilder::relp), rsyslog's `imrelp`):
/// up to [`relp_window`](crate::SyslogLayerBuilder::relp_window) records
/// ([`DEFAULT_RELP_WINDOW`](crate::DEFAULT_RELP_WINDOW), 128) are in
/// flight, each a `syslog` transaction the server answers. A record counts
/// as `sent` when its `200` answer arrives; a record the server answers
/// with anything else is counted `failed` (and `rejected`), reported as
/// [`Rejected`](crate::ErrorKind::Rejected) and not sent again. When the
/// session breaks (the server's `serverclose`, end of stream, a write
/// error, or no answer within
/// [`write_timeout`](crate::SyslogLayerBuilder::write_timeout)), the worker
/// reconnects and **sends every unacknowledged record again**, in order,
/// counting them in `retried`. Nothing is lost, but a record the server
/// had processed before its acknowledgement was lost arrives twice: **at
/// most the records of one window may be duplicated after a reconnect**.
/// A record on which the server ends the session three times in a row,
/// without answering anything, is given up (`failed`, `Rejected`), so that
/// one record the server cannot take does not stop delivery.
///
/// **Reconnecting**: a connection that worked and then broke is made again
/// at once; further failures wait with exponential backoff and full jitter
/// ([`retry_initial`](crate::SyslogLayerBuilder::retry_initial) up to
/// [`retry_max`](crate::SyslogLayerBuilder::retry_max)), except that while
/// the server refuses or does not answer connections the wait is capped at
/// [`MAX_RECONNECT_INTERVAL`](crate::MAX_RECONNECT_INTERVAL) (1 s), so that
/// delivery resumes within about a second of the server's return. A
/// [`flush`](crate::FlushGuard::flush) or a shutdown ends a wait and tries
/// at once. While the server is unreachable the worker keeps its batch (or
/// window) and the queue fills; further records are dropped and counted.
///
/// Every failure is counted in [`Stats`] and given to the
/// [`on_error`](crate::SyslogLayerBuilder::on_error) callback as a
/// [`DeliveryError`](crate::DeliveryError); the first of each
/// [`ErrorKind`](crate::ErrorKind) is printed on stderr: `Resolve`,
/// `Connect`, `Tls`, `Write` and `Timeout` (RELP: no answer in time; all
/// retried), `Dropped` (a full queue), `Rejected` (a datagram the socket
/// refuses as too large, a record the RELP server refuses), `Encode` (an
/// event whose field's `Debug` panicked), `Closed` (a record after the
/// shutdown) and `Deadline` (records unsent, or unacknowledged over RELP,
/// at the shutdown deadline).
///
/// The guard ([`FlushGuard`](crate::FlushGuard)) flushes with a timeout
/// (over RELP a flush waits for the acknowledgements), and on drop or
/// [`shutdown`](crate::FlushGuard::shutdown) delivers what is queued until
/// the deadline, then closes the connection: RELP with `close`, TLS with
/// close_notify, waiting at most
/// [`CLOSE_TIMEOUT`](crate::CLOSE_TIMEOUT) (100 ms) for the server's side;
/// it shuts the socket down at the deadline if the server does not read,
/// and counts what is left as `failed`.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::prelude::*;
/// use logwood_syslog::SyslogLayer;
///
/// # #[allow(dead_code)]
/// # fn docs() -> Result<(), logwood_syslog::BuildError> {
/// let (layer, _guard) = SyslogLayer::builder().tcp("127.0.0.1:514").build()?;
/// tracing_subscriber::registry().with(layer).init();
/// tracing::info!(order.id = 1234, "Order placed");
/// # Ok(())
/// # }
/// ```
pub struct SyslogLayer {
    inner: CoreLayer<SyslogEncoder, QueueSink>,
}

logwood_core::forward_layer!(impl<> SyslogLayer, inner);

impl fmt::Debug for SyslogLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyslogLayer")
            .field("format", &self.inner.encoder().format())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

// === impl SyslogLayer ===

impl SyslogLayer {
    /// A builder; choose a transport with `udp`, `tcp`, `tls`, `unix`,
    /// `relp` or `relp_tls`.
    ///
    /// # Default values
    ///
    /// | option | default |
    /// | --- | --- |
    /// | transport | [`unix`](SyslogLayerBuilder::unix)`("/dev/log")` |
    /// | [`format`](SyslogLayerBuilder::format) | RFC 5424 for TCP, TLS and RELP, RFC 3164 for UDP and Unix |
    /// | [`framing`](SyslogLayerBuilder::framing) | octet counting for TCP and TLS, LF for Unix stream (RELP frames records itself) |
    /// | [`multiline`](SyslogLayerBuilder::multiline) | [`SplitLines`](crate::Multiline::SplitLines) |
    /// | [`message_format`](SyslogLayerBuilder::message_format) | [`Text`](crate::MessageFormat::Text) |
    /// | [`message_pattern`](SyslogLayerBuilder::message_pattern) | none: MSG is the message as it is |
    /// | [`facility`](SyslogLayerBuilder::facility) | [`User`](crate::Facility::User) |
    /// | [`app_name`](SyslogLayerBuilder::app_name) | the process name |
    /// | [`hostname`](SyslogLayerBuilder::hostname) | the system's host name |
    /// | [`sd_id`](SyslogLayerBuilder::sd_id) | [`DEFAULT_SD_ID`](crate::DEFAULT_SD_ID) (`logwood@32473`) |
    /// | [`context_sd_id`](SyslogLayerBuilder::context_sd_id) | [`DEFAULT_CONTEXT_SD_ID`](crate::DEFAULT_CONTEXT_SD_ID) (`ctx@32473`) |
    /// | [`msgid_field`](SyslogLayerBuilder::msgid_field) | [`DEFAULT_MSGID_FIELD`](crate::DEFAULT_MSGID_FIELD) (`msgid`) |
    /// | [`with_runtime`](SyslogLayerBuilder::with_runtime), [`with_system`](SyslogLayerBuilder::with_system) | `false` (the header names host, app and process) |
    /// | [`context_field`](SyslogLayerBuilder::context_field), [`context`](SyslogLayerBuilder::context) | none |
    /// | [`lift_message_fields`](SyslogLayerBuilder::lift_message_fields) | `false` |
    /// | [`max_message_size`](SyslogLayerBuilder::max_message_size) | [`DEFAULT_UDP_MAX_MESSAGE_SIZE`](crate::DEFAULT_UDP_MAX_MESSAGE_SIZE) (2048) for UDP, [`DEFAULT_MAX_MESSAGE_SIZE`](crate::DEFAULT_MAX_MESSAGE_SIZE) (65536) otherwise |
    /// | [`buffer_capacity`](SyslogLayerBuilder::buffer_capacity) | [`DEFAULT_BUFFER_CAPACITY`](crate::DEFAULT_BUFFER_CAPACITY) (10,000 records) |
    /// | [`drop_extra_events`](SyslogLayerBuilder::drop_extra_events) | `true` |
    /// | [`shutdown_timeout`](SyslogLayerBuilder::shutdown_timeout) | [`DEFAULT_SHUTDOWN_TIMEOUT`](crate::DEFAULT_SHUTDOWN_TIMEOUT) (5 s) |
    /// | [`connect_timeout`](SyslogLayerBuilder::connect_timeout) | [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT) (5 s) |
    /// | [`write_timeout`](SyslogLayerBuilder::write_timeout) | [`DEFAULT_WRITE_TIMEOUT`](crate::DEFAULT_WRITE_TIMEOUT) (10 s; RELP: also the longest wait for an acknowledgement) |
    /// | [`retry_initial`](SyslogLayerBuilder::retry_initial) | [`DEFAULT_RETRY_INITIAL`](crate::DEFAULT_RETRY_INITIAL) (100 ms) |
    /// | [`retry_max`](SyslogLayerBuilder::retry_max) | [`DEFAULT_RETRY_MAX`](crate::DEFAULT_RETRY_MAX) (30 s; at most [`MAX_RECONNECT_INTERVAL`](crate::MAX_RECONNECT_INTERVAL), 1 s, while the server is unreachable) |
    /// | [`relp_window`](SyslogLayerBuilder::relp_window) | [`DEFAULT_RELP_WINDOW`](crate::DEFAULT_RELP_WINDOW) (128 records) |
    /// | [`retry_jitter`](SyslogLayerBuilder::retry_jitter) | [`JitterMode::Full`](crate::JitterMode::Full) |
    /// | [`on_error`](SyslogLayerBuilder::on_error) | none |
    /// | [`log_internal_errors`](SyslogLayerBuilder::log_internal_errors) | `true` |
    /// | TLS (`tls`, `relp_tls`): [`ca_file`](SyslogLayerBuilder::ca_file) | the system's root certificates |
    /// | TLS: [`server_name`](SyslogLayerBuilder::server_name) | the host of the address |
    /// | TLS: [`client_cert`](SyslogLayerBuilder::client_cert) / [`client_key`](SyslogLayerBuilder::client_key) | none |
    pub fn builder() -> SyslogLayerBuilder {
        SyslogLayerBuilder::new()
    }

    /// A builder preset for [Papertrail](https://www.papertrail.com): TLS
    /// to `address` (`logsN.papertrailapp.com:XXXXX`, from the Papertrail
    /// "Log destinations" page), verified with the system's root
    /// certificates, RFC 5424 with octet counting, one record per line.
    /// Every other option can still be changed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use tracing_subscriber::prelude::*;
    /// use logwood_syslog::{MessageFormat, SyslogLayer};
    ///
    /// # fn main() -> Result<(), logwood_syslog::BuildError> {
    /// let (layer, _guard) = SyslogLayer::papertrail("logs5.papertrailapp.com:12345")
    ///     .app_name("shop")
    ///     // The whole record as JSON, for Papertrail's JSON search.
    ///     .message_format(MessageFormat::Json)
    ///     .build()?;
    /// tracing_subscriber::registry().with(layer).init();
    /// tracing::info!(order.id = 1234, "Order placed");
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    pub fn papertrail(address: impl fmt::Display) -> SyslogLayerBuilder {
        SyslogLayerBuilder::new()
            .tls(address)
            .format(crate::SyslogFormat::Rfc5424)
            .framing(crate::Framing::OctetCounting)
            .multiline(crate::Multiline::SplitLines)
    }

    pub(crate) fn from_inner(inner: CoreLayer<SyslogEncoder, QueueSink>) -> Self {
        Self { inner }
    }

    /// The layer's counters now (also readable from the guard).
    pub fn stats(&self) -> Stats {
        self.inner.sink().stats()
    }
}
