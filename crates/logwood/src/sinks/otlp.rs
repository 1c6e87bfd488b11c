//! The OTLP sink: `OtlpLayer` posting OpenTelemetry log records to an
//! OTLP/HTTP receiver (an OpenTelemetry Collector, Vector, Grafana Alloy,
//! Data Prepper), from `[otlp]`, the `LOGWOOD_OTLP_*` variables and the
//! standard `OTEL_*` ones (see [`crate::otel`]).
//!
//! Every value, whatever its source, is read by `logwood-http`'s
//! `OtlpEnv` in the standard variables' syntax (header and resource
//! lists `key=value,…` percent-decoded, `http/protobuf` or `http/json`,
//! `gzip` or `none`), so that the TOML file, `LOGWOOD_OTLP_*` and
//! `OTEL_*` accept the same values and give the same errors; only the
//! timeout is a duration with a unit (`10s`) here, as every logwood
//! duration, and whole milliseconds in `OTEL_EXPORTER_OTLP_*TIMEOUT`.

use super::{Shared, SinkInfo, Start, is_off};
use crate::InitError;
use crate::config::{Config, Key};

pub(crate) const ENDPOINT: Key = Key::new("otlp.endpoint", "LOGWOOD_OTLP_ENDPOINT").url();
pub(crate) const PROTOCOL: Key = Key::new("otlp.protocol", "LOGWOOD_OTLP_PROTOCOL");
pub(crate) const HEADERS: Key = Key::new("otlp.headers", "LOGWOOD_OTLP_HEADERS").secret();
pub(crate) const COMPRESSION: Key = Key::new("otlp.compression", "LOGWOOD_OTLP_COMPRESSION");
pub(crate) const TIMEOUT: Key = Key::new("otlp.timeout", "LOGWOOD_OTLP_TIMEOUT");
pub(crate) const SERVICE_NAME: Key = Key::new("otlp.service_name", "LOGWOOD_OTLP_SERVICE_NAME");
pub(crate) const RESOURCE_ATTRIBUTES: Key = Key::new(
    "otlp.resource_attributes",
    "LOGWOOD_OTLP_RESOURCE_ATTRIBUTES",
);
pub(crate) const CA_FILE: Key = Key::new("otlp.ca_file", "LOGWOOD_OTLP_CA_FILE");
pub(crate) const LEVEL: Key = Key::new("otlp.level", "LOGWOOD_OTLP_LEVEL");

pub(crate) const INFO: SinkInfo = SinkInfo {
    name: "otlp",
    main: ENDPOINT,
    main_also: &[
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ],
    on_by_default: false,
    level: LEVEL,
    keys: &[
        ENDPOINT,
        PROTOCOL,
        HEADERS,
        COMPRESSION,
        TIMEOUT,
        SERVICE_NAME,
        RESOURCE_ATTRIBUTES,
        CA_FILE,
        LEVEL,
    ],
    env_prefix: "LOGWOOD_OTLP",
    feature: "otlp",
    compiled: cfg!(feature = "otlp"),
};

super::toml_section!("otlp" {
    endpoint,
    protocol,
    headers,
    compression,
    timeout,
    service_name,
    resource_attributes,
    ca_file,
    level,
});

/// The OTLP layer, when an endpoint is given (`LOGWOOD_OTLP_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
/// `otlp.endpoint`).
pub(crate) fn plan(config: &Config, _shared: &Shared) -> Result<Option<Start>, InitError> {
    let s = &config.otlp;
    let Some(endpoint) = s.endpoint.as_ref().filter(|u| !is_off(u)) else {
        return Ok(None);
    };
    imp::plan(s, endpoint)
}

/// Whether an endpoint has no path (`http://collector:4318`, or with a
/// lone `/`): it is then a base URL, to which `/v1/logs` is appended.
#[cfg_attr(not(feature = "otlp"), allow(dead_code))]
fn has_no_path(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    match rest.find('/') {
        None => true,
        Some(i) => rest[i..] == *"/",
    }
}

/// `name=value` for a header or resource list, percent-encoding what the
/// list's syntax would otherwise read differently: `%`, `,`, blanks (cut
/// at the ends), control characters, and `=` in the name.
pub(crate) fn list_entry(name: &str, value: &str) -> String {
    let mut entry = String::with_capacity(name.len() + value.len() + 1);
    let mut push = |part: &str, special: &[char]| {
        for c in part.chars() {
            if special.contains(&c) || c.is_ascii_control() {
                entry.push_str(&format!("%{:02X}", u32::from(c)));
            } else {
                entry.push(c);
            }
        }
    };
    push(name, &['%', ',', ' ', '=']);
    push("=", &[]);
    push(value, &['%', ',', ' ']);
    entry
}

#[cfg(feature = "otlp")]
mod imp {
    super::super::delivery_builder!(logwood_http::OtlpLayerBuilder);

    use logwood_core::Value;
    use logwood_http::{BuildError, OtlpEnv, OtlpEnvError};
    use tracing_subscriber::Layer as _;

    use super::super::{Built, Shared, Start};
    use super::{
        CA_FILE, COMPRESSION, ENDPOINT, HEADERS, PROTOCOL, RESOURCE_ATTRIBUTES, SERVICE_NAME,
        Section, TIMEOUT, has_no_path,
    };
    use crate::InitError;
    use crate::config::{Key, Set, Source};
    use crate::otel;

    /// One setting as the standard variable `var` would give it.
    struct Given<'a> {
        var: &'static str,
        text: String,
        set: &'a Set,
        key: &'static Key,
    }

    /// The OTLP settings, checked.
    #[derive(Debug)]
    struct Plan {
        /// Every setting but the CA file, read by `OtlpEnv` (whose `Debug`
        /// shows header names only).
        otel: OtlpEnv,
        endpoint: Set,
        headers: Option<Set>,
        timeout: Option<Set>,
        service_name: bool,
        ca_file: Option<(String, Set)>,
    }

    pub(super) fn plan(s: &Section, endpoint: &Set) -> Result<Option<Start>, InitError> {
        let otel = read(s, endpoint)?;
        let ca_file = match &s.ca_file {
            Some(set) if !cfg!(feature = "tls") => {
                return Err(InitError::FeatureDisabled {
                    setting: set.describe(&CA_FILE),
                    feature: "tls",
                });
            }
            Some(set) => Some((set.text(&CA_FILE)?.to_owned(), set.clone())),
            None => None,
        };
        let plan = Plan {
            otel,
            endpoint: endpoint.clone(),
            headers: s.headers.clone(),
            timeout: s.timeout.clone(),
            service_name: s.service_name.is_some(),
            ca_file,
        };
        Ok(Some(start(plan)))
    }

    /// Every setting but the CA file, read and checked by `OtlpEnv`.
    fn read(s: &Section, endpoint: &Set) -> Result<OtlpEnv, InitError> {
        let given = given(s, endpoint)?;
        let lookup = |name: &str| given.iter().find(|g| g.var == name).map(|g| g.text.clone());
        let otel = OtlpEnv::from_lookup(lookup)
            .map_err(|e| error(&given, &e))?
            .ok_or_else(|| endpoint.invalid(&ENDPOINT, "is blank: give the receiver's URL"))?;
        if otel.logs_url().starts_with("https://") && !cfg!(feature = "tls") {
            return Err(InitError::FeatureDisabled {
                setting: endpoint.describe(&ENDPOINT),
                feature: "tls",
            });
        }
        Ok(otel)
    }

    /// The settings given, in the standard variables' syntax.
    fn given<'a>(s: &'a Section, endpoint: &'a Set) -> Result<Vec<Given<'a>>, InitError> {
        let mut given = Vec::new();
        let text = |set: &Set, key: &Key| -> Result<String, InitError> {
            let text = set.text(key)?;
            if text.trim().is_empty() {
                return Err(set.invalid(key, "is blank: give a value, or leave the setting out"));
            }
            Ok(text.trim().to_owned())
        };
        let url = text(endpoint, &ENDPOINT)?;
        let var = match endpoint.source {
            // From a standard variable: its own rule.
            Source::Env(Some(var)) => var,
            _ if has_no_path(&url) => otel::ENDPOINT,
            _ => otel::LOGS_ENDPOINT,
        };
        given.push(Given {
            var,
            text: url,
            set: endpoint,
            key: &ENDPOINT,
        });
        let mut add = |var, set: &'a Option<Set>, key: &'static Key, text: String| {
            if let Some(set) = set {
                given.push(Given {
                    var,
                    text,
                    set,
                    key,
                });
            }
        };
        let read = |set: &Option<Set>, key: &Key| set.as_ref().map(|s| text(s, key)).transpose();
        add(
            otel::LOGS_PROTOCOL,
            &s.protocol,
            &PROTOCOL,
            read(&s.protocol, &PROTOCOL)?.unwrap_or_default(),
        );
        add(
            otel::HEADERS,
            &s.headers,
            &HEADERS,
            read(&s.headers, &HEADERS)?.unwrap_or_default(),
        );
        let compression = read(&s.compression, &COMPRESSION)?;
        if let (Some(set), Some("gzip")) = (&s.compression, compression.as_deref())
            && !cfg!(feature = "gzip")
        {
            return Err(InitError::FeatureDisabled {
                setting: set.describe(&COMPRESSION),
                feature: "gzip",
            });
        }
        add(
            otel::LOGS_COMPRESSION,
            &s.compression,
            &COMPRESSION,
            compression.unwrap_or_default(),
        );
        let timeout = match &s.timeout {
            // `OTEL_EXPORTER_OTLP_*TIMEOUT`: milliseconds, checked by `OtlpEnv`.
            Some(
                set @ Set {
                    source: Source::Env(Some(_)),
                    ..
                },
            ) => text(set, &TIMEOUT)?,
            Some(set) => set.duration(&TIMEOUT, false)?.as_millis().to_string(),
            None => String::new(),
        };
        add(otel::LOGS_TIMEOUT, &s.timeout, &TIMEOUT, timeout);
        add(
            otel::SERVICE_NAME,
            &s.service_name,
            &SERVICE_NAME,
            read(&s.service_name, &SERVICE_NAME)?.unwrap_or_default(),
        );
        add(
            otel::RESOURCE_ATTRIBUTES,
            &s.resource_attributes,
            &RESOURCE_ATTRIBUTES,
            read(&s.resource_attributes, &RESOURCE_ATTRIBUTES)?.unwrap_or_default(),
        );
        Ok(given)
    }

    /// `OtlpEnv`'s error about a standard variable, as an error about the
    /// setting that gave it.
    fn error(given: &[Given<'_>], e: &OtlpEnvError) -> InitError {
        let text = e.to_string();
        let reason = text
            .strip_prefix(&format!("`{}` ", e.variable()))
            .unwrap_or(&text);
        match given.iter().find(|g| g.var == e.variable()) {
            Some(g) => g.set.invalid(g.key, reason),
            None => InitError::invalid(e.variable(), reason),
        }
    }

    fn start(plan: Plan) -> Start {
        Box::new(move |shared: &Shared| {
            let mut b = plan.otel.builder().context(shared.context.clone());
            if !plan.service_name
                && !plan
                    .otel
                    .resource_attributes()
                    .iter()
                    .any(|(k, _)| k == "service.name")
                && let Some(name) = context_service_name(shared)
            {
                b = b.service_name(name);
            }
            #[cfg(feature = "tls")]
            if let Some((path, _)) = &plan.ca_file {
                b = b.ca_file(path);
            }
            b = shared.delivery(b);
            if let Some(interval) = shared.flush_interval {
                b = b.flush_interval(interval);
            }
            let (layer, guard) = b.build().map_err(|e| build_error(&plan, e))?;
            Ok(Built {
                name: "otlp",
                layer: layer.boxed(),
                guard: Some(guard),
                stats: None,
            })
        })
    }

    /// The static context's `service.name`, when it is a string: the
    /// resource's service name when none is given.
    fn context_service_name(shared: &Shared) -> Option<String> {
        let Some(Value::Map(service)) = shared.context.map().get("service") else {
            return None;
        };
        match service.get("name") {
            Some(Value::Str(name)) => Some(name.to_string()),
            _ => None,
        }
    }

    /// The layer's build error, naming the setting it is about.
    fn build_error(plan: &Plan, e: BuildError) -> InitError {
        let named = match e.option() {
            "header" => plan.headers.as_ref().map(|set| (set, &HEADERS)),
            "request_timeout" => plan.timeout.as_ref().map(|set| (set, &TIMEOUT)),
            "ca_file" => plan.ca_file.as_ref().map(|(_, set)| (set, &CA_FILE)),
            _ => None,
        };
        let (set, key) = named.unwrap_or((&plan.endpoint, &ENDPOINT));
        InitError::layer(set.describe(key), e)
    }

    #[cfg(test)]
    mod tests {
        use std::time::Duration;

        use logwood_http::OtlpProtocol;

        use super::*;
        use crate::config::Config;
        use crate::env::Env;

        const SECRET: &str = "s3cr3t";

        /// The settings of a TOML file (when given) under `vars`, as `init()`
        /// merges them, read.
        fn settings(toml: Option<&str>, vars: &[(&str, &str)]) -> Result<OtlpEnv, InitError> {
            let dir = tempfile::tempdir().unwrap();
            let mut config = match toml {
                Some(text) => {
                    let path = dir.path().join("logwood.toml");
                    std::fs::write(&path, text).unwrap();
                    crate::config::load_file(&path, "LOGWOOD_CONFIG")?
                }
                None => Config::default(),
            };
            Env::from_vars(vars.iter().map(|(n, v)| (n.into(), v.into())))?.apply(&mut config)?;
            let endpoint = config.otlp.endpoint.clone().expect("an endpoint");
            read(&config.otlp, &endpoint)
        }

        fn err(toml: Option<&str>, vars: &[(&str, &str)]) -> String {
            let e = settings(toml, vars).unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(!text.contains(SECRET), "{text}");
            e.to_string()
        }

        #[test]
        fn the_endpoint_is_used_as_is_or_as_a_base() {
            let url = |toml: Option<&str>, vars: &[(&str, &str)]| {
                settings(toml, vars).unwrap().logs_url().to_owned()
            };
            let file = |endpoint: &str| format!("[otlp]\nendpoint = \"{endpoint}\"\n");
            assert_eq!(
                url(Some(&file("http://c:4318")), &[]),
                "http://c:4318/v1/logs"
            );
            assert_eq!(
                url(Some(&file("http://c:4318/")), &[]),
                "http://c:4318/v1/logs"
            );
            assert_eq!(url(Some(&file("http://c/ingest")), &[]), "http://c/ingest");
            let own = [("LOGWOOD_OTLP_ENDPOINT", "http://c:4318")];
            assert_eq!(url(None, &own), "http://c:4318/v1/logs");
            // The standard variables' own rules: the logs one as is, even
            // without a path; the base one with `/v1/logs`.
            let logs = [(otel::LOGS_ENDPOINT, "http://c:4318")];
            assert_eq!(url(None, &logs), "http://c:4318");
            let base = [(otel::ENDPOINT, "http://c:4318/otlp")];
            assert_eq!(
                url(Some(&file("http://file:1")), &base),
                "http://c:4318/otlp/v1/logs"
            );
            // LOGWOOD_OTLP_ENDPOINT wins over both.
            let both = [base[0], logs[0], own[0]];
            assert_eq!(url(None, &both), "http://c:4318/v1/logs");
        }

        #[test]
        fn the_environment_wins_over_the_file_and_logwood_over_otel() {
            let toml = "[otlp]\nendpoint = \"http://c:4318\"\nprotocol = \"http/xml\"\n\
                        service_name = \"from-file\"\ntimeout = \"ten\"\n\
                        resource_attributes = \"team=file\"\n";
            let e = settings(
                Some(toml),
                &[
                    (otel::LOGS_PROTOCOL, "http/json"),
                    (otel::SERVICE_NAME, "from-otel"),
                    ("LOGWOOD_OTLP_SERVICE_NAME", "from-logwood"),
                    (otel::LOGS_TIMEOUT, "2500"),
                    (
                        otel::RESOURCE_ATTRIBUTES,
                        "team=a%20b,deployment.environment=test",
                    ),
                ],
            )
            .unwrap();
            assert_eq!(e.protocol(), OtlpProtocol::Json);
            assert_eq!(e.service_name(), Some("from-logwood"));
            assert_eq!(e.timeout(), Some(Duration::from_millis(2500)));
            assert_eq!(
                e.resource_attributes(),
                [
                    ("team".to_owned(), "a b".to_owned()),
                    ("deployment.environment".to_owned(), "test".to_owned())
                ]
            );
            let e = settings(
                Some("[otlp]\nendpoint = \"http://c\"\ntimeout = \"2s\"\ncompression = \"none\"\n"),
                &[("LOGWOOD_OTLP_TIMEOUT", "1500ms")],
            )
            .unwrap();
            assert_eq!(e.timeout(), Some(Duration::from_millis(1500)));
            assert!(!e.gzip());
        }

        #[test]
        fn header_lists_from_any_source_keep_their_values_secret() {
            let e = settings(
                Some(&format!(
                    "[otlp]\nendpoint = \"http://c\"\nheaders = \"x-file=1,authorization=Bearer {SECRET}\"\n"
                )),
                &[],
            )
            .unwrap();
            let names: Vec<&str> = e.header_names().collect();
            assert_eq!(names, ["x-file", "authorization"]);
            assert!(!format!("{e:?}").contains(SECRET));
            let e = settings(
                None,
                &[
                    (otel::ENDPOINT, "http://c"),
                    (otel::HEADERS, "x-tenant=a,authorization=Bearer%20old"),
                    (
                        otel::LOGS_HEADERS,
                        &format!("Authorization=Bearer%20{SECRET}"),
                    ),
                ],
            )
            .unwrap();
            let names: Vec<&str> = e.header_names().collect();
            assert_eq!(names, ["x-tenant", "Authorization"]);
            let text = err(
                None,
                &[
                    ("LOGWOOD_OTLP_ENDPOINT", "http://c"),
                    (
                        "LOGWOOD_OTLP_HEADERS",
                        &format!("authorization=Bearer%20{SECRET},x"),
                    ),
                ],
            );
            assert_eq!(
                text,
                "LOGWOOD_OTLP_HEADERS: entry 2 is not `name=value` (values are not shown)"
            );
        }

        #[test]
        fn errors_name_the_setting_of_any_source() {
            let file = "[otlp]\nendpoint = \"http://c\"\nprotocol = \"grpc\"\n";
            let text = err(Some(file), &[]);
            assert!(
                text.contains("`otlp.protocol = \"grpc\"` in ")
                    && text.contains(": is `grpc`, which logwood does not speak"),
                "{text}"
            );
            let own = ("LOGWOOD_OTLP_ENDPOINT", "http://c");
            assert_eq!(
                err(None, &[own, ("LOGWOOD_OTLP_TIMEOUT", "2500")]),
                "LOGWOOD_OTLP_TIMEOUT=2500: has no unit: expected a whole number with a unit, \
                 such as 500ms, 2s, 1m or 1h"
            );
            assert_eq!(
                err(None, &[own, ("LOGWOOD_OTLP_COMPRESSION", "zstd")]),
                "LOGWOOD_OTLP_COMPRESSION=zstd: is `zstd`: choose from gzip, none"
            );
            assert_eq!(
                err(None, &[own, ("LOGWOOD_OTLP_PROTOCOL", " ")]),
                "LOGWOOD_OTLP_PROTOCOL= : is blank: give a value, or leave the setting out"
            );
            assert_eq!(
                err(None, &[(otel::ENDPOINT, "http://c"), (otel::TIMEOUT, "0")]),
                "OTEL_EXPORTER_OTLP_TIMEOUT=0: is `0`: give the timeout as a number of \
                 milliseconds greater than zero"
            );
            let text = err(None, &[("LOGWOOD_OTLP_ENDPOINT", "collector:4318/v1/logs")]);
            assert!(
                text.starts_with(
                    "LOGWOOD_OTLP_ENDPOINT=collector:4318/v1/logs: is `collector:4318/v1/logs`, \
                     which is missing `http://` or `https://`"
                ),
                "{text}"
            );
        }
    }
}

#[cfg(not(feature = "otlp"))]
mod imp {
    use super::super::Start;
    use super::Section;
    use crate::InitError;
    use crate::config::Set;

    /// Without the `otlp` feature there is no OTLP layer; asking for one
    /// was refused earlier (feature check).
    pub(super) fn plan(_s: &Section, _endpoint: &Set) -> Result<Option<Start>, InitError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_a_path_is_a_base() {
        for base in [
            "http://c:4318",
            "http://c:4318/",
            "https://c",
            "http://c?x=/",
        ] {
            assert!(has_no_path(base), "{base}");
        }
        for full in ["http://c:4318/v1/logs", "http://c/otlp/", "c/x"] {
            assert!(!has_no_path(full), "{full}");
        }
    }

    #[test]
    fn list_entries_encode_what_the_syntax_would_split() {
        assert_eq!(
            list_entry("authorization", "Bearer a,b%c=d"),
            "authorization=Bearer%20a%2Cb%25c=d"
        );
        assert_eq!(list_entry("team", " x\n"), "team=%20x%0A");
    }
}
