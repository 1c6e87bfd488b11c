//! `build()` refuses bad configuration with an error naming the option, and
//! accepts an unreachable server.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use logwood_syslog::{BuildError, SyslogLayer, SyslogLayerBuilder};

fn error(builder: SyslogLayerBuilder) -> BuildError {
    builder.log_internal_errors(false).build().unwrap_err()
}

#[test]
fn bad_addresses_are_build_errors_naming_the_transport() {
    for (builder, option, what) in [
        (
            SyslogLayer::builder().udp("no-port"),
            "udp",
            "there is no port",
        ),
        (
            SyslogLayer::builder().tcp("host:70000"),
            "tcp",
            "the port is not a number",
        ),
        (
            SyslogLayer::builder().tls(":6514"),
            "tls",
            "the host is empty",
        ),
    ] {
        let e = error(builder);
        assert_eq!(e.option(), option);
        let text = e.to_string();
        assert!(text.starts_with(&format!("`{option}` address")), "{text}");
        assert!(text.contains(what), "{text}");
    }
}

#[test]
fn unreadable_or_unusable_tls_files_are_build_errors_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let e = error(
        SyslogLayer::builder()
            .tls("127.0.0.1:6514")
            .ca_file(&missing),
    );
    assert!(
        matches!(
            e,
            BuildError::ReadFile {
                option: "ca_file",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("missing.pem"), "{e}");

    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let e = error(
        SyslogLayer::builder()
            .tls("127.0.0.1:6514")
            .ca_file(&garbage),
    );
    assert_eq!(e.option(), "ca_file");
    assert!(e.to_string().contains("holds no PEM certificate"), "{e}");

    let bad_cert = dir.path().join("bad-cert.pem");
    std::fs::write(
        &bad_cert,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let e = error(
        SyslogLayer::builder()
            .tls("127.0.0.1:6514")
            .ca_file(&bad_cert),
    );
    assert_eq!(e.option(), "ca_file", "{e}");

    let server = logwood_testkit::rsyslog::Rsyslog::shared();
    let e = error(
        SyslogLayer::builder()
            .tls("127.0.0.1:6514")
            .ca_file(server.ca_file())
            .client_cert(server.client_cert()),
    );
    assert_eq!(e.option(), "client_cert");
    let e = error(
        SyslogLayer::builder()
            .tls("127.0.0.1:6514")
            .ca_file(server.ca_file())
            .client_cert(server.client_cert())
            .client_key(&garbage),
    );
    assert_eq!(e.option(), "client_key", "{e}");
    let e = error(
        SyslogLayer::builder()
            .tls("127.0.0.1:6514")
            .ca_file(server.ca_file())
            .client_cert(server.client_cert())
            .client_key(server.ca_file()),
    );
    assert_eq!(e.option(), "client_key", "{e}");
}

#[test]
fn tls_options_without_the_tls_transport_are_refused() {
    let e = error(
        SyslogLayer::builder()
            .tcp("127.0.0.1:514")
            .ca_file("/x.pem"),
    );
    assert_eq!(e.option(), "ca_file");
    assert_eq!(
        e.to_string(),
        "`ca_file` applies to the `tls` and `relp_tls` transports only"
    );
    let e = error(SyslogLayer::builder().udp("127.0.0.1:514").server_name("x"));
    assert_eq!(e.option(), "server_name");
}

#[test]
fn out_of_range_options_are_build_errors_naming_the_option() {
    let tcp = || SyslogLayer::builder().tcp("127.0.0.1:514");
    for (builder, option) in [
        (tcp().buffer_capacity(0), "buffer_capacity"),
        (tcp().max_message_size(100), "max_message_size"),
        (
            SyslogLayer::builder()
                .udp("127.0.0.1:514")
                .max_message_size(70_000),
            "max_message_size",
        ),
        (tcp().sd_id("no at sign"), "sd_id"),
        (tcp().sd_id("x@abc"), "sd_id"),
        (tcp().sd_id(format!("{}@1", "a".repeat(40))), "sd_id"),
        (tcp().context_sd_id("logwood@32473"), "context_sd_id"),
        (tcp().connect_timeout(Duration::ZERO), "connect_timeout"),
        (tcp().write_timeout(Duration::ZERO), "write_timeout"),
        (
            tcp()
                .retry_initial(Duration::from_secs(2))
                .retry_max(Duration::from_secs(1)),
            "retry_max",
        ),
        (tcp().retry_initial(Duration::ZERO), "retry_initial"),
        (tcp().tls_server_name_for_test(), "server_name"),
    ] {
        let e = error(builder);
        assert_eq!(e.option(), option, "{e}");
        assert!(e.to_string().starts_with(&format!("`{option}`")), "{e}");
    }
}

#[test]
#[allow(deprecated)]
fn the_deprecated_reconnect_options_set_the_retry_options() {
    let e = error(
        SyslogLayer::builder()
            .tcp("127.0.0.1:514")
            .reconnect_jitter(false)
            .reconnect_backoff(Duration::from_secs(2), Duration::from_secs(1)),
    );
    assert_eq!(e.option(), "retry_max", "{e}");
    let (_layer, guard) = SyslogLayer::builder()
        .tcp("127.0.0.1:1")
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .log_internal_errors(false)
        .build()
        .unwrap();
    drop(guard);
}

trait ServerNameCase {
    fn tls_server_name_for_test(self) -> Self;
}

impl ServerNameCase for SyslogLayerBuilder {
    /// A TLS transport with a server name that is neither DNS name nor IP.
    fn tls_server_name_for_test(self) -> Self {
        let server = logwood_testkit::rsyslog::Rsyslog::shared();
        self.tls("127.0.0.1:6514")
            .ca_file(server.ca_file())
            .server_name("not a name")
    }
}

#[test]
fn an_unreachable_or_unresolvable_server_is_not_a_build_error() {
    // Nothing listens on port 1; the name is never resolved by build().
    for builder in [
        SyslogLayer::builder().tcp("127.0.0.1:1"),
        SyslogLayer::builder().udp("no-such-host.invalid:514"),
        SyslogLayer::builder().unix("/nonexistent/log.sock"),
    ] {
        let (_layer, guard) = builder.log_internal_errors(false).build().unwrap();
        let stats = guard.shutdown(Duration::from_secs(1));
        assert_eq!(stats, logwood_syslog::Stats::default());
    }
}
