//! A full disk under the file sinks: a small tmpfs (mounted in the case's
//! private mount namespace, as root) filled up while the application
//! logs, then given space again. Without root, `/dev/full`.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use logwood::json::{Compression, JsonLayer, PatternLayer, RotatingFileWriter};
use logwood::{FlushGuard, Stats};
use tracing_subscriber::prelude::*;

use super::every::BoxedLayer;
use super::measure::{self, Emit, Emitted, Latency};
use super::readback::{self, Tally};
use super::row::Row;
use super::{Case, Ctx, runner};

pub const CASE: Case = Case {
    name: "disk-full",
    about: "Three file sinks on a 16 MiB tmpfs (short: 4 MiB) mounted in the case's private \
            mount namespace (`unshare --mount`, as root): a JSON layer writing on the caller's \
            thread, a JSON layer through a `non_blocking` writer, and a pattern layer with size \
            rotation (64 KiB) and gzip backups. The application logs 5,000 events (short: 500); \
            a filler file then takes every free byte and it logs 5,000 more; the filler is \
            removed and it logs 5,000 more. Figures are the writers' `Stats` (a line per \
            event). Checks: no panic; the counters add up with nothing queued; the lost lines \
            were counted failed; every line of the files is whole (a line the disk cut is closed \
            by a line break, so the next one is not glued to it); they hold exactly the lines \
            counted sent, once, plus at most the line the disk cut (counted failed, it may lack \
            only its line break); every line of the last phase (space again) is there. Without root: `/dev/full`, where \
            every line fails and is counted.",
    run,
    unshare: true,
    limit_secs: (60, 300),
};

/// A file sink: its writer's guard and what it writes to.
struct FileSink {
    name: &'static str,
    guard: FlushGuard,
    prefix: &'static str,
    writer: RotatingFileWriter,
}

fn run(ctx: &Ctx) -> Vec<Row> {
    if ctx.unshared {
        on_tmpfs(ctx)
    } else {
        on_dev_full(ctx)
    }
}

fn on_tmpfs(ctx: &Ctx) -> Vec<Row> {
    let disk = ctx.path("disk");
    std::fs::create_dir_all(&disk).expect("creating the mount point");
    let size = ctx.scale.pick("4m", "16m");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(&disk)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        mounted,
        "mount -t tmpfs failed (the case runs as root in its own namespace)"
    );
    let per_phase = ctx.scale.pick(500, 5_000);
    let marker = ctx.marker();

    let (direct, direct_guard) = RotatingFileWriter::builder(disk.join("direct.log"))
        .build()
        .expect("a file writer");
    let (queued, queued_guard) = RotatingFileWriter::builder(disk.join("queued.log"))
        .non_blocking(true)
        .build()
        .expect("a non-blocking file writer");
    let (rotating, rotating_guard) = RotatingFileWriter::builder(disk.join("pattern.log"))
        .max_bytes(64 * 1024)
        .backup_count(10_000)
        .compression(Compression::Gzip)
        .build()
        .expect("a rotating file writer");
    let layers: Vec<BoxedLayer> = vec![
        Box::new(JsonLayer::builder().with_writer(direct.clone()).build()),
        Box::new(JsonLayer::builder().with_writer(queued.clone()).build()),
        Box::new(
            PatternLayer::builder("%(asctime)s %(levelname)s %(name)s: %(message)s")
                .with_writer(rotating.clone())
                .build()
                .expect("a pattern layer"),
        ),
    ];
    let sinks = vec![
        FileSink {
            name: "json · direct",
            guard: direct_guard,
            prefix: "direct.log",
            writer: direct,
        },
        FileSink {
            name: "json · non-blocking",
            guard: queued_guard,
            prefix: "queued.log",
            writer: queued,
        },
        FileSink {
            name: "pattern · gzip backups",
            guard: rotating_guard,
            prefix: "pattern.log",
            writer: rotating,
        },
    ];
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layers));
    let start = Instant::now();
    let mut latency = Latency::default();
    let mut phase = |first: u64| {
        let emitted = emit_from(&dispatch, &marker, first, per_phase);
        latency.merge(&emitted.latency);
        for sink in &sinks {
            sink.guard.flush(Duration::from_secs(30)).ok();
        }
    };
    phase(0);
    let filler = disk.join("filler");
    fill(&filler);
    phase(per_phase);
    std::fs::remove_file(&filler).expect("removing the filler");
    phase(2 * per_phase);
    drop(dispatch);
    let total = 3 * per_phase;

    let rows = sinks
        .into_iter()
        .map(|sink| {
            let file_stats = sink.writer.file_stats();
            let stats = sink.guard.shutdown(Duration::from_secs(30));
            // Only whole lines count: a JSON object, or a pattern line
            // (`2026-11-28 02:40:00,123 INFO …`) with one marker.
            let json = sink.prefix != "pattern.log";
            let whole = |line: &[u8]| {
                if json {
                    serde_json::from_slice::<serde_json::Value>(line).is_ok_and(|v| v.is_object())
                } else {
                    pattern_line(line, &marker)
                }
            };
            let mut tally = Tally::new(&marker, total);
            let mut fragments = 0;
            for path in readback::files_starting_with(&disk, sink.prefix) {
                tally
                    .read_file(&path, |line| {
                        let ok = whole(line);
                        fragments += u64::from(!ok);
                        ok
                    })
                    .ok();
            }
            let last = tally.received_in(2 * per_phase..total);
            row(ctx, sink.name, &stats, &tally, start, &latency, total)
                .note(format!(
                    "lines cut by the full disk (each closed by a line break): {fragments}"
                ))
                .note(format!(
                    "write errors {}, rollovers {} ({} failed), compressions {} ({} failed)",
                    file_stats.write_errors,
                    file_stats.rollovers,
                    file_stats.rollover_errors,
                    file_stats.compressions,
                    file_stats.compress_errors
                ))
                .check(
                    "the full disk was counted (failed > 0)",
                    stats.failed > 0,
                    "nothing failed",
                )
                .check(
                    "every line of the last phase is there",
                    last == per_phase,
                    format!("{last} of {per_phase}"),
                )
        })
        .collect();
    runner::scan_and_report(ctx, &disk);
    Command::new("umount").arg(&disk).status().ok();
    rows
}

/// Whether `line` is one whole line of the pattern
/// `%(asctime)s %(levelname)s …` holding `marker` once.
fn pattern_line(line: &[u8], marker: &str) -> bool {
    let shape = b"dddd-dd-dd dd:dd:dd,ddd INFO ";
    let starts = line.len() > shape.len()
        && shape.iter().zip(line).all(|(s, b)| match s {
            b'd' => b.is_ascii_digit(),
            other => other == b,
        });
    let markers = line
        .windows(marker.len())
        .filter(|w| *w == marker.as_bytes())
        .count();
    starts && markers == 1
}

/// Writes zeros to `path` until the disk is full.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).expect("creating the filler");
    let chunk = vec![0_u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    // The last partial chunk, byte by byte (tmpfs counts pages).
    while file.write_all(&[0]).is_ok() {}
}

fn emit_from(dispatch: &tracing::Dispatch, marker: &str, first: u64, n: u64) -> Emitted {
    measure::emit(dispatch, Emit::burst(1, n), |seq| {
        measure::event(marker, first + seq);
    })
}

fn row(
    ctx: &Ctx,
    name: &str,
    stats: &Stats,
    tally: &Tally,
    start: Instant,
    latency: &Latency,
    total: u64,
) -> Row {
    Row::new(ctx.case, name, stats)
        .received(tally)
        .took(start.elapsed())
        .latency(latency)
        .check_emitted(total)
        .check_accounted()
        .check_received_cut()
}

fn on_dev_full(ctx: &Ctx) -> Vec<Row> {
    let n = ctx.scale.pick(500, 5_000);
    let marker = ctx.marker();
    [false, true]
        .into_iter()
        .map(|non_blocking| {
            let (writer, guard) = RotatingFileWriter::builder("/dev/full")
                .non_blocking(non_blocking)
                .build()
                .expect("a writer of /dev/full");
            let dispatch = tracing::Dispatch::new(
                tracing_subscriber::registry()
                    .with(JsonLayer::builder().with_writer(writer).build()),
            );
            let start = Instant::now();
            let emitted = measure::emit(&dispatch, Emit::burst(1, n), |seq| {
                measure::event(&marker, seq);
            });
            drop(dispatch);
            let stats = guard.shutdown(Duration::from_secs(30));
            let name = if non_blocking {
                "json · non-blocking · /dev/full"
            } else {
                "json · direct · /dev/full"
            };
            let mut row = Row::new(ctx.case, name, &stats)
                .took(start.elapsed())
                .latency(&emitted.latency)
                .note("not root: /dev/full instead of a tmpfs")
                .check_emitted(n)
                .check_accounted()
                .check(
                    "every line failed and was counted",
                    stats.failed == n,
                    format!("{} failed", stats.failed),
                );
            row.received = Some(0);
            row
        })
        .collect()
}
