//! The collector's options: their defaults, the raw [`Config`] a builder
//! fills in, and the validated [`Settings`] a running collector uses.

use std::num::{NonZeroU64, NonZeroUsize};
use std::time::Duration;

use crate::error::Error;
use crate::http::faults::FaultPlan;
use crate::output::Output;
use crate::token::Token;

/// The default listening address: loopback, any free port.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:0";
/// The default bound on a request body, on the wire and decompressed: 10 MiB.
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;
/// The default status of [`CollectorBuilder::fail_first`](crate::CollectorBuilder::fail_first) answers.
pub const DEFAULT_FAIL_STATUS: u16 = 503;
/// The default bound on one syslog frame: 256 KiB.
pub const DEFAULT_MAX_SYSLOG_FRAME: usize = 256 * 1024;
/// The default time a client has to send a whole request head: 10 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time a client has to send a whole request body: 30 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time a kept-alive connection may wait for its next request: 60 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default bound on open HTTP connections: 512.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The options as set on the builder, not yet checked.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) listen: String,
    pub(crate) token: Option<Token>,
    pub(crate) out: Output,
    pub(crate) max_body: usize,
    pub(crate) fail_first: u64,
    pub(crate) fail_status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) delay: Duration,
    pub(crate) drop_connection_every: Option<u64>,
    pub(crate) status_sequence: Vec<u16>,
    pub(crate) otlp_reject: u64,
    pub(crate) syslog_udp: Option<String>,
    pub(crate) syslog_tcp: Option<String>,
    pub(crate) max_syslog_frame: usize,
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

/// The validated options the running collector uses.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) token: Option<Token>,
    pub(crate) max_body: usize,
    pub(crate) max_syslog_frame: usize,
    pub(crate) faults: FaultPlan,
    pub(crate) limits: Limits,
}

/// How long and how many HTTP connections may stay open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// From a connection's start, or the first byte of a later request, to
    /// the end of the request head.
    pub(crate) header_timeout: Duration,
    /// From the end of the request head to the end of its body.
    pub(crate) body_timeout: Duration,
    /// From the end of an answer to the first byte of the next request.
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: NonZeroUsize,
}

// === impl Config ===

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.to_owned(),
            token: None,
            out: Output::Memory,
            max_body: DEFAULT_MAX_BODY,
            fail_first: 0,
            fail_status: DEFAULT_FAIL_STATUS,
            retry_after: None,
            delay: Duration::ZERO,
            drop_connection_every: None,
            status_sequence: Vec::new(),
            otlp_reject: 0,
            syslog_udp: None,
            syslog_tcp: None,
            max_syslog_frame: DEFAULT_MAX_SYSLOG_FRAME,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Config {
    /// Checks every option; the error names the first one at fault.
    pub(crate) fn validate(&self) -> Result<Settings, Error> {
        let invalid = |option, reason: &str| Error::Config {
            option,
            reason: reason.to_owned(),
        };
        if self.token.as_ref().is_some_and(Token::is_empty) {
            return Err(invalid("token", "must not be empty"));
        }
        if self.max_body == 0 {
            return Err(invalid("max_body", "must be greater than zero"));
        }
        if self.max_syslog_frame == 0 {
            return Err(invalid("max_syslog_frame", "must be greater than zero"));
        }
        if !(200..=599).contains(&self.fail_status) {
            return Err(invalid("fail_status", "must be a status from 200 to 599"));
        }
        if self
            .status_sequence
            .iter()
            .any(|s| !(200..=599).contains(s))
        {
            return Err(invalid(
                "status_sequence",
                "statuses must be from 200 to 599",
            ));
        }
        for (option, timeout) in [
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
            ("idle_timeout", self.idle_timeout),
        ] {
            if timeout.is_zero() {
                return Err(invalid(option, "must be greater than zero"));
            }
        }
        let max_connections = NonZeroUsize::new(self.max_connections)
            .ok_or_else(|| invalid("max_connections", "must be greater than zero"))?;
        let drop_every = match self.drop_connection_every {
            None => None,
            Some(n) => Some(
                NonZeroU64::new(n)
                    .ok_or_else(|| invalid("drop_connection_every", "must be greater than zero"))?,
            ),
        };
        let retry_after = self
            .retry_after
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0));
        Ok(Settings {
            token: self.token.clone(),
            max_body: self.max_body,
            max_syslog_frame: self.max_syslog_frame,
            faults: FaultPlan {
                fail_first: self.fail_first,
                fail_status: self.fail_status,
                sequence: self.status_sequence.clone(),
                drop_every,
                retry_after,
                delay: self.delay,
                otlp_reject: self.otlp_reject,
            },
            limits: Limits {
                header_timeout: self.header_timeout,
                body_timeout: self.body_timeout,
                idle_timeout: self.idle_timeout,
                max_connections,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option_at_fault(config: Config) -> &'static str {
        match config.validate() {
            Err(Error::Config { option, .. }) => option,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        let settings = Config::default().validate().unwrap();
        assert_eq!(settings.limits.header_timeout, DEFAULT_HEADER_TIMEOUT);
        assert_eq!(
            settings.limits.max_connections.get(),
            DEFAULT_MAX_CONNECTIONS
        );
    }

    #[test]
    fn zero_limits_are_refused_naming_the_option() {
        let zero = Duration::ZERO;
        for (config, option) in [
            (
                Config {
                    header_timeout: zero,
                    ..Config::default()
                },
                "header_timeout",
            ),
            (
                Config {
                    body_timeout: zero,
                    ..Config::default()
                },
                "body_timeout",
            ),
            (
                Config {
                    idle_timeout: zero,
                    ..Config::default()
                },
                "idle_timeout",
            ),
            (
                Config {
                    max_connections: 0,
                    ..Config::default()
                },
                "max_connections",
            ),
            (
                Config {
                    token: Some(Token::new(String::new())),
                    ..Config::default()
                },
                "token",
            ),
        ] {
            assert_eq!(option_at_fault(config), option);
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let config = Config {
            retry_after: Some(Duration::from_millis(1500)),
            ..Config::default()
        };
        assert_eq!(config.validate().unwrap().faults.retry_after, Some(2));
    }
}
