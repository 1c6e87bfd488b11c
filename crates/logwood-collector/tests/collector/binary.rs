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
        command.args(args);
        Self::spawn(command, env)
    }

    /// The binary with at most `n` file descriptors (`ulimit -n`).
    fn start_with_fd_limit(n: usize, args: &[&str]) -> Self {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
            .arg(BIN)
            .args(args);
        Self::spawn(command, &[])
    }

    fn spawn(mut command: Command, env: &[(&str, &str)]) -> Self {
        command
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

/// The address in the line's `http=` field, the way harnesses read it.
fn http_addr(listening: &str) -> SocketAddr {
    let url = listening
        .split(' ')
        .find_map(|part| part.strip_prefix("http=http://"))
        .unwrap_or_else(|| panic!("no http= in {listening:?}"));
    url.parse().unwrap()
}

/// The value of `name=` in the listening line.
fn field<'a>(listening: &'a str, name: &str) -> &'a str {
    listening
        .split(' ')
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name}= in {listening:?}"))
}

#[test]
fn binary_listening_line_gives_the_full_url_of_every_endpoint() {
    let running = Running::start(&["--syslog-udp", "127.0.0.1:0"], &[]);
    let listening = running.line();
    let addr = http_addr(&listening);
    let base = format!("http://{addr}");
    assert!(
        listening.starts_with(&format!("listening http={base} ")),
        "{listening}"
    );
    assert_eq!(field(&listening, "frames"), format!("{base}/frames"));
    assert_eq!(field(&listening, "otlp"), format!("{base}/v1/logs"));
    assert_eq!(field(&listening, "health"), format!("{base}/health"));
    assert_eq!(field(&listening, "stats"), format!("{base}/stats"));
    assert!(field(&listening, "syslog-udp").starts_with("127.0.0.1:"));
    // Each URL answers as printed.
    let mut client = Client::connect(addr);
    assert_eq!(client.get("/health").unwrap().status, 200);
    assert_eq!(client.get("/stats").unwrap().json()["requests"], 1);
    assert_eq!(
        client
            .post("/v1/logs", "application/json", br#"{"resourceLogs":[]}"#)
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        client
            .post("/frames", NDJSON, b"{\"a\":1}\n")
            .unwrap()
            .status,
        202
    );
    let (status, stderr) = running.terminate();
    assert!(status.success(), "{stderr}");
}

#[test]
fn binary_help_lists_every_endpoint_and_what_it_accepts() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "POST /frames",
        "POST /sources/{id}/frames",
        "POST /v1/logs",
        "GET  /health",
        "GET  /stats",
        "application/msgpack",
        "application/x-ndjson",
        "application/x-protobuf",
        "application/json",
        "gzip",
        "--header-timeout-ms",
        "--body-timeout-ms",
        "--idle-timeout-ms",
        "--max-connections",
        "--otlp-reject",
    ] {
        assert!(help.contains(expected), "{expected:?} not in\n{help}");
    }
    // `-h` shows the endpoints too.
    let output = Command::new(BIN).arg("-h").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("POST /v1/logs"));
}

/// Resident memory of a process, from `/proc`.
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn binary_answers_health_while_300_partial_heads_are_held_under_256_descriptors() {
    let running = Running::start_with_fd_limit(256, &["--out", "-"]);
    let addr = http_addr(&running.line());
    // More connections than the collector has descriptors, each stuck in its
    // request head (the default 10 s header timeout has not run out).
    let held: Vec<_> = (0..300).map(|_| partial(addr, PARTIAL_HEAD)).collect();
    let mut client = Client::connect(addr);
    client.set_read_timeout(WAIT);
    let health = client.get("/health").unwrap();
    assert_eq!(health.status, 200);
    let stats = client.get("/stats").unwrap().json();
    let open = stats["connections_open"].as_u64().unwrap();
    assert!(open < 256, "{stats}");
    assert!(stats["closed_limit"].as_u64().unwrap() > 0, "{stats}");
    assert!(stats["connections"].as_u64().unwrap() >= 300, "{stats}");
    let rss = rss_bytes(running.child.id());
    assert!(rss < 256 * 1024 * 1024, "{rss} bytes resident");
    drop(held);
    let (status, stderr) = running.terminate();
    assert!(status.success(), "{stderr}");
}

#[test]
fn binary_timeout_flags_close_stalled_connections() {
    let running = Running::start(
        &["--header-timeout-ms", "300", "--idle-timeout-ms", "300"],
        &[],
    );
    let addr = http_addr(&running.line());
    let mut stalled = partial(addr, PARTIAL_HEAD);
    assert!(closed_within(&mut stalled, Duration::from_secs(5)));
    let mut idle = Client::connect(addr);
    assert_eq!(idle.get("/health").unwrap().status, 200);
    assert!(idle.closed_within(Duration::from_secs(5)));
    let stats = Client::connect(addr).get("/stats").unwrap().json();
    assert_eq!(stats["closed_header_timeout"], 1, "{stats}");
    assert_eq!(stats["closed_idle"], 1, "{stats}");
    let (status, _) = running.terminate();
    assert!(status.success());
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
    let udp: SocketAddr = field(&listening, "syslog-udp").parse().unwrap();
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
