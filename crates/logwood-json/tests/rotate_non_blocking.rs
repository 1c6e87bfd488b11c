//! `non_blocking` mode: lines are written off the caller's thread through a
//! bounded queue; a full queue drops and counts (or waits, when not lossy);
//! the guard flushes.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fs::{self, File};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use logwood_json::{PatternLayer, RotatingFileWriter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

fn all_lines(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort_by_key(|n| {
        std::cmp::Reverse(n.rsplit('.').next().unwrap().parse::<u32>().unwrap_or(0))
    });
    names
        .iter()
        .flat_map(|n| {
            fs::read_to_string(dir.join(n))
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn guard_drop_writes_every_queued_line_with_the_same_rotation() {
    let blocking = tempfile::tempdir().unwrap();
    let queued = tempfile::tempdir().unwrap();
    for (dir, non_blocking) in [(&blocking, false), (&queued, true)] {
        let (writer, writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
            .max_bytes(4096)
            .backup_count(50)
            .non_blocking(non_blocking)
            .drop_extra_events(false)
            .build()
            .unwrap();
        let guard = writer_guard;
        let layer = PatternLayer::builder("%(levelname)s %(message)s")
            .with_writer(writer.clone())
            .build()
            .unwrap();
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            for i in 0..10_000 {
                tracing::info!(i, "line");
            }
        });
        drop(guard);
        assert_eq!(writer.file_stats().lines, 10_000);
    }
    let expected: Vec<String> = (0..10_000).map(|i| format!("INFO line i={i}")).collect();
    let lines = all_lines(queued.path());
    assert_eq!(lines[lines.len() - 1], expected[9_999]);
    assert_eq!(lines, all_lines(blocking.path()));
    assert_eq!(lines, expected[expected.len() - lines.len()..]);
}

#[test]
fn dropping_the_guard_flushes_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .non_blocking(true)
        .build()
        .unwrap();
    for i in 0..1_000 {
        writer
            .make_writer()
            .write_all(format!("{i}\n").as_bytes())
            .unwrap();
    }
    drop(guard);
    assert_eq!(all_lines(dir.path()).len(), 1_000);
    drop(writer);
}

/// A FIFO whose reader only starts reading when told: the writer thread
/// blocks once the pipe is full, so the queue fills.
struct Fifo {
    path: PathBuf,
    start: mpsc::Sender<()>,
    reader: std::thread::JoinHandle<Vec<u8>>,
}

fn fifo(dir: &Path) -> Fifo {
    let path = dir.join("app.log");
    assert!(
        Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success()
    );
    let (start, wait) = mpsc::channel();
    let reader_path = path.clone();
    let reader = std::thread::spawn(move || {
        // Opening blocks until the writer opens its end.
        let mut file = File::open(reader_path).unwrap();
        wait.recv().unwrap();
        let mut all = Vec::new();
        file.read_to_end(&mut all).unwrap();
        all
    });
    Fifo {
        path,
        start,
        reader,
    }
}

#[test]
fn full_queue_drops_and_counts_lines() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path());
    let (writer, writer_guard) = RotatingFileWriter::builder(&fifo.path)
        .max_bytes(1_000)
        .backup_count(3)
        .non_blocking(true)
        .buffer_capacity(16)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let line = format!("{}\n", "q".repeat(99));
    // 20,000 lines of 100 bytes: far more than the pipe (64 KiB) and the
    // queue hold while nobody reads.
    for _ in 0..20_000 {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }
    let dropped = writer.file_stats().dropped;
    assert!(dropped > 10_000, "{:?}", writer.file_stats());
    fifo.start.send(()).unwrap();
    let guard = writer_guard;
    assert!(guard.flush(Duration::from_secs(10)).is_ok());
    let stats = writer.file_stats();
    drop(guard);
    drop(writer);
    let read = fifo.reader.join().unwrap();
    assert_eq!(stats.dropped, dropped);
    assert_eq!(stats.lines + stats.dropped, 20_000);
    // The FIFO is not a regular file: no rollover.
    assert_eq!(stats.rollovers, 0);
    assert_eq!(read.len() as u64, stats.lines * 100);
    assert!(read.chunks(100).all(|l| l == line.as_bytes()));
}

#[test]
fn lossless_queue_makes_the_caller_wait_instead() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path());
    let (writer, writer_guard) = RotatingFileWriter::builder(&fifo.path)
        .non_blocking(true)
        .buffer_capacity(4)
        .drop_extra_events(false)
        .build()
        .unwrap();
    let producer = {
        let writer = writer.clone();
        std::thread::spawn(move || {
            for i in 0..50_000 {
                writer
                    .make_writer()
                    .write_all(format!("{i:09}\n").as_bytes())
                    .unwrap();
            }
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    // The pipe is full and nobody reads: the producer waits.
    assert!(!producer.is_finished());
    fifo.start.send(()).unwrap();
    producer.join().unwrap();
    let guard = writer_guard;
    assert!(guard.flush(Duration::from_secs(10)).is_ok());
    drop(guard);
    assert_eq!(writer.file_stats().dropped, 0);
    drop(writer);
    let read = String::from_utf8(fifo.reader.join().unwrap()).unwrap();
    let expected: String = (0..50_000).map(|i| format!("{i:09}\n")).collect();
    assert_eq!(read, expected);
}
