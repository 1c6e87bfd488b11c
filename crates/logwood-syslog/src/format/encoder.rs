//! [`SyslogEncoder`]: an event as one syslog record, or one per line, on
//! core's record walk (the layer skeleton is core's `CoreLayer`).

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;
use std::time::SystemTime;

use logwood_core::__private::pattern::PatternFormatter;
use logwood_core::__private::{
    Counters, Encode, EventFields, FieldFormat, Json, LiftFrom, MAX_RETAINED_CAPACITY, Output,
    Record, RecordOptions,
};

use super::options::{
    Facility, LEVELS, MessageFormat, Multiline, SyslogFormat, level_index, severity,
};
use super::rfc5424::SdWriter;
use super::{escape, rfc3164, rfc5424};

/// A thread's scratch buffers for text records, reused by its events (as
/// core's record buffers: cleared for each use, nothing kept from one event
/// to the next).
#[derive(Default)]
struct Scratch {
    /// The dotted path of the context walk.
    path: String,
    /// The message text rendered through the `message_pattern`.
    message: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A path buffer longer than this after an event is freed rather than kept.
const MAX_PATH_CAPACITY: usize = 4096;

/// Calls `f` with this thread's scratch buffers; with fresh ones when they
/// are in use (an event emitted while encoding one) or gone (thread
/// teardown).
fn with_scratch<R>(mut f: impl FnMut(&mut Scratch) -> R) -> R {
    SCRATCH
        .try_with(|cell| {
            let mut scratch = cell.try_borrow_mut().ok()?;
            let r = f(&mut scratch);
            if scratch.path.capacity() > MAX_PATH_CAPACITY {
                scratch.path = String::new();
            }
            scratch.message.clear();
            if scratch.message.capacity() > MAX_RETAINED_CAPACITY {
                scratch.message = Vec::new();
            }
            Some(r)
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| f(&mut Scratch::default()))
}

/// What the encoder needs, validated by the builder.
#[derive(Debug)]
pub(crate) struct EncoderSettings {
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
    /// The `message_pattern`, compiled: MSG's text (the message alone when
    /// `None`).
    pub(crate) pattern: Option<PatternFormatter>,
    /// The clock (a fixed one in tests of the exact output).
    pub(crate) clock: fn() -> SystemTime,
}

/// Encodes events into syslog records (unframed): RFC 5424 or RFC 3164,
/// the message as text or the whole record as JSON, split into lines or
/// not, cut to `max_message_size` (counted in `truncated`).
#[derive(Debug)]
pub(crate) struct SyslogEncoder {
    settings: EncoderSettings,
    /// `<PRI>1 ` (RFC 5424) or `<PRI>` (RFC 3164) per level.
    pri: [Box<[u8]>; 5],
    /// ` HOSTNAME APP-NAME PROCID ` or ` HOSTNAME TAG[PID]: `.
    fixed: Box<[u8]>,
    /// The sink's counters (for `truncated`).
    counters: Arc<Counters>,
}

/// Where the parts of the record being written are, in the output buffer.
struct Parts {
    /// Where the record starts.
    start: usize,
    /// The STRUCTURED-DATA (RFC 5424).
    sd: Option<Range<usize>>,
    /// Where MSG starts.
    msg_start: usize,
}

/// The first record of an event, when its header and context can be copied
/// into the records of the following lines.
struct Reusable {
    header: Range<usize>,
    /// The context element (RFC 5424) or pairs (RFC 3164); empty when there
    /// is no context.
    context: Range<usize>,
}

// === impl SyslogEncoder ===

impl SyslogEncoder {
    pub(crate) fn new(settings: EncoderSettings, counters: Arc<Counters>) -> Self {
        let facility = settings.facility.code();
        let pri = LEVELS.map(|level| {
            let pri = facility * 8 + severity(&level);
            match settings.format {
                SyslogFormat::Rfc5424 => rfc5424::pri_version(pri),
                SyslogFormat::Rfc3164 => rfc3164::pri(pri),
            }
        });
        let fixed = match settings.format {
            SyslogFormat::Rfc5424 => rfc5424::fixed_header(
                &settings.hostname,
                &settings.app_name,
                &settings.pid.to_string(),
            ),
            SyslogFormat::Rfc3164 => {
                rfc3164::fixed_header(&settings.hostname, &settings.app_name, settings.pid)
            }
        };
        Self {
            settings,
            pri,
            fixed,
            counters,
        }
    }

    pub(crate) fn format(&self) -> SyslogFormat {
        self.settings.format
    }

    fn is_rfc5424(&self) -> bool {
        self.settings.format == SyslogFormat::Rfc5424
    }

    /// Writes the header: RFC 5424 up to the space before SD (MSGID from
    /// `fields`), RFC 3164 up to the space before MSG.
    fn write_header(&self, out: &mut Vec<u8>, record: &Record<'_>, fields: &EventFields) {
        let pri = &self.pri[level_index(record.meta.level())];
        match self.settings.format {
            SyslogFormat::Rfc5424 => {
                let json = self.settings.message_format == MessageFormat::Json;
                let msgid = msgid(fields, &self.settings.msgid_field, json);
                rfc5424::write_header(out, pri, record.time, &self.fixed, msgid);
            }
            SyslogFormat::Rfc3164 => rfc3164::write_header(out, pri, record.time, &self.fixed),
        }
    }

    /// Ends the header part and returns where MSG starts: RFC 5424 puts a
    /// space after SD unless MSG is empty.
    fn begin_msg(&self, out: &mut Vec<u8>, empty: bool) -> usize {
        if self.is_rfc5424() && !empty {
            out.push(b' ');
        }
        out.len()
    }

    /// Cuts the record at `parts.start` (the last in `out`) to
    /// `max_message_size` on a UTF-8 boundary, counting it in `truncated`;
    /// when the header and structured data alone are too long, the
    /// structured data is replaced by `-` first. Returns whether it cut.
    fn limit(&self, out: &mut Vec<u8>, parts: Parts) -> bool {
        let max = self.settings.max_message_size;
        let Parts {
            start,
            sd,
            msg_start,
        } = parts;
        if out.len() - start <= max {
            return false;
        }
        if let Some(sd) = sd.filter(|sd| msg_start - start > max && sd.len() > 1) {
            out.splice(sd, [b'-']);
        }
        let cut = escape::utf8_floor(&out[start..], max);
        out.truncate(start + cut);
        self.counters.truncated.incr();
        true
    }

    /// MSG is the whole record as JSON: `HEADER - {…}` (RFC 5424) or
    /// `HEADER{…}` (RFC 3164).
    fn encode_json(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Vec<u8>) {
        let start = out.len();
        self.write_header(out, record, fields);
        let sd = self.is_rfc5424().then(|| {
            out.push(b'-');
            out.len() - 1..out.len()
        });
        let msg_start = self.begin_msg(out, false);
        record.write_tree::<Json>(out, fields);
        self.limit(
            out,
            Parts {
                start,
                sd,
                msg_start,
            },
        );
    }

    /// MSG is the message (or `rendered`, the message through the
    /// `message_pattern`): one record, or with `SplitLines` one per
    /// non-empty line, the fields on the first and the context on each.
    fn encode_text(
        &self,
        record: &Record<'_>,
        fields: &mut EventFields,
        out: &mut Output<'_>,
        path: &mut String,
        rendered: Option<&[u8]>,
    ) {
        let settings = &self.settings;
        let split = settings.multiline == Multiline::SplitLines
            && rendered
                .or(fields.message())
                .is_some_and(|m| m.contains(&b'\n'));

        // The first record: the header, the fields and the context, and the
        // first line (or the whole message).
        let start = out.bytes.len();
        self.write_header(out.bytes, record, fields);
        let header = start..out.bytes.len();
        let (sd, msg_start, context) = match settings.format {
            SyslogFormat::Rfc5424 => {
                let sd_start = out.bytes.len();
                let mut sd = SdWriter::new();
                rfc5424::write_fields_element(
                    out.bytes,
                    &mut sd,
                    &settings.sd_id,
                    &settings.msgid_field,
                    fields,
                );
                let context = rfc5424::write_context_element(
                    out.bytes,
                    &mut sd,
                    &settings.context_sd_id,
                    record,
                    path,
                );
                sd.finish(out.bytes);
                let sd = sd_start..out.bytes.len();
                let line = first_line(rendered.or(fields.message()), split);
                let msg_start = self.begin_msg(out.bytes, line.is_empty());
                out.bytes.extend_from_slice(line);
                (Some(sd), msg_start, context)
            }
            SyslogFormat::Rfc3164 => {
                let msg_start = out.bytes.len();
                out.bytes
                    .extend_from_slice(first_line(rendered.or(fields.message()), split));
                rfc3164::write_field_pairs(out.bytes, msg_start, fields);
                let context = rfc3164::write_context_pairs(out.bytes, msg_start, record, path);
                (None, msg_start, context)
            }
        };
        let cut = self.limit(
            out.bytes,
            Parts {
                start,
                sd,
                msg_start,
            },
        );
        out.end_record();
        if !split {
            return;
        }

        // The following lines: the same header and context (copied from the
        // first record, unless cutting it changed them), then the line.
        let reusable = (!cut).then_some(Reusable { header, context });
        let message = rendered.or(fields.message()).unwrap_or_default();
        for line in lines(message).skip(1) {
            let start = out.bytes.len();
            match &reusable {
                Some(first) => out.bytes.extend_from_within(first.header.clone()),
                None => self.write_header(out.bytes, record, fields),
            }
            let (sd, msg_start) = match settings.format {
                SyslogFormat::Rfc5424 => {
                    let sd_start = out.bytes.len();
                    match &reusable {
                        Some(first) if first.context.is_empty() => out.bytes.push(b'-'),
                        Some(first) => out.bytes.extend_from_within(first.context.clone()),
                        None => {
                            let mut sd = SdWriter::new();
                            rfc5424::write_context_element(
                                out.bytes,
                                &mut sd,
                                &settings.context_sd_id,
                                record,
                                path,
                            );
                            sd.finish(out.bytes);
                        }
                    }
                    let sd = sd_start..out.bytes.len();
                    let msg_start = self.begin_msg(out.bytes, false);
                    out.bytes.extend_from_slice(line);
                    (Some(sd), msg_start)
                }
                SyslogFormat::Rfc3164 => {
                    let msg_start = out.bytes.len();
                    out.bytes.extend_from_slice(line);
                    match &reusable {
                        Some(first) if first.context.is_empty() => {}
                        Some(first) => {
                            out.bytes.push(b' ');
                            out.bytes.extend_from_within(first.context.clone());
                        }
                        None => {
                            rfc3164::write_context_pairs(out.bytes, msg_start, record, path);
                        }
                    }
                    (None, msg_start)
                }
            };
            self.limit(
                out.bytes,
                Parts {
                    start,
                    sd,
                    msg_start,
                },
            );
            out.end_record();
        }
    }
}

impl Encode for SyslogEncoder {
    fn field_format(&self) -> FieldFormat {
        match self.settings.message_format {
            MessageFormat::Json => FieldFormat::Json,
            MessageFormat::Text => FieldFormat::Text,
        }
    }

    /// RFC 3164 text shows the message's `key=value` pairs as they are:
    /// only JSON objects are lifted there (as in the pattern layer).
    fn lift(&self, opts: &RecordOptions) -> Option<LiftFrom> {
        if !opts.lift_message_fields {
            return None;
        }
        let text_3164 = self.settings.message_format == MessageFormat::Text
            && self.settings.format == SyslogFormat::Rfc3164;
        Some(if text_3164 {
            LiftFrom::Json
        } else {
            LiftFrom::PairsAndJson
        })
    }

    fn now(&self) -> SystemTime {
        (self.settings.clock)()
    }

    fn encode(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Output<'_>) {
        match self.settings.message_format {
            MessageFormat::Json => self.encode_json(record, fields, out.bytes),
            MessageFormat::Text => with_scratch(|scratch| {
                let Scratch { path, message } = scratch;
                let rendered = self.settings.pattern.as_ref().map(|pattern| {
                    pattern.render(message, record, fields);
                    message.as_slice()
                });
                self.encode_text(record, fields, out, path, rendered);
            }),
        }
    }
}

/// The non-empty lines of `message`, without their `\r`.
fn lines(message: &[u8]) -> impl Iterator<Item = &[u8]> {
    message
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
}

/// What the first record's MSG starts with: the first non-empty line when
/// the message is split, else the whole message.
fn first_line(message: Option<&[u8]>, split: bool) -> &[u8] {
    let message = message.unwrap_or_default();
    if split {
        lines(message).next().unwrap_or_default()
    } else {
        message
    }
}

/// The MSGID: the value of the field named `name` (a string's text, a
/// number's digits), if there is one.
fn msgid<'a>(fields: &'a EventFields, name: &str, json: bool) -> Option<&'a str> {
    if name.is_empty() {
        return None;
    }
    let value = fields.value_of(name)?;
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

    use crate::format::{Facility, MessageFormat, Multiline, SyslogFormat};
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

    #[test]
    fn split_lines_keep_the_context_on_every_line() {
        let emit = || {
            let span = tracing::info_span!("handle", request.id = "r-42");
            let _e = span.enter();
            tracing::error!(code = 7, "panicked\n  at a.rs:1\n  at b.rs:2");
        };
        let (records, stats) = capture(
            |b| {
                b.format(SyslogFormat::Rfc5424)
                    .context_field("service", "shop-api")
            },
            emit,
        );
        let pid = pid();
        let head = format!("<11>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - ");
        let ctx = "[ctx@32473 service=\"shop-api\" request.id=\"r-42\"]";
        assert_eq!(
            records,
            vec![
                format!("{head}[logwood@32473 code=\"7\"]{ctx} panicked"),
                format!("{head}{ctx}   at a.rs:1"),
                format!("{head}{ctx}   at b.rs:2"),
            ]
        );
        assert_eq!((stats.emitted, stats.sent), (3, 3));

        let (records, _) = capture(|b| b.with_runtime(true), emit);
        let head = format!("<11>Jan  2 23:34:45 web-1 shop[{pid}]: ");
        // Every line ends with the same context pairs.
        let context = records[0]
            .split_once(" code=7 ")
            .map(|(_, rest)| rest.to_owned())
            .unwrap();
        assert!(
            context.starts_with("runtime.function=handle runtime.module="),
            "{context}"
        );
        assert!(context.ends_with(" request.id=r-42"), "{context}");
        assert_eq!(
            records,
            vec![
                format!("{head}panicked code=7 {context}"),
                format!("{head}  at a.rs:1 {context}"),
                format!("{head}  at b.rs:2 {context}"),
            ]
        );
    }

    #[test]
    fn message_pattern_renders_msg_and_leaves_fields_and_context_in_place() {
        let emit = || {
            let span = tracing::info_span!("handle", request.id = "r-42");
            let _e = span.enter();
            tracing::warn!(target: "shop::orders", code = 7, "stock low");
        };
        let pattern = "%(name)s[%(process)d]: %(levelname)s %(message)s";
        let pid = pid();
        let (records, _) = capture(
            |b| b.format(SyslogFormat::Rfc5424).message_pattern(pattern),
            emit,
        );
        assert_eq!(
            records,
            vec![format!(
                "<12>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - \
                 [logwood@32473 code=\"7\"][ctx@32473 request.id=\"r-42\"] \
                 shop::orders[{pid}]: WARNING stock low"
            )]
        );
        let (records, _) = capture(|b| b.message_pattern(pattern), emit);
        assert_eq!(
            records,
            vec![format!(
                "<12>Jan  2 23:34:45 web-1 shop[{pid}]: shop::orders[{pid}]: WARNING stock low \
                 code=7 request.id=r-42"
            )]
        );
    }

    #[test]
    fn message_pattern_sees_the_hostname_function_and_time_of_the_layer() {
        let (records, _) = capture(
            |b| {
                b.format(SyslogFormat::Rfc5424).message_pattern(
                    "%(hostname)s %(funcName)s %(created).3f %(levelno)d %(message)s",
                )
            },
            || {
                let span = tracing::info_span!("place_order");
                let _e = span.enter();
                tracing::error!("declined");
            },
        );
        assert!(
            records[0].ends_with(" - - web-1 place_order 1767396885.123 40 declined"),
            "{}",
            records[0]
        );
    }

    #[test]
    fn message_pattern_with_split_lines_leads_the_first_record_only() {
        let (records, stats) = capture(
            |b| {
                b.format(SyslogFormat::Rfc5424)
                    .message_pattern("%(levelname)s %(message)s")
            },
            || {
                let span = tracing::info_span!("handle", request.id = "r-42");
                let _e = span.enter();
                tracing::error!(code = 7, "panicked\n  at a.rs:1");
            },
        );
        let pid = pid();
        let head = format!("<11>1 2026-01-02T23:34:45.123456Z web-1 shop {pid} - ");
        let ctx = "[ctx@32473 request.id=\"r-42\"]";
        assert_eq!(
            records,
            vec![
                format!("{head}[logwood@32473 code=\"7\"]{ctx} ERROR panicked"),
                format!("{head}{ctx}   at a.rs:1"),
            ]
        );
        assert_eq!((stats.emitted, stats.sent), (2, 2));
    }

    #[test]
    fn message_pattern_errors_name_the_option_and_the_position() {
        let err = SyslogLayer::builder()
            .udp("127.0.0.1:514")
            .message_pattern("%(levelname)s %(nope)s")
            .build()
            .unwrap_err();
        assert_eq!(err.option(), "message_pattern");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "`message_pattern` is invalid: unknown attribute `nope` at position 14"
            ),
            "{text}"
        );
        let err = SyslogLayer::builder()
            .udp("127.0.0.1:514")
            .message_pattern("%(asctime) %(message)s")
            .build()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("missing conversion type after `%(asctime)`"),
            "{err}"
        );
        let err = SyslogLayer::builder()
            .udp("127.0.0.1:514")
            .message_format(MessageFormat::Json)
            .message_pattern("%(message)s")
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("`MessageFormat::Text` only"),
            "{err}"
        );
    }

    #[test]
    fn a_cut_first_line_does_not_cut_the_context_of_the_next() {
        let (records, stats) = capture(
            |b| b.format(SyslogFormat::Rfc5424).max_message_size(480),
            || {
                let span = tracing::info_span!("handle", request.id = "r-42");
                let _e = span.enter();
                tracing::info!("{}\nsecond", "x".repeat(600));
            },
        );
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].len(), 480);
        assert!(
            records[1].ends_with(" - [ctx@32473 request.id=\"r-42\"] second"),
            "{}",
            records[1]
        );
        assert_eq!((stats.emitted, stats.truncated), (2, 1));
    }

    #[test]
    fn rfc3164_pairs_follow_the_one_key_value_rule_set() {
        let (records, _) = capture(
            |b| b,
            || {
                tracing::info!(
                    path = "C:\\dir",
                    esc = "a\u{1b}b",
                    tab = "x\ty",
                    empty = "",
                    "k=v" = 1,
                    "m"
                );
            },
        );
        let pid = pid();
        assert_eq!(
            records,
            vec![format!(
                "<14>Jan  2 23:34:45 web-1 shop[{pid}]: m path=C:\\dir esc=\"a\\u001bb\" \
                 tab=\"x\\ty\" empty=\"\" k_v=1"
            )]
        );
    }

    #[test]
    fn lifted_message_fields_are_structured_data_and_json_only_in_rfc3164_text() {
        let emit = || tracing::info!("{}", r#"user=42 login {"ok":true}"#);
        let (records, _) = capture(
            |b| b.format(SyslogFormat::Rfc5424).lift_message_fields(true),
            emit,
        );
        assert!(
            records[0].contains("[logwood@32473 user=\"42\" ok=\"true\"] user=42 login"),
            "{}",
            records[0]
        );
        let (records, _) = capture(|b| b.lift_message_fields(true), emit);
        assert!(
            records[0].ends_with(r#"]: user=42 login {"ok":true} ok=true"#),
            "{}",
            records[0]
        );
    }
}
