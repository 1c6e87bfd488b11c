//! [`Token`]: the bearer token a collector requires; compared in constant
//! time, never printed.

use std::fmt;

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// The bearer token; `Debug` prints `**REDACTED**`, and there is no
/// `Display`.
#[derive(Clone)]
pub(crate) struct Token(String);

// === impl Token ===

impl Token {
    pub(crate) fn new(token: String) -> Self {
        Self(token)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the headers carry `Authorization: Bearer {token}` (scheme in
    /// any letter case, surrounding spaces ignored). OTLP exporters send the
    /// same header from `OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20…`.
    pub(crate) fn authorizes(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return false;
        };
        let value = value.as_bytes();
        let Some(scheme) = value
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
        else {
            return false;
        };
        self.matches(value[scheme.len()..].trim_ascii())
    }

    /// Whether `given` is the token, in time that depends only on the length
    /// of `given`.
    pub(crate) fn matches(&self, given: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        let mut diff = u8::from(given.len() != expected.len());
        for (a, b) in given.iter().zip(expected.iter().cycle()) {
            diff |= a ^ b;
        }
        std::hint::black_box(diff) == 0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn debug_never_prints_the_token() {
        let token = Token::new("s3cret".to_owned());
        assert_eq!(format!("{token:?}"), "**REDACTED**");
        assert_eq!(format!("{:?}", Some(token)), "Some(**REDACTED**)");
    }

    #[test]
    fn bearer_token_must_match_exactly() {
        let token = Token::new("s3cret".to_owned());
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            token.authorizes(&headers)
        };
        assert!(with("Bearer s3cret"));
        assert!(with("bearer s3cret"));
        assert!(with("BEARER  s3cret "));
        assert!(!with("Bearer s3cre"));
        assert!(!with("Bearer s3cret2"));
        assert!(!with("Basic s3cret"));
        assert!(!with("Bearer "));
        assert!(!with("s3cret"));
        assert!(!token.authorizes(&HeaderMap::new()));
    }

    #[test]
    fn matches_compares_every_byte() {
        let token = Token::new("abc".to_owned());
        assert!(token.matches(b"abc"));
        for wrong in [&b""[..], b"ab", b"abd", b"xbc", b"abca", b"abcabc"] {
            assert!(!token.matches(wrong), "{wrong:?}");
        }
    }
}
