//! Assembling and installing what a [`Builder`](crate::Builder) describes:
//! the sources merged (builder, then the TOML file, then the environment),
//! the shared settings checked, the sinks planned (every value checked)
//! and then started, the subscriber made of them and the global filter;
//! then, for `init()`, the `log` bridge and the global default.

use std::path::PathBuf;

use logwood_core::{DEFAULT_SHUTDOWN_TIMEOUT, StaticContext, Value};
use tracing_core::{Dispatch, LevelFilter};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::Registry;

use crate::config::{self, Config, Key, Raw, Set};
use crate::env::Env;
use crate::sinks::{self, Shared};
use crate::{Guard, InitError, filter};

/// A builder's settings.
pub(crate) struct Parts {
    /// What the code set.
    pub(crate) config: Config,
    /// The code's static context.
    pub(crate) context: Vec<(String, Value)>,
    /// The TOML file the code names (`LOGWOOD_CONFIG` wins).
    pub(crate) config_file: Option<PathBuf>,
    /// Whether the environment is read.
    pub(crate) read_env: bool,
}

/// Merges the sources, plans and starts the sinks, and assembles the
/// subscriber; also returns its most verbose level (for the `log` bridge).
pub(crate) fn assemble(parts: Parts) -> Result<(Dispatch, Guard, LevelFilter), InitError> {
    let env = if parts.read_env {
        Env::read()?
    } else {
        Env::default()
    };
    let (config, shared, filter, planned) = plan(parts, env)?;
    let built = sinks::start_all(planned, &shared)?;
    let timeout = shared.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT);
    let (guard, layers) = Guard::new(built, timeout);
    drop(config);
    let subscriber = Registry::default().with(layers).with(filter);
    let max_level =
        tracing_core::Subscriber::max_level_hint(&subscriber).unwrap_or(LevelFilter::TRACE);
    Ok((Dispatch::new(subscriber), guard, max_level))
}

/// Checks every setting of `parts` with the variables `vars` standing for
/// the environment, starting nothing (no file opened, no connection): for
/// fuzzing and tests of the configuration.
pub(crate) fn check(
    parts: Parts,
    vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Result<(), InitError> {
    let env = Env::from_vars(vars)?;
    plan(parts, env).map(|_| ())
}

/// The settings merged (code, file, environment) and checked into the
/// sinks' plans, the shared settings and the global filter.
fn plan(
    parts: Parts,
    env: Env,
) -> Result<(Config, Shared, EnvFilter, Vec<sinks::Planned>), InitError> {
    let Parts {
        mut config,
        context,
        config_file,
        read_env: _,
    } = parts;
    let file = match env.config_file()? {
        Some(path) => Some((path, config::CONFIG)),
        None => config_file.map(|path| (path, "the builder's `config_file`")),
    };
    if let Some((path, origin)) = file {
        config.merge(config::load_file(&path, origin)?);
    }
    env.apply(&mut config)?;

    let shared = shared(&config, context)?;
    let filter = filter::global_filter(config.level.as_ref(), &config.levels)?;
    let planned = sinks::plan_all(&mut config, &shared)?;
    Ok((config, shared, filter, planned))
}

/// Installs `dispatch` as the global default, after routing the `log`
/// crate into `tracing` up to `log_level` (when given).
///
/// The `log` bridge goes first: when it cannot be set, nothing is installed
/// yet. (When the subscriber then cannot be, the bridge forwards `log`
/// records to the subscriber already installed.)
pub(crate) fn install(dispatch: Dispatch, log_level: Option<LevelFilter>) -> Result<(), InitError> {
    if let Some(level) = log_level {
        use tracing_log::AsLog as _;
        tracing_log::LogTracer::builder()
            .with_max_level(level.as_log())
            .init()
            .map_err(|_| InitError::AlreadyInitialized {
                what: "a logger for the `log` crate (by an earlier `init()`, or another logging \
                       library: `log_bridge(false)` leaves the `log` crate to it)",
            })?;
    }
    tracing_core::dispatcher::set_global_default(dispatch).map_err(|_| {
        InitError::AlreadyInitialized {
            what: "a global tracing subscriber",
        }
    })
}

/// What every sink shares, checked: the static context (the builder's,
/// then the file's and the environment's, a later key winning), the
/// pattern and date format, the delivery options.
fn shared(config: &Config, code_context: Vec<(String, Value)>) -> Result<Shared, InitError> {
    let mut context = StaticContext::new();
    for (key, value) in code_context {
        context.insert(&key, value);
    }
    for (key, set) in &config.context {
        let value = match &set.raw {
            Raw::Str(s) => Value::from(s.as_str()),
            Raw::Int(i) => Value::from(*i),
            Raw::Float(x) => Value::from(*x),
            Raw::Bool(b) => Value::from(*b),
        };
        context.insert(key, value);
    }
    let text = |set: &Option<Set>, key: &Key| -> Result<Option<Set>, InitError> {
        match set {
            Some(s) => s.text(key).map(|_| Some(s.clone())),
            None => Ok(None),
        }
    };
    Ok(Shared {
        context,
        pattern: text(&config.pattern, &config::PATTERN)?,
        datefmt: text(&config.datefmt, &config::DATEFMT)?,
        buffer_capacity: config
            .buffer_capacity
            .as_ref()
            .map(|s| {
                s.count(&config::BUFFER_CAPACITY, 1).and_then(|n| {
                    usize::try_from(n)
                        .map_err(|_| s.invalid(&config::BUFFER_CAPACITY, "is too large"))
                })
            })
            .transpose()?,
        flush_interval: config
            .flush_interval
            .as_ref()
            .map(|s| s.duration(&config::FLUSH_INTERVAL, false))
            .transpose()?,
        drop_extra_events: config
            .drop_extra_events
            .as_ref()
            .map(|s| s.bool(&config::DROP_EXTRA_EVENTS))
            .transpose()?,
        shutdown_timeout: config
            .shutdown_timeout
            .as_ref()
            .map(|s| s.duration(&config::SHUTDOWN_TIMEOUT, true))
            .transpose()?,
    })
}
