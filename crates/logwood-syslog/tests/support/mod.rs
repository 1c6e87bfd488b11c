//! Helpers shared by the integration tests: markers, running events under
//! a layer, and the transports to the harness rsyslogd.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use logwood_syslog::{Stats, SyslogLayerBuilder};
use logwood_testkit::rsyslog::Rsyslog;
use tracing_subscriber::prelude::*;

/// How long a test waits for rsyslogd to write what it received.
pub const WAIT: Duration = Duration::from_secs(15);

/// A marker unique to this test run: `name-PID-N`.
pub fn marker(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A transport of the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Udp,
    Tcp,
    Tls,
    /// RELP (imrelp), plain TCP.
    Relp,
}

impl Via {
    pub fn name(self) -> &'static str {
        match self {
            Via::Udp => "udp",
            Via::Tcp => "tcp",
            Via::Tls => "tls",
            Via::Relp => "relp",
        }
    }

    /// `builder` sending to `server` over this transport (TLS verified
    /// with the harness CA as `localhost`).
    pub fn to(self, server: &Rsyslog, builder: SyslogLayerBuilder) -> SyslogLayerBuilder {
        match self {
            Via::Udp => builder.udp(server.udp_addr()),
            Via::Tcp => builder.tcp(server.tcp_addr()),
            Via::Tls => builder
                .tls(server.tls_addr())
                .ca_file(server.ca_file())
                .server_name(server.tls_server_name()),
            Via::Relp => builder.relp(server.relp_addr()),
        }
    }
}

/// Builds the layer, runs `emit` under it, shuts the guard down and returns
/// the final stats, after checking that every record is accounted for.
pub fn run(builder: SyslogLayerBuilder, emit: impl FnOnce()) -> Stats {
    let (layer, guard) = builder.log_internal_errors(false).build().unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), emit);
    let stats = guard.shutdown(Duration::from_secs(10));
    assert_accounted(&stats);
    stats
}

/// `emitted == sent + dropped + failed + queued`, with nothing queued.
pub fn assert_accounted(stats: &Stats) {
    assert_eq!(
        stats.emitted,
        stats.sent + stats.dropped + stats.failed + stats.queued,
        "{stats:?}"
    );
    assert_eq!(stats.queued, 0, "{stats:?}");
}
