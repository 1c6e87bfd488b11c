//! The background worker: drains the queue, frames and writes records,
//! reconnects with backoff, and flushes at shutdown.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, select};
use tracing_core::Dispatch;

use crate::error::{ErrorKind, SyslogError};
use crate::stats::Shared;
use crate::transport::framing::frame;
use crate::transport::{Conn, ConnSettings, Target};

/// A message from the guard.
#[derive(Debug)]
pub(crate) enum Control {
    /// Send what is queued, close, and stop, by this instant.
    Shutdown(Instant),
}

/// At most this many records are written in one batch.
const MAX_BATCH_RECORDS: usize = 1024;
/// A batch stops growing past this many bytes.
const MAX_BATCH_BYTES: usize = 256 * 1024;
/// After writing a batch, the worker waits this long for more records
/// before it blocks on the queue: under steady traffic the application's
/// threads then hand records over without waking it (no system call per
/// record), at the price of at most this much latency.
const LINGER: Duration = Duration::from_millis(1);
/// Buffers larger than this are freed instead of going back to the pool.
pub(crate) const MAX_POOLED_CAPACITY: usize = 16 * 1024;

/// `EMSGSIZE`: the datagram is larger than the socket takes. Retrying it
/// would never succeed.
#[cfg(target_os = "linux")]
const EMSGSIZE: i32 = 90;
#[cfg(not(target_os = "linux"))]
const EMSGSIZE: i32 = 40;

/// The worker's settings, validated by the builder.
#[derive(Debug, Clone)]
pub(crate) struct WorkerSettings {
    pub(crate) conn: ConnSettings,
    pub(crate) backoff_min: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) jitter: bool,
    pub(crate) shutdown_timeout: Duration,
    /// The most records in hand besides the queue (`buffer_capacity`).
    pub(crate) batch_records: usize,
}

/// The worker's state; [`Worker::run`] is the thread's body.
#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) target: Target,
    pub(crate) settings: WorkerSettings,
    pub(crate) queue: Receiver<Vec<u8>>,
    pub(crate) control: Receiver<Control>,
    pub(crate) pool: Sender<Vec<u8>>,
    pub(crate) shared: Arc<Shared>,
    /// Dropped when the worker ends: the guard waits on it.
    pub(crate) done: Sender<()>,
    conn: Option<Conn>,
    connected_once: bool,
    pending: VecDeque<Vec<u8>>,
    pending_bytes: usize,
    out: Vec<u8>,
    backoff: Backoff,
    deadline: Option<Instant>,
}

// === impl Worker ===

impl Worker {
    pub(crate) fn new(
        target: Target,
        settings: WorkerSettings,
        queue: Receiver<Vec<u8>>,
        control: Receiver<Control>,
        pool: Sender<Vec<u8>>,
        shared: Arc<Shared>,
        done: Sender<()>,
    ) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        Self {
            backoff: Backoff::new(
                settings.backoff_min,
                settings.backoff_max,
                settings.jitter.then_some(seed),
            ),
            target,
            settings,
            queue,
            control,
            pool,
            shared,
            done,
            conn: None,
            connected_once: false,
            pending: VecDeque::new(),
            pending_bytes: 0,
            out: Vec::new(),
            deadline: None,
        }
    }

    /// The thread's body.
    pub(crate) fn run(mut self) {
        // Nothing this thread does (rustls, std, a user's callback) may
        // come back into the layer as an event.
        let _no_events = tracing_core::dispatcher::set_default(&Dispatch::none());
        let mut busy = false;
        loop {
            if self.pending.is_empty() && busy && self.deadline.is_none() {
                // Traffic: let records accumulate briefly instead of
                // blocking (which makes every send wake this thread).
                match self.control.recv_timeout(LINGER) {
                    Ok(control) => self.on_control(Some(control)),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => self.on_control(None),
                }
                self.fill();
                busy = !self.pending.is_empty();
            }
            if self.pending.is_empty() && !self.wait_for_records() {
                break;
            }
            self.fill();
            busy = self.pending.len() > 1 || busy;
            if self.deliver() {
                self.backoff.reset();
            } else if !self.pause() {
                break;
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        self.finish();
    }

    /// Waits for the first record of a batch, or for the shutdown. Returns
    /// false when there is nothing left to do.
    fn wait_for_records(&mut self) -> bool {
        if self.deadline.is_some() {
            // Shutting down: take what is queued, never wait for more.
            return match self.queue.try_recv() {
                Ok(record) => {
                    self.push(record);
                    true
                }
                Err(_) => false,
            };
        }
        select! {
            recv(self.queue) -> record => match record {
                Ok(record) => {
                    self.push(record);
                    true
                }
                // Every layer is gone and the queue is empty.
                Err(_) => false,
            },
            recv(self.control) -> control => {
                self.on_control(control.ok());
                true
            },
        }
    }

    fn on_control(&mut self, control: Option<Control>) {
        self.deadline = Some(match control {
            Some(Control::Shutdown(deadline)) => deadline,
            // The guard is gone without a word (it always sends one).
            None => Instant::now() + self.settings.shutdown_timeout,
        });
    }

    fn push(&mut self, record: Vec<u8>) {
        self.pending_bytes += record.len();
        self.pending.push_back(record);
    }

    /// Adds what is queued to the batch, up to its limits.
    fn fill(&mut self) {
        let max_records = MAX_BATCH_RECORDS.min(self.settings.batch_records);
        while self.pending.len() < max_records && self.pending_bytes < MAX_BATCH_BYTES {
            match self.queue.try_recv() {
                Ok(record) => self.push(record),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
    }

    fn recycle(&self, mut buf: Vec<u8>) {
        if buf.capacity() <= MAX_POOLED_CAPACITY {
            buf.clear();
            let _full = self.pool.try_send(buf);
        }
    }

    fn disconnect(&mut self) {
        self.shared.set_abort(None);
        self.conn = None;
    }

    /// Connects if needed and writes the batch. Returns false on a failure
    /// (reported; the batch is kept for the next attempt).
    fn deliver(&mut self) -> bool {
        if self.pending.is_empty() {
            return true;
        }
        if self.conn.as_mut().is_some_and(Conn::peer_closed) {
            self.disconnect();
            self.shared.report(&SyslogError::new(
                ErrorKind::Write,
                format!("{} closed the connection; reconnecting", self.target),
            ));
        }
        if self.conn.is_none() && !self.connect() {
            return false;
        }
        let Some(conn) = self.conn.as_mut() else {
            return false;
        };
        if let Some(deadline) = self.deadline {
            conn.set_write_timeout(deadline.saturating_duration_since(Instant::now()));
        }
        if conn.is_stream() {
            self.out.clear();
            for record in &self.pending {
                frame(&mut self.out, record, self.settings.conn.framing);
            }
            if let Err(e) = conn.write_stream(&self.out) {
                self.write_failed(e);
                return false;
            }
            self.shared.sent.add(self.pending.len() as u64);
            self.pending_bytes = 0;
            while let Some(record) = self.pending.pop_front() {
                self.recycle(record);
            }
            if self.out.capacity() > MAX_BATCH_BYTES * 2 {
                self.out = Vec::new();
            }
            return true;
        }
        while let Some(record) = self.pending.pop_front() {
            let Some(conn) = self.conn.as_mut() else {
                self.pending.push_front(record);
                return false;
            };
            match conn.send_datagram(&record) {
                Ok(()) => self.shared.sent.incr(),
                Err(e) if e.raw_os_error() == Some(EMSGSIZE) => {
                    self.shared.failed.incr();
                    self.shared.report(&SyslogError::with_source(
                        ErrorKind::Failed,
                        format!(
                            "{} refused a {}-byte datagram as too large (lower `max_message_size`)",
                            self.target,
                            record.len()
                        ),
                        e,
                    ));
                }
                Err(e) => {
                    self.pending.push_front(record);
                    self.write_failed(e);
                    return false;
                }
            }
            self.pending_bytes -= record.len();
            self.recycle(record);
        }
        true
    }

    fn connect(&mut self) -> bool {
        let mut settings = self.settings.conn;
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            settings.connect_timeout = settings.connect_timeout.min(left);
        }
        match self.target.connect(&settings) {
            Ok(conn) => {
                if self.connected_once {
                    self.shared.reconnects.incr();
                }
                self.connected_once = true;
                self.shared.set_abort(conn.abort_handle());
                self.conn = Some(conn);
                true
            }
            Err(e) => {
                self.shared.report(&e);
                false
            }
        }
    }

    fn write_failed(&mut self, e: io::Error) {
        self.disconnect();
        self.shared.report(&SyslogError::with_source(
            ErrorKind::Write,
            format!(
                "writing to {} failed; reconnecting and sending the records again",
                self.target
            ),
            e,
        ));
    }

    /// Waits before the next attempt (see [`Backoff`]); a shutdown ends the
    /// wait early. Returns false when the shutdown deadline has passed.
    fn pause(&mut self) -> bool {
        let now = Instant::now();
        let delay = self.backoff.next_delay();
        match self.deadline {
            Some(deadline) => {
                if now >= deadline {
                    return false;
                }
                std::thread::sleep(delay.min(deadline - now));
            }
            None => match self.control.recv_deadline(now + delay) {
                Ok(control) => self.on_control(Some(control)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.on_control(None),
            },
        }
        true
    }

    /// Closes the connection cleanly and counts what could not be sent.
    fn finish(&mut self) {
        let deadline = self
            .deadline
            .unwrap_or_else(|| Instant::now() + self.settings.shutdown_timeout);
        if let Some(conn) = self.conn.take() {
            conn.close(deadline);
        }
        self.shared.set_abort(None);
        let mut left = self.pending.len() as u64;
        self.pending.clear();
        while self.queue.try_recv().is_ok() {
            left += 1;
        }
        if left > 0 {
            self.shared.failed.add(left);
            self.shared.report(&SyslogError::new(
                ErrorKind::Failed,
                format!(
                    "{left} records were not sent to {} before the shutdown deadline",
                    self.target
                ),
            ));
        }
        let _ = &self.done;
    }
}

/// Capped exponential backoff with optional full jitter: the n-th wait
/// after a success is drawn from `[0, min(max, min_delay × 2ⁿ)]` (or is
/// exactly that bound without jitter), and never less than 1 ms.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
    /// xorshift64* state; `None`: no jitter.
    rng: Option<u64>,
}

// === impl Backoff ===

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration, seed: Option<u64>) -> Self {
        Self {
            min,
            max,
            current: min,
            rng: seed.map(|s| s | 1),
        }
    }

    /// Back to the shortest wait (after a success).
    pub(crate) fn reset(&mut self) {
        self.current = self.min;
    }

    /// The next wait; doubles the bound for the one after.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let bound = self.current;
        self.current = (self.current * 2).min(self.max);
        let delay = match &mut self.rng {
            None => bound,
            Some(state) => {
                *state ^= *state >> 12;
                *state ^= *state << 25;
                *state ^= *state >> 27;
                let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
                let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(r % nanos.saturating_add(1))
            }
        };
        delay.max(Duration::from_millis(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets_after_a_success() {
        let mut b = Backoff::new(100 * MS, 1000 * MS, None);
        let waits: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        assert_eq!(
            waits,
            [100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS, 1000 * MS]
        );
        b.reset();
        assert_eq!(b.next_delay(), 100 * MS);
    }

    #[test]
    fn full_jitter_stays_within_the_bound_and_varies() {
        let mut b = Backoff::new(100 * MS, 400 * MS, Some(42));
        let mut bounds = [100, 200, 400, 400, 400, 400, 400, 400].into_iter();
        let mut waits = Vec::new();
        for _ in 0..8 {
            let bound = bounds.next().unwrap() * MS;
            let wait = b.next_delay();
            assert!(wait >= MS && wait <= bound, "{wait:?} > {bound:?}");
            waits.push(wait);
        }
        waits.dedup();
        assert!(waits.len() > 4, "{waits:?}");
    }
}
