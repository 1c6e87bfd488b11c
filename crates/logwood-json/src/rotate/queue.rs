//! `non_blocking` mode: a bounded queue of whole lines and the thread that
//! writes them.
//!
//! Lines are appended to one byte buffer (with their end offsets); the
//! worker swaps that buffer for its own empty one and writes the lines
//! out, so that in steady state no line costs an allocation.

use std::mem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use logwood_core::__private::MAX_RETAINED_CAPACITY;

use super::file::RotatingFile;
use super::stats::Counters;

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    ends: Vec<usize>,
    closed: bool,
    /// Lines accepted so far.
    queued: u64,
    /// Lines the worker has finished with (written or lost).
    done: u64,
}

/// The queue shared by the writers, the worker and the guards.
#[derive(Debug, Default)]
pub(super) struct Queue {
    state: Mutex<State>,
    /// Lines arrived, or the queue closed.
    arrived: Condvar,
    /// The worker took the queued lines (room for more).
    room: Condvar,
    /// The worker finished a batch.
    written: Condvar,
}

/// What became of a pushed line.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Pushed {
    Queued,
    /// The queue was full (and the writer lossy) or closed.
    Dropped,
}

// === impl Queue ===

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `line`; when `limit` lines wait already, drops it (`lossy`)
    /// or waits for room.
    pub(super) fn push(&self, line: &[u8], limit: usize, lossy: bool) -> Pushed {
        let mut state = self.lock();
        while state.ends.len() >= limit && !state.closed {
            if lossy {
                return Pushed::Dropped;
            }
            state = self
                .room
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.closed {
            return Pushed::Dropped;
        }
        state.buf.extend_from_slice(line);
        let end = state.buf.len();
        state.ends.push(end);
        state.queued += 1;
        drop(state);
        self.arrived.notify_one();
        Pushed::Queued
    }

    /// Waits until every line queued before the call is written (or lost),
    /// at most `timeout`; returns whether it got there.
    pub(super) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        let target = state.queued;
        while state.done < target {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .written
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Stops accepting lines; the worker drains what is queued and exits.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.arrived.notify_all();
        self.room.notify_all();
    }
}

/// Starts the worker thread writing `queue`'s lines to `file`.
pub(super) fn spawn(
    queue: Arc<Queue>,
    mut file: RotatingFile,
    counters: Arc<Counters>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("logwood-rotate".into())
        .spawn(move || {
            // Nothing on this thread may log back into the application.
            let _no_events = tracing_core::dispatcher::set_default(&tracing_core::Dispatch::none());
            let mut buf = Vec::new();
            let mut ends = Vec::new();
            loop {
                {
                    let mut state = queue.lock();
                    while state.ends.is_empty() && !state.closed {
                        state = queue
                            .arrived
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    if state.ends.is_empty() {
                        break;
                    }
                    mem::swap(&mut state.buf, &mut buf);
                    mem::swap(&mut state.ends, &mut ends);
                }
                queue.room.notify_all();
                let mut start = 0;
                for &end in &ends {
                    // Failures are counted (and reported once) inside.
                    file.write_line(&buf[start..end], &counters).ok();
                    start = end;
                }
                file.flush().ok();
                let n = ends.len() as u64;
                buf.clear();
                ends.clear();
                if buf.capacity() > 16 * MAX_RETAINED_CAPACITY {
                    buf = Vec::new();
                    ends = Vec::new();
                }
                queue.lock().done += n;
                queue.written.notify_all();
            }
            queue.written.notify_all();
        })
}
