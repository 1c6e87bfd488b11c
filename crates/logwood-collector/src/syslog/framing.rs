//! RFC 6587 TCP framing: octet counting (`LEN SP MSG`) or LF-terminated,
//! decided per frame by whether its first byte is a digit.

use std::ops::Range;

/// Why a TCP stream was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FramingError {
    /// A frame (announced or accumulated) is over the size bound.
    TooLarge,
    /// The octet count is not digits followed by a space.
    BadCount,
}

/// The next frame in `buf`: `Ok(Some((consumed, content)))` when a whole
/// frame is buffered, `Ok(None)` when more bytes are needed.
pub(crate) fn next_frame(
    buf: &[u8],
    max: usize,
) -> Result<Option<(usize, Range<usize>)>, FramingError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    if first.is_ascii_digit() {
        // Octet counting: at most 10 digits, then one space.
        let mut len: usize = 0;
        for (i, &b) in buf.iter().enumerate() {
            match b {
                b'0'..=b'9' if i < 10 => {
                    len = len * 10 + usize::from(b - b'0');
                }
                b' ' => {
                    if len > max {
                        return Err(FramingError::TooLarge);
                    }
                    let start = i + 1;
                    let end = start + len;
                    return Ok((buf.len() >= end).then_some((end, start..end)));
                }
                _ => return Err(FramingError::BadCount),
            }
        }
        Ok(None)
    } else {
        match buf.iter().position(|&b| b == b'\n') {
            Some(lf) if lf > max => Err(FramingError::TooLarge),
            Some(lf) => Ok(Some((lf + 1, 0..lf))),
            None if buf.len() > max => Err(FramingError::TooLarge),
            None => Ok(None),
        }
    }
}

/// What is left in the buffer when the peer closes: an LF-framed message
/// missing its final LF is still a message; a partial octet-counted frame is
/// not (`None`).
pub(crate) fn trailing_frame(buf: &[u8]) -> Option<&[u8]> {
    match buf.first() {
        Some(b) if !b.is_ascii_digit() => Some(buf),
        _ => None,
    }
}
