//! The HTTP/1.1 client: one kept-alive connection (plain TCP or rustls),
//! replaced when it fails and rotated after `connection_max_age`.
//!
//! It uses hyper's connection-level API (`hyper::client::conn::http1`)
//! rather than hyper-util's pooled client, so that exactly one connection is
//! open at a time, its age is known, a broken one is never reused, and no
//! request is ever re-sent behind the retry policy's back.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Buf;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::{PathAndQuery, Scheme};
use http::{Method, Request, Uri};
use http_body_util::BodyExt as _;
use hyper::body::{Body, Frame, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::body::{Head, Payload};
use crate::error::{BuildError, chain};
use crate::retry::Transport;

/// How many characters of an error answer's text are kept for the report.
const MAX_DETAIL: usize = 300;

/// An answer body longer than this is not read to the end; the connection
/// is closed instead.
const MAX_DRAINED_BODY: usize = 64 * 1024;

/// The endpoint, validated.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    https: bool,
    /// The host for DNS and TLS (IPv6 without brackets).
    host: String,
    port: u16,
    /// The request target (path and query).
    target: Uri,
    host_header: HeaderValue,
    /// `scheme://host:port/path`: no credentials, no query.
    display: Arc<str>,
}

// === impl Endpoint ===

impl Endpoint {
    /// Parses and checks the `url` option.
    pub(crate) fn parse(url: &str) -> Result<Self, BuildError> {
        if !url.contains("://") && !url.trim().is_empty() {
            // `logs.example.com/frames`, `127.0.0.1:4000/frames`: the most
            // common slip, which `Uri` would call a bad port or an
            // authority-only URI.
            return Err(BuildError::invalid(
                "url",
                "is missing `http://` or `https://`: give the full endpoint, such as \
                 `https://logs.example.com/sources/42/frames`",
            ));
        }
        let uri: Uri = url
            .parse()
            .map_err(|e| BuildError::invalid("url", format!("is not a valid URL: {e}")))?;
        let https = match uri.scheme() {
            Some(s) if *s == Scheme::HTTP => false,
            Some(s) if *s == Scheme::HTTPS => true,
            _ => {
                return Err(BuildError::invalid(
                    "url",
                    "must be an absolute http:// or https:// URL",
                ));
            }
        };
        let Some(authority) = uri.authority() else {
            return Err(BuildError::invalid("url", "has no host"));
        };
        if authority.as_str().contains('@') {
            return Err(BuildError::invalid(
                "url",
                "must not hold credentials (user:password@): use `api_key` or `header`",
            ));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(BuildError::invalid("url", "has no host"));
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path = uri.path_and_query().map_or("/", PathAndQuery::as_str);
        let target: Uri = path
            .parse()
            .map_err(|e| BuildError::invalid("url", format!("has an invalid path: {e}")))?;
        let host_header = HeaderValue::from_str(authority.as_str())
            .map_err(|_| BuildError::invalid("url", "has an invalid host"))?;
        let scheme = if https { "https" } else { "http" };
        let display = format!("{scheme}://{host}:{port}{}", uri.path());
        Ok(Self {
            https,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            target,
            host_header,
            display: display.into(),
        })
    }

    /// Whether the endpoint is `https`.
    pub(crate) fn is_https(&self) -> bool {
        self.https
    }

    /// The host name (for TLS server name checks).
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The endpoint as errors print it: no credentials, no query.
    pub(crate) fn display(&self) -> &Arc<str> {
        &self.display
    }

    /// The `Host` header value.
    pub(crate) fn host_header(&self) -> &HeaderValue {
        &self.host_header
    }
}

/// How the client wraps its TCP stream.
#[derive(Clone)]
pub(crate) enum Security {
    Plain,
    #[cfg(feature = "tls")]
    Tls {
        connector: tokio_rustls::TlsConnector,
        server_name: tokio_rustls::rustls::pki_types::ServerName<'static>,
    },
}

impl std::fmt::Debug for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain => f.write_str("Plain"),
            #[cfg(feature = "tls")]
            Self::Tls { server_name, .. } => f
                .debug_struct("Tls")
                .field("server_name", server_name)
                .finish_non_exhaustive(),
        }
    }
}

/// The TLS client settings of an `https` endpoint: core's rustls
/// configuration (the roots of `ca_file` or of the system, a client
/// certificate for mutual TLS, HTTP/1.1 by ALPN), verifying the server as
/// `server_name` or the URL's host.
#[cfg(feature = "tls")]
pub(crate) fn tls(
    endpoint: &Endpoint,
    options: &logwood_core::__private::TlsOptions,
) -> Result<Security, BuildError> {
    let (config, server_name) = logwood_core::__private::tls::client_config(
        options,
        endpoint.host(),
        "url",
        &[b"http/1.1"],
    )?;
    Ok(Security::Tls {
        connector: tokio_rustls::TlsConnector::from(config),
        server_name,
    })
}

/// The request body: the batch header, the preamble, the records (shared
/// with the worker: no copy per attempt), the tail.
#[derive(Debug)]
pub(crate) struct RequestBody {
    parts: [Option<Chunk>; 4],
    next: usize,
    len: u64,
}

impl RequestBody {
    fn new(payload: &Payload) -> Self {
        let head = payload.head;
        Self {
            parts: [
                (!head.as_slice().is_empty()).then_some(Chunk::Head { head, pos: 0 }),
                payload
                    .preamble
                    .clone()
                    .filter(|p| !p.is_empty())
                    .map(|data| Chunk::Shared { data, pos: 0 }),
                (payload.data.len() > payload.skip).then(|| Chunk::Data {
                    data: Arc::clone(&payload.data),
                    pos: payload.skip,
                }),
                (!payload.tail.is_empty()).then_some(Chunk::Static {
                    bytes: payload.tail,
                    pos: 0,
                }),
            ],
            next: 0,
            len: payload.len() as u64,
        }
    }
}

impl Body for RequestBody {
    type Data = Chunk;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Chunk>, Self::Error>>> {
        let this = self.get_mut();
        while this.next < this.parts.len() {
            let part = this.parts[this.next].take();
            this.next += 1;
            if let Some(chunk) = part {
                return Poll::Ready(Some(Ok(Frame::data(chunk))));
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.parts.iter().all(Option::is_none)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

/// One frame of a [`RequestBody`].
#[derive(Debug)]
pub(crate) enum Chunk {
    Head { head: Head, pos: usize },
    Shared { data: Arc<[u8]>, pos: usize },
    Data { data: Arc<Vec<u8>>, pos: usize },
    Static { bytes: &'static [u8], pos: usize },
}

impl Buf for Chunk {
    fn remaining(&self) -> usize {
        self.chunk().len()
    }

    fn chunk(&self) -> &[u8] {
        match self {
            Self::Head { head, pos } => head.as_slice().get(*pos..).unwrap_or_default(),
            Self::Shared { data, pos } => data.get(*pos..).unwrap_or_default(),
            Self::Data { data, pos } => data.get(*pos..).unwrap_or_default(),
            Self::Static { bytes, pos } => bytes.get(*pos..).unwrap_or_default(),
        }
    }

    fn advance(&mut self, cnt: usize) {
        match self {
            Self::Head { pos, .. }
            | Self::Shared { pos, .. }
            | Self::Data { pos, .. }
            | Self::Static { pos, .. } => *pos += cnt,
        }
    }
}

/// The server's answer to one attempt.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The raw `Retry-After` header.
    pub(crate) retry_after: Option<String>,
    /// The start of the body (up to 64 KiB): an OTLP partial success, or
    /// the detail of an error.
    pub(crate) body: Vec<u8>,
}

// === impl Answer ===

impl Answer {
    /// The start of the server's text (an OTLP `Status` message, or the
    /// body as lossy UTF-8), trimmed, control characters escaped, for
    /// reports.
    pub(crate) fn detail(&self) -> String {
        crate::detail::text(&self.body, MAX_DETAIL)
    }
}

/// An attempt that got no answer.
#[derive(Debug)]
pub(crate) struct TransportError {
    pub(crate) kind: Transport,
    pub(crate) message: String,
}

// === impl TransportError ===

impl TransportError {
    /// Resolving, connecting or the TLS handshake failed with `e` (and its
    /// sources).
    fn connect(e: impl std::error::Error + 'static) -> Self {
        Self {
            kind: Transport::Connect,
            message: chain(&e),
        }
    }

    /// The connection broke with `e` (and its sources).
    fn reset(e: impl std::error::Error + 'static) -> Self {
        Self {
            kind: Transport::Reset,
            message: chain(&e),
        }
    }
}

#[derive(Debug)]
struct Connection {
    sender: SendRequest<RequestBody>,
    opened: Instant,
}

/// Posts batches over one connection at a time.
#[derive(Debug)]
pub(crate) struct Client {
    endpoint: Endpoint,
    security: Security,
    /// Every header but `Content-Length` and `Content-Encoding`.
    headers: HeaderMap,
    max_age: Duration,
    connection: Option<Connection>,
}

// === impl Client ===

impl Client {
    pub(crate) fn new(
        endpoint: Endpoint,
        security: Security,
        headers: HeaderMap,
        max_age: Duration,
    ) -> Self {
        Self {
            endpoint,
            security,
            headers,
            max_age,
            connection: None,
        }
    }

    /// Forgets the connection (after a failed attempt, or at exit).
    pub(crate) fn disconnect(&mut self) {
        self.connection = None;
    }

    /// Whether the receiver takes a connection now: opens one (TCP, and
    /// the TLS and HTTP handshakes) and keeps it for the next post. Sends
    /// no request, so a receiver that is down costs one refused connect.
    pub(crate) async fn probe(&mut self) -> bool {
        if self
            .connection
            .as_ref()
            .is_some_and(|c| !c.sender.is_closed())
        {
            return true;
        }
        match self.connect().await {
            Ok(connection) => {
                self.connection = Some(connection);
                true
            }
            Err(_) => false,
        }
    }

    /// Posts `payload` once: over the kept-alive connection when it is still
    /// open and younger than `connection_max_age`, else over a new one. The
    /// connection is kept only when the answer was read whole.
    ///
    /// Cancel-safe: dropping the future (the per-attempt timeout) drops the
    /// connection with it.
    pub(crate) async fn post(&mut self, payload: &Payload) -> Result<Answer, TransportError> {
        let reusable = self
            .connection
            .take()
            .filter(|c| !c.sender.is_closed() && c.opened.elapsed() < self.max_age);
        let mut connection = match reusable {
            Some(mut c) => match c.sender.ready().await {
                Ok(()) => c,
                // Closed while idle: open a fresh one.
                Err(_) => self.connect().await?,
            },
            None => self.connect().await?,
        };
        connection
            .sender
            .ready()
            .await
            .map_err(TransportError::reset)?;

        let mut request = Request::new(RequestBody::new(payload));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.endpoint.target.clone();
        let headers = request.headers_mut();
        headers.clone_from(&self.headers);
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(payload.len()));
        if payload.gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }

        let response = connection
            .sender
            .send_request(request)
            .await
            .map_err(TransportError::reset)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = response.into_body();
        let mut start = Vec::new();
        let mut total = 0usize;
        let mut whole = true;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(TransportError::reset)?;
            if let Ok(data) = frame.into_data() {
                total += data.len();
                let room = MAX_DRAINED_BODY.saturating_sub(start.len());
                start.extend_from_slice(&data[..data.len().min(room)]);
                if total > MAX_DRAINED_BODY {
                    whole = false;
                    break;
                }
            }
        }
        if whole {
            self.connection = Some(connection);
        }
        Ok(Answer {
            status,
            retry_after,
            body: start,
        })
    }

    async fn connect(&self) -> Result<Connection, TransportError> {
        let host = self.endpoint.host.as_str();
        let addrs = tokio::net::lookup_host((host, self.endpoint.port))
            .await
            .map_err(TransportError::connect)?;
        let mut last = None;
        let mut stream = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(stream) = stream else {
            return Err(match last {
                Some(e) => TransportError::connect(e),
                None => TransportError::connect(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the host name resolved to no address",
                )),
            });
        };
        stream.set_nodelay(true).map_err(TransportError::connect)?;
        let sender = match &self.security {
            Security::Plain => handshake(stream).await?,
            #[cfg(feature = "tls")]
            Security::Tls {
                connector,
                server_name,
            } => {
                let tls = connector
                    .connect(server_name.clone(), stream)
                    .await
                    .map_err(TransportError::connect)?;
                handshake(tls).await?
            }
        };
        Ok(Connection {
            sender,
            opened: Instant::now(),
        })
    }
}

async fn handshake<IO>(io: IO) -> Result<SendRequest<RequestBody>, TransportError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::Builder::new()
        .handshake(TokioIo::new(io))
        .await
        .map_err(TransportError::connect)?;
    // The connection task ends when the sender is dropped or the peer
    // closes; its error is seen by the request that was in flight.
    tokio::spawn(async move { connection.await.ok() });
    Ok(sender)
}

/// Checks a user header: not one the layer sets per request.
pub(crate) fn user_header(
    name: &str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), BuildError> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        BuildError::invalid(
            "header",
            format!("name {name:?} is not a valid header name"),
        )
    })?;
    let reserved = [
        header::HOST,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
        header::TRANSFER_ENCODING,
        header::CONNECTION,
    ];
    if reserved.contains(&name) {
        return Err(BuildError::invalid(
            "header",
            format!("{name} is set by the layer and cannot be overridden"),
        ));
    }
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        BuildError::invalid(
            "header",
            format!("value of {name} holds characters not allowed in a header"),
        )
    })?;
    // Custom headers often carry credentials (`X-Api-Key`).
    value.set_sensitive(true);
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_print_without_credentials_or_query() {
        let e = Endpoint::parse("http://127.0.0.1:4000/sources/42/frames?token=abc").unwrap();
        assert_eq!(&**e.display(), "http://127.0.0.1:4000/sources/42/frames");
        assert_eq!(e.target, "/sources/42/frames?token=abc");
        assert_eq!(e.host_header(), "127.0.0.1:4000");
        let e = Endpoint::parse("https://in.logs.betterstack.com").unwrap();
        assert_eq!(&**e.display(), "https://in.logs.betterstack.com:443/");
        assert!(e.is_https());
        let e = Endpoint::parse("http://[::1]:8080/frames").unwrap();
        assert_eq!(e.host(), "::1");
        assert_eq!(e.port, 8080);
    }

    #[test]
    fn bad_urls_are_refused_naming_the_option() {
        for url in [
            "",
            "not a url",
            "/frames",
            "ftp://host/frames",
            "127.0.0.1:4000/frames",
            "http://user:hunter2@host/frames",
        ] {
            let err = Endpoint::parse(url).unwrap_err();
            assert_eq!(err.option(), "url", "{url:?}");
            assert!(err.to_string().starts_with("`url` "), "{err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn a_url_without_a_scheme_says_it_is_missing_http_or_https() {
        for url in [
            "logs.example.com/frames",
            "127.0.0.1:4000/frames",
            "in.logs.betterstack.com",
        ] {
            let err = Endpoint::parse(url).unwrap_err();
            assert_eq!(err.option(), "url");
            assert!(
                err.to_string()
                    .starts_with("`url` is missing `http://` or `https://`"),
                "{url}: {err}"
            );
        }
        let err = Endpoint::parse("ftp://host/frames").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`url` must be an absolute http:// or https:// URL"
        );
    }

    #[test]
    fn user_headers_cannot_override_framing() {
        assert!(user_header("X-Api-Key", "k").is_ok());
        assert!(user_header("Content-Type", "application/json").is_ok());
        for name in ["Content-Length", "host", "Transfer-Encoding"] {
            let err = user_header(name, "1").unwrap_err();
            assert_eq!(err.option(), "header");
        }
        assert!(user_header("bad name", "v").is_err());
        let err = user_header("X-Key", "line\nbreak-secret").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn the_body_is_the_head_then_the_records() {
        let payload = crate::body::Framing::Msgpack.payload(vec![0x80, 0x80], 2);
        let mut body = RequestBody::new(&payload);
        assert_eq!(body.size_hint().exact(), Some(3));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut bytes = Vec::new();
        while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut cx) {
            let mut chunk = frame.into_data().unwrap();
            while chunk.has_remaining() {
                let n = chunk.chunk().len();
                bytes.extend_from_slice(chunk.chunk());
                chunk.advance(n);
            }
        }
        assert_eq!(bytes, [0x92, 0x80, 0x80]);
        assert!(body.is_end_stream());
    }
}
