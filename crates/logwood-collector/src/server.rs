//! The collector's thread: its own silenced tokio runtime serving the bound
//! listeners until the handle says stop.

use std::net::{TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use crate::error::Error;
use crate::handle::Stopper;
use crate::{Shared, http, runtime, syslog};

/// The bound (blocking, standard library) sockets to serve.
#[derive(Debug)]
pub(crate) struct Listeners {
    pub(crate) http: TcpListener,
    pub(crate) udp: Option<UdpSocket>,
    pub(crate) tcp: Option<TcpListener>,
}

/// Starts the collector's thread and returns once the listeners are served.
///
/// # Errors
///
/// [`Error::Runtime`] when the thread, its runtime or a listener's
/// registration with it fails.
pub(crate) fn spawn(listeners: Listeners, shared: Arc<Shared>) -> Result<Stopper, Error> {
    let Listeners { http, udp, tcp } = listeners;
    for result in [
        http.set_nonblocking(true),
        udp.as_ref().map_or(Ok(()), |s| s.set_nonblocking(true)),
        tcp.as_ref().map_or(Ok(()), |s| s.set_nonblocking(true)),
    ] {
        result.map_err(Error::Runtime)?;
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), Error>>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("logwood-collector".to_owned())
        .spawn(move || {
            runtime::silence();
            let rt = match runtime::build() {
                Ok(rt) => rt,
                Err(e) => {
                    ready_tx.send(Err(Error::Runtime(e))).ok();
                    return;
                }
            };
            rt.block_on(async move {
                let listeners = (|| {
                    Ok::<_, std::io::Error>((
                        tokio::net::TcpListener::from_std(http)?,
                        udp.map(tokio::net::UdpSocket::from_std).transpose()?,
                        tcp.map(tokio::net::TcpListener::from_std).transpose()?,
                    ))
                })();
                let (http, udp, tcp) = match listeners {
                    Ok(listeners) => listeners,
                    Err(e) => {
                        ready_tx.send(Err(Error::Runtime(e))).ok();
                        return;
                    }
                };
                ready_tx.send(Ok(())).ok();
                let s = &shared;
                tokio::join!(
                    http::serve(http, Arc::clone(s), stop_rx.clone()),
                    syslog::serve_udp(udp, Arc::clone(s), stop_rx.clone()),
                    syslog::serve_tcp(tcp, Arc::clone(s), stop_rx.clone()),
                );
            });
            rt.shutdown_timeout(Duration::from_secs(1));
            runtime::unsilence();
            done_tx.send(()).ok();
        })
        .map_err(Error::Runtime)?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(Stopper {
            stop: stop_tx,
            done: done_rx,
            thread,
        }),
        Ok(Err(e)) => {
            thread.join().ok();
            Err(e)
        }
        Err(_) => {
            thread.join().ok();
            Err(Error::Runtime(std::io::Error::other(
                "the collector thread exited",
            )))
        }
    }
}
