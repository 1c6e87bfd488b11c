//! Timed rotation with size rotation, restarts and DST: a second rotation
//! in one interval gets a counter (`app.log.2026-11-27.1`), never
//! overwrites; retention keeps exactly `backup_count` files, counters
//! included; every line is in exactly one file, whole and in order.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logwood_json::{BuildError, RotatingFileWriter, RotatingFileWriterBuilder, When};
use tracing_subscriber::fmt::MakeWriter;

/// 2026-11-27 22:10:03 UTC (a Friday).
const NOVEMBER: i64 = 1_795_817_403;
const DAY: i64 = 24 * 3600;

/// A clock the test sets (seconds since the epoch).
#[derive(Clone)]
struct Clock(Arc<AtomicI64>);

impl Clock {
    fn new(secs: i64) -> Self {
        Self(Arc::new(AtomicI64::new(secs)))
    }

    fn set(&self, secs: i64) {
        self.0.store(secs, Ordering::SeqCst);
    }

    fn source(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let secs = self.0.clone();
        move || UNIX_EPOCH + Duration::from_secs(secs.load(Ordering::SeqCst) as u64)
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// `(date, counter)` of a dated name; the live file sorts last.
fn order(name: &str) -> (String, u64) {
    match name.strip_prefix("app.log.") {
        None => ("~".into(), 0),
        Some(rest) => match rest.split_once('.') {
            Some((date, n)) => (date.into(), n.parse().unwrap()),
            None => (rest.into(), 0),
        },
    }
}

/// The lines of every file, oldest file first, each file checked to end
/// with a whole line.
fn lines_oldest_first(dir: &Path) -> Vec<String> {
    let mut files = names(dir);
    files.sort_by_key(|n| order(n));
    files
        .iter()
        .flat_map(|name| {
            let text = fs::read_to_string(dir.join(name)).unwrap();
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{name} ends inside a line"
            );
            text.lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

fn utc_daily(dir: &Path, clock: &Clock) -> RotatingFileWriterBuilder {
    RotatingFileWriter::builder(dir.join("app.log"))
        .when(When::Midnight)
        .utc(true)
        .with_clock(clock.source())
}

fn write(writer: &RotatingFileWriter, text: &str) {
    writer
        .make_writer()
        .write_all(format!("{text}\n").as_bytes())
        .unwrap();
}

#[test]
fn size_rotations_within_one_day_get_counters_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new(NOVEMBER - 20 * 3600); // 2026-11-27 02:10:03
    let (writer, _guard) = utc_daily(dir.path(), &clock)
        .max_bytes(100)
        .build()
        .unwrap();
    for i in 0..12 {
        write(&writer, &format!("day one, line {i:02} ........."));
    }
    // Midnight: a time rotation, named for the day, after its size ones.
    clock.set(NOVEMBER + 2 * 3600);
    write(&writer, "day two");
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.2026-11-27",
            "app.log.2026-11-27.1",
            "app.log.2026-11-27.2",
            "app.log.2026-11-27.3",
        ]
    );
    let mut expected: Vec<String> = (0..12)
        .map(|i| format!("day one, line {i:02} ........."))
        .collect();
    expected.push("day two".into());
    assert_eq!(lines_oldest_first(dir.path()), expected);
    assert_eq!(writer.file_stats().rollovers, 4);
}

#[test]
fn counters_continue_after_retention_deletes_the_first_of_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new(NOVEMBER - 20 * 3600);
    let (writer, _guard) = utc_daily(dir.path(), &clock)
        .max_bytes(60)
        .backup_count(2)
        .build()
        .unwrap();
    for i in 0..30 {
        write(
            &writer,
            &format!("line {i:02} ..............................."),
        );
    }
    // Never back to a free lower counter: `.27` and `.28` are the newest.
    assert_eq!(
        names(dir.path()),
        ["app.log", "app.log.2026-11-27.27", "app.log.2026-11-27.28"]
    );
    let remaining = lines_oldest_first(dir.path());
    let first = 30 - remaining.len();
    let expected: Vec<String> = (first..30)
        .map(|i| format!("line {i:02} ..............................."))
        .collect();
    assert_eq!(remaining, expected);
    assert_eq!(writer.file_stats().deleted, 27);
}

#[test]
fn retention_keeps_exactly_backup_count_files_over_days_and_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new(NOVEMBER - 30 * DAY);
    let (writer, _guard) = utc_daily(dir.path(), &clock)
        .max_bytes(500)
        .backup_count(5)
        .build()
        .unwrap();
    // Someone else's files stay.
    fs::write(dir.path().join("app.log.keep"), "x").unwrap();
    fs::write(dir.path().join("app.log.2026-11-27_10"), "x").unwrap();
    for i in 0..3_000_i64 {
        clock.set(NOVEMBER - 30 * DAY + i * 997);
        write(
            &writer,
            &format!("line {i:05} {}", "x".repeat((i % 40) as usize)),
        );
    }
    let all = names(dir.path());
    let ours: Vec<&String> = all
        .iter()
        .filter(|n| n.len() > "app.log.".len() && !n.ends_with("keep") && !n.contains('_'))
        .collect();
    assert_eq!(ours.len(), 5, "{all:?}");
    assert!(all.contains(&"app.log.keep".to_owned()));
    assert!(all.contains(&"app.log.2026-11-27_10".to_owned()));
    fs::remove_file(dir.path().join("app.log.keep")).unwrap();
    fs::remove_file(dir.path().join("app.log.2026-11-27_10")).unwrap();
    let remaining = lines_oldest_first(dir.path());
    let first = 3_000 - remaining.len();
    let expected: Vec<String> = (first..3_000)
        .map(|i| format!("line {i:05} {}", "x".repeat(i % 40)))
        .collect();
    assert_eq!(remaining, expected);
    let stats = writer.file_stats();
    assert_eq!(stats.lines, 3_000);
    assert_eq!(stats.deleted, stats.rollovers - 5);
}

#[test]
fn eight_threads_under_size_and_time_rotation_lose_and_split_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Every read of the clock is a second later: a rotation every 5 s.
    let secs = Arc::new(AtomicI64::new(NOVEMBER));
    let ticking = secs.clone();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .when(When::Seconds)
        .interval(5)
        .max_bytes(3_000)
        .with_clock(move || {
            UNIX_EPOCH + Duration::from_secs(ticking.fetch_add(1, Ordering::SeqCst) as u64)
        })
        .build()
        .unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let writer = writer.clone();
            std::thread::spawn(move || {
                for n in 0..1_500 {
                    let text = format!("t{t} n{n} {} end\n", "z".repeat(n % 61));
                    writer.make_writer().write_all(text.as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let stats = writer.file_stats();
    assert_eq!(stats.lines, 12_000);
    assert!(stats.rollovers > 100, "{stats:?}");
    let re = regex::Regex::new(r"^t(\d) n(\d+) (z*) end$").unwrap();
    let mut next = [0_usize; 8];
    for line in lines_oldest_first(dir.path()) {
        let caps = re
            .captures(&line)
            .unwrap_or_else(|| panic!("split line: {line}"));
        let (t, n): (usize, usize) = (caps[1].parse().unwrap(), caps[2].parse().unwrap());
        assert_eq!(caps[3].len(), n % 61, "{line}");
        assert_eq!(n, next[t], "thread {t}'s lines out of order or lost");
        next[t] += 1;
    }
    assert_eq!(next, [1_500; 8]);
}

#[test]
fn a_restart_within_the_interval_does_not_overwrite_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new(NOVEMBER - 20 * 3600);
    for run in 0..3 {
        let (writer, _guard) = utc_daily(dir.path(), &clock).build().unwrap();
        write(&writer, &format!("run {run}"));
        clock.set(NOVEMBER + 3 * 3600 + run * 60); // after midnight
        write(&writer, &format!("run {run}, next day"));
        clock.set(NOVEMBER - 20 * 3600);
        drop(writer);
        // The next run's file is old: back to the first day.
        let app = dir.path().join("app.log");
        fs::File::options()
            .append(true)
            .open(&app)
            .unwrap()
            .set_modified(UNIX_EPOCH + Duration::from_secs((NOVEMBER - 20 * 3600) as u64))
            .unwrap();
    }
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.2026-11-27",
            "app.log.2026-11-27.1",
            "app.log.2026-11-27.2",
        ]
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.2026-11-27")).unwrap(),
        "run 0\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.2026-11-27.1")).unwrap(),
        "run 0, next day\nrun 1\n"
    );
}

#[test]
fn an_existing_file_rolls_over_on_the_schedule_of_its_modification_time() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    fs::write(&app, "from last week\n").unwrap();
    fs::File::options()
        .append(true)
        .open(&app)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs((NOVEMBER - 7 * DAY) as u64))
        .unwrap();
    let clock = Clock::new(NOVEMBER);
    let (writer, _guard) = utc_daily(dir.path(), &clock).build().unwrap();
    write(&writer, "today");
    assert_eq!(names(dir.path()), ["app.log", "app.log.2026-11-20"]);
    assert_eq!(fs::read_to_string(&app).unwrap(), "today\n");
}

#[test]
fn an_empty_file_is_never_rolled_over_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new(NOVEMBER);
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .when(When::Hours)
        .utc(true)
        .with_clock(clock.source())
        .build()
        .unwrap();
    clock.set(NOVEMBER + 5 * 3600);
    write(&writer, "first");
    assert_eq!(names(dir.path()), ["app.log"]);
    clock.set(NOVEMBER + 6 * 3600 + 1);
    write(&writer, "second");
    assert_eq!(names(dir.path()), ["app.log", "app.log.2026-11-28_03"]);
}

/// In Berlin, DST starts on 2026-03-29 at 02:00 CET. Python names the
/// hourly file started at 01:40 CET for 03:40 CEST (its DST correction),
/// as the next file (started at 03:40 CEST): CPython 3.11 deletes the first, 3.13 stops rotating;
/// logwood keeps both, the second with a counter.
#[test]
fn the_hour_named_twice_at_the_start_of_dst_keeps_both_files() {
    const CHILD: &str = "LOGWOOD_ROTATE_TIMED_DST_CHILD";
    const TEST: &str = "the_hour_named_twice_at_the_start_of_dst_keeps_both_files";
    if std::env::var_os(CHILD).is_none() {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .env("TZ", "Europe/Berlin")
            .output()
            .unwrap();
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 2026-03-29 00:40 UTC: 01:40 CET.
    let start = 1_774_744_800;
    let clock = Clock::new(start);
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .when(When::Hours)
        .with_clock(clock.source())
        .build()
        .unwrap();
    for i in 0..10 {
        clock.set(start + i * 1_200);
        write(&writer, &format!("L{i}"));
    }
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.2026-03-29_03",
            "app.log.2026-03-29_03.1",
            "app.log.2026-03-29_04",
        ]
    );
    assert_eq!(
        lines_oldest_first(dir.path()),
        (0..10).map(|i| format!("L{i}")).collect::<Vec<_>>()
    );
}

#[test]
fn build_errors_name_the_timed_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let err = |b: RotatingFileWriterBuilder| b.build().unwrap_err().to_string();
    assert_eq!(
        err(RotatingFileWriter::builder(&path)
            .when(When::Hours)
            .interval(0)),
        "`interval` must be greater than zero"
    );
    assert_eq!(
        err(RotatingFileWriter::builder(&path)
            .when(When::Midnight)
            .at_time(24, 0, 0)),
        "`at_time`: 24:00:00 is not a time of day (hours 0-23, minutes and seconds 0-59)"
    );
    assert_eq!(
        err(RotatingFileWriter::builder(&path)
            .when(When::Hours)
            .at_time(3, 0, 0)),
        "`at_time` only applies with `when` = midnight or W0-W6 (`when` is H)"
    );
    assert_eq!(
        err(RotatingFileWriter::builder(&path).at_time(3, 0, 0)),
        "`at_time` only applies with `when` = midnight or W0-W6 (`when` is not set)"
    );
    let unknown = "W7".parse::<When>().unwrap_err();
    assert!(matches!(&unknown, BuildError::UnknownWhen { value } if value == "W7"));
    assert_eq!(
        unknown.to_string(),
        "`when`: `W7` is not a rollover interval; choose from S, M, H, D, midnight, \
         W0-W6 (W0 is Monday), in any case"
    );
    // Nothing was created by the failed builds.
    assert!(names(dir.path()).is_empty());
}
