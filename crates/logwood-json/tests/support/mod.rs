//! Helpers shared by the pattern tests: a settable clock, the OS thread id
//! read independently of logwood, and Python's own `logging.Formatter`.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logwood_testkit::CaptureWriter;

/// A clock a test sets by hand (nanoseconds since the epoch).
#[derive(Clone, Debug)]
pub struct FixedClock(Arc<AtomicU64>);

impl FixedClock {
    pub fn new(ns: u64) -> Self {
        Self(Arc::new(AtomicU64::new(ns)))
    }

    pub fn set(&self, ns: u64) {
        self.0.store(ns, Ordering::SeqCst);
    }

    /// The function to give `PatternLayerBuilder::with_clock`.
    pub fn source(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let ns = self.0.clone();
        move || UNIX_EPOCH + Duration::from_nanos(ns.load(Ordering::SeqCst))
    }
}

/// The calling thread's OS id, from `/proc/thread-self` (not from logwood).
pub fn os_thread_id() -> u64 {
    std::fs::read_link("/proc/thread-self")
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Runs `f` on a thread named `name` (or unnamed) and returns its result.
pub fn on_thread<R: Send + 'static>(
    name: Option<&str>,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let mut builder = std::thread::Builder::new();
    if let Some(name) = name {
        builder = builder.name(name.to_owned());
    }
    builder.spawn(f).unwrap().join().unwrap()
}

/// The lines a capture holds, without their newlines, each checked to be
/// one line.
pub fn lines(capture: &CaptureWriter) -> Vec<String> {
    capture
        .writes()
        .into_iter()
        .map(|w| {
            let s = String::from_utf8(w).unwrap();
            let line = s.strip_suffix('\n').expect("a line ends with a newline");
            line.to_owned()
        })
        .collect()
}

/// Formats records with Python's own `logging.Formatter`.
///
/// `cases` is a JSON list of `{"fmt", "datefmt", "utc", "records": [..]}`;
/// each record gives `name`, `levelno`, `pathname`, `lineno`, `msg`,
/// `func`, `ns` (the event time), `start_ns` (the start of
/// `relativeCreated`), `thread`, `threadName`, `process`, `hostname`.
/// Returns the formatted lines, per case.
pub fn python_format(cases: &serde_json::Value) -> Vec<Vec<String>> {
    const SCRIPT: &str = r#"
import json, logging, sys, time

logging.addLevelName(5, "TRACE")
cases = json.load(sys.stdin)
out = []
for case in cases:
    formatter = logging.Formatter(case["fmt"], case["datefmt"])
    if case["utc"]:
        formatter.converter = time.gmtime
    lines = []
    for r in case["records"]:
        ns, start = r["ns"], r["start_ns"]
        if sys.version_info >= (3, 13):
            # LogRecord reads time.time_ns() and logging._startTime itself.
            time.time_ns = lambda: ns
            logging._startTime = start
            rec = logging.LogRecord(r["name"], r["levelno"], r["pathname"], r["lineno"],
                                    r["msg"], None, None, func=r["func"])
        else:
            rec = logging.LogRecord(r["name"], r["levelno"], r["pathname"], r["lineno"],
                                    r["msg"], None, None, func=r["func"])
            # The time attributes as Python 3.13's LogRecord.__init__ computes
            # them from time.time_ns() (Lib/logging/__init__.py); older
            # versions derive msecs from the float and can be 1 ms short.
            rec.created = ns / 1e9
            rec.msecs = (ns % 1_000_000_000) // 1_000_000 + 0.0
            if rec.msecs == 999.0 and int(rec.created) != ns // 1_000_000_000:
                rec.msecs = 0.0
            rec.relativeCreated = (ns - start) / 1e6
        # Values that differ between the two processes by nature: logwood's.
        rec.thread = r["thread"]
        rec.threadName = r["threadName"]
        rec.process = r["process"]
        rec.hostname = r["hostname"]
        lines.append(formatter.format(rec))
    out.append(lines)
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is required by this test (the machine has it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
