//! The test CA, server and client certificates of an instance (PEM files).
//!
//! Generated with rcgen (ECDSA P-256, ring) once per instance directory and
//! kept across [`Rsyslog::start_again`](super::Rsyslog::start_again).

use std::fs;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use super::StartError;

/// The name the server certificate carries (DNS SAN and CN), besides the IP
/// SAN 127.0.0.1: what a client verifies.
pub const TLS_SERVER_NAME: &str = "localhost";

/// The PEM files of an instance, in `DIR/tls/`.
#[derive(Clone, Debug)]
pub(super) struct TlsFiles {
    pub(super) ca: PathBuf,
    pub(super) server_cert: PathBuf,
    pub(super) server_key: PathBuf,
    pub(super) client_cert: PathBuf,
    pub(super) client_key: PathBuf,
}

// === impl TlsFiles ===

impl TlsFiles {
    /// The file names under `dir` (the config template uses the same names).
    pub(super) fn in_dir(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            server_cert: dir.join("server-cert.pem"),
            server_key: dir.join("server-key.pem"),
            client_cert: dir.join("client-cert.pem"),
            client_key: dir.join("client-key.pem"),
        }
    }

    /// Generates the CA and both certificates unless all files exist.
    ///
    /// The client certificate's CN and DNS SAN are `client_name`.
    pub(super) fn ensure(&self, client_name: &str) -> Result<(), StartError> {
        let all = [
            &self.ca,
            &self.server_cert,
            &self.server_key,
            &self.client_cert,
            &self.client_key,
        ];
        if all.iter().all(|p| p.is_file()) {
            return Ok(());
        }
        let pems = generate(client_name).map_err(|e| StartError::Certificates(e.to_string()))?;
        for (path, pem) in all.into_iter().zip(pems) {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(StartError::io(format!("creating {}", parent.display())))?;
            }
            fs::write(path, pem).map_err(StartError::io(format!("writing {}", path.display())))?;
        }
        Ok(())
    }
}

/// The PEM texts: CA cert, server cert, server key, client cert, client key.
fn generate(client_name: &str) -> Result<[String; 5], rcgen::Error> {
    // From the start of last year to ten years on: valid now whatever the
    // time of year, without a date library.
    let year = current_year();
    let not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    let not_after = rcgen::date_time_ymd(year + 10, 1, 1);

    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = name("logwood-testkit test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf = |cn: &str, sans: Vec<SanType>, eku: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(cn);
        params.subject_alt_names = sans;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![eku];
        params.use_authority_key_identifier_extension = true;
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = params.signed_by(&key, &issuer)?;
        Ok::<_, rcgen::Error>((cert.pem(), key.serialize_pem()))
    };
    let (server_cert, server_key) = leaf(
        TLS_SERVER_NAME,
        vec![
            SanType::DnsName(TLS_SERVER_NAME.try_into()?),
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ],
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    let (client_cert, client_key) = leaf(
        client_name,
        vec![SanType::DnsName(client_name.try_into()?)],
        ExtendedKeyUsagePurpose::ClientAuth,
    )?;
    Ok([
        ca_cert.pem(),
        server_cert,
        server_key,
        client_cert,
        client_key,
    ])
}

fn name(cn: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, cn);
    name
}

/// The current year (UTC), near enough: off by at most a day around New Year.
fn current_year() -> i32 {
    const SECONDS_PER_YEAR: u64 = 31_556_952; // 365.2425 days
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    1970 + i32::try_from(secs / SECONDS_PER_YEAR).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_each_file_once() {
        let dir = std::env::temp_dir().join(format!("logwood-certs-test-{}", std::process::id()));
        let files = TlsFiles::in_dir(&dir);
        files.ensure("peer-x").unwrap();
        let ca = fs::read_to_string(&files.ca).unwrap();
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
        let key = fs::read_to_string(&files.client_key).unwrap();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
        files.ensure("peer-x").unwrap();
        assert_eq!(fs::read_to_string(&files.ca).unwrap(), ca, "regenerated");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn current_year_is_plausible() {
        assert!((2024..2200).contains(&current_year()));
    }
}
