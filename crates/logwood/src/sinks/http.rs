//! The HTTP sink: `HttpLayer` batches (Timber's msgpack frames or NDJSON)
//! to an ingest URL, with a bearer token given inline or in a file.

use super::{Shared, SinkInfo, Start, is_off};
use crate::InitError;
use crate::config::{Config, Key, Set, Source};

pub(crate) const URL: Key = Key::new("http.url", "LOGWOOD_HTTP_URL").url();
pub(crate) const TOKEN: Key = Key::new("http.token", "LOGWOOD_HTTP_TOKEN").secret();
pub(crate) const TOKEN_FILE: Key = Key::new("http.token_file", "LOGWOOD_HTTP_TOKEN_FILE");
pub(crate) const FORMAT: Key = Key::new("http.format", "LOGWOOD_HTTP_FORMAT");
pub(crate) const CA_FILE: Key = Key::new("http.ca_file", "LOGWOOD_HTTP_CA_FILE");
pub(crate) const LEVEL: Key = Key::new("http.level", "LOGWOOD_HTTP_LEVEL");

pub(crate) const INFO: SinkInfo = SinkInfo {
    name: "http",
    main: URL,
    main_also: &[],
    on_by_default: false,
    level: LEVEL,
    keys: &[URL, TOKEN, TOKEN_FILE, FORMAT, CA_FILE, LEVEL],
    env_prefix: "LOGWOOD_HTTP",
    feature: "http",
    compiled: cfg!(feature = "http"),
};

super::toml_section!("http" {
    url,
    token,
    token_file,
    format,
    ca_file,
    level,
});

/// The token, read: never printed (see `Debug`).
#[cfg_attr(not(feature = "http"), allow(dead_code))]
struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("**REDACTED**")
    }
}

/// The HTTP settings, checked.
#[derive(Debug)]
#[cfg_attr(not(feature = "http"), allow(dead_code))]
struct Plan {
    url: Set,
    /// The token and the setting it came from (`http.token` or
    /// `http.token_file`), for errors about it.
    token: Option<(Token, Set, &'static Key)>,
    ndjson: Option<bool>,
    ca_file: Option<(String, Set)>,
}

/// The HTTP layer, when `LOGWOOD_HTTP_URL` names an endpoint.
pub(crate) fn plan(config: &Config, _shared: &Shared) -> Result<Option<Start>, InitError> {
    let s = &config.http;
    let Some(url) = s.url.as_ref().filter(|u| !is_off(u)) else {
        return Ok(None);
    };
    url.text(&URL)?;
    let ca_file = match &s.ca_file {
        Some(set) if !cfg!(feature = "tls") => {
            return Err(InitError::FeatureDisabled {
                setting: set.describe(&CA_FILE),
                feature: "tls",
            });
        }
        Some(set) => Some((set.text(&CA_FILE)?.to_owned(), set.clone())),
        None => None,
    };
    let plan = Plan {
        url: url.clone(),
        token: token(s.token.as_ref(), s.token_file.as_ref())?,
        ndjson: s
            .format
            .as_ref()
            .map(|f| f.choice(&FORMAT, &["msgpack", "ndjson"]).map(|i| i == 1))
            .transpose()?,
        ca_file,
    };
    Ok(imp::start(plan))
}

/// How much a source weighs: the environment over the file over the code.
fn rank(source: &Source) -> u8 {
    match source {
        Source::Env(_) => 2,
        Source::File(_) => 1,
        Source::Code => 0,
    }
}

/// The token: `http.token`, or the contents of `http.token_file` (without
/// the trailing newline). Given both from one source, it is an error;
/// from two, the stronger source wins (a token file in the environment
/// replaces a token in the TOML file).
fn token(
    inline: Option<&Set>,
    file: Option<&Set>,
) -> Result<Option<(Token, Set, &'static Key)>, InitError> {
    let use_file = match (inline, file) {
        (None, None) => return Ok(None),
        (Some(_), None) => false,
        (None, Some(_)) => true,
        (Some(i), Some(f)) if rank(&i.source) == rank(&f.source) => {
            return Err(InitError::invalid(
                format!("{} and {}", i.describe(&TOKEN), f.describe(&TOKEN_FILE)),
                "give the token one way: inline or in a file, not both",
            ));
        }
        (Some(i), Some(f)) => rank(&f.source) > rank(&i.source),
    };
    if let (false, Some(set)) = (use_file, inline) {
        let text = set.text(&TOKEN)?;
        if text.trim().is_empty() {
            return Err(set.invalid(&TOKEN, "is blank: give the token, or leave it out"));
        }
        return Ok(Some((Token(text.to_owned()), set.clone(), &TOKEN)));
    }
    let Some(set) = file else { return Ok(None) };
    let path = set.path(&TOKEN_FILE)?;
    let contents = std::fs::read_to_string(&path)
        .map_err(|e| set.invalid(&TOKEN_FILE, format!("cannot read the token file: {e}")))?;
    let token = contents.trim_end_matches(['\n', '\r']);
    if token.trim().is_empty() {
        return Err(set.invalid(&TOKEN_FILE, "the token file is empty"));
    }
    Ok(Some((Token(token.to_owned()), set.clone(), &TOKEN_FILE)))
}

#[cfg(feature = "http")]
mod imp {
    super::super::delivery_builder!(logwood_http::HttpLayerBuilder);

    use logwood_http::{BuildError, Format, HttpLayer};
    use tracing_subscriber::Layer as _;

    use super::super::{Built, Shared, Start};
    use super::{CA_FILE, Plan, URL};
    use crate::InitError;
    use crate::config::Raw;

    pub(super) fn start(plan: Plan) -> Option<Start> {
        Some(Box::new(move |shared: &Shared| {
            let url = match &plan.url.raw {
                Raw::Str(s) => s.clone(),
                _ => String::new(),
            };
            let mut b = HttpLayer::builder(url).context(shared.context.clone());
            if let Some((token, _, _)) = &plan.token {
                b = b.api_key(token.0.as_str());
            }
            if let Some(ndjson) = plan.ndjson {
                b = b.format(if ndjson {
                    Format::Ndjson
                } else {
                    Format::Msgpack
                });
            }
            #[cfg(feature = "tls")]
            if let Some((path, _)) = &plan.ca_file {
                b = b.ca_file(path);
            }
            b = shared.delivery(b);
            if let Some(interval) = shared.flush_interval {
                b = b.flush_interval(interval);
            }
            let (layer, guard) = b.build().map_err(|e| error(&plan, e))?;
            Ok(Built {
                name: "http",
                layer: layer.boxed(),
                guard: Some(guard),
                stats: None,
            })
        }))
    }

    /// The layer's build error, naming the setting it is about (the
    /// layer's errors never hold the key).
    fn error(plan: &Plan, e: BuildError) -> InitError {
        let named = match e.option() {
            "api_key" => plan.token.as_ref().map(|(_, set, key)| (set, *key)),
            "ca_file" => plan.ca_file.as_ref().map(|(_, set)| (set, &CA_FILE)),
            _ => None,
        };
        let (set, key) = named.unwrap_or((&plan.url, &URL));
        InitError::layer(set.describe(key), e)
    }
}

#[cfg(not(feature = "http"))]
mod imp {
    use super::super::Start;
    use super::Plan;

    /// Without the `http` feature there is no HTTP layer; asking for one
    /// was refused earlier (feature check).
    pub(super) fn start(_plan: Plan) -> Option<Start> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-t0ken";

    #[test]
    fn token_comes_inline_or_from_a_file_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, format!("{SECRET}\n")).unwrap();
        let file = Set::env(path.display().to_string());
        let (read, _, key) = token(None, Some(&file)).unwrap().unwrap();
        assert_eq!(
            (read.0.as_str(), key.env),
            (SECRET, "LOGWOOD_HTTP_TOKEN_FILE")
        );
        assert_eq!(format!("{read:?}"), "**REDACTED**");

        let inline = Set::env(SECRET.into());
        let e = token(Some(&inline), Some(&file)).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(text.contains("give the token one way"), "{text}");
        assert!(!text.contains(SECRET), "{text}");

        // A file in the environment replaces a token in the code.
        let code = Set::code(SECRET);
        let (_, _, key) = token(Some(&code), Some(&file)).unwrap().unwrap();
        assert_eq!(key.env, "LOGWOOD_HTTP_TOKEN_FILE");

        let missing = Set::env(dir.path().join("nope").display().to_string());
        let e = token(None, Some(&missing)).unwrap_err().to_string();
        assert!(
            e.contains("LOGWOOD_HTTP_TOKEN_FILE=") && e.contains("cannot read the token file"),
            "{e}"
        );

        let blank = Set::env("  ".into());
        let e = token(Some(&blank), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOGWOOD_HTTP_TOKEN: is blank: give the token, or leave it out"
        );
    }
}
