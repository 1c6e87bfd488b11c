//! Counting what a receiver holds: every event carries `<marker> <seq>`,
//! so the records read back from a file (the JSON file sink, a collector's
//! output, rsyslogd's `messages.jsonl`) give exactly how many distinct
//! records arrived and how many arrived more than once.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// How many times each sequence number was seen.
#[derive(Debug, Clone)]
pub struct Tally {
    marker: Vec<u8>,
    /// Copies per sequence number (saturating).
    seen: Vec<u8>,
    /// Lines holding the marker with a number out of range.
    pub foreign: u64,
    /// Lines holding the marker.
    pub lines: u64,
}

// === impl Tally ===

impl Tally {
    /// A tally of `marker SEQ` with `SEQ < emitted`.
    pub fn new(marker: &str, emitted: u64) -> Self {
        Self {
            marker: format!("{marker} ").into_bytes(),
            seen: vec![0; usize::try_from(emitted).unwrap_or(usize::MAX)],
            foreign: 0,
            lines: 0,
        }
    }

    /// Counts the first `marker SEQ` of `line`, if any; whether it had one.
    pub fn line(&mut self, line: &[u8]) -> bool {
        let Some(at) = find(line, &self.marker) else {
            return false;
        };
        let digits = &line[at + self.marker.len()..];
        let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        let seq = std::str::from_utf8(&digits[..n])
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        self.lines += 1;
        match seq.and_then(|seq| self.seen.get_mut(seq)) {
            Some(copies) => *copies = copies.saturating_add(1),
            None => self.foreign += 1,
        }
        true
    }

    /// Distinct sequence numbers seen.
    pub fn received(&self) -> u64 {
        self.seen.iter().filter(|&&n| n > 0).count() as u64
    }

    /// Distinct sequence numbers seen among `range`.
    pub fn received_in(&self, range: std::ops::Range<u64>) -> u64 {
        let (a, b) = (
            range.start as usize,
            (range.end as usize).min(self.seen.len()),
        );
        self.seen
            .get(a..b)
            .map_or(0, |s| s.iter().filter(|&&n| n > 0).count() as u64)
    }

    /// Copies beyond the first.
    pub fn duplicates(&self) -> u64 {
        self.seen
            .iter()
            .map(|&n| u64::from(n.saturating_sub(1)))
            .sum()
    }

    /// Counts the lines of `reader` for which `keep` holds.
    pub fn read(
        &mut self,
        reader: impl Read,
        mut keep: impl FnMut(&[u8]) -> bool,
    ) -> io::Result<()> {
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            if keep(&line) {
                self.line(&line);
            }
        }
    }

    /// Counts the lines of the file at `path` (none when it is missing);
    /// `.gz` files are decompressed.
    pub fn read_file(&mut self, path: &Path, keep: impl FnMut(&[u8]) -> bool) -> io::Result<()> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if path.extension().is_some_and(|e| e == "gz") {
            self.read(flate2::read::MultiGzDecoder::new(file), keep)
        } else {
            self.read(file, keep)
        }
    }
}

/// The first position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = haystack[from..].iter().position(|&b| b == first) {
        let at = from + i;
        if haystack[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Every file in `dir` whose name starts with `prefix` (a log file and its
/// rotated backups), sorted.
pub fn files_starting_with(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Waits until `count()` reaches `want`, or stops changing for `quiet`, or
/// `timeout` passes; returns the last count.
pub fn wait_settled(
    want: u64,
    quiet: Duration,
    timeout: Duration,
    mut count: impl FnMut() -> u64,
) -> u64 {
    let deadline = Instant::now() + timeout;
    let mut last = count();
    let mut since = Instant::now();
    loop {
        if last >= want || Instant::now() >= deadline || since.elapsed() >= quiet {
            return last;
        }
        thread::sleep(Duration::from_millis(100));
        let now = count();
        if now != last {
            last = now;
            since = Instant::now();
        }
    }
}

/// Reads the complete lines appended to a file since the last call (a
/// line rsyslogd is still writing is left for the next one).
#[derive(Debug)]
pub struct Follow {
    path: PathBuf,
    offset: u64,
}

// === impl Follow ===

impl Follow {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            offset: 0,
        }
    }

    /// Calls `line` with each complete new line; returns how many.
    pub fn read_new(&mut self, mut line: impl FnMut(&[u8])) -> io::Result<u64> {
        use std::io::{Seek, SeekFrom};
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        file.seek(SeekFrom::Start(self.offset))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut buf = Vec::new();
        let mut n = 0;
        loop {
            buf.clear();
            let read = reader.read_until(b'\n', &mut buf)?;
            if read == 0 || !buf.ends_with(b"\n") {
                return Ok(n);
            }
            self.offset += read as u64;
            n += 1;
            line(&buf);
        }
    }
}

/// Follows `path` until `done(state)` holds after a read, or nothing new
/// came for `quiet`, or `timeout` passed; `line` gets every complete line.
pub fn follow_until<T>(
    path: &Path,
    quiet: Duration,
    timeout: Duration,
    state: &mut T,
    mut line: impl FnMut(&mut T, &[u8]),
    mut done: impl FnMut(&T) -> bool,
) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut follow = Follow::new(path);
    let mut since = Instant::now();
    loop {
        if follow.read_new(|l| line(state, l))? > 0 {
            since = Instant::now();
        }
        if done(state) || since.elapsed() >= quiet || Instant::now() >= deadline {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// The size of the file at `path` (0 when missing).
pub fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_records_and_copies() {
        let mut tally = Tally::new("m-1", 4);
        for line in [
            &b"{\"message\":\"m-1 0 x\"}"[..],
            b"m-1 2",
            b"m-1 2 again m-1 3",
            b"m-1 9",
            b"m-10 1",
            b"nothing",
        ] {
            tally.line(line);
        }
        assert_eq!(
            (tally.received(), tally.duplicates(), tally.foreign),
            (2, 1, 1)
        );
        assert_eq!(find(b"aab", b"ab"), Some(1));
        assert_eq!(find(b"ab", b"abc"), None);
    }
}
