//! A hyper server whose per-request span (`request.id`, `user.id`,
//! `http.method`, `http.path`) is the context of every line logged while
//! the request is handled, in every sink: the server answers three
//! requests it makes to itself on 127.0.0.1, then exits.
//!
//! ```text
//! cargo run --example web_service
//! LOGWOOD_STDOUT=pattern LOGWOOD_PATTERN='%(levelname)s %(message)s' cargo run --example web_service
//! ```
//!
//! Logging is set up from the environment (`logwood::init()`): JSON lines
//! on stdout unless `LOGWOOD_*` variables say otherwise.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tracing::Instrument;

/// Request ids, as a proxy would set `x-request-id`.
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// The handler: everything it logs carries the request's span.
async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let request_id = format!("req-{:04}", NEXT_REQUEST.fetch_add(1, Ordering::Relaxed));
    let user_id: u64 = req
        .headers()
        .get("x-user-id")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let span = tracing::info_span!(
        "request",
        request.id = %request_id,
        user.id = user_id,
        http.method = %req.method(),
        http.path = %req.uri().path(),
    );
    async move {
        tracing::info!("request received");
        let response = match orders(user_id).await {
            Ok(count) => {
                tracing::info!(orders = count, "orders listed");
                (StatusCode::OK, format!("{count} orders\n"))
            }
            Err(reason) => {
                tracing::warn!(reason, "refused");
                (StatusCode::FORBIDDEN, "forbidden\n".to_owned())
            }
        };
        tracing::info!(http.status = response.0.as_u16(), "response sent");
        let mut answer = Response::new(Full::new(Bytes::from(response.1)));
        *answer.status_mut() = response.0;
        Ok(answer)
    }
    .instrument(span)
    .await
}

/// A "database" call: a child span of the request's.
#[tracing::instrument(skip(user_id))]
async fn orders(user_id: u64) -> Result<u64, &'static str> {
    tokio::time::sleep(Duration::from_millis(5)).await;
    tracing::debug!("SELECT count(*) FROM orders WHERE user_id = $1");
    match user_id {
        0 => Err("no user"),
        id => Ok(id % 5 + 1),
    }
}

/// The server: one task per connection, until the program ends.
async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let service = hyper::service::service_fn(handle);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::warn!(error = %e, "connection failed");
            }
        });
    }
}

/// One GET to the server, as `user` (no `x-user-id` header for 0).
async fn get(
    addr: SocketAddr,
    path: &str,
    user: u64,
) -> Result<String, Box<dyn std::error::Error>> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = Request::get(path).header("host", addr.to_string());
    if user != 0 {
        req = req.header("x-user-id", user);
    }
    let response = sender
        .send_request(req.body(Empty::<Bytes>::new())?)
        .await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(format!(
        "{status} {}",
        String::from_utf8_lossy(&body).trim_end()
    ))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let guard = logwood::init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "listening");
        let server = tokio::spawn(serve(listener));
        for user in [42, 7, 0] {
            let answer = get(addr, "/orders", user).await?;
            eprintln!("client: GET /orders as user {user}: {answer}");
        }
        server.abort();
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    let stats = guard.shutdown(Duration::from_secs(5));
    eprintln!("{stats}");
    Ok(())
}
