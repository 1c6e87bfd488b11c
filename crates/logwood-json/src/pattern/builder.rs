//! Configuration of [`PatternLayer`].

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use tracing_subscriber::fmt::MakeWriter;

use super::clock::{Clock, DateFormat, NowFn};
use super::parse::Pattern;
use super::render::RenderOptions;
use crate::{BuildError, PatternLayer};

/// Ids of pattern layers (0 marks an empty cache slot).
static NEXT_LAYER_ID: AtomicU64 = AtomicU64::new(1);

/// Builds a [`PatternLayer`]; made by [`PatternLayer::builder`].
///
/// # Default values
///
/// | option | default |
/// | --- | --- |
/// | [`with_writer`](Self::with_writer) | `std::io::stdout` |
/// | [`datefmt`](Self::datefmt) | none: `asctime` is `2003-07-08 16:49:45,896` ([`DEFAULT_TIME_FORMAT`](crate::DEFAULT_TIME_FORMAT) and milliseconds) |
/// | [`utc`](Self::utc) | `false` (local time) |
/// | [`hostname`](Self::hostname) | the machine's host name |
/// | [`dotted_logger_names`](Self::dotted_logger_names) | `false` |
/// | [`with_span_context`](Self::with_span_context) | `false` |
/// | [`lift_message_fields`](Self::lift_message_fields) | `false` |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
#[derive(Debug)]
#[must_use]
pub struct PatternLayerBuilder<W = fn() -> io::Stdout> {
    pattern: String,
    make_writer: W,
    datefmt: Option<String>,
    utc: bool,
    hostname: Option<String>,
    dotted_logger_names: bool,
    span_context: bool,
    lift_message_fields: bool,
    log_internal_errors: bool,
    now: Option<NowFn>,
}

// === impl PatternLayerBuilder ===

impl PatternLayerBuilder {
    pub(crate) fn new(pattern: String) -> Self {
        Self {
            pattern,
            make_writer: io::stdout,
            datefmt: None,
            utc: false,
            hostname: None,
            dotted_logger_names: false,
            span_context: false,
            lift_message_fields: false,
            log_internal_errors: true,
            now: None,
        }
    }
}

impl<W> PatternLayerBuilder<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    /// Writes lines to `make_writer` (one `write_all` per line, newline
    /// included).
    ///
    /// By default, lines go to stdout.
    pub fn with_writer<W2>(self, make_writer: W2) -> PatternLayerBuilder<W2>
    where
        W2: for<'a> MakeWriter<'a> + 'static,
    {
        PatternLayerBuilder {
            pattern: self.pattern,
            make_writer,
            datefmt: self.datefmt,
            utc: self.utc,
            hostname: self.hostname,
            dotted_logger_names: self.dotted_logger_names,
            span_context: self.span_context,
            lift_message_fields: self.lift_message_fields,
            log_internal_errors: self.log_internal_errors,
            now: self.now,
        }
    }

    /// Formats `asctime` with these `strftime` directives, as
    /// `logging.Formatter(fmt, datefmt)` does (no milliseconds are added):
    /// `"%b %d %H:%M:%S"` gives `Jan 02 23:34:45`. The directives are
    /// chrono's, which agree with C's for the usual ones (`%Y %m %d %H %M %S
    /// %b %B %a %A %j %p %y %z %%`); `%Z` prints the offset (`+00:00`) in
    /// local time rather than a zone abbreviation, and chrono adds
    /// sub-second ones (`%f`, `%3f`, `%.3f`) that Python's `time.strftime`
    /// lacks. An empty string is the same as none.
    ///
    /// By default, `asctime` is `2003-07-08 16:49:45,896`.
    pub fn datefmt(mut self, datefmt: impl Into<String>) -> Self {
        self.datefmt = Some(datefmt.into());
        self
    }

    /// Whether `asctime` shows UTC (Python's `Formatter.converter =
    /// time.gmtime`) rather than local time.
    ///
    /// By default, it shows local time, as Python does.
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        self
    }

    /// The name `%(hostname)s` shows.
    ///
    /// By default, the machine's host name (read once per process).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = Some(hostname.into());
        self
    }

    /// Whether `%(name)s` shows the target as a Python-style dotted logger
    /// name: `shop::orders` becomes `shop.orders`.
    ///
    /// By default, the target is shown as it is.
    pub fn dotted_logger_names(mut self, dotted: bool) -> Self {
        self.dotted_logger_names = dotted;
        self
    }

    /// Whether `%(message)s` ends with the span context (the merged fields
    /// of the event's spans) as ` key=value` pairs, dotted paths for nested
    /// fields, after the event's own fields. A span field whose key an event
    /// field already wrote is left out.
    ///
    /// By default, the span context is not shown.
    pub fn with_span_context(mut self, include: bool) -> Self {
        self.span_context = include;
        self
    }

    /// Whether a JSON object found in the message also appears as
    /// ` key=value` pairs after the message (nested members with dotted
    /// keys), like the event's own fields. `key=value` pairs in a message
    /// are already text in this format, so they are not repeated. The
    /// message is kept unchanged and an event's own field wins over a lifted
    /// one; the rules are those of
    /// [`logwood_core::field`](logwood_core::field#lifting-fields-out-of-the-message).
    ///
    /// By default, messages are not parsed.
    pub fn lift_message_fields(mut self, lift: bool) -> Self {
        self.lift_message_fields = lift;
        self
    }

    /// Whether the first failure of each kind (a write error) is reported on
    /// stderr as one `[logwood] …` line. Failures are always counted in
    /// [`PatternLayer::stats`].
    ///
    /// By default, they are reported.
    pub fn log_internal_errors(mut self, report: bool) -> Self {
        self.log_internal_errors = report;
        self
    }

    /// Test seam, not a stable API: the clock the layer reads once at build
    /// (the start of `relativeCreated`) and once per event.
    #[doc(hidden)]
    pub fn with_clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.now = Some(NowFn(Arc::new(now)));
        self
    }

    /// Parses the pattern and the date format, and builds the layer.
    ///
    /// # Errors
    ///
    /// [`BuildError::UnknownAttribute`], [`BuildError::InvalidPattern`] and
    /// [`BuildError::ConversionMismatch`] name the position (0-based
    /// character index of the directive's `%`) and the attribute;
    /// [`BuildError::InvalidDatefmt`] names the date format.
    pub fn build(self) -> Result<PatternLayer<W>, BuildError> {
        let pattern = Pattern::parse(&self.pattern)?;
        let date = DateFormat::new(self.datefmt.as_deref(), self.utc)?;
        let hostname = match self.hostname {
            Some(name) => name.into_boxed_str(),
            None => logwood_core::meta::system().hostname.as_str().into(),
        };
        Ok(PatternLayer::from_parts(
            self.make_writer,
            pattern,
            RenderOptions {
                id: NEXT_LAYER_ID.fetch_add(1, Ordering::Relaxed),
                date,
                hostname,
                dotted_logger_names: self.dotted_logger_names,
                span_context: self.span_context,
            },
            Clock::new(self.now),
            self.lift_message_fields,
            self.log_internal_errors,
        ))
    }
}
