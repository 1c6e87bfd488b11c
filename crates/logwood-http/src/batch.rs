//! The bounded buffer between the callers and the worker, and the counters.
//!
//! Callers append each encoded record to the open batch under a short mutex
//! (a `memcpy`, never any I/O); the worker swaps whole batches out. The
//! batch buffers are recycled, so once they have grown a steady stream of
//! events allocates nothing per event (`tests/no_alloc_per_event.rs`).
//!
//! Every counter lives under the same mutex as the buffer, so a
//! [`Stats`] snapshot always satisfies the accounting identity.

use std::collections::VecDeque;
use std::mem;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use logwood_core::stats::ReportOnce;

use crate::stats::Stats;

/// How many emptied batch buffers are kept for reuse.
const SPARE_BUFFERS: usize = 2;

/// The bounds of the buffer and of each batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// At most this many records wait in the buffer (and go in one batch).
    pub(crate) capacity: usize,
    /// At most this many body bytes per batch, the header included.
    pub(crate) max_batch_bytes: usize,
    /// The largest batch header of the format (reserved in the byte count).
    pub(crate) head_len: usize,
    /// Whether a caller waits for room instead of dropping.
    pub(crate) block_when_full: bool,
    /// How long the first record of a batch waits for more at most.
    pub(crate) flush_interval: Duration,
}

// === impl Limits ===

impl Limits {
    /// Whether a record of `len` bytes can never fit in a batch.
    pub(crate) fn is_oversize(&self, len: usize) -> bool {
        self.head_len.saturating_add(len) > self.max_batch_bytes
    }

    /// Whether a batch holding `bytes` has room for `len` more.
    fn fits(&self, bytes: usize, len: usize) -> bool {
        self.head_len + bytes + len <= self.max_batch_bytes
    }
}

/// Records appended since the last batch was taken.
#[derive(Debug, Default)]
struct Open {
    buf: Vec<u8>,
    records: usize,
    /// When its first record arrived.
    since: Option<Instant>,
}

/// A batch taken from the buffer: the concatenated records.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) buf: Vec<u8>,
    pub(crate) records: usize,
}

/// Where the layer is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    /// The guard asked for everything to be delivered by `deadline`.
    ShuttingDown {
        deadline: Instant,
    },
    /// Nothing more is delivered; new records count as failed.
    Closed,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    emitted: u64,
    sent: u64,
    dropped_full: u64,
    dropped_oversize: u64,
    retried: u64,
    failed: u64,
}

impl Counts {
    fn settled(&self) -> u64 {
        self.sent + self.dropped_full + self.dropped_oversize + self.failed
    }
}

#[derive(Debug)]
struct State {
    open: Open,
    /// Batches closed because the next record did not fit in their bytes.
    sealed: VecDeque<Batch>,
    /// Records in `open` and `sealed`.
    buffered: usize,
    /// Records of the batch the worker holds.
    in_flight: usize,
    counts: Counts,
    /// The worker sends a partial batch at once while fewer records than
    /// this are settled (set by a flush).
    flush_target: u64,
    phase: Phase,
    spare: Vec<Vec<u8>>,
}

/// What the worker should do next.
#[derive(Debug)]
pub(crate) enum Next {
    /// Post this batch.
    Send(Batch),
    /// Wait for a wake-up, or until this instant when given.
    Wait(Option<Instant>),
    /// Everything is delivered and the layer is shutting down: stop.
    Exit,
}

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    Sent,
    Failed,
}

/// Failures the callers report on stderr, once each.
#[derive(Debug, Default)]
struct CallerReports {
    full: ReportOnce,
    oversize: ReportOnce,
    closed: ReportOnce,
}

/// The buffer, its counters and the wake-ups around it.
#[derive(Debug)]
pub(crate) struct Buffer {
    limits: Limits,
    state: Mutex<State>,
    /// Callers waiting for room (`drop_extra_events(false)`).
    room: Condvar,
    /// `flush` and `shutdown` waiting for records to settle.
    settled: Condvar,
    /// Wakes the worker.
    wake: tokio::sync::Notify,
    reports: CallerReports,
    log_internal_errors: bool,
}

// === impl Buffer ===

impl Buffer {
    pub(crate) fn new(limits: Limits, log_internal_errors: bool) -> Self {
        Self {
            limits,
            state: Mutex::new(State {
                open: Open::default(),
                sealed: VecDeque::new(),
                buffered: 0,
                in_flight: 0,
                counts: Counts::default(),
                flush_target: 0,
                phase: Phase::Running,
                spare: Vec::new(),
            }),
            room: Condvar::new(),
            settled: Condvar::new(),
            wake: tokio::sync::Notify::new(),
            reports: CallerReports::default(),
            log_internal_errors,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A snapshot of the counters (consistent: taken under the lock).
    pub(crate) fn stats(&self) -> Stats {
        let st = self.lock();
        let c = st.counts;
        Stats {
            emitted: c.emitted,
            sent: c.sent,
            dropped_full: c.dropped_full,
            dropped_oversize: c.dropped_oversize,
            retried: c.retried,
            failed: c.failed,
            buffered: st.buffered as u64,
            in_flight: st.in_flight as u64,
        }
    }

    // --- the callers' side ---

    /// Appends one encoded record; drops, waits or fails it per the limits
    /// and the phase. Never does I/O; with `block_when_full`, waits for the
    /// worker to take a batch when the buffer is full.
    pub(crate) fn push(&self, record: &[u8]) {
        let limits = &self.limits;
        if limits.is_oversize(record.len()) {
            let mut st = self.lock();
            st.counts.emitted += 1;
            st.counts.dropped_oversize += 1;
            drop(st);
            self.report(
                &self.reports.oversize,
                format_args!(
                    "a record of {} bytes is larger than `max_batch_bytes` ({}); it was dropped \
                     (counted in `dropped_oversize`)",
                    record.len(),
                    limits.max_batch_bytes
                ),
            );
            return;
        }
        let mut st = self.lock();
        loop {
            if st.phase == Phase::Closed {
                st.counts.emitted += 1;
                st.counts.failed += 1;
                drop(st);
                self.report(
                    &self.reports.closed,
                    format_args!(
                        "an event arrived after the flush guard shut the layer down; it was not \
                         sent (counted in `failed`)"
                    ),
                );
                return;
            }
            if st.buffered < limits.capacity {
                break;
            }
            if !limits.block_when_full {
                st.counts.emitted += 1;
                st.counts.dropped_full += 1;
                drop(st);
                self.report(
                    &self.reports.full,
                    format_args!(
                        "the buffer is full ({} records); events are being dropped (counted in \
                         `dropped_full`)",
                        limits.capacity
                    ),
                );
                return;
            }
            st = self.room.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        let mut wake = false;
        if st.open.records > 0 && !limits.fits(st.open.buf.len(), record.len()) {
            seal(&mut st);
            wake = true;
        }
        let open = &mut st.open;
        if open.records == 0 {
            open.since = Some(Instant::now());
            // The worker arms the flush interval.
            wake = true;
        }
        open.buf.extend_from_slice(record);
        open.records += 1;
        if open.records >= limits.capacity {
            wake = true;
        }
        st.buffered += 1;
        st.counts.emitted += 1;
        drop(st);
        if wake {
            self.wake.notify_one();
        }
    }

    fn report(&self, once: &ReportOnce, message: std::fmt::Arguments<'_>) {
        if self.log_internal_errors {
            once.report("http", message);
        }
    }

    // --- the worker's side ---

    /// Resolves when a caller, a flush or a shutdown woke the worker.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Decides the worker's next step at `now`, taking a batch out of the
    /// buffer (into flight) when one is due.
    pub(crate) fn next(&self, now: Instant) -> Next {
        let mut st = self.lock();
        if st.phase == Phase::Closed {
            return Next::Exit;
        }
        if st.in_flight == 0 {
            if let Some(batch) = st.sealed.pop_front() {
                return self.take(st, batch);
            }
            if st.open.records > 0 {
                let due = st.open.records >= self.limits.capacity
                    || st.counts.settled() < st.flush_target
                    || matches!(st.phase, Phase::ShuttingDown { .. })
                    || st
                        .open
                        .since
                        .is_none_or(|since| now >= since + self.limits.flush_interval);
                if due {
                    seal(&mut st);
                    if let Some(batch) = st.sealed.pop_front() {
                        return self.take(st, batch);
                    }
                }
                let at = st
                    .open
                    .since
                    .map(|since| since + self.limits.flush_interval);
                return Next::Wait(at);
            }
        }
        if matches!(st.phase, Phase::ShuttingDown { .. }) && st.buffered == 0 && st.in_flight == 0 {
            st.phase = Phase::Closed;
            drop(st);
            self.settled.notify_all();
            self.room.notify_all();
            return Next::Exit;
        }
        Next::Wait(None)
    }

    fn take(&self, mut st: MutexGuard<'_, State>, batch: Batch) -> Next {
        st.buffered -= batch.records;
        st.in_flight = batch.records;
        drop(st);
        self.room.notify_all();
        Next::Send(batch)
    }

    /// Counts `records` more records as retried.
    pub(crate) fn retried(&self, records: usize) {
        self.lock().counts.retried += records as u64;
    }

    /// Settles the batch in flight (unless [`abandon`](Self::abandon)
    /// already counted it as failed).
    pub(crate) fn settle(&self, records: usize, how: Settled) {
        let mut st = self.lock();
        let n = records.min(st.in_flight);
        st.in_flight -= n;
        match how {
            Settled::Sent => st.counts.sent += n as u64,
            Settled::Failed => st.counts.failed += n as u64,
        }
        drop(st);
        self.settled.notify_all();
    }

    /// Gives an emptied batch buffer back for reuse.
    pub(crate) fn recycle(&self, mut buf: Vec<u8>) {
        // A buffer that grew by doubling to hold a batch of at most
        // `max_batch_bytes` is under twice that; anything larger is freed.
        if buf.capacity() > self.limits.max_batch_bytes.saturating_mul(2) {
            return;
        }
        buf.clear();
        let mut st = self.lock();
        if st.spare.len() < SPARE_BUFFERS {
            st.spare.push(buf);
        }
    }

    /// The shutdown deadline, once a shutdown began.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match self.lock().phase {
            Phase::ShuttingDown { deadline } => Some(deadline),
            Phase::Running | Phase::Closed => None,
        }
    }

    /// Whether nothing more will be delivered.
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().phase == Phase::Closed
    }

    // --- the guard's side ---

    /// Asks the worker to send what is buffered now; returns the number of
    /// settled records that means "done".
    pub(crate) fn request_flush(&self) -> u64 {
        let mut st = self.lock();
        let target = st.counts.emitted;
        st.flush_target = st.flush_target.max(target);
        drop(st);
        self.wake.notify_one();
        target
    }

    /// Waits until `target` records are settled, the layer is closed, or
    /// `deadline`; returns whether `target` was reached.
    pub(crate) fn wait_settled(&self, target: u64, deadline: Instant) -> bool {
        let mut st = self.lock();
        loop {
            if st.counts.settled() >= target {
                return true;
            }
            let now = Instant::now();
            if st.phase == Phase::Closed || now >= deadline {
                return false;
            }
            st = self
                .settled
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Starts a shutdown: the worker sends everything, retrying until
    /// `deadline`, then stops.
    pub(crate) fn begin_shutdown(&self, deadline: Instant) {
        let mut st = self.lock();
        match st.phase {
            Phase::Running => st.phase = Phase::ShuttingDown { deadline },
            Phase::ShuttingDown { deadline: d } if deadline < d => {
                st.phase = Phase::ShuttingDown { deadline };
            }
            Phase::ShuttingDown { .. } | Phase::Closed => {}
        }
        drop(st);
        self.wake.notify_one();
    }

    /// Waits until the worker closed the layer or `deadline` passed;
    /// returns whether it closed.
    pub(crate) fn wait_closed(&self, deadline: Instant) -> bool {
        let mut st = self.lock();
        loop {
            if st.phase == Phase::Closed {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            st = self
                .settled
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Closes the layer now: whatever is buffered or in flight is counted
    /// as failed (the deadline passed, or the worker is gone). Returns how
    /// many records that was.
    pub(crate) fn abandon(&self) -> u64 {
        let mut st = self.lock();
        let lost = st.buffered + st.in_flight;
        st.counts.failed += lost as u64;
        st.buffered = 0;
        st.in_flight = 0;
        st.open = Open::default();
        st.sealed.clear();
        st.phase = Phase::Closed;
        drop(st);
        self.settled.notify_all();
        self.room.notify_all();
        self.wake.notify_one();
        lost as u64
    }
}

/// Moves the open batch (if any) to the sealed queue.
fn seal(st: &mut State) {
    if st.open.records == 0 {
        return;
    }
    let fresh = st.spare.pop().unwrap_or_default();
    let open = mem::replace(
        &mut st.open,
        Open {
            buf: fresh,
            records: 0,
            since: None,
        },
    );
    st.sealed.push_back(Batch {
        buf: open.buf,
        records: open.records,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(capacity: usize, max_batch_bytes: usize) -> Limits {
        Limits {
            capacity,
            max_batch_bytes,
            head_len: 5,
            block_when_full: false,
            flush_interval: Duration::from_secs(3600),
        }
    }

    fn take_all(buffer: &Buffer) -> Vec<Batch> {
        buffer.request_flush();
        let mut batches = Vec::new();
        for _ in 0..100 {
            match buffer.next(Instant::now()) {
                Next::Send(batch) => {
                    buffer.settle(batch.records, Settled::Sent);
                    batches.push(batch);
                }
                Next::Wait(_) | Next::Exit => break,
            }
        }
        batches
    }

    #[test]
    fn a_batch_holds_at_most_capacity_records() {
        let buffer = Buffer::new(limits(3, 1 << 20), false);
        for _ in 0..3 {
            buffer.push(b"abc");
        }
        // The third record filled the batch: it is due without a flush.
        let Next::Send(batch) = buffer.next(Instant::now()) else {
            panic!("a full batch is due at once");
        };
        assert_eq!(batch.records, 3);
        assert_eq!(batch.buf, b"abcabcabc");
        assert_eq!(buffer.stats().in_flight, 3);
    }

    #[test]
    fn a_batch_holds_at_most_max_batch_bytes_including_the_head() {
        // 5 bytes of head + 3 records of 10 bytes = 35: the fourth starts a
        // new batch.
        let buffer = Buffer::new(limits(100, 35), false);
        for i in 0..7u8 {
            buffer.push(&[i; 10]);
        }
        let sizes: Vec<(usize, usize)> = take_all(&buffer)
            .iter()
            .map(|b| (b.records, b.buf.len()))
            .collect();
        assert_eq!(sizes, [(3, 30), (3, 30), (1, 10)]);
        let stats = buffer.stats();
        assert_eq!(stats.sent, 7);
        assert!(stats.is_balanced());
    }

    #[test]
    fn a_record_larger_than_a_batch_is_dropped_as_oversize() {
        let buffer = Buffer::new(limits(100, 35), false);
        buffer.push(&[0; 30]);
        buffer.push(&[0; 31]);
        let stats = buffer.stats();
        assert_eq!((stats.emitted, stats.buffered), (2, 1));
        assert_eq!(stats.dropped_oversize, 1);
        assert!(stats.is_balanced());
    }

    #[test]
    fn a_full_buffer_drops_and_counts() {
        let buffer = Buffer::new(limits(2, 1 << 20), false);
        for _ in 0..5 {
            buffer.push(b"x");
        }
        let stats = buffer.stats();
        assert_eq!(
            (stats.emitted, stats.buffered, stats.dropped_full),
            (5, 2, 3)
        );
        assert!(stats.is_balanced());
    }

    #[test]
    fn records_keep_filling_the_buffer_while_a_batch_is_in_flight() {
        let buffer = Buffer::new(limits(2, 1 << 20), false);
        buffer.push(b"a");
        buffer.push(b"b");
        let Next::Send(batch) = buffer.next(Instant::now()) else {
            panic!("due");
        };
        // In flight: the buffer has room for two more, then drops.
        for _ in 0..3 {
            buffer.push(b"c");
        }
        let stats = buffer.stats();
        assert_eq!(
            (stats.in_flight, stats.buffered, stats.dropped_full),
            (2, 2, 1)
        );
        // Nothing else is taken while a batch is in flight.
        assert!(matches!(buffer.next(Instant::now()), Next::Wait(_)));
        buffer.settle(batch.records, Settled::Failed);
        let stats = buffer.stats();
        assert_eq!((stats.failed, stats.in_flight), (2, 0));
        assert!(stats.is_balanced());
    }

    #[test]
    fn a_partial_batch_waits_for_the_flush_interval() {
        let mut l = limits(10, 1 << 20);
        l.flush_interval = Duration::from_millis(50);
        let buffer = Buffer::new(l, false);
        buffer.push(b"a");
        let now = Instant::now();
        let Next::Wait(Some(at)) = buffer.next(now) else {
            panic!("a partial batch waits");
        };
        assert!(at > now && at <= now + Duration::from_millis(50));
        assert!(matches!(buffer.next(at), Next::Send(b) if b.records == 1));
    }

    #[test]
    fn shutdown_sends_the_partial_batch_then_exits() {
        let buffer = Buffer::new(limits(10, 1 << 20), false);
        buffer.push(b"a");
        buffer.begin_shutdown(Instant::now() + Duration::from_secs(5));
        let Next::Send(batch) = buffer.next(Instant::now()) else {
            panic!("due at shutdown");
        };
        buffer.settle(batch.records, Settled::Sent);
        assert!(matches!(buffer.next(Instant::now()), Next::Exit));
        assert!(buffer.is_closed());
        // After the close, records are failed, not buffered.
        buffer.push(b"late");
        let stats = buffer.stats();
        assert_eq!((stats.sent, stats.failed, stats.buffered), (1, 1, 0));
        assert!(stats.is_balanced());
    }

    #[test]
    fn abandon_counts_buffered_and_in_flight_as_failed_once() {
        let buffer = Buffer::new(limits(2, 1 << 20), false);
        buffer.push(b"a");
        buffer.push(b"b");
        let Next::Send(batch) = buffer.next(Instant::now()) else {
            panic!("due");
        };
        buffer.push(b"c");
        assert_eq!(buffer.abandon(), 3);
        // The worker finishing late does not count the batch again.
        buffer.settle(batch.records, Settled::Sent);
        let stats = buffer.stats();
        assert_eq!((stats.sent, stats.failed), (0, 3));
        assert!(stats.is_balanced());
    }

    #[test]
    fn emptied_buffers_are_reused() {
        let buffer = Buffer::new(limits(1, 1 << 20), false);
        let mut pointers = Vec::new();
        for round in 0..4u8 {
            buffer.push(&[round; 100]);
            let Next::Send(batch) = buffer.next(Instant::now()) else {
                panic!("a full batch is due");
            };
            pointers.push(batch.buf.as_ptr());
            buffer.settle(batch.records, Settled::Sent);
            buffer.recycle(batch.buf);
        }
        // Two buffers alternate: the open one and the one in flight.
        assert_eq!(pointers[0], pointers[2]);
        assert_eq!(pointers[1], pointers[3]);
        assert_ne!(pointers[0], pointers[1]);
    }
}
