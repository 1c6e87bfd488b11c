//! RELP, rsyslog's Reliable Event Logging Protocol (what `imrelp` speaks),
//! over a TCP or TLS [`Conn`]: the `open` handshake, transaction numbers,
//! reading the server's frames, and `close`. Which records are in flight
//! and what an acknowledgement settles is the worker's business
//! (`worker/relp.rs`).

pub(crate) mod frame;

use std::io;
use std::time::{Duration, Instant};

use logwood_core::{DeliveryError, ErrorKind};

use self::frame::{Frame, Parsed, next_txnr, parse_frame, write_frame};
use super::{Conn, Target};

/// How much is read from the socket at once.
const READ_CHUNK: usize = 16 * 1024;

/// Why a session cannot go on.
#[derive(Debug)]
pub(crate) enum Broken {
    /// The server ended the session: the `serverclose` hint, or end of
    /// stream.
    Closed(&'static str),
    /// The server sent something that is not RELP, or an answer to a
    /// transaction that is not open.
    Protocol(String),
    /// Reading or writing failed.
    Io(io::Error),
}

// === impl Broken ===

impl Broken {
    /// What happened, for a report: "closed the RELP session (…)".
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Closed(how) => format!("closed the RELP session ({how})"),
            Self::Protocol(what) => format!("broke the RELP protocol ({what})"),
            Self::Io(_) => "failed: the RELP session is broken".into(),
        }
    }

    /// The I/O error, if that is what broke the session.
    pub(crate) fn into_source(self) -> Option<io::Error> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// An open RELP session.
#[derive(Debug)]
pub(crate) struct Session {
    conn: Conn,
    /// The last transaction number used (`open` is 1).
    txnr: u32,
    /// Bytes received and not yet parsed into frames.
    rx: Vec<u8>,
}

// === impl Session ===

impl Session {
    /// Sends `open` on `conn` and checks the server's answer, within
    /// `timeout`. The errors name `target`.
    pub(crate) fn open(
        conn: Conn,
        timeout: Duration,
        target: &Target,
    ) -> Result<Self, DeliveryError> {
        let mut session = Self {
            conn,
            txnr: 0,
            rx: Vec::new(),
        };
        let deadline = Instant::now() + timeout;
        let txnr = session.next_txnr();
        let mut out = Vec::new();
        write_frame(&mut out, txnr, "open", &frame::open_offers());
        session.conn.set_write_timeout(timeout);
        let failed = |e: Broken| {
            let message = format!(
                "opening a RELP session with {target}: the server {}",
                e.describe()
            );
            let error = DeliveryError::new(ErrorKind::Connect, message);
            match e.into_source() {
                Some(source) => error.with_source(source),
                None => error,
            }
        };
        session.send(&out).map_err(|e| failed(Broken::Io(e)))?;
        let mut answer: Option<Result<(), String>> = None;
        while answer.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DeliveryError::new(
                    ErrorKind::Timeout,
                    format!(
                        "opening a RELP session with {target}: no answer to `open` within {timeout:?} \
                         (`connect_timeout`)"
                    ),
                ));
            }
            session
                .receive(left, |f| match (f.txnr, f.command) {
                    (1, b"rsp") => {
                        answer = Some(frame::check_open_answer(f.data));
                        Ok(())
                    }
                    (0, b"serverclose") => Err(Broken::Closed("serverclose")),
                    _ => Err(Broken::Protocol(
                        "an answer to `open` was expected".to_owned(),
                    )),
                })
                .map_err(failed)?;
        }
        match answer {
            Some(Err(why)) => Err(DeliveryError::new(
                ErrorKind::Connect,
                format!("opening a RELP session with {target}: {why}"),
            )),
            _ => Ok(session),
        }
    }

    /// The next transaction number (1 … 999,999,999, then 1 again).
    pub(crate) fn next_txnr(&mut self) -> u32 {
        self.txnr = next_txnr(self.txnr);
        self.txnr
    }

    /// Writes frames.
    pub(crate) fn send(&mut self, frames: &[u8]) -> io::Result<()> {
        self.conn.write_stream(frames)
    }

    /// Sets the timeout of each write.
    pub(crate) fn set_write_timeout(&self, timeout: Duration) {
        self.conn.set_write_timeout(timeout);
    }

    /// Whether the server has closed the connection (checked on an idle
    /// session, where nothing it could send is awaited).
    pub(crate) fn peer_closed(&mut self) -> bool {
        self.conn.peer_closed()
    }

    /// Waits at most `timeout` for frames from the server and gives each to
    /// `on_frame`, which may end the session; returns how many arrived (0
    /// when none came in time).
    pub(crate) fn receive(
        &mut self,
        timeout: Duration,
        mut on_frame: impl FnMut(Frame<'_>) -> Result<(), Broken>,
    ) -> Result<usize, Broken> {
        let mut chunk = [0u8; READ_CHUNK];
        let n = match self.conn.read_timeout(&mut chunk, timeout) {
            Ok(0) => return Err(Broken::Closed("end of stream")),
            Ok(n) => n,
            Err(e) if is_timeout(&e) => return Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(Broken::Io(e)),
        };
        self.rx.extend_from_slice(&chunk[..n]);
        let mut used = 0;
        let mut frames = 0;
        let result = loop {
            match parse_frame(&self.rx[used..]) {
                Parsed::Frame(f, len) => {
                    used += len;
                    frames += 1;
                    if let Err(e) = on_frame(f) {
                        break Err(e);
                    }
                }
                Parsed::Incomplete => break Ok(frames),
                Parsed::Invalid(why) => break Err(Broken::Protocol(why.to_owned())),
            }
        };
        self.rx.drain(..used);
        result
    }

    /// Ends the session at shutdown: sends `close`, waits until `until`
    /// for its answer (or the server's `serverclose` or end of stream),
    /// then closes the connection (TLS with close_notify).
    pub(crate) fn close(mut self, until: Instant) {
        let txnr = self.next_txnr();
        let mut out = Vec::new();
        write_frame(&mut out, txnr, "close", b"");
        self.set_write_timeout(until.saturating_duration_since(Instant::now()));
        if self.send(&out).is_ok() {
            let mut answered = false;
            while !answered {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                let result = self.receive(left, |f| {
                    if f.txnr == txnr && f.command == b"rsp" {
                        answered = true;
                    }
                    Ok(())
                });
                if result.is_err() {
                    break;
                }
            }
        }
        self.conn.close(until);
    }

    /// Drops the session without `close` (records are still unanswered):
    /// closes the connection, waiting at most until `until`.
    pub(crate) fn abandon(self, until: Instant) {
        self.conn.close(until);
    }
}

/// Whether a read error means "nothing arrived in time".
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
