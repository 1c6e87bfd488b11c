//! The format options of the builder: [`SyslogFormat`], [`MessageFormat`],
//! [`Multiline`], [`Facility`] and the level-to-[`severity`] map.

use tracing_core::Level;

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
    /// is sent, and line breaks stay inside the JSON string (escaped), so
    /// [`Multiline`] does not apply.
    Json,
}

/// What happens to line breaks in a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Multiline {
    /// Each line of the message becomes its own record, in order, with the
    /// same header (the Papertrail advice); empty lines are skipped. The
    /// event's own fields go with the first line only; the **context**
    /// (static and span context, `runtime.*`, `system.*`) goes with every
    /// line, so that each line of a backtrace can still be found by its
    /// `request.id`: with RFC 5424 each continuation line carries the
    /// context element (`[ctx@32473 …]`, or `-` when there is no context),
    /// with RFC 3164 the context's ` key=value` pairs follow each line.
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

/// The levels, in the order of [`level_index`].
pub(crate) const LEVELS: [Level; 5] = [
    Level::TRACE,
    Level::DEBUG,
    Level::INFO,
    Level::WARN,
    Level::ERROR,
];

/// The position of `level` in [`LEVELS`].
pub(crate) fn level_index(level: &Level) -> usize {
    match *level {
        Level::TRACE => 0,
        Level::DEBUG => 1,
        Level::INFO => 2,
        Level::WARN => 3,
        Level::ERROR => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_the_level_map_and_facilities_their_codes() {
        let severities: Vec<u8> = LEVELS.iter().map(severity).collect();
        assert_eq!(severities, [7, 7, 6, 4, 3]);
        for (i, level) in LEVELS.iter().enumerate() {
            assert_eq!(level_index(level), i);
        }
        assert_eq!((Facility::Kern.code(), Facility::User.code()), (0, 1));
        assert_eq!((Facility::Local0.code(), Facility::Local7.code()), (16, 23));
    }
}
