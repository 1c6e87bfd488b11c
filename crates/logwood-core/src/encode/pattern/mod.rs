//! Python `logging` format strings (`%(asctime)s %(levelname)s %(message)s`),
//! rendered over the record walk: the pattern layer's lines and the syslog
//! layer's message text.
//!
//! - `parse`: the `%`-format string, compiled once into pieces.
//! - `printf`: Python's `%` conversions and modifiers.
//! - `clock`: `created`, `msecs`, `relativeCreated`, `asctime`.
//! - `message`: `%(message)s` with ` key=value` fields.
//! - `render`: one record through the pieces.

mod clock;
mod error;
mod message;
mod parse;
mod printf;
mod render;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

pub use clock::DEFAULT_TIME_FORMAT;
pub use error::{PatternError, SUPPORTED_ATTRIBUTES};
pub use render::FUNC_NAME_OUTSIDE_SPANS;

use clock::{Clock, DateFormat, NowFn};
use parse::{Attr, Pattern};
use render::RenderOptions;

use crate::field::EventFields;
use crate::record::Record;

/// Ids of formatters (0 marks an empty cache slot).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How a pattern is rendered, besides the format string itself.
#[derive(Clone, Default)]
pub struct PatternOptions {
    /// `asctime`'s `strftime` directives (`None` or empty: Python's default,
    /// `2003-07-08 16:49:45,896`).
    pub datefmt: Option<String>,
    /// Whether times are shown in UTC rather than local time.
    pub utc: bool,
    /// What `%(hostname)s` shows (`None`: the machine's host name).
    pub hostname: Option<String>,
    /// Whether `%(name)s` shows `shop::orders` as `shop.orders`.
    pub dotted_logger_names: bool,
    /// Whether `%(message)s` ends with the context (static and span) as
    /// ` key=value` pairs.
    pub span_context: bool,
    /// Whether `%(message)s` is the message alone, without the fields and
    /// context pairs: for a layer that writes those elsewhere (the syslog
    /// layer, in its structured data or after the message text).
    pub bare_message: bool,
    /// A clock for tests (read once when the formatter is made, the start
    /// of `relativeCreated`, and once per event).
    pub now: Option<Arc<dyn Fn() -> SystemTime + Send + Sync>>,
}

impl fmt::Debug for PatternOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatternOptions")
            .field("datefmt", &self.datefmt)
            .field("utc", &self.utc)
            .field("hostname", &self.hostname)
            .field("dotted_logger_names", &self.dotted_logger_names)
            .field("span_context", &self.span_context)
            .field("bare_message", &self.bare_message)
            .field("now", &self.now.as_ref().map(|_| ".."))
            .finish()
    }
}

/// A compiled Python `logging` pattern with its options: renders a record
/// as `logging.Formatter(fmt, datefmt).format(record)` would.
#[derive(Debug)]
pub struct PatternFormatter {
    pattern: Pattern,
    opts: RenderOptions,
    clock: Clock,
}

// === impl PatternFormatter ===

impl PatternFormatter {
    /// Compiles `pattern` and `options.datefmt`.
    ///
    /// # Errors
    ///
    /// [`PatternError`], naming the position of a bad directive.
    pub fn new(pattern: &str, options: PatternOptions) -> Result<Self, PatternError> {
        let compiled = Pattern::parse(pattern)?;
        let date = DateFormat::new(options.datefmt.as_deref(), options.utc)?;
        let hostname = match options.hostname {
            Some(name) => name.into_boxed_str(),
            None => crate::meta::system().hostname.as_str().into(),
        };
        Ok(Self {
            pattern: compiled,
            opts: RenderOptions {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                date,
                hostname,
                dotted_logger_names: options.dotted_logger_names,
                span_context: options.span_context,
                bare_message: options.bare_message,
            },
            clock: Clock::new(options.now.map(NowFn)),
        })
    }

    /// Whether the pattern shows `%(message)s`.
    pub fn uses_message(&self) -> bool {
        self.pattern.uses(Attr::Message)
    }

    /// The time of an event happening now (the injected clock, if any).
    pub fn now(&self) -> SystemTime {
        self.clock.read()
    }

    /// Appends `record` rendered through the pattern to `out` (no newline).
    pub fn render(&self, out: &mut Vec<u8>, record: &Record<'_>, fields: &mut EventFields) {
        let time = self.clock.event_time(record.time);
        render::render(
            out,
            &self.pattern,
            &self.opts,
            &render::Record { record, time },
            fields,
        );
    }
}
