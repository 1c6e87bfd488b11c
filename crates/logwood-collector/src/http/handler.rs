//! One HTTP request: routing, and recording it in the stats before it is
//! answered.

use std::sync::Arc;
use std::time::SystemTime;

use http::{Method, Request, StatusCode};
use hyper::body::Incoming;

use super::response::{self, Answer, Style};
use super::{frames, otlp};
use crate::Shared;
use crate::stats::{Accepted, Closed, RequestInfo};

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
pub(super) struct Outcome {
    /// `None`: close the connection without an answer.
    pub(super) response: Option<Answer>,
    /// Records written.
    pub(super) records: usize,
    /// Body bytes received, before decompression.
    pub(super) body_bytes: usize,
    pub(super) accepted: Option<Accepted>,
    pub(super) dropped_by_fault: bool,
    /// Why the collector closes the connection after this answer, if it does.
    pub(super) closes: Option<Closed>,
}

impl Outcome {
    pub(super) fn answer(response: Answer) -> Self {
        Self {
            response: Some(response),
            ..Self::default()
        }
    }

    /// A refusal after `body_bytes` of body were read.
    pub(super) fn refused(body_bytes: usize, response: Answer) -> Self {
        Self {
            body_bytes,
            ..Self::answer(response)
        }
    }
}

/// Serves one request and records it in the stats before answering.
pub(crate) async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    connection: u64,
) -> Result<Answer, DropConnection> {
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
        if let Some(reason) = outcome.closes {
            counters.closed(reason);
        }
        counters.request(info, outcome.accepted);
    }
    if outcome.accepted.is_some() {
        shared.notify_written();
    }
    outcome.response.ok_or(DropConnection)
}

/// The ingest paths: `/frames` and `/sources/{id}/frames`.
fn is_frames_path(path: &str) -> bool {
    if path == "/frames" {
        return true;
    }
    path.strip_prefix("/sources/")
        .and_then(|rest| rest.strip_suffix("/frames"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// The OTLP/HTTP logs path.
const OTLP_LOGS_PATH: &str = "/v1/logs";

async fn route(request: Request<Incoming>, shared: &Shared) -> Outcome {
    let path = request.uri().path();
    match (request.method(), path) {
        (&Method::GET, "/health") => Outcome::answer(response::json(
            StatusCode::OK,
            r#"{"status":"ok"}"#.to_owned(),
        )),
        (&Method::GET, "/stats") => {
            let stats = shared.counters().snapshot();
            Outcome::answer(response::json(StatusCode::OK, stats.to_json().to_string()))
        }
        (_, "/health" | "/stats") => Outcome::answer(response::not_allowed("GET")),
        (&Method::POST, OTLP_LOGS_PATH) => otlp::ingest(request, shared).await,
        (&Method::POST, path) if is_frames_path(path) => frames::ingest(request, shared).await,
        (_, path) if path == OTLP_LOGS_PATH || is_frames_path(path) => {
            Outcome::answer(response::not_allowed("POST"))
        }
        _ => Outcome::answer(response::error(
            Style::Plain,
            StatusCode::NOT_FOUND,
            "no such path: use POST /frames, POST /sources/{id}/frames, POST /v1/logs, \
             GET /health or GET /stats",
        )),
    }
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
        assert!(!is_frames_path(OTLP_LOGS_PATH));
    }
}
