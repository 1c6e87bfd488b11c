//! `RotatingFileWriter` rolls `app.log` over like Python's
//! `RotatingFileHandler`, never splits or interleaves a line, and works
//! under any layer.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use logwood_json::{BuildError, JsonLayer, PatternLayer, RotatingFileWriter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// The lines of the files oldest first: `app.log.N` … `app.log.1`, `app.log`.
fn lines_oldest_first(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = names(dir);
    files.sort_by_key(|name| {
        std::cmp::Reverse(name.rsplit('.').next().unwrap().parse::<u32>().unwrap_or(0))
    });
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

/// Line `i` of the sequential tests: 40 to 89 bytes with its newline.
fn line(i: usize) -> String {
    format!("line {i:05} {}", "x".repeat(i * 7 % 50))
}

fn write_lines(writer: &RotatingFileWriter, n: usize) {
    let layer = PatternLayer::builder("%(message)s")
        .with_writer(writer.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..n {
            tracing::info!("{}", line(i));
        }
    });
}

#[test]
fn ten_thousand_lines_leave_exactly_the_file_and_three_backups() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(1000)
        .backup_count(3)
        .build()
        .unwrap();
    write_lines(&writer, 10_000);
    assert_eq!(
        names(dir.path()),
        ["app.log", "app.log.1", "app.log.2", "app.log.3"]
    );
    for name in names(dir.path()) {
        let len = fs::metadata(dir.path().join(&name)).unwrap().len();
        assert!(len <= 1000, "{name} has {len} bytes");
    }
    let app = fs::read_to_string(dir.path().join("app.log")).unwrap();
    assert!(
        app.ends_with(&format!("{}\n", line(9_999))),
        "the newest line is in app.log"
    );
    // What remains is one contiguous run of whole lines ending with the
    // last: nothing lost between the files, nothing split.
    let remaining = lines_oldest_first(dir.path());
    let first = 10_000 - remaining.len();
    let expected: Vec<String> = (first..10_000).map(line).collect();
    assert_eq!(remaining, expected);
    let stats = writer.file_stats();
    assert_eq!(stats.lines, 10_000);
    assert_eq!(
        stats.write_errors + stats.rollover_errors + stats.dropped,
        0
    );
    assert!(stats.rollovers > 3);
}

/// Python's `RotatingFileHandler` writes the same lines into the same files,
/// byte for byte.
#[test]
fn files_match_python_rotating_file_handler() {
    for (max_bytes, backup_count) in [(1000_u64, 3_usize), (257, 5), (4096, 1), (0, 2)] {
        let ours = tempfile::tempdir().unwrap();
        let theirs = tempfile::tempdir().unwrap();
        let (writer, _writer_guard) = RotatingFileWriter::builder(ours.path().join("app.log"))
            .max_bytes(max_bytes)
            .backup_count(backup_count)
            .build()
            .unwrap();
        write_lines(&writer, 3_000);
        let script = r#"
import logging, logging.handlers, sys
path, max_bytes, backup_count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count)
handler.setFormatter(logging.Formatter("%(message)s"))
log = logging.getLogger("t")
log.addHandler(handler)
log.setLevel(logging.INFO)
for text in sys.stdin.read().splitlines():
    log.info(text)
handler.close()
"#;
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(theirs.path().join("app.log"))
            .arg(max_bytes.to_string())
            .arg(backup_count.to_string())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let input: String = (0..3_000).map(|i| line(i) + "\n").collect();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
        assert_eq!(
            names(ours.path()),
            names(theirs.path()),
            "max_bytes {max_bytes}"
        );
        for name in names(ours.path()) {
            assert_eq!(
                fs::read(ours.path().join(&name)).unwrap(),
                fs::read(theirs.path().join(&name)).unwrap(),
                "{name} with max_bytes {max_bytes}, backup_count {backup_count}"
            );
        }
    }
}

#[test]
fn eight_threads_at_once_write_only_whole_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(20_000)
        .backup_count(1_000)
        .build()
        .unwrap();
    let layer = JsonLayer::builder().with_writer(writer.clone()).build();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    for n in 0..2_000 {
                        tracing::info!(t, n, pad = "y".repeat((n * 13 + t) % 300), "from a thread");
                    }
                });
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let lines = lines_oldest_first(dir.path());
    assert_eq!(lines.len(), 16_000);
    let mut seen = BTreeSet::new();
    let mut last = [None::<u64>; 8];
    for line in &lines {
        // Every line is one whole JSON record.
        let record: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a whole line ({e}): {line:.200}"));
        let (t, n) = (record["t"].as_u64().unwrap(), record["n"].as_u64().unwrap());
        assert_eq!(
            record["pad"].as_str().unwrap().len(),
            (n as usize * 13 + t as usize) % 300
        );
        assert!(seen.insert((t, n)), "line written twice");
        // Each thread's lines stay in order across the files.
        assert!(last[t as usize] < Some(n));
        last[t as usize] = Some(n);
    }
    for name in names(dir.path()) {
        assert!(fs::metadata(dir.path().join(&name)).unwrap().len() <= 20_000);
    }
}

#[test]
fn eight_threads_with_few_backups_leave_only_whole_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(3_000)
        .backup_count(2)
        .build()
        .unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let writer = writer.clone();
            std::thread::spawn(move || {
                for n in 0..3_000 {
                    let text = format!("t{t} n{n} {} end\n", "z".repeat(n % 97));
                    writer.make_writer().write_all(text.as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(names(dir.path()), ["app.log", "app.log.1", "app.log.2"]);
    let re = regex::Regex::new(r"^t(\d) n(\d+) (z*) end$").unwrap();
    for line in lines_oldest_first(dir.path()) {
        let caps = re
            .captures(&line)
            .unwrap_or_else(|| panic!("split line: {line}"));
        let n: usize = caps[2].parse().unwrap();
        assert_eq!(caps[3].len(), n % 97, "{line}");
    }
    assert_eq!(writer.file_stats().lines, 24_000);
}

#[test]
fn zero_max_bytes_never_rolls_over() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(0)
        .backup_count(3)
        .build()
        .unwrap();
    write_lines(&writer, 10_000);
    assert_eq!(names(dir.path()), ["app.log"]);
    assert_eq!(
        lines_oldest_first(dir.path()),
        (0..10_000).map(line).collect::<Vec<_>>()
    );
    assert_eq!(writer.file_stats().rollovers, 0);
}

#[test]
fn zero_backup_count_truncates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(1000)
        .backup_count(0)
        .build()
        .unwrap();
    write_lines(&writer, 10_000);
    assert_eq!(names(dir.path()), ["app.log"]);
    let remaining = lines_oldest_first(dir.path());
    let first = 10_000 - remaining.len();
    assert!(remaining.len() > 5, "{}", remaining.len());
    assert_eq!(remaining, (first..10_000).map(line).collect::<Vec<_>>());
    assert!(fs::metadata(dir.path().join("app.log")).unwrap().len() <= 1000);
    assert!(writer.file_stats().rollovers > 100);
}

#[test]
fn a_line_longer_than_max_bytes_goes_whole_into_a_fresh_file() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(100)
        .backup_count(5)
        .build()
        .unwrap();
    let long = format!("{}\n", "L".repeat(250));
    writer.make_writer().write_all(long.as_bytes()).unwrap();
    // The empty file took it: no empty backup.
    assert_eq!(names(dir.path()), ["app.log"]);
    writer.make_writer().write_all(b"short\n").unwrap();
    writer.make_writer().write_all(long.as_bytes()).unwrap();
    assert_eq!(names(dir.path()), ["app.log", "app.log.1", "app.log.2"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.2")).unwrap(),
        long
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.1")).unwrap(),
        "short\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log")).unwrap(),
        long
    );
}

#[test]
fn an_existing_file_is_appended_to_and_its_size_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    fs::write(&path, "x".repeat(899) + "\n").unwrap();
    let (writer, _writer_guard) = RotatingFileWriter::builder(&path)
        .max_bytes(1000)
        .backup_count(1)
        .build()
        .unwrap();
    writer.make_writer().write_all(&[b'a'; 99]).unwrap();
    assert_eq!(names(dir.path()), ["app.log"]);
    // 999 bytes now: one more reaches max_bytes.
    writer.make_writer().write_all(b"b").unwrap();
    assert_eq!(names(dir.path()), ["app.log", "app.log.1"]);
    assert_eq!(fs::read(dir.path().join("app.log")).unwrap(), b"b");
    assert_eq!(
        fs::metadata(dir.path().join("app.log.1")).unwrap().len(),
        999
    );
}

#[test]
fn build_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/app.log");
    let err = RotatingFileWriter::builder(&missing).build().unwrap_err();
    assert!(
        matches!(&err, BuildError::OpenFile { path, .. } if *path == missing),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "`path`: cannot open `{}` for appending: ",
            missing.display()
        )),
        "{text}"
    );
    let err = RotatingFileWriter::builder("/").build().unwrap_err();
    assert_eq!(err.to_string(), "`path`: `/` does not name a file");
    let err = RotatingFileWriter::builder(dir.path().join("a.log"))
        .non_blocking(true)
        .buffer_capacity(0)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`buffer_capacity` must be greater than zero"
    );
}
