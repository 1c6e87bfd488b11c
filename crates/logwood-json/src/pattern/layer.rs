//! The pattern layer: the record rendered through a Python `logging`
//! format string, one line, written once.

use std::io;

use logwood_core::__private::pattern::PatternFormatter;
use logwood_core::__private::{
    CoreLayer, Encode, EventFields, FieldFormat, LiftFrom, Output, Record, RecordOptions,
    WriterSink,
};
use logwood_core::{Stats, StatsHandle};
use tracing_subscriber::fmt::MakeWriter;

use crate::PatternLayerBuilder;

/// A `tracing` layer writing one line per event in a Python `logging`
/// format: `%(asctime)s - %(name)s - %(levelname)s - %(message)s` gives
/// `2026-11-20 03:44:21,221 - shop.orders - INFO - Order #1234 placed order_id=1234`.
///
/// The pattern is parsed once, when the layer is built: an unknown
/// attribute or a malformed directive is a [`BuildError`](crate::BuildError)
/// naming its position.
///
/// # Format
///
/// Attributes, with Python's `%` modifiers on each (`%(levelname)-8s`,
/// `%(lineno)4d`, `%(created).3f`, `%(msecs)03d`; flags `-`, `0`, `+`,
/// space, `#`; conversions `s r a d i u o x X e E f F g G`, not `c` or `*`):
///
/// | attribute | type | value |
/// | --- | --- | --- |
/// | `name` | str | the target (`shop::orders`); `shop.orders` with [`dotted_logger_names`](PatternLayerBuilder::dotted_logger_names) |
/// | `levelno` | int | `5` TRACE, `10` DEBUG, `20` INFO, `30` WARN, `40` ERROR |
/// | `levelname` | str | `TRACE`, `DEBUG`, `INFO`, `WARNING`, `ERROR` |
/// | `pathname` | str | the callsite's file as the compiler saw it (`src/orders.rs`) |
/// | `filename` | str | its last component (`orders.rs`) |
/// | `module` | str | the last segment of the module path (`orders`) |
/// | `funcName` | str | the innermost span's name (what `#[instrument]` names after the function); `<module>` outside spans, as Python at module level |
/// | `lineno` | int | the callsite's line |
/// | `created` | float | seconds since the epoch |
/// | `relativeCreated` | float | milliseconds since the layer was built |
/// | `asctime` | str | `2003-07-08 16:49:45,896`, or the [`datefmt`](PatternLayerBuilder::datefmt) |
/// | `msecs` | float | the milliseconds of `created` (`896.0`) |
/// | `thread` | int | the OS thread id (Linux `gettid`), where Python shows `threading.get_ident()` |
/// | `threadName` | str | the thread's name (`main` for the main thread); `Thread_<thread id>` for unnamed threads |
/// | `process` | int | the process id |
/// | `message` | str | the message, then ` key=value` for each field (see below) |
/// | `hostname` | str | the host name (not a `LogRecord` attribute; Papertrail's examples add it), see [`hostname`](PatternLayerBuilder::hostname) |
///
/// `%%` is a literal `%`. CRITICAL (50) has no `tracing` level and never
/// appears. Events bridged from the `log` crate carry their real file,
/// line, module and target; a callsite without a file shows
/// `(unknown file)` and line `0`, as Python does.
///
/// Time values follow Python 3.13's `LogRecord` (which reads
/// `time.time_ns()`): `msecs` is exact, where Python before 3.13 could show
/// one millisecond less (`,895` for `.896`) from float rounding.
///
/// `%(message)s` is the message, then ` key=value` for each of the event's
/// fields (in the order written, or sorted by key when a name is dotted;
/// dotted names as they are; the JSON layer's collision rules: a field
/// named like a JSON record key gets a leading `_`, a later field of the
/// same key wins), then, with
/// [`with_span_context`](PatternLayerBuilder::with_span_context), the span
/// context the same way. A value is quoted (`"…"`, `\"` and `\\` escaped,
/// control characters as `\n`, `\r`, `\t`, `\u00XX`) when it is empty or
/// holds a space, a control character, `"` or `=`, so a field never breaks
/// a line; the message itself is written as it is (like Python's, a newline
/// in it makes a multi-line record).
///
/// # Log-collector regular expressions
///
/// Expressions generated from a Python sample (logger `tst`, thread
/// `MainThread`) expect word characters in some groups; a Rust program
/// emits values they do not cover, so widen:
///
/// - `name`: a target such as `shop::orders` is `(\w+)`-incompatible; use
///   `([\w.]+)` with [`dotted_logger_names`](PatternLayerBuilder::dotted_logger_names),
///   or `(\S+)`.
/// - `threadName`: the main thread is `main` and unnamed threads are
///   `Thread_<id>` (both `\w+`), but named threads keep their names:
///   tokio's `tokio-runtime-worker` needs `(\S+)`, a name with spaces `(.+?)`.
/// - `funcName` is `(\S+)` in generated expressions: fine, unless a span
///   name holds a space (`info_span!("load user")`).
/// - `pathname` / `filename`: fine unless paths hold spaces or `:`.
///
/// # Cost
///
/// Each line is rendered into a per-thread buffer and written with one
/// `write_all`. Runs of attributes fixed per callsite and thread (`name`,
/// `levelno`, `levelname`, `pathname`, `filename`, `module`, `lineno`,
/// `thread`, `threadName`, `process`, `hostname`, with the text between
/// them) are rendered once per callsite on each thread and copied after
/// that; the date once per second. In steady state an event allocates
/// nothing (with [`lift_message_fields`](PatternLayerBuilder::lift_message_fields)
/// too).
///
/// # Examples
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// # #[allow(dead_code)]
/// # fn docs() -> Result<(), logwood_json::BuildError> {
/// let layer = logwood_json::PatternLayer::builder(
///     "%(asctime)s - %(filename)s:%(lineno)s - %(name)s - %(message)s",
/// )
/// .build()?;
/// tracing_subscriber::registry().with(layer).init();
/// tracing::info!(user.id = 42, "logged in");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PatternLayer<W = fn() -> io::Stdout> {
    inner: CoreLayer<PatternEncoder, WriterSink<W>>,
}

/// The record through the compiled pattern, one per line.
#[derive(Debug)]
pub(crate) struct PatternEncoder(pub(crate) PatternFormatter);

impl Encode for PatternEncoder {
    fn field_format(&self) -> FieldFormat {
        FieldFormat::Text
    }

    fn lift(&self, opts: &RecordOptions) -> Option<LiftFrom> {
        // Lifting only matters when the message is shown; `key=value` pairs
        // are already text in this format.
        (opts.lift_message_fields && self.0.uses_message()).then_some(LiftFrom::Json)
    }

    fn now(&self) -> std::time::SystemTime {
        self.0.now()
    }

    fn encode(&self, record: &Record<'_>, fields: &mut EventFields, out: &mut Output<'_>) {
        self.0.render(out.bytes, record, fields);
        out.bytes.push(b'\n');
    }
}

// === impl PatternLayer ===

impl PatternLayer {
    /// A builder for a layer writing `pattern` (a Python `logging` format
    /// string such as `"%(asctime)s %(levelname)s %(message)s"`).
    pub fn builder(pattern: impl Into<String>) -> PatternLayerBuilder {
        PatternLayerBuilder::new(pattern.into())
    }
}

impl<W> PatternLayer<W> {
    pub(crate) fn from_inner(inner: CoreLayer<PatternEncoder, WriterSink<W>>) -> Self {
        Self { inner }
    }

    /// The layer's counters, readable at any time: `emitted` lines, `sent`
    /// (written whole), `failed` (the writer refused them).
    pub fn stats(&self) -> Stats {
        self.inner.sink().stats()
    }

    /// A handle that reads this layer's counters after the layer has been
    /// moved into a subscriber.
    pub fn stats_handle(&self) -> StatsHandle {
        self.inner.sink().stats_handle()
    }
}

logwood_core::forward_layer!(impl<W> PatternLayer<W>, inner, where W: for<'a> MakeWriter<'a> + 'static);
