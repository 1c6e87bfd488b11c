//! What to do after an attempt: the pure [`classify`] of PROTOCOL's retry
//! table, capped exponential [`Backoff`] with full jitter, and `Retry-After`.

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, SystemTime};

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
    /// 408, 429 or a 5xx other than 501.
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

/// PROTOCOL.md's retry table, as a pure function.
pub(crate) fn classify(attempt: Attempt) -> RetryAction {
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

/// Whether a `Retry-After` header on an answer with `status` is honoured
/// (PROTOCOL.md: on 429 and 503).
pub(crate) fn honours_retry_after(status: u16) -> bool {
    matches!(status, 429 | 503)
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

/// How much of the backoff delay is randomised.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # fn main() -> Result<(), logwood_http::BuildError> {
/// // Deterministic waits (100 ms, 200 ms, 400 ms, …), for tests.
/// let (_layer, guard) = logwood_http::HttpLayer::builder("http://127.0.0.1:9/frames")
///     .retry_initial(Duration::from_millis(100))
///     .retry_jitter(logwood_http::JitterMode::None)
///     .build()?;
/// # drop(guard);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JitterMode {
    /// "Full jitter": each wait is uniformly random between zero and the
    /// exponential delay, so that many clients failing together do not retry
    /// together. The default.
    #[default]
    Full,
    /// No randomness: each wait is the exponential delay itself. Meant for
    /// tests that measure the waits.
    None,
}

/// Capped exponential backoff: the `n`th retry waits up to
/// `min(max, initial * 2^(n-1))`.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    jitter: JitterMode,
    rng: SplitMix64,
}

// === impl Backoff ===

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration, jitter: JitterMode) -> Self {
        Self {
            initial,
            max,
            jitter,
            rng: SplitMix64::seeded(),
        }
    }

    /// The exponential delay before retry number `retry` (1 for the first
    /// retry), capped at `max`, before jitter.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(63);
        let factor = 1_u64 << doublings;
        let factor = u32::try_from(factor).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The wait before retry number `retry`.
    pub(crate) fn delay(&mut self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        match self.jitter {
            JitterMode::None => ceiling,
            JitterMode::Full => {
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(self.rng.below_inclusive(nanos))
            }
        }
    }

    /// The wait before retry number `retry`, given the server's
    /// `Retry-After` (if honoured): the server's wish replaces the backoff,
    /// capped at `max`.
    pub(crate) fn wait(&mut self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => after.min(self.max),
            None => self.delay(retry),
        }
    }
}

/// A tiny non-cryptographic generator for jitter.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn seeded() -> Self {
        // RandomState is seeded from the OS once per process and varies per
        // instance, which is all jitter needs.
        let seed = RandomState::new().hash_one(SystemTime::now());
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=bound` (the bias of the modulo is irrelevant here).
    fn below_inclusive(&mut self, bound: u64) -> u64 {
        match bound.checked_add(1) {
            Some(n) => self.next() % n,
            None => self.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_any_2xx() {
        for s in [200, 201, 202, 204, 299] {
            assert_eq!(classify(Attempt::Status(s)), RetryAction::Success);
        }
    }

    #[test]
    fn temporary_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504, 505, 507, 599] {
            assert_eq!(
                classify(Attempt::Status(s)),
                RetryAction::Retry(RetryReason::Status(s)),
                "{s}"
            );
        }
    }

    #[test]
    fn credential_failures_are_not_retried() {
        for s in [401, 403] {
            assert_eq!(
                classify(Attempt::Status(s)),
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
                classify(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Rejected(s)),
                "{s}"
            );
        }
        // Informational and redirect answers are not success either.
        for s in [100, 301, 302, 304] {
            assert_eq!(
                classify(Attempt::Status(s)),
                RetryAction::DontRetry(GiveUp::Rejected(s))
            );
        }
    }

    #[test]
    fn transport_failures_are_retried() {
        for t in [Transport::Connect, Transport::Reset, Transport::Timeout] {
            assert_eq!(
                classify(Attempt::Transport(t)),
                RetryAction::Retry(RetryReason::Transport(t))
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_on_429_and_503_only() {
        assert!(honours_retry_after(429));
        assert!(honours_retry_after(503));
        for s in [408, 500, 502, 504] {
            assert!(!honours_retry_after(s));
        }
    }

    #[test]
    fn backoff_doubles_from_initial_up_to_the_cap_without_jitter() {
        let mut b = Backoff::new(
            Duration::from_millis(100),
            Duration::from_secs(1),
            JitterMode::None,
        );
        let waits: Vec<u128> = (1..=7).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000, 1000]);
        // Huge retry numbers saturate at the cap instead of overflowing.
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(1));
        assert_eq!(b.delay(0), Duration::from_millis(100));
    }

    #[test]
    fn full_jitter_stays_between_zero_and_the_exponential_delay() {
        let mut b = Backoff::new(
            Duration::from_millis(100),
            Duration::from_secs(30),
            JitterMode::Full,
        );
        let mut distinct = std::collections::BTreeSet::new();
        for retry in 1..=12 {
            let ceiling = b.ceiling(retry);
            for _ in 0..200 {
                let d = b.delay(retry);
                assert!(d <= ceiling, "{d:?} > {ceiling:?}");
                distinct.insert(d);
            }
        }
        // Random, not constant.
        assert!(distinct.len() > 1000, "{}", distinct.len());
        assert_eq!(b.ceiling(12), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_replaces_the_backoff_and_is_capped() {
        let mut b = Backoff::new(
            Duration::from_millis(100),
            Duration::from_secs(30),
            JitterMode::None,
        );
        assert_eq!(
            b.wait(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            b.wait(1, Some(Duration::from_secs(3600))),
            Duration::from_secs(30)
        );
        assert_eq!(b.wait(3, None), Duration::from_millis(400));
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
