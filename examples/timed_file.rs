//! A timed rotating file, as Python's
//! `TimedRotatingFileHandler("app.log", when="S", interval=2, backupCount=3)`,
//! with a size limit too and gzip: lines go to `app.log` in a temporary
//! directory for about five seconds, the file rolls over every two seconds
//! (`app.log.2026-11-27_23-10-05.gz`, named for the start of its interval)
//! or at 4 KB (`…_23-10-05.1.gz`), three rotated files are kept, and the
//! example prints what is there at the end.
//!
//! ```text
//! cargo run --example timed_file
//! ```

use std::time::{Duration, Instant};

use logwood::json::{Compression, PatternLayer, RotatingFileWriter, When};
use tracing_subscriber::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("logwood-timed-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (file, guard) = RotatingFileWriter::builder(dir.join("app.log"))
        .when("S".parse::<When>()?)
        .interval(2)
        .max_bytes(4_000)
        .backup_count(3)
        .compression(Compression::Gzip)
        .build()?;
    let layer = PatternLayer::builder("%(asctime)s %(levelname)s %(name)s: %(message)s")
        .with_writer(file.clone())
        .build()?;
    tracing_subscriber::registry().with(layer).init();

    let start = Instant::now();
    let mut n = 0_u64;
    let mut tick = 0;
    while start.elapsed() < Duration::from_secs(5) {
        // A burst in the middle: that interval also rolls over by size.
        let burst = if tick == 25 { 80 } else { 2 };
        tick += 1;
        for _ in 0..burst {
            n += 1;
            tracing::info!(n, "order placed");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Wait for the last compressions before looking.
    drop(guard);

    let mut names: Vec<(String, u64)> = std::fs::read_dir(&dir)?
        .map(|entry| {
            let entry = entry?;
            Ok((
                entry.file_name().to_string_lossy().into_owned(),
                entry.metadata()?.len(),
            ))
        })
        .collect::<std::io::Result<_>>()?;
    names.sort();
    println!("{n} lines written to {}:", dir.display());
    for (name, len) in &names {
        println!("  {name:40} {len:>6} bytes");
    }
    let stats = file.file_stats();
    println!(
        "rollovers: {}, compressed: {}, deleted by retention: {}",
        stats.rollovers, stats.compressions, stats.deleted
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
