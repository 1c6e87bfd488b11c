//! The batch buffer between the callers and the worker, its counters, and
//! the layer's sink ([`BatchSink`]).
//!
//! It keeps the contract and the names of core's `RecordQueue` (`push`
//! answering `Pushed::{Queued, Full, Closed}`, `take`, `settle`, `flush`,
//! `abandon`; `buffer_capacity` records at most, dropped or waited for per
//! `drop_extra_events`), but it is a *batch* buffer: records are appended
//! to the open batch, which is sealed when the next record would not fit in
//! `max_batch_bytes` and sent when it is full, when `flush_interval` has
//! passed since its first record, or on a flush or shutdown.
//!
//! Callers append each encoded record under a short mutex (a `memcpy`,
//! never any I/O); the worker takes whole batches out. The batch buffers
//! are recycled, so once they have grown a steady stream of events
//! allocates nothing per event (`tests/no_alloc_per_event.rs`).
//!
//! Every counter lives under the same mutex as the buffer, so a [`Stats`]
//! snapshot always satisfies `emitted = sent + dropped + failed + queued`
//! exactly.

use std::collections::VecDeque;
use std::mem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use logwood_core::__private::{Pushed, Reporter, Sink};
use logwood_core::{DeliveryError, ErrorKind, Stats};
use tracing_core::Metadata;

use crate::error::{self, Failure};

/// How many emptied batch buffers are kept for reuse.
const SPARE_BUFFERS: usize = 2;

/// The bounds of the buffer and of each batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// At most this many records wait in the buffer (and go in one batch).
    pub(crate) capacity: usize,
    /// At most this many body bytes per batch, the header included.
    pub(crate) max_batch_bytes: usize,
    /// The most bytes a body has besides its records (reserved in the
    /// byte count).
    pub(crate) head_len: usize,
    /// Whether a record that finds the buffer full is dropped (else the
    /// caller waits for room).
    pub(crate) drop_extra_events: bool,
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

/// The counters, in records.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    emitted: u64,
    sent: u64,
    /// Every drop: a full buffer or an oversize record.
    dropped: u64,
    /// The oversize drops (among `dropped`).
    oversize: u64,
    failed: u64,
    /// Records the receiver accepted the request of but rejected (among
    /// `failed`).
    rejected: u64,
    retried: u64,
}

impl Counts {
    fn settled(&self) -> u64 {
        self.sent + self.dropped + self.failed
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
    /// The shutdown began before any record was emitted (the guard was
    /// most likely dropped at once: `let (layer, _) = …`).
    shut_down_unused: bool,
    /// The last failed attempt, for the shutdown-deadline report.
    last_failure: Option<Failure>,
    spare: Vec<Vec<u8>>,
}

/// What the worker should do next ([`Buffer::take`]).
#[derive(Debug)]
pub(crate) enum Taken {
    /// Post this batch.
    Batch(Batch),
    /// Wait for a wake-up, or until this instant when given.
    Wait(Option<Instant>),
    /// Everything is delivered and the layer is shut down: stop.
    Closed,
}

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    Sent,
    Failed,
    /// Accepted, but this many of the batch's records were rejected by the
    /// receiver (an OTLP partial success): those are failed (and
    /// `rejected`), the others sent.
    Partial(u64),
}

/// The buffer, its counters, the wake-ups around it, and the reporter of
/// every failure of the layer.
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
    reporter: Reporter,
    /// The endpoint as reports name it (no credentials, no query).
    endpoint: Arc<str>,
}

// === impl Buffer ===

impl Buffer {
    pub(crate) fn new(limits: Limits, reporter: Reporter, endpoint: Arc<str>) -> Self {
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
                shut_down_unused: false,
                last_failure: None,
                spare: Vec::new(),
            }),
            room: Condvar::new(),
            settled: Condvar::new(),
            wake: tokio::sync::Notify::new(),
            reporter,
            endpoint,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The reporter of the layer's failures.
    pub(crate) fn reporter(&self) -> &Reporter {
        &self.reporter
    }

    /// The endpoint as reports name it.
    pub(crate) fn endpoint(&self) -> &Arc<str> {
        &self.endpoint
    }

    /// A snapshot of the counters, taken under the lock: the identity
    /// holds exactly.
    pub(crate) fn stats(&self) -> Stats {
        let st = self.lock();
        let c = st.counts;
        let mut stats = Stats::default();
        stats.emitted = c.emitted;
        stats.sent = c.sent;
        stats.dropped = c.dropped;
        stats.oversize = c.oversize;
        stats.failed = c.failed;
        stats.rejected = c.rejected;
        stats.retried = c.retried;
        stats.queued = (st.buffered + st.in_flight) as u64;
        drop(st);
        stats.errors = self.reporter.errors();
        stats
    }

    // --- the callers' side ---

    /// Appends one encoded record to the open batch: [`Pushed::Queued`];
    /// or, when the buffer holds `buffer_capacity` records, drops it
    /// ([`Pushed::Full`]) or waits for room (`drop_extra_events(false)`);
    /// or fails it when the layer is shut down ([`Pushed::Closed`]). The
    /// record is counted either way. Never does I/O.
    pub(crate) fn push(&self, record: &[u8]) -> Pushed {
        let limits = &self.limits;
        let mut st = self.lock();
        loop {
            if st.phase == Phase::Closed {
                st.counts.emitted += 1;
                st.counts.failed += 1;
                return Pushed::Closed;
            }
            if st.buffered < limits.capacity {
                break;
            }
            if limits.drop_extra_events {
                st.counts.emitted += 1;
                st.counts.dropped += 1;
                return Pushed::Full;
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
        Pushed::Queued
    }

    /// Counts a record too large for any batch as emitted and dropped
    /// (`oversize`).
    pub(crate) fn drop_oversize(&self) {
        let mut st = self.lock();
        st.counts.emitted += 1;
        st.counts.dropped += 1;
        st.counts.oversize += 1;
    }

    /// Counts `records` records that could not be encoded as emitted and
    /// failed.
    pub(crate) fn fail(&self, records: u64) {
        let mut st = self.lock();
        st.counts.emitted += records;
        st.counts.failed += records;
    }

    /// What a record arriving after the shutdown is told.
    fn closed_message(&self) -> &'static str {
        if self.lock().shut_down_unused {
            "an event was logged after the flush guard was dropped, so the layer is shut down: \
             keep it alive with `let _guard = …` (not `let _ = …`) for as long as events are \
             logged; the event was not sent (counted in `failed`)"
        } else {
            "an event was logged after the flush guard was dropped or shut down, so the layer \
             is shut down and the event was not sent (counted in `failed`); to log until the \
             end, keep the guard alive with `let _guard = …` (not `let _ = …`) until the last \
             event"
        }
    }

    // --- the worker's side ---

    /// Resolves when a caller, a flush or a shutdown woke the worker.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Decides the worker's next step at `now`, taking a batch out of the
    /// buffer (into flight) when one is due.
    pub(crate) fn take(&self, now: Instant) -> Taken {
        let mut st = self.lock();
        if st.phase == Phase::Closed {
            return Taken::Closed;
        }
        if st.in_flight == 0 {
            if let Some(batch) = st.sealed.pop_front() {
                return self.in_flight(st, batch);
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
                        return self.in_flight(st, batch);
                    }
                }
                let at = st
                    .open
                    .since
                    .map(|since| since + self.limits.flush_interval);
                return Taken::Wait(at);
            }
        }
        if matches!(st.phase, Phase::ShuttingDown { .. }) && st.buffered == 0 && st.in_flight == 0 {
            st.phase = Phase::Closed;
            drop(st);
            self.settled.notify_all();
            self.room.notify_all();
            return Taken::Closed;
        }
        Taken::Wait(None)
    }

    fn in_flight(&self, mut st: MutexGuard<'_, State>, batch: Batch) -> Taken {
        st.buffered -= batch.records;
        st.in_flight = batch.records;
        drop(st);
        self.room.notify_all();
        Taken::Batch(batch)
    }

    /// Counts `records` more records as retried.
    pub(crate) fn retried(&self, records: usize) {
        self.lock().counts.retried += records as u64;
    }

    /// Remembers the last failed attempt (for the shutdown-deadline
    /// report).
    pub(crate) fn failed_attempt(&self, failure: Failure) {
        self.lock().last_failure = Some(failure);
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
            Settled::Partial(rejected) => {
                let rejected = rejected.min(n as u64);
                st.counts.sent += n as u64 - rejected;
                st.counts.failed += rejected;
                st.counts.rejected += rejected;
            }
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

    /// Asks the worker to send everything emitted before the call now, and
    /// waits until it is settled, the layer is closed, or `deadline`;
    /// returns whether it all settled.
    pub(crate) fn flush(&self, deadline: Instant) -> bool {
        let target = self.request_flush();
        self.wait_settled(target, deadline)
    }

    /// Asks the worker to send what is buffered now; returns the number of
    /// settled records that means "done".
    fn request_flush(&self) -> u64 {
        let mut st = self.lock();
        let target = st.counts.emitted;
        st.flush_target = st.flush_target.max(target);
        drop(st);
        self.wake.notify_one();
        target
    }

    /// Waits until `target` records are settled, the layer is closed, or
    /// `deadline`; returns whether `target` was reached.
    fn wait_settled(&self, target: u64, deadline: Instant) -> bool {
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
    /// `deadline`, then closes the buffer and stops.
    pub(crate) fn close(&self, deadline: Instant) {
        let mut st = self.lock();
        match st.phase {
            Phase::Running => {
                st.phase = Phase::ShuttingDown { deadline };
                st.shut_down_unused = st.counts.emitted == 0;
            }
            Phase::ShuttingDown { deadline: d } if deadline < d => {
                st.phase = Phase::ShuttingDown { deadline };
            }
            Phase::ShuttingDown { .. } | Phase::Closed => {}
        }
        drop(st);
        self.wake.notify_one();
    }

    /// Waits until the worker closed the buffer or `deadline` passed;
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

    /// Closes the buffer now: whatever is buffered or in flight is counted
    /// as failed (the deadline passed, or the worker is gone) and reported
    /// once, naming the last failure. Returns how many records that was.
    pub(crate) fn abandon(&self) -> u64 {
        let mut st = self.lock();
        let lost = (st.buffered + st.in_flight) as u64;
        st.counts.failed += lost;
        st.buffered = 0;
        st.in_flight = 0;
        st.open = Open::default();
        st.sealed.clear();
        st.phase = Phase::Closed;
        let last_failure = st.last_failure.clone();
        drop(st);
        self.settled.notify_all();
        self.room.notify_all();
        self.wake.notify_one();
        if lost > 0 {
            self.reporter
                .report(error::deadline(&self.endpoint, lost, last_failure.as_ref()));
        }
        lost
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

/// The layer's sink: appends each record to the batch buffer on the
/// caller's thread, and reports what could not be appended (a full buffer,
/// an oversize record, an event after the shutdown, an event that could
/// not be encoded).
#[derive(Debug)]
pub(crate) struct BatchSink {
    buffer: Arc<Buffer>,
}

// === impl BatchSink ===

impl BatchSink {
    pub(crate) fn new(buffer: Arc<Buffer>) -> Self {
        Self { buffer }
    }

    /// The buffer behind the sink.
    pub(crate) fn buffer(&self) -> &Arc<Buffer> {
        &self.buffer
    }

    /// Reports a record that could not be appended; the message is only
    /// made when someone will see it (no allocation per dropped record
    /// under overload).
    fn report(&self, kind: ErrorKind, message: impl FnOnce() -> String) {
        let buffer = &self.buffer;
        buffer.reporter.report_with(kind, || {
            DeliveryError::new(kind, message())
                .with_records(1)
                .with_endpoint(Arc::clone(&buffer.endpoint))
        });
    }
}

impl Sink for BatchSink {
    fn send(&self, _meta: &Metadata<'static>, record: &[u8]) {
        self.append(record);
    }

    fn fail(&self, error: DeliveryError) {
        self.buffer.fail(error.records());
        self.buffer.reporter.report(error);
    }
}

// === impl BatchSink ===

impl BatchSink {
    /// Appends `record`, or drops it (oversize, full buffer) or fails it
    /// (after the shutdown), counting and reporting it.
    fn append(&self, record: &[u8]) {
        let buffer = &self.buffer;
        let limits = &buffer.limits;
        if limits.is_oversize(record.len()) {
            buffer.drop_oversize();
            self.report(ErrorKind::Oversize, || {
                format!(
                    "a record of {} bytes is larger than `max_batch_bytes` ({}); it was dropped \
                     (counted in `dropped` and `oversize`)",
                    record.len(),
                    limits.max_batch_bytes
                )
            });
            return;
        }
        match buffer.push(record) {
            Pushed::Queued => {}
            Pushed::Full => self.report(ErrorKind::Dropped, || {
                format!(
                    "the buffer is full ({} records) while {} is slow or failing; the event was \
                     dropped (counted in `dropped`)",
                    limits.capacity, buffer.endpoint
                )
            }),
            Pushed::Closed => self.report(ErrorKind::Closed, || buffer.closed_message().to_owned()),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn limits(capacity: usize, max_batch_bytes: usize) -> Limits {
        Limits {
            capacity,
            max_batch_bytes,
            head_len: 5,
            drop_extra_events: true,
            flush_interval: Duration::from_secs(3600),
        }
    }

    fn buffer(limits: Limits) -> Buffer {
        Buffer::new(
            limits,
            Reporter::new("http", None, false),
            "http://127.0.0.1:9/frames".into(),
        )
    }

    fn take_all(buffer: &Buffer) -> Vec<Batch> {
        buffer.request_flush();
        let mut batches = Vec::new();
        for _ in 0..100 {
            match buffer.take(Instant::now()) {
                Taken::Batch(batch) => {
                    buffer.settle(batch.records, Settled::Sent);
                    batches.push(batch);
                }
                Taken::Wait(_) | Taken::Closed => break,
            }
        }
        batches
    }

    #[test]
    fn a_batch_holds_at_most_capacity_records() {
        let buffer = buffer(limits(3, 1 << 20));
        for _ in 0..3 {
            buffer.push(b"abc");
        }
        // The third record filled the batch: it is due without a flush.
        let Taken::Batch(batch) = buffer.take(Instant::now()) else {
            panic!("a full batch is due at once");
        };
        assert_eq!(batch.records, 3);
        assert_eq!(batch.buf, b"abcabcabc");
        assert_eq!(buffer.stats().queued, 3);
    }

    #[test]
    fn a_batch_holds_at_most_max_batch_bytes_including_the_head() {
        // 5 bytes of head + 3 records of 10 bytes = 35: the fourth starts a
        // new batch.
        let buffer = buffer(limits(100, 35));
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

    /// A sink whose failures are collected.
    fn sink(limits: Limits) -> (BatchSink, Arc<Mutex<Vec<DeliveryError>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let reporter = Reporter::new(
            "http",
            Some(Arc::new(move |e: &DeliveryError| {
                log.lock().unwrap().push(e.clone());
            })),
            false,
        );
        let buffer = Buffer::new(limits, reporter, "http://127.0.0.1:9/frames".into());
        (BatchSink::new(Arc::new(buffer)), seen)
    }

    #[test]
    fn a_record_larger_than_a_batch_is_dropped_as_oversize_and_reported() {
        let (sink, seen) = sink(limits(100, 35));
        sink.append(&[0; 30]);
        sink.append(&[0; 31]);
        let stats = sink.buffer().stats();
        assert_eq!((stats.emitted, stats.queued), (2, 1));
        assert_eq!((stats.dropped, stats.oversize), (1, 1));
        assert!(stats.is_balanced());
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].kind(), ErrorKind::Oversize);
        assert_eq!((seen[0].sink(), seen[0].records()), ("http", 1));
        assert!(seen[0].to_string().contains("31 bytes"), "{}", seen[0]);
    }

    #[test]
    fn a_full_buffer_drops_counts_and_reports_every_drop() {
        let (sink, seen) = sink(limits(2, 1 << 20));
        for _ in 0..5 {
            sink.append(b"x");
        }
        let stats = sink.buffer().stats();
        assert_eq!((stats.emitted, stats.queued, stats.dropped), (5, 2, 3));
        assert_eq!((stats.oversize, stats.errors), (0, 3));
        assert!(stats.is_balanced());
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|e| e.kind() == ErrorKind::Dropped));
    }

    #[test]
    fn an_event_after_a_shutdown_before_any_event_says_the_guard_was_dropped() {
        let (sink, seen) = sink(limits(2, 1 << 20));
        sink.buffer().close(Instant::now());
        assert!(matches!(sink.buffer().take(Instant::now()), Taken::Closed));
        sink.append(b"x");
        let stats = sink.buffer().stats();
        assert_eq!((stats.emitted, stats.failed), (1, 1));
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].kind(), ErrorKind::Closed);
        assert!(
            seen[0].to_string().contains(
                "the flush guard was dropped, so the layer is shut down: keep it alive with \
                 `let _guard = …` (not `let _ = …`)"
            ),
            "{}",
            seen[0]
        );
    }

    #[test]
    fn an_event_that_could_not_be_encoded_is_counted_as_failed() {
        let (sink, seen) = sink(limits(2, 1 << 20));
        sink.append(b"x");
        sink.fail(DeliveryError::new(ErrorKind::Encode, "a panicking Debug").with_records(1));
        let stats = sink.buffer().stats();
        assert_eq!((stats.emitted, stats.failed, stats.queued), (2, 1, 1));
        assert!(stats.is_balanced());
        assert_eq!(seen.lock().unwrap()[0].kind(), ErrorKind::Encode);
    }

    #[test]
    fn records_keep_filling_the_buffer_while_a_batch_is_in_flight() {
        let buffer = buffer(limits(2, 1 << 20));
        buffer.push(b"a");
        buffer.push(b"b");
        let Taken::Batch(batch) = buffer.take(Instant::now()) else {
            panic!("due");
        };
        // In flight: the buffer has room for two more, then drops.
        for _ in 0..3 {
            buffer.push(b"c");
        }
        let stats = buffer.stats();
        assert_eq!((stats.queued, stats.dropped), (4, 1));
        // Nothing else is taken while a batch is in flight.
        assert!(matches!(buffer.take(Instant::now()), Taken::Wait(_)));
        buffer.settle(batch.records, Settled::Failed);
        let stats = buffer.stats();
        assert_eq!((stats.failed, stats.queued), (2, 2));
        assert!(stats.is_balanced());
    }

    #[test]
    fn a_partial_batch_waits_for_the_flush_interval() {
        let mut l = limits(10, 1 << 20);
        l.flush_interval = Duration::from_millis(50);
        let buffer = buffer(l);
        buffer.push(b"a");
        let now = Instant::now();
        let Taken::Wait(Some(at)) = buffer.take(now) else {
            panic!("a partial batch waits");
        };
        assert!(at > now && at <= now + Duration::from_millis(50));
        assert!(matches!(buffer.take(at), Taken::Batch(b) if b.records == 1));
    }

    #[test]
    fn shutdown_sends_the_partial_batch_then_exits() {
        let buffer = buffer(limits(10, 1 << 20));
        buffer.push(b"a");
        buffer.close(Instant::now() + Duration::from_secs(5));
        let Taken::Batch(batch) = buffer.take(Instant::now()) else {
            panic!("due at shutdown");
        };
        buffer.settle(batch.records, Settled::Sent);
        assert!(matches!(buffer.take(Instant::now()), Taken::Closed));
        assert!(buffer.is_closed());
        // After the close, records are failed, not buffered.
        buffer.push(b"late");
        let stats = buffer.stats();
        assert_eq!((stats.sent, stats.failed, stats.queued), (1, 1, 0));
        assert!(stats.is_balanced());
    }

    #[test]
    fn abandon_counts_buffered_and_in_flight_as_failed_once() {
        let buffer = buffer(limits(2, 1 << 20));
        buffer.push(b"a");
        buffer.push(b"b");
        let Taken::Batch(batch) = buffer.take(Instant::now()) else {
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
        let buffer = buffer(limits(1, 1 << 20));
        let mut pointers = Vec::new();
        for round in 0..4u8 {
            buffer.push(&[round; 100]);
            let Taken::Batch(batch) = buffer.take(Instant::now()) else {
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
