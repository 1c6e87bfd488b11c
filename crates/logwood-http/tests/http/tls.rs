//! `https`: rustls with a CA file, a server name and a client certificate
//! (mutual TLS), through a TLS-terminating proxy in front of the collector.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use logwood_http::ErrorKind;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::{WAIT, accounted, emit, error_log, layer, seqs, start, with_layer};

/// A CA's PEM, and a server certificate for 127.0.0.1 it issued (PEM
/// certificate and key).
fn certificates() -> (String, String, String) {
    let (ca_pem, issuer) = ca("logwood-http test CA");
    let (cert, key) = leaf(&issuer, ExtendedKeyUsagePurpose::ServerAuth);
    (ca_pem, cert, key)
}

/// A CA: its PEM certificate and its issuer.
fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    (ca_cert.pem(), Issuer::new(ca, ca_key))
}

/// A certificate for 127.0.0.1 and `localhost` issued by `issuer` for
/// `usage` (a server's or a client's): PEM certificate and key.
fn leaf(issuer: &Issuer<'static, KeyPair>, usage: ExtendedKeyUsagePurpose) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::default();
    leaf.subject_alt_names = vec![
        SanType::IpAddress("127.0.0.1".parse().unwrap()),
        SanType::DnsName("localhost".try_into().unwrap()),
    ];
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![usage];
    leaf.use_authority_key_identifier_extension = true;
    let cert = leaf.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// Terminates TLS on a loopback port and forwards each connection to
/// `upstream`, on a thread of its own; returns the port.
fn tls_proxy(cert_pem: &str, key_pem: &str, upstream: SocketAddr) -> u16 {
    tls_proxy_with(cert_pem, key_pem, None, upstream)
}

/// [`tls_proxy`], requiring a client certificate issued by the CA of
/// `client_ca_pem` when given.
fn tls_proxy_with(
    cert_pem: &str,
    key_pem: &str,
    client_ca_pem: Option<&str>,
    upstream: SocketAddr,
) -> u16 {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                roots.add(cert.unwrap()).unwrap();
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder.with_single_cert(certs, key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            // Bounded: a test opens a handful of connections.
            for _ in 0..32 {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::io::copy_bidirectional(&mut tls, &mut plain)
                        .await
                        .ok();
                });
            }
        });
    });
    port
}

#[test]
fn https_with_a_ca_file_delivers_over_tls() {
    let collector = start();
    let (ca, cert, key) = certificates();
    let port = tls_proxy(&cert, &key, collector.http_addr());
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();

    let (http, guard) = layer(format!("https://127.0.0.1:{port}/frames"))
        .ca_file(&ca_file)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 25));
    let stats = accounted(guard.shutdown(Duration::from_secs(10)));
    assert_eq!((stats.sent, stats.failed), (25, 0));
    let records = collector.wait_for_records(25, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..25).collect::<Vec<_>>());
}

#[test]
fn a_server_certificate_from_another_ca_is_refused() {
    let collector = start();
    let (_, cert, key) = certificates();
    let (other_ca, _, _) = certificates();
    let port = tls_proxy(&cert, &key, collector.http_addr());
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("other-ca.pem");
    std::fs::write(&ca_file, other_ca).unwrap();

    let (on_error, errors) = error_log();
    let (http, guard) = layer(format!("https://127.0.0.1:{port}/frames"))
        .ca_file(&ca_file)
        .max_retries(2)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 5));
    guard.flush(WAIT).unwrap();
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed), (0, 5));
    assert_eq!(collector.stats().records, 0);
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 3);
    assert!(
        errors.iter().all(|e| e.kind() == ErrorKind::Connect),
        "{errors:?}"
    );
    assert!(
        errors[0].to_string().contains("certificate"),
        "{}",
        errors[0]
    );
}

#[test]
fn https_with_a_client_certificate_delivers_over_mutual_tls() {
    let collector = start();
    let (ca_pem, issuer) = ca("logwood-http mutual TLS CA");
    let (server_cert, server_key) = leaf(&issuer, ExtendedKeyUsagePurpose::ServerAuth);
    let (client_cert, client_key) = leaf(&issuer, ExtendedKeyUsagePurpose::ClientAuth);
    let port = tls_proxy_with(
        &server_cert,
        &server_key,
        Some(&ca_pem),
        collector.http_addr(),
    );
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, pem: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    let ca_file = write("ca.pem", &ca_pem);
    let cert_file = write("client.pem", &client_cert);
    let key_file = write("client.key", &client_key);

    let (http, _guard) = layer(format!("https://127.0.0.1:{port}/frames"))
        .ca_file(&ca_file)
        .client_cert(&cert_file)
        .client_key(&key_file)
        .build()
        .unwrap();
    with_layer(http, || emit(0, 10));
    let stats = accounted(_guard.shutdown(Duration::from_secs(10)));
    assert_eq!((stats.sent, stats.failed), (10, 0));
    let records = collector.wait_for_records(10, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..10).collect::<Vec<_>>());

    // Without the client certificate the proxy refuses the handshake.
    let (on_error, errors) = error_log();
    let (http, _guard) = layer(format!("https://127.0.0.1:{port}/frames"))
        .ca_file(&ca_file)
        .max_retries(1)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(10, 3));
    _guard.flush(WAIT).unwrap();
    let stats = accounted(_guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed), (0, 3));
    assert_eq!(collector.stats().records, 10);
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| matches!(e.kind(), ErrorKind::Connect | ErrorKind::Reset)),
        "{errors:?}"
    );
}

#[test]
fn server_name_is_what_the_certificate_is_checked_against() {
    let collector = start();
    let (ca, cert, key) = certificates();
    let port = tls_proxy(&cert, &key, collector.http_addr());
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();

    // The certificate names `localhost`: connecting by IP address and
    // verifying as `localhost` works.
    let (http, _guard) = layer(format!("https://127.0.0.1:{port}/frames"))
        .ca_file(&ca_file)
        .server_name("localhost")
        .build()
        .unwrap();
    with_layer(http, || emit(0, 3));
    let stats = accounted(_guard.shutdown(Duration::from_secs(10)));
    assert_eq!((stats.sent, stats.failed), (3, 0));

    // A name the certificate does not hold is refused.
    let (on_error, errors) = error_log();
    let (http, _guard) = layer(format!("https://127.0.0.1:{port}/frames"))
        .ca_file(&ca_file)
        .server_name("logs.example.com")
        .max_retries(0)
        .on_error(on_error)
        .build()
        .unwrap();
    with_layer(http, || emit(3, 2));
    _guard.flush(WAIT).unwrap();
    let stats = accounted(_guard.shutdown(Duration::from_secs(5)));
    assert_eq!((stats.sent, stats.failed), (0, 2));
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind(), ErrorKind::Connect);
    assert!(
        errors[0].to_string().contains("certificate"),
        "{}",
        errors[0]
    );
    assert_eq!(seqs(&collector.records()), [0, 1, 2]);
}
