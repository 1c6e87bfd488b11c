//! Level filtering: the global `EnvFilter` (`RUST_LOG` / `level`, over the
//! per-target `[levels]`) and each sink's own filter (`LOGWOOD_<SINK>_LEVEL`).
//!
//! The global filter decides what is recorded at all, spans and events, as
//! `EnvFilter` always does. A sink's level then decides which **events**
//! that sink writes, like a Python handler's level beneath its logger's:
//! spans pass it, so that a `WARN` event inside an `INFO` span still
//! carries the span's context (`request.id`) in the sink that keeps only
//! warnings.
//!
//! Directives are `tracing-subscriber`'s `EnvFilter` syntax: `info`,
//! `shop=debug,hyper=warn`, `[request{user.id=42}]=trace`. Each is checked
//! on its own, so an error names the one that is wrong.

use std::collections::BTreeMap;
use std::str::FromStr;

use tracing_core::span;
use tracing_core::subscriber::Interest;
use tracing_core::{LevelFilter, Metadata, Subscriber};
use tracing_subscriber::filter::{Directive, EnvFilter};
use tracing_subscriber::layer::{Context, Filter};
use tracing_subscriber::registry::LookupSpan;

use crate::InitError;
use crate::config::{self, Key, Set};

/// The level when neither `RUST_LOG` nor `level` says otherwise.
pub const DEFAULT_LEVEL: &str = "info";

/// What a directive looks like, for errors.
const EXPECTED: &str = "expected a level (trace, debug, info, warn, error, off) or \
                        comma-separated directives such as `info,hyper=warn` (tracing-subscriber's \
                        EnvFilter syntax)";

/// The global filter: the `[levels]` directives (`target=level`), then
/// `level` (`RUST_LOG` wins over the file's), so that a directive of
/// `RUST_LOG` for a target also wins over the file's for that target.
pub(crate) fn global_filter(
    level: Option<&Set>,
    levels: &BTreeMap<String, Set>,
) -> Result<EnvFilter, InitError> {
    let mut directives = Vec::new();
    for (target, set) in levels {
        let text = set.text(&config::LEVELS)?;
        let bad = || {
            InitError::invalid(
                set.describe_at(&format!("levels.{target}"), "RUST_LOG"),
                format!(
                    "expected a level for the target `{target}`: trace, debug, info, warn, \
                     error or off (quote targets with `::`: \"hyper::proto\" = \"warn\")"
                ),
            )
        };
        if text.contains([',', '='])
            || tracing_subscriber::filter::LevelFilter::from_str(text).is_err()
        {
            return Err(bad());
        }
        let directive = format!("{target}={text}");
        directives.push(Directive::from_str(&directive).map_err(|_| bad())?);
    }
    match level {
        Some(set) => directives.extend(parse(set, &config::LEVEL, false)?),
        None => directives.extend(Directive::from_str(DEFAULT_LEVEL)),
    }
    Ok(from_directives(directives))
}

/// A sink's own filter (`LOGWOOD_FILE_LEVEL=warn`): applied after the
/// global one, so it can only narrow what reaches that sink.
pub(crate) fn sink_filter(set: &Set, key: &Key) -> Result<SinkLevel, InitError> {
    Ok(SinkLevel(from_directives(parse(set, key, true)?)))
}

/// A sink's level: its `EnvFilter` applied to events only; every span the
/// global filter let through passes (see the module docs).
#[derive(Debug)]
pub(crate) struct SinkLevel(EnvFilter);

impl<S> Filter<S> for SinkLevel
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, meta: &Metadata<'_>, cx: &Context<'_, S>) -> bool {
        meta.is_span() || Filter::enabled(&self.0, meta, cx)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.is_span() {
            Interest::always()
        } else {
            Filter::<S>::callsite_enabled(&self.0, meta)
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        // Spans of any level pass: no bound of its own (the global filter
        // bounds everything).
        None
    }

    // Span-based directives (`[request{user.id=42}]=debug`) follow the
    // spans the events are in.
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        Filter::on_new_span(&self.0, attrs, id, ctx);
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        Filter::on_record(&self.0, id, values, ctx);
    }

    fn on_enter(&self, id: &span::Id, ctx: Context<'_, S>) {
        Filter::on_enter(&self.0, id, ctx);
    }

    fn on_exit(&self, id: &span::Id, ctx: Context<'_, S>) {
        Filter::on_exit(&self.0, id, ctx);
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        Filter::on_close(&self.0, id, ctx);
    }
}

/// The directives of `set`, each checked. `RUST_LOG`'s syntax lets a bare
/// word be a target (`RUST_LOG=shop` enables everything of `shop`); where
/// a level is meant (`strict`, a sink's level), a bare word must be a
/// level, so that a typo (`wran`) is an error rather than a filter that
/// lets nothing through.
fn parse(set: &Set, key: &Key, strict: bool) -> Result<Vec<Directive>, InitError> {
    let text = set.text(key)?;
    let mut directives = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bare = !part.contains(['=', '[']);
        if strict && bare && LevelFilter::from_str(part).is_err() {
            return Err(set.invalid(
                key,
                format!(
                    "`{part}` is not a level; {EXPECTED} (a target alone is written \
                     `{part}=trace`)"
                ),
            ));
        }
        let directive = Directive::from_str(part).map_err(|e| {
            set.invalid(
                key,
                format!("`{part}` is not a directive ({e}); {EXPECTED}"),
            )
        })?;
        directives.push(directive);
    }
    if directives.is_empty() {
        return Err(set.invalid(key, format!("has no directive; {EXPECTED}")));
    }
    Ok(directives)
}

fn from_directives(directives: Vec<Directive>) -> EnvFilter {
    directives
        .into_iter()
        .fold(EnvFilter::default(), EnvFilter::add_directive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Raw, Source};

    fn file(s: &str) -> Set {
        Set {
            raw: Raw::Str(s.into()),
            source: Source::File(None),
        }
    }

    #[test]
    fn rust_log_wins_over_the_files_levels_for_the_same_target() {
        let mut levels = BTreeMap::new();
        levels.insert("hyper".to_owned(), file("warn"));
        levels.insert("shop::db".to_owned(), file("debug"));
        let filter = global_filter(Some(&Set::env("info,hyper=trace".into())), &levels).unwrap();
        let text = filter.to_string();
        assert!(
            text.contains("hyper=trace") && !text.contains("hyper=warn"),
            "{text}"
        );
        assert!(
            text.contains("shop::db=debug") && text.contains("info"),
            "{text}"
        );
        let filter = global_filter(None, &BTreeMap::new()).unwrap();
        assert_eq!(filter.to_string(), "info");
    }

    #[test]
    fn bad_directives_are_named() {
        let e =
            global_filter(Some(&Set::env("info,hyper=loud".into())), &BTreeMap::new()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("RUST_LOG=info,hyper=loud: `hyper=loud` is not a directive"),
            "{e}"
        );
        let mut levels = BTreeMap::new();
        levels.insert("hyper".to_owned(), file("verbose"));
        let e = global_filter(None, &levels).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`levels.hyper = \"verbose\"` in the configuration file: expected a level for the target"),
            "{e}"
        );
        let key = Key::new("file.level", "LOGWOOD_FILE_LEVEL");
        let e = sink_filter(&Set::env(" , ".into()), &key).unwrap_err();
        assert!(e.to_string().contains("has no directive"), "{e}");
    }
}
