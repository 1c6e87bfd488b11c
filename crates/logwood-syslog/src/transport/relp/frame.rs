//! RELP frames (librelp's `doc/relp.md`): writing the client's commands and
//! parsing the server's frames, with no I/O.
//!
//! ```text
//! FRAME    = TXNR SP COMMAND SP DATALEN [SP DATA] LF
//! TXNR     = 1*9DIGIT      ; 1 … 999,999,999, then 1 again; 0 for hints
//! COMMAND  = 1*32ALPHA     ; open, syslog, close; rsp, serverclose from the server
//! DATALEN  = 1*9DIGIT      ; octets of DATA (no DATA and no SP when 0)
//! RSP DATA = STATUS [SP HUMAN-TEXT] [LF CMDDATA]   ; STATUS 200 is OK, anything else an error
//! ```

/// The largest transaction number; the one after it is 1.
pub(crate) const MAX_TXNR: u32 = 999_999_999;

/// The largest DATA accepted in a frame from the server. Its answers are
/// short (`200 OK`, the `open` offers); librelp's own client limit is the
/// same 128 KiB.
pub(crate) const MAX_SERVER_DATA: usize = 128 * 1024;

/// The transaction number after `txnr`: 1 after [`MAX_TXNR`] (0 is for
/// hints, never used by a command).
pub(crate) fn next_txnr(txnr: u32) -> u32 {
    if txnr >= MAX_TXNR { 1 } else { txnr + 1 }
}

/// Appends one frame to `out`.
pub(crate) fn write_frame(out: &mut Vec<u8>, txnr: u32, command: &str, data: &[u8]) {
    let mut digits = itoa::Buffer::new();
    out.extend_from_slice(digits.format(txnr).as_bytes());
    out.push(b' ');
    out.extend_from_slice(command.as_bytes());
    out.push(b' ');
    out.extend_from_slice(digits.format(data.len()).as_bytes());
    if !data.is_empty() {
        out.push(b' ');
        out.extend_from_slice(data);
    }
    out.push(b'\n');
}

/// The offers of the client's `open` command: the `syslog` command, the
/// software, and the protocol version librelp speaks (0; the server answers
/// with the version it will use).
pub(crate) fn open_offers() -> Vec<u8> {
    format!(
        "commands=syslog\nrelp_software=logwood,{},{}\nrelp_version=0",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
    .into_bytes()
}

/// A frame received from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame<'a> {
    pub(crate) txnr: u32,
    pub(crate) command: &'a [u8],
    pub(crate) data: &'a [u8],
}

/// What [`parse_frame`] found at the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed<'a> {
    /// A whole frame, and how many bytes it took.
    Frame(Frame<'a>, usize),
    /// The frame is not complete yet: read more.
    Incomplete,
    /// Not a RELP frame: the session is unusable.
    Invalid(&'static str),
}

/// Parses the frame at the start of `buf`.
pub(crate) fn parse_frame(buf: &[u8]) -> Parsed<'_> {
    let mut at = 0;
    let txnr = match number(buf, &mut at, Field::Txnr) {
        Ok(Some(n)) => n,
        Ok(None) => return Parsed::Incomplete,
        Err(e) => return Parsed::Invalid(e),
    };
    let command_start = at;
    loop {
        match buf.get(at) {
            None => return Parsed::Incomplete,
            Some(b' ') if at > command_start => break,
            Some(b) if b.is_ascii_alphabetic() && at - command_start < 32 => at += 1,
            Some(_) => return Parsed::Invalid("the command is not 1 to 32 letters"),
        }
    }
    let command = &buf[command_start..at];
    at += 1;
    let len = match number(buf, &mut at, Field::DataLen) {
        Ok(Some(n)) => n as usize,
        Ok(None) => return Parsed::Incomplete,
        Err(e) => return Parsed::Invalid(e),
    };
    if len > MAX_SERVER_DATA {
        return Parsed::Invalid("DATALEN is larger than 128 KiB");
    }
    // `number` stopped on the byte after the digits: SP before DATA, or the
    // trailer when there is none.
    let data_start = if len == 0 { at } else { at + 1 };
    let end = data_start + len;
    if buf.len() <= end {
        return Parsed::Incomplete;
    }
    if len > 0 && buf[at] != b' ' {
        return Parsed::Invalid("no space between DATALEN and DATA");
    }
    if buf[end] != b'\n' {
        return Parsed::Invalid("the frame does not end with LF");
    }
    Parsed::Frame(
        Frame {
            txnr,
            command,
            data: &buf[data_start..end],
        },
        end + 1,
    )
}

/// A number in a frame's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// TXNR, always followed by SP (consumed).
    Txnr,
    /// DATALEN, followed by SP and DATA, or by the trailer LF (neither
    /// consumed).
    DataLen,
}

/// Reads the 1 to 9 digits of `field` at `*at`, leaving `*at` after them
/// (after the SP for TXNR); `None` when the byte after them has not
/// arrived yet.
fn number(buf: &[u8], at: &mut usize, field: Field) -> Result<Option<u32>, &'static str> {
    let start = *at;
    let mut n: u32 = 0;
    loop {
        match (buf.get(*at), field) {
            (None, _) => return Ok(None),
            (Some(b), _) if b.is_ascii_digit() => {
                if *at - start == 9 {
                    return Err("a number has more than 9 digits");
                }
                n = n * 10 + u32::from(b - b'0');
                *at += 1;
            }
            (Some(b' '), Field::Txnr) if *at > start => {
                *at += 1;
                return Ok(Some(n));
            }
            (Some(b' ' | b'\n'), Field::DataLen) if *at > start => return Ok(Some(n)),
            (Some(_), Field::Txnr) => return Err("the TXNR is not a number followed by a space"),
            (Some(_), Field::DataLen) => return Err("DATALEN is not a number"),
        }
    }
}

/// The status of a `rsp` frame's DATA: `200` for OK; `None` when it does
/// not start with three digits (the answer to `close` has no DATA at all).
pub(crate) fn status(data: &[u8]) -> Option<u16> {
    match data {
        [a, b, c, rest @ ..]
            if [a, b, c].iter().all(|d| d.is_ascii_digit())
                && rest.first().is_none_or(|d| matches!(d, b' ' | b'\n')) =>
        {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

/// The first line of a `rsp` frame's DATA, printable ASCII only and at most
/// 80 characters, for an error message.
pub(crate) fn human_text(data: &[u8]) -> String {
    let line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    line.iter()
        .take(80)
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

/// Checks the answer to `open`: `200`, a `relp_version` offer, and the
/// `syslog` command among the server's `commands`. The error says why not.
pub(crate) fn check_open_answer(data: &[u8]) -> Result<(), String> {
    if status(data) != Some(200) {
        return Err(format!("it refused the session: {:?}", human_text(data)));
    }
    let mut offers = data.split(|&b| b == b'\n').skip(1);
    let mut version = false;
    let mut syslog = false;
    for offer in offers.by_ref() {
        let (name, values) = match offer.iter().position(|&b| b == b'=') {
            Some(i) => (&offer[..i], &offer[i + 1..]),
            None => (offer, &b""[..]),
        };
        match name {
            b"relp_version" => version = !values.is_empty(),
            b"commands" => syslog |= values.split(|&b| b == b',').any(|c| c == b"syslog"),
            _ => {}
        }
    }
    match (version, syslog) {
        (true, true) => Ok(()),
        (false, _) => Err("its answer to `open` has no `relp_version`".into()),
        (true, false) => Err("it does not offer the `syslog` command".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(bytes: &[u8]) -> (Frame<'_>, usize) {
        match parse_frame(bytes) {
            Parsed::Frame(f, n) => (f, n),
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn writes_frames_with_and_without_data() {
        let mut out = Vec::new();
        write_frame(&mut out, 2, "syslog", "<14>1 - h a - - - é".as_bytes());
        write_frame(&mut out, 999_999_999, "close", b"");
        assert_eq!(
            out,
            "2 syslog 20 <14>1 - h a - - - é\n999999999 close 0\n".as_bytes()
        );
        let offers = String::from_utf8(open_offers()).unwrap();
        assert!(offers.starts_with("commands=syslog\nrelp_software=logwood,"));
        assert!(offers.ends_with("\nrelp_version=0"));
    }

    #[test]
    fn transaction_numbers_wrap_after_999_999_999_to_1() {
        assert_eq!(next_txnr(1), 2);
        assert_eq!(next_txnr(MAX_TXNR - 1), MAX_TXNR);
        assert_eq!(next_txnr(MAX_TXNR), 1);
    }

    #[test]
    fn parses_what_imrelp_sends() {
        // rsyslog 8.2302 / librelp 1.11, as read from the wire.
        let open = b"1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n";
        let (f, n) = frame(open);
        assert_eq!((f.txnr, f.command, n), (1, &b"rsp"[..], open.len()));
        assert_eq!(check_open_answer(f.data), Ok(()));

        let acks = b"2 rsp 6 200 OK\n3 rsp 0\n0 serverclose 0\n";
        let (f, n) = frame(acks);
        assert_eq!(
            (f.txnr, f.data, status(f.data)),
            (2, &b"200 OK"[..], Some(200))
        );
        let (f, m) = frame(&acks[n..]);
        assert_eq!(
            (f.txnr, f.command, f.data, status(f.data)),
            (3, &b"rsp"[..], &b""[..], None)
        );
        let (f, _) = frame(&acks[n + m..]);
        assert_eq!((f.txnr, f.command), (0, &b"serverclose"[..]));
    }

    #[test]
    fn incomplete_frames_wait_for_more() {
        let whole = b"12 rsp 6 200 OK\n";
        for cut in 0..whole.len() {
            assert_eq!(
                parse_frame(&whole[..cut]),
                Parsed::Incomplete,
                "cut at {cut}"
            );
        }
        assert!(matches!(parse_frame(whole), Parsed::Frame(..)));
    }

    #[test]
    fn refuses_what_is_not_a_frame() {
        for bad in [
            &b"x rsp 0\n"[..],
            b"1 r5p 0\n",
            b"1  rsp 0\n",
            b"1 rsp x\n",
            b"1 rsp 2 OKx",
            b"1 rsp 2xOK\n",
            b"1234567890 rsp 0\n",
            b"1 rsp 999999999 ",
            b"1\nrsp 0\n",
        ] {
            assert!(
                matches!(parse_frame(bad), Parsed::Invalid(_)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn statuses_and_open_answers() {
        assert_eq!(status(b"200 OK"), Some(200));
        assert_eq!(status(b"500 error"), Some(500));
        assert_eq!(status(b"200"), Some(200));
        assert_eq!(status(b"20"), None);
        assert_eq!(status(b"2000"), None);
        assert_eq!(human_text(b"500 no\x01 way\nmore"), "500 no? way");
        assert!(
            check_open_answer(b"500 error 10003 on connect")
                .unwrap_err()
                .contains("refused")
        );
        assert!(
            check_open_answer(b"200 OK\ncommands=syslog")
                .unwrap_err()
                .contains("relp_version")
        );
        assert!(
            check_open_answer(b"200 OK\nrelp_version=0\ncommands=eventlog")
                .unwrap_err()
                .contains("syslog")
        );
        assert_eq!(
            check_open_answer(b"200 OK\nrelp_version=1\ncommands=eventlog,syslog"),
            Ok(())
        );
    }
}
