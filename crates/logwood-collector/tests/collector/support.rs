//! A minimal HTTP/1.1 client over `std::net::TcpStream`, and batch builders.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// One keep-alive connection.
pub(crate) struct Client {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The whole response as text, for "does not contain" checks.
    pub(crate) fn text(&self) -> String {
        let mut text = format!("{}\n", self.status);
        for (n, v) in &self.headers {
            text.push_str(&format!("{n}: {v}\n"));
        }
        text.push_str(&String::from_utf8_lossy(&self.body));
        text
    }
}

impl Client {
    pub(crate) fn connect(addr: SocketAddr) -> Self {
        let writer = TcpStream::connect(addr).unwrap();
        writer
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        writer.set_nodelay(true).unwrap();
        let reader = BufReader::new(writer.try_clone().unwrap());
        Self { writer, reader }
    }

    pub(crate) fn set_read_timeout(&mut self, timeout: Duration) {
        self.writer.set_read_timeout(Some(timeout)).unwrap();
    }

    /// Sends a request with a `Content-Length` body and reads the answer.
    pub(crate) fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: collector\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if method != "GET" || !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        self.send_raw(head.as_bytes())?;
        self.send_raw(body)?;
        self.read_response()
    }

    pub(crate) fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)
    }

    pub(crate) fn get(&mut self, path: &str) -> io::Result<Response> {
        self.request("GET", path, &[], b"")
    }

    pub(crate) fn post(
        &mut self,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> io::Result<Response> {
        self.request("POST", path, &[("Content-Type", content_type)], body)
    }

    pub(crate) fn read_response(&mut self) -> io::Result<Response> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed without an answer",
            ));
        }
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            let (name, value) = trimmed.split_once(':').unwrap();
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Whether the server closed the connection (EOF or reset) within the
    /// read timeout.
    pub(crate) fn is_closed(&mut self) -> bool {
        let mut byte = [0; 1];
        matches!(self.reader.read(&mut byte), Ok(0) | Err(_))
    }

    /// Whether the server closes the connection (EOF or reset) within `wait`;
    /// anything it sends meanwhile is read and dropped.
    pub(crate) fn closed_within(&mut self, wait: Duration) -> bool {
        closed_within(&mut self.reader, wait)
    }
}

/// Whether the peer closes `stream` (EOF or reset) within `wait`, as opposed
/// to the wait running out; what it sends meanwhile is read and dropped.
pub(crate) fn closed_within<R: Read + AsTcp>(stream: &mut R, wait: Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    let mut buf = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        stream.tcp().set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return true,
        }
    }
}

/// The socket under a reader, for its read timeout.
pub(crate) trait AsTcp {
    fn tcp(&self) -> &TcpStream;
}

impl AsTcp for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl AsTcp for BufReader<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref()
    }
}

/// Polls `condition` every 10 ms until it holds or `wait` passes; returns
/// whether it held.
pub(crate) fn eventually(wait: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + wait;
    loop {
        if condition() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A connection that sent `bytes` (e.g. part of a request head) and nothing
/// more.
pub(crate) fn partial(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream.write_all(bytes).unwrap();
    stream
}

/// The start of a request head, never finished.
pub(crate) const PARTIAL_HEAD: &[u8] = b"GET /health HTTP/1.1\r\nHost: collector\r\nX-Slow: ";

/// One request on a fresh connection.
pub(crate) fn post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Response> {
    Client::connect(addr).request("POST", path, headers, body)
}

pub(crate) const MSGPACK: &str = "application/msgpack";
pub(crate) const NDJSON: &str = "application/x-ndjson";

/// Encodes a record tree as msgpack, keys in the order given.
pub(crate) fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => rmp::encode::write_nil(out).unwrap(),
        Value::Bool(b) => rmp::encode::write_bool(out, *b).unwrap(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                rmp::encode::write_uint(out, u).unwrap();
            } else if let Some(i) = n.as_i64() {
                rmp::encode::write_sint(out, i).unwrap();
            } else {
                rmp::encode::write_f64(out, n.as_f64().unwrap()).unwrap();
            }
        }
        Value::String(s) => rmp::encode::write_str(out, s).unwrap(),
        Value::Array(items) => {
            rmp::encode::write_array_len(out, items.len() as u32).unwrap();
            items.iter().for_each(|item| encode(item, out));
        }
        Value::Object(map) => {
            rmp::encode::write_map_len(out, map.len() as u32).unwrap();
            for (k, v) in map {
                rmp::encode::write_str(out, k).unwrap();
                encode(v, out);
            }
        }
    }
}

pub(crate) fn msgpack_batch(records: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&Value::Array(records.to_vec()), &mut out);
    out
}

pub(crate) fn ndjson_batch(records: &[Value]) -> Vec<u8> {
    records
        .iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

/// A logwood-shaped record with `i` in its message.
pub(crate) fn record(i: usize) -> Value {
    serde_json::json!({
        "dt": "2026-11-20T03:44:21.221232Z",
        "level": "info",
        "message": format!("Order #{i} placed"),
        "order_placed": {"id": i, "total": 520.23},
        "context": {
            "runtime": {"function": "place_order", "line": 23, "thread_id": "8123"},
            "system": {"pid": 20643, "hostname": "web-1"},
            "user": {"id": 42}
        }
    })
}

pub(crate) fn records(n: usize) -> Vec<Value> {
    (0..n).map(record).collect()
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}
