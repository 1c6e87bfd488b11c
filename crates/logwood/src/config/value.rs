//! One setting as given ([`Set`]): its raw value and where it came from,
//! and the typed readings of it, each failing with an [`InitError`] that
//! names the setting, the value and what is allowed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::Key;
use crate::InitError;

/// A value as the TOML file, an environment variable or the builder gave
/// it. The environment gives strings only; the file may give any scalar.
#[derive(Clone, PartialEq)]
pub(crate) enum Raw {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// Any scalar; a table or an array is refused with the key's line (a
/// derived untagged enum would only say that no variant matched).
impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Scalar;

        impl<'de> serde::de::Visitor<'de> for Scalar {
            type Value = Raw;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or a boolean")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Str(v))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Int(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::from(v))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Float(v))
            }

            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
        }

        d.deserialize_any(Scalar)
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Raw::Str(s) => write!(f, "{s:?}"),
            Raw::Int(i) => write!(f, "{i}"),
            Raw::Float(x) => write!(f, "{x}"),
            Raw::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// An environment variable: the key's own (`None`), or the standard
    /// variable the value came from (`Some("OTEL_SERVICE_NAME")`).
    Env(Option<&'static str>),
    /// The TOML file (set after parsing it).
    File(Option<Arc<Path>>),
    /// `logwood::builder()`.
    Code,
}

/// One setting: the raw value and its source.
#[derive(Clone, PartialEq)]
pub(crate) struct Set {
    pub(crate) raw: Raw,
    pub(crate) source: Source,
}

impl<'de> Deserialize<'de> for Set {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Set {
            raw: Raw::deserialize(d)?,
            source: Source::File(None),
        })
    }
}

/// Settings are printed without their values: one of them is the token.
impl fmt::Debug for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Set({:?})", self.source)
    }
}

// === impl Set ===

impl Set {
    pub(crate) fn env(value: String) -> Self {
        Set {
            raw: Raw::Str(value),
            source: Source::Env(None),
        }
    }

    /// A value of the standard variable `var` (an `OTEL_*` one), which
    /// errors name instead of the key's own variable.
    #[cfg_attr(not(feature = "otlp"), allow(dead_code))]
    pub(crate) fn env_from(var: &'static str, value: String) -> Self {
        Set {
            raw: Raw::Str(value),
            source: Source::Env(Some(var)),
        }
    }

    pub(crate) fn code(raw: impl Into<Raw>) -> Self {
        Set {
            raw: raw.into(),
            source: Source::Code,
        }
    }

    /// The setting as an error message names it: the variable or key, and
    /// the value unless the key is secret (a URL without its credentials).
    pub(crate) fn describe(&self, key: &Key) -> String {
        self.describe_as(key.path, key.env, key)
    }

    /// [`describe`](Self::describe) for a key made at run time (an entry
    /// of `[levels]`), shown as `path` (and `env` for the environment).
    pub(crate) fn describe_at(&self, path: &str, env: &str) -> String {
        self.describe_as(path, env, &Key::new("", ""))
    }

    fn describe_as(&self, path: &str, env: &str, key: &Key) -> String {
        let shown = (!key.secret).then(|| match &self.raw {
            Raw::Str(s) if key.redact_url => Raw::Str(redact_url(s)),
            other => other.clone(),
        });
        match (&self.source, shown) {
            (Source::Env(var), Some(Raw::Str(s))) => format!("{}={s}", var.unwrap_or(env)),
            (Source::Env(var), _) => var.unwrap_or(env).to_owned(),
            (Source::File(file), shown) => {
                let file = file.as_deref().map_or_else(
                    || "the configuration file".to_owned(),
                    |p| p.display().to_string(),
                );
                match shown {
                    Some(value) => format!("`{path} = {value:?}` in {file}"),
                    None => format!("`{path}` in {file}"),
                }
            }
            (Source::Code, Some(value)) => format!("`{path}` = {value:?} (set in code)"),
            (Source::Code, None) => format!("`{path}` (set in code)"),
        }
    }

    /// An [`InitError::Invalid`] about this setting.
    pub(crate) fn invalid(&self, key: &Key, reason: impl Into<String>) -> InitError {
        InitError::invalid(self.describe(key), reason)
    }

    /// The value as text (a string; numbers and booleans of the TOML file
    /// are refused where text is expected).
    pub(crate) fn text(&self, key: &Key) -> Result<&str, InitError> {
        match &self.raw {
            Raw::Str(s) if s.is_empty() => {
                Err(self.invalid(key, "is empty: give a value, or leave the setting out"))
            }
            Raw::Str(s) => Ok(s),
            _ => Err(self.invalid(key, "must be a string")),
        }
    }

    /// One of `choices` (compared in any case); returns its index.
    pub(crate) fn choice(&self, key: &Key, choices: &[&str]) -> Result<usize, InitError> {
        let text = self.text(key)?;
        choices
            .iter()
            .position(|c| c.eq_ignore_ascii_case(text))
            .ok_or_else(|| self.invalid(key, format!("expected one of {}", choices.join(", "))))
    }

    /// `true` / `false` (also `1` / `0`, `yes` / `no`, `on` / `off`).
    pub(crate) fn bool(&self, key: &Key) -> Result<bool, InitError> {
        const TRUE: [&str; 4] = ["true", "1", "yes", "on"];
        const FALSE: [&str; 4] = ["false", "0", "no", "off"];
        match &self.raw {
            Raw::Bool(b) => Ok(*b),
            Raw::Str(s) if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) => Ok(true),
            Raw::Str(s) if FALSE.iter().any(|t| t.eq_ignore_ascii_case(s)) => Ok(false),
            _ => Err(self.invalid(key, "expected true or false (or 1/0, yes/no, on/off)")),
        }
    }

    /// A whole number of at least `min` (digits, `_` allowed between them).
    pub(crate) fn count(&self, key: &Key, min: u64) -> Result<u64, InitError> {
        let what = if min == 0 {
            "a whole number (0 or more)".to_owned()
        } else {
            format!("a whole number, at least {min}")
        };
        let n = match &self.raw {
            Raw::Int(i) => u64::try_from(*i).ok(),
            Raw::Str(s) => parse_digits(s),
            _ => None,
        };
        match n {
            Some(n) if n >= min => Ok(n),
            Some(_) if min == 1 => Err(self.invalid(key, "must be greater than zero")),
            _ => Err(self.invalid(key, format!("expected {what}"))),
        }
    }

    /// A number of bytes: a whole number, optionally with a unit (`KB`,
    /// `MB`, `GB` are powers of 1000; `KiB`, `MiB`, `GiB` of 1024).
    pub(crate) fn bytes(&self, key: &Key) -> Result<u64, InitError> {
        let err = || {
            self.invalid(
                key,
                "expected a number of bytes: a whole number, optionally with a unit \
                 (10485760, 10MiB, 500KB; units B, KB, MB, GB, KiB, MiB, GiB)",
            )
        };
        match &self.raw {
            Raw::Int(i) => u64::try_from(*i).map_err(|_| err()),
            Raw::Str(s) => {
                let s = s.trim();
                let split = s
                    .find(|c: char| !c.is_ascii_digit() && c != '_')
                    .unwrap_or(s.len());
                let (digits, unit) = s.split_at(split);
                let n = parse_digits(digits).ok_or_else(err)?;
                let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
                    "" | "b" => 1,
                    "kb" => 1000,
                    "mb" => 1000 * 1000,
                    "gb" => 1000 * 1000 * 1000,
                    "kib" => 1 << 10,
                    "mib" => 1 << 20,
                    "gib" => 1 << 30,
                    _ => return Err(err()),
                };
                n.checked_mul(scale).ok_or_else(err)
            }
            _ => Err(err()),
        }
    }

    /// A duration with a unit: `500ms`, `2s`, `1m`, `1h` (`0s` when `zero`
    /// is allowed).
    pub(crate) fn duration(&self, key: &Key, zero: bool) -> Result<Duration, InitError> {
        let err = |why: &str| {
            self.invalid(
                key,
                format!("{why}: expected a whole number with a unit, such as 500ms, 2s, 1m or 1h"),
            )
        };
        let s = match &self.raw {
            Raw::Str(s) => s.trim(),
            Raw::Int(_) | Raw::Float(_) => return Err(err("has no unit (write it as a string)")),
            Raw::Bool(_) => return Err(err("is not a duration")),
        };
        let split = s
            .find(|c: char| !c.is_ascii_digit() && c != '_')
            .unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let n = parse_digits(digits).ok_or_else(|| err("is not a duration"))?;
        let d = match unit.trim() {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" | "min" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            "" => return Err(err("has no unit")),
            _ => return Err(err("has an unknown unit")),
        };
        if d.is_zero() && !zero {
            return Err(self.invalid(key, "must be greater than zero (such as 500ms or 2s)"));
        }
        Ok(d)
    }

    /// A path (any non-empty text).
    pub(crate) fn path(&self, key: &Key) -> Result<PathBuf, InitError> {
        self.text(key).map(PathBuf::from)
    }
}

impl From<&str> for Raw {
    fn from(s: &str) -> Self {
        Raw::Str(s.to_owned())
    }
}

impl From<String> for Raw {
    fn from(s: String) -> Self {
        Raw::Str(s)
    }
}

impl From<bool> for Raw {
    fn from(b: bool) -> Self {
        Raw::Bool(b)
    }
}

impl From<u64> for Raw {
    fn from(n: u64) -> Self {
        i64::try_from(n).map_or_else(|_| Raw::Str(n.to_string()), Raw::Int)
    }
}

/// Digits with optional `_` between them, as a `u64`.
fn parse_digits(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') {
        return None;
    }
    s.chars().filter(|&c| c != '_').try_fold(0u64, |n, c| {
        n.checked_mul(10)?.checked_add(u64::from(c.to_digit(10)?))
    })
}

/// A URL as it may be shown: without a user and password, a query or a
/// fragment (any of which may hold a credential).
pub(crate) fn redact_url(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..cut];
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{path}"),
        None => format!("{scheme}://{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Key = Key::new("file.max_bytes", "LOGWOOD_FILE_MAX_BYTES");
    const SECRET: Key = Key::new("http.token", "LOGWOOD_HTTP_TOKEN").secret();

    fn env(s: &str) -> Set {
        Set::env(s.to_owned())
    }

    #[test]
    fn numbers_sizes_and_durations_parse_or_say_what_is_allowed() {
        assert_eq!(env("10_000").count(&KEY, 1).unwrap(), 10_000);
        assert_eq!(env("10MiB").bytes(&KEY).unwrap(), 10 << 20);
        assert_eq!(env("500 KB").bytes(&KEY).unwrap(), 500_000);
        assert_eq!(
            env("500ms").duration(&KEY, false).unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(
            env("2s").duration(&KEY, false).unwrap(),
            Duration::from_secs(2)
        );
        assert_eq!(env("0s").duration(&KEY, true).unwrap(), Duration::ZERO);
        let e = env("0").count(&KEY, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOGWOOD_FILE_MAX_BYTES=0: must be greater than zero"
        );
        let e = env("2").duration(&KEY, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOGWOOD_FILE_MAX_BYTES=2: has no unit: expected a whole number with a unit, \
             such as 500ms, 2s, 1m or 1h"
        );
        let e = env("ten").bytes(&KEY).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("LOGWOOD_FILE_MAX_BYTES=ten: expected a number of bytes")
        );
        let e = env("maybe").bool(&KEY).unwrap_err();
        assert!(e.to_string().contains("expected true or false"));
        assert!(
            env("")
                .text(&KEY)
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
    }

    #[test]
    fn file_and_code_settings_name_the_key_and_the_value() {
        let file = Set {
            raw: Raw::Int(-1),
            source: Source::File(Some(Path::new("/etc/app.toml").into())),
        };
        assert_eq!(
            file.count(&KEY, 0).unwrap_err().to_string(),
            "`file.max_bytes = -1` in /etc/app.toml: expected a whole number (0 or more)"
        );
        let code = Set::code("x");
        assert_eq!(
            code.bytes(&KEY)
                .unwrap_err()
                .to_string()
                .split(':')
                .next()
                .unwrap(),
            "`file.max_bytes` = \"x\" (set in code)"
        );
    }

    #[test]
    fn secrets_are_named_never_shown() {
        for set in [
            env("t0ps3cret"),
            Set::code("t0ps3cret"),
            Set {
                raw: Raw::Str("t0ps3cret".into()),
                source: Source::File(None),
            },
        ] {
            let e = set.invalid(&SECRET, "is bad");
            assert!(!e.to_string().contains("t0ps3cret"), "{e}");
            assert!(!format!("{e:?}").contains("t0ps3cret"), "{e:?}");
            assert!(!format!("{set:?}").contains("t0ps3cret"));
            assert!(
                e.to_string().contains("http.token")
                    || e.to_string().contains("LOGWOOD_HTTP_TOKEN")
            );
        }
    }

    #[test]
    fn urls_lose_credentials_queries_and_fragments() {
        assert_eq!(
            redact_url("https://u:p@h:1/x?token=t#f"),
            "https://***@h:1/x"
        );
        assert_eq!(redact_url("http://h/frames"), "http://h/frames");
        assert_eq!(redact_url("h/frames?k=v"), "h/frames");
    }
}
