//! The settings `init()` reads, from the builder, the TOML file and the
//! environment, merged in that order (a later source wins, key by key).
//!
//! - [`Config`]: the settings tree, which is also the TOML file's shape
//!   (serde structs, unknown keys refused): the top-level keys here, a
//!   section per sink in [`crate::sinks`].
//! - [`Key`]: a setting's TOML key and environment variable, one table for
//!   both, so that the two can never disagree.
//! - `value`: one setting as given ([`Set`]) and its typed readings.
//! - `file`: reading and parsing the TOML file.

mod file;
mod value;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

pub(crate) use file::load as load_file;
pub(crate) use value::{Raw, Set, Source};

use crate::sinks::{self, Section};

/// A setting's names: its TOML key (`file.when`) and its environment
/// variable (`LOGWOOD_FILE_WHEN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    /// The dotted TOML key: `section.field`, or `field` at the top level.
    pub(crate) path: &'static str,
    /// The environment variable.
    pub(crate) env: &'static str,
    /// The value is a credential: errors name the setting, never the value.
    pub(crate) secret: bool,
    /// The value is a URL: errors show it without credentials or query.
    pub(crate) redact_url: bool,
}

// === impl Key ===

impl Key {
    pub(crate) const fn new(path: &'static str, env: &'static str) -> Self {
        Key {
            path,
            env,
            secret: false,
            redact_url: false,
        }
    }

    /// The value is never shown.
    pub(crate) const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// The value is shown as a URL without credentials or query.
    pub(crate) const fn url(mut self) -> Self {
        self.redact_url = true;
        self
    }

    /// The key within its section (`when` for `file.when`).
    #[cfg(test)]
    pub(crate) fn field(&self) -> &'static str {
        self.path
            .split_once('.')
            .map_or(self.path, |(_, field)| field)
    }

    /// The section (`file` for `file.when`; `None` at the top level).
    #[cfg(test)]
    pub(crate) fn section(&self) -> Option<&'static str> {
        self.path.split_once('.').map(|(section, _)| section)
    }
}

/// The base filter directives: `RUST_LOG`, TOML `level`.
pub(crate) const LEVEL: Key = Key::new("level", "RUST_LOG");
/// The Python format of pattern outputs.
pub(crate) const PATTERN: Key = Key::new("pattern", "LOGWOOD_PATTERN");
/// Its `strftime` date format.
pub(crate) const DATEFMT: Key = Key::new("datefmt", "LOGWOOD_DATEFMT");
/// Every buffered sink's queue bound.
pub(crate) const BUFFER_CAPACITY: Key = Key::new("buffer_capacity", "LOGWOOD_BUFFER_CAPACITY");
/// The HTTP sink's batch interval.
pub(crate) const FLUSH_INTERVAL: Key = Key::new("flush_interval", "LOGWOOD_FLUSH_INTERVAL");
/// Drop (`true`) or wait (`false`) when a queue is full.
pub(crate) const DROP_EXTRA_EVENTS: Key =
    Key::new("drop_extra_events", "LOGWOOD_DROP_EXTRA_EVENTS");
/// How long the guard waits for each buffered sink at the end.
pub(crate) const SHUTDOWN_TIMEOUT: Key = Key::new("shutdown_timeout", "LOGWOOD_SHUTDOWN_TIMEOUT");
/// The `[context]` table / `LOGWOOD_CONTEXT` (not a scalar slot).
pub(crate) const CONTEXT: Key = Key::new("context", "LOGWOOD_CONTEXT");
/// The `[levels]` table (not in the environment: use `RUST_LOG`).
pub(crate) const LEVELS: Key = Key::new("levels", "RUST_LOG");
/// The TOML file (not a key of the file itself).
pub(crate) const CONFIG: &str = "LOGWOOD_CONFIG";

/// The top-level keys.
pub(crate) const TOP_KEYS: &[Key] = &[
    LEVEL,
    PATTERN,
    DATEFMT,
    BUFFER_CAPACITY,
    FLUSH_INTERVAL,
    DROP_EXTRA_EVENTS,
    SHUTDOWN_TIMEOUT,
];

/// Every scalar key: the top level's, then each sink's.
pub(crate) fn all_keys() -> impl Iterator<Item = &'static Key> {
    TOP_KEYS
        .iter()
        .chain(sinks::SINKS.iter().flat_map(|s| s.keys))
}

/// The settings tree, and the shape of the TOML file.
///
/// ```toml
/// level = "info"            # RUST_LOG
/// pattern = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
/// shutdown_timeout = "5s"
///
/// [levels]                  # per-target levels, like dictConfig's loggers
/// hyper = "warn"
///
/// [context]                 # static context for every sink
/// service.name = "shop"
///
/// [stdout]
/// format = "json"
///
/// [file]
/// path = "app.log"
/// when = "midnight"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    pub(crate) level: Option<Set>,
    pub(crate) pattern: Option<Set>,
    pub(crate) datefmt: Option<Set>,
    pub(crate) buffer_capacity: Option<Set>,
    pub(crate) flush_interval: Option<Set>,
    pub(crate) drop_extra_events: Option<Set>,
    pub(crate) shutdown_timeout: Option<Set>,
    /// `target = "level"`, in order; a later entry for a target wins.
    #[serde(default)]
    pub(crate) levels: BTreeMap<String, Set>,
    /// Dotted keys and their values, in order; a later entry wins.
    #[serde(default, deserialize_with = "file::context")]
    pub(crate) context: Vec<(String, Set)>,
    #[serde(default)]
    pub(crate) stdout: sinks::stdout::Section,
    #[serde(default)]
    pub(crate) file: sinks::file::Section,
    #[serde(default)]
    pub(crate) syslog: sinks::syslog::Section,
    #[serde(default)]
    pub(crate) http: sinks::http::Section,
    #[serde(default)]
    pub(crate) otlp: sinks::otlp::Section,
}

// === impl Config ===

impl Config {
    /// The setting of `path` (`file.when`, `level`), if `path` is a scalar
    /// key.
    pub(crate) fn slot(&mut self, path: &str) -> Option<&mut Option<Set>> {
        match path.split_once('.') {
            Some((section, field)) => match section {
                sinks::stdout::Section::NAME => self.stdout.slot(field),
                sinks::file::Section::NAME => self.file.slot(field),
                sinks::syslog::Section::NAME => self.syslog.slot(field),
                sinks::http::Section::NAME => self.http.slot(field),
                sinks::otlp::Section::NAME => self.otlp.slot(field),
                _ => None,
            },
            None => Some(match path {
                "level" => &mut self.level,
                "pattern" => &mut self.pattern,
                "datefmt" => &mut self.datefmt,
                "buffer_capacity" => &mut self.buffer_capacity,
                "flush_interval" => &mut self.flush_interval,
                "drop_extra_events" => &mut self.drop_extra_events,
                "shutdown_timeout" => &mut self.shutdown_timeout,
                _ => return None,
            }),
        }
    }

    /// Calls `f` with each scalar setting that is given, and its key.
    pub(crate) fn for_each_set(&mut self, mut f: impl FnMut(&'static Key, &mut Set)) {
        for key in all_keys() {
            if let Some(Some(set)) = self.slot(key.path) {
                f(key, set);
            }
        }
    }

    /// Takes every setting `over` gives, replacing this one's.
    pub(crate) fn merge(&mut self, mut over: Config) {
        for key in all_keys() {
            if let Some(set) = over.slot(key.path).and_then(Option::take)
                && let Some(slot) = self.slot(key.path)
            {
                *slot = Some(set);
            }
        }
        self.levels.append(&mut over.levels);
        self.context.append(&mut over.context);
    }

    /// Marks every setting as read from the TOML file at `path`.
    pub(crate) fn set_file(&mut self, path: &Path) {
        let path: Arc<Path> = path.into();
        let source = Source::File(Some(path));
        self.for_each_set(|_, set| set.source = source.clone());
        for set in self.levels.values_mut() {
            set.source = source.clone();
        }
        for (_, set) in &mut self.context {
            set.source = source.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_slot_a_distinct_variable_and_a_toml_field() {
        let mut config = Config::default();
        let mut vars = std::collections::BTreeSet::new();
        let mut toml = String::new();
        for key in all_keys() {
            assert!(config.slot(key.path).is_some(), "{key:?} has no slot");
            assert!(vars.insert(key.env), "{} is used twice", key.env);
            assert!(
                key.env == "RUST_LOG" || key.env.starts_with("LOGWOOD_"),
                "{key:?}"
            );
            match key.section() {
                Some(section) => toml.push_str(&format!("[{section}]\n{} = \"x\"\n", key.field())),
                None => toml.insert_str(0, &format!("{} = \"x\"\n", key.path)),
            }
        }
        // Each section once, with all of its keys.
        let mut merged: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut top = String::new();
        let mut section = None;
        for line in toml.lines() {
            if let Some(name) = line.strip_prefix('[') {
                section = Some(name.trim_end_matches(']').to_owned());
            } else if let Some(s) = &section {
                merged.entry(s.clone()).or_default().push(line.to_owned());
            } else {
                top.push_str(line);
                top.push('\n');
            }
        }
        for (name, lines) in merged {
            top.push_str(&format!("[{name}]\n{}\n", lines.join("\n")));
        }
        let mut parsed: Config = toml::from_str(&top).unwrap_or_else(|e| panic!("{e}\n{top}"));
        let mut seen = 0;
        parsed.for_each_set(|_, _| seen += 1);
        assert_eq!(seen, all_keys().count());
    }

    #[test]
    fn the_readme_table_lists_every_variable_with_its_toml_key() {
        let readme = include_str!("../../../../README.md");
        for key in all_keys().chain([&CONTEXT]) {
            let row = format!("| `{}` |", key.env);
            let line = readme
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("README has no row for {}", key.env));
            let toml = if key.path == "context" {
                "`[context]`".to_owned()
            } else {
                format!("`{}`", key.path)
            };
            assert!(line.ends_with(&format!("| {toml} |")), "{line}");
        }
        assert!(readme.contains(&format!("| `{CONFIG}` |")));
        for (name, key) in crate::otel::VARIABLES {
            let row = format!("| `{name}` |");
            let line = readme
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("README has no row for {name}"));
            assert!(line.ends_with(&format!("| `{}` |", key.path)), "{line}");
        }
    }

    #[test]
    fn the_readme_toml_file_is_a_valid_configuration() {
        let readme = include_str!("../../../../README.md");
        let section = readme
            .split_once("### The TOML file")
            .map(|(_, rest)| rest)
            .unwrap();
        let block = section
            .split_once("```toml\n")
            .and_then(|(_, rest)| rest.split_once("```"))
            .map(|(block, _)| block)
            .unwrap();
        let config: Config = toml::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        assert!(config.otlp.endpoint.is_some() && config.http.url.is_some());
    }

    #[test]
    fn a_later_source_wins_key_by_key() {
        let mut code = Config::default();
        *code.slot("file.path").unwrap() = Some(Set::code("code.log"));
        *code.slot("file.max_bytes").unwrap() = Some(Set::code(10u64));
        let mut file = Config::default();
        *file.slot("file.path").unwrap() = Some(Set::env("file.log".into()));
        code.merge(file);
        assert_eq!(
            code.file.path.as_ref().unwrap().raw,
            Raw::Str("file.log".into())
        );
        assert_eq!(code.file.max_bytes.as_ref().unwrap().raw, Raw::Int(10));
    }
}
