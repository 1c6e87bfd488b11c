use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_logwood-collector");
const WAIT: Duration = Duration::from_secs(10);

/// The running binary; killed if a test fails before it stops it.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("LOGWOOD_COLLECTOR_TOKEN");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    fn line(&self) -> String {
        self.lines
            .recv_timeout(WAIT)
            .expect("a stdout line in time")
    }

    /// SIGTERM, then the exit status and stderr.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        (status, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn http_addr(listening: &str) -> SocketAddr {
    let url = listening
        .split(' ')
        .find_map(|part| part.strip_prefix("http=http://"))
        .unwrap_or_else(|| panic!("no http= in {listening:?}"));
    url.parse().unwrap()
}

#[test]
fn binary_prints_the_listening_line_first_then_writes_records_to_stdout() {
    let running = Running::start(&["--listen", "127.0.0.1:0", "--out", "-"], &[]);
    let listening = running.line();
    assert!(
        listening.starts_with("listening http=http://127.0.0.1:"),
        "{listening}"
    );
    assert!(!listening.contains("syslog"));
    let addr = http_addr(&listening);

    let batch = records(2);
    let response = post(
        addr,
        "/frames",
        &[("Content-Type", MSGPACK)],
        &msgpack_batch(&batch),
    )
    .unwrap();
    assert_eq!(
        (response.status, response.json()),
        (202, json!({"accepted": 2}))
    );
    let response = post(
        addr,
        "/frames",
        &[("Content-Type", NDJSON)],
        b"{\"message\":\"ndjson\"}\n",
    )
    .unwrap();
    assert_eq!(response.status, 202);

    let written: Vec<Value> = (0..3)
        .map(|_| serde_json::from_str(&running.line()).unwrap())
        .collect();
    assert_eq!(
        written,
        [batch, vec![json!({"message": "ndjson"})]].concat()
    );

    let (status, stderr) = running.terminate();
    assert!(status.success(), "exit {status:?}, stderr {stderr}");
    assert!(stderr.contains("3 records"), "{stderr}");
}

#[test]
fn binary_takes_the_token_from_the_environment_and_reports_syslog_addresses() {
    let running = Running::start(
        &[
            "--syslog-udp",
            "127.0.0.1:0",
            "--syslog-tcp",
            "127.0.0.1:0",
            "--fail-first",
            "1",
        ],
        &[("LOGWOOD_COLLECTOR_TOKEN", "env-s3cret")],
    );
    let listening = running.line();
    let udp: SocketAddr = listening
        .split(' ')
        .find_map(|p| p.strip_prefix("syslog-udp="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(listening.contains(" syslog-tcp=127.0.0.1:"), "{listening}");
    assert!(!listening.contains("env-s3cret"));
    let addr = http_addr(&listening);

    let body = b"{\"a\":1}\n";
    assert_eq!(
        post(addr, "/frames", &[("Content-Type", NDJSON)], body)
            .unwrap()
            .status,
        401
    );
    let auth = [
        ("Content-Type", NDJSON),
        ("Authorization", "Bearer env-s3cret"),
    ];
    assert_eq!(post(addr, "/frames", &auth, body).unwrap().status, 503);
    assert_eq!(post(addr, "/frames", &auth, body).unwrap().status, 202);
    assert_eq!(
        serde_json::from_str::<Value>(&running.line()).unwrap(),
        json!({"a": 1})
    );

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .send_to(b"<14>1 - h app - - - over udp", udp)
        .unwrap();
    let line: Value = serde_json::from_str(&running.line()).unwrap();
    assert_eq!(line["syslog"]["msg"], json!("over udp"));

    let (status, stderr) = running.terminate();
    assert!(status.success());
    assert!(!stderr.contains("env-s3cret"));
}

#[test]
fn binary_refuses_bad_options_with_a_message_naming_them() {
    let output = Command::new(BIN)
        .args(["--drop-connection-every", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`drop_connection_every` must be greater than zero"),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "no listening line when start fails"
    );
}

#[test]
fn binary_help_never_shows_the_token_from_the_environment() {
    let output = Command::new(BIN)
        .arg("--help")
        .env("LOGWOOD_COLLECTOR_TOKEN", "hidden-t0ken")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--status-sequence"));
    assert!(help.contains("LOGWOOD_COLLECTOR_TOKEN"));
    assert!(!help.contains("hidden-t0ken"));
}
