//! Configuration of [`PatternLayer`].

use std::io;
use std::sync::Arc;
use std::time::SystemTime;

use logwood_core::__private::pattern::{PatternFormatter, PatternOptions};
use logwood_core::__private::{CoreLayer, LayerOptions, WriterSink};
use tracing_subscriber::fmt::MakeWriter;

use super::layer::PatternEncoder;
use crate::{BuildError, PatternLayer};

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
/// | [`context_field`](Self::context_field) | none |
/// | [`with_runtime`](Self::with_runtime), [`with_system`](Self::with_system) | `false` |
/// | [`lift_message_fields`](Self::lift_message_fields) | `false` |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
/// | [`on_error`](Self::on_error) | none |
#[derive(Debug)]
#[must_use]
pub struct PatternLayerBuilder<W = fn() -> io::Stdout> {
    pattern: String,
    make_writer: W,
    pattern_options: PatternOptions,
    options: LayerOptions,
}

// === impl PatternLayerBuilder ===

impl PatternLayerBuilder {
    pub(crate) fn new(pattern: String) -> Self {
        Self {
            pattern,
            make_writer: io::stdout,
            pattern_options: PatternOptions::default(),
            options: LayerOptions::new(false, false),
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
            pattern_options: self.pattern_options,
            options: self.options,
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
        self.pattern_options.datefmt = Some(datefmt.into());
        self
    }

    /// Whether `asctime` shows UTC (Python's `Formatter.converter =
    /// time.gmtime`) rather than local time.
    ///
    /// By default, it shows local time, as Python does.
    pub fn utc(mut self, utc: bool) -> Self {
        self.pattern_options.utc = utc;
        self
    }

    /// The name `%(hostname)s` shows.
    ///
    /// By default, the machine's host name (read once per process).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.pattern_options.hostname = Some(hostname.into());
        self
    }

    /// Whether `%(name)s` shows the target as a Python-style dotted logger
    /// name: `shop::orders` becomes `shop.orders`.
    ///
    /// By default, the target is shown as it is.
    pub fn dotted_logger_names(mut self, dotted: bool) -> Self {
        self.pattern_options.dotted_logger_names = dotted;
        self
    }

    /// Whether `%(message)s` ends with the span context (the merged fields
    /// of the event's spans, on top of the layer's static context) as
    /// ` key=value` pairs, dotted paths for nested fields, after the event's
    /// own fields. A context key an event field already wrote is left out.
    /// The static context ([`context_field`](Self::context_field)) is shown
    /// either way; `context.runtime` and `context.system` leaves too when
    /// [`with_runtime`](Self::with_runtime) / [`with_system`](Self::with_system)
    /// are on (`runtime.function=place_order …`).
    ///
    /// By default, the span context is not shown.
    pub fn with_span_context(mut self, include: bool) -> Self {
        self.pattern_options.span_context = include;
        self
    }

    logwood_core::layer_option_setters!(options, runtime: "`false`", system: "`false`");

    /// Test seam, not a stable API: the clock the layer reads once at build
    /// (the start of `relativeCreated`) and once per event.
    #[doc(hidden)]
    pub fn with_clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.pattern_options.now = Some(Arc::new(now));
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
        let formatter = PatternFormatter::new(&self.pattern, self.pattern_options)?;
        let sink = WriterSink::new(self.make_writer, self.options.reporter("pattern"));
        Ok(PatternLayer::from_inner(CoreLayer::new(
            PatternEncoder(formatter),
            sink,
            self.options.record_options(),
        )))
    }
}
