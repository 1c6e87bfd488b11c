//! The harness's RELP listeners (imrelp) against a raw RELP client written
//! here with std sockets (and rustls for TLS): the `open` handshake, each
//! `syslog` command acknowledged by a `rsp 200 OK` with its TXNR, `close`,
//! and what rsyslog parsed out of the messages.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use logwood_testkit::rsyslog::Rsyslog;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

const WAIT: Duration = Duration::from_secs(10);

/// A frame as read: (txnr, command, data).
type Frame = (u32, String, Vec<u8>);

/// One RELP frame: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`.
fn frame(txnr: u32, command: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("{txnr} {command} {}", data.len()).into_bytes();
    if !data.is_empty() {
        out.push(b' ');
        out.extend_from_slice(data);
    }
    out.push(b'\n');
    out
}

/// Reads frames from `stream` until `n` have arrived (or the peer closed);
/// returns them as (txnr, command, data).
fn read_frames(stream: &mut impl Read, n: usize) -> io::Result<Vec<Frame>> {
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    let mut chunk = [0u8; 4096];
    while frames.len() < n {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..read]);
        while let Some((frame, used)) = parse_frame(&buf) {
            frames.push(frame);
            buf.drain(..used);
        }
    }
    Ok(frames)
}

/// A complete frame at the start of `buf`, and its length.
fn parse_frame(buf: &[u8]) -> Option<(Frame, usize)> {
    let mut parts = buf.splitn(3, |&b| b == b' ');
    let txnr = std::str::from_utf8(parts.next()?).ok()?.parse().ok()?;
    let command = String::from_utf8(parts.next()?.to_vec()).ok()?;
    let rest = parts.next()?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let len: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let head = buf.len() - rest.len() + digits;
    let (data, end) = if len == 0 {
        (Vec::new(), head)
    } else {
        let start = head + 1;
        (buf.get(start..start + len)?.to_vec(), start + len)
    };
    (buf.get(end)? == &b'\n').then_some(((txnr, command, data), end + 1))
}

const OFFERS: &[u8] = b"relp_version=0\nrelp_software=logwood-testkit\ncommands=syslog";

/// Opens a session, sends `messages` as `syslog` commands, closes it, and
/// returns every frame the server sent.
fn relp_exchange<S: Read + Write>(stream: &mut S, messages: &[String]) -> io::Result<Vec<Frame>> {
    stream.write_all(&frame(1, "open", OFFERS))?;
    stream.flush()?;
    let mut frames = read_frames(stream, 1)?;
    let mut out = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        out.extend(frame(i as u32 + 2, "syslog", message.as_bytes()));
    }
    out.extend(frame(messages.len() as u32 + 2, "close", b""));
    stream.write_all(&out)?;
    stream.flush()?;
    // The acks, the answer to `close`, and the `serverclose` hint.
    frames.extend(read_frames(stream, messages.len() + 2)?);
    Ok(frames)
}

fn message(app: &str, marker: &str) -> String {
    format!(
        "<131>1 2026-11-20T03:44:21.221232Z web-1 {app} 8123 ORDER \
         [order@32473 id=\"1234\"] Order placed {marker}"
    )
}

/// The frames of [`relp_exchange`] for two messages: `open` accepted with
/// the `syslog` command, each message and the `close` acknowledged by TXNR.
fn assert_acknowledged(frames: &[Frame]) {
    let (txnr, command, data) = &frames[0];
    assert_eq!((*txnr, command.as_str()), (1, "rsp"), "{frames:?}");
    let offers = String::from_utf8_lossy(data);
    assert!(offers.starts_with("200 OK\n"), "{offers}");
    assert!(offers.contains("\nrelp_version=0"), "{offers}");
    assert!(offers.contains("\ncommands=syslog"), "{offers}");
    assert_eq!(
        frames[1],
        (2, "rsp".into(), b"200 OK".to_vec()),
        "{frames:?}"
    );
    assert_eq!(
        frames[2],
        (3, "rsp".into(), b"200 OK".to_vec()),
        "{frames:?}"
    );
    assert_eq!(frames[3], (4, "rsp".into(), Vec::new()), "{frames:?}");
    assert_eq!(
        frames[4],
        (0, "serverclose".into(), Vec::new()),
        "{frames:?}"
    );
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connecting to imrelp");
    stream
        .set_read_timeout(Some(WAIT))
        .expect("setting a read timeout");
    stream
}

#[test]
fn relp_messages_are_acknowledged_by_txnr_and_parsed_field_by_field() {
    let server = Rsyslog::shared();
    let messages = [message("relp-app", "relp-1"), message("relp-app", "relp-2")];
    let frames = relp_exchange(&mut connect(server.relp_addr()), &messages).unwrap();
    assert_acknowledged(&frames);
    for (marker, sent) in ["relp-1", "relp-2"].iter().zip(&messages) {
        let lines = server.wait_for(marker, 1, WAIT);
        assert_eq!(lines.len(), 1, "{lines:?}\n{}", server.rsyslogd_log());
        let line = &lines[0];
        assert_eq!(line["input"], "relp");
        assert_eq!(line["fromhost-ip"], "127.0.0.1");
        assert_eq!(line["pri"], 131);
        assert_eq!(line["protocol-version"], 1);
        assert_eq!(line["timestamp"], "2026-11-20T03:44:21.221232Z");
        assert_eq!(line["hostname"], "web-1");
        assert_eq!(line["app-name"], "relp-app");
        assert_eq!(line["procid"], "8123");
        assert_eq!(line["msgid"], "ORDER");
        assert_eq!(line["sd"]["order@32473"]["id"], "1234");
        assert_eq!(line["msg"], format!("Order placed {marker}"));
        assert_eq!(line["rawmsg"], sent.as_str());
    }
}

#[test]
fn an_unknown_command_ends_the_relp_session() {
    let server = Rsyslog::shared();
    let mut stream = connect(server.relp_addr());
    stream.write_all(&frame(1, "open", OFFERS)).unwrap();
    assert_eq!(read_frames(&mut stream, 1).unwrap()[0].0, 1);
    stream.write_all(&frame(2, "bogus", b"x")).unwrap();
    let frames = read_frames(&mut stream, 2).unwrap();
    assert!(
        frames
            .iter()
            .any(|(txnr, command, _)| (*txnr, command.as_str()) == (0, "serverclose")),
        "{frames:?}"
    );
}

fn pem_certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect)
        .unwrap_or_else(|e| panic!("reading certificates from {}: {e}", path.display()))
}

#[test]
fn relp_over_tls_takes_a_client_with_the_ca_signed_certificate() {
    let server = Rsyslog::builder()
        .udp(false)
        .tls(false)
        .relp(false)
        .relp_tls(true)
        .start()
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in pem_certs(server.ca_file()) {
        roots.add(cert).unwrap();
    }
    let key = PrivateKeyDer::from_pem_file(server.client_key()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_client_auth_cert(pem_certs(server.client_cert()), key)
    .unwrap();
    let name = ServerName::try_from(server.tls_server_name()).unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, connect(server.relp_tls_addr()));

    let messages = [
        message("relp-tls-app", "relp-tls-1"),
        message("relp-tls-app", "relp-tls-2"),
    ];
    let frames = relp_exchange(&mut tls, &messages).unwrap();
    assert_acknowledged(&frames);
    for marker in ["relp-tls-1", "relp-tls-2"] {
        let lines = server.wait_for(marker, 1, WAIT);
        assert_eq!(lines.len(), 1, "{lines:?}\n{}", server.rsyslogd_log());
        assert_eq!(lines[0]["input"], "relp-tls");
        assert_eq!(lines[0]["app-name"], "relp-tls-app");
    }
}
