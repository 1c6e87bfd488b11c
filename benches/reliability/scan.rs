//! Looking for the secrets in everything a case produced.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::readback::find;

/// What a scan went through and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub bytes: u64,
    /// Where a secret was found (`path` or `stdout`/`stderr`), with its
    /// offset; never the secret itself.
    pub hits: Vec<String>,
}

// === impl Scan ===

impl Scan {
    pub fn add(&mut self, other: Scan) {
        self.bytes += other.bytes;
        self.hits.extend(other.hits);
    }

    /// Scans `bytes`, named `what` in a hit.
    pub fn bytes(&mut self, what: &str, bytes: &[u8], secrets: &[&str]) {
        self.bytes += bytes.len() as u64;
        for (n, secret) in secrets.iter().enumerate() {
            if let Some(at) = find(bytes, secret.as_bytes()) {
                self.hits
                    .push(format!("secret #{n} in {what} at byte {at}"));
            }
        }
    }

    /// Scans every file under `root` (following no symlink), reading `.gz`
    /// files both as stored and decompressed. A file that cannot be read is
    /// a hit (it was not scanned).
    pub fn tree(&mut self, root: &Path, secrets: &[&str]) {
        for path in walk(root) {
            if let Err(e) = self.file(&path, secrets) {
                self.hits
                    .push(format!("{} could not be scanned: {e}", path.display()));
            }
        }
    }

    fn file(&mut self, path: &Path, secrets: &[&str]) -> io::Result<()> {
        self.stream(&path.display().to_string(), File::open(path)?, secrets)?;
        if path.extension().is_some_and(|e| e == "gz") {
            let decoder = flate2::read::MultiGzDecoder::new(File::open(path)?);
            // A backup cut short by a full disk does not decompress to the
            // end: what did is scanned.
            self.stream(
                &format!("{} (decompressed)", path.display()),
                decoder,
                secrets,
            )
            .ok();
        }
        Ok(())
    }

    /// Scans a stream in 4 MiB pieces overlapping by the longest secret;
    /// each secret is reported once per stream.
    fn stream(&mut self, what: &str, mut reader: impl Read, secrets: &[&str]) -> io::Result<()> {
        let overlap = secrets.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut found = vec![false; secrets.len()];
        let mut buf = vec![0_u8; 4 << 20];
        let mut kept = 0;
        let mut offset = 0_u64;
        loop {
            let n = reader.read(&mut buf[kept..])?;
            if n == 0 {
                return Ok(());
            }
            self.bytes += n as u64;
            let filled = kept + n;
            for (i, secret) in secrets.iter().enumerate() {
                if !found[i]
                    && let Some(at) = find(&buf[..filled], secret.as_bytes())
                {
                    found[i] = true;
                    self.hits.push(format!(
                        "secret #{i} in {what} at byte {}",
                        offset + at as u64
                    ));
                }
            }
            let keep = overlap.min(filled);
            buf.copy_within(filled - keep..filled, 0);
            offset += (filled - keep) as u64;
            kept = keep;
        }
    }
}

/// Every regular file under `root`.
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            match entry.file_type() {
                Ok(t) if t.is_dir() => dirs.push(entry.path()),
                Ok(t) if t.is_file() => files.push(entry.path()),
                _ => {}
            }
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out 3 bytes per read.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(3).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn finds_a_secret_across_pieces_and_counts_each_byte_once() {
        let text = b"xxxxxxxx the-secret-value yyyy";
        let mut scan = Scan::default();
        scan.stream("t", Trickle(text), &["the-secret-value", "absent"])
            .unwrap();
        assert_eq!(scan.bytes, text.len() as u64);
        assert_eq!(scan.hits.len(), 1, "{:?}", scan.hits);
        assert!(scan.hits[0].starts_with("secret #0 in t"));
    }
}
