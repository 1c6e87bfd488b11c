//! Rendering `rsyslog.conf.in` into an instance's `rsyslog.conf`.
//!
//! The template has two kinds of placeholders: tokens (an upper-case name
//! between two `@`) that are replaced by values, and `#@IF_…@` markers at the
//! end of a line that keep the line (without the marker) or drop it.

use std::path::Path;

use super::builder::Config;
use super::ports::Ports;

/// The config template, with a comment on every choice.
const TEMPLATE: &str = include_str!("rsyslog.conf.in");

/// The app-name of the readiness probe: such messages go to `ready.log`,
/// never to `messages.jsonl`.
pub const PROBE_APP_NAME: &str = "logwood-rsyslog-ready";

/// Renders the config of an instance whose files live in `dir`.
///
/// Fails when `dir` holds a character that would break a quoted string in the
/// config, or when a token of the template was left unreplaced.
pub(super) fn render(config: &Config, dir: &Path, ports: Ports) -> Result<String, String> {
    let dir = dir
        .to_str()
        .ok_or_else(|| format!("the instance directory {} is not UTF-8", dir.display()))?;
    if let Some(c) = dir
        .chars()
        .find(|c| "\"\\'`$|&".contains(*c) || c.is_control())
    {
        return Err(format!(
            "the instance directory {dir:?} holds {c:?}, which the config cannot quote"
        ));
    }
    let port = |p: Option<u16>| p.map_or_else(String::new, |p| p.to_string());
    let on_off = |on: bool| if on { "on" } else { "off" };
    let tls = ports.tls.is_some();
    let relp_tls = ports.relp_tls.is_some();
    let relp_authmode = match config.tls_authmode {
        super::TlsAuthMode::X509Name => "name",
        // imrelp's `anon` is anonymous Diffie-Hellman, which no
        // certificate-checking client speaks: ask for a client certificate.
        super::TlsAuthMode::Anon | super::TlsAuthMode::X509CertValid => "certvalid",
    };
    let tokens: [(&str, String); 18] = [
        ("WORK_DIR", format!("{dir}/work")),
        ("OUT_DIR", dir.to_string()),
        ("TLS_DIR", format!("{dir}/tls")),
        ("UDP_PORT", port(ports.udp)),
        ("TCP_PORT", port(ports.tcp)),
        ("TLS_PORT", port(ports.tls)),
        ("RELP_PORT", port(ports.relp)),
        ("RELP_TLS_PORT", port(ports.relp_tls)),
        ("RELP_TLS_AUTHMODE", relp_authmode.into()),
        ("MAX_MESSAGE_SIZE", config.max_message_size.to_string()),
        ("MAX_FRAME_SIZE", config.max_frame_size.to_string()),
        ("ESCAPE_CONTROL", on_off(config.escape_control).into()),
        ("DISCARD_TRUNCATED", on_off(config.discard_truncated).into()),
        ("READY_APP", PROBE_APP_NAME.into()),
        (
            "UDP_RCVBUF",
            config
                .udp_rcvbuf
                .map_or_else(String::new, |b| b.to_string()),
        ),
        ("TLS_AUTHMODE", config.tls_authmode.as_str().into()),
        ("TLS_PERMITTED_PEER", config.tls_permitted_peer.clone()),
        ("TLS_PRIORITY", config.tls_priority.clone()),
    ];
    let keep = |marker: &str| -> Result<bool, String> {
        Ok(match marker {
            "IF_UDP" => ports.udp.is_some(),
            "IF_TCP" => ports.tcp.is_some(),
            "IF_TLS" => tls,
            "IF_TCP_OR_TLS" => ports.tcp.is_some() || tls,
            "IF_UDP_RCVBUF" => ports.udp.is_some() && config.udp_rcvbuf.is_some(),
            "IF_TLS_PRIORITY" => tls && !config.tls_priority.is_empty(),
            "IF_TLS_NAME" => tls && config.tls_authmode == super::TlsAuthMode::X509Name,
            "IF_RELP" => ports.relp.is_some(),
            "IF_RELP_TLS" => relp_tls,
            "IF_RELP_ANY" => ports.relp.is_some() || relp_tls,
            "IF_RELP_TLS_NAME" => relp_tls && config.tls_authmode == super::TlsAuthMode::X509Name,
            other => return Err(format!("unknown marker #@{other}@ in rsyslog.conf.in")),
        })
    };

    let mut out = String::with_capacity(TEMPLATE.len() + 256);
    for line in TEMPLATE.lines() {
        let line = match line.strip_suffix('@').and_then(|l| l.rsplit_once("#@")) {
            Some((body, marker)) if marker.starts_with("IF_") => {
                if !keep(marker)? {
                    continue;
                }
                body.trim_end()
            }
            _ => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    for (name, value) in &tokens {
        out = out.replace(&format!("@{name}@"), value);
    }
    if let Some(token) = leftover_token(&out) {
        return Err(format!("unreplaced token {token} in the rendered config"));
    }
    Ok(out)
}

/// The first `@NAME@` (upper-case letters and `_`) left in `text`.
fn leftover_token(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(at) = text[start..].find('@').map(|i| start + i) {
        let name_len = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || **b == b'_')
            .count();
        let end = at + 1 + name_len;
        if name_len > 0 && bytes.get(end) == Some(&b'@') {
            return Some(&text[at..=end]);
        }
        start = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rsyslog::TlsAuthMode;

    const ALL: Ports = Ports {
        udp: Some(20001),
        tcp: Some(20002),
        tls: Some(20003),
        relp: Some(20004),
        relp_tls: Some(20005),
    };

    /// The rendered config without its comment lines.
    fn directives(config: &Config, ports: Ports) -> String {
        let conf = render(config, Path::new("/tmp/lw"), ports).unwrap();
        conf.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn render_default(ports: Ports) -> String {
        directives(&Config::default(), ports)
    }

    #[test]
    fn renders_every_listener_with_its_port_and_paths() {
        let conf = render_default(ALL);
        assert!(conf.contains(r#"port="20001" name="udp""#), "{conf}");
        assert!(conf.contains(r#"port="20002" name="tcp""#), "{conf}");
        assert!(conf.contains(r#"port="20003" name="tls""#), "{conf}");
        assert!(conf.contains(r#"rcvbufSize="8388608""#), "{conf}");
        assert!(conf.contains(r#"maxMessageSize="65536""#), "{conf}");
        assert!(conf.contains(r#"streamDriver.authMode="anon""#), "{conf}");
        assert!(conf.contains(r#"file="/tmp/lw/messages.jsonl""#), "{conf}");
        assert!(conf.contains(r#"streamDriver.CAFile="/tmp/lw/tls/ca.pem""#));
        assert!(conf.contains(PROBE_APP_NAME));
        assert!(!conf.contains("#@IF_"), "{conf}");
        assert!(!conf.contains("permittedPeer"), "{conf}");
        assert!(!conf.contains("gnutlsPriorityString"), "{conf}");
        assert!(conf.contains(r#"module(load="imrelp")"#), "{conf}");
        assert!(conf.contains(r#"port="20004" name="relp""#), "{conf}");
        assert!(conf.contains(r#"port="20005" name="relp-tls""#), "{conf}");
        assert!(conf.contains(r#"tls.authMode="certvalid""#), "{conf}");
        assert!(
            conf.contains(r#"tls.cacert="/tmp/lw/tls/ca.pem""#),
            "{conf}"
        );
    }

    #[test]
    fn drops_the_lines_of_disabled_listeners() {
        let conf = render_default(Ports {
            udp: Some(20001),
            tcp: None,
            tls: None,
            relp: None,
            relp_tls: None,
        });
        assert!(conf.contains("imudp"));
        assert!(!conf.contains("imtcp"), "{conf}");
        assert!(!conf.contains("gtls"), "{conf}");
        assert!(!conf.contains("imrelp"), "{conf}");

        let conf = render_default(Ports {
            udp: None,
            tcp: None,
            tls: Some(20003),
            relp: None,
            relp_tls: None,
        });
        assert!(!conf.contains("imudp"), "{conf}");
        assert!(!conf.contains("rcvbufSize"), "{conf}");
        assert!(conf.contains(r#"module(load="imtcp""#), "{conf}");
        assert!(conf.contains(r#"name="tls""#), "{conf}");
    }

    #[test]
    fn renders_tls_name_mode_priority_and_options() {
        let config = Config {
            tls_authmode: TlsAuthMode::X509Name,
            tls_permitted_peer: "peer-1".into(),
            tls_priority: "NORMAL".into(),
            escape_control: false,
            discard_truncated: true,
            udp_rcvbuf: None,
            max_message_size: 2048,
            ..Config::default()
        };
        let conf = directives(&config, ALL);
        assert!(conf.contains(r#"streamDriver.authMode="x509/name""#));
        assert!(conf.contains(r#"permittedPeer=["peer-1"]"#), "{conf}");
        assert!(conf.contains(r#"tls.authMode="name""#), "{conf}");
        assert!(conf.contains(r#"tls.permittedPeer=["peer-1"]"#), "{conf}");
        assert!(conf.contains(r#"gnutlsPriorityString="NORMAL""#), "{conf}");
        assert!(conf.contains(r#"parser.escapeControlCharactersOnReceive="off""#));
        assert!(conf.contains(r#"discardTruncatedMsg="on""#));
        assert!(conf.contains(r#"maxMessageSize="2048""#));
        assert!(!conf.contains("rcvbufSize"), "{conf}");
    }

    #[test]
    fn rejects_a_directory_the_config_cannot_quote() {
        let err = render(&Config::default(), Path::new("/tmp/a\"b"), ALL).unwrap_err();
        assert!(err.contains("cannot quote"), "{err}");
    }

    #[test]
    fn finds_leftover_tokens_only() {
        assert_eq!(leftover_token("a @B_C@ d"), Some("@B_C@"));
        assert_eq!(leftover_token("x@y.z @@ @a@ order@32473"), None);
        assert_eq!(leftover_token("@@X@"), Some("@X@"));
    }
}
