//! What to do after an attempt: a [`RetryPolicy`] per protocol, each a pure
//! classification of an attempt's outcome (the waits between attempts are
//! core's `Backoff`), and the parsing of `Retry-After`.
//!
//! Two policies: [`RetryPolicy::Timber`] (PROTOCOL.md's retry table for
//! Timber frames and NDJSON) and [`RetryPolicy::Otlp`] (OTLP/HTTP: retry
//! only 429, 502, 503, 504 and transport failures; every other status
//! final), with the same [`Attempt`] in and [`RetryAction`] out.

use std::time::{Duration, SystemTime};

use logwood_core::ErrorKind;

/// How an attempt to post a batch ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// The server answered with this status.
    Status(u16),
    /// No answer: the connection could not be opened, broke, or the attempt
    /// ran out of time.
    Transport(Transport),
}

/// A failure below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// Resolving, connecting or the TLS handshake failed.
    Connect,
    /// The connection broke while sending or before the answer was read.
    Reset,
    /// The attempt took longer than `request_timeout`.
    Timeout,
}

/// Why an attempt is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// A temporary status (408, 429 or a 5xx other than 501 for Timber;
    /// 429, 502, 503 or 504 for OTLP).
    Status(u16),
    /// A transport failure; the connection is replaced.
    Transport(Transport),
}

/// Why a batch is given up at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// 401 or 403: the credentials are refused.
    Credentials(u16),
    /// Any other 4xx (and 501, and any status outside 2xx–5xx): the batch
    /// itself is refused.
    Rejected(u16),
}

/// The decision for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryAction {
    /// 2xx: the records are delivered.
    Success,
    /// A temporary failure: try the same body again after a wait.
    Retry(RetryReason),
    /// A permanent failure: count the batch as failed.
    DontRetry(GiveUp),
}

// === impl RetryAction ===

impl RetryAction {
    /// The kind of failure this action reports; `None` for a success.
    pub(crate) fn error_kind(self) -> Option<ErrorKind> {
        Some(match self {
            Self::Success => return None,
            Self::DontRetry(GiveUp::Credentials(_)) => ErrorKind::Unauthorized,
            Self::DontRetry(GiveUp::Rejected(_)) => ErrorKind::Rejected,
            Self::Retry(RetryReason::Status(_)) => ErrorKind::Temporary,
            Self::Retry(RetryReason::Transport(Transport::Connect)) => ErrorKind::Connect,
            Self::Retry(RetryReason::Transport(Transport::Reset)) => ErrorKind::Reset,
            Self::Retry(RetryReason::Transport(Transport::Timeout)) => ErrorKind::Timeout,
        })
    }
}

/// Which answers are retried, for one protocol: a pure function of the
/// attempt, so that it is tested without a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RetryPolicy {
    /// PROTOCOL.md's table for Timber frames and NDJSON: 2xx is success;
    /// 408, 429 and 5xx other than 501 are retried, as is every transport
    /// failure; 401 and 403 are refused credentials; every other status
    /// (other 4xx, 501, 1xx, 3xx) refuses the batch for good. `Retry-After`
    /// is honoured on 429 and 503.
    #[default]
    Timber,
    /// The OTLP/HTTP specification's: 2xx is success (the worker then
    /// reads a partial success from the body); 429, 502, 503 and 504 are
    /// retried, as is every transport failure; 401 and 403 are refused
    /// credentials; every other status, 400 and 500 included, refuses the
    /// batch for good. `Retry-After` is honoured on 429 and 503.
    Otlp,
}

// === impl RetryPolicy ===

impl RetryPolicy {
    /// What to do after `attempt`.
    pub(crate) fn classify(self, attempt: Attempt) -> RetryAction {
        match self {
            Self::Timber => timber(attempt),
            Self::Otlp => otlp(attempt),
        }
    }

    /// Whether a `Retry-After` header on an answer with `status` is
    /// honoured.
    pub(crate) fn honours_retry_after(self, status: u16) -> bool {
        match self {
            Self::Timber | Self::Otlp => matches!(status, 429 | 503),
        }
    }
}

/// PROTOCOL.md's retry table for Timber frames.
fn timber(attempt: Attempt) -> RetryAction {
    match attempt {
        Attempt::Transport(t) => RetryAction::Retry(RetryReason::Transport(t)),
        Attempt::Status(200..=299) => RetryAction::Success,
        Attempt::Status(s @ (401 | 403)) => RetryAction::DontRetry(GiveUp::Credentials(s)),
        Attempt::Status(s @ (408 | 429)) => RetryAction::Retry(RetryReason::Status(s)),
        Attempt::Status(501) => RetryAction::DontRetry(GiveUp::Rejected(501)),
        Attempt::Status(s @ 500..=599) => RetryAction::Retry(RetryReason::Status(s)),
        Attempt::Status(s) => RetryAction::DontRetry(GiveUp::Rejected(s)),
    }
}

/// The OTLP/HTTP specification's retryable responses.
fn otlp(attempt: Attempt) -> RetryAction {
    match attempt {
        Attempt::Transport(t) => RetryAction::Retry(RetryReason::Transport(t)),
        Attempt::Status(200..=299) => RetryAction::Success,
        Attempt::Status(s @ (401 | 403)) => RetryAction::DontRetry(GiveUp::Credentials(s)),
        Attempt::Status(s @ (429 | 502 | 503 | 504)) => RetryAction::Retry(RetryReason::Status(s)),
        Attempt::Status(s) => RetryAction::DontRetry(GiveUp::Rejected(s)),
    }
}

/// Parses a `Retry-After` value: delay seconds (`120`) or an HTTP date
/// (`Fri, 31 Dec 1999 23:59:59 GMT`, also the obsolete RFC 850 and asctime
/// forms), relative to `now`. A date in the past is a zero wait; anything
/// else unparsable is `None`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // An absurd number of seconds saturates rather than failing.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_any_2xx() {
        for s in [200, 201, 202, 204, 299] {
            assert_eq!(
                RetryPolicy::Timber.classify(Attempt::Status(s)),
                RetryAction::Success
            );
        }
    }

    #[test]
    fn temporary_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504, 505, 507, 599] {
            assert_eq!(
                RetryPolicy::Timber.classify(Attempt::Status(s)),
                RetryAction::Retry(RetryReason::Status(s)),
                "{s}"
            );
        }
    }

    #[test]
    fn credential_failures_are_not_retried() {
        for s in [401, 403] {
            assert_eq!(
                RetryPolicy::Timber.classify(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Credentials(s))
            );
        }
    }

    #[test]
    fn a_wrong_batch_is_not_retried() {
        for s in [
            400, 402, 404, 405, 406, 409, 410, 413, 415, 422, 451, 499, 501,
        ] {
            assert_eq!(
                RetryPolicy::Timber.classify(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Rejected(s)),
                "{s}"
            );
        }
        // Informational and redirect answers are not success either.
        for s in [100, 301, 302, 304] {
            assert_eq!(
                RetryPolicy::Timber.classify(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Rejected(s))
            );
        }
    }

    #[test]
    fn transport_failures_are_retried() {
        for t in [Transport::Connect, Transport::Reset, Transport::Timeout] {
            assert_eq!(
                RetryPolicy::Timber.classify(Attempt::Transport(t)),
                RetryAction::Retry(RetryReason::Transport(t))
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_on_429_and_503_only() {
        assert!(RetryPolicy::Timber.honours_retry_after(429));
        assert!(RetryPolicy::Timber.honours_retry_after(503));
        for s in [408, 500, 502, 504] {
            assert!(!RetryPolicy::Timber.honours_retry_after(s));
        }
    }

    #[test]
    fn each_action_reports_its_kind() {
        let kind = |a| RetryPolicy::Timber.classify(a).error_kind();
        assert_eq!(kind(Attempt::Status(202)), None);
        assert_eq!(kind(Attempt::Status(401)), Some(ErrorKind::Unauthorized));
        assert_eq!(kind(Attempt::Status(413)), Some(ErrorKind::Rejected));
        assert_eq!(kind(Attempt::Status(503)), Some(ErrorKind::Temporary));
        assert_eq!(
            kind(Attempt::Transport(Transport::Connect)),
            Some(ErrorKind::Connect)
        );
        assert_eq!(
            kind(Attempt::Transport(Transport::Reset)),
            Some(ErrorKind::Reset)
        );
        assert_eq!(
            kind(Attempt::Transport(Transport::Timeout)),
            Some(ErrorKind::Timeout)
        );
    }

    #[test]
    fn otlp_retries_only_429_502_503_504_and_transport_failures() {
        let otlp = |a| RetryPolicy::Otlp.classify(a);
        for s in [200, 202, 204] {
            assert_eq!(otlp(Attempt::Status(s)), RetryAction::Success);
        }
        for s in [429, 502, 503, 504] {
            assert_eq!(
                otlp(Attempt::Status(s)),
                RetryAction::Retry(RetryReason::Status(s))
            );
        }
        for s in [400, 404, 408, 413, 415, 500, 501, 505, 599, 301] {
            assert_eq!(
                otlp(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Rejected(s)),
                "{s}"
            );
        }
        for s in [401, 403] {
            assert_eq!(
                otlp(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Credentials(s))
            );
        }
        for t in [Transport::Connect, Transport::Reset, Transport::Timeout] {
            assert_eq!(
                otlp(Attempt::Transport(t)),
                RetryAction::Retry(RetryReason::Transport(t))
            );
        }
        assert!(RetryPolicy::Otlp.honours_retry_after(429));
        assert!(RetryPolicy::Otlp.honours_retry_after(503));
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:57 GMT", now),
            Some(Duration::from_secs(20))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:50:37 1994", now),
            Some(Duration::from_secs(60))
        );
        // A date in the past means "now".
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in ["", "-1", "1.5", "soon", "2 s", "Sun, 06 Nov 1994"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
