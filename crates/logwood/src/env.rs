//! The environment: `RUST_LOG`, `LOGWOOD_CONFIG`, `LOGWOOD_CONTEXT`, the
//! `LOGWOOD_*` variable of every key (see [`crate::config::Key`]) and, with
//! the `otlp` feature, the standard `OTEL_*` variables of an OTLP exporter
//! (see [`crate::otel`]), read once into [`Env`] and applied over the
//! file's settings. A `LOGWOOD_*` variable logwood does not know is an
//! error (with the closest known name), and so is one of a sink this build
//! does not have (naming its feature); other `OTEL_*` variables are left
//! alone.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::InitError;
use crate::config::{self, CONFIG, CONTEXT, Config, Set};
use crate::{otel, sinks};

/// Variables with the `LOGWOOD_` prefix that belong to logwood's other
/// tools, not to `init()`: the collector binary's and the test harness's.
const OTHER_TOOLS: &[&str] = &["LOGWOOD_COLLECTOR_", "LOGWOOD_RSYSLOG_NO_INSTALL"];

/// The variables `init()` reads, as found in the environment.
#[derive(Debug, Default)]
pub(crate) struct Env {
    /// `(name, value)` of each variable to apply, in a stable order.
    vars: Vec<(String, String)>,
}

// === impl Env ===

impl Env {
    /// The process's environment.
    ///
    /// # Errors
    ///
    /// An unknown `LOGWOOD_*` variable, or one that is not UTF-8.
    pub(crate) fn read() -> Result<Self, InitError> {
        Self::from_vars(std::env::vars_os())
    }

    /// The variables of `vars` that `init()` reads (the others are left
    /// alone).
    pub(crate) fn from_vars(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, InitError> {
        let mut found = Vec::new();
        for (name, value) in vars {
            let Some(name) = name.to_str() else { continue };
            let standard = cfg!(feature = "otlp") && otel::is_standard(name);
            let ours = name.starts_with("LOGWOOD_") || name == config::LEVEL.env || standard;
            if !ours || OTHER_TOOLS.iter().any(|p| name.starts_with(p)) {
                continue;
            }
            if !standard && !known(name) {
                return Err(InitError::UnknownVariable {
                    name: name.to_owned(),
                    hint: hint(name),
                });
            }
            let value = value.into_string().map_err(|_| {
                InitError::invalid(name, "is not valid UTF-8: logwood's settings are text")
            })?;
            // An empty RUST_LOG (or OTEL_*) means "not set", as everywhere
            // else.
            if (name == config::LEVEL.env || standard) && value.trim().is_empty() {
                continue;
            }
            found.push((name.to_owned(), value));
        }
        found.sort();
        Ok(Env { vars: found })
    }

    /// `LOGWOOD_CONFIG`: the TOML file to read, if any.
    pub(crate) fn config_file(&self) -> Result<Option<PathBuf>, InitError> {
        match self.get(CONFIG) {
            None => Ok(None),
            Some("") => Err(InitError::invalid(
                CONFIG,
                "is empty: name a TOML file, or unset it",
            )),
            Some(path) => Ok(Some(PathBuf::from(path))),
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets every variable's key in `config`, over what is there: the
    /// standard `OTEL_*` variables first, then the `LOGWOOD_*` ones (which
    /// win).
    pub(crate) fn apply(&self, config: &mut Config) -> Result<(), InitError> {
        #[cfg(feature = "otlp")]
        otel::apply(&self.vars, config)?;
        for (name, value) in &self.vars {
            if name == CONFIG {
                continue;
            }
            if name == CONTEXT.env {
                config.context.extend(parse_context(value)?);
                continue;
            }
            let Some(key) = config::all_keys().find(|k| k.env == name) else {
                continue;
            };
            if let Some(slot) = config.slot(key.path) {
                *slot = Some(Set::env(value.clone()));
            }
        }
        Ok(())
    }
}

/// Whether `name` is a variable `init()` reads.
fn known(name: &str) -> bool {
    name == CONFIG || name == CONTEXT.env || config::all_keys().any(|k| k.env == name)
}

/// A hint for an unknown variable: the known one closest to `name` (a
/// typo of a letter or two, a missing or extra `_`), or the variables of
/// the sink its name starts like.
fn hint(name: &str) -> Option<String> {
    let candidates = config::all_keys()
        .map(|k| k.env)
        .chain([CONFIG, CONTEXT.env])
        .filter(|c| c.starts_with("LOGWOOD_"));
    let (best, distance) = candidates
        .map(|c| (c, edit_distance(name, c)))
        .min_by_key(|&(_, d)| d)?;
    if distance <= 2 || (distance <= 4 && distance * 5 <= name.len()) {
        return Some(format!("did you mean `{best}`?"));
    }
    sinks::SINKS
        .iter()
        .find(|s| name.starts_with(s.env_prefix))
        .map(|s| format!("the {} sink reads {}", s.name, s.env_names()))
}

/// Levenshtein distance, on bytes (the names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// `LOGWOOD_CONTEXT`: `key=value` pairs separated by commas
/// (`service.name=shop,deploy.env=prod`); values are strings.
pub(crate) fn parse_context(value: &str) -> Result<Vec<(String, Set)>, InitError> {
    let err = |why: String| {
        InitError::invalid(
            format!("{}={value}", CONTEXT.env),
            format!(
                "{why}; expected comma-separated key=value pairs such as \
                 service.name=shop,deploy.env=prod (a value cannot hold a comma: use the TOML \
                 file's [context] for that)"
            ),
        )
    };
    let mut pairs = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let Some((k, v)) = item.split_once('=') else {
            return Err(err(format!("`{item}` has no `=`")));
        };
        let k = k.trim();
        if k.is_empty() || k.starts_with('.') || k.ends_with('.') || k.contains("..") {
            return Err(err(format!(
                "`{item}` has no key, or an empty segment in it"
            )));
        }
        pairs.push((k.to_owned(), Set::env(v.trim().to_owned())));
    }
    if pairs.is_empty() {
        return Err(err("has no pairs".to_owned()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Result<Env, InitError> {
        Env::from_vars(vars.iter().map(|(n, v)| (n.into(), v.into())))
    }

    #[test]
    fn unknown_variables_are_errors_with_the_closest_name() {
        let e = env(&[("LOGWOOD_FILE_WHN", "midnight")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown variable `LOGWOOD_FILE_WHN`: did you mean `LOGWOOD_FILE_WHEN`?"
        );
        let e = env(&[("LOGWOOD_STDOT", "json")]).unwrap_err();
        assert!(
            e.to_string().contains("did you mean `LOGWOOD_STDOUT`"),
            "{e}"
        );
        let e = env(&[("LOGWOOD_SYSLOG_COLOUR", "red")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown variable `LOGWOOD_SYSLOG_COLOUR`: the syslog sink reads LOGWOOD_SYSLOG, \
             LOGWOOD_SYSLOG_FORMAT, LOGWOOD_SYSLOG_APP_NAME, LOGWOOD_SYSLOG_FACILITY, \
             LOGWOOD_SYSLOG_PATTERN, LOGWOOD_SYSLOG_CA_FILE, LOGWOOD_SYSLOG_LEVEL"
        );
        let e = env(&[("LOGWOOD_COLOR", "1")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown variable `LOGWOOD_COLOR`: logwood reads the variables listed in its README; \
             unset it or fix its name"
        );
    }

    #[test]
    fn other_variables_and_other_tools_are_left_alone() {
        let env = env(&[
            ("PATH", "/bin"),
            ("LOGWOOD_COLLECTOR_TOKEN", "x"),
            ("RUST_LOG", ""),
            ("LOGWOOD_FILE", "app.log"),
        ])
        .unwrap();
        assert_eq!(
            env.vars,
            [("LOGWOOD_FILE".to_owned(), "app.log".to_owned())]
        );
    }

    #[test]
    fn standard_variables_are_kept_with_the_otlp_feature_only_and_empty_is_unset() {
        let env = env(&[
            ("OTEL_SERVICE_NAME", "shop"),
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_EXPORTER_OTLP_HEADERS", " "),
        ])
        .unwrap();
        let names: Vec<&str> = env.vars.iter().map(|(n, _)| n.as_str()).collect();
        if cfg!(feature = "otlp") {
            assert_eq!(names, ["OTEL_SERVICE_NAME"]);
        } else {
            assert!(names.is_empty(), "{names:?}");
        }
    }

    #[test]
    fn variables_override_keys_and_context_adds_pairs() {
        let env = env(&[
            ("LOGWOOD_FILE_WHEN", "H"),
            ("LOGWOOD_CONTEXT", "service.name=shop, deploy.env=prod"),
        ])
        .unwrap();
        let mut config = Config::default();
        *config.slot("file.when").unwrap() = Some(Set::code("midnight"));
        env.apply(&mut config).unwrap();
        assert_eq!(config.file.when, Some(Set::env("H".into())));
        let keys: Vec<&str> = config.context.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["service.name", "deploy.env"]);
    }

    #[test]
    fn context_errors_say_what_is_expected() {
        let e = parse_context("service.name").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("LOGWOOD_CONTEXT=service.name: `service.name` has no `=`"),
            "{e}"
        );
        assert!(parse_context(",").is_err());
        assert!(parse_context("a..b=1").is_err());
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
