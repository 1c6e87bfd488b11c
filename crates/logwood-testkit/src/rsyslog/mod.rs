//! A real `rsyslogd` on 127.0.0.1 for integration tests.
//!
//! [`Rsyslog`] runs a private rsyslogd (its own config, pid file, work
//! directory and output files, in a fresh temp directory) with up to three
//! listeners bound to 127.0.0.1 only:
//!
//! | listener | protocol | framing |
//! | --- | --- | --- |
//! | [`udp_addr`](Rsyslog::udp_addr) | imudp | one message per datagram |
//! | [`tcp_addr`](Rsyslog::tcp_addr) | imtcp | RFC 6587 octet counting (`LEN SP MSG`) **and** LF framing, per frame |
//! | [`tls_addr`](Rsyslog::tls_addr) | imtcp + GnuTLS (RFC 5425) | as `tcp`, inside TLS |
//!
//! Every received message becomes one JSON object per line in
//! `messages.jsonl`, holding what rsyslog parsed out of it, so a test asserts
//! exactly how a real server understood what a layer sent. It never reads or
//! changes `/etc/rsyslog.conf` or the system's syslog service. rsyslog (and
//! rsyslog-gnutls) are installed with apt-get when missing; set
//! [`NO_INSTALL_ENV`] to fail instead.
//!
//! # The JSON line
//!
//! Sent over TCP: `<131>1 2026-11-20T03:44:21.221232Z web-1 shop 8123 ORDER
//! [order@32473 id="1234"] Order placed`; parsed ([`Rsyslog::wait_for`]):
//!
//! | key | value |
//! | --- | --- |
//! | `input` | `"udp"`, `"tcp"` or `"tls"`: the listener |
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
//! ```no_run
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

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
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

/// How many port sets a start tries when a listener cannot bind.
const LISTENER_ATTEMPTS: u32 = 3;

/// How much of rsyslogd's stderr and log an error message quotes.
const DIAGNOSTICS_TAIL: usize = 8 * 1024;

/// A private rsyslogd on 127.0.0.1; stopped when dropped.
///
/// Get the one shared by a test binary with [`Rsyslog::shared`], or a custom
/// one with [`Rsyslog::builder`]. See the [module docs](self) for the JSON
/// each received message becomes.
///
/// Its files live in [`dir`](Self::dir), which is kept after the instance
/// stops for post-mortem reading.
#[derive(Debug)]
pub struct Rsyslog {
    dir: PathBuf,
    config: Config,
    ports: Ports,
    rsyslogd: PathBuf,
    tls_files: TlsFiles,
    process: Option<Process>,
}

// === impl Rsyslog ===

impl Rsyslog {
    /// The instance shared by every test of this test binary, started on
    /// first use with the default options (UDP, TCP and TLS in `anon` mode).
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
    /// | [`udp`](RsyslogBuilder::udp), [`tcp`](RsyslogBuilder::tcp), [`tls`](RsyslogBuilder::tls) | on |
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

    /// Prepares the instance directory and starts rsyslogd, trying other
    /// ports when a listener could not bind.
    fn start_with(config: Config) -> Result<Self, StartError> {
        let rsyslogd = install::ensure(config.tls)?;
        let dir = new_instance_dir()?;
        let work = dir.join("work");
        fs::create_dir_all(&work).map_err(StartError::io(format!("creating {}", work.display())))?;
        let tls_files = TlsFiles::in_dir(&dir.join("tls"));
        if config.tls {
            tls_files.ensure(&config.tls_permitted_peer)?;
        }
        let mut server = Self {
            ports: Ports {
                udp: None,
                tcp: None,
                tls: None,
            },
            dir,
            config,
            rsyslogd,
            tls_files,
            process: None,
        };
        // rsyslogd appends; the file exists (empty) from the start.
        let messages = server.messages_path();
        fs::write(&messages, b"").map_err(StartError::io(format!("creating {}", messages.display())))?;
        for attempt in 1..=LISTENER_ATTEMPTS {
            let c = &server.config;
            server.ports = Ports::pick(c.udp, c.tcp, c.tls)
                .map_err(StartError::io("choosing free ports on 127.0.0.1"))?;
            match server.launch(true) {
                Ok(()) => return Ok(server),
                // A port chosen may have been taken between the check and the
                // bind: pick others.
                Err(StartError::ListenerFailed { .. }) if attempt < LISTENER_ATTEMPTS => {}
                Err(StartError::ListenerFailed { diagnostics, .. }) => {
                    return Err(StartError::ListenerFailed {
                        attempts: attempt,
                        diagnostics,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Renders the config for the current ports, starts rsyslogd and waits
    /// until it is ready; on failure, stops it again.
    ///
    /// `fresh_log` empties rsyslogd's own log first, so it holds this run only.
    fn launch(&mut self, fresh_log: bool) -> Result<(), StartError> {
        let conf = self.config_path();
        let text = config::render(&self.config, &self.dir, self.ports).map_err(|e| {
            StartError::Io {
                context: format!("rendering {}", conf.display()),
                source: std::io::Error::other(e),
            }
        })?;
        fs::write(&conf, text).map_err(StartError::io(format!("writing {}", conf.display())))?;
        let log = self.rsyslogd_log_path();
        if fresh_log {
            remove_if_present(&log)?;
        }
        // A pid file left by a killed rsyslogd would make the next one refuse.
        remove_if_present(&self.dir.join("rsyslogd.pid"))?;
        remove_if_present(&self.dir.join("ready.log"))?;
        let log_offset = fs::metadata(&log).map_or(0, |m| m.len());

        let check = Command::new(&self.rsyslogd)
            .arg("-N1")
            .arg("-f")
            .arg(&conf)
            .output()
            .map_err(StartError::io(format!("running {} -N1", self.rsyslogd.display())))?;
        if !check.status.success() {
            return Err(StartError::ConfigRejected {
                path: conf,
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&check.stdout),
                    String::from_utf8_lossy(&check.stderr)
                ),
            });
        }

        let process = Process::spawn(
            &self.rsyslogd,
            &conf,
            &self.dir.join("rsyslogd.pid"),
            &self.stderr_path(),
        )?;
        let ready = self.wait_ready(&process, log_offset);
        if ready.is_ok() {
            self.process = Some(process);
        } else {
            process.stop();
        }
        ready
    }

    /// Waits until rsyslogd has bound every port and a probe message came
    /// out at the other end (in `ready.log`), like `start.sh`.
    fn wait_ready(&self, process: &Process, log_offset: u64) -> Result<(), StartError> {
        static PROBES: AtomicU32 = AtomicU32::new(0);
        let timeout = self.config.start_timeout;
        let deadline = Instant::now() + timeout;
        let nonce = format!(
            "probe-{}-{}",
            std::process::id(),
            PROBES.fetch_add(1, Ordering::Relaxed)
        );
        let ready_log = self.dir.join("ready.log");
        loop {
            if !process.is_alive() {
                return Err(StartError::Exited {
                    diagnostics: self.diagnostics(),
                });
            }
            if self.listener_failed(log_offset) {
                return Err(StartError::ListenerFailed {
                    attempts: 1,
                    diagnostics: self.diagnostics(),
                });
            }
            if ports::all_bound_by(process.pid(), self.ports) {
                if !self.send_probe(&nonce) {
                    // Only TLS is on: the bound port is all we can check.
                    return Ok(());
                }
                let seen = Instant::now() + Duration::from_millis(100);
                while Instant::now() < seen.min(deadline) {
                    let text = fs::read(&ready_log).unwrap_or_default();
                    if lines::contains(&text, nonce.as_bytes()) {
                        return Ok(());
                    }
                    thread::sleep(POLL_INTERVAL);
                }
            } else {
                thread::sleep(Duration::from_millis(20));
            }
            if Instant::now() >= deadline {
                return Err(StartError::NotReady {
                    timeout,
                    diagnostics: self.diagnostics(),
                });
            }
        }
    }

    /// Sends a readiness probe over UDP, else plain TCP; false when neither
    /// listener is on. Errors are ignored: the probe is simply sent again.
    fn send_probe(&self, nonce: &str) -> bool {
        let line = format!("<14>1 - - {PROBE_APP_NAME} - - - {nonce}");
        if let Some(port) = self.ports.udp {
            if let Ok(socket) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) {
                let _ignored = socket.send_to(line.as_bytes(), (Ipv4Addr::LOCALHOST, port));
            }
            true
        } else if let Some(port) = self.ports.tcp {
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                use std::io::Write;
                let _ignored = stream.write_all(format!("{line}\n").as_bytes());
            }
            true
        } else {
            false
        }
    }

    /// Whether rsyslogd said "Could not create ... listener" since `log_offset`.
    fn listener_failed(&self, log_offset: u64) -> bool {
        let log = fs::read(self.rsyslogd_log_path()).unwrap_or_default();
        let start = usize::try_from(log_offset).unwrap_or(usize::MAX).min(log.len());
        let stderr = fs::read(self.stderr_path()).unwrap_or_default();
        [&log[start..], &stderr[..]].into_iter().any(|bytes| {
            String::from_utf8_lossy(bytes).lines().any(|line| {
                let line = line.to_ascii_lowercase();
                line.find("could not create")
                    .is_some_and(|i| line[i..].contains("listener"))
            })
        })
    }

    /// The instance's directory, ports and the tails of rsyslogd's stderr
    /// and log, for error messages.
    fn diagnostics(&self) -> String {
        let tail = |path: PathBuf| {
            let bytes = fs::read(&path).unwrap_or_default();
            let start = bytes.len().saturating_sub(DIAGNOSTICS_TAIL);
            String::from_utf8_lossy(&bytes[start..]).into_owned()
        };
        format!(
            "instance directory: {}\nports: {}\n--- rsyslogd.stderr\n{}\n--- rsyslogd.log\n{}",
            self.dir.display(),
            self.ports.describe(),
            tail(self.stderr_path()),
            tail(self.rsyslogd_log_path()),
        )
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
        let mut attempt = 1;
        loop {
            match self.launch(false) {
                Err(StartError::ListenerFailed { .. }) if attempt < LISTENER_ATTEMPTS => {
                    attempt += 1;
                    thread::sleep(Duration::from_millis(250));
                }
                Err(StartError::ListenerFailed { diagnostics, .. }) => {
                    return Err(StartError::ListenerFailed {
                        attempts: attempt,
                        diagnostics,
                    });
                }
                other => return other,
            }
        }
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
            self.config.tls,
            "this rsyslogd instance has no TLS listener (RsyslogBuilder::tls(false))"
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
                && !marker.chars().any(|c| c == '"' || c == '\\' || c == '/' || c.is_control()),
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

/// 127.0.0.1:`port`.
///
/// # Panics
///
/// When the listener is off.
fn loopback(port: Option<u16>, what: &str) -> SocketAddr {
    let port = port.unwrap_or_else(|| panic!("this rsyslogd instance has no {what} listener"));
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A fresh, empty `logwood-rsyslog-<pid>-<n>` in the temp dir.
fn new_instance_dir() -> Result<PathBuf, StartError> {
    static INSTANCES: AtomicU32 = AtomicU32::new(0);
    let n = INSTANCES.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("logwood-rsyslog-{}-{n}", std::process::id()));
    // Left by an earlier process with the same pid.
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(StartError::io(format!("removing {}", dir.display())))?;
    }
    fs::create_dir_all(&dir).map_err(StartError::io(format!("creating {}", dir.display())))?;
    Ok(dir)
}

fn remove_if_present(path: &Path) -> Result<(), StartError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(StartError::io(format!("removing {}", path.display()))(e))
        }
        _ => Ok(()),
    }
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
