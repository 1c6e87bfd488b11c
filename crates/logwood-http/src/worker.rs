//! The background worker: a thread with its own current-thread tokio
//! runtime that takes batches out of the buffer and posts them, retrying
//! per the protocol, until the guard shuts it down.
//!
//! The thread and every thread of its runtime (the blocking pool that
//! resolves host names) install a no-op default `tracing` dispatcher for
//! their whole life, so neither this crate nor hyper, tokio or rustls can
//! feed an event back into the application's subscriber, which holds this
//! very layer.

use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use logwood_core::__private::{Backoff, silence_thread, unsilence_thread};
use logwood_core::ErrorKind;

use crate::batch::{Batch, Buffer, Settled, Taken};
use crate::body::{Framing, Payload};
use crate::client::Client;
use crate::error::{self, Failure};
use crate::partial::{self, Partial};
use crate::retry::{Attempt, RetryAction, RetryPolicy, Transport, parse_retry_after};
use crate::secret::Secret;

/// Everything the worker thread owns.
#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) buffer: Arc<Buffer>,
    pub(crate) client: Client,
    pub(crate) framing: Framing,
    pub(crate) gzip: bool,
    pub(crate) policy: RetryPolicy,
    pub(crate) max_retries: u32,
    pub(crate) request_timeout: Duration,
    pub(crate) backoff: Backoff,
    /// The API key and header values, scrubbed from every text that is
    /// reported.
    pub(crate) secrets: Vec<Secret>,
    /// The compressed body's buffer, kept between batches.
    pub(crate) zip_spare: Vec<u8>,
}

/// How often a worker waiting out a backoff after a transport failure
/// checks whether the receiver takes connections again.
pub(crate) const PROBE_INTERVAL: Duration = Duration::from_millis(500);

/// How long one such check may take (at most the request timeout).
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The shutdown deadline passed during a wait.
struct Deadline;

/// How one batch ended.
enum Outcome {
    /// Accepted; with what the receiver rejected of it (OTLP).
    Sent(Option<Partial>),
    Failed,
    /// The shutdown deadline passed (or the guard gave up) first.
    Deadline,
}

/// Closes the buffer if the worker thread ends without doing so (a panic),
/// so that no caller waits for room forever.
struct CloseOnExit(Arc<Buffer>);

impl Drop for CloseOnExit {
    fn drop(&mut self) {
        self.0.abandon();
    }
}

// === impl Worker ===

impl Worker {
    /// Starts the worker thread and its runtime; returns once the runtime
    /// is up.
    pub(crate) fn spawn(self) -> io::Result<JoinHandle<()>> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let handle = std::thread::Builder::new()
            .name("logwood-http".to_owned())
            .spawn(move || {
                silence_thread();
                let _close = CloseOnExit(Arc::clone(&self.buffer));
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .enable_time()
                    .thread_name("logwood-http-blocking")
                    .on_thread_start(silence_thread)
                    .on_thread_stop(unsilence_thread)
                    .build();
                let runtime = match runtime {
                    Ok(runtime) => {
                        ready_tx.send(Ok(())).ok();
                        runtime
                    }
                    Err(e) => {
                        ready_tx.send(Err(e)).ok();
                        return;
                    }
                };
                runtime.block_on(self.run());
                runtime.shutdown_timeout(Duration::from_millis(100));
                unsilence_thread();
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(handle),
            Ok(Err(e)) => {
                handle.join().ok();
                Err(e)
            }
            Err(_) => {
                handle.join().ok();
                Err(io::Error::other("the worker thread exited at start"))
            }
        }
    }

    async fn run(mut self) {
        loop {
            match self.buffer.take(Instant::now()) {
                Taken::Closed => break,
                Taken::Batch(batch) => self.deliver(batch).await,
                Taken::Wait(Some(at)) => {
                    tokio::select! {
                        () = self.buffer.woken() => {}
                        () = tokio::time::sleep_until(at.into()) => {}
                    }
                }
                Taken::Wait(None) => self.buffer.woken().await,
            }
        }
        self.client.disconnect();
    }

    async fn deliver(&mut self, batch: Batch) {
        let records = batch.records;
        let payload = self.framing.payload(batch.buf, records);
        let payload = match self.compress(payload) {
            Ok(payload) => payload,
            Err(cause) => {
                let failure = Failure::new(ErrorKind::Compression, None, &cause, &self.secrets);
                let error = failure.report(self.buffer.endpoint(), records as u64, 0, false);
                self.buffer.failed_attempt(failure);
                self.buffer.reporter().report(error);
                self.buffer.settle(records, Settled::Failed);
                return;
            }
        };
        let outcome = self.attempts(&payload).await;
        match outcome {
            Outcome::Sent(None) => self.buffer.settle(records, Settled::Sent),
            Outcome::Sent(Some(partial)) => {
                let rejected = partial.rejected.min(records as u64);
                self.buffer.settle(records, Settled::Partial(rejected));
                let message = self.scrub(&partial.message);
                self.buffer.reporter().report(error::partial(
                    self.buffer.endpoint(),
                    records as u64,
                    rejected,
                    message,
                ));
            }
            Outcome::Failed => self.buffer.settle(records, Settled::Failed),
            Outcome::Deadline => {
                self.client.disconnect();
                // Counts what is left as failed and reports it, naming the
                // last failure.
                self.buffer.abandon();
            }
        }
        let gzip = payload.gzip;
        if let Some(buf) = payload.into_buffer() {
            if gzip {
                self.zip_spare = buf;
            } else {
                self.buffer.recycle(buf);
            }
        }
    }

    #[cfg(feature = "gzip")]
    fn compress(&mut self, payload: Payload) -> Result<Payload, String> {
        if !self.gzip {
            return Ok(payload);
        }
        let out = std::mem::take(&mut self.zip_spare);
        let zipped = payload.gzip(out).map_err(|e| e.to_string())?;
        if let Some(buf) = payload.into_buffer() {
            self.buffer.recycle(buf);
        }
        Ok(zipped)
    }

    #[cfg(not(feature = "gzip"))]
    fn compress(&mut self, payload: Payload) -> Result<Payload, String> {
        let _ = self.gzip;
        Ok(payload)
    }

    /// Posts `payload` until it is accepted, refused for good, out of
    /// retries, or the shutdown deadline passes. Every failed attempt is
    /// reported at once (the first of each kind on stderr, with its cause).
    async fn attempts(&mut self, payload: &Payload) -> Outcome {
        let records = payload.records;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = tokio::select! {
                result = tokio::time::timeout(self.request_timeout, self.client.post(payload)) => result,
                () = deadline_passed(&self.buffer) => return Outcome::Deadline,
            };
            let (class, status, retry_after, cause) = match &result {
                Ok(Ok(answer)) => (
                    Attempt::Status(answer.status),
                    Some(answer.status),
                    answer.retry_after.clone(),
                    answer.detail(),
                ),
                Ok(Err(e)) => {
                    self.client.disconnect();
                    (Attempt::Transport(e.kind), None, None, e.message.clone())
                }
                Err(_elapsed) => {
                    self.client.disconnect();
                    let cause = format!("no answer within {:?}", self.request_timeout);
                    (Attempt::Transport(Transport::Timeout), None, None, cause)
                }
            };
            let action = self.policy.classify(class);
            let Some(kind) = action.error_kind() else {
                let partial = match (&self.policy, &result) {
                    (RetryPolicy::Otlp, Ok(Ok(answer))) => partial::parse(
                        &answer.body,
                        matches!(self.framing, Framing::OtlpJson { .. }),
                    ),
                    _ => None,
                };
                return Outcome::Sent(partial);
            };
            let will_retry = matches!(action, RetryAction::Retry(_)) && attempt <= self.max_retries;
            let failure = Failure::new(kind, status, &cause, &self.secrets);
            let error = failure.report(self.buffer.endpoint(), records as u64, attempt, will_retry);
            self.buffer.failed_attempt(failure);
            self.buffer.reporter().report(error);
            if !will_retry {
                return Outcome::Failed;
            }
            let server_wish = status
                .filter(|s| self.policy.honours_retry_after(*s))
                .and(retry_after)
                .and_then(|v| parse_retry_after(&v, SystemTime::now()));
            let wait = self.backoff.wait(attempt, server_wish);
            let probe = matches!(
                class,
                Attempt::Transport(Transport::Connect | Transport::Reset)
            );
            if self.back_off(wait, probe).await.is_err() {
                return Outcome::Deadline;
            }
            self.buffer.retried(records);
        }
    }
}

// === impl Worker ===

impl Worker {
    /// Waits `wait` before the next attempt; `Err` when the shutdown
    /// deadline passed first.
    ///
    /// With `probe` (the last attempt found no receiver, or lost the
    /// connection), the wait is cut short as soon as the receiver takes a
    /// connection again: every [`PROBE_INTERVAL`] the worker tries to
    /// connect, without sending anything. A receiver that is down costs one
    /// refused connect per interval, and the batch's attempts still follow
    /// the backoff; a receiver that is back gets the batch within an
    /// interval instead of the rest of a backoff of up to `retry_max`.
    async fn back_off(&mut self, wait: Duration, probe: bool) -> Result<(), Deadline> {
        let until = Instant::now() + wait;
        loop {
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            let step = if probe {
                (until - now).min(PROBE_INTERVAL)
            } else {
                until - now
            };
            tokio::select! {
                () = tokio::time::sleep(step) => {}
                () = deadline_passed(&self.buffer) => return Err(Deadline),
            }
            if !probe || Instant::now() >= until {
                continue;
            }
            let timeout = self.request_timeout.min(PROBE_TIMEOUT);
            let back = tokio::select! {
                back = tokio::time::timeout(timeout, self.client.probe()) => back.unwrap_or(false),
                () = deadline_passed(&self.buffer) => return Err(Deadline),
            };
            if back {
                return Ok(());
            }
        }
    }

    /// `text` from the server with every secret replaced.
    fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_owned(), |text, secret| secret.scrub(&text))
    }
}

/// Resolves once the shutdown deadline has passed, or the layer was closed
/// by the guard.
async fn deadline_passed(buffer: &Buffer) {
    loop {
        if buffer.is_closed() {
            return;
        }
        match buffer.deadline() {
            Some(deadline) => {
                tokio::time::sleep_until(deadline.into()).await;
                return;
            }
            None => buffer.woken().await,
        }
    }
}
