//! The background worker: takes batches of records from core's
//! [`RecordQueue`](logwood_core::__private::RecordQueue), frames and writes
//! them, reconnects with core's [`Backoff`](logwood_core::__private::Backoff)
//! (see [`retry`]), and at shutdown delivers what it can until the
//! deadline, closes the connection and counts the rest. RELP has its own
//! loop ([`relp`]): a record is sent when the server acknowledges it.

mod relp;
mod retry;
mod window;

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use logwood_core::__private::{Batch, Taken, silence_thread};
use logwood_core::{DeliveryError, ErrorKind};

pub(crate) use self::retry::Retry;
use crate::builder::CLOSE_TIMEOUT;
use crate::delivery::Shared;
use crate::transport::framing::{Framing, frame};
use crate::transport::{Conn, ConnSettings, Target};

/// At most this many records are written to a stream at once.
const MAX_CHUNK_RECORDS: usize = 1024;
/// A chunk written to a stream stops growing past this many bytes.
const MAX_CHUNK_BYTES: usize = 256 * 1024;
/// Datagrams sent are settled (for `flush`) at least this often.
const SETTLE_EVERY: usize = 64;
/// After a busy batch, the worker waits this long before taking the next:
/// under steady traffic the application's threads then queue records
/// without waking it (no system call per record), at the price of at most
/// this much latency.
const LINGER: Duration = Duration::from_millis(1);

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
    pub(crate) retry: Retry,
    /// RELP: how many records may await their acknowledgement.
    pub(crate) relp_window: usize,
}

/// The worker thread's body for `target`: the RELP loop, or the one for
/// the other transports.
pub(crate) fn run(target: Target, settings: WorkerSettings, shared: Arc<Shared>) {
    if target.is_relp() {
        relp::RelpWorker::new(target, settings, shared).run();
    } else {
        Worker::new(target, settings, shared).run();
    }
}

/// The worker's state; [`Worker::run`] is the thread's body.
#[derive(Debug)]
pub(crate) struct Worker {
    target: Target,
    /// The target as reports name it.
    endpoint: Arc<str>,
    conn_settings: ConnSettings,
    retry: Retry,
    shared: Arc<Shared>,
    conn: Option<Conn>,
    connected_once: bool,
    /// Records taken from the queue and not yet settled: kept across a
    /// failure and written again after reconnecting.
    batch: Batch,
    /// Framed records of one write to a stream.
    out: Vec<u8>,
}

// === impl Worker ===

impl Worker {
    pub(crate) fn new(target: Target, settings: WorkerSettings, shared: Arc<Shared>) -> Self {
        Self {
            endpoint: target.to_string().into(),
            target,
            conn_settings: settings.conn,
            retry: settings.retry,
            shared,
            conn: None,
            connected_once: false,
            batch: Batch::default(),
            out: Vec::new(),
        }
    }

    /// The thread's body.
    pub(crate) fn run(mut self) {
        // Nothing this thread does (rustls, std, a user's callback) may
        // come back into the layer as an event.
        silence_thread();
        let mut busy = false;
        loop {
            if self.batch.is_empty() {
                if busy && self.shared.deadline().is_none() {
                    // Traffic: let records accumulate briefly instead of
                    // blocking (which makes every record wake this thread).
                    std::thread::sleep(LINGER);
                }
                match self.shared.queue.take(&mut self.batch, None) {
                    Taken::Records(n) => busy = n > 1,
                    Taken::Closed => break,
                    Taken::Woken | Taken::Timeout => {
                        busy = false;
                        continue;
                    }
                }
            }
            if self
                .shared
                .deadline()
                .is_some_and(|deadline| Instant::now() >= deadline)
            {
                break;
            }
            if self.deliver() {
                self.retry.succeeded();
            } else {
                let delay = self.retry.delay();
                if !self.shared.pause(delay) {
                    break;
                }
            }
        }
        self.finish();
    }

    /// Connects if needed and writes the batch. Returns false on a failure
    /// (reported; what was not written stays in the batch for the next
    /// attempt).
    fn deliver(&mut self) -> bool {
        if self.conn.as_mut().is_some_and(Conn::peer_closed) {
            self.disconnect();
            self.report(
                DeliveryError::new(
                    ErrorKind::Write,
                    format!("{} closed the connection; reconnecting", self.target),
                )
                .with_retry(true),
            );
        }
        if self.conn.is_none() && !self.connect() {
            return false;
        }
        let Some(conn) = self.conn.as_mut() else {
            return false;
        };
        if let Some(deadline) = self.shared.deadline() {
            conn.set_write_timeout(deadline.saturating_duration_since(Instant::now()));
        }
        if conn.is_stream() {
            self.write_stream()
        } else {
            self.send_datagrams()
        }
    }

    /// Writes the batch to a stream in chunks, each framed into one buffer
    /// and written at once.
    fn write_stream(&mut self) -> bool {
        let framing = self.conn_settings.framing;
        while !self.batch.is_empty() {
            let n = frame_chunk(&mut self.out, &self.batch, framing);
            let Some(conn) = self.conn.as_mut() else {
                return false;
            };
            if let Err(e) = conn.write_stream(&self.out) {
                self.write_failed(e, n);
                return false;
            }
            self.settle_sent(n, 0);
            self.batch.advance(n);
        }
        if self.out.capacity() > 2 * MAX_CHUNK_BYTES {
            self.out = Vec::new();
        }
        true
    }

    /// Sends the batch one datagram per record.
    fn send_datagrams(&mut self) -> bool {
        let (mut sent, mut rejected) = (0, 0);
        while let Some(record) = self.batch.first() {
            let Some(conn) = self.conn.as_mut() else {
                return false;
            };
            match conn.send_datagram(record) {
                Ok(()) => sent += 1,
                Err(e) if e.raw_os_error() == Some(EMSGSIZE) => {
                    let len = record.len();
                    rejected += 1;
                    self.shared.counters.rejected.incr();
                    self.report(
                        DeliveryError::new(
                            ErrorKind::Rejected,
                            format!(
                                "{} refused a {len}-byte datagram as too large (lower \
                                 `max_message_size`); it is lost",
                                self.target
                            ),
                        )
                        .with_records(1)
                        .with_source(e),
                    );
                }
                Err(e) => {
                    self.settle_sent(sent, rejected);
                    self.write_failed(e, 1);
                    return false;
                }
            }
            self.batch.advance(1);
            if sent + rejected == SETTLE_EVERY {
                self.settle_sent(sent, rejected);
                (sent, rejected) = (0, 0);
            }
        }
        self.settle_sent(sent, rejected);
        true
    }

    /// Counts `sent` records as sent and `rejected` ones as failed, then
    /// settles them in the queue (for `flush`).
    fn settle_sent(&self, sent: usize, rejected: usize) {
        let counters = &self.shared.counters;
        counters.sent.add(sent as u64);
        counters.failed.add(rejected as u64);
        let settled = (sent + rejected) as u64;
        if settled > 0 {
            self.shared.queue.settle(settled);
        }
    }

    fn connect(&mut self) -> bool {
        let mut settings = self.conn_settings;
        if let Some(deadline) = self.shared.deadline() {
            let left = deadline.saturating_duration_since(Instant::now());
            settings.connect_timeout = settings.connect_timeout.min(left);
        }
        match self.target.connect(&settings) {
            Ok(conn) => {
                if self.connected_once {
                    self.shared.counters.reconnects.incr();
                }
                self.connected_once = true;
                self.shared.set_abort(conn.abort_handle());
                self.conn = Some(conn);
                true
            }
            Err(e) => {
                // Refused or unanswered: the server is down (or not up
                // yet), and is tried again at least every second.
                let attempt = self.retry.failed(e.kind() == ErrorKind::Connect);
                self.report(e.with_attempt(attempt).with_retry(true));
                false
            }
        }
    }

    fn disconnect(&mut self) {
        self.shared.set_abort(None);
        self.conn = None;
    }

    /// A write of `records` records failed: reconnect and send them again.
    fn write_failed(&mut self, e: io::Error, records: usize) {
        self.disconnect();
        let attempt = self.retry.failed(false);
        self.report(
            DeliveryError::new(
                ErrorKind::Write,
                format!(
                    "writing to {} failed; reconnecting and sending the records again",
                    self.target
                ),
            )
            .with_records(records as u64)
            .with_attempt(attempt)
            .with_retry(true)
            .with_source(e),
        );
    }

    fn report(&self, error: DeliveryError) {
        self.shared
            .reporter
            .report(error.with_endpoint(self.endpoint.clone()));
    }

    /// Closes the connection cleanly, waiting at most [`CLOSE_TIMEOUT`]
    /// (and never past the shutdown deadline) for the server to close its
    /// side, counts what could not be sent as failed, and tells the guard.
    fn finish(&mut self) {
        let now = Instant::now();
        let deadline = self.shared.deadline().unwrap_or(now);
        if let Some(conn) = self.conn.take() {
            conn.close(deadline.min(now + CLOSE_TIMEOUT));
        }
        self.shared.set_abort(None);
        let left = self.batch.len() as u64 + self.shared.queue.abandon();
        self.batch.clear();
        if left > 0 {
            self.shared.counters.failed.add(left);
            self.shared.queue.settle(left);
            self.report(
                DeliveryError::new(
                    ErrorKind::Deadline,
                    format!(
                        "{left} records were not sent to {} before the shutdown deadline",
                        self.target
                    ),
                )
                .with_records(left),
            );
        }
        self.shared.set_done();
    }
}

/// Frames records of `batch` into `out` (cleared first), up to the chunk
/// limits (at least one record); returns how many.
fn frame_chunk(out: &mut Vec<u8>, batch: &Batch, framing: Framing) -> usize {
    out.clear();
    let mut n = 0;
    for record in batch.records() {
        if n == MAX_CHUNK_RECORDS || (n > 0 && out.len() >= MAX_CHUNK_BYTES) {
            break;
        }
        frame(out, record, framing);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use logwood_core::__private::RecordQueue;

    use super::*;

    #[test]
    fn chunks_hold_whole_records_up_to_the_limits() {
        let queue = RecordQueue::new(4096, true);
        let big = vec![b'x'; 100 * 1024];
        for _ in 0..4 {
            queue.push(&big);
        }
        let mut batch = Batch::default();
        queue.take(&mut batch, None);
        let mut out = Vec::new();
        // 256 KiB are reached after the third record of 100 KiB.
        assert_eq!(frame_chunk(&mut out, &batch, Framing::OctetCounting), 3);
        assert!(out.starts_with(b"102400 xx"));
        batch.advance(3);
        assert_eq!(frame_chunk(&mut out, &batch, Framing::LineFeed), 1);
        assert_eq!(out.len(), 100 * 1024 + 1);

        let queue = RecordQueue::new(4096, true);
        for _ in 0..2000 {
            queue.push(b"r");
        }
        let mut batch = Batch::default();
        queue.take(&mut batch, None);
        assert_eq!(
            frame_chunk(&mut out, &batch, Framing::OctetCounting),
            MAX_CHUNK_RECORDS
        );
    }
}
