//! The standard `OTEL_*` variables of an OTLP exporter, as settings of the
//! `otlp` sink.
//!
//! [`Env`](crate::env::Env) keeps them beside the `LOGWOOD_*` variables
//! (so `Builder::read_env(false)` ignores them too) and [`apply`] sets
//! them into the `otlp.*` slots, where they rank as the environment: over
//! the TOML file and the code, under a `LOGWOOD_OTLP_*` variable of the
//! same key. Each value keeps the name of its variable, so that an error
//! names `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`, not `LOGWOOD_OTLP_PROTOCOL`.
//!
//! They are read only when the OTLP sink is on (an endpoint from any
//! source) and the build has the `otlp` feature: other OpenTelemetry SDKs
//! in the process read them too (a tracing exporter over gRPC, say), and
//! they must not stop `init()` when logwood does not use them.
//! `LOGWOOD_OTLP_ENDPOINT=off` turns the sink off whatever they say.
//!
//! Their syntax is `logwood-http`'s [`OtlpEnv`](logwood_http::OtlpEnv),
//! which checks them here (its errors name the variable) and again, with
//! the settings of every source, when the sink is planned.

use crate::config::Key;
use crate::sinks::otlp;

/// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`: the logs URL, used as is.
pub(crate) const LOGS_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";
/// `OTEL_EXPORTER_OTLP_ENDPOINT`: the base URL, `/v1/logs` appended.
pub(crate) const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
/// `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`.
pub(crate) const LOGS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL";
/// `OTEL_EXPORTER_OTLP_PROTOCOL`.
pub(crate) const PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
/// `OTEL_EXPORTER_OTLP_HEADERS`.
pub(crate) const HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
/// `OTEL_EXPORTER_OTLP_LOGS_HEADERS` (a header of the same name replaces
/// the general one's).
pub(crate) const LOGS_HEADERS: &str = "OTEL_EXPORTER_OTLP_LOGS_HEADERS";
/// Both header variables, named together when both are set.
#[cfg(feature = "otlp")]
pub(crate) const BOTH_HEADERS: &str =
    "OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_LOGS_HEADERS";
/// `OTEL_EXPORTER_OTLP_LOGS_COMPRESSION`.
pub(crate) const LOGS_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION";
/// `OTEL_EXPORTER_OTLP_COMPRESSION`.
pub(crate) const COMPRESSION: &str = "OTEL_EXPORTER_OTLP_COMPRESSION";
/// `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT`, in milliseconds.
pub(crate) const LOGS_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT";
/// `OTEL_EXPORTER_OTLP_TIMEOUT`, in milliseconds.
pub(crate) const TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
/// `OTEL_SERVICE_NAME`.
pub(crate) const SERVICE_NAME: &str = "OTEL_SERVICE_NAME";
/// `OTEL_RESOURCE_ATTRIBUTES`.
pub(crate) const RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";

/// Every standard variable `init()` reads and the key it sets; for each
/// key, the logs variable first (it wins over the general one).
pub(crate) const VARIABLES: &[(&str, &Key)] = &[
    (LOGS_ENDPOINT, &otlp::ENDPOINT),
    (ENDPOINT, &otlp::ENDPOINT),
    (LOGS_PROTOCOL, &otlp::PROTOCOL),
    (PROTOCOL, &otlp::PROTOCOL),
    (LOGS_HEADERS, &otlp::HEADERS),
    (HEADERS, &otlp::HEADERS),
    (LOGS_COMPRESSION, &otlp::COMPRESSION),
    (COMPRESSION, &otlp::COMPRESSION),
    (LOGS_TIMEOUT, &otlp::TIMEOUT),
    (TIMEOUT, &otlp::TIMEOUT),
    (SERVICE_NAME, &otlp::SERVICE_NAME),
    (RESOURCE_ATTRIBUTES, &otlp::RESOURCE_ATTRIBUTES),
];

/// Whether `name` is a standard variable `init()` reads.
pub(crate) fn is_standard(name: &str) -> bool {
    VARIABLES.iter().any(|(n, _)| *n == name)
}

/// The key a standard variable sets.
#[cfg(feature = "otlp")]
fn key_of(name: &str) -> Option<&'static Key> {
    VARIABLES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

#[cfg(feature = "otlp")]
pub(crate) use imp::apply;

#[cfg(feature = "otlp")]
mod imp {
    use logwood_http::{OtlpEnv, OtlpEnvError};

    use super::*;
    use crate::InitError;
    use crate::config::{Config, Set};
    use crate::sinks::is_off;

    /// A URL that stands for the endpoint when it comes from the TOML file,
    /// the code or `LOGWOOD_OTLP_ENDPOINT`, so that the other variables are
    /// checked all the same (`OtlpEnv` reads nothing without an endpoint).
    const STAND_IN: &str = "http://127.0.0.1/v1/logs";

    /// Sets the standard variables among `vars` (present, non-empty) into
    /// `config`'s `otlp.*` slots, over the file's and the code's values,
    /// when the OTLP sink is on; a variable whose key also has its
    /// `LOGWOOD_OTLP_*` variable set is left out (that one wins, and is
    /// applied after this).
    ///
    /// # Errors
    ///
    /// A standard variable with a value that is not allowed, named (a
    /// header list's values never shown).
    pub(crate) fn apply(vars: &[(String, String)], config: &mut Config) -> Result<(), InitError> {
        let get = |name: &str| {
            vars.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let overridden = |name: &str| key_of(name).is_some_and(|key| get(key.env).is_some());
        // The standard variables that count: set, and not overridden.
        let used = |name: &str| get(name).filter(|_| is_standard(name) && !overridden(name));

        let on = match get(otlp::ENDPOINT.env) {
            Some(own) => !is_off(&Set::env(own.to_owned())),
            None => {
                used(LOGS_ENDPOINT).is_some()
                    || used(ENDPOINT).is_some()
                    || config.otlp.endpoint.as_ref().is_some_and(|s| !is_off(s))
            }
        };
        if !on {
            return Ok(());
        }
        // `gzip` needs logwood's feature (`OtlpEnv` would name its own crate's).
        let compression = used(LOGS_COMPRESSION)
            .map(|v| (LOGS_COMPRESSION, v))
            .or_else(|| used(COMPRESSION).map(|v| (COMPRESSION, v)));
        if let Some((name, value)) = compression
            && value.trim() == "gzip"
            && !cfg!(feature = "gzip")
        {
            return Err(InitError::FeatureDisabled {
                setting: format!("{name}={value}"),
                feature: "gzip",
            });
        }
        let has_endpoint = used(LOGS_ENDPOINT).is_some() || used(ENDPOINT).is_some();
        let lookup = |name: &str| match used(name) {
            Some(value) => Some(value.to_owned()),
            None if name == LOGS_ENDPOINT && !has_endpoint => Some(STAND_IN.to_owned()),
            None => None,
        };
        OtlpEnv::from_lookup(lookup).map_err(|e| error(&e, get))?;

        for (name, key) in VARIABLES {
            let Some(value) = used(name) else { continue };
            let Some(slot) = config.slot(key.path) else {
                continue;
            };
            // The logs variable of a key comes first: it wins.
            if matches!(
                slot,
                Some(Set {
                    source: crate::config::Source::Env(Some(_)),
                    ..
                })
            ) {
                continue;
            }
            *slot = Some(Set::env_from(name, value.to_owned()));
        }
        // Both header lists: the general one, then the logs one (whose
        // headers replace the general one's of the same name).
        if let (Some(general), Some(logs)) = (used(HEADERS), used(LOGS_HEADERS)) {
            config.otlp.headers = Some(Set::env_from(BOTH_HEADERS, format!("{general},{logs}")));
        }
        Ok(())
    }

    /// `OtlpEnv`'s error as `init()` words it: the variable with its value
    /// (never a header list's), then the reason.
    fn error<'a>(e: &OtlpEnvError, get: impl Fn(&str) -> Option<&'a str>) -> InitError {
        let name = e.variable();
        let text = e.to_string();
        let reason = text
            .strip_prefix(&format!("`{name}` "))
            .unwrap_or(&text)
            .to_owned();
        match (key_of(name), get(name)) {
            (Some(key), Some(value)) => Set::env_from(name, value.to_owned()).invalid(key, reason),
            _ => InitError::invalid(name, reason),
        }
    }
}

#[cfg(all(test, feature = "otlp"))]
mod tests {
    use super::*;
    use crate::config::{Config, Raw, Set, Source};

    fn apply_vars(vars: &[(&str, &str)], config: &mut Config) -> Result<(), crate::InitError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        apply(&vars, config)
    }

    fn text(set: &Option<Set>) -> Option<(&str, &Source)> {
        set.as_ref().map(|s| match &s.raw {
            Raw::Str(t) => (t.as_str(), &s.source),
            _ => ("", &s.source),
        })
    }

    #[test]
    fn the_variables_set_the_slots_naming_themselves_logs_first() {
        let mut config = Config::default();
        apply_vars(
            &[
                (ENDPOINT, "http://c:4318"),
                (LOGS_ENDPOINT, "http://logs:4318/v1/logs"),
                (PROTOCOL, "http/protobuf"),
                (LOGS_PROTOCOL, "http/json"),
                (TIMEOUT, "2500"),
                (SERVICE_NAME, "shop"),
                (HEADERS, "authorization=Bearer%20s3cr3t"),
            ],
            &mut config,
        )
        .unwrap();
        let o = &config.otlp;
        let env = |name| Source::Env(Some(name));
        assert_eq!(
            text(&o.endpoint),
            Some(("http://logs:4318/v1/logs", &env(LOGS_ENDPOINT)))
        );
        assert_eq!(text(&o.protocol), Some(("http/json", &env(LOGS_PROTOCOL))));
        assert_eq!(text(&o.timeout), Some(("2500", &env(TIMEOUT))));
        assert_eq!(text(&o.service_name), Some(("shop", &env(SERVICE_NAME))));
        assert_eq!(o.headers.as_ref().unwrap().source, env(HEADERS));
        assert!(o.compression.is_none() && o.resource_attributes.is_none());
    }

    #[test]
    fn nothing_is_read_when_the_sink_is_off_or_without_an_endpoint() {
        for vars in [
            &[(SERVICE_NAME, "shop"), (PROTOCOL, "grpc")][..],
            &[
                ("LOGWOOD_OTLP_ENDPOINT", "off"),
                (ENDPOINT, "http://c:4318"),
                (PROTOCOL, "grpc"),
            ][..],
        ] {
            let mut config = Config::default();
            apply_vars(vars, &mut config).unwrap();
            assert!(config.otlp.service_name.is_none() && config.otlp.protocol.is_none());
        }
    }

    #[test]
    fn an_endpoint_in_the_file_lets_the_other_variables_in_over_its_values() {
        let mut config = Config::default();
        config.otlp.endpoint = Some(Set::code("http://c:4318"));
        config.otlp.service_name = Some(Set::code("from-code"));
        apply_vars(&[(SERVICE_NAME, "from-env")], &mut config).unwrap();
        assert_eq!(text(&config.otlp.service_name).unwrap().0, "from-env");
        assert_eq!(text(&config.otlp.endpoint).unwrap().0, "http://c:4318");
    }

    #[test]
    fn a_logwood_variable_of_the_key_leaves_the_standard_one_unread() {
        let mut config = Config::default();
        apply_vars(
            &[
                (ENDPOINT, "http://c:4318"),
                (PROTOCOL, "grpc"),
                ("LOGWOOD_OTLP_PROTOCOL", "http/json"),
            ],
            &mut config,
        )
        .unwrap();
        assert!(config.otlp.protocol.is_none());
    }

    #[cfg(not(feature = "gzip"))]
    #[test]
    fn gzip_without_the_feature_names_logwoods_feature() {
        let e = apply_vars(
            &[(ENDPOINT, "http://c:4318"), (COMPRESSION, "gzip")],
            &mut Config::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "OTEL_EXPORTER_OTLP_COMPRESSION=gzip needs logwood's `gzip` feature, which this \
             build does not have (enable it in Cargo.toml: `logwood = { features = [\"gzip\"] }`)"
        );
    }

    #[test]
    fn both_header_lists_are_kept_and_errors_name_the_variable() {
        let mut config = Config::default();
        apply_vars(
            &[
                (ENDPOINT, "http://c:4318"),
                (HEADERS, "a=1"),
                (LOGS_HEADERS, "b=2"),
            ],
            &mut config,
        )
        .unwrap();
        let headers = config.otlp.headers.as_ref().unwrap();
        assert_eq!(headers.source, Source::Env(Some(BOTH_HEADERS)));
        assert_eq!(headers.raw, Raw::Str("a=1,b=2".into()));

        let e = apply_vars(
            &[(ENDPOINT, "http://c:4318"), (LOGS_PROTOCOL, "grpc")],
            &mut Config::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=grpc: is `grpc`, which logwood does not speak"
            ),
            "{e}"
        );
        let e = apply_vars(
            &[
                (ENDPOINT, "http://c:4318"),
                (HEADERS, "authorization=Bearer%20s3cr3t,broken"),
            ],
            &mut Config::default(),
        )
        .unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(
            !text.contains("s3cr3t") && !text.contains("Bearer"),
            "{text}"
        );
        assert!(
            e.to_string()
                .starts_with("OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not `name=value`"),
            "{e}"
        );
    }
}
