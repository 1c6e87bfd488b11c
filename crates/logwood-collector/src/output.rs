//! Where accepted records and syslog messages go.
//!
//! Every output line is one compact JSON object followed by `\n`:
//!
//! - an HTTP record is the record itself, as sent: from msgpack, a compact
//!   JSON object with the keys in the order they were sent
//!   (`{"dt":"…","level":"info","message":"…","context":{…}}`); from NDJSON,
//!   the line verbatim, trimmed of surrounding whitespace;
//! - an OTLP log record is `{"otlp":{…}}`, described on
//!   [`decode_otlp_logs`](crate::decode_otlp_logs);
//! - a syslog message is `{"syslog":{…}}`, described on
//!   [`CollectorBuilder::syslog_udp`](crate::CollectorBuilder::syslog_udp).
//!
//! A batch's lines are written with one `write_all` and flushed before the
//! batch is answered, so a `202` means the records are in the output.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::Value;

/// Where a collector writes what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Output {
    /// Keep every line in memory, for
    /// [`records`](crate::CollectorHandle::records) and
    /// [`syslog_messages`](crate::CollectorHandle::syslog_messages). The
    /// default of the library.
    #[default]
    Memory,
    /// Append to a file (created if missing), flushed per batch.
    /// [`records`](crate::CollectorHandle::records) reads it back.
    File(PathBuf),
    /// Write to standard output, flushed per batch (the binary's default).
    /// Nothing is kept for [`records`](crate::CollectorHandle::records).
    Stdout,
    /// Count and discard (for throughput measurements).
    Discard,
}

/// What kind of line a write holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A record from a frames batch.
    Record,
    /// An OTLP log record.
    Otlp,
    /// A syslog message.
    Syslog,
}

#[derive(Debug)]
enum Sink {
    Memory {
        records: Vec<String>,
        otlp: Vec<String>,
        syslog: Vec<String>,
    },
    File {
        writer: BufWriter<File>,
        path: PathBuf,
        start: u64,
        kinds: Vec<Kind>,
    },
    Stdout,
    Discard,
}

#[derive(Debug)]
struct State {
    sink: Sink,
}

/// The output, shared by every connection. (The counts of what was
/// written live in the stats, updated by the caller after each write.)
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
}

// === impl Store ===

impl Store {
    /// Opens the output (the file is opened for appending here, so that
    /// errors surface in `start()`).
    pub(crate) fn open(output: &Output) -> io::Result<Self> {
        let sink = match output {
            Output::Memory => Sink::Memory {
                records: Vec::new(),
                otlp: Vec::new(),
                syslog: Vec::new(),
            },
            Output::File(path) => {
                let mut file = OpenOptions::new().create(true).append(true).open(path)?;
                let start = file.seek(SeekFrom::End(0))?;
                Sink::File {
                    writer: BufWriter::with_capacity(256 * 1024, file),
                    path: path.clone(),
                    start,
                    kinds: Vec::new(),
                }
            }
            Output::Stdout => Sink::Stdout,
            Output::Discard => Sink::Discard,
        };
        Ok(Self {
            state: Mutex::new(State { sink }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `lines` (`count` complete JSON lines of one kind) and flushes.
    ///
    /// # Errors
    ///
    /// The file or stdout write failed; the lines count as not written.
    pub(crate) fn write(&self, kind: Kind, lines: &[u8], count: usize) -> io::Result<()> {
        if count == 0 {
            return Ok(());
        }
        let mut state = self.lock();
        match &mut state.sink {
            Sink::Memory {
                records,
                otlp,
                syslog,
            } => {
                let list = match kind {
                    Kind::Record => records,
                    Kind::Otlp => otlp,
                    Kind::Syslog => syslog,
                };
                let text = String::from_utf8_lossy(lines);
                list.extend(text.lines().map(str::to_owned));
            }
            Sink::File { writer, kinds, .. } => {
                let result = writer.write_all(lines).and_then(|()| writer.flush());
                if let Err(e) = result {
                    // Forget a half-written batch's buffered tail; the file may
                    // hold a partial line, which `records()` skips.
                    writer.get_mut().flush().ok();
                    return Err(e);
                }
                kinds.extend(std::iter::repeat_n(kind, count));
            }
            Sink::Stdout => {
                let mut stdout = io::stdout().lock();
                stdout.write_all(lines)?;
                stdout.flush()?;
            }
            Sink::Discard => {}
        }
        Ok(())
    }

    /// Every line of `kind` written so far, parsed.
    pub(crate) fn lines(&self, kind: Kind) -> Vec<Value> {
        let state = self.lock();
        match &state.sink {
            Sink::Memory {
                records,
                otlp,
                syslog,
            } => {
                let list = match kind {
                    Kind::Record => records.clone(),
                    Kind::Otlp => otlp.clone(),
                    Kind::Syslog => syslog.clone(),
                };
                drop(state);
                list.iter().filter_map(|line| parse(line)).collect()
            }
            Sink::File {
                path, start, kinds, ..
            } => {
                let (path, start, kinds) = (path.clone(), *start, kinds.clone());
                drop(state);
                read_back(&path, start, &kinds, kind).unwrap_or_default()
            }
            Sink::Stdout | Sink::Discard => Vec::new(),
        }
    }
}

/// Reads the lines this collector appended to `path` and keeps those of
/// `kind`.
fn read_back(path: &PathBuf, start: u64, kinds: &[Kind], kind: Kind) -> io::Result<Vec<Value>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut values = Vec::new();
    for (line, line_kind) in BufReader::new(file).lines().zip(kinds) {
        let line = line?;
        if *line_kind == kind
            && let Some(value) = parse(&line)
        {
            values.push(value);
        }
    }
    Ok(values)
}

/// Parses a line the collector wrote. Records may nest deeper than
/// serde_json's default limit (128), up to
/// [`MAX_RECORD_DEPTH`](crate::MAX_RECORD_DEPTH) (checked when they were
/// accepted, and again here before the limit is lifted).
fn parse(line: &str) -> Option<Value> {
    if depth(line.as_bytes()) > crate::MAX_RECORD_DEPTH {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(line);
    de.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// The deepest nesting of arrays and objects in a JSON text, without
/// recursion (brackets inside strings do not count).
fn depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0_usize, 0);
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(depth(b"{}"), 1);
        assert_eq!(depth(br#"{"a":[{"b":"[[[{{"}]}"#), 3);
        assert_eq!(depth(br#"{"a":"\"[[","b":[1]}"#), 2);
    }

    #[test]
    fn lines_deeper_than_serde_json_s_default_limit_are_read_back() {
        let levels = crate::MAX_RECORD_DEPTH;
        let line = format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels));
        assert!(serde_json::from_str::<Value>(&line).is_err());
        let mut value = parse(&line).unwrap();
        for _ in 0..levels {
            value = value["a"].take();
        }
        assert_eq!(value, 1);
        let deeper = format!("[{line}]");
        assert_eq!(parse(&deeper), None);
    }
}
