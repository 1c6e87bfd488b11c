//! The file sink: pattern (default) or JSON lines in a `RotatingFileWriter`
//! file, rotated by size and/or time as Python's `RotatingFileHandler` /
//! `TimedRotatingFileHandler`, optionally compressed, written on the
//! caller's thread or (`non_blocking`) a background one.

use std::path::PathBuf;

use super::{Shared, SinkInfo, Start, is_off};
use crate::InitError;
use crate::config::{Config, Key, Set};

pub(crate) const PATH: Key = Key::new("file.path", "LOGWOOD_FILE");
pub(crate) const FORMAT: Key = Key::new("file.format", "LOGWOOD_FILE_FORMAT");
pub(crate) const LEVEL: Key = Key::new("file.level", "LOGWOOD_FILE_LEVEL");
pub(crate) const MAX_BYTES: Key = Key::new("file.max_bytes", "LOGWOOD_FILE_MAX_BYTES");
pub(crate) const BACKUP_COUNT: Key = Key::new("file.backup_count", "LOGWOOD_FILE_BACKUP_COUNT");
pub(crate) const WHEN: Key = Key::new("file.when", "LOGWOOD_FILE_WHEN");
pub(crate) const INTERVAL: Key = Key::new("file.interval", "LOGWOOD_FILE_INTERVAL");
pub(crate) const UTC: Key = Key::new("file.utc", "LOGWOOD_FILE_UTC");
pub(crate) const AT_TIME: Key = Key::new("file.at_time", "LOGWOOD_FILE_AT_TIME");
pub(crate) const COMPRESS: Key = Key::new("file.compress", "LOGWOOD_FILE_COMPRESS");
pub(crate) const NON_BLOCKING: Key = Key::new("file.non_blocking", "LOGWOOD_FILE_NON_BLOCKING");

pub(crate) const INFO: SinkInfo = SinkInfo {
    name: "file",
    main: PATH,
    main_also: &[],
    on_by_default: false,
    level: LEVEL,
    keys: &[
        PATH,
        FORMAT,
        LEVEL,
        MAX_BYTES,
        BACKUP_COUNT,
        WHEN,
        INTERVAL,
        UTC,
        AT_TIME,
        COMPRESS,
        NON_BLOCKING,
    ],
    env_prefix: "LOGWOOD_FILE",
    feature: "json",
    compiled: cfg!(feature = "json"),
};

/// Python's `when` values, as `LOGWOOD_FILE_WHEN` takes them (any case).
const WHENS: &[&str] = &[
    "S", "M", "H", "D", "midnight", "W0", "W1", "W2", "W3", "W4", "W5", "W6",
];

super::toml_section!("file" {
    path,
    format,
    level,
    max_bytes,
    backup_count,
    when,
    interval,
    utc,
    at_time,
    compress,
    non_blocking,
});

/// The file's settings, checked.
#[derive(Debug)]
#[cfg_attr(not(feature = "json"), allow(dead_code))]
struct Plan {
    path: PathBuf,
    json: bool,
    max_bytes: Option<u64>,
    backup_count: Option<usize>,
    /// Python's `when` (validated against [`WHENS`]).
    when: Option<String>,
    interval: Option<u32>,
    utc: Option<bool>,
    at_time: Option<(u8, u8, u8)>,
    /// `none`, `gzip` or `zstd`.
    compress: Option<(String, Set)>,
    non_blocking: bool,
}

/// The file layer, when `LOGWOOD_FILE` names a file.
pub(crate) fn plan(config: &Config, _shared: &Shared) -> Result<Option<Start>, InitError> {
    let s = &config.file;
    let Some(path) = s.path.as_ref().filter(|p| !is_off(p)) else {
        return Ok(None);
    };
    let json = match &s.format {
        Some(set) => set.choice(&FORMAT, &["pattern", "json"])? == 1,
        None => false,
    };
    let when = match &s.when {
        Some(set) => {
            let i = set.choice(&WHEN, WHENS).map_err(|_| {
                set.invalid(
                    &WHEN,
                    "not a rollover interval; expected S, M, H, D, midnight or W0-W6 \
                     (W0 is Monday), in any case",
                )
            })?;
            Some(WHENS[i].to_owned())
        }
        None => None,
    };
    let needs_when = |set: &Set, key: &Key| {
        set.invalid(
            key,
            format!("applies to timed rotation only: set {} too", WHEN.env),
        )
    };
    let interval = match &s.interval {
        Some(set) if when.is_none() => return Err(needs_when(set, &INTERVAL)),
        Some(set) => Some(
            u32::try_from(set.count(&INTERVAL, 1)?)
                .map_err(|_| set.invalid(&INTERVAL, "is too large (at most 4294967295)"))?,
        ),
        None => None,
    };
    let utc = match &s.utc {
        Some(set) if when.is_none() => return Err(needs_when(set, &UTC)),
        Some(set) => Some(set.bool(&UTC)?),
        None => None,
    };
    let at_time = match &s.at_time {
        Some(set) => {
            let on_the_clock = when
                .as_deref()
                .is_some_and(|w| w == "midnight" || w.starts_with('W'));
            if !on_the_clock {
                return Err(set.invalid(
                    &AT_TIME,
                    format!(
                        "applies with {} = midnight or W0-W6 only (the time of day of the \
                         rollover)",
                        WHEN.env
                    ),
                ));
            }
            Some(time_of_day(set)?)
        }
        None => None,
    };
    let compress = match &s.compress {
        Some(set) => {
            let i = set.choice(&COMPRESS, &["none", "gzip", "zstd"])?;
            Some((["none", "gzip", "zstd"][i].to_owned(), set.clone()))
        }
        None => None,
    };
    let plan = Plan {
        path: path.path(&PATH)?,
        json,
        max_bytes: s
            .max_bytes
            .as_ref()
            .map(|m| m.bytes(&MAX_BYTES))
            .transpose()?,
        backup_count: s
            .backup_count
            .as_ref()
            .map(|b| {
                b.count(&BACKUP_COUNT, 0).and_then(|n| {
                    usize::try_from(n).map_err(|_| b.invalid(&BACKUP_COUNT, "is too large"))
                })
            })
            .transpose()?,
        when,
        interval,
        utc,
        at_time,
        compress,
        non_blocking: s
            .non_blocking
            .as_ref()
            .map(|n| n.bool(&NON_BLOCKING))
            .transpose()?
            .unwrap_or(false),
    };
    Ok(imp::start(plan, path.clone()))
}

/// `HH:MM` or `HH:MM:SS`, a time of day.
fn time_of_day(set: &Set) -> Result<(u8, u8, u8), InitError> {
    let err = || {
        set.invalid(
            &AT_TIME,
            "expected a time of day HH:MM or HH:MM:SS (hours 0-23, minutes and seconds 0-59), \
             such as 03:30",
        )
    };
    let text = set.text(&AT_TIME)?;
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(err());
    }
    let mut values = [0u8; 3];
    for (value, part) in values.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        *value = part.parse().map_err(|_| err())?;
    }
    let [h, m, s] = values;
    if h > 23 || m > 59 || s > 59 {
        return Err(err());
    }
    Ok((h, m, s))
}

/// The default of `LOGWOOD_PATTERN`: `%(asctime)s %(levelname)s [%(name)s] %(message)s`.
pub const DEFAULT_PATTERN: &str = "%(asctime)s %(levelname)s [%(name)s] %(message)s";

#[cfg(feature = "json")]
pub(crate) use imp::{pattern_builder, pattern_error};

#[cfg(feature = "json")]
mod imp {
    super::super::delivery_builder!(logwood_json::RotatingFileWriterBuilder);

    use logwood_json::{
        BuildError, Compression, JsonLayer, PatternLayerBuilder, RotatingFileWriter, When,
    };
    use tracing_subscriber::Layer as _;

    use super::super::{Built, Shared, Start};
    use super::{COMPRESS, DEFAULT_PATTERN, PATH, Plan};
    use crate::InitError;
    use crate::config::{self, Key, Set};

    pub(super) fn start(plan: Plan, path_set: Set) -> Option<Start> {
        Some(Box::new(move |shared: &Shared| {
            let mut builder = RotatingFileWriter::builder(&plan.path);
            if let Some(n) = plan.max_bytes {
                builder = builder.max_bytes(n);
            }
            if let Some(n) = plan.backup_count {
                builder = builder.backup_count(n);
            }
            if let Some(when) = &plan.when {
                let when: When = when
                    .parse()
                    .map_err(|e| InitError::layer(path_set.describe(&super::WHEN), e))?;
                builder = builder.when(when);
            }
            if let Some(n) = plan.interval {
                builder = builder.interval(n);
            }
            if let Some(utc) = plan.utc {
                builder = builder.utc(utc);
            }
            if let Some((h, m, s)) = plan.at_time {
                builder = builder.at_time(h, m, s);
            }
            if let Some((name, set)) = &plan.compress {
                let compression: Compression = name
                    .parse()
                    .map_err(|e| InitError::layer(set.describe(&COMPRESS), e))?;
                builder = builder.compression(compression);
            }
            builder = builder.non_blocking(plan.non_blocking);
            builder = shared.delivery(builder);
            let (writer, guard) = builder.build().map_err(|e| match e {
                BuildError::CompressionUnavailable { .. } => match &plan.compress {
                    Some((_, set)) => InitError::FeatureDisabled {
                        setting: set.describe(&COMPRESS),
                        feature: "zstd",
                    },
                    None => InitError::layer(path_set.describe(&PATH), e),
                },
                other => InitError::layer(path_set.describe(&PATH), other),
            })?;
            let layer = if plan.json {
                JsonLayer::builder()
                    .with_writer(writer)
                    .context(shared.context.clone())
                    .build()
                    .boxed()
            } else {
                pattern_builder(shared)
                    .with_writer(writer)
                    .build()
                    .map_err(|e| pattern_error(shared, e))?
                    .boxed()
            };
            Ok(Built {
                name: "file",
                layer,
                guard: Some(guard),
                stats: None,
            })
        }))
    }

    /// A pattern layer's builder with the shared pattern, date format and
    /// static context (stdout and file use it).
    pub(crate) fn pattern_builder(shared: &Shared) -> PatternLayerBuilder {
        let text = |set: &Option<Set>| match set.as_ref().map(|s| &s.raw) {
            Some(config::Raw::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let pattern = text(&shared.pattern).unwrap_or_else(|| DEFAULT_PATTERN.to_owned());
        let mut builder =
            logwood_json::PatternLayer::builder(pattern).context(shared.context.clone());
        if let Some(datefmt) = text(&shared.datefmt) {
            builder = builder.datefmt(datefmt);
        }
        builder
    }

    /// A pattern layer's build error, naming `LOGWOOD_PATTERN` or
    /// `LOGWOOD_DATEFMT` (the layer's text names its own option first).
    pub(crate) fn pattern_error(shared: &Shared, e: BuildError) -> InitError {
        let (key, set): (&Key, &Option<Set>) = match e {
            BuildError::InvalidDatefmt { .. } => (&config::DATEFMT, &shared.datefmt),
            _ => (&config::PATTERN, &shared.pattern),
        };
        let text = e.to_string();
        let reason = text
            .strip_prefix("`pattern`: ")
            .or_else(|| text.strip_prefix("`datefmt`: "))
            .unwrap_or(&text);
        match set {
            Some(set) => set.invalid(key, reason),
            None => InitError::invalid(format!("the default {}", key.path), reason),
        }
    }
}

#[cfg(not(feature = "json"))]
mod imp {
    use super::super::Start;
    use super::Plan;
    use crate::config::Set;

    /// Without the `json` feature there is no file layer; asking for one
    /// was refused earlier (feature check).
    pub(super) fn start(_plan: Plan, _path: Set) -> Option<Start> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_time_is_a_time_of_day() {
        let ok = |s: &str| time_of_day(&Set::env(s.into()));
        assert_eq!(ok("03:30").unwrap(), (3, 30, 0));
        assert_eq!(ok("23:59:59").unwrap(), (23, 59, 59));
        for bad in [
            "24:00",
            "3",
            "03:60",
            "03:30:00:00",
            "ab:cd",
            "-1:00",
            "003:00",
        ] {
            let e = ok(bad).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "LOGWOOD_FILE_AT_TIME={bad}: expected a time of day"
                )),
                "{e}"
            );
        }
    }
}
