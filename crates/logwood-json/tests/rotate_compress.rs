//! Rotated files are compressed (gzip, zstd) off the caller's thread;
//! after decompression every line is in exactly one file, whole and in
//! order; retention counts compressed files; a crash's leftovers are
//! cleaned up on the next start.

#![allow(clippy::unwrap_used)] // test helpers unwrap like tests do

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use logwood_json::{Compression, RotatingFileWriter, When};
use tracing_subscriber::fmt::MakeWriter;

/// 2026-11-27 22:10:03 UTC.
const NOVEMBER: i64 = 1_795_817_403;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A file's text, decompressed by its extension.
fn text(path: &Path) -> String {
    let raw = fs::read(path).unwrap();
    let name = path.to_str().unwrap();
    let mut out = String::new();
    if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_string(&mut out)
            .unwrap();
    } else if name.ends_with(".zst") {
        zstd::stream::read::Decoder::new(&raw[..])
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
    } else {
        out = String::from_utf8(raw).unwrap();
    }
    assert!(
        out.is_empty() || out.ends_with('\n'),
        "{name} ends inside a line"
    );
    out
}

/// Lines of `names` in that order.
fn lines(dir: &Path, names: &[String]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| {
            text(&dir.join(n))
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn line(i: usize) -> String {
    format!("line {i:05} {}", "x".repeat(i * 7 % 50))
}

fn write_lines(writer: &RotatingFileWriter, range: std::ops::Range<usize>) {
    for i in range {
        writer
            .make_writer()
            .write_all(format!("{}\n", line(i)).as_bytes())
            .unwrap();
    }
}

/// Size rotation: `app.log.N.gz` … `app.log.1.gz` then `app.log`.
fn size_rotation_keeps_every_line(compression: Compression, ext: &str, non_blocking: bool) {
    let dir = tempfile::tempdir().unwrap();
    let (writer, writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .max_bytes(2_000)
        .backup_count(4)
        .compression(compression)
        .non_blocking(non_blocking)
        .drop_extra_events(false)
        .shutdown_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    write_lines(&writer, 0..5_000);
    assert!(writer_guard.flush(Duration::from_secs(30)).is_ok());
    let expected_names: Vec<String> = std::iter::once("app.log".to_owned())
        .chain((1..=4).map(|i| format!("app.log.{i}{ext}")))
        .collect();
    assert_eq!(names(dir.path()), expected_names);
    let mut oldest_first: Vec<String> = expected_names[1..].to_vec();
    oldest_first.reverse();
    oldest_first.push("app.log".into());
    let remaining = lines(dir.path(), &oldest_first);
    let first = 5_000 - remaining.len();
    assert!(remaining.len() > 100);
    assert_eq!(remaining, (first..5_000).map(line).collect::<Vec<_>>());
    let stats = writer.file_stats();
    assert_eq!(stats.lines, 5_000);
    assert_eq!(stats.compress_errors, 0);
    // Every rotated file was compressed, whether it was kept or not.
    assert!(stats.compressions >= 4 && stats.compressions <= stats.rollovers);
}

#[test]
fn gzip_size_rotation_shifts_compressed_backups_and_keeps_every_line() {
    size_rotation_keeps_every_line(Compression::Gzip, ".gz", false);
}

#[test]
fn gzip_size_rotation_off_the_callers_thread_keeps_every_line() {
    size_rotation_keeps_every_line(Compression::Gzip, ".gz", true);
}

#[cfg(feature = "zstd")]
#[test]
fn zstd_size_rotation_shifts_compressed_backups_and_keeps_every_line() {
    size_rotation_keeps_every_line(Compression::Zstd, ".zst", false);
}

#[cfg(not(feature = "zstd"))]
#[test]
fn zstd_without_the_feature_is_a_build_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = RotatingFileWriter::builder(dir.path().join("app.log"))
        .compression(Compression::Zstd)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`compression`: `zstd` needs logwood-json's `zstd` feature"
    );
}

/// Timed rotation: one file a day, several a day by size; retention keeps
/// exactly `backup_count` compressed files.
fn timed_rotation_keeps_the_newest(compression: Compression, ext: &str) {
    let dir = tempfile::tempdir().unwrap();
    let secs = Arc::new(AtomicI64::new(NOVEMBER));
    let clock = secs.clone();
    let (writer, writer_guard) = RotatingFileWriter::builder(dir.path().join("app.log"))
        .when(When::Midnight)
        .utc(true)
        .max_bytes(3_000)
        .backup_count(6)
        .compression(compression)
        .with_clock(move || UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst) as u64))
        .build()
        .unwrap();
    for i in 0..2_000 {
        // 2,000 lines over 10 days.
        secs.store(NOVEMBER + i as i64 * 432, Ordering::SeqCst);
        write_lines(&writer, i..i + 1);
    }
    assert!(writer_guard.flush(Duration::from_secs(30)).is_ok());
    let all = names(dir.path());
    assert_eq!(all.len(), 7, "{all:?}");
    let mut rotated: Vec<String> = all.into_iter().filter(|n| n != "app.log").collect();
    for name in &rotated {
        assert!(name.ends_with(ext), "{name} is not compressed");
    }
    // (date, counter) order.
    rotated.sort_by_key(|n| {
        let rest = n
            .strip_prefix("app.log.")
            .unwrap()
            .strip_suffix(ext)
            .unwrap();
        match rest.split_once('.') {
            Some((date, c)) => (date.to_owned(), c.parse::<u32>().unwrap()),
            None => (rest.to_owned(), 0),
        }
    });
    rotated.push("app.log".into());
    let remaining = lines(dir.path(), &rotated);
    let first = 2_000 - remaining.len();
    assert_eq!(remaining, (first..2_000).map(line).collect::<Vec<_>>());
    let stats = writer.file_stats();
    assert_eq!(stats.deleted, stats.rollovers - 6);
    assert_eq!(stats.compress_errors, 0);
}

#[test]
fn gzip_timed_rotation_keeps_exactly_backup_count_compressed_files() {
    timed_rotation_keeps_the_newest(Compression::Gzip, ".gz");
}

#[cfg(feature = "zstd")]
#[test]
fn zstd_timed_rotation_keeps_exactly_backup_count_compressed_files() {
    timed_rotation_keeps_the_newest(Compression::Zstd, ".zst");
}

#[test]
fn a_crashs_leftovers_are_compressed_or_cleaned_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Crashed after the rename, before compressing.
    fs::write(d.join("app.log.1"), "one\n").unwrap();
    // Crashed mid-compression: a partial temporary file.
    fs::write(d.join("app.log.2"), "two\n").unwrap();
    fs::write(d.join("app.log.2.gz.tmp"), "garbage").unwrap();
    // Crashed after renaming the compressed file, before deleting the
    // original.
    fs::write(d.join("app.log.3"), "three\n").unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"three\n").unwrap();
    fs::write(d.join("app.log.3.gz"), gz.finish().unwrap()).unwrap();
    // Not ours.
    fs::write(d.join("app.log.old.tmp"), "keep").unwrap();
    let (writer, writer_guard) = RotatingFileWriter::builder(d.join("app.log"))
        .max_bytes(1_000)
        .backup_count(3)
        .compression(Compression::Gzip)
        .build()
        .unwrap();
    assert!(writer_guard.flush(Duration::from_secs(30)).is_ok());
    assert_eq!(
        names(d),
        [
            "app.log",
            "app.log.1.gz",
            "app.log.2.gz",
            "app.log.3.gz",
            "app.log.old.tmp"
        ]
    );
    assert_eq!(text(&d.join("app.log.1.gz")), "one\n");
    assert_eq!(text(&d.join("app.log.2.gz")), "two\n");
    assert_eq!(text(&d.join("app.log.3.gz")), "three\n");
    assert_eq!(writer.file_stats().compressions, 3);
}

#[test]
fn a_file_that_cannot_be_compressed_stays_and_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The temporary name is taken by a directory: compression fails.
    fs::create_dir(d.join("app.log.1.gz.tmp")).unwrap();
    let (writer, writer_guard) = RotatingFileWriter::builder(d.join("app.log"))
        .max_bytes(100)
        .backup_count(1)
        .compression(Compression::Gzip)
        .log_internal_errors(false)
        .build()
        .unwrap();
    // The directory is not ours to delete; the start left it.
    write_lines(&writer, 0..20);
    assert!(writer_guard.flush(Duration::from_secs(30)).is_ok());
    let stats = writer.file_stats();
    assert!(stats.compress_errors >= 1, "{stats:?}");
    assert_eq!(stats.write_errors, 0);
    // No line lost: the backup is there, uncompressed.
    let backup = text(&d.join("app.log.1"));
    assert!(!backup.is_empty());
}

#[test]
fn compressed_files_keep_the_originals_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.log");
    fs::write(&app, "secret\n").unwrap();
    fs::set_permissions(&app, fs::Permissions::from_mode(0o640)).unwrap();
    let (writer, writer_guard) = RotatingFileWriter::builder(&app)
        .max_bytes(10)
        .backup_count(1)
        .compression(Compression::Gzip)
        .build()
        .unwrap();
    write_lines(&writer, 0..1);
    assert!(writer_guard.flush(Duration::from_secs(30)).is_ok());
    let mode = fs::metadata(dir.path().join("app.log.1.gz"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}
