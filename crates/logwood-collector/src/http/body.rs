//! Reading a request body: bounded in size and in time, then decompressed
//! (bounded again) per `Content-Encoding`.

use std::borrow::Cow;
use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use flate2::read::MultiGzDecoder;
use http::HeaderMap;
use http::header;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unread {
    /// Larger than the bound (declared, or while reading).
    TooLarge,
    /// Not complete within the body timeout.
    TimedOut,
    /// The client went away or sent a broken body: nobody to answer.
    Gone,
}

/// The body's length as declared by `Content-Length`, if any.
pub(crate) fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Reads the whole body, at most `max` bytes, within `timeout`.
pub(crate) async fn read(body: Incoming, max: usize, timeout: Duration) -> Result<Bytes, Unread> {
    match tokio::time::timeout(timeout, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(Unread::TooLarge),
        Ok(Err(_)) => Err(Unread::Gone),
        Err(_) => Err(Unread::TimedOut),
    }
}

/// Why a body could not be decompressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undecodable {
    /// A `Content-Encoding` other than gzip or identity, or several.
    UnknownEncoding,
    /// Larger than the bound once decompressed.
    TooLarge,
    /// Not valid gzip.
    Corrupt,
}

/// The body as its `Content-Encoding` says to read it: as is, or gunzipped
/// (at most `max` bytes: a gzip bomb stops there).
pub(crate) fn decompress<'a>(
    headers: &HeaderMap,
    body: &'a [u8],
    max: usize,
) -> Result<Cow<'a, [u8]>, Undecodable> {
    let mut values = headers.get_all(header::CONTENT_ENCODING).iter();
    let Some(value) = values.next() else {
        return Ok(Cow::Borrowed(body));
    };
    if values.next().is_some() {
        return Err(Undecodable::UnknownEncoding);
    }
    let value = value
        .to_str()
        .map_err(|_| Undecodable::UnknownEncoding)?
        .trim();
    if value.eq_ignore_ascii_case("identity") || value.is_empty() {
        Ok(Cow::Borrowed(body))
    } else if value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip") {
        gunzip(body, max).map(Cow::Owned)
    } else {
        Err(Undecodable::UnknownEncoding)
    }
}

fn gunzip(body: &[u8], max: usize) -> Result<Vec<u8>, Undecodable> {
    let mut out = Vec::new();
    MultiGzDecoder::new(body)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| Undecodable::Corrupt)?;
    if out.len() > max {
        Err(Undecodable::TooLarge)
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use http::HeaderValue;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn encoded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                header::CONTENT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    #[test]
    fn gzip_is_bounded() {
        let body = gzip(&[b'a'; 10_000]);
        let headers = encoded(&["gzip"]);
        assert_eq!(
            decompress(&headers, &body, 10_000).map(|v| v.len()),
            Ok(10_000)
        );
        assert_eq!(
            decompress(&headers, &body, 9_999),
            Err(Undecodable::TooLarge)
        );
        assert_eq!(
            decompress(&headers, b"not gzip", 100),
            Err(Undecodable::Corrupt)
        );
    }

    #[test]
    fn identity_passes_and_other_encodings_are_refused() {
        for values in [&[][..], &["identity"], &["IDENTITY"], &[""]] {
            assert_eq!(
                decompress(&encoded(values), b"x", 1).as_deref(),
                Ok(&b"x"[..])
            );
        }
        for values in [&["br"][..], &["gzip", "gzip"], &["deflate"]] {
            assert_eq!(
                decompress(&encoded(values), b"x", 1),
                Err(Undecodable::UnknownEncoding)
            );
        }
    }
}
