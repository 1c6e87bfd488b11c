//! Turning an event into syslog records: the options ([`options`]), the
//! encoder on core's record walk ([`encoder`]), the header and structured
//! data of RFC 5424 ([`rfc5424`]), the header and `key=value` text of
//! RFC 3164 ([`rfc3164`]), and the escaping of both ([`escape`]).

pub(crate) mod encoder;
pub(crate) mod escape;
pub(crate) mod options;
pub(crate) mod rfc3164;
pub(crate) mod rfc5424;

pub(crate) use encoder::{EncoderSettings, SyslogEncoder};
pub use options::{Facility, MessageFormat, Multiline, SyslogFormat, severity};
