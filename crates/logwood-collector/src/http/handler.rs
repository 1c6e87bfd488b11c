//! One HTTP request: routing, limits, authentication, faults, decoding and
//! writing.

use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use flate2::read::MultiGzDecoder;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;

use super::faults::Decision;
use crate::Shared;
use crate::builder::Token;
use crate::decode::{BodyFormat, decode_batch, write_str};
use crate::output::Kind;
use crate::stats::RequestInfo;

/// The service error that makes hyper close the connection without an
/// answer (the `drop_connection_every` fault, or a client gone mid-body).
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped without an answer")
    }
}

impl std::error::Error for DropConnection {}

/// What became of a request.
#[derive(Debug, Default)]
struct Outcome {
    response: Option<Response<Full<Bytes>>>,
    records: usize,
    body_bytes: usize,
    accepted: bool,
    dropped_by_fault: bool,
}

impl Outcome {
    fn answer(response: Response<Full<Bytes>>) -> Self {
        Self {
            response: Some(response),
            ..Self::default()
        }
    }
}

/// Serves one request and records it in the stats before answering.
pub(crate) async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    connection: u64,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let arrived = SystemTime::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let outcome = route(request, &shared).await;
    let info = RequestInfo {
        arrived,
        connection,
        method,
        path,
        status: outcome.response.as_ref().map(|r| r.status().as_u16()),
        records: outcome.records,
        body_bytes: outcome.body_bytes,
    };
    {
        let mut counters = shared.counters();
        if outcome.dropped_by_fault {
            counters.connection_dropped();
        }
        counters.request(info, outcome.accepted);
    }
    if outcome.accepted {
        shared.notify_written();
    }
    outcome.response.ok_or(DropConnection)
}

fn is_frames_path(path: &str) -> bool {
    if path == "/frames" {
        return true;
    }
    path.strip_prefix("/sources/")
        .and_then(|rest| rest.strip_suffix("/frames"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

async fn route(request: Request<Incoming>, shared: &Shared) -> Outcome {
    let path = request.uri().path();
    match (request.method(), path) {
        (&Method::GET, "/health") => {
            Outcome::answer(json(StatusCode::OK, r#"{"status":"ok"}"#.to_owned()))
        }
        (&Method::GET, "/stats") => {
            let stats = shared.counters().snapshot();
            Outcome::answer(json(StatusCode::OK, stats.to_json().to_string()))
        }
        (_, "/health" | "/stats") => Outcome::answer(not_allowed("GET")),
        (&Method::POST, path) if is_frames_path(path) => ingest(request, shared).await,
        (_, path) if is_frames_path(path) => Outcome::answer(not_allowed("POST")),
        _ => Outcome::answer(error(
            StatusCode::NOT_FOUND,
            "no such path: use POST /frames or /sources/{id}/frames",
        )),
    }
}

async fn ingest(request: Request<Incoming>, shared: &Shared) -> Outcome {
    let settings = &shared.settings;
    let max = settings.max_body;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Outcome::answer(too_large(max));
    }
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, max).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return Outcome::answer(too_large(max)),
        // The client went away (or sent a broken body): nobody to answer.
        Err(_) => return Outcome::default(),
    };
    let body_bytes = body.len();

    if let Some(token) = &settings.token
        && !authorized(&parts.headers, token)
    {
        let mut response = error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Outcome {
            body_bytes,
            ..Outcome::answer(response)
        };
    }

    let plan = &settings.faults;
    let decision = {
        let mut state = shared
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        plan.decide(&mut state)
    };
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    let status = match decision {
        Decision::Drop => {
            return Outcome {
                body_bytes,
                dropped_by_fault: true,
                ..Outcome::default()
            };
        }
        Decision::Fail(status) => {
            let mut response = error(status_code(status), "injected fault");
            if let Some(seconds) = plan.retry_after_for(status) {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            return Outcome {
                body_bytes,
                ..Outcome::answer(response)
            };
        }
        Decision::Accept(status) => status_code(status),
    };

    let refuse = |response| Outcome {
        body_bytes,
        ..Outcome::answer(response)
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(format) = content_type.and_then(BodyFormat::from_content_type) else {
        return refuse(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/msgpack or application/x-ndjson",
        ));
    };
    let decoded = match content_encoding(&parts.headers) {
        Some(Encoding::Identity) => Cow::Borrowed(&body[..]),
        Some(Encoding::Gzip) => match gunzip(&body, max) {
            Ok(decoded) => Cow::Owned(decoded),
            Err(Gunzip::TooLarge) => return refuse(too_large(max)),
            Err(Gunzip::Corrupt) => {
                return refuse(error(StatusCode::BAD_REQUEST, "gzip: corrupt body"));
            }
        },
        None => {
            return refuse(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding must be gzip or identity",
            ));
        }
    };
    let mut lines = Vec::with_capacity(decoded.len() + decoded.len() / 4);
    let records = match decode_batch(format, &decoded, &mut lines) {
        Ok(records) => records,
        Err(e) => return refuse(error(StatusCode::BAD_REQUEST, &e.to_string())),
    };
    if shared.store.write(Kind::Record, &lines, records).is_err() {
        shared.counters().write_error();
        return refuse(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not write the records",
        ));
    }
    let response = if matches!(status, StatusCode::NO_CONTENT | StatusCode::RESET_CONTENT) {
        empty(status)
    } else {
        json(status, format!("{{\"accepted\":{records}}}"))
    };
    Outcome {
        response: Some(response),
        records,
        body_bytes,
        accepted: true,
        dropped_by_fault: false,
    }
}

/// Whether `Authorization: Bearer {token}` is present and right, compared in
/// time that depends only on the length of what the client sent.
fn authorized(headers: &HeaderMap, token: &Token) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return false;
    };
    let value = value.as_bytes();
    let Some(given) = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
    else {
        return false;
    };
    let given = value[given.len()..].trim_ascii();
    constant_time_eq(given, token.0.as_bytes())
}

fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (a, b) in given.iter().zip(expected.iter().cycle()) {
        diff |= a ^ b;
    }
    std::hint::black_box(diff) == 0
}

enum Encoding {
    Identity,
    Gzip,
}

fn content_encoding(headers: &HeaderMap) -> Option<Encoding> {
    let mut values = headers.get_all(header::CONTENT_ENCODING).iter();
    let Some(value) = values.next() else {
        return Some(Encoding::Identity);
    };
    if values.next().is_some() {
        return None;
    }
    let value = value.to_str().ok()?.trim();
    if value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip") {
        Some(Encoding::Gzip)
    } else if value.eq_ignore_ascii_case("identity") || value.is_empty() {
        Some(Encoding::Identity)
    } else {
        None
    }
}

enum Gunzip {
    TooLarge,
    Corrupt,
}

/// Decompresses at most `max` bytes (a gzip bomb stops there).
fn gunzip(body: &[u8], max: usize) -> Result<Vec<u8>, Gunzip> {
    let mut out = Vec::new();
    MultiGzDecoder::new(body)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| Gunzip::Corrupt)?;
    if out.len() > max {
        Err(Gunzip::TooLarge)
    } else {
        Ok(out)
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// `{"error":"…"}`; the reason never quotes the request.
fn error(status: StatusCode, reason: &str) -> Response<Full<Bytes>> {
    let mut body = b"{\"error\":".to_vec();
    write_str(&mut body, reason);
    body.push(b'}');
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn too_large(max: usize) -> Response<Full<Bytes>> {
    let mut response = error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than {max} bytes"),
    );
    // The rest of the body is not read: this connection cannot carry another request.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn not_allowed(allow: &'static str) -> Response<Full<Bytes>> {
    let mut response = error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_paths_are_recognised() {
        assert!(is_frames_path("/frames"));
        assert!(is_frames_path("/sources/abc/frames"));
        assert!(!is_frames_path("/sources//frames"));
        assert!(!is_frames_path("/sources/a/b/frames"));
        assert!(!is_frames_path("/frames/x"));
    }

    #[test]
    fn bearer_token_must_match_exactly() {
        let token = Token("s3cret".to_owned());
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            authorized(&headers, &token)
        };
        assert!(with("Bearer s3cret"));
        assert!(with("bearer s3cret"));
        assert!(!with("Bearer s3cre"));
        assert!(!with("Bearer s3cret2"));
        assert!(!with("Basic s3cret"));
        assert!(!with("Bearer "));
        assert!(!authorized(&HeaderMap::new(), &token));
    }

    #[test]
    fn gzip_is_bounded() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&[b'a'; 10_000]).unwrap();
        let body = encoder.finish().unwrap();
        assert_eq!(gunzip(&body, 10_000).ok().map(|v| v.len()), Some(10_000));
        assert!(matches!(gunzip(&body, 9_999), Err(Gunzip::TooLarge)));
        assert!(matches!(gunzip(b"not gzip", 100), Err(Gunzip::Corrupt)));
    }
}
