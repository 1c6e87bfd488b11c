//! Test harnesses for logwood (not published).
//!
//! - [`CaptureWriter`]: a `MakeWriter` that keeps every write in memory, one
//!   entry per `write_all`, so tests can assert on whole lines.
//! - [`dispatch_dynamic_event`]: an event with any field names and any
//!   number of fields (quotes, 10,000 fields, 100-level dotted names), which
//!   the `tracing` macros cannot produce.
//! - [`rsyslog`]: a real `rsyslogd` on 127.0.0.1 with UDP, TCP and TLS
//!   listeners whose parsed output the tests read back as JSON.
//!
//! # Examples
//!
//! ```
//! use std::io::Write;
//! use tracing_subscriber::fmt::MakeWriter;
//!
//! let capture = logwood_testkit::CaptureWriter::new();
//! capture.make_writer().write_all(b"{\"a\":1}\n").unwrap();
//! assert_eq!(capture.lines(), vec!["{\"a\":1}".to_string()]);
//! ```

mod capture;
mod dynamic;
mod json;
pub mod rsyslog;

pub use capture::{CaptureWriter, FailingWriter};
pub use dynamic::{DynValue, dispatch_dynamic_event, in_dynamic_span};
pub use json::{DuplicateKey, check_no_duplicate_keys};
