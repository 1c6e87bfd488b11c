//! The HTTP listener: accepts connections, keeps their number within
//! `max_connections` (and the process's file descriptors), and serves each
//! on a task of its own ([`conn`]).

mod body;
mod conn;
pub(crate) mod faults;
mod frames;
mod handler;
mod ingest;
mod io;
mod otlp;
mod registry;
mod response;
mod track;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::registry::{Registry, Room};
use self::track::Track;
use crate::Shared;
use crate::runtime::stopped;
use crate::stats::Closed;

/// How long in-flight requests may take to finish once the collector stops.
const GRACE: Duration = Duration::from_secs(1);

/// How long the accept loop waits for an evicted connection to end before it
/// tries to accept again when out of file descriptors.
const EVICTION_WAIT: Duration = Duration::from_millis(100);

/// The answer to a connection turned away because every open connection is
/// in the middle of a request.
const TURNED_AWAY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\
    Retry-After: 1\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n\
    {\"error\":\"too many connections busy\"}";

/// Accepts and serves connections until told to stop, then closes them all.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let max = shared.settings.limits.max_connections.get();
    let registry = Arc::new(Registry::default());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    if registry.make_room(max) == Room::Full {
                        // Every open connection is in the middle of a request:
                        // a best-effort 503 (it fits any socket buffer), then close.
                        stream.try_write(TURNED_AWAY).ok();
                        drop(stream);
                        shared.counters().closed(Closed::Limit);
                        continue;
                    }
                    let id = shared.counters().connection_accepted();
                    let track = Arc::new(Track::new());
                    registry.insert(id, Arc::clone(&track));
                    connections.spawn(conn::serve(
                        stream,
                        Arc::clone(&shared),
                        id,
                        track,
                        Arc::clone(&registry),
                        stop.clone(),
                    ));
                }
                // Out of file descriptors: free one by closing the connection
                // that has waited longest for a request, then accept again.
                Err(e) if is_out_of_descriptors(&e) => {
                    if !registry.evict_one(EVICTION_WAIT).await {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
                // A connection reset before it was accepted and the like.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(GRACE * 2, drain).await.is_err() {
        connections.shutdown().await;
    }
}

/// `EMFILE` (the process's limit) or `ENFILE` (the system's); the same
/// numbers on Linux, the BSDs and macOS.
fn is_out_of_descriptors(e: &std::io::Error) -> bool {
    const ENFILE: i32 = 23;
    const EMFILE: i32 = 24;
    matches!(e.raw_os_error(), Some(ENFILE | EMFILE))
}
