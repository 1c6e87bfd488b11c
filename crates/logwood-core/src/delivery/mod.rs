//! The delivery vocabulary every layer that hands records to a background
//! worker shares (syslog, HTTP, OTLP, non-blocking files):
//!
//! - one bounded queue contract, `buffer_capacity` and `drop_extra_events`
//!   (true: drop and count; false: the caller waits) on every builder
//!   ([`RecordQueue`] is the queue of the syslog layer and the file writer;
//!   the HTTP layer's batch buffer keeps the same contract);
//! - one [`Backoff`] (exponential, full jitter, capped) under every retry
//!   and reconnect;
//! - one [`Reporter`]: each failure to the `on_error` callback, the first
//!   of each [`ErrorKind`] on stderr, nothing back into `tracing`;
//! - one guard, [`FlushGuard`]: `flush(timeout) -> Result<(), FlushTimeout>`,
//!   `shutdown(timeout) -> Stats`, a flush on drop within
//!   `shutdown_timeout`;
//! - one [`Stats`] shape, with the identity
//!   `emitted = sent + dropped + failed + queued`.

mod backoff;
mod error;
mod guard;
mod queue;
mod report;
mod stats;

pub use backoff::{Backoff, JitterMode};
pub use error::{DeliveryError, ErrorKind};
pub use guard::{Delivery, FlushGuard, FlushTimeout};
pub use queue::{Batch, Pushed, RecordQueue, Taken};
pub use report::{OnError, ReportOnce, Reporter};
pub use stats::{Counter, Counters, Stats, StatsHandle};
