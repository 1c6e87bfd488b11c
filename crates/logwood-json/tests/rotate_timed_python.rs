//! Timed rotation names files, and deletes them, exactly as CPython's
//! `TimedRotatingFileHandler` does for the same writes at the same times:
//! each scenario runs through the real handler (with `time.time` patched)
//! and through `RotatingFileWriter` (with an injected clock), and the two
//! directories must hold the same files with the same lines.
//!
//! The local-time scenarios run in `TZ=Europe/Berlin` (this test re-runs
//! itself with `TZ` set), across the 2026 DST changes (29 March, 25
//! October).
//!
//! logwood follows CPython 3.13. Where 3.13 changed the schedule (an
//! `interval` above 1 for `midnight` and weekly rotation, the DST
//! correction of the first rollover, a start exactly at the rollover time),
//! the scenarios are compared with a CPython ≥ 3.13 when one is found
//! (`LOGWOOD_PYTHON`, `python3`, `python3.13`, pyenv's versions), else with
//! the files CPython 3.13.0 produced, recorded below (and checked against a
//! live 3.13 whenever there is one). Without any python3 the test fails.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use logwood_json::RotatingFileWriter;
use tracing_subscriber::fmt::MakeWriter;

const CHILD_ENV: &str = "LOGWOOD_ROTATE_TIMED_CHILD";
const BERLIN: &str = "Europe/Berlin";

/// One run: a handler's options and the times of its writes.
#[derive(Debug, Clone)]
struct Scenario {
    name: &'static str,
    when: &'static str,
    interval: u32,
    utc: bool,
    at_time: Option<[u8; 3]>,
    backup_count: usize,
    /// The first write (seconds since the epoch); the file is created then.
    start: i64,
    /// Writes `i` happens at `start + i * step + (i * i) % jitter`.
    step: i64,
    jitter: i64,
    writes: usize,
}

impl Scenario {
    fn times(&self) -> Vec<i64> {
        (0..self.writes as i64)
            .map(|i| self.start + i * self.step + (i * i) % self.jitter.max(1))
            .collect()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "when": self.when,
            "interval": self.interval,
            "utc": self.utc,
            "at_time": self.at_time,
            "backup_count": self.backup_count,
            "times": self.times(),
        })
    }
}

/// Files and the numbers of the lines each holds (line `i` is `L{i}`).
type Files = BTreeMap<String, Vec<usize>>;

fn line_numbers(text: &str) -> Vec<usize> {
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a split line: {text:?}"
    );
    text.lines()
        .map(|l| l.strip_prefix('L').unwrap().parse().unwrap())
        .collect()
}

/// Runs `scenario` through `RotatingFileWriter` in `dir`.
fn ours(scenario: &Scenario, dir: &Path) -> Files {
    let times = scenario.times();
    let now = Arc::new(AtomicI64::new(times[0]));
    let clock = now.clone();
    let mut builder = RotatingFileWriter::builder(dir.join("app.log"))
        .when(scenario.when.parse().unwrap())
        .interval(scenario.interval)
        .utc(scenario.utc)
        .backup_count(scenario.backup_count)
        .with_clock(move || {
            UNIX_EPOCH + Duration::from_secs(u64::try_from(clock.load(Ordering::SeqCst)).unwrap())
        });
    if let Some([h, m, s]) = scenario.at_time {
        builder = builder.at_time(h, m, s);
    }
    let (writer, _guard) = builder.build().unwrap();
    for (i, t) in times.iter().enumerate() {
        now.store(*t, Ordering::SeqCst);
        writer
            .make_writer()
            .write_all(format!("L{i}\n").as_bytes())
            .unwrap();
    }
    let stats = writer.file_stats();
    assert_eq!(stats.lines, times.len() as u64);
    assert_eq!(stats.write_errors + stats.rollover_errors, 0, "{stats:?}");
    drop(writer);
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (name, line_numbers(&fs::read_to_string(e.path()).unwrap()))
        })
        .collect()
}

/// Drives the real `TimedRotatingFileHandler` (with `time.time` patched,
/// and `delay=True` so that it schedules from the patched clock, not from
/// the new file's real modification time).
const ORACLE: &str = r#"
import datetime, json, logging, logging.handlers, os, sys, time
sc = json.load(sys.stdin)
d = sys.argv[1]
now = [sc["times"][0]]
time.time = lambda: now[0]
at = sc["at_time"]
handler = logging.handlers.TimedRotatingFileHandler(
    os.path.join(d, "app.log"), when=sc["when"], interval=sc["interval"],
    backupCount=sc["backup_count"], utc=sc["utc"], delay=True,
    atTime=datetime.time(*at) if at else None)
handler.setFormatter(logging.Formatter("%(message)s"))
log = logging.getLogger("oracle")
log.propagate = False
log.addHandler(handler)
log.setLevel(logging.INFO)
for i, t in enumerate(sc["times"]):
    now[0] = t
    log.info("L%d", i)
handler.close()
files = {}
for name in os.listdir(d):
    with open(os.path.join(d, name)) as f:
        files[name] = f.read()
json.dump(files, sys.stdout)
"#;

/// Runs `scenario` through CPython `python` (in `TZ`, as this process).
fn theirs(python: &Path, scenario: &Scenario) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(python)
        .args(["-c", ORACLE])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(scenario.json().to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{} failed on {}: {}",
        python.display(),
        scenario.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let files: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    files
        .into_iter()
        .map(|(name, text)| (name, line_numbers(&text)))
        .collect()
}

/// `(major, minor)` of a CPython, if `exe` runs.
fn python_version(exe: &Path) -> Option<(u32, u32)> {
    let out = Command::new(exe)
        .args([
            "-c",
            "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut words = text.split_whitespace();
    (out.status.success() && words.next() == Some("CPython")).then_some(())?;
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

/// The first CPython of at least `min` among `LOGWOOD_PYTHON`, `python3`,
/// `python3.14`, `python3.13` and pyenv's installed versions.
fn find_python(min: (u32, u32)) -> Option<(PathBuf, (u32, u32))> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("LOGWOOD_PYTHON")
        .into_iter()
        .map(PathBuf::from)
        .collect();
    candidates.extend(["python3", "python3.14", "python3.13"].map(PathBuf::from));
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .or_else(|| {
            std::env::var_os("HOME").map(|h| [h, OsString::from(".pyenv")].join("/".as_ref()))
        })
        .map(PathBuf::from);
    if let Some(Ok(versions)) = pyenv_root.map(|r| fs::read_dir(r.join("versions"))) {
        let mut found: Vec<PathBuf> = versions
            .filter_map(|v| Some(v.ok()?.path().join("bin/python3")))
            .collect();
        found.sort();
        candidates.extend(found.into_iter().rev());
    }
    candidates
        .into_iter()
        .find_map(|exe| Some((exe.clone(), python_version(&exe).filter(|v| *v >= min)?)))
}

/// Any python3 at all, or a failure saying so.
fn any_python() -> PathBuf {
    find_python((3, 8))
        .unwrap_or_else(|| {
            panic!(
                "this test compares with CPython's TimedRotatingFileHandler: install python3 \
                 (apt-get install python3) or set LOGWOOD_PYTHON"
            )
        })
        .0
}

fn compare(python: &Path, scenario: &Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let ours = ours(scenario, dir.path());
    let theirs = theirs(python, scenario);
    assert!(
        ours.len() > 2,
        "{}: too few rollovers to say much: {ours:?}",
        scenario.name
    );
    assert_eq!(ours, theirs, "{} (ours, then CPython's)", scenario.name);
}

/// Runs `body` in a child process with `TZ` set to `zone` (jiff and libc
/// both read `TZ`), so that the writer's local time and Python's agree.
fn in_zone(zone: &str, test: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD_ENV).is_some() {
        assert_eq!(std::env::var("TZ").as_deref(), Ok(zone));
        body();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .env("TZ", zone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the {zone} run failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "the child ran no test"
    );
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
/// 2026-03-29 00:59:55 UTC: 01:59:55 CET, five seconds before DST starts.
const SPRING: i64 = 1_774_745_995;
/// 2026-10-25 00:59:50 UTC: 02:59:50 CEST, ten seconds before DST ends.
const AUTUMN: i64 = 1_792_889_990;
/// 2026-03-28 09:00 UTC: Saturday 10:00 CET.
const SPRING_SATURDAY: i64 = 1_774_688_400;
/// 2026-10-23 10:00 UTC: Friday 12:00 CEST.
const AUTUMN_FRIDAY: i64 = 1_792_749_600;
/// 2026-11-27 22:10:03 UTC.
const NOVEMBER: i64 = 1_795_817_403;

fn scenario(name: &'static str, when: &'static str) -> Scenario {
    Scenario {
        name,
        when,
        interval: 1,
        utc: false,
        at_time: None,
        backup_count: 0,
        start: NOVEMBER,
        step: 1,
        jitter: 1,
        writes: 20,
    }
}

/// Scenarios every CPython since 3.9 agrees on.
fn any_version_scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            start: SPRING,
            writes: 14,
            ..scenario("seconds across the start of DST", "S")
        },
        Scenario {
            interval: 5,
            backup_count: 3,
            start: AUTUMN,
            step: 2,
            writes: 20,
            ..scenario("5 seconds across the end of DST, 3 kept", "s")
        },
        Scenario {
            start: SPRING - 85,
            step: 20,
            jitter: 7,
            writes: 15,
            ..scenario("minutes across the start of DST", "M")
        },
        Scenario {
            interval: 7,
            start: AUTUMN - 1_200,
            step: 100,
            jitter: 50,
            writes: 40,
            ..scenario("7 minutes across the end of DST", "M")
        },
        // With 1 hour, the file started in the hour before the change is
        // named for the hour after it (Python's DST correction), as the
        // next one: see `rotate_timed.rs` for what logwood does then.
        Scenario {
            interval: 2,
            start: SPRING - 5_395,
            step: 1_200,
            jitter: 300,
            writes: 24,
            ..scenario("2 hours across the start of DST", "H")
        },
        Scenario {
            interval: 2,
            backup_count: 2,
            step: 1_500,
            jitter: 400,
            writes: 30,
            ..scenario("2 hours, 2 kept", "h")
        },
        Scenario {
            start: SPRING_SATURDAY,
            step: 6 * HOUR,
            jitter: 900,
            writes: 14,
            ..scenario("days across the start of DST", "D")
        },
        Scenario {
            backup_count: 2,
            start: AUTUMN_FRIDAY,
            step: 5 * HOUR,
            jitter: 600,
            writes: 20,
            ..scenario("midnight across the end of DST, 2 kept", "midnight")
        },
        Scenario {
            start: SPRING_SATURDAY - 2 * DAY,
            step: 5 * HOUR,
            jitter: 600,
            writes: 24,
            ..scenario("midnight across the start of DST", "MIDNIGHT")
        },
        Scenario {
            at_time: Some([1, 30, 0]),
            start: SPRING_SATURDAY,
            step: 3 * HOUR,
            jitter: 600,
            writes: 30,
            ..scenario("midnight at 01:30 across the start of DST", "midnight")
        },
        Scenario {
            start: SPRING_SATURDAY - 3 * DAY,
            step: 12 * HOUR,
            jitter: 600,
            writes: 30,
            ..scenario("Sundays across the start of DST", "W6")
        },
        Scenario {
            at_time: Some([12, 0, 0]),
            backup_count: 2,
            start: AUTUMN_FRIDAY - 2 * DAY,
            step: 10 * HOUR,
            jitter: 900,
            writes: 60,
            ..scenario("Wednesdays at noon across the end of DST, 2 kept", "w2")
        },
        // UTC, run in Berlin all the same.
        Scenario {
            utc: true,
            start: SPRING,
            writes: 12,
            ..scenario("UTC seconds at Berlin's start of DST", "S")
        },
        Scenario {
            utc: true,
            interval: 3,
            start: AUTUMN - 4 * HOUR,
            step: 1_700,
            jitter: 300,
            writes: 30,
            ..scenario("UTC 3 hours over Berlin's end of DST", "H")
        },
        Scenario {
            utc: true,
            backup_count: 3,
            start: SPRING_SATURDAY - 3 * DAY,
            step: 7 * HOUR,
            jitter: 900,
            writes: 30,
            ..scenario("UTC midnight, 3 kept", "midnight")
        },
        Scenario {
            utc: true,
            at_time: Some([6, 15, 30]),
            start: NOVEMBER - 20 * DAY,
            step: 13 * HOUR,
            jitter: 900,
            writes: 80,
            ..scenario("UTC Mondays at 06:15:30", "W0")
        },
    ]
}

/// Scenarios where CPython 3.13 changed the schedule.
fn since_313_scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            at_time: Some([3, 30, 0]),
            start: SPRING_SATURDAY,
            step: 3 * HOUR,
            jitter: 600,
            writes: 24,
            ..scenario("midnight at 03:30 across the start of DST", "midnight")
        },
        Scenario {
            start: SPRING - 3_595,
            step: 4 * HOUR,
            jitter: 600,
            writes: 16,
            ..scenario("midnight from 01:00 on the day DST starts", "midnight")
        },
        Scenario {
            interval: 2,
            backup_count: 2,
            start: SPRING_SATURDAY - 4 * DAY,
            step: 7 * HOUR,
            jitter: 600,
            writes: 40,
            ..scenario("every 2 days at midnight", "midnight")
        },
        Scenario {
            utc: true,
            interval: 2,
            start: NOVEMBER - 40 * DAY,
            step: 19 * HOUR,
            jitter: 900,
            writes: 60,
            ..scenario("UTC every other Monday", "W0")
        },
        Scenario {
            utc: true,
            start: 1_795_392_000, // 2026-11-23 00:00:00 UTC
            step: 9 * HOUR,
            jitter: 1,
            writes: 12,
            ..scenario("UTC midnight from midnight exactly", "midnight")
        },
    ]
}

/// What CPython 3.13.0 wrote for `since_313_scenarios` (in
/// `TZ=Europe/Berlin`); regenerate with `LOGWOOD_RECORD=1`.
const RECORDED_313: &str = r#"
{
  "UTC every other Monday": {"app.log":[46,47,48,49,50,51,52,53,54,55,56,57,58,59],"app.log.2026-10-13":[0,1,2,3,4,5,6,7,8,9,10],"app.log.2026-10-27":[11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27],"app.log.2026-11-10":[28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45]},
  "UTC midnight from midnight exactly": {"app.log":[11],"app.log.2026-11-23":[0,1,2],"app.log.2026-11-24":[3,4,5],"app.log.2026-11-25":[6,7],"app.log.2026-11-26":[8,9,10]},
  "every 2 days at midnight": {"app.log":[33,34,35,36,37,38,39],"app.log.2026-03-30":[19,20,21,22,23,24,25],"app.log.2026-04-01":[26,27,28,29,30,31,32]},
  "midnight at 03:30 across the start of DST": {"app.log":[22,23],"app.log.2026-03-28":[0,1,2,3,4,5],"app.log.2026-03-29":[6,7,8,9,10,11,12,13],"app.log.2026-03-30":[14,15,16,17,18,19,20,21]},
  "midnight from 01:00 on the day DST starts": {"app.log":[12,13,14,15],"app.log.2026-03-29":[0,1,2,3,4,5],"app.log.2026-03-30":[6,7,8,9,10,11]}
}
"#;

#[test]
fn names_and_retention_match_cpython() {
    in_zone(BERLIN, "names_and_retention_match_cpython", || {
        let python = any_python();
        for scenario in any_version_scenarios() {
            compare(&python, &scenario);
        }
    });
}

#[test]
fn names_match_cpython_313_where_it_changed_the_schedule() {
    in_zone(
        BERLIN,
        "names_match_cpython_313_where_it_changed_the_schedule",
        || {
            let recorded: BTreeMap<String, Files> = serde_json::from_str(RECORDED_313).unwrap();
            let live = find_python((3, 13));
            if std::env::var_os("LOGWOOD_RECORD").is_some() {
                let (python, _) = live.expect("recording needs CPython >= 3.13");
                let all: BTreeMap<&str, Files> = since_313_scenarios()
                    .iter()
                    .map(|s| (s.name, theirs(&python, s)))
                    .collect();
                println!("RECORDED {}", serde_json::to_string(&all).unwrap());
                return;
            }
            match &live {
                Some((python, version)) => eprintln!(
                    "comparing with {} (CPython {}.{})",
                    python.display(),
                    version.0,
                    version.1
                ),
                None => eprintln!(
                    "no CPython >= 3.13 here (python3 is {:?}): comparing with the files \
                     CPython 3.13.0 wrote, recorded in this test",
                    find_python((3, 0)).map(|p| p.1)
                ),
            }
            for scenario in since_313_scenarios() {
                let dir = tempfile::tempdir().unwrap();
                let ours = ours(&scenario, dir.path());
                assert!(ours.len() > 2, "{}: {ours:?}", scenario.name);
                let expected = &recorded[scenario.name];
                if let Some((python, _)) = &live {
                    assert_eq!(
                        &theirs(python, &scenario),
                        expected,
                        "{}: the recording differs from CPython",
                        scenario.name
                    );
                }
                assert_eq!(
                    &ours, expected,
                    "{} (ours, then CPython 3.13's)",
                    scenario.name
                );
            }
        },
    );
}
