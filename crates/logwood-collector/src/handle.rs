//! [`CollectorHandle`]: addresses, counters, what was written, shutdown.

use std::net::SocketAddr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use crate::Shared;
use crate::error::WaitTimeout;
use crate::output::Kind;
use crate::stats::Stats;

/// How long [`CollectorHandle::shutdown`] (and `Drop`) waits at most for the
/// collector's thread: in-flight requests get about a second to finish.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// A running collector; from [`CollectorBuilder::start`](crate::CollectorBuilder::start).
///
/// Dropping it shuts the collector down (as [`shutdown`](Self::shutdown)
/// does), so keep it alive for as long as it should serve.
#[derive(Debug)]
#[must_use = "dropping the handle shuts the collector down"]
pub struct CollectorHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) http_addr: SocketAddr,
    pub(crate) udp_addr: Option<SocketAddr>,
    pub(crate) tcp_addr: Option<SocketAddr>,
    /// In a mutex only to make the handle `Sync` (the receiver is not).
    pub(crate) stopper: Mutex<Option<Stopper>>,
}

#[derive(Debug)]
pub(crate) struct Stopper {
    pub(crate) stop: tokio::sync::watch::Sender<bool>,
    pub(crate) done: mpsc::Receiver<()>,
    pub(crate) thread: JoinHandle<()>,
}

// === impl CollectorHandle ===

impl CollectorHandle {
    /// The HTTP listener's bound address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The HTTP base URL, e.g. `http://127.0.0.1:41234`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// The frames endpoint, e.g. `http://127.0.0.1:41234/frames` (the
    /// collector also accepts `/sources/{id}/frames`).
    pub fn frames_url(&self) -> String {
        format!("http://{}/frames", self.http_addr)
    }

    /// The OTLP/HTTP logs endpoint, e.g. `http://127.0.0.1:41234/v1/logs`:
    /// give it to an OTLP exporter as its logs endpoint
    /// (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`), or give it
    /// [`http_url`](Self::http_url) as its base endpoint
    /// (`OTEL_EXPORTER_OTLP_ENDPOINT`, to which exporters append `/v1/logs`).
    pub fn otlp_url(&self) -> String {
        format!("http://{}/v1/logs", self.http_addr)
    }

    /// The syslog UDP listener's bound address, when one was configured.
    pub fn syslog_udp_addr(&self) -> Option<SocketAddr> {
        self.udp_addr
    }

    /// The syslog TCP listener's bound address, when one was configured.
    pub fn syslog_tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addr
    }

    /// A snapshot of the counters and the recent-request log.
    pub fn stats(&self) -> Stats {
        self.shared
            .counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .snapshot()
    }

    /// Every frames record written so far, in order, parsed (OTLP records
    /// and syslog messages have accessors of their own).
    ///
    /// With [`Output::Memory`](crate::Output::Memory) these are kept in
    /// memory; with [`Output::File`](crate::Output::File) the lines this
    /// collector appended are read back; with `Stdout` or `Discard` the list
    /// is empty (use [`Stats::records`] for the count).
    pub fn records(&self) -> Vec<Value> {
        self.shared.store.lines(Kind::Record)
    }

    /// Every OTLP log record written so far, in order, as the object under
    /// the line's `"otlp"` key (see
    /// [`decode_otlp_logs`](crate::decode_otlp_logs)). Kept like
    /// [`records`](Self::records).
    pub fn otlp_records(&self) -> Vec<Value> {
        unwrap_lines(self.shared.store.lines(Kind::Otlp), "otlp")
    }

    /// Every syslog message written so far, in order, as the object under the
    /// line's `"syslog"` key (see
    /// [`CollectorBuilder::syslog_udp`](crate::CollectorBuilder::syslog_udp)).
    /// Kept like [`records`](Self::records).
    pub fn syslog_messages(&self) -> Vec<Value> {
        unwrap_lines(self.shared.store.lines(Kind::Syslog), "syslog")
    }

    /// Waits until at least `n` records were written, then returns
    /// [`records`](Self::records).
    ///
    /// # Errors
    ///
    /// [`WaitTimeout`] when fewer than `n` were written within `timeout`.
    pub fn wait_for_records(&self, n: usize, timeout: Duration) -> Result<Vec<Value>, WaitTimeout> {
        self.wait(Kind::Record, n, timeout)?;
        Ok(self.records())
    }

    /// Waits until at least `n` OTLP log records were written, then returns
    /// [`otlp_records`](Self::otlp_records).
    ///
    /// # Errors
    ///
    /// [`WaitTimeout`] when fewer than `n` were written within `timeout`.
    pub fn wait_for_otlp_records(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, WaitTimeout> {
        self.wait(Kind::Otlp, n, timeout)?;
        Ok(self.otlp_records())
    }

    /// Waits until at least `n` syslog messages were written, then returns
    /// [`syslog_messages`](Self::syslog_messages).
    ///
    /// # Errors
    ///
    /// [`WaitTimeout`] when fewer than `n` were written within `timeout`.
    pub fn wait_for_syslog_messages(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, WaitTimeout> {
        self.wait(Kind::Syslog, n, timeout)?;
        Ok(self.syslog_messages())
    }

    fn wait(&self, kind: Kind, n: usize, timeout: Duration) -> Result<(), WaitTimeout> {
        let got = self.shared.wait_for(kind, n as u64, timeout);
        if got >= n as u64 {
            Ok(())
        } else {
            Err(WaitTimeout {
                wanted: n,
                got: usize::try_from(got).unwrap_or(usize::MAX),
                waited: timeout,
            })
        }
    }

    /// Stops accepting, lets in-flight requests finish (about a second at
    /// most), closes every connection and listener, and returns the final
    /// counters. Waits at most [`SHUTDOWN_TIMEOUT`]; the ports are free for a
    /// new collector when it returns.
    pub fn shutdown(mut self) -> Stats {
        self.stop();
        self.stats()
    }

    fn stop(&mut self) {
        let stopper = self
            .stopper
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(stopper) = stopper else {
            return;
        };
        stopper.stop.send_replace(true);
        match stopper.done.recv_timeout(SHUTDOWN_TIMEOUT) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                stopper.thread.join().ok();
            }
            // Leave the thread to finish on its own.
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Each line's object under `key` (the whole line if it has none).
fn unwrap_lines(lines: Vec<Value>, key: &str) -> Vec<Value> {
    lines
        .into_iter()
        .map(|mut line| line.get_mut(key).map(Value::take).unwrap_or(line))
        .collect()
}

impl Drop for CollectorHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
