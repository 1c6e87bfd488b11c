//! A failing disk is counted and reported once, never a panic; a failed
//! rollover loses no line.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fs;
use std::io::Write as _;
use std::process::Command;

use logwood_json::{JsonLayer, RotatingFileWriter, WriterStats};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

const CHILD_ENV: &str = "LOGWOOD_ROTATE_FAILURES_CHILD";

/// Writes five records through a JSON layer into `/dev/full` (every write
/// fails with "no space left on device").
fn full_disk(non_blocking: bool) -> (WriterStats, logwood_json::Stats) {
    let (writer, writer_guard) = RotatingFileWriter::builder("/dev/full")
        .max_bytes(100)
        .backup_count(2)
        .non_blocking(non_blocking)
        .build()
        .unwrap();
    let guard = writer_guard;
    let layer = JsonLayer::builder().with_writer(writer.clone()).build();
    let layer_stats = layer.stats_handle();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..5 {
            tracing::info!(i, "onto a full disk");
        }
    });
    drop(guard);
    (writer.file_stats(), layer_stats.get())
}

#[test]
fn full_disk_is_counted_and_never_reaches_the_caller() {
    let (stats, layer) = full_disk(false);
    assert_eq!(stats.write_errors, 5);
    assert_eq!(stats.lines, 0);
    // Not a regular file: never rolled over.
    assert_eq!(stats.rollovers + stats.rollover_errors, 0);
    // On the caller's thread the layer learns the line was lost.
    assert_eq!(layer.failed, 5);
    assert_eq!(layer.sent, 0);
}

#[test]
fn full_disk_off_the_callers_thread_is_counted() {
    let (stats, layer) = full_disk(true);
    assert_eq!(stats.write_errors, 5);
    assert_eq!(stats.lines + stats.dropped, 0);
    // Queued lines count as written for the layer.
    assert_eq!(layer.sent, 5);
}

#[test]
fn full_disk_is_reported_once_on_stderr() {
    if std::env::var_os(CHILD_ENV).is_some() {
        let (stats, _) = full_disk(false);
        println!("child-stats write_errors={}", stats.write_errors);
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "full_disk_is_reported_once_on_stderr",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("child-stats write_errors=5"));
    let rotate: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[logwood] file:"))
        .collect();
    assert_eq!(rotate.len(), 1, "{stderr}");
    assert!(
        rotate[0].contains("writing `/dev/full` failed, the line is lost"),
        "{}",
        rotate[0]
    );
    // The JSON layer reports its own lost records, once.
    let json: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[logwood] json:"))
        .collect();
    assert_eq!(json.len(), 1, "{stderr}");
}

#[test]
fn failed_rollover_keeps_writing_into_the_current_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the first backup should go: the rename fails.
    fs::create_dir(dir.path().join("app.log.1")).unwrap();
    fs::write(dir.path().join("app.log.1/keep"), "x").unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(50)
        .backup_count(1)
        .log_internal_errors(false)
        .build()
        .unwrap();
    for i in 0..10 {
        writer
            .make_writer()
            .write_all(format!("line {i:02} ..........\n").as_bytes())
            .unwrap();
    }
    let stats = writer.file_stats();
    assert_eq!(stats.lines, 10);
    assert_eq!(stats.write_errors, 0);
    assert!(stats.rollover_errors >= 1, "{stats:?}");
    let text = fs::read_to_string(dir.path().join("app.log")).unwrap();
    assert_eq!(text.lines().count(), 10, "no line lost: {text}");
}

#[test]
fn vanished_directory_is_counted_and_recovers_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    fs::create_dir(&logs).unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(logs.join("app.log"))
        .max_bytes(40)
        .backup_count(2)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let line = b"0123456789012345678\n";
    writer.make_writer().write_all(line).unwrap();
    fs::remove_dir_all(&logs).unwrap();
    // The rollover cannot reopen the file: lines are lost and counted.
    let mut failures = 0;
    for _ in 0..4 {
        if writer.make_writer().write_all(line).is_err() {
            failures += 1;
        }
    }
    let stats = writer.file_stats();
    assert!(failures >= 1 && stats.write_errors == failures, "{stats:?}");
    fs::create_dir(&logs).unwrap();
    writer.make_writer().write_all(line).unwrap();
    assert!(fs::read(logs.join("app.log")).unwrap().ends_with(line));
}

/// A real full disk: a 64 KiB tmpfs, mounted in a private mount namespace
/// (`unshare`, as root) so that it vanishes with the child process.
#[test]
fn full_tmpfs_is_reported_once_with_its_cause_and_writing_resumes_when_space_returns() {
    const CHILD: &str = "LOGWOOD_ROTATE_TMPFS_CHILD";
    const TEST: &str =
        "full_tmpfs_is_reported_once_with_its_cause_and_writing_resumes_when_space_returns";
    if std::env::var_os(CHILD).is_some() {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(mounted.success(), "mount -t tmpfs failed (needs root)");
        let app = dir.path().join("app.log");
        let (writer, _writer_guard) = RotatingFileWriter::builder(&app).build().unwrap();
        // Fill the disk (the write stops at "no space left").
        let filler = dir.path().join("filler");
        assert!(fs::write(&filler, vec![0_u8; 128 * 1024]).is_err());
        let mut failures = 0;
        for i in 0..20 {
            if writer
                .make_writer()
                .write_all(format!("lost {i}\n").as_bytes())
                .is_err()
            {
                failures += 1;
            }
        }
        fs::remove_file(&filler).unwrap();
        for i in 0..20 {
            writer
                .make_writer()
                .write_all(format!("kept {i}\n").as_bytes())
                .unwrap();
        }
        let stats = writer.file_stats();
        let text = fs::read_to_string(&app).unwrap();
        let expected: String = (0..20).map(|i| format!("kept {i}\n")).collect();
        assert_eq!(text, expected);
        println!(
            "child-stats failures={failures} write_errors={} lines={}",
            stats.write_errors, stats.lines
        );
        drop(writer);
        Command::new("umount").arg(dir.path()).status().ok();
        return;
    }
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private"])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("this test needs `unshare` (util-linux) and root, for a private tmpfs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("child-stats failures=20 write_errors=20 lines=20"),
        "{stdout}"
    );
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[logwood] file:"))
        .collect();
    assert_eq!(reports.len(), 1, "{stderr}");
    assert!(
        reports[0].contains("failed, the line is lost: No space left on device"),
        "{}",
        reports[0]
    );
}

/// A line the disk had room for only part of: the fragment that reached
/// the file is closed by a line break before the next line, so that the
/// first line written when space returns is a whole line of its own
/// instead of being glued to the fragment (found by the reliability
/// campaign's disk-full case).
#[test]
fn a_line_cut_by_a_full_disk_does_not_swallow_the_next_one() {
    const CHILD: &str = "LOGWOOD_ROTATE_TORN_CHILD";
    const TEST: &str = "a_line_cut_by_a_full_disk_does_not_swallow_the_next_one";
    if std::env::var_os(CHILD).is_some() {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(mounted.success(), "mount -t tmpfs failed (needs root)");
        let app = dir.path().join("app.log");
        for non_blocking in [false, true] {
            std::fs::remove_file(&app).ok();
            let (writer, guard) = RotatingFileWriter::builder(&app)
                .non_blocking(non_blocking)
                .log_internal_errors(false)
                .build()
                .unwrap();
            let write = |line: &str| {
                let result = writer.make_writer().write_all(line.as_bytes());
                guard.flush(std::time::Duration::from_secs(5)).unwrap();
                result
            };
            // One page of the file in use, then every other page taken.
            write("first\n").unwrap();
            let filler = dir.path().join("filler");
            assert!(fs::write(&filler, vec![0_u8; 128 * 1024]).is_err());
            // 100-byte lines fill the page's slack; the one that crosses
            // its end is cut.
            let lost: Vec<String> = (0..60)
                .map(|i| format!("lost {i:03} {}\n", "x".repeat(90)))
                .collect();
            for line in &lost {
                write(line).ok();
            }
            let stats = writer.file_stats();
            assert!(stats.write_errors >= 1, "{stats:?}");
            fs::remove_file(&filler).unwrap();
            for i in 0..5 {
                write(&format!("kept {i}\n")).unwrap();
            }
            drop(guard);
            let text = String::from_utf8(fs::read(&app).unwrap()).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            // Every line is whole but the fragment, which is a line of its own.
            let whole = |l: &&str| {
                *l == "first" || l.starts_with("kept ") || lost.contains(&format!("{l}\n"))
            };
            let fragments: Vec<&&str> = lines.iter().filter(|l| !whole(l)).collect();
            assert!(
                fragments.len() <= 1,
                "non_blocking={non_blocking}: {fragments:?}"
            );
            for i in 0..5 {
                assert!(
                    lines.contains(&format!("kept {i}").as_str()),
                    "non_blocking={non_blocking}: kept {i} missing from {lines:?}"
                );
            }
            assert!(text.ends_with("kept 4\n"));
            println!(
                "child-ok non_blocking={non_blocking} fragments={}",
                fragments.len()
            );
        }
        Command::new("umount").arg(dir.path()).status().ok();
        return;
    }
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private"])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("this test needs `unshare` (util-linux) and root, for a private tmpfs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("child-ok non_blocking=true"), "{stdout}");
}
