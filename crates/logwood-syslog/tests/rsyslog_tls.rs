//! TLS: verification, a wrong server name, mutual TLS, clean close.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use logwood_syslog::{ErrorKind, SyslogLayer};
use logwood_testkit::rsyslog::{Rsyslog, TlsAuthMode};
use support::{Via, WAIT, assert_accounted, marker, run};
use tracing_subscriber::prelude::*;

/// The errors the callback was given.
type Seen = Arc<Mutex<Vec<(ErrorKind, String)>>>;

/// Collects the errors given to the callback.
fn collector() -> (
    Seen,
    impl Fn(&logwood_syslog::DeliveryError) + Send + Sync + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |e: &logwood_syslog::DeliveryError| {
        sink.lock().unwrap().push((e.kind(), e.to_string()));
    })
}

#[test]
fn tls_verified_with_the_ca_file_delivers_and_closes_with_close_notify() {
    let server = Rsyslog::builder().udp(false).start().unwrap();
    let marker = marker("tls-ok");
    let stats = run(Via::Tls.to(&server, SyslogLayer::builder()), || {
        for i in 0..10 {
            tracing::info!("{marker} {i}");
        }
    });
    assert_eq!((stats.sent, stats.errors), (10, 0));
    assert_eq!(server.wait_for(&marker, 10, WAIT).len(), 10);
    // rsyslogd logs an improperly closed session when it notices the
    // close; give it that time.
    thread::sleep(Duration::from_millis(500));
    let log = server.rsyslogd_log();
    assert!(!log.contains("non-properly terminated"), "{log}");
    assert!(!log.to_lowercase().contains("error"), "{log}");
}

#[test]
fn tls_with_the_wrong_server_name_reports_a_clear_error_and_sends_nothing() {
    let server = Rsyslog::shared();
    let marker = marker("tls-wrong-name");
    let (seen, callback) = collector();
    let (layer, guard) = SyslogLayer::builder()
        .tls(server.tls_addr())
        .ca_file(server.ca_file())
        .server_name("wrong.example")
        .retry_initial(Duration::from_millis(10))
        .retry_max(Duration::from_millis(50))
        .on_error(callback)
        .log_internal_errors(false)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!("{marker} secret");
    });
    // Let the worker try (and fail) a few times.
    let deadline = Instant::now() + WAIT;
    while guard.stats().errors < 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    let stats = guard.shutdown(Duration::from_millis(200));
    assert_accounted(&stats);
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (1, 0, 1),
        "{stats:?}"
    );
    let seen = seen.lock().unwrap();
    let (kind, text) = &seen[0];
    assert_eq!(*kind, ErrorKind::Tls, "{seen:?}");
    assert!(text.contains("TLS handshake with tls 127.0.0.1:"), "{text}");
    assert!(text.contains("\"wrong.example\""), "{text}");
    assert!(text.contains("certificate not valid for name"), "{text}");
    assert!(!text.contains("secret"), "{text}");
    assert_eq!(seen.last().unwrap().0, ErrorKind::Deadline, "{seen:?}");
    assert!(server.messages_containing(&marker).is_empty());
}

#[test]
fn a_failed_handshake_sends_no_record_in_clear() {
    let server = Rsyslog::shared();
    // A plain TCP listener where a TLS server should be: it records every
    // byte the layer sends, then hangs up; until told to stop.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (sink, stopped) = (received.clone(), stop.clone());
    let accepting = thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut connections = 0;
        while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    connections += 1;
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_millis(300)))
                        .unwrap();
                    let mut buf = Vec::new();
                    // A timeout ends the read; what came before it is kept.
                    stream.read_to_end(&mut buf).ok();
                    sink.lock().unwrap().extend_from_slice(&buf);
                }
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
        connections
    });
    let marker = marker("in-clear");
    let (seen, callback) = collector();
    let (layer, guard) = SyslogLayer::builder()
        .tls(addr)
        .ca_file(server.ca_file())
        .server_name("localhost")
        .connect_timeout(Duration::from_millis(500))
        .retry_initial(Duration::from_millis(10))
        .retry_max(Duration::from_millis(20))
        .on_error(callback)
        .log_internal_errors(false)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info!("{marker}");
    });
    // Until two handshakes have failed.
    let deadline = Instant::now() + WAIT;
    while guard.stats().errors < 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    let connections = accepting.join().unwrap();
    let stats = guard.shutdown(Duration::from_millis(100));
    assert!(connections >= 1);
    assert_eq!((stats.sent, stats.failed), (0, 1), "{stats:?}");
    let bytes = received.lock().unwrap();
    // Only TLS handshake records (content type 22) went out.
    assert_eq!(bytes.first(), Some(&0x16), "{bytes:?}");
    assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()));
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|(k, _)| *k == ErrorKind::Tls)
    );
}

#[test]
fn mutual_tls_with_x509_name_delivers_only_with_the_client_certificate() {
    let server = Rsyslog::builder()
        .udp(false)
        .tls_authmode(TlsAuthMode::X509Name)
        .start()
        .unwrap();
    let marker = marker("mtls");
    let stats = run(
        Via::Tls.to(
            &server,
            SyslogLayer::builder()
                .client_cert(server.client_cert())
                .client_key(server.client_key()),
        ),
        || tracing::info!("{marker} with certificate"),
    );
    assert_eq!(stats.sent, 1);
    let lines = server.wait_for(&marker, 1, WAIT);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["input"], "tls");

    // Without it, rsyslogd rejects the peer (the TLS 1.3 handshake still
    // succeeds on the client side, so only its log tells).
    let rejected = support::marker("mtls-none");
    run(Via::Tls.to(&server, SyslogLayer::builder()), || {
        tracing::info!("{rejected} without certificate")
    });
    assert!(
        server.wait_for_log("did not provide a certificate", WAIT),
        "{}",
        server.rsyslogd_log()
    );
    assert!(server.messages_containing(&rejected).is_empty());
}
