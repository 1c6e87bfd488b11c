//! The RELP worker: keeps a window of records sent and not yet
//! acknowledged, counts a record `sent` only when the server's `rsp 200`
//! for its transaction arrives, and after a broken session (a restart, a
//! `serverclose`, a write error, no answer within `write_timeout`)
//! reconnects and sends every unacknowledged record again. At shutdown it
//! waits for the answers until the deadline, sends `close`, and counts
//! what was never acknowledged as failed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use logwood_core::__private::{Batch, Taken, silence_thread};
use logwood_core::{DeliveryError, ErrorKind};

use super::WorkerSettings;
use super::retry::Retry;
use super::window::Window;
use crate::builder::CLOSE_TIMEOUT;
use crate::delivery::Shared;
use crate::transport::relp::frame::{self, write_frame};
use crate::transport::relp::{Broken, Session};
use crate::transport::{ConnSettings, Target};

/// While records are in flight and more could join them, answers are
/// awaited this long before the queue is looked at again: the longest a
/// new record waits behind an unanswered one.
const ANSWER_POLL: Duration = Duration::from_millis(5);

/// The longest single wait for answers when nothing else can be done (the
/// window is full, or the layer is shutting down), so that the shutdown
/// deadline is seen in time.
const ANSWER_WAIT: Duration = Duration::from_millis(100);

/// After this many sessions in a row that broke with records in flight and
/// no answer at all, the oldest record is given up (failed, `Rejected`): a
/// record the server closes the session on cannot stop delivery forever.
const MAX_STALLED_SESSIONS: u32 = 3;

/// A chunk of frames larger than this is not kept for reuse.
const MAX_RETAINED_OUT: usize = 512 * 1024;

/// The RELP worker's state; [`RelpWorker::run`] is the thread's body.
#[derive(Debug)]
pub(crate) struct RelpWorker {
    target: Target,
    endpoint: Arc<str>,
    conn_settings: ConnSettings,
    retry: Retry,
    shared: Arc<Shared>,
    session: Option<Session>,
    connected_once: bool,
    /// Records taken from the queue, not yet in the window.
    batch: Batch,
    /// Records sent (or to send) and not yet acknowledged.
    window: Window,
    /// Frames of one write.
    out: Vec<u8>,
    /// The queue is closed and empty: the layer is shutting down.
    closing: bool,
    /// Whether the current session has answered anything.
    answered_in_session: bool,
    /// Sessions in a row that broke with records in flight and no answer.
    stalled_sessions: u32,
    /// Since when the oldest record in flight waits for an answer.
    waiting_since: Instant,
}

// === impl RelpWorker ===

impl RelpWorker {
    pub(crate) fn new(target: Target, settings: WorkerSettings, shared: Arc<Shared>) -> Self {
        Self {
            endpoint: target.to_string().into(),
            target,
            conn_settings: settings.conn,
            retry: settings.retry,
            shared,
            session: None,
            connected_once: false,
            batch: Batch::default(),
            window: Window::new(settings.relp_window),
            out: Vec::new(),
            closing: false,
            answered_in_session: false,
            stalled_sessions: 0,
            waiting_since: Instant::now(),
        }
    }

    /// The thread's body.
    pub(crate) fn run(mut self) {
        // Nothing this thread does may come back into the layer as an event.
        silence_thread();
        loop {
            self.fill();
            if self.deadline_passed() {
                break;
            }
            if self.window.is_empty() {
                if self.closing {
                    break;
                }
                continue;
            }
            let ok = (self.session.is_some() || self.connect())
                && (self.window.unsent() == 0 || self.send())
                && (self.window.in_flight() == 0 || self.await_answers());
            if !ok && !self.shared.pause(self.retry.delay()) {
                break;
            }
        }
        self.finish();
    }

    /// Moves records from the queue into the window until it is full. Waits
    /// for records only when the window is empty (nothing else to do).
    fn fill(&mut self) {
        while !self.window.is_full() {
            if self.batch.is_empty() {
                if self.closing {
                    return;
                }
                let until = (!self.window.is_empty()).then(Instant::now);
                match self.shared.queue.take(&mut self.batch, until) {
                    Taken::Records(_) => {}
                    Taken::Closed => {
                        self.closing = true;
                        return;
                    }
                    Taken::Woken | Taken::Timeout => return,
                }
            }
            while !self.window.is_full() {
                let Some(record) = self.batch.first() else {
                    break;
                };
                self.window.push(record);
                self.batch.advance(1);
            }
        }
    }

    fn deadline_passed(&self) -> bool {
        self.shared
            .deadline()
            .is_some_and(|deadline| Instant::now() >= deadline)
    }

    /// Connects and opens a session. False on a failure (reported).
    fn connect(&mut self) -> bool {
        let mut settings = self.conn_settings;
        if let Some(deadline) = self.shared.deadline() {
            let left = deadline.saturating_duration_since(Instant::now());
            settings.connect_timeout = settings.connect_timeout.min(left);
        }
        let conn = match self.target.connect(&settings) {
            Ok(conn) => conn,
            Err(e) => {
                let attempt = self.retry.failed(e.kind() == ErrorKind::Connect);
                self.report(e.with_attempt(attempt).with_retry(true));
                return false;
            }
        };
        // A shutdown can unblock a server that never answers `open`.
        self.shared.set_abort(conn.abort_handle());
        match Session::open(conn, settings.connect_timeout, &self.target) {
            Ok(session) => {
                if self.connected_once {
                    self.shared.counters.reconnects.incr();
                }
                self.connected_once = true;
                session.set_write_timeout(settings.write_timeout);
                self.session = Some(session);
                self.answered_in_session = false;
                self.window.resend_all();
                true
            }
            Err(e) => {
                self.shared.set_abort(None);
                let attempt = self.retry.failed(false);
                self.report(e.with_attempt(attempt).with_retry(true));
                false
            }
        }
    }

    /// Sends the records of the window not yet sent in this session, as
    /// `syslog` commands in one write. False when the session broke.
    fn send(&mut self) -> bool {
        let Some(session) = self.session.as_mut() else {
            return false;
        };
        if self.window.in_flight() == 0 {
            // An idle session the server may have ended meanwhile (a
            // restart, an idle timeout): better to know before writing.
            if session.peer_closed() {
                self.lose_session(
                    ErrorKind::Write,
                    Broken::Closed("it closed the idle connection"),
                );
                return false;
            }
            self.waiting_since = Instant::now();
        }
        if let Some(deadline) = self.shared.deadline() {
            let left = deadline.saturating_duration_since(Instant::now());
            session.set_write_timeout(self.conn_settings.write_timeout.min(left));
        }
        self.out.clear();
        let out = &mut self.out;
        let again = self.window.send_unsent(
            || session.next_txnr(),
            |txnr, record| write_frame(out, txnr, "syslog", record),
        );
        self.shared.counters.retried.add(again);
        let written = session.send(&self.out);
        if self.out.capacity() > MAX_RETAINED_OUT {
            self.out = Vec::new();
        }
        match written {
            Ok(()) => true,
            Err(e) => {
                self.lose_session(ErrorKind::Write, Broken::Io(e));
                false
            }
        }
    }

    /// Waits a little for answers and settles what they answer. False when
    /// the session broke (or no answer came within `write_timeout`).
    fn await_answers(&mut self) -> bool {
        let now = Instant::now();
        let answer_deadline = self.waiting_since + self.conn_settings.write_timeout;
        if now >= answer_deadline {
            self.lose_session(
                ErrorKind::Timeout,
                Broken::Closed("no answer within `write_timeout`"),
            );
            return false;
        }
        let mut wait = if self.window.is_full() || self.closing {
            ANSWER_WAIT
        } else {
            ANSWER_POLL
        };
        wait = wait.min(answer_deadline - now);
        if let Some(deadline) = self.shared.deadline() {
            wait = wait.min(deadline.saturating_duration_since(now));
            if wait.is_zero() {
                return true;
            }
        }
        let Some(session) = self.session.as_mut() else {
            return false;
        };
        let (mut acknowledged, mut rejected) = (0u64, 0u64);
        let window = &mut self.window;
        let shared = &*self.shared;
        let endpoint = &self.endpoint;
        let target = &self.target;
        let result = session.receive(wait, |f| match (f.txnr, f.command) {
            (0, b"serverclose") => Err(Broken::Closed("serverclose")),
            (txnr, b"rsp") if txnr != 0 => {
                if !window.acknowledge(txnr) {
                    return Err(Broken::Protocol(format!(
                        "an answer to transaction {txnr}, which is not open"
                    )));
                }
                if frame::status(f.data) == Some(200) {
                    acknowledged += 1;
                } else {
                    rejected += 1;
                    shared.reporter.report(
                        DeliveryError::new(
                            ErrorKind::Rejected,
                            format!(
                                "{target} refused a record: {:?}; it is not sent again",
                                frame::human_text(f.data)
                            ),
                        )
                        .with_records(1)
                        .with_endpoint(endpoint.clone()),
                    );
                }
                Ok(())
            }
            (txnr, command) => Err(Broken::Protocol(format!(
                "an unexpected {:?} command with transaction {txnr}",
                String::from_utf8_lossy(command)
            ))),
        });
        if acknowledged + rejected > 0 {
            let counters = &self.shared.counters;
            counters.sent.add(acknowledged);
            counters.failed.add(rejected);
            counters.rejected.add(rejected);
            self.shared.queue.settle(acknowledged + rejected);
            self.answered_in_session = true;
            self.stalled_sessions = 0;
            self.retry.succeeded();
            self.waiting_since = Instant::now();
        }
        match result {
            Ok(_) => true,
            Err(broken) => {
                self.lose_session(ErrorKind::Write, broken);
                false
            }
        }
    }

    /// The session broke: drops it, reports it, and makes every record of
    /// the window due again for the next session. A record that broke
    /// [`MAX_STALLED_SESSIONS`] sessions in a row is given up.
    fn lose_session(&mut self, kind: ErrorKind, broken: Broken) {
        self.session = None;
        self.shared.set_abort(None);
        let in_flight = self.window.in_flight();
        self.window.resend_all();
        let attempt = self.retry.failed(false);
        let message = format!(
            "{} {}; reconnecting and sending the {} unacknowledged records again",
            self.target,
            broken.describe(),
            self.window.len()
        );
        let mut error = DeliveryError::new(kind, message)
            .with_records(self.window.len() as u64)
            .with_attempt(attempt)
            .with_retry(true);
        if let Some(source) = broken.into_source() {
            error = error.with_source(source);
        }
        self.report(error);
        if in_flight > 0 && !self.answered_in_session {
            self.stalled_sessions += 1;
            if self.stalled_sessions >= MAX_STALLED_SESSIONS {
                self.stalled_sessions = 0;
                self.give_up_oldest();
            }
        }
    }

    /// Fails the oldest record of the window (see [`MAX_STALLED_SESSIONS`]).
    fn give_up_oldest(&mut self) {
        let Some(len) = self.window.give_up_oldest() else {
            return;
        };
        let counters = &self.shared.counters;
        counters.failed.incr();
        counters.rejected.incr();
        self.shared.queue.settle(1);
        self.report(
            DeliveryError::new(
                ErrorKind::Rejected,
                format!(
                    "{} ended the RELP session {MAX_STALLED_SESSIONS} times in a row without \
                     answering the oldest record ({len} bytes): it is given up",
                    self.target
                ),
            )
            .with_records(1),
        );
    }

    fn report(&self, error: DeliveryError) {
        self.shared
            .reporter
            .report(error.with_endpoint(self.endpoint.clone()));
    }

    /// Ends the session (with `close` when nothing is unanswered, waiting
    /// at most [`CLOSE_TIMEOUT`]), counts what was never acknowledged as
    /// failed, and tells the guard.
    fn finish(&mut self) {
        let now = Instant::now();
        let deadline = self.shared.deadline().unwrap_or(now);
        let until = deadline.min(now + CLOSE_TIMEOUT);
        if let Some(session) = self.session.take() {
            if self.window.is_empty() {
                session.close(until);
            } else {
                session.abandon(until);
            }
        }
        self.shared.set_abort(None);
        let left =
            self.window.clear() as u64 + self.batch.len() as u64 + self.shared.queue.abandon();
        self.batch.clear();
        if left > 0 {
            self.shared.counters.failed.add(left);
            self.shared.queue.settle(left);
            self.report(
                DeliveryError::new(
                    ErrorKind::Deadline,
                    format!(
                        "{left} records were not acknowledged by {} before the shutdown \
                         deadline (it may have received some of them)",
                        self.target
                    ),
                )
                .with_records(left),
            );
        }
        self.shared.set_done();
    }
}
