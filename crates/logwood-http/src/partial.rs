//! OTLP's partial success: the `partial_success` of a 2xx
//! `ExportLogsServiceResponse`, in protobuf or in OTLP/JSON.
//!
//! A server that accepted a request but dropped some of its records says
//! how many (`rejected_log_records`) and why (`error_message`); those
//! records are counted as `rejected` (among `failed`) and never retried.

/// What a server rejected of an accepted request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Partial {
    /// Records dropped by the server.
    pub(crate) rejected: u64,
    /// The server's reason (possibly empty).
    pub(crate) message: String,
}

/// `ExportLogsServiceResponse`, as far as a client reads it.
#[derive(Clone, PartialEq, prost::Message)]
struct Response {
    #[prost(message, optional, tag = "1")]
    partial_success: Option<PartialSuccess>,
}

/// `ExportLogsPartialSuccess`.
#[derive(Clone, PartialEq, prost::Message)]
struct PartialSuccess {
    #[prost(int64, tag = "1")]
    rejected_log_records: i64,
    #[prost(string, tag = "2")]
    error_message: String,
}

/// The partial success of a 2xx answer whose body is `body` (protobuf
/// when `json` is false), when it holds one with something to say.
/// Anything unreadable (an empty body, an HTML page from a proxy) is a
/// full success: the server answered 2xx.
pub(crate) fn parse(body: &[u8], json: bool) -> Option<Partial> {
    let partial = if json {
        parse_json(body)?
    } else {
        let response: Response = prost::Message::decode(body).ok()?;
        let p = response.partial_success?;
        Partial {
            rejected: u64::try_from(p.rejected_log_records).unwrap_or(0),
            message: p.error_message,
        }
    };
    (partial.rejected > 0 || !partial.message.is_empty()).then_some(partial)
}

/// `{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"…"}}`:
/// the count as a string (OTLP/JSON's 64-bit integers) or a number; the
/// proto field names (`partial_success`, …) are accepted too.
fn parse_json(body: &[u8]) -> Option<Partial> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    let p = object
        .get("partialSuccess")
        .or_else(|| object.get("partial_success"))?
        .as_object()?;
    let count = p
        .get("rejectedLogRecords")
        .or_else(|| p.get("rejected_log_records"));
    let rejected = match count {
        Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok()?,
        Some(serde_json::Value::Number(n)) => n.as_i64()?,
        Some(serde_json::Value::Null) | None => 0,
        Some(_) => return None,
    };
    let message = p
        .get("errorMessage")
        .or_else(|| p.get("error_message"))
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .to_owned();
    Some(Partial {
        rejected: u64::try_from(rejected).unwrap_or(0),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protobuf_partial_success_is_read() {
        let body = prost::Message::encode_to_vec(&Response {
            partial_success: Some(PartialSuccess {
                rejected_log_records: 3,
                error_message: "too old".into(),
            }),
        });
        assert_eq!(
            parse(&body, false),
            Some(Partial {
                rejected: 3,
                message: "too old".into()
            })
        );
        assert_eq!(parse(b"", false), None);
        assert_eq!(parse(b"<html>", false), None);
    }

    #[test]
    fn json_counts_are_strings_or_numbers() {
        for body in [
            r#"{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad"}}"#,
            r#"{"partialSuccess":{"rejectedLogRecords":2,"errorMessage":"bad"}}"#,
            r#"{"partial_success":{"rejected_log_records":"2","error_message":"bad"}}"#,
        ] {
            assert_eq!(
                parse(body.as_bytes(), true),
                Some(Partial {
                    rejected: 2,
                    message: "bad".into()
                }),
                "{body}"
            );
        }
        assert_eq!(parse(b"{}", true), None);
        assert_eq!(parse(b"", true), None);
        assert_eq!(
            parse(br#"{"partialSuccess":{"errorMessage":"slow down"}}"#, true),
            Some(Partial {
                rejected: 0,
                message: "slow down".into()
            })
        );
    }
}
