//! Reading `messages.jsonl` (and rsyslogd's log) while rsyslogd appends to it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Reads the complete lines appended to a file since the last call.
///
/// A line counts once its `\n` is written, so a line rsyslogd is still
/// writing is never seen in part.
#[derive(Debug)]
pub(super) struct LineReader {
    path: PathBuf,
    /// Bytes consumed: everything up to and including the last `\n` seen.
    offset: u64,
}

// === impl LineReader ===

impl LineReader {
    pub(super) fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            offset: 0,
        }
    }

    /// The complete lines written since the previous call, without their
    /// `\n`. A missing file has no lines.
    pub(super) fn read_new(&mut self) -> io::Result<Vec<Vec<u8>>> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if file.metadata()?.len() < self.offset {
            // Truncated or replaced: start over.
            self.offset = 0;
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        self.offset += complete as u64;
        Ok(split_lines(&bytes[..complete]))
    }
}

/// The `\n`-terminated lines of `bytes`, without the terminator; a last
/// unterminated piece is left out.
pub(super) fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines.pop(); // after the last '\n' (empty) or an unterminated piece
    lines
}

/// Whether `haystack` holds `needle`.
pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Parses one line of `messages.jsonl`, replacing bytes that are not UTF-8
/// with U+FFFD first (rsyslog copies such bytes through).
///
/// # Panics
///
/// When the line is not JSON, naming the line: the template always writes
/// JSON, so this is a broken harness or a test failure.
pub(super) fn parse(line: &[u8], path: &Path) -> serde_json::Value {
    let text = String::from_utf8_lossy(line);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a line of {} is not JSON ({e}): {text}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_complete_lines_only() {
        assert_eq!(split_lines(b"a\nbc\n"), vec![b"a".to_vec(), b"bc".to_vec()]);
        assert_eq!(split_lines(b"a\nb"), vec![b"a".to_vec()]);
        assert_eq!(split_lines(b"\n"), vec![Vec::<u8>::new()]);
        assert!(split_lines(b"").is_empty());
    }

    #[test]
    fn reads_appended_lines_once_and_waits_for_the_newline() {
        use std::io::Write;
        let path = std::env::temp_dir().join(format!("logwood-lines-test-{}", std::process::id()));
        let mut reader = LineReader::new(&path);
        assert!(reader.read_new().unwrap().is_empty(), "missing file");
        let mut file = File::create(&path).unwrap();
        file.write_all(b"one\ntw").unwrap();
        assert_eq!(reader.read_new().unwrap(), vec![b"one".to_vec()]);
        file.write_all(b"o\n").unwrap();
        assert_eq!(reader.read_new().unwrap(), vec![b"two".to_vec()]);
        assert!(reader.read_new().unwrap().is_empty());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn parses_lines_with_bytes_that_are_not_utf8() {
        let value = parse(b"{\"msg\":\"a\xffb\"}", Path::new("x"));
        assert_eq!(value["msg"], "a\u{fffd}b");
        assert!(contains(b"xx marker-1 yy", b"marker-1"));
        assert!(!contains(b"marker", b"marker-1"));
    }
}
