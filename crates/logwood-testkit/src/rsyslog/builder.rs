//! The builder of a custom instance and its validated options.

use std::fmt;
use std::time::Duration;

use super::{Rsyslog, StartError};

/// rsyslog `maxMessageSize` of an instance: 64 KiB (rsyslog's own default is 8 KiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// imtcp `maxFrameSize`, the largest octet count accepted: 200000 (rsyslog's default).
pub const DEFAULT_MAX_FRAME_SIZE: usize = 200_000;

/// The UDP socket receive buffer: 8 MiB, so bursts are not lost in the kernel.
pub const DEFAULT_UDP_RCVBUF: usize = 8 * 1024 * 1024;

/// The name the client certificate carries (CN and SAN) and `x509/name` requires.
pub const DEFAULT_TLS_PERMITTED_PEER: &str = "syslog-test-client";

/// How long [`RsyslogBuilder::start`] waits for rsyslogd to be ready: 30 s.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(30);

/// The smallest `maxMessageSize` rsyslog accepts (it raises smaller values to it).
const MIN_MAX_MESSAGE_SIZE: usize = 128;

/// The largest `maxFrameSize` imtcp accepts.
const MAX_MAX_FRAME_SIZE: usize = 200_000_000;

/// How the TLS listener authenticates clients (rsyslog `streamDriver.authMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TlsAuthMode {
    /// `anon`: no client certificate is asked for; the client still verifies
    /// the server against [`Rsyslog::ca_file`]. With rsyslog's default GnuTLS
    /// priorities only TLS 1.2 is negotiated in this mode.
    #[default]
    Anon,
    /// `x509/certvalid`: the client must present a certificate signed by the
    /// instance's CA ([`Rsyslog::client_cert`] is one).
    X509CertValid,
    /// `x509/name`: as `X509CertValid`, and the certificate's SAN or CN must
    /// equal the permitted peer ([`RsyslogBuilder::tls_permitted_peer`]).
    X509Name,
}

// === impl TlsAuthMode ===

impl TlsAuthMode {
    /// The mode as rsyslog spells it: `anon`, `x509/certvalid` or `x509/name`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anon => "anon",
            Self::X509CertValid => "x509/certvalid",
            Self::X509Name => "x509/name",
        }
    }
}

impl fmt::Display for TlsAuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The options of an instance, as set on the builder.
#[derive(Clone, Debug)]
pub(super) struct Config {
    pub(super) udp: bool,
    pub(super) tcp: bool,
    pub(super) tls: bool,
    pub(super) relp: bool,
    pub(super) relp_tls: bool,
    pub(super) max_message_size: usize,
    pub(super) max_frame_size: usize,
    pub(super) escape_control: bool,
    pub(super) discard_truncated: bool,
    pub(super) udp_rcvbuf: Option<usize>,
    pub(super) tls_authmode: TlsAuthMode,
    pub(super) tls_permitted_peer: String,
    pub(super) tls_priority: String,
    pub(super) start_timeout: Duration,
}

// === impl Config ===

impl Default for Config {
    fn default() -> Self {
        Self {
            udp: true,
            tcp: true,
            tls: true,
            relp: true,
            relp_tls: false,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            escape_control: true,
            discard_truncated: false,
            udp_rcvbuf: Some(DEFAULT_UDP_RCVBUF),
            tls_authmode: TlsAuthMode::Anon,
            tls_permitted_peer: DEFAULT_TLS_PERMITTED_PEER.to_string(),
            tls_priority: String::new(),
            start_timeout: DEFAULT_START_TIMEOUT,
        }
    }
}

impl Config {
    /// Whether a listener needs the test CA and certificates (TLS, RELP over TLS).
    pub(super) fn needs_certs(&self) -> bool {
        self.tls || self.relp_tls
    }

    /// Checks every option against what rsyslogd and the config syntax take.
    pub(super) fn validate(&self) -> Result<(), StartError> {
        let invalid = |option: &'static str, reason: String| {
            Err(StartError::InvalidOption { option, reason })
        };
        if !(self.udp || self.tcp || self.tls || self.relp || self.relp_tls) {
            return invalid(
                "udp`, `tcp`, `tls`, `relp` and `relp_tls",
                "are all off: enable at least one listener".into(),
            );
        }
        if self.max_message_size < MIN_MAX_MESSAGE_SIZE {
            return invalid(
                "max_message_size",
                format!("must be at least {MIN_MAX_MESSAGE_SIZE} bytes (rsyslog's minimum)"),
            );
        }
        if !(1..=MAX_MAX_FRAME_SIZE).contains(&self.max_frame_size) {
            return invalid(
                "max_frame_size",
                format!("must be between 1 and {MAX_MAX_FRAME_SIZE}"),
            );
        }
        if self.udp_rcvbuf == Some(0) {
            return invalid(
                "udp_rcvbuf",
                "must be greater than zero (None keeps the kernel's default)".into(),
            );
        }
        let peer = &self.tls_permitted_peer;
        if peer.is_empty()
            || !peer
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".*_-".contains(&b))
        {
            return invalid(
                "tls_permitted_peer",
                format!("must be a non-empty DNS-like name (A-Z a-z 0-9 . * _ -), got {peer:?}"),
            );
        }
        if peer.contains('*') {
            // The client certificate carries this name as a dNSName SAN.
            return invalid(
                "tls_permitted_peer",
                format!("must not contain a wildcard, got {peer:?}"),
            );
        }
        if !self
            .tls_priority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".:+%_-".contains(&b))
        {
            return invalid(
                "tls_priority",
                format!(
                    "must be a GnuTLS priority string (A-Z a-z 0-9 . : + % _ -), got {:?}",
                    self.tls_priority
                ),
            );
        }
        if self.start_timeout.is_zero() {
            return invalid("start_timeout", "must be greater than zero".into());
        }
        Ok(())
    }
}

/// Builds a custom rsyslogd instance; see [`Rsyslog::builder`].
///
/// # Examples
///
/// ```
/// use logwood_testkit::rsyslog::{Rsyslog, TlsAuthMode};
///
/// let server = Rsyslog::builder()
///     .tls_authmode(TlsAuthMode::X509Name)
///     .escape_control(false)
///     .max_message_size(4096)
///     .start()?;
/// assert_eq!(server.max_message_size(), 4096);
/// assert!(server.client_cert().is_file());
/// // Dropping `server` stops rsyslogd.
/// # Ok::<(), logwood_testkit::rsyslog::StartError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct RsyslogBuilder {
    config: Config,
}

// === impl RsyslogBuilder ===

impl RsyslogBuilder {
    /// Whether the instance has a UDP listener (imudp).
    ///
    /// By default, it has.
    pub fn udp(mut self, enabled: bool) -> Self {
        self.config.udp = enabled;
        self
    }

    /// Whether the instance has a plain TCP listener (imtcp, octet-counted or
    /// LF-framed).
    ///
    /// By default, it has.
    pub fn tcp(mut self, enabled: bool) -> Self {
        self.config.tcp = enabled;
        self
    }

    /// Whether the instance has a TLS listener (imtcp with GnuTLS, RFC 5425).
    ///
    /// By default, it has.
    pub fn tls(mut self, enabled: bool) -> Self {
        self.config.tls = enabled;
        self
    }

    /// Whether the instance has a RELP listener (imrelp, plain TCP): every
    /// message is acknowledged by a `rsp` frame once rsyslog has taken it.
    ///
    /// By default, it has.
    pub fn relp(mut self, enabled: bool) -> Self {
        self.config.relp = enabled;
        self
    }

    /// Whether the instance has a RELP listener over TLS (imrelp with
    /// `tls="on"`). imrelp has no anonymous mode a certificate-checking
    /// client can use (its `anon` is anonymous Diffie-Hellman), so this
    /// listener always asks for a client certificate signed by the CA
    /// ([`Rsyslog::client_cert`]): `certvalid`, or `name` (with
    /// [`tls_permitted_peer`](Self::tls_permitted_peer)) when
    /// [`tls_authmode`](Self::tls_authmode) is [`TlsAuthMode::X509Name`].
    ///
    /// By default, it has not (it is on only when asked for).
    pub fn relp_tls(mut self, enabled: bool) -> Self {
        self.config.relp_tls = enabled;
        self
    }

    /// rsyslog's global `maxMessageSize`: UDP datagrams and TCP frames longer
    /// than this are truncated. At least 128.
    ///
    /// By default, [`DEFAULT_MAX_MESSAGE_SIZE`] (64 KiB).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// imtcp `maxFrameSize`: the largest octet count rsyslogd accepts in an
    /// octet-counted frame.
    ///
    /// By default, [`DEFAULT_MAX_FRAME_SIZE`].
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.config.max_frame_size = bytes;
        self
    }

    /// rsyslog's `parser.escapeControlCharactersOnReceive`: when on, control
    /// characters in a received message are stored as `#012` (LF), `#011`
    /// (TAB), …; when off, they are kept as sent.
    ///
    /// By default, on (rsyslog's default).
    pub fn escape_control(mut self, on: bool) -> Self {
        self.config.escape_control = on;
        self
    }

    /// imtcp `discardTruncatedMsg`: when off, the part of a TCP frame past
    /// `maxMessageSize` arrives as a further message; when on, it is dropped.
    ///
    /// By default, off (rsyslog's default).
    pub fn discard_truncated(mut self, on: bool) -> Self {
        self.config.discard_truncated = on;
        self
    }

    /// The UDP socket's receive buffer in bytes; `None` keeps the kernel's
    /// default (208 KiB on Debian, which loses datagrams in bursts).
    ///
    /// By default, [`DEFAULT_UDP_RCVBUF`] (8 MiB).
    pub fn udp_rcvbuf(mut self, bytes: Option<usize>) -> Self {
        self.config.udp_rcvbuf = bytes;
        self
    }

    /// How the TLS listener authenticates clients.
    ///
    /// By default, [`TlsAuthMode::Anon`].
    pub fn tls_authmode(mut self, mode: TlsAuthMode) -> Self {
        self.config.tls_authmode = mode;
        self
    }

    /// The name in the client certificate (CN and DNS SAN), which
    /// [`TlsAuthMode::X509Name`] requires from clients.
    ///
    /// By default, [`DEFAULT_TLS_PERMITTED_PEER`].
    pub fn tls_permitted_peer(mut self, name: impl Into<String>) -> Self {
        self.config.tls_permitted_peer = name.into();
        self
    }

    /// A GnuTLS priority string for the TLS listener; `"NORMAL"` lets the
    /// `anon` mode negotiate TLS 1.3 as well. Empty keeps rsyslog's.
    ///
    /// By default, empty.
    pub fn tls_priority(mut self, priority: impl Into<String>) -> Self {
        self.config.tls_priority = priority.into();
        self
    }

    /// How long [`start`](Self::start) waits for rsyslogd to be ready.
    ///
    /// By default, [`DEFAULT_START_TIMEOUT`] (30 s).
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.config.start_timeout = timeout;
        self
    }

    /// Installs rsyslog if needed, writes the config and certificates into a
    /// fresh directory, starts rsyslogd and waits until it is ready.
    ///
    /// The instance is stopped when the returned value is dropped.
    ///
    /// # Errors
    ///
    /// An invalid option, a failed install, or an rsyslogd that rejected its
    /// config, exited, could not bind its ports (after 3 tries with other
    /// ports) or was not ready in time; the error carries rsyslogd's output.
    pub fn start(self) -> Result<Rsyslog, StartError> {
        self.config.validate()?;
        Rsyslog::start_with(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn rejects_options_rsyslog_cannot_take() {
        let check = |b: RsyslogBuilder, option: &str| {
            let err = b.config.validate().unwrap_err();
            assert!(
                err.to_string().contains(option),
                "{err} does not name {option}"
            );
        };
        let b = RsyslogBuilder::default;
        check(b().udp(false).tcp(false).tls(false).relp(false), "`tcp`");
        check(b().max_message_size(100), "`max_message_size`");
        check(b().max_frame_size(0), "`max_frame_size`");
        check(b().udp_rcvbuf(Some(0)), "`udp_rcvbuf`");
        check(b().tls_permitted_peer("a\"b"), "`tls_permitted_peer`");
        check(b().tls_permitted_peer("*.x"), "`tls_permitted_peer`");
        check(b().tls_priority("NORMAL\n"), "`tls_priority`");
        check(b().start_timeout(Duration::ZERO), "`start_timeout`");
    }
}
