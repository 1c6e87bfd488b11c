//! The file writer keeps the contract every logwood sink with a worker
//! keeps: drops reach `on_error`, `flush` times out with `FlushTimeout`
//! against a stalled receiver, `shutdown(timeout)` returns balanced
//! `Stats`, lines after the shutdown are counted as failed.

#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::io::Write as _;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logwood_json::{ErrorKind, RotatingFileWriter};
use tracing_subscriber::fmt::MakeWriter as _;

#[test]
fn a_stalled_fifo_makes_drops_reach_on_error_flush_time_out_and_shutdown_balance() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stalled.log");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    // A reader that opens the pipe and never reads: the writer thread blocks
    // once the pipe's buffer is full.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || File::open(fifo).unwrap())
    };
    let kinds = Arc::new(Mutex::new(Vec::new()));
    let seen = kinds.clone();
    let (writer, guard) = RotatingFileWriter::builder(&fifo)
        .non_blocking(true)
        .buffer_capacity(16)
        .log_internal_errors(false)
        .on_error(move |e| seen.lock().unwrap().push(e.kind()))
        .build()
        .unwrap();
    let reader = reader.join().unwrap();
    fill_the_pipe(&fifo);
    let line = [b'x'; 1023];
    let mut line = line.to_vec();
    line.push(b'\n');
    for _ in 0..2_000 {
        writer.make_writer().write_all(&line).unwrap();
    }
    let stats = guard.stats();
    assert!(stats.dropped > 0, "{stats:?}");
    assert!(stats.is_balanced(), "{stats:?}");
    assert!(kinds.lock().unwrap().contains(&ErrorKind::Dropped));

    let timeout = guard.flush(Duration::from_millis(200)).unwrap_err();
    assert!(timeout.pending > 0, "{timeout:?}");

    let start = Instant::now();
    let stats = guard.shutdown(Duration::from_millis(300));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!(stats.emitted, 2_000);
    // Nothing was written; every undelivered line is counted: given up
    // (`failed`) when it was still in the queue, or still `queued` in the
    // hands of the writer thread, blocked in its write to the stalled pipe.
    assert_eq!(stats.sent, 0);
    assert_eq!(stats.failed + stats.queued, stats.emitted - stats.dropped);

    // After the shutdown a line is counted as failed (`Closed`).
    writer.make_writer().write_all(&line).unwrap();
    let after = writer.stats();
    assert_eq!(after.emitted, 2_001);
    assert!(after.is_balanced(), "{after:?}");
    assert!(kinds.lock().unwrap().contains(&ErrorKind::Closed));
    // Unblock the writer thread (its write fails with a broken pipe).
    drop(reader);
}

/// Fills the pipe's buffer, so that the writer thread blocks on its first
/// line whatever the scheduling.
#[allow(clippy::disallowed_methods)] // filler bytes: a partial write is fine
fn fill_the_pipe(fifo: &std::path::Path) {
    use std::os::unix::fs::OpenOptionsExt as _;
    /// `O_NONBLOCK` on Linux.
    const O_NONBLOCK: i32 = 0o4000;
    let mut pipe = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(O_NONBLOCK)
        .open(fifo)
        .unwrap();
    let chunk = [b'-'; 4096];
    for _ in 0..1_000_000 {
        match pipe.write(&chunk) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
            Err(e) => panic!("filling the pipe: {e}"),
        }
    }
    panic!("the pipe never filled");
}

#[test]
fn a_blocking_writer_guard_flushes_and_shuts_down_with_balanced_stats() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .build()
        .unwrap();
    for i in 0..10 {
        writer
            .make_writer()
            .write_all(format!("line {i}\n").as_bytes())
            .unwrap();
    }
    guard.flush(Duration::from_secs(5)).unwrap();
    let stats = guard.shutdown(Duration::from_secs(5));
    assert_eq!((stats.emitted, stats.sent, stats.queued), (10, 10, 0));
    assert!(stats.is_balanced());
    let text = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    assert_eq!(text.lines().count(), 10);
}
