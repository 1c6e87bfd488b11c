//! Emitting events from application threads while timing each one, and the
//! process's peak memory.

use std::thread;
use std::time::{Duration, Instant};

use tracing::Dispatch;

/// A histogram of per-event latencies in nanoseconds: exact below 16 ns,
/// then 16 buckets per power of two (within 6 %).
#[derive(Debug, Clone)]
pub struct Latency {
    buckets: Vec<u64>,
    count: u64,
    max: u64,
}

const BUCKETS: usize = 64 * 16;

fn index(ns: u64) -> usize {
    if ns < 16 {
        return ns as usize;
    }
    let msb = 63 - ns.leading_zeros();
    let sub = (ns >> (msb - 4)) & 15;
    ((msb - 3) * 16) as usize + sub as usize
}

/// The largest value of bucket `i`.
fn upper(i: usize) -> u64 {
    if i < 16 {
        return i as u64;
    }
    let msb = (i / 16) as u32 + 3;
    let sub = (i % 16) as u64;
    ((16 + sub + 1) << (msb - 4)).saturating_sub(1)
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            buckets: vec![0; BUCKETS],
            count: 0,
            max: 0,
        }
    }
}

// === impl Latency ===

impl Latency {
    pub fn record(&mut self, elapsed: Duration) {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.buckets[index(ns).min(BUCKETS - 1)] += 1;
        self.count += 1;
        self.max = self.max.max(ns);
    }

    pub fn merge(&mut self, other: &Latency) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// The latency `q` (0.99 for p99) of the events were at most.
    pub fn quantile(&self, q: f64) -> u64 {
        let rank = ((self.count as f64) * q).ceil() as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank.max(1) {
                return upper(i).min(self.max);
            }
        }
        self.max
    }
}

/// How the application threads emit.
#[derive(Debug, Clone, Copy)]
pub struct Emit {
    pub threads: usize,
    pub per_thread: u64,
    /// Events per second per thread; `None`: as fast as they can.
    pub rate: Option<f64>,
}

// === impl Emit ===

impl Emit {
    pub fn total(&self) -> u64 {
        self.threads as u64 * self.per_thread
    }

    /// `threads` threads emitting `rate` events per second each for
    /// `duration`.
    pub fn paced(threads: usize, rate: f64, duration: Duration) -> Self {
        Self {
            threads,
            per_thread: (rate * duration.as_secs_f64()) as u64,
            rate: Some(rate),
        }
    }

    pub fn burst(threads: usize, per_thread: u64) -> Self {
        Self {
            threads,
            per_thread,
            rate: None,
        }
    }
}

/// What the application threads did.
#[derive(Debug, Clone)]
pub struct Emitted {
    pub latency: Latency,
    pub elapsed: Duration,
    pub count: u64,
}

/// Runs `plan` under `dispatch`: each thread (a 2 MiB stack, the standard
/// library's default) enters a span of its own and calls `event(seq)` for
/// its share of the sequence numbers (thread `t` has `t * per_thread ..`),
/// timing every call.
pub fn emit(dispatch: &Dispatch, plan: Emit, event: impl Fn(u64) + Sync) -> Emitted {
    let start = Instant::now();
    let event = &event;
    let latency = thread::scope(|s| {
        let handles: Vec<_> = (0..plan.threads)
            .map(|t| {
                thread::Builder::new()
                    .name(format!("app-{t}"))
                    .stack_size(2 << 20)
                    .spawn_scoped(s, move || {
                        tracing::dispatcher::with_default(dispatch, || {
                            let span = tracing::info_span!(
                                "worker",
                                thread = t as u64,
                                job.kind = "reliability"
                            );
                            let _entered = span.enter();
                            run_thread(plan, t as u64, event)
                        })
                    })
                    .expect("spawning an application thread")
            })
            .collect();
        let mut all = Latency::default();
        for handle in handles {
            all.merge(&handle.join().expect("an application thread panicked"));
        }
        all
    });
    Emitted {
        count: latency.count(),
        latency,
        elapsed: start.elapsed(),
    }
}

fn run_thread(plan: Emit, t: u64, event: &(impl Fn(u64) + Sync)) -> Latency {
    let mut latency = Latency::default();
    let first = t * plan.per_thread;
    let start = Instant::now();
    for i in 0..plan.per_thread {
        if let Some(rate) = plan.rate
            && i % 16 == 0
        {
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
        }
        let before = Instant::now();
        event(first + i);
        latency.record(before.elapsed());
    }
    latency
}

/// The workload's event: a sequence number after the case's marker in the
/// message, and a few typed fields.
pub fn event(marker: &str, seq: u64) {
    tracing::info!(
        seq,
        order.total = 520.23,
        order.paid = true,
        order.currency = "USD",
        "{marker} {seq} order placed"
    );
}

/// `VmHWM` of `/proc/{pid}/status` (`self` for this process), in KiB.
pub fn peak_rss_kib_of(pid: &str) -> u64 {
    status_field(pid, "VmHWM:")
}

/// `VmRSS` of `/proc/{pid}/status`, in KiB.
pub fn rss_kib_of(pid: &str) -> u64 {
    status_field(pid, "VmRSS:")
}

/// This process's peak RSS, in KiB.
pub fn peak_rss_kib() -> u64 {
    peak_rss_kib_of("self")
}

/// Resets this process's peak RSS to its current RSS (`/proc/self/clear_refs`,
/// Linux 4.0+), so that a sub-run measures its own peak.
pub fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

fn status_field(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values() {
        for ns in [0, 1, 15, 16, 17, 31, 32, 1000, 123_456, 9_999_999_999] {
            let i = index(ns);
            assert!(ns <= upper(i), "{ns} in {i}");
            assert!(i == 0 || ns > upper(i - 1), "{ns} in {i}");
        }
    }
}
