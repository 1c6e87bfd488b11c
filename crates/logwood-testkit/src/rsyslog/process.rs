//! The rsyslogd process, tied to the test process's lifetime.
//!
//! A static shared instance is never dropped, and the workspace forbids the
//! `unsafe` that `prctl(PR_SET_PDEATHSIG)` would need. So rsyslogd runs under
//! a small `sh` whose stdin is a pipe from this process:
//!
//! ```sh
//! rsyslogd -n -f CONF -i PIDFILE >STDERR 2>&1 </dev/null &
//! echo $!; cat >/dev/null; kill $!; wait $!
//! ```
//!
//! When this process exits, however it exits, the kernel closes the pipe's
//! write end, `cat` returns and the shell stops rsyslogd with SIGTERM.
//! [`Process::stop`] does the same on purpose: close the pipe, then wait.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::StartError;

/// The shell script; `$0` is rsyslogd, `$1` the config, `$2` the pid file,
/// `$3` the file for rsyslogd's stdout and stderr.
const SUPERVISOR: &str = r#"
"$0" -n -f "$1" -i "$2" >"$3" 2>&1 </dev/null &
r=$!
echo "$r"
cat >/dev/null
kill "$r" 2>/dev/null
wait "$r"
"#;

/// How long rsyslogd gets to flush and exit after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running rsyslogd and its supervising shell.
#[derive(Debug)]
pub(super) struct Process {
    shell: Child,
    /// Closing this (drop) makes the shell stop rsyslogd.
    stdin: Option<ChildStdin>,
    pid: u32,
}

// === impl Process ===

impl Process {
    /// Starts `rsyslogd` in the foreground of a supervising shell.
    pub(super) fn spawn(
        rsyslogd: &Path,
        conf: &Path,
        pid_file: &Path,
        stderr_file: &Path,
    ) -> Result<Self, StartError> {
        let mut shell = Command::new("sh")
            .arg("-c")
            .arg(SUPERVISOR)
            .arg(rsyslogd)
            .arg(conf)
            .arg(pid_file)
            .arg(stderr_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(StartError::io("spawning sh to run rsyslogd"))?;
        let stdin = shell.stdin.take();
        let mut line = String::new();
        let read = shell
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        let Some(pid) = read
            .and_then(Result::ok)
            .and_then(|_| line.trim().parse().ok())
        else {
            let _ignored = shell.kill();
            let _ignored = shell.wait();
            return Err(StartError::Io {
                context: "starting rsyslogd".into(),
                source: std::io::Error::other(format!(
                    "the supervising shell printed {line:?} instead of rsyslogd's pid"
                )),
            });
        };
        Ok(Self { shell, stdin, pid })
    }

    /// rsyslogd's pid.
    pub(super) fn pid(&self) -> u32 {
        self.pid
    }

    /// Whether rsyslogd runs (a zombie does not).
    pub(super) fn is_alive(&self) -> bool {
        is_alive(self.pid)
    }

    /// Stops rsyslogd with SIGTERM (it flushes its files) and waits for it;
    /// SIGKILL after [`STOP_TIMEOUT`].
    pub(super) fn stop(mut self) {
        self.stop_mut();
    }

    fn stop_mut(&mut self) {
        let Some(stdin) = self.stdin.take() else {
            return;
        };
        drop(stdin);
        if !wait_bounded(&mut self.shell, STOP_TIMEOUT) {
            // rsyslogd ignored SIGTERM: kill it, then the shell waiting for it.
            let _ignored = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .stderr(Stdio::null())
                .status();
            if !wait_bounded(&mut self.shell, Duration::from_secs(2)) {
                let _ignored = self.shell.kill();
                let _ignored = self.shell.wait();
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop_mut();
    }
}

/// Waits for `child` to exit, at most `timeout`; whether it did.
fn wait_bounded(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Whether process `pid` runs: it exists and is not a zombie.
fn is_alive(pid: u32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "PID (COMM) STATE ...": COMM may hold spaces and parentheses.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|state| state != "Z" && state != "X")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_one_is_not() {
        assert!(is_alive(std::process::id()));
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!is_alive(pid));
    }
}
