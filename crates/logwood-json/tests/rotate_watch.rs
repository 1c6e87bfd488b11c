//! Living with logrotate: a renamed or removed file is noticed (at the next
//! watch check) and the path reopened, losing nothing; `copytruncate`
//! loses nothing written after the truncation, and the size accounting
//! follows it.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logwood_json::{DEFAULT_WATCH_INTERVAL, RotatingFileWriter};
use tracing_subscriber::fmt::MakeWriter;

/// A clock the test moves (milliseconds since the epoch).
#[derive(Clone)]
struct Clock(Arc<AtomicU64>);

impl Clock {
    fn new() -> Self {
        Self(Arc::new(AtomicU64::new(1_795_817_403_000)))
    }

    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    fn source(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let ms = self.0.clone();
        move || UNIX_EPOCH + Duration::from_millis(ms.load(Ordering::SeqCst))
    }
}

fn write(writer: &RotatingFileWriter, text: &str) {
    writer
        .make_writer()
        .write_all(format!("{text}\n").as_bytes())
        .unwrap();
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

#[test]
fn a_renamed_file_is_reopened_at_the_next_check_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let clock = Clock::new();
    let (writer, _writer_guard) = RotatingFileWriter::builder(&app)
        .with_clock(clock.source())
        .build()
        .unwrap();
    write(&writer, "one");
    write(&writer, "two");
    // logrotate (`create` mode): rename, then a new empty file.
    fs::rename(&app, dir.path().join("app.log.1")).unwrap();
    fs::write(&app, "").unwrap();
    // Within the interval the writer has not looked yet: into the old file.
    clock.advance(DEFAULT_WATCH_INTERVAL / 2);
    write(&writer, "three");
    clock.advance(DEFAULT_WATCH_INTERVAL / 2);
    write(&writer, "four");
    write(&writer, "five");
    assert_eq!(read(&dir.path().join("app.log.1")), "one\ntwo\nthree\n");
    assert_eq!(read(&app), "four\nfive\n");
    assert_eq!(writer.file_stats().reopens, 1);
}

#[test]
fn a_removed_file_is_created_again() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let clock = Clock::new();
    let (writer, _writer_guard) = RotatingFileWriter::builder(&app)
        .with_clock(clock.source())
        .build()
        .unwrap();
    write(&writer, "before");
    fs::remove_file(&app).unwrap();
    clock.advance(Duration::from_secs(5));
    write(&writer, "after");
    assert_eq!(read(&app), "after\n");
    assert_eq!(writer.file_stats().reopens, 1);
}

#[test]
fn a_zero_watch_interval_checks_before_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let (writer, _writer_guard) = RotatingFileWriter::builder(&app)
        .watch_interval(Duration::ZERO)
        .build()
        .unwrap();
    for i in 0..3 {
        write(&writer, &format!("line {i}"));
        fs::rename(&app, dir.path().join(format!("app.log.{i}"))).unwrap();
    }
    write(&writer, "last");
    for i in 0..3 {
        assert_eq!(
            read(&dir.path().join(format!("app.log.{i}"))),
            format!("line {i}\n")
        );
    }
    assert_eq!(read(&app), "last\n");
    assert_eq!(writer.file_stats().reopens, 3);
}

#[test]
fn without_the_watch_the_writer_keeps_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let clock = Clock::new();
    let (writer, _writer_guard) = RotatingFileWriter::builder(&app)
        .watch(false)
        .with_clock(clock.source())
        .build()
        .unwrap();
    write(&writer, "one");
    fs::rename(&app, dir.path().join("moved.log")).unwrap();
    clock.advance(Duration::from_secs(60));
    write(&writer, "two");
    assert_eq!(read(&dir.path().join("moved.log")), "one\ntwo\n");
    assert!(!app.exists());
    assert_eq!(writer.file_stats().reopens, 0);
}

#[test]
fn copytruncate_loses_nothing_written_after_the_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let clock = Clock::new();
    let (writer, _writer_guard) = RotatingFileWriter::builder(&app)
        .with_clock(clock.source())
        .build()
        .unwrap();
    for i in 0..100 {
        write(&writer, &format!("old {i}"));
    }
    // logrotate `copytruncate`: copy, then truncate in place.
    fs::copy(&app, dir.path().join("app.log.1")).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&app)
        .unwrap()
        .set_len(0)
        .unwrap();
    // O_APPEND: the next line lands at the new end, with no hole before it,
    // even before the watch check.
    write(&writer, "new 0");
    clock.advance(Duration::from_secs(2));
    write(&writer, "new 1");
    assert_eq!(read(&app), "new 0\nnew 1\n");
    assert_eq!(read(&dir.path().join("app.log.1")).lines().count(), 100);
    // Same inode: no reopen.
    assert_eq!(writer.file_stats().reopens, 0);
}

#[test]
fn size_accounting_follows_a_copytruncate() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let clock = Clock::new();
    let (writer, _writer_guard) = RotatingFileWriter::builder(&app)
        .max_bytes(1_000)
        .backup_count(2)
        .with_clock(clock.source())
        .build()
        .unwrap();
    // 900 bytes.
    for i in 0..90 {
        write(&writer, &format!("old {i:05}"));
    }
    fs::OpenOptions::new()
        .write(true)
        .open(&app)
        .unwrap()
        .set_len(0)
        .unwrap();
    clock.advance(Duration::from_secs(1));
    // 500 bytes: without re-reading the size, the writer would think the
    // file held 1,400 and roll it over.
    for i in 0..50 {
        write(&writer, &format!("new {i:05}"));
    }
    assert!(!dir.path().join("app.log.1").exists());
    assert_eq!(read(&app).len(), 500);
    // 500 more: now it rolls over at 1,000 bytes.
    for i in 50..100 {
        write(&writer, &format!("new {i:05}"));
    }
    assert_eq!(read(&dir.path().join("app.log.1")).len(), 990);
    assert_eq!(writer.file_stats().rollovers, 1);
}

#[test]
fn a_renamed_file_is_reopened_off_the_callers_thread_too() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    let clock = Clock::new();
    let (writer, writer_guard) = RotatingFileWriter::builder(&app)
        .non_blocking(true)
        .drop_extra_events(false)
        .with_clock(clock.source())
        .build()
        .unwrap();
    let guard = writer_guard;
    write(&writer, "one");
    assert!(guard.flush(Duration::from_secs(10)).is_ok());
    fs::rename(&app, dir.path().join("app.log.1")).unwrap();
    clock.advance(Duration::from_secs(1));
    write(&writer, "two");
    assert!(guard.flush(Duration::from_secs(10)).is_ok());
    assert_eq!(read(&dir.path().join("app.log.1")), "one\n");
    assert_eq!(read(&app), "two\n");
    assert_eq!(writer.file_stats().reopens, 1);
}
