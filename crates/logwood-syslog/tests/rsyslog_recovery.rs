//! Recovery after rsyslogd comes back (issue 11, item 7): delivery resumes
//! within about a second of its return, even when the configured backoff
//! has grown to seconds, because while the server refuses connections the
//! worker tries again at least every `MAX_RECONNECT_INTERVAL` (1 s).

#![allow(clippy::unwrap_used)]

mod support;

use std::thread;
use std::time::{Duration, Instant};

use logwood_syslog::{JitterMode, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, marker};
use tracing::Dispatch;
use tracing_subscriber::prelude::*;

/// Generous: the worker tries at least every second.
const RESUMED_WITHIN: Duration = Duration::from_secs(5);

fn emit(dispatch: &Dispatch, marker: &str, phase: &str, n: usize) {
    tracing::dispatcher::with_default(dispatch, || {
        for i in 0..n {
            tracing::info!("{marker} {phase} {i}");
        }
    });
}

fn resumes_soon_after_rsyslogd_returns(via: Via) {
    let mut server = Rsyslog::builder()
        .udp(false)
        .tls(false)
        .tcp(via == Via::Tcp)
        .relp(via == Via::Relp)
        .start()
        .unwrap();
    let marker = marker(&format!("recovery-{}", via.name()));
    // A backoff that has grown to 8 s, as it does after a long outage with
    // the defaults (100 ms doubling up to 30 s); without the cap, the
    // worker would sleep 8 s after its first refused connection.
    let (layer, guard) = via
        .to(&server, SyslogLayer::builder())
        .retry_initial(Duration::from_secs(8))
        .retry_jitter(JitterMode::None)
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
    emit(&dispatch, &marker, "before", 10);
    assert_eq!(
        server.wait_for(&format!("{marker} before"), 10, WAIT).len(),
        10
    );

    server.stop();
    // Records while it is down: the worker finds the server gone and waits.
    emit(&dispatch, &marker, "down", 10);
    thread::sleep(Duration::from_millis(1500));
    server.start_again().unwrap();
    let back = Instant::now();
    emit(&dispatch, &marker, "after", 10);
    let after = server.wait_for(&format!("{marker} after"), 10, RESUMED_WITHIN);
    let took = back.elapsed();
    eprintln!(
        "recovery over {}: records emitted after the restart arrived {took:?} after rsyslogd \
         was back",
        via.name()
    );
    assert_eq!(after.len(), 10, "not resumed within {RESUMED_WITHIN:?}");
    assert!(
        server.wait_for(&format!("{marker} down"), 10, WAIT).len() == 10,
        "what was kept while it was down arrives too"
    );
    let stats = guard.shutdown(Duration::from_secs(5));
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (30, 30, 0),
        "{stats:?}"
    );
}

#[test]
fn tcp_resumes_within_seconds_of_rsyslogds_return_whatever_the_backoff() {
    resumes_soon_after_rsyslogd_returns(Via::Tcp);
}

#[test]
fn relp_resumes_within_seconds_of_rsyslogds_return_whatever_the_backoff() {
    resumes_soon_after_rsyslogd_returns(Via::Relp);
}
