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
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use logwood_core::stats::ReportOnce;

use crate::batch::{Batch, Buffer, Next, Settled};
use crate::body::{Format, Payload};
use crate::client::Client;
use crate::error::{DeliveryError, ErrorKind};
use crate::retry::{
    Attempt, Backoff, GiveUp, RetryAction, RetryReason, Transport, classify, honours_retry_after,
    parse_retry_after,
};
use crate::secret::Secret;

/// The user's error callback.
pub(crate) type OnError = Arc<dyn Fn(&DeliveryError) + Send + Sync>;

pub(crate) use logwood_core::silence::{silence_thread as silence, unsilence_thread as unsilence};

/// Reports delivery failures: every one to the callback, and on stderr the
/// first final failure of each kind.
pub(crate) struct Reporter {
    pub(crate) endpoint: Arc<str>,
    pub(crate) secret: Option<Secret>,
    pub(crate) on_error: Option<OnError>,
    pub(crate) log_internal_errors: bool,
    once: [ReportOnce; ErrorKind::ALL.len()],
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter")
            .field("endpoint", &self.endpoint)
            .field("on_error", &self.on_error.as_ref().map(|_| ".."))
            .field("log_internal_errors", &self.log_internal_errors)
            .finish_non_exhaustive()
    }
}

// === impl Reporter ===

impl Reporter {
    pub(crate) fn new(
        endpoint: Arc<str>,
        secret: Option<Secret>,
        on_error: Option<OnError>,
        log_internal_errors: bool,
    ) -> Self {
        Self {
            endpoint,
            secret,
            on_error,
            log_internal_errors,
            once: Default::default(),
        }
    }

    fn scrub(&self, text: &str) -> String {
        match &self.secret {
            Some(secret) => secret.scrub(text),
            None => text.to_owned(),
        }
    }

    pub(crate) fn error(
        &self,
        kind: ErrorKind,
        status: Option<u16>,
        records: usize,
        attempt: u32,
        will_retry: bool,
        detail: &str,
    ) -> DeliveryError {
        DeliveryError {
            kind,
            endpoint: Arc::clone(&self.endpoint),
            status,
            records,
            attempt,
            will_retry,
            detail: self.scrub(detail),
        }
    }

    pub(crate) fn report(&self, error: &DeliveryError) {
        if let Some(callback) = &self.on_error {
            // A panicking callback must not take the worker down.
            catch_unwind(AssertUnwindSafe(|| callback(error))).ok();
        }
        if self.log_internal_errors && !error.will_retry {
            self.once[error.kind.index()].report("http", format_args!("{error}"));
        }
    }
}

/// Everything the worker thread owns.
#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) buffer: Arc<Buffer>,
    pub(crate) client: Client,
    pub(crate) format: Format,
    pub(crate) gzip: bool,
    pub(crate) max_retries: u32,
    pub(crate) request_timeout: Duration,
    pub(crate) backoff: Backoff,
    pub(crate) reporter: Arc<Reporter>,
    /// The compressed body's buffer, kept between batches.
    pub(crate) zip_spare: Vec<u8>,
}

/// How one batch ended.
enum Outcome {
    Sent,
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
                silence();
                let _close = CloseOnExit(Arc::clone(&self.buffer));
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .enable_time()
                    .thread_name("logwood-http-blocking")
                    .on_thread_start(silence)
                    .on_thread_stop(unsilence)
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
                unsilence();
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
            match self.buffer.next(Instant::now()) {
                Next::Exit => break,
                Next::Send(batch) => self.deliver(batch).await,
                Next::Wait(Some(at)) => {
                    tokio::select! {
                        () = self.buffer.woken() => {}
                        () = tokio::time::sleep_until(at.into()) => {}
                    }
                }
                Next::Wait(None) => self.buffer.woken().await,
            }
        }
        self.client.disconnect();
    }

    async fn deliver(&mut self, batch: Batch) {
        let records = batch.records;
        let payload = Payload {
            head: self.format.head(records),
            data: Arc::new(batch.buf),
            records,
            gzip: false,
        };
        let payload = match self.compress(payload) {
            Ok(payload) => payload,
            Err(detail) => {
                let error =
                    self.reporter
                        .error(ErrorKind::Compression, None, records, 0, false, &detail);
                self.reporter.report(&error);
                self.buffer.settle(records, Settled::Failed);
                return;
            }
        };
        let outcome = self.attempts(&payload).await;
        match outcome {
            Outcome::Sent => self.buffer.settle(records, Settled::Sent),
            Outcome::Failed => self.buffer.settle(records, Settled::Failed),
            Outcome::Deadline => {
                self.client.disconnect();
                let lost = self.buffer.abandon();
                if lost > 0 {
                    let lost = usize::try_from(lost).unwrap_or(usize::MAX);
                    let error = self
                        .reporter
                        .error(ErrorKind::Deadline, None, lost, 0, false, "");
                    self.reporter.report(&error);
                }
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
    /// retries, or the shutdown deadline passes.
    async fn attempts(&mut self, payload: &Payload) -> Outcome {
        let records = payload.records;
        let Self {
            buffer,
            client,
            max_retries,
            request_timeout,
            backoff,
            reporter,
            ..
        } = self;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = tokio::select! {
                result = tokio::time::timeout(*request_timeout, client.post(payload)) => result,
                () = deadline_passed(buffer) => return Outcome::Deadline,
            };
            let (class, status, retry_after, detail) = match result {
                Ok(Ok(answer)) => (
                    Attempt::Status(answer.status),
                    Some(answer.status),
                    answer.retry_after,
                    answer.body,
                ),
                Ok(Err(e)) => {
                    client.disconnect();
                    (Attempt::Transport(e.kind), None, None, e.message)
                }
                Err(_elapsed) => {
                    client.disconnect();
                    let detail = format!("no answer within {request_timeout:?}");
                    (Attempt::Transport(Transport::Timeout), None, None, detail)
                }
            };
            let (kind, will_retry) = match classify(class) {
                RetryAction::Success => return Outcome::Sent,
                RetryAction::DontRetry(GiveUp::Credentials(_)) => (ErrorKind::Unauthorized, false),
                RetryAction::DontRetry(GiveUp::Rejected(_)) => (ErrorKind::Rejected, false),
                RetryAction::Retry(reason) => {
                    let kind = match reason {
                        RetryReason::Status(_) => ErrorKind::Temporary,
                        RetryReason::Transport(Transport::Connect) => ErrorKind::Connect,
                        RetryReason::Transport(Transport::Reset) => ErrorKind::Reset,
                        RetryReason::Transport(Transport::Timeout) => ErrorKind::Timeout,
                    };
                    (kind, attempt <= *max_retries)
                }
            };
            let error = reporter.error(kind, status, records, attempt, will_retry, &detail);
            reporter.report(&error);
            if !will_retry {
                return Outcome::Failed;
            }
            let server_wish = status
                .filter(|s| honours_retry_after(*s))
                .and(retry_after)
                .and_then(|v| parse_retry_after(&v, SystemTime::now()));
            let wait = backoff.wait(attempt, server_wish);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = deadline_passed(buffer) => return Outcome::Deadline,
            }
            buffer.retried(records);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_scrub_the_api_key_from_server_text() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let reporter = Reporter::new(
            "http://127.0.0.1:1/frames".into(),
            Some(Secret::new("sekrit-key")),
            Some(Arc::new(move |e: &DeliveryError| {
                sink.lock().unwrap().push(e.to_string());
            })),
            false,
        );
        let error = reporter.error(
            ErrorKind::Unauthorized,
            Some(401),
            3,
            1,
            false,
            "token sekrit-key is not valid",
        );
        reporter.report(&error);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(!seen[0].contains("sekrit"), "{}", seen[0]);
        assert!(seen[0].contains("**REDACTED**"), "{}", seen[0]);
        assert!(seen[0].contains("http://127.0.0.1:1/frames"), "{}", seen[0]);
    }

    #[test]
    fn a_panicking_callback_is_contained() {
        let reporter = Reporter::new(
            "http://127.0.0.1:1/frames".into(),
            None,
            Some(Arc::new(|_: &DeliveryError| panic!("callback bug"))),
            false,
        );
        let error = reporter.error(ErrorKind::Rejected, Some(400), 1, 1, false, "");
        reporter.report(&error);
    }
}
