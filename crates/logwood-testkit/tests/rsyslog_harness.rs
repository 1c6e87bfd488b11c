//! The rsyslogd harness against the real daemon, fed with raw std sockets
//! (and rustls for TLS), asserting on what rsyslog parsed.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use logwood_testkit::rsyslog::{Rsyslog, StartError, TlsAuthMode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

/// An RFC 5424 message with SD, µs timestamp and every header field set.
fn rfc5424(app: &str, marker: &str) -> String {
    format!(
        "<131>1 2026-11-20T03:44:21.221232Z web-1 {app} 8123 ORDER \
         [order@32473 id=\"1234\" total=\"520.23\"] Order placed {marker}"
    )
}

/// Asserts every field rsyslog parsed out of [`rfc5424`]`(app, marker)`.
fn assert_parsed(line: &Value, input: &str, app: &str, marker: &str) {
    let expected = json!({
        "input": input,
        "fromhost-ip": "127.0.0.1",
        "pri": 131,
        "facility": 16,
        "severity": 3,
        "facility-text": "local0",
        "severity-text": "err",
        "protocol-version": 1,
        "timestamp": "2026-11-20T03:44:21.221232Z",
        "hostname": "web-1",
        "app-name": app,
        "procid": "8123",
        "msgid": "ORDER",
        "structured-data": "[order@32473 id=\"1234\" total=\"520.23\"]",
        "sd": {"order@32473": {"id": "1234", "total": "520.23"}},
        "syslogtag": format!("{app}[8123]"),
        "programname": app,
        "msg": format!("Order placed {marker}"),
        "rawmsg": rfc5424(app, marker),
    });
    let Value::Object(expected) = expected else {
        unreachable!()
    };
    for (key, value) in &expected {
        assert_eq!(&line[key], value, "field {key:?} of {line}");
    }
    assert!(
        line["timegenerated"]
            .as_str()
            .is_some_and(|t| t.len() >= 20),
        "{line}"
    );
}

/// The one line holding `marker`, with rsyslogd's log in the failure message.
fn one(server: &Rsyslog, marker: &str) -> Value {
    let lines = server.wait_for(marker, 1, WAIT);
    assert_eq!(
        lines.len(),
        1,
        "lines with {marker}: {lines:?}\nrsyslogd.log:\n{}",
        server.rsyslogd_log()
    );
    lines.into_iter().next().expect("one line, checked above")
}

fn send_udp(server: &Rsyslog, message: &[u8]) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding a UDP socket");
    socket
        .send_to(message, server.udp_addr())
        .expect("sending a datagram to rsyslogd");
}

fn send_tcp(server: &Rsyslog, bytes: &[u8]) {
    let mut stream =
        TcpStream::connect(server.tcp_addr()).expect("connecting to rsyslogd's TCP port");
    stream.write_all(bytes).expect("writing to rsyslogd");
    stream
        .shutdown(Shutdown::Write)
        .expect("closing the TCP connection");
}

fn octet_counted(message: &str) -> String {
    format!("{} {message}", message.len())
}

fn pem_certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect)
        .unwrap_or_else(|e| panic!("reading certificates from {}: {e}", path.display()))
}

/// A rustls client trusting only the instance's CA, with its client
/// certificate when `with_client_cert`.
fn tls_config(server: &Rsyslog, with_client_cert: bool) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in pem_certs(server.ca_file()) {
        roots
            .add(cert)
            .expect("the test CA is a valid trust anchor");
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default protocol versions")
    .with_root_certificates(roots);
    let config = if with_client_cert {
        let key =
            PrivateKeyDer::from_pem_file(server.client_key()).expect("reading the client key");
        builder
            .with_client_auth_cert(pem_certs(server.client_cert()), key)
            .expect("the client certificate matches its key")
    } else {
        builder.with_no_client_auth()
    };
    Arc::new(config)
}

/// Sends `payload` over TLS, verifying the server as `name`; ends with a TLS
/// close_notify when `close_notify`, else just closes the socket. Returns the
/// negotiated protocol version.
fn send_tls(
    server: &Rsyslog,
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
    payload: &[u8],
    close_notify: bool,
) -> io::Result<rustls::ProtocolVersion> {
    let mut conn = rustls::ClientConnection::new(config, name).map_err(io::Error::other)?;
    let mut sock = TcpStream::connect(server.tls_addr())?;
    sock.set_read_timeout(Some(WAIT))?;
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    tls.write_all(payload)?; // completes the handshake first
    tls.flush()?;
    let version = conn
        .protocol_version()
        .ok_or_else(|| io::Error::other("no protocol version after the handshake"))?;
    if close_notify {
        conn.send_close_notify();
        while conn.wants_write() {
            conn.write_tls(&mut sock)?;
        }
    }
    sock.shutdown(Shutdown::Both)?;
    Ok(version)
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("a valid DNS name")
}

#[test]
fn rfc5424_message_with_sd_over_udp_is_parsed_field_by_field() {
    let server = Rsyslog::shared();
    send_udp(server, rfc5424("udp-app", "udp-sd-1").as_bytes());
    assert_parsed(&one(server, "udp-sd-1"), "udp", "udp-app", "udp-sd-1");
}

#[test]
fn octet_counted_tcp_frames_are_parsed_one_message_each() {
    let server = Rsyslog::shared();
    let first = rfc5424("tcp-octet", "tcp-octet-1");
    let second = rfc5424("tcp-octet", "tcp-octet-2");
    // Two frames in one write: only the octet counts separate them.
    send_tcp(
        server,
        format!("{}{}", octet_counted(&first), octet_counted(&second)).as_bytes(),
    );
    assert_parsed(
        &one(server, "tcp-octet-1"),
        "tcp",
        "tcp-octet",
        "tcp-octet-1",
    );
    assert_parsed(
        &one(server, "tcp-octet-2"),
        "tcp",
        "tcp-octet",
        "tcp-octet-2",
    );
}

#[test]
fn lf_framed_tcp_messages_are_parsed_one_per_line() {
    let server = Rsyslog::shared();
    let first = rfc5424("tcp-lf", "tcp-lf-1");
    let second = rfc5424("tcp-lf", "tcp-lf-2");
    send_tcp(server, format!("{first}\n{second}\n").as_bytes());
    assert_parsed(&one(server, "tcp-lf-1"), "tcp", "tcp-lf", "tcp-lf-1");
    assert_parsed(&one(server, "tcp-lf-2"), "tcp", "tcp-lf", "tcp-lf-2");
}

#[test]
fn tls_message_verified_against_the_ca_is_parsed_by_name_and_by_ip() {
    let server = Rsyslog::shared();
    assert_eq!(server.tls_authmode(), TlsAuthMode::Anon);
    assert_eq!(server.tls_server_name(), "localhost");
    let message = rfc5424("tls-app", "tls-name-1");
    send_tls(
        server,
        tls_config(server, false),
        localhost(),
        octet_counted(&message).as_bytes(),
        true,
    )
    .unwrap();
    assert_parsed(&one(server, "tls-name-1"), "tls", "tls-app", "tls-name-1");

    let by_ip = ServerName::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST).into());
    let message = rfc5424("tls-app", "tls-ip-1");
    send_tls(
        server,
        tls_config(server, false),
        by_ip,
        octet_counted(&message).as_bytes(),
        true,
    )
    .unwrap();
    assert_parsed(&one(server, "tls-ip-1"), "tls", "tls-app", "tls-ip-1");
}

#[test]
fn tls_close_without_close_notify_shows_in_rsyslogd_log() {
    let server = Rsyslog::shared();
    let message = rfc5424("tls-abrupt", "tls-abrupt-1");
    send_tls(
        server,
        tls_config(server, false),
        localhost(),
        octet_counted(&message).as_bytes(),
        false,
    )
    .unwrap();
    // Still delivered; rsyslogd complains in its own log.
    assert_parsed(
        &one(server, "tls-abrupt-1"),
        "tls",
        "tls-abrupt",
        "tls-abrupt-1",
    );
    assert!(
        server.wait_for_log("non-properly terminated", WAIT),
        "{}",
        server.rsyslogd_log()
    );
}

#[test]
fn bytes_that_are_not_utf8_are_kept_raw_and_replaced_when_parsed() {
    let server = Rsyslog::shared();
    send_udp(server, b"<14>1 - host bin-app - - - a\xffb raw-bytes-1");
    let raw = server.wait_for_raw("raw-bytes-1", 1, WAIT);
    assert_eq!(raw.len(), 1);
    assert!(raw[0].windows(3).any(|w| w == b"a\xffb"), "{raw:?}");
    let parsed = one(server, "raw-bytes-1");
    assert_eq!(parsed["msg"], "a\u{fffd}b raw-bytes-1");
    assert!(
        server
            .messages()
            .iter()
            .any(|m| m["msg"] == "a\u{fffd}b raw-bytes-1")
    );
    assert!(server.messages_containing("never-sent-marker").is_empty());
}

#[test]
fn x509_name_instance_accepts_the_client_certificate_only() {
    let server = Rsyslog::builder()
        .tls_authmode(TlsAuthMode::X509Name)
        .start()
        .unwrap();
    assert_eq!(server.tls_authmode(), TlsAuthMode::X509Name);
    assert_eq!(server.tls_permitted_peer(), "syslog-test-client");
    let conf = std::fs::read_to_string(server.config_path()).unwrap();
    assert!(
        conf.contains(r#"permittedPeer=["syslog-test-client"]"#),
        "{conf}"
    );

    let message = rfc5424("x509-app", "x509-with-cert");
    send_tls(
        &server,
        tls_config(&server, true),
        localhost(),
        octet_counted(&message).as_bytes(),
        true,
    )
    .unwrap();
    assert_parsed(
        &one(&server, "x509-with-cert"),
        "tls",
        "x509-app",
        "x509-with-cert",
    );

    // Without a certificate the TLS 1.3 handshake succeeds on the client
    // side, but rsyslogd drops the session and says so in its log.
    let message = rfc5424("x509-app", "x509-without-cert");
    let _closed_by_server = send_tls(
        &server,
        tls_config(&server, false),
        localhost(),
        octet_counted(&message).as_bytes(),
        true,
    );
    assert!(
        server.wait_for_log("did not provide a certificate", WAIT),
        "{}",
        server.rsyslogd_log()
    );
    assert!(server.messages_containing("x509-without-cert").is_empty());
}

#[test]
fn custom_instance_applies_escape_control_and_max_message_size() {
    let server = Rsyslog::builder()
        .tls(false)
        .escape_control(false)
        .max_message_size(2048)
        .start()
        .unwrap();
    assert_eq!(server.max_message_size(), 2048);
    assert!(!server.escape_control());

    send_udp(
        &server,
        b"<14>1 - host esc-app - - - line1\nline2\ttab esc-1",
    );
    assert_eq!(one(&server, "esc-1")["msg"], "line1\nline2\ttab esc-1");

    let head = "<14>1 - host big-app - - - big-1 ";
    let message = format!("{head}{}", "x".repeat(4000));
    send_udp(&server, message.as_bytes());
    let line = one(&server, "big-1");
    let rawmsg = line["rawmsg"].as_str().unwrap();
    assert_eq!(rawmsg.len(), 2048, "{line}");
    assert!(message.starts_with(rawmsg));
}

#[test]
fn stopped_instance_starts_again_on_the_same_ports_and_appends() {
    let mut server = Rsyslog::builder().start().unwrap();
    let addrs = (server.udp_addr(), server.tcp_addr(), server.tls_addr());
    send_udp(&server, b"<14>1 - host restart-app - - - before-restart-1");
    one(&server, "before-restart-1");
    let first_pid = server.pid().unwrap();

    server.stop();
    assert!(!server.is_running());
    assert_eq!(server.pid(), None);
    assert!(
        TcpStream::connect(server.tcp_addr()).is_err(),
        "still listening"
    );

    server.start_again().unwrap();
    assert!(server.is_running());
    assert_ne!(server.pid(), Some(first_pid));
    assert_eq!(
        (server.udp_addr(), server.tcp_addr(), server.tls_addr()),
        addrs
    );
    send_tcp(&server, b"<14>1 - host restart-app - - - after-restart-1\n");
    one(&server, "after-restart-1");
    let message = rfc5424("restart-tls", "after-restart-tls");
    send_tls(
        &server,
        tls_config(&server, false),
        localhost(),
        octet_counted(&message).as_bytes(),
        true,
    )
    .unwrap();
    one(&server, "after-restart-tls");
    // messages.jsonl was appended to, not replaced.
    assert_eq!(server.messages_containing("before-restart-1").len(), 1);

    let pid = server.pid().unwrap();
    drop(server);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "rsyslogd {pid} survived the drop"
    );
}

#[test]
fn start_again_reports_rsyslogds_reason_when_a_port_was_taken() {
    let mut server = Rsyslog::builder().tls(false).start().unwrap();
    server.stop();
    let _squatter = TcpListener::bind(server.tcp_addr()).unwrap();
    match server.start_again() {
        Err(StartError::ListenerFailed {
            attempts,
            diagnostics,
        }) => {
            assert_eq!(attempts, 3);
            assert!(
                diagnostics
                    .to_ascii_lowercase()
                    .contains("could not create"),
                "{diagnostics}"
            );
        }
        other => panic!("expected ListenerFailed, got {other:?}"),
    }
    assert!(!server.is_running());
}
