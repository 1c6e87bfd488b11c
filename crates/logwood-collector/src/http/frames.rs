//! `POST /frames` and `POST /sources/{id}/frames`: a msgpack or NDJSON
//! batch, each record written as one line, answered `202 {"accepted":N}`.

use http::{Request, StatusCode};
use hyper::body::Incoming;

use super::handler::Outcome;
use super::ingest::admit;
use super::response::{self, Style};
use crate::Shared;
use crate::decode::{BodyFormat, decode_batch};
use crate::output::Kind;
use crate::stats::Accepted;

/// The status of a normally accepted batch (Timber answered 202).
const ACCEPTED: u16 = 202;

pub(super) async fn ingest(request: Request<Incoming>, shared: &Shared) -> Outcome {
    let style = Style::Plain;
    let admitted = match admit(request, shared, style).await {
        Ok(admitted) => admitted,
        Err(outcome) => return outcome,
    };
    let Some(format) = admitted
        .content_type()
        .and_then(BodyFormat::from_content_type)
    else {
        return admitted.refuse(response::error(
            style,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/msgpack or application/x-ndjson",
        ));
    };
    let decoded = match admitted.decompressed(shared) {
        Ok(decoded) => decoded,
        Err(e) => return admitted.undecodable(e, shared, style),
    };
    let mut lines = Vec::with_capacity(decoded.len() + decoded.len() / 4);
    let records = match decode_batch(format, &decoded, &mut lines) {
        Ok(records) => records,
        Err(e) => {
            return admitted.refuse(response::error(
                style,
                StatusCode::BAD_REQUEST,
                &e.to_string(),
            ));
        }
    };
    if shared.store.write(Kind::Record, &lines, records).is_err() {
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
        response::json(status, format!("{{\"accepted\":{records}}}"))
    };
    Outcome {
        records,
        accepted: Some(Accepted::Frames),
        ..admitted.refuse(answer)
    }
}
