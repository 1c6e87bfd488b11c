//! Delimiting records on a stream (RFC 6587).

/// How records are delimited on a stream transport (TCP, TLS, Unix
/// stream). Datagram transports (UDP, Unix datagram) send one record per
/// datagram and ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Framing {
    /// RFC 6587 octet counting (`LEN SP MSG`), required by RFC 5425 for
    /// TLS: a record may hold any byte, line breaks included. The default
    /// for TCP and TLS.
    OctetCounting,
    /// RFC 6587 non-transparent framing: each record ends with `\n`. Every
    /// `\n` inside a record is sent as a space, so that it cannot end the
    /// record early and forge a second one. The default for Unix stream
    /// sockets, which local daemons read line by line.
    LineFeed,
}

/// Appends `record` to `out` with `framing`.
pub(crate) fn frame(out: &mut Vec<u8>, record: &[u8], framing: Framing) {
    match framing {
        Framing::OctetCounting => {
            out.extend_from_slice(itoa::Buffer::new().format(record.len()).as_bytes());
            out.push(b' ');
            out.extend_from_slice(record);
        }
        Framing::LineFeed => {
            let start = out.len();
            out.extend_from_slice(record);
            for b in &mut out[start..] {
                if *b == b'\n' {
                    *b = b' ';
                }
            }
            out.push(b'\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octet_counting_prefixes_the_byte_length() {
        let mut out = Vec::new();
        frame(
            &mut out,
            "<14>1 - - - - - - é\nx".as_bytes(),
            Framing::OctetCounting,
        );
        frame(&mut out, b"", Framing::OctetCounting);
        assert_eq!(out, "22 <14>1 - - - - - - é\nx0 ".as_bytes());
    }

    #[test]
    fn line_feed_framing_cannot_be_forged_by_a_newline_in_the_record() {
        let mut out = Vec::new();
        frame(&mut out, b"<14>a\n<11>forged\n", Framing::LineFeed);
        frame(&mut out, b"<14>b", Framing::LineFeed);
        assert_eq!(out, b"<14>a <11>forged \n<14>b\n");
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
    }
}
