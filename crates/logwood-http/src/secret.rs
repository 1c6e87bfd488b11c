//! [`Secret`]: the API key, which no `Debug`, `Display`, error or report
//! ever prints.

use std::fmt;

/// What a [`Secret`] prints instead of its value.
pub const REDACTED: &str = "**REDACTED**";

/// A credential (the API key or source token) that prints as
/// `**REDACTED**`.
///
/// The value is only ever written into the `Authorization` header of a
/// request (marked sensitive); it appears in no `Debug` or `Display` output,
/// no [`BuildError`](crate::BuildError), no
/// [`DeliveryError`](crate::DeliveryError) and no `[logwood]` stderr line.
/// A response body that quotes it has it replaced by `**REDACTED**` before
/// it reaches a report.
///
/// # Examples
///
/// ```
/// use logwood_http::Secret;
///
/// let key = Secret::new("sk_live_1234");
/// assert_eq!(format!("{key}"), "**REDACTED**");
/// assert_eq!(format!("{key:?}"), "**REDACTED**");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

// === impl Secret ===

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the `Authorization` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret replaced by
    /// `**REDACTED**` (for text that came from elsewhere, such as a
    /// response body, before it is reported).
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_owned();
        }
        text.replace(&self.0, REDACTED)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_print_the_redaction_never_the_value() {
        let secret = Secret::new("hunter2-api-key");
        for text in [
            format!("{secret}"),
            format!("{secret:?}"),
            format!("{secret:#?}"),
            format!("{:?}", Some(&secret)),
            format!("{:>30}", secret),
        ] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains(REDACTED), "{text}");
        }
        assert_eq!(secret.expose(), "hunter2-api-key");
    }

    #[test]
    fn scrub_replaces_every_occurrence_of_the_value() {
        let secret = Secret::from("k3y");
        assert_eq!(
            secret.scrub("bad token k3y (k3y)"),
            "bad token **REDACTED** (**REDACTED**)"
        );
        assert_eq!(Secret::new("").scrub("text"), "text");
    }
}
