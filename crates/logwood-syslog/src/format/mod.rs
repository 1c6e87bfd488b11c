//! Turning an event into syslog records: the header of RFC 5424 or RFC 3164,
//! the structured data or `key=value` text, the message, line splitting and
//! the size limit.

pub(crate) mod escape;
pub(crate) mod rfc3164;
pub(crate) mod rfc5424;

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use logwood_core::buf::Scratch;
use logwood_core::context::{Map, Merged, SpanContext, SpanInfo, Value};
use logwood_core::encode::{Format, Json, Text};
use logwood_core::field::EventFields;
use logwood_core::meta;
use logwood_core::record::{Record, RecordOptions, write_record};
use tracing_core::{Event, Level, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use rfc5424::SdWriter;

/// The syslog message format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyslogFormat {
    /// RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`,
    /// microsecond UTC timestamps, fields as structured data. The default
    /// for TCP and TLS.
    Rfc5424,
    /// RFC 3164 (BSD syslog): `<PRI>Mmm dd hh:mm:ss HOSTNAME APP[PID]: MSG`,
    /// fields appended to MSG as ` key=value`. The default for UDP and Unix
    /// sockets.
    Rfc3164,
}

/// What MSG holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageFormat {
    /// The event's message; with RFC 3164 followed by the fields and context
    /// as ` key=value` (with RFC 5424 they are in the structured data).
    #[default]
    Text,
    /// The whole logwood record as one JSON object (`dt`, `level`,
    /// `message`, the fields, `context`), as the JSON layer writes it: for
    /// JSON search in Papertrail and similar services. No structured data
    /// is sent.
    Json,
}

/// What happens to line breaks in a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Multiline {
    /// Each line of the message becomes its own record, in order, with the
    /// same header (the Papertrail advice); the fields go with the first
    /// line; empty lines are skipped.
    #[default]
    SplitLines,
    /// The message stays one record with its line breaks. Safe only where
    /// records are delimited by length: UDP, Unix datagrams and TCP/TLS with
    /// octet counting (`build` refuses it with LF framing).
    KeepNewlines,
}

/// The syslog facility (RFC 5424 table 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Facility {
    /// Kernel messages (0).
    Kern,
    /// User-level messages (1), the default.
    #[default]
    User,
    /// Mail system (2).
    Mail,
    /// System daemons (3).
    Daemon,
    /// Security/authorization messages (4).
    Auth,
    /// Messages generated internally by syslogd (5).
    Syslog,
    /// Line printer subsystem (6).
    Lpr,
    /// Network news subsystem (7).
    News,
    /// UUCP subsystem (8).
    Uucp,
    /// Clock daemon (9).
    Cron,
    /// Security/authorization messages (10).
    Authpriv,
    /// FTP daemon (11).
    Ftp,
    /// NTP subsystem (12).
    Ntp,
    /// Log audit (13).
    Audit,
    /// Log alert (14).
    Alert,
    /// Clock daemon (15).
    Clock,
    /// Local use 0 (16).
    Local0,
    /// Local use 1 (17).
    Local1,
    /// Local use 2 (18).
    Local2,
    /// Local use 3 (19).
    Local3,
    /// Local use 4 (20).
    Local4,
    /// Local use 5 (21).
    Local5,
    /// Local use 6 (22).
    Local6,
    /// Local use 7 (23).
    Local7,
}

// === impl Facility ===

impl Facility {
    /// The facility's number: `user` is 1, `local0` is 16.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The syslog severity of a `tracing` level: ERROR 3 (err), WARN 4
/// (warning), INFO 6 (info), DEBUG and TRACE 7 (debug).
pub fn severity(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

fn level_index(level: &Level) -> usize {
    match *level {
        Level::TRACE => 0,
        Level::DEBUG => 1,
        Level::INFO => 2,
        Level::WARN => 3,
        Level::ERROR => 4,
    }
}

const LEVELS: [Level; 5] = [
    Level::TRACE,
    Level::DEBUG,
    Level::INFO,
    Level::WARN,
    Level::ERROR,
];

/// What the encoder needs, validated by the builder.
#[derive(Debug)]
pub(crate) struct EncoderConfig {
    pub(crate) format: SyslogFormat,
    pub(crate) message_format: MessageFormat,
    pub(crate) multiline: Multiline,
    pub(crate) max_message_size: usize,
    pub(crate) facility: Facility,
    pub(crate) hostname: String,
    pub(crate) app_name: String,
    pub(crate) pid: u32,
    pub(crate) sd_id: String,
    pub(crate) context_sd_id: String,
    pub(crate) msgid_field: String,
    pub(crate) opts: RecordOptions,
    pub(crate) clock: fn() -> SystemTime,
}

/// Encodes events into records (one syslog message each, unframed).
#[derive(Debug)]
pub(crate) struct Encoder {
    config: EncoderConfig,
    /// `<PRI>1 ` (RFC 5424) or `<PRI>` (RFC 3164) per level.
    pri: [Box<[u8]>; 5],
    /// ` HOSTNAME APP-NAME PROCID ` or ` HOSTNAME TAG[PID]: `.
    fixed: Box<[u8]>,
    /// Process-unique, the key of the per-thread context cache.
    id: u64,
}

/// A thread's buffers for encoding: the records of one event, the path
/// buffer of the context walk, and the last context encoded.
#[derive(Debug, Default)]
pub(crate) struct Local {
    pub(crate) records: Vec<Vec<u8>>,
    path: String,
    context: Option<ContextCache>,
    /// The current event's span context (for the cache).
    span: Option<Arc<Merged>>,
}

/// The static and span context of one span, encoded as SD-PARAMs or
/// ` key=value` text by one encoder. Holding the `Arc` keeps the context
/// alive, so its address cannot be reused by another while it is cached;
/// a span's `Merged` never changes (`Span::record` makes a new one).
#[derive(Debug)]
struct ContextCache {
    encoder: u64,
    merged: Arc<Merged>,
    bytes: Vec<u8>,
}

/// The event's span: its name and merged context (the nearest ancestor's
/// when a span has none of its own), with no span lock held afterwards.
fn event_span<S>(ctx: &Context<'_, S>, event: &Event<'_>) -> Option<(&'static str, Arc<Merged>)>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let span = ctx.event_span(event)?;
    let function = span.metadata().name();
    let own = span
        .extensions()
        .get::<SpanContext>()
        .map(|c| c.merged().clone());
    let merged = own.unwrap_or_else(|| {
        span.scope()
            .find_map(|s| {
                s.extensions()
                    .get::<SpanContext>()
                    .map(|c| c.merged().clone())
            })
            .unwrap_or_else(Merged::empty)
    });
    Some((function, merged))
}

/// A scalar of the context, borrowed.
enum Leaf<'a> {
    Str(&'a str),
    U64(u64),
    Value(&'a Value),
}

/// Where a record's parts are.
struct Parts {
    sd: Option<Range<usize>>,
    msg_start: usize,
}

// === impl Encoder ===

impl Encoder {
    pub(crate) fn new(config: EncoderConfig) -> Self {
        let facility = config.facility.code();
        let pri = LEVELS.map(|level| {
            let pri = facility * 8 + severity(&level);
            match config.format {
                SyslogFormat::Rfc5424 => rfc5424::pri_version(pri),
                SyslogFormat::Rfc3164 => rfc3164::pri(pri),
            }
        });
        let fixed = match config.format {
            SyslogFormat::Rfc5424 => {
                rfc5424::fixed_header(&config.hostname, &config.app_name, &config.pid.to_string())
            }
            SyslogFormat::Rfc3164 => {
                rfc3164::fixed_header(&config.hostname, &config.app_name, config.pid)
            }
        };
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Self {
            config,
            pri,
            fixed,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub(crate) fn format(&self) -> SyslogFormat {
        self.config.format
    }

    /// Encodes `event` into one or more records, each in a buffer from
    /// `alloc`, appended to `local.records`. Returns how many were
    /// truncated.
    ///
    /// No span lock is held while encoding: the span's context is shared
    /// (`Arc`) and immutable.
    pub(crate) fn encode<S>(
        &self,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
        scratch: &mut Scratch,
        local: &mut Local,
        alloc: &mut impl FnMut() -> Vec<u8>,
    ) -> u64
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let time = (self.config.clock)();
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let Scratch { out, fields } = scratch;
        fields.clear(normalized.is_some());
        let json = self.config.message_format == MessageFormat::Json;
        if json {
            event.record(&mut fields.visitor::<Json>());
        } else {
            event.record(&mut fields.visitor::<Text>());
        }

        let mut first = alloc();
        self.write_header(
            &mut first,
            meta.level(),
            time,
            msgid(fields, &self.config.msgid_field, json),
        );
        let header_len = first.len();

        // `out`: the JSON record, or the RFC 3164 ` key=value` text.
        let span = event_span(ctx, event);
        let info = span
            .as_ref()
            .map(|(function, merged)| SpanInfo { function, merged });
        local.span = span.as_ref().map(|(_, merged)| merged.clone());
        if json {
            let record = Record {
                time,
                meta,
                span: info,
            };
            write_record::<Json>(out, &record, fields, &self.config.opts);
        } else {
            match self.config.format {
                SyslogFormat::Rfc5424 => self.write_sd(&mut first, fields, info, meta, local),
                SyslogFormat::Rfc3164 => self.write_kv(out, fields, info, meta, local),
            }
        }
        drop(span);
        local.span = None;
        let sd = (self.config.format == SyslogFormat::Rfc5424).then(|| {
            if json {
                first.push(b'-');
            }
            header_len..first.len()
        });

        let mut truncated = 0;
        if json {
            let msg_start = self.begin_msg(&mut first, out.is_empty());
            first.extend_from_slice(out);
            truncated += u64::from(self.limit(&mut first, Parts { sd, msg_start }));
            local.records.push(first);
            return truncated;
        }

        let message = fields.message().unwrap_or_default();
        let kv: &[u8] = out;
        let split = self.config.multiline == Multiline::SplitLines && message.contains(&b'\n');
        if !split {
            let msg_start = self.begin_msg(&mut first, message.is_empty() && kv.is_empty());
            first.extend_from_slice(message);
            push_kv(&mut first, kv, message.is_empty());
            truncated += u64::from(self.limit(&mut first, Parts { sd, msg_start }));
            local.records.push(first);
            return truncated;
        }
        let records = &mut local.records;
        let mut lines = message
            .split(|&b| b == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
            .filter(|line| !line.is_empty());
        let head = lines.next().unwrap_or_default();
        let msg_start = self.begin_msg(&mut first, head.is_empty() && kv.is_empty());
        first.extend_from_slice(head);
        push_kv(&mut first, kv, head.is_empty());
        let first_parts = Parts { sd, msg_start };
        let first_index = records.len();
        records.push(first);
        for line in lines {
            let mut next = alloc();
            next.extend_from_slice(&records[first_index][..header_len]);
            let sd = (self.config.format == SyslogFormat::Rfc5424).then(|| {
                next.push(b'-');
                header_len..next.len()
            });
            let msg_start = self.begin_msg(&mut next, false);
            next.extend_from_slice(line);
            truncated += u64::from(self.limit(&mut next, Parts { sd, msg_start }));
            records.push(next);
        }
        truncated += u64::from(self.limit(&mut records[first_index], first_parts));
        truncated
    }

    /// Writes the header: RFC 5424 up to the space before SD, RFC 3164 up
    /// to the space before MSG.
    fn write_header(
        &self,
        out: &mut Vec<u8>,
        level: &Level,
        time: SystemTime,
        msgid: Option<&str>,
    ) {
        let pri = &self.pri[level_index(level)];
        match self.config.format {
            SyslogFormat::Rfc5424 => rfc5424::write_header(out, pri, time, &self.fixed, msgid),
            SyslogFormat::Rfc3164 => rfc3164::write_header(out, pri, time, &self.fixed),
        }
    }

    /// Ends the header part and returns where MSG starts: RFC 5424 puts a
    /// space after SD unless MSG is empty.
    fn begin_msg(&self, out: &mut Vec<u8>, empty: bool) -> usize {
        if self.config.format == SyslogFormat::Rfc5424 && !empty {
            out.push(b' ');
        }
        out.len()
    }

    /// Cuts `record` to `max_message_size` on a UTF-8 boundary; when the
    /// header and structured data alone are too long, the structured data
    /// is replaced by `-` first. Returns whether it cut.
    fn limit(&self, record: &mut Vec<u8>, parts: Parts) -> bool {
        let max = self.config.max_message_size;
        if record.len() <= max {
            return false;
        }
        if let Some(sd) = parts.sd.filter(|sd| parts.msg_start > max && sd.len() > 1) {
            record.splice(sd, [b'-']);
        }
        let cut = escape::utf8_floor(record, max);
        record.truncate(cut);
        true
    }

    /// RFC 5424 structured data: `[logwood@32473 field="v" …][ctx@32473
    /// user.id="42" …]`, or `-`.
    fn write_sd(
        &self,
        out: &mut Vec<u8>,
        fields: &mut EventFields,
        span: Option<SpanInfo<'_>>,
        meta: &Metadata<'_>,
        local: &mut Local,
    ) {
        let mut sd = SdWriter::new();
        let sd_id = &self.config.sd_id;
        let msgid_field = &*self.config.msgid_field;
        sd.begin(out, sd_id);
        fields.for_each_kept(|head, name, value| {
            if head.is_empty() && name == msgid_field {
                return;
            }
            SdWriter::param(out, &[head, name], value);
        });
        sd.end(out, sd_id.len());
        let ctx_id = &self.config.context_sd_id;
        sd.begin(out, ctx_id);
        self.metadata_leaves(span, meta, &mut |path, leaf| sd_leaf(out, path, leaf));
        self.context(out, span, local, sd_leaf);
        sd.end(out, ctx_id.len());
        sd.finish(out);
    }

    /// RFC 3164: ` key=value` for each field, then each context leaf.
    fn write_kv(
        &self,
        out: &mut Vec<u8>,
        fields: &mut EventFields,
        span: Option<SpanInfo<'_>>,
        meta: &Metadata<'_>,
        local: &mut Local,
    ) {
        fields.for_each_kept(|head, name, value| {
            out.push(b' ');
            escape::kv_key(out, &[head, name]);
            out.push(b'=');
            escape::kv_value(out, value);
        });
        self.metadata_leaves(span, meta, &mut |path, leaf| kv_leaf(out, path, leaf));
        self.context(out, span, local, kv_leaf);
    }

    /// Writes the static context with the span context merged on top, each
    /// leaf with `write`; the span's encoding is cached per thread.
    fn context(
        &self,
        out: &mut Vec<u8>,
        span: Option<SpanInfo<'_>>,
        local: &mut Local,
        write: fn(&mut Vec<u8>, &str, Leaf<'_>),
    ) {
        let Some(span) = span else {
            let path = &mut local.path;
            path.clear();
            self.config
                .opts
                .context
                .map()
                .for_each_leaf(path, &mut |p, v| write(out, p, Leaf::Value(v)));
            return;
        };
        if let Some(cache) = &local.context
            && cache.encoder == self.id
            && std::ptr::eq(Arc::as_ptr(&cache.merged), span.merged)
        {
            out.extend_from_slice(&cache.bytes);
            return;
        }
        let mut cache = local.context.take().unwrap_or_else(|| ContextCache {
            encoder: self.id,
            merged: Merged::empty(),
            bytes: Vec::new(),
        });
        cache.bytes.clear();
        self.context_leaves(span.merged, &mut local.path, &mut |p, v| {
            write(&mut cache.bytes, p, Leaf::Value(v));
        });
        out.extend_from_slice(&cache.bytes);
        if let Some(merged) = local.span.clone()
            && cache.bytes.capacity() <= 16 * 1024
        {
            cache.encoder = self.id;
            cache.merged = merged;
            local.context = Some(cache);
        }
    }

    /// `runtime.*` and `system.*`, when enabled.
    fn metadata_leaves(
        &self,
        span: Option<SpanInfo<'_>>,
        meta: &Metadata<'_>,
        f: &mut impl FnMut(&str, Leaf<'_>),
    ) {
        let opts = &self.config.opts;
        if opts.runtime {
            if let Some(span) = span {
                f("runtime.function", Leaf::Str(span.function));
            }
            if let Some(module) = meta.module_path() {
                f("runtime.module", Leaf::Str(module));
            }
            if let Some(file) = meta.file() {
                f("runtime.file", Leaf::Str(file));
            }
            if let Some(line) = meta.line() {
                f("runtime.line", Leaf::U64(line.into()));
            }
            f("runtime.thread_id", Leaf::U64(meta::thread_id()));
            meta::thread_name(|name| {
                if let Some(name) = name {
                    f("runtime.thread_name", Leaf::Str(name));
                }
            });
            f("runtime.logger_name", Leaf::Str(meta.target()));
        }
        if opts.system {
            let system = meta::system();
            f("system.pid", Leaf::U64(system.pid.into()));
            f("system.process_name", Leaf::Str(&system.process_name));
            f("system.hostname", Leaf::Str(&system.hostname));
        }
    }

    /// Calls `f` with each leaf of the static context with `merged` on top,
    /// and its dotted path.
    fn context_leaves(&self, merged: &Merged, path: &mut String, f: &mut impl FnMut(&str, &Value)) {
        path.clear();
        let fixed = self.config.opts.context.map();
        let span = merged.map();
        if span.is_empty() {
            fixed.for_each_leaf(path, f);
        } else if fixed.shares_key_with(span) {
            let mut both: Map = fixed.clone();
            both.merge(span);
            both.for_each_leaf(path, f);
        } else {
            fixed.for_each_leaf(path, f);
            span.for_each_leaf(path, f);
        }
    }
}

/// Writes ` NAME="VALUE"`.
fn sd_leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>) {
    match leaf {
        Leaf::Str(s) => SdWriter::param(out, &[path], s.as_bytes()),
        Leaf::U64(v) => SdWriter::leaf(out, path, &Value::U64(v)),
        Leaf::Value(v) => SdWriter::leaf(out, path, v),
    }
}

/// Writes ` key=value`.
fn kv_leaf(out: &mut Vec<u8>, path: &str, leaf: Leaf<'_>) {
    out.push(b' ');
    escape::kv_key(out, &[path]);
    out.push(b'=');
    match leaf {
        Leaf::Str(s) => escape::kv_value(out, s.as_bytes()),
        Leaf::Value(Value::Str(s)) => escape::kv_value(out, s.as_bytes()),
        Leaf::U64(v) => Text::write_u64(out, v),
        Leaf::Value(v) => {
            let start = out.len();
            logwood_core::encode::write_value::<Text>(out, v);
            if out.len() == start {
                out.extend_from_slice(b"\"\"");
            }
        }
    }
}

/// Appends the ` key=value` text after the message (without its leading
/// space when there is no message).
fn push_kv(out: &mut Vec<u8>, kv: &[u8], no_message: bool) {
    if no_message {
        out.extend_from_slice(kv.strip_prefix(b" ").unwrap_or(kv));
    } else {
        out.extend_from_slice(kv);
    }
}

/// The MSGID: the value of the field named `name` (a string's text, a
/// number's digits), if there is one.
fn msgid<'a>(fields: &'a EventFields, name: &str, json: bool) -> Option<&'a str> {
    if name.is_empty() {
        return None;
    }
    let (_, _, value) = fields
        .iter()
        .find(|(head, n, _)| head.is_empty() && *n == name)?;
    let value = if json {
        match value
            .strip_prefix(b"\"")
            .and_then(|v| v.strip_suffix(b"\""))
        {
            Some(inner) if !inner.contains(&b'\\') => inner,
            Some(_) => return None,
            None => value,
        }
    } else {
        value
    };
    std::str::from_utf8(value).ok()
}

#[cfg(test)]
mod tests {
    use std::net::UdpSocket;
    use std::time::{Duration, UNIX_EPOCH};

    use logwood_testkit::{DynValue, dispatch_dynamic_event};
    use tracing_subscriber::prelude::*;

    use crate::{Stats, SyslogLayer, SyslogLayerBuilder};

    use super::*;

    /// 2026-01-02T23:34:45.123456Z
    fn fixed_clock() -> SystemTime {
        UNIX_EPOCH + Duration::from_micros(1_767_396_885_123_456)
    }

    /// Runs `emit` under a layer made by `configure` sending over UDP to a
    /// socket of the test; returns the datagrams and the final stats.
    fn capture(
        configure: impl FnOnce(SyslogLayerBuilder) -> SyslogLayerBuilder,
        emit: impl FnOnce(),
    ) -> (Vec<String>, Stats) {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let builder = SyslogLayer::builder()
            .udp(server.local_addr().unwrap())
            .hostname("web-1")
            .app_name("shop")
            .log_internal_errors(false)
            .clock(fixed_clock);
        let (layer, guard) = configure(builder).build().unwrap();
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), emit);
        let stats = guard.shutdown(Duration::from_secs(10));
        server.set_nonblocking(true).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0; 70_000];
        while let Ok(n) = server.recv(&mut buf) {
            out.push(String::from_utf8(buf[..n].to_vec()).unwrap());
        }
        (out, stats)
    }

    fn pid() -> u32 {
        std::process::id()
    }

    #[test]
    fn rfc5424_record_is_exact_with_a_fixed_clock() {
        let (records, stats) = capture(
            |b| {
                b.format(SyslogFormat::Rfc5424)
                    .context_field("service", "shop-api")
            },
            || {
                let span = tracing::info_span!("place_order", user.id = 42, note = "a \"q\" ]");
                let _e = span.enter();
                tracing::error!(
                    order.id = 1234_u64,
                    total = 520.23,
                    msgid = "ORDER",
                    "Order #1234 placed é€"
                );
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![format!(
                "<11>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} ORDER \
                 [logwood@32473 order.id=\"1234\" total=\"520.23\"]\
                 [ctx@32473 service=\"shop-api\" user.id=\"42\" note=\"a \\\"q\\\" \\]\"] \
                 Order #1234 placed é€"
            )]
        );
        assert_eq!((stats.emitted, stats.sent, stats.truncated), (1, 1, 0));
    }

    #[test]
    fn rfc5424_without_fields_or_context_has_nil_sd_and_msgid() {
        let (records, _) = capture(
            |b| b.format(SyslogFormat::Rfc5424),
            || {
                tracing::debug!("plain");
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![format!(
                "<15>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - - plain"
            )]
        );
    }

    #[test]
    fn rfc3164_record_matches_the_papertrail_shape() {
        let (records, _) = capture(
            |b| b.facility(Facility::Local0),
            || {
                let span = tracing::info_span!("job", user.id = 42);
                let _e = span.enter();
                tracing::info!(order.id = 1234, note = "two words", "Order placed");
                tracing::warn!(only = true);
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![
                format!(
                    "<134>Jan  2 23:34:45 web-1 shop[{pid}]: Order placed \
                     note=\"two words\" order.id=1234 user.id=42"
                ),
                format!("<132>Jan  2 23:34:45 web-1 shop[{pid}]: only=true user.id=42"),
            ]
        );
    }

    #[test]
    fn severity_follows_the_level_map() {
        let (records, _) = capture(
            |b| b,
            || {
                tracing::error!("e");
                tracing::warn!("w");
                tracing::info!("i");
                tracing::debug!("d");
                tracing::trace!("t");
            },
        );
        let pris: Vec<&str> = records
            .iter()
            .map(|r| &r[..r.find('>').unwrap() + 1])
            .collect();
        // user (1) × 8 + 3, 4, 6, 7, 7
        assert_eq!(pris, ["<11>", "<12>", "<14>", "<15>", "<15>"]);
    }

    #[test]
    fn split_lines_repeat_the_header_and_put_the_fields_on_the_first_line() {
        let (records, stats) = capture(
            |b| b.format(SyslogFormat::Rfc5424),
            || {
                tracing::error!(code = 7, "panicked\r\n  at a.rs:1\n\n  at b.rs:2\n");
            },
        );
        let pid = pid();
        let head = format!("<11>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - ");
        assert_eq!(
            records,
            vec![
                format!("{head}[logwood@32473 code=\"7\"] panicked"),
                format!("{head}-   at a.rs:1"),
                format!("{head}-   at b.rs:2"),
            ]
        );
        assert_eq!((stats.emitted, stats.sent), (3, 3));
    }

    #[test]
    fn keep_newlines_sends_one_record_with_its_line_breaks() {
        let (records, _) = capture(
            |b| b.multiline(Multiline::KeepNewlines),
            || {
                tracing::info!(k = "v\nw", "line1\nline2");
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![format!(
                "<14>Jan  2 23:34:45 web-1 shop[{pid}]: line1\nline2 k=\"v\\nw\""
            )]
        );
    }

    #[test]
    fn json_message_format_sends_the_logwood_record_as_msg() {
        let (records, _) = capture(
            |b| {
                b.format(SyslogFormat::Rfc5424)
                    .message_format(MessageFormat::Json)
            },
            || {
                let span = tracing::info_span!("job", user.id = 42);
                let _e = span.enter();
                tracing::info!(order.id = 1234, "line1\nline2");
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![format!(
                "<14>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - - \
                 {{\"dt\":\"2026-01-02T23:34:45.123456Z\",\"level\":\"info\",\
                 \"message\":\"line1\\nline2\",\"order\":{{\"id\":1234}},\
                 \"context\":{{\"user\":{{\"id\":42}}}}}}"
            )]
        );
    }

    #[test]
    fn oversized_records_are_cut_on_a_utf8_boundary_and_counted() {
        let (records, stats) = capture(
            |b| b.max_message_size(480),
            || {
                tracing::info!("{}", "€".repeat(400));
            },
        );
        assert_eq!(records.len(), 1);
        // `capture` already checked the datagram is valid UTF-8.
        assert!(
            records[0].len() <= 480 && records[0].len() >= 478,
            "{}",
            records[0].len()
        );
        assert!(records[0].ends_with('€'));
        assert_eq!((stats.truncated, stats.sent), (1, 1));
    }

    #[test]
    fn structured_data_too_large_for_the_limit_becomes_nil_before_cutting() {
        let (records, stats) = capture(
            |b| b.format(SyslogFormat::Rfc5424).max_message_size(480),
            || {
                tracing::info!(big = %"x".repeat(1000), "the message survives");
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![format!(
                "<14>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - - the message survives"
            )]
        );
        assert_eq!(stats.truncated, 1);
    }

    #[test]
    fn hostile_field_names_become_valid_param_names() {
        let (records, _) = capture(
            |b| b.format(SyslogFormat::Rfc5424),
            || {
                dispatch_dynamic_event(&[
                    ("a b=c]\"d", DynValue::Str("v]\\".into())),
                    ("level", DynValue::U64(3)),
                    (&"n".repeat(40), DynValue::Bool(true)),
                    ("日本", DynValue::I64(-1)),
                ]);
            },
        );
        let record = &records[0];
        let sd_start = record.find('[').unwrap();
        let sd = &record[sd_start..];
        // With a dotted or reserved name among them, fields are in path order.
        assert!(
            sd.starts_with("[logwood@32473 _level=\"3\" a_b_c__d=\"v\\]\\\\\" "),
            "{sd}"
        );
        assert!(sd.contains(&format!(" {}~", "n".repeat(23))), "{sd}");
        assert!(sd.contains(" __=\"-1\""), "{sd}");
    }

    /// The `[ctx@32473 …]` element of each record.
    fn ctx_elements(records: &[String]) -> Vec<&str> {
        records
            .iter()
            .map(|r| {
                let start = r.find("[ctx@32473").map_or(r.len(), |i| i);
                let end = r[start..].find(']').map_or(r.len(), |i| start + i + 1);
                &r[start..end]
            })
            .collect()
    }

    #[test]
    fn cached_context_follows_span_record_and_changes_of_span() {
        let (records, _) = capture(
            |b| b.format(SyslogFormat::Rfc5424),
            || {
                let a = tracing::info_span!("a", user.id = 1, k = tracing::field::Empty);
                let b = tracing::info_span!("b", job = 2);
                a.in_scope(|| tracing::info!("one"));
                a.record("k", "v");
                a.in_scope(|| tracing::info!("two"));
                b.in_scope(|| tracing::info!("three"));
                a.in_scope(|| tracing::info!("four"));
                tracing::info!("five");
            },
        );
        assert_eq!(
            ctx_elements(&records),
            [
                "[ctx@32473 user.id=\"1\"]",
                "[ctx@32473 user.id=\"1\" k=\"v\"]",
                "[ctx@32473 job=\"2\"]",
                "[ctx@32473 user.id=\"1\" k=\"v\"]",
                "",
            ]
        );
    }

    #[test]
    fn stacked_layers_each_write_their_own_static_context() {
        let sockets = [
            UdpSocket::bind("127.0.0.1:0").unwrap(),
            UdpSocket::bind("127.0.0.1:0").unwrap(),
        ];
        let layer = |i: usize, service: &str| {
            SyslogLayer::builder()
                .udp(sockets[i].local_addr().unwrap())
                .format(SyslogFormat::Rfc5424)
                .context_field("service", service)
                .log_internal_errors(false)
                .build()
                .unwrap()
        };
        let (first, g1) = layer(0, "one");
        let (second, g2) = layer(1, "two");
        let subscriber = tracing_subscriber::registry().with(first).with(second);
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("s", user.id = 7);
            let _e = span.enter();
            tracing::info!("a");
            tracing::info!("b");
        });
        drop((g1, g2));
        for (socket, service) in sockets.iter().zip(["one", "two"]) {
            socket.set_nonblocking(true).unwrap();
            let mut buf = [0; 2048];
            let mut got = Vec::new();
            while let Ok(n) = socket.recv(&mut buf) {
                got.push(String::from_utf8(buf[..n].to_vec()).unwrap());
            }
            let expected = format!("[ctx@32473 service=\"{service}\" user.id=\"7\"]");
            assert_eq!(ctx_elements(&got), [expected.as_str(), expected.as_str()]);
        }
    }
}
