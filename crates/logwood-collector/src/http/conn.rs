//! One HTTP connection: hyper's HTTP/1.1 server (keep-alive on) on a
//! [`TrackedIo`], closed when a request head takes longer than the header
//! timeout, when it idles longer than the idle timeout, or when the registry
//! asks it to make room.

use std::pin::pin;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::io::TrackedIo;
use super::registry::Registry;
use super::track::Track;
use super::{GRACE, handler};
use crate::Shared;
use crate::runtime::stopped;
use crate::stats::Closed;

/// hyper's read buffer bound, and so the largest request head: 64 KiB
/// (hyper's default is about 400 KiB), so that many connections with
/// partial heads hold little memory.
const MAX_BUF_SIZE: usize = 64 * 1024;

/// Serves `stream` until it closes, then takes it out of the registry and
/// the open count.
pub(crate) async fn serve(
    stream: TcpStream,
    shared: Arc<Shared>,
    id: u64,
    track: Arc<Track>,
    registry: Arc<Registry>,
    stop: watch::Receiver<bool>,
) {
    let closed = run(stream, &shared, id, &track, stop).await;
    registry.remove(id);
    let mut counters = shared.counters();
    counters.connection_ended();
    if let Some(reason) = closed {
        counters.closed(reason);
    }
}

/// Returns why the collector closed the connection, `None` when the client
/// did, hyper did (after a `Connection: close` answer or a malformed
/// request), or the collector stopped.
async fn run(
    stream: TcpStream,
    shared: &Arc<Shared>,
    id: u64,
    track: &Arc<Track>,
    mut stop: watch::Receiver<bool>,
) -> Option<Closed> {
    stream.set_nodelay(true).ok();
    let limits = shared.settings.limits;
    let io = TokioIo::new(TrackedIo::new(stream, Arc::clone(track)));
    let service = {
        let shared = Arc::clone(shared);
        let track = Arc::clone(track);
        service_fn(move |request| {
            let shared = Arc::clone(&shared);
            let track = Arc::clone(&track);
            async move {
                let _serving = track.serve_request();
                handler::handle(request, shared, id).await
            }
        })
    };
    let mut conn = pin!(
        http1::Builder::new()
            .keep_alive(true)
            .max_buf_size(MAX_BUF_SIZE)
            // Timeouts are kept here, not by hyper (whose header timeout
            // would also cut idle keep-alive connections short).
            .header_read_timeout(None)
            .serve_connection(io, service)
    );
    loop {
        let deadline = track.deadline(&limits);
        let far = tokio::time::Instant::now() + limits.idle_timeout + limits.header_timeout;
        tokio::select! {
            _ = conn.as_mut() => return None,
            () = stopped(&mut stop) => {
                conn.as_mut().graceful_shutdown();
                tokio::time::timeout(GRACE, conn).await.ok();
                return None;
            }
            () = track.changed() => {
                if track.close_for_room() {
                    return Some(Closed::Limit);
                }
            }
            () = tokio::time::sleep_until(deadline.map_or(far, |(at, _)| at)), if deadline.is_some() => {
                if let Some(why) = track.expired(&limits, tokio::time::Instant::now()) {
                    return Some(why);
                }
            }
        }
    }
}
