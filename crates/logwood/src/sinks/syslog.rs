//! The syslog sink: `SyslogLayer` to `udp://`, `tcp://`, `tls://`,
//! `relp://` or `unix://` destinations.

use super::{Shared, SinkInfo, Start, is_off};
use crate::InitError;
use crate::config::{Config, Key, Set};

pub(crate) const URL: Key = Key::new("syslog.url", "LOGWOOD_SYSLOG");
pub(crate) const FORMAT: Key = Key::new("syslog.format", "LOGWOOD_SYSLOG_FORMAT");
pub(crate) const APP_NAME: Key = Key::new("syslog.app_name", "LOGWOOD_SYSLOG_APP_NAME");
pub(crate) const FACILITY: Key = Key::new("syslog.facility", "LOGWOOD_SYSLOG_FACILITY");
pub(crate) const PATTERN: Key = Key::new("syslog.pattern", "LOGWOOD_SYSLOG_PATTERN");
pub(crate) const CA_FILE: Key = Key::new("syslog.ca_file", "LOGWOOD_SYSLOG_CA_FILE");
pub(crate) const LEVEL: Key = Key::new("syslog.level", "LOGWOOD_SYSLOG_LEVEL");

pub(crate) const INFO: SinkInfo = SinkInfo {
    name: "syslog",
    main: URL,
    main_also: &[],
    on_by_default: false,
    level: LEVEL,
    keys: &[URL, FORMAT, APP_NAME, FACILITY, PATTERN, CA_FILE, LEVEL],
    env_prefix: "LOGWOOD_SYSLOG",
    feature: "syslog",
    compiled: cfg!(feature = "syslog"),
};

/// The schemes of `LOGWOOD_SYSLOG`, for errors.
const SCHEMES: &str = "udp://HOST:PORT, tcp://HOST:PORT, tls://HOST:PORT, relp://HOST:PORT or \
                       unix:///PATH (such as unix:///dev/log)";

/// The facilities, by name, in their numeric order (`user` is 1).
pub(crate) const FACILITIES: &[&str] = &[
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
    "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

super::toml_section!("syslog" {
    url,
    format,
    app_name,
    facility,
    pattern,
    ca_file,
    level,
});

/// Where records go.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "syslog"), allow(dead_code))]
enum Destination {
    Udp(String),
    Tcp(String),
    Tls(String),
    Relp(String),
    Unix(String),
}

/// The syslog settings, checked.
#[derive(Debug)]
#[cfg_attr(not(feature = "syslog"), allow(dead_code))]
struct Plan {
    destination: Destination,
    url: Set,
    /// RFC 5424 (`true`) or 3164; `None` for the transport's default.
    rfc5424: Option<bool>,
    app_name: Option<String>,
    facility: Option<usize>,
    pattern: Option<(String, Set)>,
    ca_file: Option<(String, Set)>,
}

/// The syslog layer, when `LOGWOOD_SYSLOG` names a destination.
pub(crate) fn plan(config: &Config, _shared: &Shared) -> Result<Option<Start>, InitError> {
    let s = &config.syslog;
    let Some(url) = s.url.as_ref().filter(|u| !is_off(u)) else {
        return Ok(None);
    };
    let destination = destination(url)?;
    let tls = matches!(destination, Destination::Tls(_));
    if tls && !cfg!(feature = "tls") {
        return Err(InitError::FeatureDisabled {
            setting: url.describe(&URL),
            feature: "tls",
        });
    }
    let ca_file = match &s.ca_file {
        Some(set) if !tls => {
            return Err(set.invalid(
                &CA_FILE,
                format!(
                    "applies to a tls:// destination only ({} is not one)",
                    URL.env
                ),
            ));
        }
        Some(set) => Some((set.text(&CA_FILE)?.to_owned(), set.clone())),
        None => None,
    };
    let text = |set: &Option<Set>, key: &Key| -> Result<Option<String>, InitError> {
        set.as_ref()
            .map(|s| s.text(key).map(str::to_owned))
            .transpose()
    };
    let plan = Plan {
        destination,
        url: url.clone(),
        rfc5424: s
            .format
            .as_ref()
            .map(|f| f.choice(&FORMAT, &["rfc5424", "rfc3164"]).map(|i| i == 0))
            .transpose()?,
        app_name: text(&s.app_name, &APP_NAME)?,
        facility: s
            .facility
            .as_ref()
            .map(|f| f.choice(&FACILITY, FACILITIES))
            .transpose()?,
        pattern: match &s.pattern {
            Some(set) => Some((set.text(&PATTERN)?.to_owned(), set.clone())),
            None => None,
        },
        ca_file,
    };
    Ok(imp::start(plan))
}

/// The destination of `LOGWOOD_SYSLOG`: `scheme://address`.
fn destination(url: &Set) -> Result<Destination, InitError> {
    let text = url.text(&URL)?;
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(url.invalid(&URL, format!("has no scheme; expected {SCHEMES}")));
    };
    let need_address = || {
        url.invalid(
            &URL,
            format!("has no address after `{scheme}://`; expected {SCHEMES}"),
        )
    };
    match scheme.to_ascii_lowercase().as_str() {
        "udp" | "tcp" | "tls" | "relp" if rest.is_empty() || rest.contains('/') => {
            Err(need_address())
        }
        "udp" => Ok(Destination::Udp(rest.to_owned())),
        "tcp" => Ok(Destination::Tcp(rest.to_owned())),
        "tls" => Ok(Destination::Tls(rest.to_owned())),
        "relp" => Ok(Destination::Relp(rest.to_owned())),
        "unix" if rest.starts_with('/') && rest.len() > 1 => Ok(Destination::Unix(rest.to_owned())),
        "unix" => Err(url.invalid(
            &URL,
            "needs an absolute socket path after `unix://` (three slashes in all: \
             unix:///dev/log)",
        )),
        _ => Err(url.invalid(
            &URL,
            format!("has an unknown scheme `{scheme}`; expected {SCHEMES}"),
        )),
    }
}

#[cfg(feature = "syslog")]
mod imp {
    super::super::delivery_builder!(logwood_syslog::SyslogLayerBuilder);

    use logwood_syslog::{BuildError, Facility, SyslogFormat, SyslogLayer};
    use tracing_subscriber::Layer as _;

    use super::super::{Built, Shared, Start};
    use super::{CA_FILE, Destination, PATTERN, Plan, URL};
    use crate::InitError;

    pub(super) fn start(plan: Plan) -> Option<Start> {
        Some(Box::new(move |shared: &Shared| {
            let mut b = SyslogLayer::builder().context(shared.context.clone());
            b = match &plan.destination {
                Destination::Udp(address) => b.udp(address),
                Destination::Tcp(address) => b.tcp(address),
                #[cfg(feature = "tls")]
                Destination::Tls(address) => b.tls(address),
                #[cfg(not(feature = "tls"))]
                Destination::Tls(_) => {
                    return Err(InitError::FeatureDisabled {
                        setting: plan.url.describe(&URL),
                        feature: "tls",
                    });
                }
                Destination::Relp(address) => b.relp(address),
                Destination::Unix(path) => b.unix(path),
            };
            if let Some(rfc5424) = plan.rfc5424 {
                b = b.format(if rfc5424 {
                    SyslogFormat::Rfc5424
                } else {
                    SyslogFormat::Rfc3164
                });
            }
            if let Some(name) = &plan.app_name {
                b = b.app_name(name);
            }
            if let Some(i) = plan.facility {
                b = b.facility(facility(i));
            }
            if let Some((pattern, _)) = &plan.pattern {
                b = b.message_pattern(pattern);
            }
            #[cfg(feature = "tls")]
            if let Some((path, _)) = &plan.ca_file {
                b = b.ca_file(path);
            }
            b = shared.delivery(b);
            let (layer, guard) = b.build().map_err(|e| error(&plan, e))?;
            Ok(Built {
                name: "syslog",
                layer: layer.boxed(),
                guard: Some(guard),
                stats: None,
            })
        }))
    }

    /// The layer's build error, naming the setting it is about.
    fn error(plan: &Plan, e: BuildError) -> InitError {
        let set = match e.option() {
            "message_pattern" => plan.pattern.as_ref().map(|(_, set)| (set, &PATTERN)),
            "ca_file" => plan.ca_file.as_ref().map(|(_, set)| (set, &CA_FILE)),
            _ => None,
        };
        let (set, key) = set.unwrap_or((&plan.url, &URL));
        InitError::layer(set.describe(key), e)
    }

    /// The facility of index `i` in [`super::FACILITIES`].
    fn facility(i: usize) -> Facility {
        const ALL: [Facility; 24] = [
            Facility::Kern,
            Facility::User,
            Facility::Mail,
            Facility::Daemon,
            Facility::Auth,
            Facility::Syslog,
            Facility::Lpr,
            Facility::News,
            Facility::Uucp,
            Facility::Cron,
            Facility::Authpriv,
            Facility::Ftp,
            Facility::Ntp,
            Facility::Audit,
            Facility::Alert,
            Facility::Clock,
            Facility::Local0,
            Facility::Local1,
            Facility::Local2,
            Facility::Local3,
            Facility::Local4,
            Facility::Local5,
            Facility::Local6,
            Facility::Local7,
        ];
        ALL.get(i).copied().unwrap_or_default()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn facility_names_follow_their_codes() {
            for (i, name) in super::super::FACILITIES.iter().enumerate() {
                assert_eq!(usize::from(facility(i).code()), i, "{name}");
            }
        }
    }
}

#[cfg(not(feature = "syslog"))]
mod imp {
    use super::super::Start;
    use super::Plan;

    /// Without the `syslog` feature there is no syslog layer; asking for
    /// one was refused earlier (feature check).
    pub(super) fn start(_plan: Plan) -> Option<Start> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(s: &str) -> Result<Destination, String> {
        destination(&Set::env(s.into())).map_err(|e| e.to_string())
    }

    #[test]
    fn destinations_are_scheme_and_address() {
        assert_eq!(
            dest("udp://127.0.0.1:514"),
            Ok(Destination::Udp("127.0.0.1:514".into()))
        );
        assert_eq!(
            dest("TLS://logs.example.com:6514"),
            Ok(Destination::Tls("logs.example.com:6514".into()))
        );
        assert_eq!(
            dest("unix:///dev/log"),
            Ok(Destination::Unix("/dev/log".into()))
        );
        assert_eq!(
            dest("relp://127.0.0.1:2514"),
            Ok(Destination::Relp("127.0.0.1:2514".into()))
        );
        assert_eq!(
            dest("ftp://h:1").unwrap_err(),
            "LOGWOOD_SYSLOG=ftp://h:1: has an unknown scheme `ftp`; expected udp://HOST:PORT, \
             tcp://HOST:PORT, tls://HOST:PORT, relp://HOST:PORT or unix:///PATH (such as \
             unix:///dev/log)"
        );
        assert!(dest("127.0.0.1:514").unwrap_err().contains("has no scheme"));
        assert!(dest("tcp://").unwrap_err().contains("has no address"));
        assert!(
            dest("unix://dev/log")
                .unwrap_err()
                .contains("three slashes")
        );
    }
}
