//! [`RecordQueue`]: the bounded queue between the application's threads
//! and a sink's worker thread (syslog, non-blocking files).
//!
//! Records are appended to one byte buffer (with their end offsets) under a
//! short lock; the worker swaps the whole buffer for its own empty
//! [`Batch`], so that in steady state no record costs an allocation, and a
//! caller wakes the worker only when it is actually asleep (no system call
//! per record under steady traffic).

use std::mem;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::buf::MAX_RETAINED_CAPACITY;

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    ends: Vec<usize>,
    closed: bool,
    /// The worker is blocked in `take` and must be notified.
    worker_waiting: bool,
    /// Callers blocked for room (`drop_extra_events(false)`).
    callers_waiting: usize,
    /// Threads blocked in `wait_settled`.
    flushers_waiting: usize,
    /// A flush or shutdown asked the worker to look now.
    woken: bool,
    /// Records accepted so far.
    pushed: u64,
    /// Records the worker has settled (sent, dropped or failed).
    settled: u64,
}

/// What became of a pushed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Queued for the worker.
    Queued,
    /// Not queued: the queue held `buffer_capacity` records (with
    /// `drop_extra_events(true)`).
    Full,
    /// Not queued: the queue is closed (the guard shut the layer down).
    Closed,
}

/// What [`RecordQueue::take`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// This many records are now in the batch.
    Records(usize),
    /// Nothing arrived before the time given.
    Timeout,
    /// Nothing is queued, but a flush or shutdown woke the worker.
    Woken,
    /// Nothing is queued and the queue is closed: the worker may stop.
    Closed,
}

/// Records taken out of a [`RecordQueue`] by the worker: their bytes, one
/// after the other, and where each ends.
#[derive(Debug, Default)]
pub struct Batch {
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// Records before this index are settled.
    start: usize,
}

// === impl Batch ===

impl Batch {
    /// Records not yet settled.
    pub fn len(&self) -> usize {
        self.ends.len() - self.start
    }

    /// Whether every record is settled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records not yet settled, in order.
    pub fn records(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let first = match self.start {
            0 => 0,
            i => self.ends[i - 1],
        };
        let buf = &self.buf;
        self.ends[self.start..]
            .iter()
            .scan(first, move |from, &end| {
                let record = &buf[*from..end];
                *from = end;
                Some(record)
            })
    }

    /// The first record not yet settled.
    pub fn first(&self) -> Option<&[u8]> {
        self.records().next()
    }

    /// Marks the first `n` records not yet settled as settled.
    pub fn advance(&mut self, n: usize) {
        self.start = (self.start + n).min(self.ends.len());
        if self.start == self.ends.len() {
            self.clear();
        }
    }

    /// Empties the batch, keeping (moderate) capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.start = 0;
        if self.buf.capacity() > 16 * MAX_RETAINED_CAPACITY {
            self.buf = Vec::new();
            self.ends = Vec::new();
        }
    }
}

/// A bounded queue of encoded records: `buffer_capacity` records at most;
/// when full, a record is dropped (`drop_extra_events(true)`) or the caller
/// waits for room (`drop_extra_events(false)`).
#[derive(Debug)]
pub struct RecordQueue {
    state: Mutex<State>,
    capacity: usize,
    drop_extra_events: bool,
    /// Records arrived, the queue closed, or a wake-up: for the worker.
    arrived: Condvar,
    /// The worker took the queued records: room for blocked callers.
    room: Condvar,
    /// The worker settled records: for flushes.
    settled: Condvar,
}

// === impl RecordQueue ===

impl RecordQueue {
    /// A queue of at most `capacity` records (at least 1).
    pub fn new(capacity: usize, drop_extra_events: bool) -> Self {
        Self {
            state: Mutex::new(State::default()),
            capacity: capacity.max(1),
            drop_extra_events,
            arrived: Condvar::new(),
            room: Condvar::new(),
            settled: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `record`; when the queue is full, drops it or waits for room.
    /// Never does I/O.
    pub fn push(&self, record: &[u8]) -> Pushed {
        let mut st = self.lock();
        loop {
            if st.closed {
                return Pushed::Closed;
            }
            if st.ends.len() < self.capacity {
                break;
            }
            if self.drop_extra_events {
                return Pushed::Full;
            }
            st.callers_waiting += 1;
            st = self.room.wait(st).unwrap_or_else(PoisonError::into_inner);
            st.callers_waiting -= 1;
        }
        st.buf.extend_from_slice(record);
        let end = st.buf.len();
        st.ends.push(end);
        st.pushed += 1;
        let wake = st.worker_waiting;
        drop(st);
        if wake {
            self.arrived.notify_one();
        }
        Pushed::Queued
    }

    /// For the worker: moves every queued record into `batch` (which must
    /// be empty), waiting for one until `until` (`None`: until one arrives,
    /// the queue closes or a flush wakes the worker).
    pub fn take(&self, batch: &mut Batch, until: Option<Instant>) -> Taken {
        debug_assert!(batch.is_empty());
        let mut st = self.lock();
        loop {
            if !st.ends.is_empty() {
                batch.clear();
                mem::swap(&mut st.buf, &mut batch.buf);
                mem::swap(&mut st.ends, &mut batch.ends);
                let n = batch.ends.len();
                st.woken = false;
                let callers = st.callers_waiting > 0;
                drop(st);
                if callers {
                    self.room.notify_all();
                }
                return Taken::Records(n);
            }
            if st.closed {
                return Taken::Closed;
            }
            if st.woken {
                st.woken = false;
                return Taken::Woken;
            }
            st.worker_waiting = true;
            st = match until {
                None => self
                    .arrived
                    .wait(st)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(until) => {
                    let now = Instant::now();
                    if now >= until {
                        st.worker_waiting = false;
                        return Taken::Timeout;
                    }
                    self.arrived
                        .wait_timeout(st, until - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            st.worker_waiting = false;
        }
    }

    /// For the worker: `n` more records are settled (sent, dropped or
    /// failed).
    pub fn settle(&self, n: u64) {
        let mut st = self.lock();
        st.settled += n;
        let flushers = st.flushers_waiting > 0;
        drop(st);
        if flushers {
            self.settled.notify_all();
        }
    }

    /// Wakes the worker now (a flush or a shutdown).
    pub fn wake(&self) {
        self.lock().woken = true;
        self.arrived.notify_all();
    }

    /// Wakes the worker and waits until every record queued before the
    /// call is settled, at most until `deadline`; returns whether they are.
    pub fn flush(&self, deadline: Instant) -> bool {
        let mut st = self.lock();
        let target = st.pushed;
        st.woken = true;
        self.arrived.notify_all();
        while st.settled < target {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            st.flushers_waiting += 1;
            st = self
                .settled
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            st.flushers_waiting -= 1;
        }
        true
    }

    /// Stops accepting records (pushes return [`Pushed::Closed`]); the
    /// worker takes what is queued, then [`Taken::Closed`].
    pub fn close(&self) {
        self.lock().closed = true;
        self.arrived.notify_all();
        self.room.notify_all();
    }

    /// Closes the queue and discards what is queued; returns how many
    /// records that was (for the worker to count as failed).
    pub fn abandon(&self) -> u64 {
        let mut st = self.lock();
        st.closed = true;
        let n = st.ends.len() as u64;
        st.buf.clear();
        st.ends.clear();
        drop(st);
        self.arrived.notify_all();
        self.room.notify_all();
        n
    }

    /// Whether the queue is closed.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Records waiting in the queue (not those the worker holds).
    pub fn len(&self) -> usize {
        self.lock().ends.len()
    }

    /// Whether no record waits in the queue.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn records_come_out_whole_and_in_order() {
        let q = RecordQueue::new(10, true);
        assert_eq!(q.push(b"one"), Pushed::Queued);
        assert_eq!(q.push(b""), Pushed::Queued);
        assert_eq!(q.push(b"three"), Pushed::Queued);
        let mut batch = Batch::default();
        assert_eq!(q.take(&mut batch, None), Taken::Records(3));
        let records: Vec<&[u8]> = batch.records().collect();
        assert_eq!(records, [&b"one"[..], b"", b"three"]);
        batch.advance(1);
        assert_eq!(batch.first(), Some(&b""[..]));
        assert_eq!(batch.len(), 2);
        batch.advance(2);
        assert!(batch.is_empty());
    }

    #[test]
    fn a_full_queue_drops_or_makes_the_caller_wait() {
        let q = RecordQueue::new(2, true);
        assert_eq!(q.push(b"a"), Pushed::Queued);
        assert_eq!(q.push(b"b"), Pushed::Queued);
        assert_eq!(q.push(b"c"), Pushed::Full);

        let q = Arc::new(RecordQueue::new(1, false));
        assert_eq!(q.push(b"a"), Pushed::Queued);
        let pusher = {
            let q = q.clone();
            std::thread::spawn(move || q.push(b"b"))
        };
        let mut batch = Batch::default();
        assert_eq!(q.take(&mut batch, None), Taken::Records(1));
        assert_eq!(pusher.join().unwrap(), Pushed::Queued);
        batch.clear();
        assert_eq!(q.take(&mut batch, None), Taken::Records(1));
        assert_eq!(batch.first(), Some(&b"b"[..]));
    }

    #[test]
    fn flush_waits_for_the_worker_to_settle_what_was_queued() {
        let q = Arc::new(RecordQueue::new(100, true));
        for _ in 0..5 {
            q.push(b"x");
        }
        let worker = {
            let q = q.clone();
            std::thread::spawn(move || {
                let mut batch = Batch::default();
                loop {
                    match q.take(&mut batch, None) {
                        Taken::Records(n) => {
                            batch.clear();
                            q.settle(n as u64);
                        }
                        Taken::Closed => return,
                        Taken::Woken | Taken::Timeout => {}
                    }
                }
            })
        };
        assert!(q.flush(Instant::now() + Duration::from_secs(30)));
        q.close();
        assert_eq!(q.push(b"late"), Pushed::Closed);
        worker.join().unwrap();
    }

    #[test]
    fn take_times_out_and_abandon_counts_what_was_queued() {
        let q = RecordQueue::new(10, true);
        let mut batch = Batch::default();
        assert_eq!(
            q.take(&mut batch, Some(Instant::now() + Duration::from_millis(5))),
            Taken::Timeout
        );
        q.push(b"a");
        q.push(b"b");
        assert_eq!(q.abandon(), 2);
        assert_eq!(q.take(&mut batch, None), Taken::Closed);
    }
}
