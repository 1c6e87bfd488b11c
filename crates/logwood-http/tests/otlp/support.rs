//! Shared helpers: test-sized layers, a capture server keeping raw bodies,
//! decoding with the official generated types.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logwood_collector::{Collector, CollectorBuilder, Output};
use logwood_http::{DeliveryError, JitterMode, OtlpLayer, OtlpLayerBuilder, OtlpProtocol, Stats};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use prost::Message as _;
use tracing_subscriber::prelude::*;

/// How long a test waits for records at most (a bound, not a measurement).
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// A collector keeping what it receives in memory.
pub(crate) fn collector() -> CollectorBuilder {
    Collector::builder().out(Output::Memory)
}

/// A layer builder posting to `base` with test-sized timings.
pub(crate) fn layer(base: &str) -> OtlpLayerBuilder {
    OtlpLayer::builder(base)
        .retry_initial(Duration::from_millis(10))
        .retry_max(Duration::from_secs(5))
        .retry_jitter(JitterMode::None)
        .request_timeout(Duration::from_secs(10))
        .flush_interval(Duration::from_millis(50))
        .shutdown_timeout(Duration::from_secs(20))
        .log_internal_errors(false)
}

/// Asserts the accounting identity and returns the stats.
#[track_caller]
pub(crate) fn accounted(stats: Stats) -> Stats {
    assert_eq!(
        stats.emitted,
        stats.sent + stats.dropped + stats.failed + stats.queued,
        "the accounting identity does not hold: {stats:?}"
    );
    assert!(stats.rejected <= stats.failed, "{stats:?}");
    stats
}

/// Runs `f` with `layer` as the thread's subscriber.
pub(crate) fn with_layer<R>(layer: OtlpLayer, f: impl FnOnce() -> R) -> R {
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f)
}

/// An `on_error` callback collecting every report.
#[allow(clippy::type_complexity)]
pub(crate) fn error_log() -> (
    impl Fn(&DeliveryError) + Send + Sync + 'static,
    Arc<Mutex<Vec<DeliveryError>>>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    (
        move |e: &DeliveryError| log.lock().unwrap().push(e.clone()),
        seen,
    )
}

/// One request as the capture server got it.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// A minimal HTTP/1.1 server that keeps every request body and answers
/// `200` with an empty body: for decoding the bytes the layer sent.
pub(crate) struct Capture {
    pub(crate) url: String,
    bodies: Arc<Mutex<Vec<Captured>>>,
    stop: Arc<AtomicBool>,
}

impl Capture {
    pub(crate) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, s) = (Arc::clone(&bodies), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let b = Arc::clone(&b);
                        std::thread::spawn(move || serve(stream, &b));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { url, bodies, stop }
    }

    pub(crate) fn bodies(&self) -> Vec<Captured> {
        self.bodies.lock().unwrap().clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Serves one connection: requests until the peer closes it.
fn serve(stream: TcpStream, bodies: &Mutex<Vec<Captured>>) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut content_type = String::new();
        let mut line = String::new();
        // The request line, then headers up to the blank line.
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() && !first {
                break;
            }
            first = false;
            if let Some((name, value)) = trimmed.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "content-type" => content_type = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        bodies.lock().unwrap().push(Captured { content_type, body });
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}

/// Decodes a body with the official generated types.
pub(crate) fn decode(captured: &Captured) -> ExportLogsServiceRequest {
    match captured.content_type.as_str() {
        "application/x-protobuf" => ExportLogsServiceRequest::decode(&captured.body[..])
            .unwrap_or_else(|e| panic!("protobuf body does not decode: {e}")),
        "application/json" => serde_json::from_slice(&captured.body)
            .unwrap_or_else(|e| panic!("JSON body does not decode: {e}")),
        other => panic!("unexpected Content-Type {other:?}"),
    }
}

/// The content type of a protocol.
pub(crate) fn content_type(protocol: OtlpProtocol) -> &'static str {
    protocol.content_type()
}

/// Attribute keys appearing more than once.
pub(crate) fn duplicate_keys(attributes: &[KeyValue]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    attributes
        .iter()
        .filter(|kv| !seen.insert(kv.key.as_str()))
        .map(|kv| kv.key.clone())
        .collect()
}

/// The value of attribute `key`.
pub(crate) fn attr<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Any> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
}
