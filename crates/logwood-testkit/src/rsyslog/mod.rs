//! A real `rsyslogd` on 127.0.0.1 for integration tests.
//!
//! [`Rsyslog`] runs a private rsyslogd (its own config, pid file, work
//! directory and output files, in a fresh temp directory) with up to five
//! listeners bound to 127.0.0.1 only:
//!
//! | listener | protocol | framing |
//! | --- | --- | --- |
//! | [`udp_addr`](Rsyslog::udp_addr) | imudp | one message per datagram |
//! | [`tcp_addr`](Rsyslog::tcp_addr) | imtcp | RFC 6587 octet counting (`LEN SP MSG`) **and** LF framing, per frame |
//! | [`tls_addr`](Rsyslog::tls_addr) | imtcp + GnuTLS (RFC 5425) | as `tcp`, inside TLS |
//! | [`relp_addr`](Rsyslog::relp_addr) | imrelp (RELP, librelp) | RELP frames, each `syslog` command acknowledged by a `rsp` |
//! | [`relp_tls_addr`](Rsyslog::relp_tls_addr) | imrelp with `tls="on"` (off unless asked for) | RELP inside TLS; a client certificate is required |
//!
//! Every received message becomes one JSON object per line in
//! `messages.jsonl`, holding what rsyslog parsed out of it, so a test asserts
//! exactly how a real server understood what a layer sent. It never reads or
//! changes `/etc/rsyslog.conf` or the system's syslog service. rsyslog (and
//! rsyslog-gnutls, rsyslog-relp) are installed with apt-get when missing;
//! set [`NO_INSTALL_ENV`] to fail instead.
//!
//! # The JSON line
//!
//! Sent over TCP: `<131>1 2026-11-20T03:44:21.221232Z web-1 shop 8123 ORDER
//! [order@32473 id="1234"] Order placed`; parsed ([`Rsyslog::wait_for`]):
//!
//! | key | value |
//! | --- | --- |
//! | `input` | `"udp"`, `"tcp"`, `"tls"`, `"relp"` or `"relp-tls"`: the listener |
//! | `fromhost-ip` | `"127.0.0.1"` |
//! | `pri`, `facility`, `severity` | `131`, `16`, `3`; `pri` and `facility` are `null` when the PRI was invalid (then `severity` is 7) |
//! | `facility-text`, `severity-text` | `"local0"`, `"err"` |
//! | `protocol-version` | `1` when the RFC 5424 parser took the message, `0` for RFC 3164 |
//! | `timestamp` | `"2026-11-20T03:44:21.221232Z"`: TIMESTAMP as sent (1 to 6 fraction digits round-trip; 9 corrupt it), else the reception time |
//! | `timegenerated` | reception time, RFC 3339 |
//! | `hostname`, `app-name`, `procid`, `msgid` | `"web-1"`, `"shop"`, `"8123"`, `"ORDER"`; `"-"` for a NILVALUE |
//! | `structured-data` | the SD text as sent |
//! | `sd` | `{"order@32473": {"id": "1234"}}`: SD parsed, case kept; `{}` when none or malformed |
//! | `syslogtag`, `programname` | the RFC 3164 view: `"shop[8123]"`, `"shop"` |
//! | `msg` | `"Order placed"`: control characters as `#012` unless [`RsyslogBuilder::escape_control`] is off |
//! | `rawmsg` | the whole message as received, framing removed |
//!
//! rsyslog copies bytes that are not UTF-8 through: the parsed accessors
//! replace them with U+FFFD, the `raw` ones return the bytes.
//!
//! # Examples
//!
//! ```
//! use std::net::UdpSocket;
//! use std::time::Duration;
//!
//! use logwood_testkit::rsyslog::Rsyslog;
//!
//! let server = Rsyslog::shared();
//! let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
//! socket
//!     .send_to(b"<14>1 - host app - - - hello marker-doc-1", server.udp_addr())
//!     .unwrap();
//! let lines = server.wait_for("marker-doc-1", 1, Duration::from_secs(10));
//! assert_eq!(lines.len(), 1);
//! assert_eq!(lines[0]["app-name"], "app");
//! ```

mod builder;
mod certs;
mod config;
mod error;
mod install;
mod lines;
mod ports;
mod process;
mod start;

use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

pub use builder::{
    DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_START_TIMEOUT,
    DEFAULT_TLS_PERMITTED_PEER, DEFAULT_UDP_RCVBUF, RsyslogBuilder, TlsAuthMode,
};
pub use certs::TLS_SERVER_NAME;
pub use config::PROBE_APP_NAME;
pub use error::StartError;
pub use install::NO_INSTALL_ENV;

use builder::Config;
use certs::TlsFiles;
use lines::LineReader;
use ports::Ports;
use process::Process;

/// How often the waiting accessors look at the files again.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// A private rsyslogd on 127.0.0.1; stopped when dropped.
///
/// Get the one shared by a test binary with [`Rsyslog::shared`], or a custom
/// one with [`Rsyslog::builder`]. See the [module docs](self) for the JSON
/// each received message becomes.
///
/// Its files live in [`dir`](Self::dir). Dropping the instance stops
/// rsyslogd and removes the directory, except while the thread panics (a
/// failed test), so its files stay for reading after the failure.
#[derive(Debug)]
pub struct Rsyslog {
    dir: PathBuf,
    config: Config,
    ports: Ports,
    rsyslogd: PathBuf,
    tls_files: TlsFiles,
    process: Option<Process>,
    /// Whether `Drop` leaves the directory.
    keep_dir: bool,
}

// === impl Rsyslog ===

impl Rsyslog {
    /// The instance shared by every test of this test binary, started on
    /// first use with the default options (UDP, TCP, TLS in `anon` mode and
    /// RELP).
    ///
    /// It is never dropped: rsyslogd stops when the test process exits. Give
    /// each test its own marker (see [`wait_for`](Self::wait_for)).
    ///
    /// # Panics
    ///
    /// When rsyslogd could not be installed or started, with the reason and
    /// rsyslogd's output; every later call panics with the same message.
    pub fn shared() -> &'static Rsyslog {
        static SHARED: OnceLock<Result<Rsyslog, String>> = OnceLock::new();
        let shared = SHARED.get_or_init(|| Rsyslog::builder().start().map_err(|e| error_chain(&e)));
        match shared {
            Ok(server) => server,
            Err(message) => panic!("the shared rsyslogd could not be started: {message}"),
        }
    }

    /// A builder for a custom instance.
    ///
    /// # Default values
    ///
    /// | option | default |
    /// | --- | --- |
    /// | [`udp`](RsyslogBuilder::udp), [`tcp`](RsyslogBuilder::tcp), [`tls`](RsyslogBuilder::tls), [`relp`](RsyslogBuilder::relp) | on |
    /// | [`relp_tls`](RsyslogBuilder::relp_tls) | off |
    /// | [`max_message_size`](RsyslogBuilder::max_message_size) | [`DEFAULT_MAX_MESSAGE_SIZE`] (64 KiB) |
    /// | [`max_frame_size`](RsyslogBuilder::max_frame_size) | [`DEFAULT_MAX_FRAME_SIZE`] (200000) |
    /// | [`escape_control`](RsyslogBuilder::escape_control) | on |
    /// | [`discard_truncated`](RsyslogBuilder::discard_truncated) | off |
    /// | [`udp_rcvbuf`](RsyslogBuilder::udp_rcvbuf) | [`DEFAULT_UDP_RCVBUF`] (8 MiB) |
    /// | [`tls_authmode`](RsyslogBuilder::tls_authmode) | [`TlsAuthMode::Anon`] |
    /// | [`tls_permitted_peer`](RsyslogBuilder::tls_permitted_peer) | [`DEFAULT_TLS_PERMITTED_PEER`] |
    /// | [`tls_priority`](RsyslogBuilder::tls_priority) | empty (rsyslog's) |
    /// | [`start_timeout`](RsyslogBuilder::start_timeout) | [`DEFAULT_START_TIMEOUT`] (30 s) |
    pub fn builder() -> RsyslogBuilder {
        RsyslogBuilder::default()
    }

    // --- lifecycle ---

    /// Stops rsyslogd (SIGTERM: it flushes `messages.jsonl`; SIGKILL after
    /// 10 s) and waits for it. Does nothing when it is stopped.
    ///
    /// The ports and files stay; [`start_again`](Self::start_again) resumes.
    pub fn stop(&mut self) {
        if let Some(process) = self.process.take() {
            process.stop();
        }
    }

    /// Starts rsyslogd again on the **same** ports with the same config and
    /// certificates, after stopping it if it runs; `messages.jsonl` and
    /// rsyslogd's log are appended to. For reconnection tests.
    ///
    /// # Errors
    ///
    /// As [`RsyslogBuilder::start`]; [`StartError::ListenerFailed`] when a
    /// port was taken by another process meanwhile (tried 3 times).
    pub fn start_again(&mut self) -> Result<(), StartError> {
        self.stop();
        self.launch_with_retries(false)
    }

    /// Whether rsyslogd runs.
    pub fn is_running(&self) -> bool {
        self.process.as_ref().is_some_and(Process::is_alive)
    }

    /// rsyslogd's pid, while started.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Process::pid)
    }

    // --- addresses and files ---

    /// The UDP listener, on 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When the instance has no UDP listener.
    pub fn udp_addr(&self) -> SocketAddr {
        loopback(self.ports.udp, "UDP")
    }

    /// The plain TCP listener, on 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When the instance has no TCP listener.
    pub fn tcp_addr(&self) -> SocketAddr {
        loopback(self.ports.tcp, "TCP")
    }

    /// The TLS listener, on 127.0.0.1; verify it as [`TLS_SERVER_NAME`]
    /// (`localhost`) or as IP 127.0.0.1 against [`ca_file`](Self::ca_file).
    ///
    /// # Panics
    ///
    /// When the instance has no TLS listener.
    pub fn tls_addr(&self) -> SocketAddr {
        loopback(self.ports.tls, "TLS")
    }

    /// The RELP listener (imrelp, plain TCP), on 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When the instance has no RELP listener.
    pub fn relp_addr(&self) -> SocketAddr {
        loopback(self.ports.relp, "RELP")
    }

    /// The RELP-over-TLS listener, on 127.0.0.1: verify it as
    /// [`TLS_SERVER_NAME`] against [`ca_file`](Self::ca_file) and present
    /// [`client_cert`](Self::client_cert) with
    /// [`client_key`](Self::client_key).
    ///
    /// # Panics
    ///
    /// When the instance has no RELP-over-TLS listener
    /// ([`RsyslogBuilder::relp_tls`]).
    pub fn relp_tls_addr(&self) -> SocketAddr {
        loopback(self.ports.relp_tls, "RELP-over-TLS")
    }

    /// The name the server certificate is issued for: [`TLS_SERVER_NAME`].
    pub fn tls_server_name(&self) -> &'static str {
        TLS_SERVER_NAME
    }

    /// The test CA's certificate (PEM), which signed the server and client
    /// certificates.
    ///
    /// # Panics
    ///
    /// When the instance has no TLS listener (no certificates were made).
    pub fn ca_file(&self) -> &Path {
        self.tls_file(&self.tls_files.ca)
    }

    /// A client certificate (PEM, ECDSA P-256) signed by the CA, with CN and
    /// DNS SAN [`tls_permitted_peer`](Self::tls_permitted_peer) and EKU
    /// clientAuth: what the `x509/*` modes accept.
    ///
    /// # Panics
    ///
    /// When the instance has no TLS listener.
    pub fn client_cert(&self) -> &Path {
        self.tls_file(&self.tls_files.client_cert)
    }

    /// The private key of [`client_cert`](Self::client_cert) (PEM, PKCS #8).
    ///
    /// # Panics
    ///
    /// When the instance has no TLS listener.
    pub fn client_key(&self) -> &Path {
        self.tls_file(&self.tls_files.client_key)
    }

    fn tls_file<'a>(&self, path: &'a Path) -> &'a Path {
        assert!(
            self.config.needs_certs(),
            "this rsyslogd instance has no TLS listener (RsyslogBuilder::tls(false), no relp_tls)"
        );
        path
    }

    /// The instance's directory (config, certificates, output files).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `messages.jsonl`: one JSON object per received message.
    pub fn messages_path(&self) -> PathBuf {
        self.dir.join("messages.jsonl")
    }

    /// rsyslogd's own log (start, stop, framing and TLS errors).
    pub fn rsyslogd_log_path(&self) -> PathBuf {
        self.dir.join("rsyslogd.log")
    }

    /// The rendered `rsyslog.conf`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("rsyslog.conf")
    }

    fn stderr_path(&self) -> PathBuf {
        self.dir.join("rsyslogd.stderr")
    }

    // --- facts a test may depend on ---

    /// rsyslog's `maxMessageSize`: longer UDP datagrams and TCP frames are
    /// cut there.
    pub fn max_message_size(&self) -> usize {
        self.config.max_message_size
    }

    /// imtcp `maxFrameSize`: the largest octet count accepted.
    pub fn max_frame_size(&self) -> usize {
        self.config.max_frame_size
    }

    /// Whether control characters are stored escaped (`#012` for LF).
    pub fn escape_control(&self) -> bool {
        self.config.escape_control
    }

    /// Whether the part of a TCP frame past `maxMessageSize` is dropped
    /// (else it arrives as a further message).
    pub fn discard_truncated(&self) -> bool {
        self.config.discard_truncated
    }

    /// How the TLS listener authenticates clients.
    pub fn tls_authmode(&self) -> TlsAuthMode {
        self.config.tls_authmode
    }

    /// The client certificate's name, required by [`TlsAuthMode::X509Name`].
    pub fn tls_permitted_peer(&self) -> &str {
        &self.config.tls_permitted_peer
    }

    // --- reading what arrived ---

    /// Every message received so far, parsed (bytes that are not UTF-8
    /// become U+FFFD).
    ///
    /// # Panics
    ///
    /// When `messages.jsonl` cannot be read or a line of it is not JSON.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let path = self.messages_path();
        self.raw_messages()
            .iter()
            .map(|line| lines::parse(line, &path))
            .collect()
    }

    /// Every line of `messages.jsonl` so far, as the bytes rsyslog wrote
    /// (without the `\n`).
    ///
    /// # Panics
    ///
    /// When `messages.jsonl` cannot be read.
    pub fn raw_messages(&self) -> Vec<Vec<u8>> {
        self.read_lines(&mut LineReader::new(&self.messages_path()))
    }

    /// The messages received so far whose line contains `marker`, parsed;
    /// does not wait (to check that something did **not** arrive).
    ///
    /// # Panics
    ///
    /// As [`wait_for`](Self::wait_for).
    pub fn messages_containing(&self, marker: &str) -> Vec<serde_json::Value> {
        self.wait_for(marker, 0, Duration::ZERO)
    }

    /// Waits until at least `n` lines of `messages.jsonl` contain `marker`,
    /// or until `timeout` passed, and returns those lines parsed: what it
    /// has, so the test asserts on the count.
    ///
    /// The marker is matched in the line's JSON text: use one unique to the
    /// test (app-name, msgid or a word of the message) made of characters
    /// rsyslog does not escape (no `"`, `\`, `/` or control characters).
    ///
    /// # Panics
    ///
    /// When `marker` is empty or holds a character JSON escapes, when
    /// `messages.jsonl` cannot be read, or when a matching line is not JSON.
    pub fn wait_for(&self, marker: &str, n: usize, timeout: Duration) -> Vec<serde_json::Value> {
        let path = self.messages_path();
        self.wait_for_raw(marker, n, timeout)
            .iter()
            .map(|line| lines::parse(line, &path))
            .collect()
    }

    /// As [`wait_for`](Self::wait_for), returning the lines' bytes as rsyslog
    /// wrote them.
    ///
    /// # Panics
    ///
    /// When `marker` is empty or holds a character JSON escapes, or when
    /// `messages.jsonl` cannot be read.
    pub fn wait_for_raw(&self, marker: &str, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        assert!(
            !marker.is_empty()
                && !marker
                    .chars()
                    .any(|c| c == '"' || c == '\\' || c == '/' || c.is_control()),
            "marker {marker:?} must be non-empty and free of characters JSON escapes \
             (\", \\, / and control characters), or it never matches a line"
        );
        let deadline = Instant::now() + timeout;
        let mut reader = LineReader::new(&self.messages_path());
        let mut found = Vec::new();
        loop {
            found.extend(
                self.read_lines(&mut reader)
                    .into_iter()
                    .filter(|line| lines::contains(line, marker.as_bytes())),
            );
            if found.len() >= n || Instant::now() >= deadline {
                return found;
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    fn read_lines(&self, reader: &mut LineReader) -> Vec<Vec<u8>> {
        reader
            .read_new()
            .unwrap_or_else(|e| panic!("reading {}: {e}", self.messages_path().display()))
    }

    /// rsyslogd's own log so far: start and stop, oversize frames, TLS
    /// errors ("non-properly terminated", "peer name not authorized"). Empty
    /// when there is none yet.
    pub fn rsyslogd_log(&self) -> String {
        String::from_utf8_lossy(&fs::read(self.rsyslogd_log_path()).unwrap_or_default())
            .into_owned()
    }

    /// Waits until rsyslogd's own log contains `needle`, at most `timeout`;
    /// whether it does.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.rsyslogd_log().contains(needle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(POLL_INTERVAL);
        }
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        self.stop();
        if !self.keep_dir && !thread::panicking() {
            let _ignored = fs::remove_dir_all(&self.dir);
        }
    }
}

/// 127.0.0.1:`port`.
///
/// # Panics
///
/// When the listener is off.
fn loopback(port: Option<u16>, what: &str) -> SocketAddr {
    let port = port.unwrap_or_else(|| panic!("this rsyslogd instance has no {what} listener"));
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// The error and its sources, one per line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(&format!("\ncaused by: {e}"));
        source = e.source();
    }
    text
}
