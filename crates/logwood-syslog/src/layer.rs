//! The layer: encode each event on the caller's thread, hand the records to
//! the worker's bounded queue.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use logwood_core::buf::with_scratch;
use logwood_core::context::ContextRecorder;
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::error::{ErrorKind, SyslogError};
use crate::format::{Encoder, Local};
use crate::stats::Shared;
use crate::worker::MAX_POOLED_CAPACITY;
use crate::{Stats, SyslogLayerBuilder};

/// A `tracing` layer that sends each event to a syslog server, from a
/// background thread.
///
/// Made by [`SyslogLayer::builder`] (or the [`papertrail`](Self::papertrail)
/// preset); `build()` returns the layer and a [`SyslogGuard`](crate::SyslogGuard)
/// that flushes on drop.
///
/// # Wire format
///
/// Each event becomes one record (or one per line, see
/// [`Multiline`](crate::Multiline)). PRI is `facility × 8 + severity`, with
/// severity ERROR 3, WARN 4, INFO 6, DEBUG 7, TRACE 7.
///
/// **RFC 5424** (default for TCP and TLS):
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
///   the context: the layer's static context with the span context merged
///   on top (inner span wins), plus `runtime.*` and `system.*` when enabled,
///   each leaf under its dotted path (`user.id`). Keeping the context in its
///   own element means an event field and a context key of the same name
///   never collide, and a PARAM-NAME keeps its 32 characters for the name.
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
/// fields, then the context leaves, follow the message as ` key=value`; a
/// value that is empty or holds a space, `"`, `=`, `\` or a control
/// character is double-quoted with `\"`, `\\`, `\n`, `\r`, `\t` escapes.
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
/// be forged by a line break.
///
/// # Delivery
///
/// The worker writes records in batches; before each batch on a stream it
/// checks whether the server has closed the connection (a restart), so
/// that no batch is written into a dead connection and silently lost. A
/// batch whose write fails is kept and written again after reconnecting
/// (so after a failure mid-write the server may see a few records twice);
/// while the server is unreachable the queue fills and further records are
/// dropped and counted (or the application waits, with
/// `drop_extra_events(false)`). Syslog over TCP has no acknowledgements:
/// `sent` means written to the socket.
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
    inner: Arc<Inner>,
    recorder: ContextRecorder,
}

pub(crate) struct Inner {
    pub(crate) encoder: Encoder,
    pub(crate) queue: Sender<Vec<u8>>,
    pub(crate) pool: Receiver<Vec<u8>>,
    /// Where the buffers of dropped records go back to.
    pub(crate) pool_return: Sender<Vec<u8>>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) drop_extra_events: bool,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::default());
}

impl fmt::Debug for SyslogLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyslogLayer")
            .field("format", &self.inner.encoder.format())
            .field("drop_extra_events", &self.inner.drop_extra_events)
            .field("stats", &self.inner.shared.snapshot())
            .finish_non_exhaustive()
    }
}

// === impl SyslogLayer ===

impl SyslogLayer {
    /// A builder; choose a transport with `udp`, `tcp`, `tls` or `unix`.
    ///
    /// # Default values
    ///
    /// | option | default |
    /// | --- | --- |
    /// | transport | [`unix`](SyslogLayerBuilder::unix)`("/dev/log")` |
    /// | [`format`](SyslogLayerBuilder::format) | RFC 5424 for TCP and TLS, RFC 3164 for UDP and Unix |
    /// | [`framing`](SyslogLayerBuilder::framing) | octet counting for TCP and TLS, LF for Unix stream |
    /// | [`multiline`](SyslogLayerBuilder::multiline) | [`SplitLines`](crate::Multiline::SplitLines) |
    /// | [`message_format`](SyslogLayerBuilder::message_format) | [`Text`](crate::MessageFormat::Text) |
    /// | [`facility`](SyslogLayerBuilder::facility) | [`User`](crate::Facility::User) |
    /// | [`app_name`](SyslogLayerBuilder::app_name) | the process name |
    /// | [`hostname`](SyslogLayerBuilder::hostname) | the system's host name |
    /// | [`sd_id`](SyslogLayerBuilder::sd_id) | [`DEFAULT_SD_ID`](crate::DEFAULT_SD_ID) (`logwood@32473`) |
    /// | [`context_sd_id`](SyslogLayerBuilder::context_sd_id) | [`DEFAULT_CONTEXT_SD_ID`](crate::DEFAULT_CONTEXT_SD_ID) (`ctx@32473`) |
    /// | [`msgid_field`](SyslogLayerBuilder::msgid_field) | [`DEFAULT_MSGID_FIELD`](crate::DEFAULT_MSGID_FIELD) (`msgid`) |
    /// | [`with_runtime`](SyslogLayerBuilder::with_runtime), [`with_system`](SyslogLayerBuilder::with_system) | `false` |
    /// | [`context_field`](SyslogLayerBuilder::context_field) | none |
    /// | [`max_message_size`](SyslogLayerBuilder::max_message_size) | [`DEFAULT_UDP_MAX_MESSAGE_SIZE`](crate::DEFAULT_UDP_MAX_MESSAGE_SIZE) (2048) for UDP, [`DEFAULT_MAX_MESSAGE_SIZE`](crate::DEFAULT_MAX_MESSAGE_SIZE) (65536) otherwise |
    /// | [`buffer_capacity`](SyslogLayerBuilder::buffer_capacity) | [`DEFAULT_BUFFER_CAPACITY`](crate::DEFAULT_BUFFER_CAPACITY) (10,000 records) |
    /// | [`drop_extra_events`](SyslogLayerBuilder::drop_extra_events) | `true` |
    /// | [`connect_timeout`](SyslogLayerBuilder::connect_timeout) | [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT) (5 s) |
    /// | [`write_timeout`](SyslogLayerBuilder::write_timeout) | [`DEFAULT_WRITE_TIMEOUT`](crate::DEFAULT_WRITE_TIMEOUT) (10 s) |
    /// | [`reconnect_backoff`](SyslogLayerBuilder::reconnect_backoff) | [`DEFAULT_BACKOFF_MIN`](crate::DEFAULT_BACKOFF_MIN) (100 ms) to [`DEFAULT_BACKOFF_MAX`](crate::DEFAULT_BACKOFF_MAX) (30 s) |
    /// | [`reconnect_jitter`](SyslogLayerBuilder::reconnect_jitter) | `true` |
    /// | [`shutdown_timeout`](SyslogLayerBuilder::shutdown_timeout) | [`DEFAULT_SHUTDOWN_TIMEOUT`](crate::DEFAULT_SHUTDOWN_TIMEOUT) (5 s) |
    /// | [`on_error`](SyslogLayerBuilder::on_error) | none |
    /// | [`log_internal_errors`](SyslogLayerBuilder::log_internal_errors) | `true` |
    /// | TLS: [`ca_file`](SyslogLayerBuilder::ca_file) | the system's root certificates |
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

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
            recorder: ContextRecorder::new(),
        }
    }

    /// The layer's counters now (also readable from the guard).
    pub fn stats(&self) -> Stats {
        self.inner.shared.snapshot()
    }
}

// === impl Inner ===

impl Inner {
    fn buffer(&self) -> Vec<u8> {
        self.pool
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(512))
    }

    /// Hands one record to the worker: never waits unless blocking was
    /// chosen; never fails (a drop is counted and reported).
    fn push(&self, record: Vec<u8>) {
        self.shared.emitted.incr();
        let result = if self.drop_extra_events {
            self.queue.try_send(record)
        } else {
            self.queue
                .send(record)
                .map_err(|e| TrySendError::Disconnected(e.into_inner()))
        };
        let (reason, mut buf) = match result {
            Ok(()) => return,
            Err(TrySendError::Full(buf)) => ("the queue is full (`buffer_capacity`)", buf),
            Err(TrySendError::Disconnected(buf)) => ("the worker has stopped", buf),
        };
        if buf.capacity() <= MAX_POOLED_CAPACITY {
            buf.clear();
            let _full = self.pool_return.try_send(buf);
        }
        self.shared.dropped.incr();
        self.shared.report(&SyslogError::new(
            ErrorKind::Dropped,
            format!("a record was dropped: {reason}"),
        ));
    }
}

impl<S> Layer<S> for SyslogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        self.recorder.on_new_span(attrs, id, &ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        self.recorder.on_record(id, values, &ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let inner = &*self.inner;
        let run = |local: &mut Local| {
            let truncated = with_scratch(|scratch| {
                inner
                    .encoder
                    .encode(event, &ctx, scratch, local, &mut || inner.buffer())
            });
            if truncated > 0 {
                inner.shared.truncated.add(truncated);
            }
            // No span lock is held here: the records may block in `send`.
            for record in local.records.drain(..) {
                inner.push(record);
            }
        };
        let reused = LOCAL.try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut local) => {
                run(&mut local);
                true
            }
            Err(_) => false,
        });
        if !matches!(reused, Ok(true)) {
            // Re-entered (an event from inside the error callback) or the
            // thread is being torn down.
            run(&mut Local::default());
        }
    }
}
