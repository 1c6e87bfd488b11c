//! In-memory writers for asserting on what a layer wrote.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// A `MakeWriter` that records every `write_all` (one entry per call).
///
/// Clones share the same storage, so a test keeps one clone and gives the
/// other to the layer.
#[derive(Clone, Debug, Default)]
pub struct CaptureWriter {
    writes: Arc<Mutex<Vec<Vec<u8>>>>,
}

// === impl CaptureWriter ===

impl CaptureWriter {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Vec<u8>>> {
        self.writes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every write so far, as raw bytes, one entry per `write` call.
    pub fn writes(&self) -> Vec<Vec<u8>> {
        self.lock().clone()
    }

    /// Every write so far as text, one entry per `write` call, with the
    /// trailing newline removed.
    ///
    /// # Panics
    ///
    /// Panics when a write is not UTF-8 (a test failure).
    pub fn lines(&self) -> Vec<String> {
        self.lock()
            .iter()
            .map(|w| {
                let s = std::str::from_utf8(w).expect("a write that is not UTF-8");
                s.strip_suffix('\n').unwrap_or(s).to_string()
            })
            .collect()
    }

    /// Every write parsed as one JSON value, after checking it has exactly
    /// one trailing newline, no other newline and no duplicate keys.
    ///
    /// # Panics
    ///
    /// Panics with the offending line when a check fails (a test failure).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.lock()
            .iter()
            .map(|w| {
                let s = std::str::from_utf8(w).expect("a line that is not UTF-8");
                let body = s
                    .strip_suffix('\n')
                    .unwrap_or_else(|| panic!("line without trailing newline: {s:.200}"));
                assert!(
                    !body.contains('\n'),
                    "raw newline inside a line: {body:.200}"
                );
                if let Err(e) = crate::check_no_duplicate_keys(body) {
                    panic!("{e}: {body:.300}");
                }
                serde_json::from_str(body)
                    .unwrap_or_else(|e| panic!("invalid JSON ({e}): {body:.300}"))
            })
            .collect()
    }

    /// Forget everything captured so far.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

impl<'a> MakeWriter<'a> for CaptureWriter {
    type Writer = CaptureHandle<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        CaptureHandle { capture: self }
    }
}

/// The writer handed out by [`CaptureWriter`]; each `write` is one entry.
#[derive(Debug)]
pub struct CaptureHandle<'a> {
    capture: &'a CaptureWriter,
}

impl io::Write for CaptureHandle<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.capture.lock().push(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A `MakeWriter` whose writes always fail, counting the attempts.
#[derive(Clone, Debug, Default)]
pub struct FailingWriter {
    attempts: Arc<AtomicUsize>,
}

// === impl FailingWriter ===

impl FailingWriter {
    /// A writer that fails every write with `BrokenPipe`.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many writes were attempted.
    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

impl<'a> MakeWriter<'a> for FailingWriter {
    type Writer = FailingHandle<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        FailingHandle { owner: self }
    }
}

/// The writer handed out by [`FailingWriter`].
#[derive(Debug)]
pub struct FailingHandle<'a> {
    owner: &'a FailingWriter,
}

impl io::Write for FailingHandle<'_> {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        self.owner.attempts.fetch_add(1, Ordering::SeqCst);
        Err(io::Error::new(
            io::ErrorKind::BrokenPipe,
            "test writer always fails",
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
