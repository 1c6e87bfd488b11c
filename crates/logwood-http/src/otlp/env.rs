//! The standard `OTEL_*` environment variables of an OTLP/HTTP logs
//! exporter, read through a lookup function (so that it is tested without
//! touching the process's environment) and validated.
//!
//! | variable | becomes | default |
//! | --- | --- | --- |
//! | `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` | the URL, used as it is | |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | the base URL: `/v1/logs` is appended (after a trailing `/` is dropped) | none: with neither endpoint set, no OTLP sink |
//! | `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL` | [`protocol`](crate::OtlpLayerBuilder::protocol): `http/protobuf` or `http/json` (`grpc` is refused: logwood speaks OTLP/HTTP) | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP_HEADERS`, then `OTEL_EXPORTER_OTLP_LOGS_HEADERS` | [`header`](crate::OtlpLayerBuilder::header)s: `key=value` pairs separated by commas, percent-decoded (`authorization=Bearer%20abc`); a logs header replaces a general one of the same name | none |
//! | `OTEL_EXPORTER_OTLP_LOGS_COMPRESSION`, else `OTEL_EXPORTER_OTLP_COMPRESSION` | `gzip` (needs the `gzip` feature) or `none` | `none` |
//! | `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT` | [`request_timeout`](crate::OtlpLayerBuilder::request_timeout), in milliseconds | 10000 |
//! | `OTEL_SERVICE_NAME` | [`service_name`](crate::OtlpLayerBuilder::service_name) (wins over a `service.name` resource attribute) | `unknown_service:{executable}` |
//! | `OTEL_RESOURCE_ATTRIBUTES` | [`resource_attribute`](crate::OtlpLayerBuilder::resource_attribute)s: `key=value` pairs separated by commas, values percent-decoded | none |
//!
//! An empty variable counts as unset, as the specification says.

use std::fmt;
use std::time::Duration;

use super::OtlpLayer;
use super::builder::{OTLP_LOGS_PATH, OtlpLayerBuilder};
use crate::body::OtlpProtocol;
use crate::client::Endpoint;
use crate::secret::Secret;

/// Validated OTLP settings from the standard `OTEL_*` variables.
///
/// Header values are kept as [`Secret`]s: this type's `Debug` prints their
/// names only.
///
/// # Examples
///
/// ```
/// use logwood_http::{OtlpEnv, OtlpProtocol};
///
/// let vars = [
///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
///     ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"),
///     ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20s3cret"),
///     ("OTEL_SERVICE_NAME", "shop"),
///     ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod"),
/// ];
/// let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
/// let env = OtlpEnv::from_lookup(lookup)?.expect("an endpoint is set");
/// assert_eq!(env.logs_url(), "http://collector:4318/v1/logs");
/// assert_eq!(env.protocol(), OtlpProtocol::Json);
/// assert_eq!(env.service_name(), Some("shop"));
/// assert!(!format!("{env:?}").contains("s3cret"));
/// // let (layer, guard) = env.builder().build()?;
///
/// // No endpoint: no OTLP sink.
/// assert!(OtlpEnv::from_lookup(|_| None)?.is_none());
///
/// // `grpc` is a clear error naming the variable and its value.
/// let err = OtlpEnv::from_lookup(|name| match name {
///     "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://collector:4318".into()),
///     "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL" => Some("grpc".into()),
///     _ => None,
/// })
/// .unwrap_err();
/// assert_eq!(err.variable(), "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL");
/// assert!(err.to_string().starts_with("`OTEL_EXPORTER_OTLP_LOGS_PROTOCOL` is `grpc`"));
/// # Ok::<(), logwood_http::OtlpEnvError>(())
/// ```
#[derive(Clone)]
pub struct OtlpEnv {
    logs_url: String,
    protocol: OtlpProtocol,
    headers: Vec<(String, Secret)>,
    gzip: bool,
    timeout: Option<Duration>,
    service_name: Option<String>,
    resource: Vec<(String, String)>,
}

impl fmt::Debug for OtlpEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("OtlpEnv")
            .field("logs_url", &self.logs_url)
            .field("protocol", &self.protocol)
            .field("headers", &names)
            .field("gzip", &self.gzip)
            .field("timeout", &self.timeout)
            .field("service_name", &self.service_name)
            .field("resource", &self.resource)
            .finish()
    }
}

/// A standard `OTEL_*` variable with a value that is not allowed. Its
/// message names the variable and, except for header variables (whose
/// values are credentials), the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{variable}` {reason}")]
pub struct OtlpEnvError {
    variable: &'static str,
    reason: String,
}

// === impl OtlpEnvError ===

impl OtlpEnvError {
    fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        Self {
            variable,
            reason: reason.into(),
        }
    }

    /// The variable (`OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`, …).
    pub fn variable(&self) -> &'static str {
        self.variable
    }
}

const LOGS_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";
const ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
const LOGS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL";
const PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
const HEADERS: &str = "OTEL_EXPORTER_OTLP_HEADERS";
const LOGS_HEADERS: &str = "OTEL_EXPORTER_OTLP_LOGS_HEADERS";
const LOGS_COMPRESSION: &str = "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION";
const COMPRESSION: &str = "OTEL_EXPORTER_OTLP_COMPRESSION";
const LOGS_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT";
const TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
const SERVICE_NAME: &str = "OTEL_SERVICE_NAME";
const RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";

// === impl OtlpEnv ===

impl OtlpEnv {
    /// Reads the variables from the process's environment (see
    /// [`from_lookup`](Self::from_lookup)).
    ///
    /// # Errors
    ///
    /// As [`from_lookup`](Self::from_lookup).
    pub fn from_env() -> Result<Option<Self>, OtlpEnvError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the standard variables through `lookup` (a variable's value,
    /// or `None` when unset). `Ok(None)` when neither
    /// `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` nor `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// is set: setting an endpoint turns the OTLP sink on. The mapping and
    /// defaults are in the table of this module's documentation, on
    /// [`OtlpLayerBuilder`]'s defaults table, and in the README.
    ///
    /// # Errors
    ///
    /// An [`OtlpEnvError`] naming the first variable with a value that is
    /// not allowed: an endpoint that is not an `http`/`https` URL, a
    /// protocol other than `http/protobuf` or `http/json`, a malformed
    /// header or resource list, a compression other than `gzip` or `none`
    /// (or `gzip` without the `gzip` feature), a timeout that is not a
    /// positive number of milliseconds.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, OtlpEnvError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let (logs_url, url_variable) = if let Some(url) = get(LOGS_ENDPOINT) {
            (url.trim().to_owned(), LOGS_ENDPOINT)
        } else if let Some(base) = get(ENDPOINT) {
            let base = base.trim().trim_end_matches('/');
            (format!("{base}{OTLP_LOGS_PATH}"), ENDPOINT)
        } else {
            return Ok(None);
        };
        if let Err(e) = Endpoint::parse(&logs_url) {
            let reason = e.to_string();
            let reason = reason.strip_prefix("`url` ").unwrap_or(&reason).to_owned();
            return Err(OtlpEnvError::new(
                url_variable,
                format!("is `{}`, which {reason}", redact_url(&logs_url)),
            ));
        }
        let (protocol_variable, protocol) = first(&get, LOGS_PROTOCOL, PROTOCOL);
        let protocol = match protocol.as_deref().map(str::trim) {
            None | Some("http/protobuf") => OtlpProtocol::Protobuf,
            Some("http/json") => OtlpProtocol::Json,
            Some("grpc") => {
                return Err(OtlpEnvError::new(
                    protocol_variable,
                    "is `grpc`, which logwood does not speak: it sends OTLP over HTTP; set \
                     `http/protobuf` (or `http/json`) and the receiver's OTLP/HTTP port \
                     (4318 by default)",
                ));
            }
            Some(other) => {
                return Err(OtlpEnvError::new(
                    protocol_variable,
                    format!("is `{other}`: choose from http/protobuf, http/json"),
                ));
            }
        };
        let mut headers: Vec<(String, Secret)> = Vec::new();
        for variable in [HEADERS, LOGS_HEADERS] {
            let Some(list) = get(variable) else { continue };
            for (name, value) in parse_headers(variable, &list)? {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                headers.push((name, value));
            }
        }
        let (compression_variable, compression) = first(&get, LOGS_COMPRESSION, COMPRESSION);
        let gzip = match compression.as_deref().map(str::trim) {
            None | Some("none") => false,
            Some("gzip") if cfg!(feature = "gzip") => true,
            Some("gzip") => {
                return Err(OtlpEnvError::new(
                    compression_variable,
                    "is `gzip`, which needs the `gzip` feature of logwood-http",
                ));
            }
            Some(other) => {
                return Err(OtlpEnvError::new(
                    compression_variable,
                    format!("is `{other}`: choose from gzip, none"),
                ));
            }
        };
        let (timeout_variable, timeout) = first(&get, LOGS_TIMEOUT, TIMEOUT);
        let timeout = match timeout {
            None => None,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(ms) if ms > 0 => Some(Duration::from_millis(ms)),
                _ => {
                    return Err(OtlpEnvError::new(
                        timeout_variable,
                        format!(
                            "is `{}`: give the timeout as a number of milliseconds greater \
                             than zero",
                            text.trim()
                        ),
                    ));
                }
            },
        };
        let service_name = get(SERVICE_NAME).map(|s| s.trim().to_owned());
        let resource = match get(RESOURCE_ATTRIBUTES) {
            Some(list) => parse_resource(&list)?,
            None => Vec::new(),
        };
        Ok(Some(Self {
            logs_url,
            protocol,
            headers,
            gzip,
            timeout,
            service_name,
            resource,
        }))
    }

    /// The URL the layer posts to.
    pub fn logs_url(&self) -> &str {
        &self.logs_url
    }

    /// The request encoding.
    pub fn protocol(&self) -> OtlpProtocol {
        self.protocol
    }

    /// The header names (values are never shown).
    pub fn header_names(&self) -> impl Iterator<Item = &str> {
        self.headers.iter().map(|(n, _)| n.as_str())
    }

    /// Whether requests are gzip-compressed.
    pub fn gzip(&self) -> bool {
        self.gzip
    }

    /// The per-request timeout, when one is set.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// `OTEL_SERVICE_NAME`, when set.
    pub fn service_name(&self) -> Option<&str> {
        self.service_name.as_deref()
    }

    /// `OTEL_RESOURCE_ATTRIBUTES`, decoded, in order.
    pub fn resource_attributes(&self) -> &[(String, String)] {
        &self.resource
    }

    /// A builder for the layer with these settings (and the defaults of
    /// [`OtlpLayerBuilder`] for everything else).
    pub fn builder(&self) -> OtlpLayerBuilder {
        self.apply(OtlpLayer::builder_for_logs_url(self.logs_url.clone()))
    }

    /// Applies these settings to `builder`: its URL becomes
    /// [`logs_url`](Self::logs_url), and the protocol, headers,
    /// compression, timeout, service name and resource attributes set
    /// here replace or add to its own.
    pub fn apply(&self, builder: OtlpLayerBuilder) -> OtlpLayerBuilder {
        let mut builder = builder
            .set_url(self.logs_url.clone())
            .protocol(self.protocol);
        for (name, value) in &self.headers {
            builder = builder.header(name.clone(), value.expose().to_owned());
        }
        #[cfg(feature = "gzip")]
        if self.gzip {
            builder = builder.gzip(true);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.request_timeout(timeout);
        }
        for (key, value) in &self.resource {
            builder = builder.resource_attribute(key.clone(), value.clone());
        }
        if let Some(name) = &self.service_name {
            builder = builder.service_name(name.clone());
        }
        builder
    }
}

/// The value of the signal-specific variable, else of the general one,
/// with the name of the one that was set.
fn first(
    get: &impl Fn(&str) -> Option<String>,
    specific: &'static str,
    general: &'static str,
) -> (&'static str, Option<String>) {
    match get(specific) {
        Some(v) => (specific, Some(v)),
        None => (general, get(general)),
    }
}

/// A URL as an error shows it: without credentials or query.
fn redact_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

/// `key=value,key2=value2` headers; values percent-decoded, never shown in
/// an error.
fn parse_headers(
    variable: &'static str,
    list: &str,
) -> Result<Vec<(String, Secret)>, OtlpEnvError> {
    let mut headers = Vec::new();
    for (i, entry) in list.split(',').enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = entry.split_once('=') else {
            return Err(OtlpEnvError::new(
                variable,
                format!("entry {} is not `name=value` (values are not shown)", i + 1),
            ));
        };
        let name = percent_decode(name.trim())
            .filter(|n| !n.is_empty() && http::HeaderName::from_bytes(n.as_bytes()).is_ok())
            .ok_or_else(|| {
                OtlpEnvError::new(
                    variable,
                    format!("entry {} has a name that is not a valid header name", i + 1),
                )
            })?;
        let value = percent_decode(value.trim())
            .filter(|v| http::HeaderValue::from_str(v).is_ok())
            .ok_or_else(|| {
                OtlpEnvError::new(
                    variable,
                    format!(
                        "header `{name}` has a value that is not validly percent-encoded or \
                         holds characters not allowed in a header (values are not shown)"
                    ),
                )
            })?;
        headers.push((name, Secret::new(value)));
    }
    Ok(headers)
}

/// `key=value,key2=value2` resource attributes, percent-decoded.
fn parse_resource(list: &str) -> Result<Vec<(String, String)>, OtlpEnvError> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    for entry in list.split(',') {
        if entry.trim().is_empty() {
            continue;
        }
        let decoded = entry
            .split_once('=')
            .and_then(|(k, v)| Some((percent_decode(k.trim())?, percent_decode(v.trim())?)))
            .filter(|(k, _)| !k.is_empty());
        let Some((key, value)) = decoded else {
            return Err(OtlpEnvError::new(
                RESOURCE_ATTRIBUTES,
                format!(
                    "has the entry `{}`, which is not `key=value` with percent-encoded text",
                    entry.trim()
                ),
            ));
        };
        attrs.retain(|(k, _)| *k != key);
        attrs.push((key, value));
    }
    Ok(attrs)
}

/// `%XX` escapes decoded; `None` for a malformed escape or text that is not
/// UTF-8 once decoded.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Result<Option<OtlpEnv>, OtlpEnvError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        OtlpEnv::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    fn err(vars: &[(&str, &str)]) -> OtlpEnvError {
        env(vars).unwrap_err()
    }

    const BASE: (&str, &str) = (ENDPOINT, "http://collector:4318");

    #[test]
    fn no_endpoint_means_no_sink_and_empty_counts_as_unset() {
        assert!(env(&[]).unwrap().is_none());
        assert!(
            env(&[(ENDPOINT, " "), (PROTOCOL, "grpc")])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_logs_endpoint_is_used_as_is_and_the_base_gets_v1_logs() {
        let e = env(&[(ENDPOINT, "http://c:4318/")]).unwrap().unwrap();
        assert_eq!(e.logs_url(), "http://c:4318/v1/logs");
        let e = env(&[(ENDPOINT, "https://c/otlp")]).unwrap().unwrap();
        assert_eq!(e.logs_url(), "https://c/otlp/v1/logs");
        let e = env(&[BASE, (LOGS_ENDPOINT, "http://other:9/ingest")])
            .unwrap()
            .unwrap();
        assert_eq!(e.logs_url(), "http://other:9/ingest");
        // Defaults.
        assert_eq!(e.protocol(), OtlpProtocol::Protobuf);
        assert!(!e.gzip());
        assert_eq!(e.timeout(), None);
        assert_eq!(e.service_name(), None);
    }

    #[test]
    fn bad_values_name_the_variable_and_the_value() {
        let e = err(&[(ENDPOINT, "collector:4318")]);
        assert_eq!(e.variable(), ENDPOINT);
        assert!(e.to_string().contains("`collector:4318/v1/logs`"), "{e}");
        let e = err(&[BASE, (PROTOCOL, "grpc")]);
        assert_eq!(e.variable(), PROTOCOL);
        assert!(e.to_string().contains("is `grpc`"), "{e}");
        let e = err(&[BASE, (LOGS_PROTOCOL, "http/xml")]);
        assert_eq!(
            e.to_string(),
            "`OTEL_EXPORTER_OTLP_LOGS_PROTOCOL` is `http/xml`: choose from http/protobuf, http/json"
        );
        let e = err(&[BASE, (LOGS_COMPRESSION, "zstd")]);
        assert_eq!(
            e.to_string(),
            "`OTEL_EXPORTER_OTLP_LOGS_COMPRESSION` is `zstd`: choose from gzip, none"
        );
        for bad in ["ten", "0", "-5", "1.5"] {
            let e = err(&[BASE, (TIMEOUT, bad)]);
            assert_eq!(e.variable(), TIMEOUT);
            assert!(e.to_string().contains(&format!("`{bad}`")), "{e}");
        }
        let e = err(&[BASE, (RESOURCE_ATTRIBUTES, "a=1,broken")]);
        assert!(e.to_string().contains("`broken`"), "{e}");
    }

    #[test]
    fn protocol_compression_timeout_and_resource_are_read() {
        let e = env(&[
            BASE,
            (PROTOCOL, "http/protobuf"),
            (LOGS_PROTOCOL, "http/json"),
            (TIMEOUT, "5000"),
            (LOGS_TIMEOUT, "2500"),
            (COMPRESSION, "none"),
            (SERVICE_NAME, "shop"),
            (
                RESOURCE_ATTRIBUTES,
                "deployment.environment=prod, team=a%2Cb,team=c%20d",
            ),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(e.protocol(), OtlpProtocol::Json);
        assert_eq!(e.timeout(), Some(Duration::from_millis(2500)));
        assert_eq!(e.service_name(), Some("shop"));
        assert_eq!(
            e.resource_attributes(),
            [
                ("deployment.environment".to_owned(), "prod".to_owned()),
                ("team".to_owned(), "c d".to_owned())
            ]
        );
        #[cfg(feature = "gzip")]
        assert!(
            env(&[BASE, (LOGS_COMPRESSION, "gzip")])
                .unwrap()
                .unwrap()
                .gzip()
        );
        #[cfg(not(feature = "gzip"))]
        assert!(env(&[BASE, (LOGS_COMPRESSION, "gzip")]).is_err());
    }

    #[test]
    fn headers_are_percent_decoded_and_never_shown() {
        let e = env(&[
            BASE,
            (HEADERS, "authorization=Bearer%20tok1,x-tenant=a"),
            (LOGS_HEADERS, "Authorization=Bearer%20tok2"),
        ])
        .unwrap()
        .unwrap();
        let names: Vec<&str> = e.header_names().collect();
        assert_eq!(names, ["x-tenant", "Authorization"]);
        assert_eq!(e.headers[1].1.expose(), "Bearer tok2");
        let text = format!("{e:?} {:?}", e.builder());
        assert!(!text.contains("tok1") && !text.contains("tok2"), "{text}");
        for bad in [
            "authorization",
            "authorization=Bearer%2",
            "bad name=tok3",
            "k=tok%0A3",
        ] {
            let e = err(&[BASE, (HEADERS, bad)]);
            assert_eq!(e.variable(), HEADERS);
            let text = format!("{e} {e:?}");
            assert!(!text.contains("Bearer") && !text.contains("tok3"), "{text}");
        }
    }
}
