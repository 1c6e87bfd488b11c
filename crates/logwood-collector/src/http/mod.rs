//! The HTTP listener: accepts connections and serves each with hyper's
//! HTTP/1.1 server (keep-alive on).

pub(crate) mod faults;
mod handler;

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::Shared;
use crate::runtime::stopped;

/// How long in-flight requests may take to finish once the collector stops.
const GRACE: Duration = Duration::from_secs(1);

/// Accepts and serves connections until told to stop, then closes them all.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let id = shared.counters().connection_accepted();
                    connections.spawn(connection(stream, Arc::clone(&shared), id, stop.clone()));
                }
                // Out of descriptors and the like: back off a little.
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

async fn connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    id: u64,
    mut stop: watch::Receiver<bool>,
) {
    stream.set_nodelay(true).ok();
    let service = service_fn(move |request| handler::handle(request, Arc::clone(&shared), id));
    let mut conn = pin!(
        http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service)
    );
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            tokio::time::timeout(GRACE, conn).await.ok();
        }
    }
}
