//! The sinks `init()` builds, one file each: `stdout`, `file`, `syslog`,
//! `http`, `otlp`.
//!
//! Each sink file holds, for its sink:
//!
//! - `Section`: its `[section]` of the TOML file (serde, unknown keys
//!   refused), with a `slot` per key;
//! - `INFO`: its [`SinkInfo`]: its keys with their environment variables
//!   (the first turns it on), its level key, its Cargo feature;
//! - `plan`: reads and checks its settings and returns a [`Start`] (or
//!   `None` when the sink is off); nothing is opened or started yet, so a
//!   bad value in any sink is reported before a thread starts;
//! - the [`Start`] itself: builds the layer (opening files and starting
//!   workers) and returns it as a [`Built`] (boxed layer, guard, stats).
//!
//! This module checks what is common to all (a setting of a sink this
//! build does not have, a setting of a sink that is off), applies each
//! sink's own level filter, and starts them in order.
//!
//! # Adding a sink
//!
//! As `otlp.rs` was added:
//!
//! 1. `<sink>.rs`: `Section`, `INFO` (the main key first, a credential
//!    marked `Key::secret()`, a URL `Key::url()`), `plan` and the start,
//!    with the layer's code behind the sink's feature.
//! 2. Here: `pub(crate) mod <sink>;`, `<sink>::INFO` in [`SINKS`] and
//!    `<sink>::plan(config, shared)?` in [`plan_all`] (same order).
//! 3. `config/mod.rs`: the field of `Config` and its arm in
//!    `Config::slot`.
//! 4. Variables other than `LOGWOOD_*` ones (the OTLP sink's standard
//!    `OTEL_*` variables): kept by `Env::from_vars` and set into the slots
//!    by `Env::apply` before the `LOGWOOD_*` ones, as `Set::env_from`
//!    values that errors name by their own variable (see `crate::otel`).
//! 5. The README's reference table (a test checks it lists every key and
//!    standard variable), the builder's methods, the CHANGELOG.

pub(crate) mod file;
pub(crate) mod http;
pub(crate) mod otlp;
pub(crate) mod stdout;
pub(crate) mod syslog;

use std::time::Duration;

use logwood_core::{FlushGuard, StaticContext, StatsHandle};
use tracing_subscriber::layer::Layer;
use tracing_subscriber::registry::Registry;

use crate::InitError;
use crate::config::{Config, Key, Set};

/// A sink's layer, boxed so that any set of sinks makes one subscriber.
pub(crate) type BoxLayer = Box<dyn Layer<Registry> + Send + Sync + 'static>;

/// Starts a planned sink: builds its layer, opens its file, starts its
/// worker.
pub(crate) type Start = Box<dyn FnOnce(&Shared) -> Result<Built, InitError>>;

/// A `[section]` of the TOML file, for one sink.
pub(crate) trait Section {
    /// The section's name: `file`.
    const NAME: &'static str;

    /// The setting of `field`, if it is one of this section's keys.
    fn slot(&mut self, field: &str) -> Option<&mut Option<Set>>;
}

/// Declares a sink's `[section]` of the TOML file: a struct with one
/// optional setting per key (unknown keys refused by serde) and its
/// [`Section`] impl, which finds a setting by its key.
macro_rules! toml_section {
    ($name:literal { $($field:ident),+ $(,)? }) => {
        #[doc = concat!("`[", $name, "]` of the TOML file.")]
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct Section {
            $(
                #[doc = concat!("`", stringify!($field), "`")]
                pub(crate) $field: Option<$crate::config::Set>,
            )+
        }

        impl $crate::sinks::Section for Section {
            const NAME: &'static str = $name;

            fn slot(&mut self, field: &str) -> Option<&mut Option<$crate::config::Set>> {
                Some(match field {
                    $(stringify!($field) => &mut self.$field,)+
                    _ => return None,
                })
            }
        }
    };
}
pub(crate) use toml_section;

/// What `init()` knows of a sink before building it.
#[derive(Debug)]
pub(crate) struct SinkInfo {
    /// Its name, in [`SinkStats`](crate::SinkStats) and in errors.
    pub(crate) name: &'static str,
    /// The key that turns it on (`file.path`), whose value `off` turns it
    /// off.
    pub(crate) main: Key,
    /// Other variables that turn it on, read into `main` (the standard
    /// `OTEL_EXPORTER_OTLP_*ENDPOINT` for OTLP), named in the "not on"
    /// error.
    pub(crate) main_also: &'static [&'static str],
    /// Whether the sink is on when `main` is not set (stdout).
    pub(crate) on_by_default: bool,
    /// Its per-sink level key.
    pub(crate) level: Key,
    /// All its keys, `main` and `level` included.
    pub(crate) keys: &'static [Key],
    /// The prefix of its variables (`LOGWOOD_SYSLOG`).
    pub(crate) env_prefix: &'static str,
    /// The Cargo feature of the facade that provides it.
    pub(crate) feature: &'static str,
    /// Whether this build has that feature.
    pub(crate) compiled: bool,
}

impl SinkInfo {
    /// Its variables, for a hint: `LOGWOOD_FILE, LOGWOOD_FILE_FORMAT, …`.
    pub(crate) fn env_names(&self) -> String {
        let names: Vec<&str> = self.keys.iter().map(|k| k.env).collect();
        names.join(", ")
    }
}

/// Every sink, in the order they are built and reported.
pub(crate) const SINKS: &[SinkInfo] = &[
    stdout::INFO,
    file::INFO,
    syslog::INFO,
    http::INFO,
    otlp::INFO,
];

/// What every sink shares: the static context, the pattern of pattern
/// outputs, the delivery options of buffered sinks.
#[derive(Debug, Default)]
// Each field is read by the sinks that use it, which features may leave out.
#[cfg_attr(
    not(all(feature = "json", feature = "syslog", feature = "http")),
    allow(dead_code)
)]
pub(crate) struct Shared {
    pub(crate) context: StaticContext,
    /// `pattern` (validated by the layer that uses it).
    pub(crate) pattern: Option<Set>,
    /// `datefmt` (validated by the layer that uses it).
    pub(crate) datefmt: Option<Set>,
    pub(crate) buffer_capacity: Option<usize>,
    pub(crate) flush_interval: Option<Duration>,
    pub(crate) drop_extra_events: Option<bool>,
    pub(crate) shutdown_timeout: Option<Duration>,
}

/// A layer builder with the delivery options every sink with a worker
/// takes, by the same names (core's `delivery_option_setters!`).
#[cfg(any(
    feature = "json",
    feature = "syslog",
    feature = "http",
    feature = "otlp"
))]
pub(crate) trait DeliveryBuilder: Sized {
    fn buffer_capacity(self, records: usize) -> Self;
    fn drop_extra_events(self, drop: bool) -> Self;
    fn shutdown_timeout(self, timeout: Duration) -> Self;
}

/// Implements [`DeliveryBuilder`] for builders of core's delivery setters.
#[cfg(any(
    feature = "json",
    feature = "syslog",
    feature = "http",
    feature = "otlp"
))]
macro_rules! delivery_builder {
    ($($builder:ty),+ $(,)?) => {$(
        impl $crate::sinks::DeliveryBuilder for $builder {
            fn buffer_capacity(self, records: usize) -> Self {
                <$builder>::buffer_capacity(self, records)
            }
            fn drop_extra_events(self, drop: bool) -> Self {
                <$builder>::drop_extra_events(self, drop)
            }
            fn shutdown_timeout(self, timeout: ::std::time::Duration) -> Self {
                <$builder>::shutdown_timeout(self, timeout)
            }
        }
    )+};
}
#[cfg(any(
    feature = "json",
    feature = "syslog",
    feature = "http",
    feature = "otlp"
))]
pub(crate) use delivery_builder;

#[cfg(any(
    feature = "json",
    feature = "syslog",
    feature = "http",
    feature = "otlp"
))]
impl Shared {
    /// `b` with the delivery options given once for every sink
    /// (`LOGWOOD_BUFFER_CAPACITY`, `LOGWOOD_DROP_EXTRA_EVENTS`,
    /// `LOGWOOD_SHUTDOWN_TIMEOUT`), where given.
    pub(crate) fn delivery<B: DeliveryBuilder>(&self, mut b: B) -> B {
        if let Some(n) = self.buffer_capacity {
            b = b.buffer_capacity(n);
        }
        if let Some(drop) = self.drop_extra_events {
            b = b.drop_extra_events(drop);
        }
        if let Some(timeout) = self.shutdown_timeout {
            b = b.shutdown_timeout(timeout);
        }
        b
    }
}

/// A started sink.
pub(crate) struct Built {
    pub(crate) name: &'static str,
    pub(crate) layer: BoxLayer,
    /// The guard of a sink with a worker or a file.
    pub(crate) guard: Option<FlushGuard>,
    /// The counters of a sink without a guard (stdout).
    pub(crate) stats: Option<StatsHandle>,
}

/// One planned sink: its start and its level filter.
pub(crate) struct Planned {
    info: &'static SinkInfo,
    start: Start,
    level: Option<crate::filter::SinkLevel>,
}

/// Whether a sink's main setting says `off`.
pub(crate) fn is_off(set: &Set) -> bool {
    matches!(&set.raw, crate::config::Raw::Str(s) if s.eq_ignore_ascii_case("off"))
}

/// Checks every sink's settings and plans the sinks that are on, in
/// [`SINKS`] order; nothing is started.
pub(crate) fn plan_all(config: &mut Config, shared: &Shared) -> Result<Vec<Planned>, InitError> {
    check(config, SINKS)?;
    let plans = [
        stdout::plan(config, shared)?,
        file::plan(config, shared)?,
        syslog::plan(config, shared)?,
        http::plan(config, shared)?,
        otlp::plan(config, shared)?,
    ];
    let mut planned = Vec::new();
    for (info, start) in SINKS.iter().zip(plans) {
        let Some(start) = start else { continue };
        let level = match config.slot(info.level.path).and_then(|s| s.clone()) {
            Some(set) => Some(crate::filter::sink_filter(&set, &info.level)?),
            None => None,
        };
        planned.push(Planned { info, start, level });
    }
    Ok(planned)
}

/// Starts the planned sinks, each behind its own level filter.
pub(crate) fn start_all(planned: Vec<Planned>, shared: &Shared) -> Result<Vec<Built>, InitError> {
    let mut built = Vec::with_capacity(planned.len());
    for Planned { info, start, level } in planned {
        let mut sink = start(shared)?;
        debug_assert_eq!(sink.name, info.name);
        if let Some(filter) = level {
            sink.layer = sink.layer.with_filter(filter).boxed();
        }
        built.push(sink);
    }
    Ok(built)
}

/// A setting of a sink this build does not have is an error naming the
/// feature; so is a setting of a sink that is not on (a typo in the
/// sink's main variable, or a forgotten one), unless the sink was turned
/// `off` on purpose.
fn check(config: &mut Config, sinks: &[SinkInfo]) -> Result<(), InitError> {
    for sink in sinks {
        let main = config.slot(sink.main.path).and_then(|s| s.clone());
        if main.as_ref().is_some_and(is_off) {
            continue;
        }
        for key in sink.keys {
            let Some(Some(set)) = config.slot(key.path) else {
                continue;
            };
            if !sink.compiled {
                return Err(InitError::FeatureDisabled {
                    setting: set.describe(key),
                    feature: sink.feature,
                });
            }
            if main.is_none() && !sink.on_by_default {
                return Err(set.invalid(
                    key,
                    format!(
                        "the {} sink is not on: set {} (or `{}` in the TOML file) to turn it on, \
                         or remove this setting",
                        sink.name,
                        main_variables(sink),
                        sink.main.path
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The variables that turn `sink` on: `LOGWOOD_OTLP_ENDPOINT,
/// OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT`.
fn main_variables(sink: &SinkInfo) -> String {
    let mut names = vec![sink.main.env];
    names.extend_from_slice(sink.main_also);
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => sink.main.env.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_of_a_sink_this_build_lacks_names_the_feature() {
        let lacking = SinkInfo {
            compiled: false,
            ..syslog::INFO
        };
        let mut config = Config::default();
        config.syslog.url = Some(Set::env("udp://127.0.0.1:514".into()));
        let e = check(&mut config, &[lacking]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOGWOOD_SYSLOG=udp://127.0.0.1:514 needs logwood's `syslog` feature, which this build \
             does not have (enable it in Cargo.toml: `logwood = { features = [\"syslog\"] }`)"
        );
        // Turned off on purpose: nothing to build, nothing to refuse.
        config.syslog.url = Some(Set::env("off".into()));
        config.syslog.app_name = Some(Set::env("shop".into()));
        check(&mut config, &[syslog::INFO]).unwrap();
    }

    // Without `http`, the feature check answers first.
    #[cfg(feature = "http")]
    #[test]
    fn a_setting_of_a_sink_that_is_not_on_is_refused() {
        let mut config = Config::default();
        config.http.format = Some(Set::env("ndjson".into()));
        let e = check(&mut config, SINKS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOGWOOD_HTTP_FORMAT=ndjson: the http sink is not on: set LOGWOOD_HTTP_URL (or \
             `http.url` in the TOML file) to turn it on, or remove this setting"
        );
    }

    // The OTLP sink is also turned on by the standard OTEL_* endpoints.
    #[cfg(feature = "otlp")]
    #[test]
    fn a_setting_of_the_otlp_sink_that_is_not_on_names_the_otel_endpoints_too() {
        let mut config = Config::default();
        config.otlp.protocol = Some(Set::env("http/json".into()));
        let e = check(&mut config, SINKS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOGWOOD_OTLP_PROTOCOL=http/json: the otlp sink is not on: set LOGWOOD_OTLP_ENDPOINT, \
             OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT (or `otlp.endpoint` \
             in the TOML file) to turn it on, or remove this setting"
        );
    }
}
