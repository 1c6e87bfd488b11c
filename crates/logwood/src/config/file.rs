//! The TOML file: read, parsed by `toml` into [`Config`] (serde), every
//! setting marked with the file's path.

use std::path::Path;

use serde::de::{Deserializer, Error as _};

use super::{Config, Raw, Set, Source};
use crate::InitError;

/// Reads and parses the TOML file at `path`; `origin` says where its name
/// came from (`LOGWOOD_CONFIG` or the builder), for the error.
pub(crate) fn load(path: &Path, origin: &'static str) -> Result<Config, InitError> {
    let text = std::fs::read_to_string(path).map_err(|source| InitError::ReadConfig {
        path: path.to_owned(),
        origin,
        source,
    })?;
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_and_column(&text, span.start));
        InitError::ParseConfig {
            path: path.to_owned(),
            line,
            column,
            // The message alone: toml's full text quotes the line, which
            // may hold the token.
            message: e.message().trim_end().to_owned(),
        }
    })?;
    config.set_file(path);
    Ok(config)
}

/// The 1-based line and column (in characters) of byte `offset`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `[context]`: a table whose nested tables are dotted keys
/// (`service.name = "shop"` is `service.name`), flattened in order.
pub(crate) fn context<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Set)>, D::Error> {
    let table = toml::Table::deserialize(d)?;
    let mut out = Vec::new();
    flatten(&mut out, String::new(), table).map_err(D::Error::custom)?;
    Ok(out)
}

use serde::Deserialize as _;

fn flatten(out: &mut Vec<(String, Set)>, prefix: String, table: toml::Table) -> Result<(), String> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        let raw = match value {
            toml::Value::String(s) => Raw::Str(s),
            toml::Value::Integer(i) => Raw::Int(i),
            toml::Value::Float(f) => Raw::Float(f),
            toml::Value::Boolean(b) => Raw::Bool(b),
            toml::Value::Table(inner) => {
                flatten(out, path, inner)?;
                continue;
            }
            other => {
                return Err(format!(
                    "`context.{path}`: a {} is not a context value; use a string, a number or \
                     a boolean",
                    other.type_str()
                ));
            }
        };
        out.push((
            path,
            Set {
                raw,
                source: Source::File(None),
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, InitError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logwood.toml");
        std::fs::write(&path, text).unwrap();
        load(&path, "LOGWOOD_CONFIG").map_err(|e| match e {
            // The temporary path differs per run: keep the rest.
            InitError::ParseConfig {
                line,
                column,
                message,
                ..
            } => InitError::ParseConfig {
                path: "logwood.toml".into(),
                line,
                column,
                message,
            },
            other => other,
        })
    }

    #[test]
    fn sections_levels_and_context_parse() {
        let config = parse(
            r#"
level = "debug"
[levels]
hyper = "warn"
"tower_http::trace" = "info"
[context]
service.name = "shop"
deploy = { env = "prod", zone = 3 }
[file]
path = "app.log"
max_bytes = 1048576
utc = true
"#,
        )
        .unwrap();
        assert_eq!(config.levels.len(), 2);
        let keys: Vec<&str> = config.context.iter().map(|(k, _)| k.as_str()).collect();
        // In key order (a TOML table has no order; keys are distinct).
        assert_eq!(keys, ["deploy.env", "deploy.zone", "service.name"]);
        assert_eq!(
            config.file.max_bytes.as_ref().unwrap().raw,
            Raw::Int(1_048_576)
        );
        assert!(matches!(
            &config.file.path.as_ref().unwrap().source,
            Source::File(Some(p)) if p.ends_with("logwood.toml")
        ));
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line_and_the_allowed_keys() {
        let e = parse("[file]\npath = \"a.log\"\nwhn = \"midnight\"\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("logwood.toml:3:1: unknown field `whn`, expected one of"),
            "{text}"
        );
        assert!(text.contains("`when`"), "{text}");
        let e = parse("[fiel]\npath = \"a.log\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `fiel`"), "{e}");
        let e = parse("[context]\ntags = [\"a\"]\n").unwrap_err();
        assert!(
            e.to_string().contains("`context.tags`: a array is not"),
            "{e}"
        );
        let e = parse("[levels]\nhyper.proto = \"warn\"\n").unwrap_err();
        assert!(
            e.to_string()
                .ends_with("invalid type: map, expected a string, a number or a boolean"),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_never_quote_the_line() {
        let e = parse("[http]\nurl = \"http://h/frames\"\ntoken = \"s3cr3t-t0ken\n").unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("s3cr3t-t0ken"), "{text}");
        assert!(text.contains("logwood.toml:3:"), "{text}");
    }

    #[test]
    fn a_missing_file_names_it_and_where_its_name_came_from() {
        let e = load(Path::new("/nonexistent/logwood.toml"), "LOGWOOD_CONFIG").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "cannot read the configuration file /nonexistent/logwood.toml (from LOGWOOD_CONFIG): "
            ),
            "{e}"
        );
    }
}
