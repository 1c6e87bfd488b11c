//! Raw HTTP clients that misbehave on purpose: slowloris, idle and
//! partial-header connections, a `Content-Length` that lies, and hostile
//! bodies; and a `/health` prober.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How an attacking connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// How long the collector kept it open.
    pub open: Duration,
    /// The status it answered, if any.
    pub status: Option<u16>,
    /// Whether the collector closed it (else the attacker gave up).
    pub closed: bool,
}

/// What a connection attack does once connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slow {
    /// Sends nothing.
    Idle,
    /// Sends a partial request head, then nothing.
    PartialHead,
    /// Sends a request head a byte every 200 ms, never ending it.
    Slowloris,
    /// A complete head with `Content-Length: 5000000`, then 10 bytes.
    ShortBody,
}

/// Connects to `addr` again and again until `stop`, doing `how` on each
/// connection, and 250 ms after one ended (holding connections, not
/// flooding the machine's two cores); returns how each ended (attempts
/// refused at connect are not counted). Gives up on a connection after
/// `give_up`.
pub fn slow_connections(
    addr: SocketAddr,
    how: Slow,
    stop: &AtomicBool,
    give_up: Duration,
) -> Vec<Held> {
    let mut held = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
            thread::sleep(Duration::from_millis(50));
            continue;
        };
        let opened = Instant::now();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .ok();
        let mut head: &[u8] = b"POST /frames HTTP/1.1\r\nHost: collector\r\nX-Padding: ";
        let first: &[u8] = match how {
            Slow::Idle | Slow::Slowloris => b"",
            Slow::PartialHead => b"GET /health HTTP/1.1\r\nHost: collector\r\n",
            Slow::ShortBody => {
                b"POST /frames HTTP/1.1\r\nHost: collector\r\nContent-Type: application/x-ndjson\r\n\
                  Content-Length: 5000000\r\n\r\n{\"a\":1}\n\r\n"
            }
        };
        let mut closed = stream.write_all(first).is_err();
        let mut response = Vec::new();
        let mut buf = [0_u8; 1024];
        while !closed && opened.elapsed() < give_up {
            if how == Slow::Slowloris {
                let byte = head.first().copied().unwrap_or(b'a');
                head = head.get(1..).unwrap_or_default();
                if stream.write_all(&[byte]).is_err() {
                    closed = true;
                    break;
                }
            }
            match stream.read(&mut buf) {
                Ok(0) => closed = true,
                Ok(n) => response.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => closed = true,
            }
        }
        held.push(Held {
            open: opened.elapsed(),
            status: status_of(&response),
            closed,
        });
        thread::sleep(Duration::from_millis(250));
    }
    held
}

/// The status code of an HTTP response's first line.
pub fn status_of(response: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(response.get(..12)?).ok()?;
    text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// Sends one request (`Connection: close`) and reads the answer's status;
/// a failed write (the collector answered early and closed) still reads
/// the answer.
pub fn request(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
) -> (Option<u16>, Duration) {
    let start = Instant::now();
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, timeout) else {
        return (None, start.elapsed());
    };
    stream.set_read_timeout(Some(timeout)).ok();
    stream.set_write_timeout(Some(timeout)).ok();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: collector\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let wrote = stream.write_all(head.as_bytes()).is_ok();
    if wrote {
        for chunk in body.chunks(64 * 1024) {
            if stream.write_all(chunk).is_err() {
                break;
            }
        }
    }
    let mut response = Vec::new();
    let mut buf = [0_u8; 4096];
    while response.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    (status_of(&response), start.elapsed())
}

/// What one `GET` got.
#[derive(Debug, Clone)]
pub struct Got {
    pub status: Option<u16>,
    pub took: Duration,
    pub response: Vec<u8>,
    /// Why there is no answer (connect, write or read error, or an empty
    /// answer).
    pub error: Option<String>,
}

/// `GET {path}` on a fresh connection (`Connection: close`).
pub fn get(addr: SocketAddr, path: &str, timeout: Duration) -> Got {
    let start = Instant::now();
    let failed = |what: String| Got {
        status: None,
        took: start.elapsed(),
        response: Vec::new(),
        error: Some(what),
    };
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(stream) => stream,
        Err(e) => return failed(format!("connect: {e}")),
    };
    stream.set_read_timeout(Some(timeout)).ok();
    let head = format!("GET {path} HTTP/1.1\r\nHost: collector\r\nConnection: close\r\n\r\n");
    if let Err(e) = stream.write_all(head.as_bytes()) {
        return failed(format!("write: {e}"));
    }
    let mut response = Vec::new();
    let read = stream.read_to_end(&mut response);
    let status = status_of(&response);
    let error = match (status, read) {
        (Some(_), _) => None,
        (None, Err(e)) => Some(format!("read: {e}")),
        (None, Ok(n)) => Some(format!("{n} bytes, no status line")),
    };
    Got {
        status,
        took: start.elapsed(),
        response,
        error,
    }
}

/// The body of an HTTP response (after the blank line).
pub fn body_of(response: &[u8]) -> &[u8] {
    response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(&[][..], |i| &response[i + 4..])
}

/// Runs `f` on `n` threads with small stacks until they return.
pub fn on_threads<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let f = Arc::new(&f);
    thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let f = f.clone();
                thread::Builder::new()
                    .stack_size(128 * 1024)
                    .spawn_scoped(s, move || f(i))
                    .expect("spawning an attacker")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an attacker panicked"))
            .collect()
    })
}

/// Pseudo-random bytes (xorshift), the same for a seed.
pub fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A request body meant to hurt.
#[derive(Debug, Clone)]
pub struct HostileBody {
    pub name: &'static str,
    pub path: &'static str,
    pub content_type: &'static str,
    /// Headers besides `Content-Type` (a lying `Content-Length`, gzip).
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// The hostile bodies, with gzip bombs of `bomb_mb` MiB.
pub fn hostile_bodies(bomb_mb: usize) -> Vec<HostileBody> {
    let ndjson = "application/x-ndjson";
    let msgpack = "application/msgpack";
    let protobuf = "application/x-protobuf";
    let json = "application/json";
    let bomb = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..bomb_mb {
            encoder.write_all(&zeros).ok();
        }
        encoder.finish().unwrap_or_default()
    };
    let gzip = || vec![("Content-Encoding", "gzip".to_owned())];
    [
        (
            "random bytes as msgpack",
            "/frames",
            msgpack,
            vec![],
            noise(1, 64 * 1024),
        ),
        (
            "msgpack nested 1,000,000 deep",
            "/frames",
            msgpack,
            vec![],
            vec![0x91; 1_000_000],
        ),
        (
            "msgpack str32 claiming 4 GiB",
            "/frames",
            msgpack,
            vec![],
            vec![0x91, 0xdb, 0xff, 0xff, 0xff, 0xff, b'a'],
        ),
        (
            "msgpack map32 claiming 4 billion entries",
            "/frames",
            msgpack,
            vec![],
            vec![0x91, 0xdf, 0xff, 0xff, 0xff, 0xff],
        ),
        (
            "NDJSON nested 1,000,000 deep",
            "/frames",
            ndjson,
            vec![],
            vec![b'['; 1_000_000],
        ),
        (
            "NDJSON not UTF-8",
            "/frames",
            ndjson,
            vec![],
            b"{\"message\":\"\xff\xfe\"}\n".to_vec(),
        ),
        (
            "NDJSON 10 MiB of garbage",
            "/frames",
            ndjson,
            vec![],
            noise(2, 10 << 20),
        ),
        ("gzip bomb", "/frames", ndjson, gzip(), bomb.clone()),
        (
            "gzip that is not gzip",
            "/frames",
            ndjson,
            gzip(),
            noise(3, 4096),
        ),
        (
            "Content-Length over max_body",
            "/frames",
            ndjson,
            vec![("Content-Length", (11 << 20).to_string())],
            Vec::new(),
        ),
        (
            "OTLP protobuf garbage",
            "/v1/logs",
            protobuf,
            vec![],
            noise(4, 64 * 1024),
        ),
        (
            "OTLP protobuf nested 100,000 deep",
            "/v1/logs",
            protobuf,
            vec![],
            nested_protobuf(100_000),
        ),
        (
            "OTLP JSON nested 1,000,000 deep",
            "/v1/logs",
            json,
            vec![],
            [&b"{\"resourceLogs\":"[..], &vec![b'['; 1_000_000]].concat(),
        ),
        ("OTLP gzip bomb", "/v1/logs", json, gzip(), bomb),
        (
            "unknown content type",
            "/frames",
            "text/html",
            vec![],
            b"<html>".to_vec(),
        ),
    ]
    .into_iter()
    .map(|(name, path, content_type, headers, body)| HostileBody {
        name,
        path,
        content_type,
        headers,
        body,
    })
    .collect()
}

/// A protobuf message nesting field 1 (length-delimited) `depth` times.
fn nested_protobuf(depth: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..depth {
        // Each level: tag 0x0a, then the remaining length as a varint; an
        // honest length is not needed to make a decoder recurse.
        out.push(0x0a);
        let remaining = (depth - i - 1) * 2;
        let mut v = remaining as u64;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}
