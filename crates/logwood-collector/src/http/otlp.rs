//! `POST /v1/logs`: an OTLP/HTTP logs request in protobuf or JSON, each
//! `LogRecord` written as one line, answered `200` with an
//! `ExportLogsServiceResponse` in the request's encoding (with a
//! `partial_success` when the `otlp_reject` fault refused records).

use http::{Request, StatusCode};
use hyper::body::Incoming;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};

use super::handler::Outcome;
use super::ingest::admit;
use super::response::{self, Style};
use crate::Shared;
use crate::decode::{OtlpFormat, decode_otlp_logs, write_str};
use crate::output::Kind;
use crate::stats::Accepted;

/// The status of a normally accepted request.
const ACCEPTED: u16 = 200;

/// The `error_message` of a partial success.
const REJECTED: &str = "rejected by the collector's otlp_reject fault";

pub(super) async fn ingest(request: Request<Incoming>, shared: &Shared) -> Outcome {
    let format = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(OtlpFormat::from_content_type);
    // Errors are worded in the request's encoding (JSON when it is unknown).
    let style = Style::Otlp(format.unwrap_or(OtlpFormat::Json));
    let admitted = match admit(request, shared, style).await {
        Ok(admitted) => admitted,
        Err(outcome) => return outcome,
    };
    let Some(format) = format else {
        return admitted.refuse(response::error(
            style,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/x-protobuf or application/json",
        ));
    };
    let decoded = match admitted.decompressed(shared) {
        Ok(decoded) => decoded,
        Err(e) => return admitted.undecodable(e, shared, style),
    };
    let mut lines = Vec::with_capacity(decoded.len() * 2);
    let records = match decode_otlp_logs(format, &decoded, &mut lines) {
        Ok(records) => records,
        Err(e) => {
            return admitted.refuse(response::error(
                style,
                StatusCode::BAD_REQUEST,
                &e.to_string(),
            ));
        }
    };
    let rejected = usize::try_from(shared.settings.faults.otlp_reject)
        .unwrap_or(usize::MAX)
        .min(records);
    let kept = records - rejected;
    lines.truncate(end_of_line(&lines, kept));
    if shared.store.write(Kind::Otlp, &lines, kept).is_err() {
        shared.counters().write_error();
        return admitted.refuse(response::error(
            style,
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not write the records",
        ));
    }
    let status = response::status_code(admitted.status.unwrap_or(ACCEPTED));
    let answer = if matches!(status, StatusCode::NO_CONTENT | StatusCode::RESET_CONTENT) {
        response::empty(status)
    } else {
        response::with_body(
            status,
            format.content_type(),
            export_response(format, rejected),
        )
    };
    Outcome {
        records: kept,
        accepted: Some(Accepted::Otlp {
            rejected: rejected as u64,
        }),
        ..admitted.refuse(answer)
    }
}

/// The byte offset just past the `n`th line (0 for none).
fn end_of_line(lines: &[u8], n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    lines
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(n - 1)
        .map_or(lines.len(), |(i, _)| i + 1)
}

/// An `ExportLogsServiceResponse`, with a `partial_success` when records
/// were rejected. In JSON the 64-bit count is a decimal string, as OTLP/JSON
/// writes 64-bit integers.
fn export_response(format: OtlpFormat, rejected: usize) -> Vec<u8> {
    match format {
        OtlpFormat::Json if rejected == 0 => b"{}".to_vec(),
        OtlpFormat::Json => {
            let mut body = format!(
                "{{\"partialSuccess\":{{\"rejectedLogRecords\":\"{rejected}\",\"errorMessage\":"
            )
            .into_bytes();
            write_str(&mut body, REJECTED);
            body.extend_from_slice(b"}}");
            body
        }
        _ => {
            let response = ExportLogsServiceResponse {
                partial_success: (rejected > 0).then(|| ExportLogsPartialSuccess {
                    rejected_log_records: i64::try_from(rejected).unwrap_or(i64::MAX),
                    error_message: REJECTED.to_owned(),
                }),
            };
            prost::Message::encode_to_vec(&response)
        }
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn end_of_line_finds_the_cut() {
        let lines = b"a\nbb\nccc\n";
        assert_eq!(end_of_line(lines, 0), 0);
        assert_eq!(&lines[..end_of_line(lines, 1)], b"a\n");
        assert_eq!(&lines[..end_of_line(lines, 2)], b"a\nbb\n");
        assert_eq!(end_of_line(lines, 3), lines.len());
    }

    #[test]
    fn full_success_is_an_empty_response() {
        assert_eq!(export_response(OtlpFormat::Json, 0), b"{}");
        assert!(export_response(OtlpFormat::Protobuf, 0).is_empty());
    }

    #[test]
    fn partial_success_counts_the_rejected_records() {
        let json: serde_json::Value =
            serde_json::from_slice(&export_response(OtlpFormat::Json, 2)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"partialSuccess": {"rejectedLogRecords": "2", "errorMessage": REJECTED}})
        );
        let decoded =
            ExportLogsServiceResponse::decode(&export_response(OtlpFormat::Protobuf, 2)[..])
                .unwrap();
        let partial = decoded.partial_success.unwrap();
        assert_eq!(
            (partial.rejected_log_records, &partial.error_message[..]),
            (2, REJECTED)
        );
    }
}
