//! Starting rsyslogd: the instance directory, the config, the process and
//! the readiness wait (ports bound, then a probe message end to end).

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::builder::Config;
use super::certs::TlsFiles;
use super::config::{self, PROBE_APP_NAME};
use super::ports::{self, Ports};
use super::process::Process;
use super::{POLL_INTERVAL, Rsyslog, StartError, install, lines};

/// How many port sets a start tries when a listener cannot bind.
const LISTENER_ATTEMPTS: u32 = 3;

/// How much of rsyslogd's stderr and log an error message quotes.
const DIAGNOSTICS_TAIL: usize = 8 * 1024;

// === impl Rsyslog ===

impl Rsyslog {
    /// Prepares the instance directory and starts rsyslogd, trying other
    /// ports when a listener could not bind.
    pub(super) fn start_with(config: Config) -> Result<Self, StartError> {
        let rsyslogd = install::ensure(install::Needs {
            gtls: config.tls,
            relp: config.relp || config.relp_tls,
        })?;
        let dir = new_instance_dir()?;
        let work = dir.join("work");
        fs::create_dir_all(&work)
            .map_err(StartError::io(format!("creating {}", work.display())))?;
        let tls_files = TlsFiles::in_dir(&dir.join("tls"));
        if config.needs_certs() {
            tls_files.ensure(&config.tls_permitted_peer)?;
        }
        let mut server = Self {
            ports: Ports {
                udp: None,
                tcp: None,
                tls: None,
                relp: None,
                relp_tls: None,
            },
            dir,
            config,
            rsyslogd,
            tls_files,
            process: None,
            // Until it runs: a failed start leaves its files for reading.
            keep_dir: true,
        };
        // rsyslogd appends; the file exists (empty) from the start.
        let messages = server.messages_path();
        fs::write(&messages, b"")
            .map_err(StartError::io(format!("creating {}", messages.display())))?;
        server.launch_with_retries(true)?;
        server.keep_dir = false;
        Ok(server)
    }

    /// Starts rsyslogd, retrying up to [`LISTENER_ATTEMPTS`] times when a
    /// listener could not bind.
    ///
    /// On the `first_start`, each attempt picks new ports and empties
    /// rsyslogd's log; afterwards (a restart) the ports must stay, so it only
    /// waits a moment for whoever holds one to let go.
    pub(super) fn launch_with_retries(&mut self, first_start: bool) -> Result<(), StartError> {
        let mut attempt = 1;
        loop {
            if first_start {
                self.ports = Ports::pick(&self.config)
                    .map_err(StartError::io("choosing free ports on 127.0.0.1"))?;
            }
            match self.launch(first_start) {
                // A port chosen may have been taken between the check and
                // the bind (or, on a restart, since the stop).
                Err(StartError::ListenerFailed { .. }) if attempt < LISTENER_ATTEMPTS => {
                    attempt += 1;
                    if !first_start {
                        thread::sleep(Duration::from_millis(250));
                    }
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

    /// Renders the config for the current ports, starts rsyslogd and waits
    /// until it is ready; on failure, stops it again.
    ///
    /// `fresh_log` empties rsyslogd's own log first, so it holds this run only.
    fn launch(&mut self, fresh_log: bool) -> Result<(), StartError> {
        let conf = self.config_path();
        let text =
            config::render(&self.config, &self.dir, self.ports).map_err(|e| StartError::Io {
                context: format!("rendering {}", conf.display()),
                source: std::io::Error::other(e),
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
            .map_err(StartError::io(format!(
                "running {} -N1",
                self.rsyslogd.display()
            )))?;
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
                    // Only TLS or RELP is on: the bound ports are all we
                    // can check.
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
        let start = usize::try_from(log_offset)
            .unwrap_or(usize::MAX)
            .min(log.len());
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
    pub(super) fn diagnostics(&self) -> String {
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
