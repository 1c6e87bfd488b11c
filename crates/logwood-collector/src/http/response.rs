//! Building answers: JSON bodies, and errors in the style of the endpoint
//! (`{"error":"…"}`, or for OTLP a `google.rpc.Status` in the request's
//! encoding). A reason never quotes the request.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::OtlpFormat;
use crate::decode::write_str;

/// Every answer the collector sends.
pub(crate) type Answer = Response<Full<Bytes>>;

/// How an endpoint words its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `{"error":"<reason>"}` (frames, `/health`, `/stats`, unknown paths).
    Plain,
    /// A `google.rpc.Status` `{code, message}` in this encoding, as
    /// OTLP/HTTP asks of a failed request.
    Otlp(OtlpFormat),
}

/// `google.rpc.Status` without its `details`.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

pub(crate) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An answer with a body of this type.
pub(crate) fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(crate) fn json(status: StatusCode, body: String) -> Answer {
    with_body(status, "application/json", body)
}

pub(crate) fn empty(status: StatusCode) -> Answer {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// An error answer; the reason never quotes the request.
pub(crate) fn error(style: Style, status: StatusCode, reason: &str) -> Answer {
    match style {
        Style::Plain => {
            let mut body = b"{\"error\":".to_vec();
            write_str(&mut body, reason);
            body.push(b'}');
            with_body(status, "application/json", body)
        }
        Style::Otlp(OtlpFormat::Json) => {
            let mut body = b"{\"code\":".to_vec();
            body.extend_from_slice(itoa::Buffer::new().format(rpc_code(status)).as_bytes());
            body.extend_from_slice(b",\"message\":");
            write_str(&mut body, reason);
            body.push(b'}');
            with_body(status, "application/json", body)
        }
        Style::Otlp(format) => {
            let message = RpcStatus {
                code: rpc_code(status),
                message: reason.to_owned(),
            };
            with_body(
                status,
                format.content_type(),
                prost::Message::encode_to_vec(&message),
            )
        }
    }
}

/// The gRPC status code closest to an HTTP status.
fn rpc_code(status: StatusCode) -> i32 {
    match status.as_u16() {
        400 | 415 => 3,  // INVALID_ARGUMENT
        401 => 16,       // UNAUTHENTICATED
        403 => 7,        // PERMISSION_DENIED
        404 => 5,        // NOT_FOUND
        408 | 504 => 4,  // DEADLINE_EXCEEDED
        413 | 429 => 8,  // RESOURCE_EXHAUSTED
        501 => 12,       // UNIMPLEMENTED
        502 | 503 => 14, // UNAVAILABLE
        500..=599 => 13, // INTERNAL
        _ => 2,          // UNKNOWN
    }
}

/// Marks an answer as the last on its connection (the rest of the request
/// was not read, so the connection cannot carry another).
fn closing(mut response: Answer) -> Answer {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

pub(crate) fn too_large(style: Style, max: usize) -> Answer {
    closing(error(
        style,
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than {max} bytes"),
    ))
}

pub(crate) fn body_timeout(style: Style) -> Answer {
    closing(error(
        style,
        StatusCode::REQUEST_TIMEOUT,
        "the body did not arrive within the body timeout",
    ))
}

pub(crate) fn not_allowed(allow: &'static str) -> Answer {
    let mut response = error(
        Style::Plain,
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;
    use prost::Message;

    use super::*;

    fn body(answer: Answer) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(answer.into_body().collect())
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    #[test]
    fn otlp_errors_are_rpc_statuses_in_the_request_s_encoding() {
        let answer = error(
            Style::Otlp(OtlpFormat::Protobuf),
            StatusCode::BAD_REQUEST,
            "bad",
        );
        assert_eq!(
            answer.headers()[header::CONTENT_TYPE],
            "application/x-protobuf"
        );
        let status = RpcStatus::decode(&body(answer)[..]).unwrap();
        assert_eq!((status.code, &status.message[..]), (3, "bad"));

        let answer = error(
            Style::Otlp(OtlpFormat::Json),
            StatusCode::SERVICE_UNAVAILABLE,
            "down \"now\"",
        );
        assert_eq!(body(answer), br#"{"code":14,"message":"down \"now\""}"#);
    }

    #[test]
    fn plain_errors_are_json_objects() {
        let answer = error(Style::Plain, StatusCode::NOT_FOUND, "no such path");
        assert_eq!(answer.status(), 404);
        assert_eq!(body(answer), br#"{"error":"no such path"}"#);
    }

    #[test]
    fn answers_that_leave_a_body_unread_close_the_connection() {
        for answer in [too_large(Style::Plain, 10), body_timeout(Style::Plain)] {
            assert_eq!(answer.headers()[header::CONNECTION], "close");
        }
    }
}
