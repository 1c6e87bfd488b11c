//! The stdout sink: JSON lines (`JsonLayer`) or Python-pattern lines
//! (`PatternLayer`) on stdout. On by default (JSON).

use super::{Shared, SinkInfo, Start};
use crate::InitError;
use crate::config::{Config, Key};

/// `LOGWOOD_STDOUT` / `stdout.format`: `json`, `pattern` or `off`.
pub(crate) const FORMAT: Key = Key::new("stdout.format", "LOGWOOD_STDOUT");
/// `LOGWOOD_STDOUT_LEVEL` / `stdout.level`.
pub(crate) const LEVEL: Key = Key::new("stdout.level", "LOGWOOD_STDOUT_LEVEL");

pub(crate) const INFO: SinkInfo = SinkInfo {
    name: "stdout",
    main: FORMAT,
    main_also: &[],
    on_by_default: true,
    level: LEVEL,
    keys: &[FORMAT, LEVEL],
    env_prefix: "LOGWOOD_STDOUT",
    feature: "json",
    compiled: cfg!(feature = "json"),
};

super::toml_section!("stdout" {
    format,
    level,
});

/// The stdout layer, unless `LOGWOOD_STDOUT=off` (or the `json` feature is
/// missing and stdout was not asked for).
pub(crate) fn plan(config: &Config, _shared: &Shared) -> Result<Option<Start>, InitError> {
    let pattern = match &config.stdout.format {
        None => false,
        Some(set) => match set.choice(&FORMAT, &["json", "pattern", "off"])? {
            0 => false,
            1 => true,
            _ => return Ok(None),
        },
    };
    imp::plan(pattern)
}

#[cfg(feature = "json")]
mod imp {
    use logwood_json::JsonLayer;
    use tracing_subscriber::Layer as _;

    use super::super::file::{pattern_builder, pattern_error};
    use super::super::{Built, Shared, Start};
    use crate::InitError;

    pub(super) fn plan(pattern: bool) -> Result<Option<Start>, InitError> {
        Ok(Some(Box::new(move |shared: &Shared| {
            let (layer, stats) = if pattern {
                let layer = pattern_builder(shared)
                    .build()
                    .map_err(|e| pattern_error(shared, e))?;
                let stats = layer.stats_handle();
                (layer.boxed(), stats)
            } else {
                let layer = JsonLayer::builder().context(shared.context.clone()).build();
                let stats = layer.stats_handle();
                (layer.boxed(), stats)
            };
            Ok(Built {
                name: "stdout",
                layer,
                guard: None,
                stats: Some(stats),
            })
        })))
    }
}

#[cfg(not(feature = "json"))]
mod imp {
    use super::super::Start;
    use crate::InitError;

    /// Without the `json` feature there is no stdout layer; asking for one
    /// was refused earlier (feature check).
    pub(super) fn plan(_pattern: bool) -> Result<Option<Start>, InitError> {
        Ok(None)
    }
}
