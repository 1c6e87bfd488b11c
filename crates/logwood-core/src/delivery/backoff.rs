//! [`Backoff`]: capped exponential backoff with full jitter, for every
//! retry and reconnect in logwood.

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, SystemTime};

/// How much of a backoff delay is randomised.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use logwood_core::__private::Backoff;
/// use logwood_core::JitterMode;
///
/// // Deterministic waits (100 ms, 200 ms, 400 ms, …), for tests.
/// let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), JitterMode::None);
/// assert_eq!(backoff.next_delay(), Duration::from_millis(100));
/// assert_eq!(backoff.next_delay(), Duration::from_millis(200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum JitterMode {
    /// "Full jitter": each wait is uniformly random between zero and the
    /// exponential delay, so that many clients failing together do not
    /// retry together. The default.
    #[default]
    Full,
    /// No randomness: each wait is the exponential delay itself. Meant for
    /// tests that measure the waits.
    None,
}

/// Capped exponential backoff: the `n`th retry waits up to
/// `min(max, initial × 2^(n-1))`, drawn uniformly below that bound with
/// [`JitterMode::Full`].
///
/// Use it statelessly ([`Backoff::delay`] for retry number `n`) or
/// statefully ([`Backoff::next_delay`], [`Backoff::reset`] after a
/// success).
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    jitter: JitterMode,
    /// Retries since the last reset (for `next_delay`).
    retry: u32,
    rng: SplitMix64,
}

// === impl Backoff ===

impl Backoff {
    /// A backoff from `initial` doubling up to `max`.
    pub fn new(initial: Duration, max: Duration, jitter: JitterMode) -> Self {
        Self {
            initial,
            max: max.max(initial),
            jitter,
            retry: 0,
            rng: SplitMix64::seeded(),
        }
    }

    /// The longest wait.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The exponential delay before retry number `retry` (1 for the first
    /// retry), capped at `max`, before jitter.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.initial.saturating_mul(1 << doublings).min(self.max)
    }

    /// The wait before retry number `retry`.
    pub fn delay(&mut self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        match self.jitter {
            JitterMode::None => ceiling,
            JitterMode::Full => {
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(self.rng.below_inclusive(nanos))
            }
        }
    }

    /// The wait before retry number `retry`, given the receiver's wish
    /// (`Retry-After`), which replaces the backoff, capped at `max`.
    pub fn wait(&mut self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => after.min(self.max),
            None => self.delay(retry),
        }
    }

    /// The next wait of a stateful backoff (the first after a reset is
    /// retry number 1).
    pub fn next_delay(&mut self) -> Duration {
        self.retry = self.retry.saturating_add(1);
        self.delay(self.retry)
    }

    /// Back to the shortest wait (after a success).
    pub fn reset(&mut self) {
        self.retry = 0;
    }
}

/// A tiny non-cryptographic generator for jitter.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn seeded() -> Self {
        // RandomState is seeded from the OS once per process and varies per
        // instance, which is all jitter needs.
        Self(RandomState::new().hash_one(SystemTime::now()))
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

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn doubles_up_to_the_cap_and_resets_after_a_success() {
        let mut b = Backoff::new(100 * MS, 1000 * MS, JitterMode::None);
        let waits: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        assert_eq!(
            waits,
            [100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS, 1000 * MS]
        );
        b.reset();
        assert_eq!(b.next_delay(), 100 * MS);
        assert_eq!(b.ceiling(u32::MAX), 1000 * MS);
    }

    #[test]
    fn full_jitter_stays_within_the_bound_and_varies() {
        let mut b = Backoff::new(100 * MS, 400 * MS, JitterMode::Full);
        let mut waits = Vec::new();
        for retry in 1..=40 {
            let wait = b.delay(retry);
            assert!(wait <= b.ceiling(retry), "{wait:?}");
            waits.push(wait);
        }
        waits.sort();
        waits.dedup();
        assert!(waits.len() > 20, "{waits:?}");
    }

    #[test]
    fn the_receivers_wish_replaces_the_backoff_capped_at_max() {
        let mut b = Backoff::new(100 * MS, 1000 * MS, JitterMode::None);
        assert_eq!(b.wait(1, Some(300 * MS)), 300 * MS);
        assert_eq!(b.wait(1, Some(Duration::from_secs(60))), 1000 * MS);
        assert_eq!(b.wait(3, None), 400 * MS);
    }
}
