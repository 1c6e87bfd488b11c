//! rsyslogd stopped (SIGTERM, its graceful stop) and started again while
//! the application keeps logging: over RELP every record emitted arrives
//! (received = sent = emitted; a record may arrive twice, at most one
//! window's worth); over plain TCP and TLS, where `sent` only means
//! "written to the socket", the records rsyslogd had not read when it
//! stopped are lost, and the tests count them.
//!
//! Each case prints one line of figures (`--nocapture`), the short version
//! of the `scripts/reliability` stop/restart cases.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use logwood_syslog::{DEFAULT_RELP_WINDOW, Stats, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, marker};
use tracing::Dispatch;
use tracing_subscriber::prelude::*;

/// Records emitted per case, one every [`PACE`] or so.
const RECORDS: usize = 6000;
const PACE: Duration = Duration::from_micros(250);
/// How long rsyslogd stays down (plus its stop and start times).
const DOWN: Duration = Duration::from_millis(500);

/// What one run delivered.
#[derive(Debug)]
struct Figures {
    stats: Stats,
    /// Distinct records rsyslogd wrote.
    received: usize,
    /// Extra copies of records rsyslogd wrote more than once.
    duplicates: usize,
}

// === impl Figures ===

impl Figures {
    /// Records counted as sent that never arrived.
    fn lost(&self) -> u64 {
        self.stats.sent.saturating_sub(self.received as u64)
    }
}

fn stop_and_restart_mid_stream(via: Via) -> Figures {
    let mut server = Rsyslog::builder()
        .udp(false)
        .tcp(via == Via::Tcp)
        .tls(via == Via::Tls)
        .relp(via == Via::Relp)
        .start()
        .unwrap();
    let marker = marker(&format!("stop-restart-{}", via.name()));
    let (layer, guard) = via
        .to(&server, SyslogLayer::builder())
        // Room for every record while rsyslogd is down: nothing is dropped.
        .buffer_capacity(RECORDS)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
    let emitted = Arc::new(AtomicUsize::new(0));
    let emitter = {
        let (dispatch, emitted, marker) = (dispatch.clone(), emitted.clone(), marker.clone());
        thread::spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || {
                for i in 0..RECORDS {
                    tracing::info!("{marker} {i}");
                    emitted.store(i + 1, Ordering::Relaxed);
                    thread::sleep(PACE);
                }
            });
        })
    };
    let deadline = Instant::now() + WAIT;
    while emitted.load(Ordering::Relaxed) < RECORDS / 4 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
    server.stop();
    thread::sleep(DOWN);
    server.start_again().unwrap();
    emitter.join().unwrap();
    let flushed = guard.flush(Duration::from_secs(30));
    let stats = guard.shutdown(Duration::from_secs(10));
    assert!(flushed.is_ok(), "{via:?}: {stats:?}");
    assert!(stats.is_balanced(), "{stats:?}");
    assert_eq!(
        (stats.emitted, stats.queued),
        (RECORDS as u64, 0),
        "{stats:?}"
    );

    // Until nothing more comes (with duplicates), and over RELP until
    // everything counted as sent is there; what TCP lost never comes.
    let deadline = Instant::now() + WAIT;
    let mut lines = server.messages_containing(&marker);
    loop {
        thread::sleep(Duration::from_millis(300));
        let now = server.messages_containing(&marker);
        let settled = now.len() == lines.len();
        lines = now;
        let complete = lines.len() as u64 >= stats.sent;
        if (settled && (complete || via != Via::Relp)) || Instant::now() >= deadline {
            break;
        }
    }
    let mut copies: HashMap<usize, usize> = HashMap::new();
    for line in lines {
        let msg = line["msg"].as_str().unwrap();
        let i = msg.rsplit(' ').next().unwrap().parse().unwrap();
        *copies.entry(i).or_default() += 1;
    }
    let figures = Figures {
        stats,
        received: copies.len(),
        duplicates: copies.values().map(|n| n - 1).sum(),
    };
    eprintln!(
        "stop/restart over {}: emitted {}, sent {}, dropped {}, failed {}, received {}, \
         lost {}, duplicates {}, retried {}, reconnects {}",
        via.name(),
        figures.stats.emitted,
        figures.stats.sent,
        figures.stats.dropped,
        figures.stats.failed,
        figures.received,
        figures.lost(),
        figures.duplicates,
        figures.stats.retried,
        figures.stats.reconnects,
    );
    assert!(figures.stats.reconnects >= 1, "{figures:?}");
    figures
}

#[test]
fn over_relp_every_record_arrives_with_at_most_one_window_of_duplicates() {
    let figures = stop_and_restart_mid_stream(Via::Relp);
    let stats = figures.stats;
    assert_eq!((stats.dropped, stats.failed), (0, 0), "{figures:?}");
    assert_eq!(stats.sent, stats.emitted, "{figures:?}");
    assert_eq!(
        figures.received as u64, stats.sent,
        "received = sent: {figures:?}"
    );
    assert!(
        figures.duplicates <= DEFAULT_RELP_WINDOW,
        "at most one window of duplicates: {figures:?}"
    );
}

#[test]
fn over_tcp_what_rsyslogd_had_not_read_is_lost_and_counted_here() {
    let figures = stop_and_restart_mid_stream(Via::Tcp);
    // TCP cannot know: what was written counts as sent, lost or not.
    assert_eq!(figures.stats.sent, figures.stats.emitted, "{figures:?}");
    assert!(figures.received as u64 <= figures.stats.sent, "{figures:?}");
}

#[test]
fn over_tls_what_rsyslogd_had_not_read_is_lost_and_counted_here() {
    let figures = stop_and_restart_mid_stream(Via::Tls);
    assert_eq!(figures.stats.sent, figures.stats.emitted, "{figures:?}");
    assert!(figures.received as u64 <= figures.stats.sent, "{figures:?}");
}
