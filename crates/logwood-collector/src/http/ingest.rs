//! The steps every ingest request takes before its body is decoded: the
//! body read (bounded in size and time), the bearer token, the faults.

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::request::Parts;
use http::{Request, StatusCode};
use hyper::body::Incoming;

use super::body::{self, Undecodable, Unread};
use super::faults::Decision;
use super::handler::Outcome;
use super::response::{self, Style};
use crate::Shared;
use crate::stats::Closed;

/// A request that may be decoded and written: read in full, authorised, and
/// let through by the faults.
#[derive(Debug)]
pub(super) struct Admitted {
    pub(super) parts: Parts,
    /// As sent (possibly compressed).
    pub(super) body: Bytes,
    /// The answer's status the faults chose, or `None` for the endpoint's
    /// normal one.
    pub(super) status: Option<u16>,
}

/// Reads, authorises and applies the faults; an `Err` is the whole outcome.
pub(super) async fn admit(
    request: Request<Incoming>,
    shared: &Shared,
    style: Style,
) -> Result<Admitted, Outcome> {
    let settings = &shared.settings;
    let max = settings.max_body;
    if body::declared_length(request.headers()).is_some_and(|len| len > max as u64) {
        return Err(Outcome::answer(response::too_large(style, max)));
    }
    let (parts, body) = request.into_parts();
    let body = match body::read(body, max, settings.limits.body_timeout).await {
        Ok(body) => body,
        Err(Unread::TooLarge) => return Err(Outcome::answer(response::too_large(style, max))),
        Err(Unread::TimedOut) => {
            return Err(Outcome {
                closes: Some(Closed::BodyTimeout),
                ..Outcome::answer(response::body_timeout(style))
            });
        }
        Err(Unread::Gone) => return Err(Outcome::default()),
    };
    let body_bytes = body.len();

    if let Some(token) = &settings.token
        && !token.authorizes(&parts.headers)
    {
        let mut answer = response::error(
            style,
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token",
        );
        answer
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Err(Outcome::refused(body_bytes, answer));
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
    match decision {
        Decision::Drop => Err(Outcome {
            body_bytes,
            dropped_by_fault: true,
            ..Outcome::default()
        }),
        Decision::Fail(status) => {
            let mut answer =
                response::error(style, response::status_code(status), "injected fault");
            if let Some(seconds) = plan.retry_after_for(status) {
                answer
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            Err(Outcome::refused(body_bytes, answer))
        }
        Decision::Accept(status) => Ok(Admitted {
            parts,
            body,
            status,
        }),
    }
}

// === impl Admitted ===

impl Admitted {
    /// The body per its `Content-Encoding`, at most `max_body` bytes.
    pub(super) fn decompressed(&self, shared: &Shared) -> Result<Cow<'_, [u8]>, Undecodable> {
        body::decompress(&self.parts.headers, &self.body, shared.settings.max_body)
    }

    /// The refusal of a body that [`decompressed`](Self::decompressed) could
    /// not read.
    pub(super) fn undecodable(&self, e: Undecodable, shared: &Shared, style: Style) -> Outcome {
        let answer = match e {
            Undecodable::TooLarge => response::too_large(style, shared.settings.max_body),
            Undecodable::Corrupt => {
                response::error(style, StatusCode::BAD_REQUEST, "gzip: corrupt body")
            }
            Undecodable::UnknownEncoding => response::error(
                style,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding must be gzip or identity",
            ),
        };
        self.refuse(answer)
    }

    /// A refusal of this request.
    pub(super) fn refuse(&self, answer: response::Answer) -> Outcome {
        Outcome::refused(self.body.len(), answer)
    }

    /// The request's `Content-Type`, if it is readable.
    pub(super) fn content_type(&self) -> Option<&str> {
        self.parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }
}
