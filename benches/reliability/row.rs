//! One row of the report: a sink's figures in a case and the properties
//! checked on them; carried from the case's process to the runner as one
//! JSON line.

use std::time::Duration;

use logwood::Stats;
use serde_json::{Value, json};

use super::measure::Latency;
use super::readback::Tally;

/// A property checked on a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked, e.g. `received = sent`.
    pub what: String,
    pub ok: bool,
    /// The figures behind a failure.
    pub detail: String,
}

/// A sink's figures in one case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub case: String,
    pub sink: String,
    pub emitted: u64,
    pub sent: u64,
    pub dropped: u64,
    pub failed: u64,
    pub queued: u64,
    /// Distinct records the receiver holds (`None`: nothing to read back).
    pub received: Option<u64>,
    /// Extra copies of records the receiver holds more than once.
    pub duplicates: Option<u64>,
    /// From the first event to the end of the delivery (the guard's
    /// shutdown returned, the receiver holds what it will hold).
    pub seconds: f64,
    /// Per-event latency on the application's threads.
    pub caller_p99_ns: Option<u64>,
    pub caller_max_ns: Option<u64>,
    /// Peak RSS of the case's process (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
    /// Case-specific figures, for the report.
    pub notes: Vec<String>,
    pub checks: Vec<Check>,
}

// === impl Row ===

impl Row {
    /// A row for `sink` in `case` with the layer's final counters.
    pub fn new(case: &str, sink: &str, stats: &Stats) -> Self {
        let notes = [
            ("retried", stats.retried),
            ("reconnects", stats.reconnects),
            ("truncated", stats.truncated),
            ("oversize", stats.oversize),
            ("rejected", stats.rejected),
            ("rollovers", stats.rollovers),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} {n}"))
        .collect::<Vec<_>>();
        let notes = if notes.is_empty() {
            Vec::new()
        } else {
            vec![notes.join(", ")]
        };
        Self {
            notes,
            case: case.to_owned(),
            sink: sink.to_owned(),
            emitted: stats.emitted,
            sent: stats.sent,
            dropped: stats.dropped,
            failed: stats.failed,
            queued: stats.queued,
            peak_rss_kib: super::measure::peak_rss_kib(),
            ..Self::default()
        }
    }

    /// A row with no layer counters (an attack on the collector).
    pub fn bare(case: &str, sink: &str) -> Self {
        Self::new(case, sink, &Stats::default())
    }

    /// Records sent per second over [`seconds`](Self::seconds).
    pub fn throughput(&self) -> f64 {
        if self.seconds > 0.0 {
            self.sent as f64 / self.seconds
        } else {
            0.0
        }
    }

    #[must_use]
    pub fn received(mut self, tally: &Tally) -> Self {
        self.received = Some(tally.received());
        self.duplicates = Some(tally.duplicates());
        if tally.foreign > 0 {
            self.notes.push(format!(
                "{} records with a sequence number never emitted",
                tally.foreign
            ));
        }
        self
    }

    #[must_use]
    pub fn took(mut self, elapsed: Duration) -> Self {
        self.seconds = elapsed.as_secs_f64();
        self
    }

    #[must_use]
    pub fn latency(mut self, latency: &Latency) -> Self {
        if latency.count() > 0 {
            self.caller_p99_ns = Some(latency.quantile(0.99));
            self.caller_max_ns = Some(latency.max());
        }
        self
    }

    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Records a property; `detail` is shown when it does not hold.
    #[must_use]
    pub fn check(mut self, what: impl Into<String>, ok: bool, detail: impl Into<String>) -> Self {
        self.checks.push(Check {
            what: what.into(),
            ok,
            detail: if ok { String::new() } else { detail.into() },
        });
        self
    }

    /// `emitted = sent + dropped + failed + queued`, and nothing left
    /// queued after the shutdown.
    #[must_use]
    pub fn check_accounted(self) -> Self {
        let sum = self.sent + self.dropped + self.failed + self.queued;
        let detail = self.counters();
        let ok = self.emitted == sum;
        self.check("emitted = sent + dropped + failed + queued", ok, detail)
            .check_queued_zero()
    }

    #[must_use]
    pub fn check_queued_zero(self) -> Self {
        let detail = self.counters();
        let ok = self.queued == 0;
        self.check("queued = 0 after shutdown", ok, detail)
    }

    /// `emitted` is what the case emitted.
    #[must_use]
    pub fn check_emitted(self, expected: u64) -> Self {
        let ok = self.emitted == expected;
        let detail = format!("emitted {} of {expected}", self.emitted);
        self.check(format!("emitted = {expected}"), ok, detail)
    }

    /// The receiver holds exactly the records counted sent, once each.
    #[must_use]
    pub fn check_received_sent(self) -> Self {
        let received = self.received.unwrap_or(0);
        let detail = format!("received {received}, sent {}", self.sent);
        let ok = received == self.sent;
        self.check("received = sent", ok, detail)
            .check_no_duplicates()
    }

    /// On a disk that filled up: every line counted sent is in the file,
    /// once, and besides them at most the one line the disk cut: counted
    /// failed, it may be whole but for its line break, which the next line
    /// supplies.
    #[must_use]
    pub fn check_received_cut(self) -> Self {
        let received = self.received.unwrap_or(0);
        let detail = format!("received {received}, sent {}", self.sent);
        let ok = received == self.sent || received == self.sent + 1;
        self.check("received = sent (+ the line the disk cut)", ok, detail)
            .check_no_duplicates()
    }

    #[must_use]
    pub fn check_no_duplicates(self) -> Self {
        let duplicates = self.duplicates.unwrap_or(0);
        self.check(
            "no duplicates",
            duplicates == 0,
            format!("{duplicates} duplicates"),
        )
    }

    /// No caller waited anywhere near `bound` (a generous bound).
    #[must_use]
    pub fn check_caller_max_below(self, bound: Duration) -> Self {
        let max = self.caller_max_ns.unwrap_or(0);
        self.check(
            format!("no caller waited {}", human_duration(bound)),
            u128::from(max) < bound.as_nanos(),
            format!("slowest event took {}", human_ns(max)),
        )
    }

    pub fn counters(&self) -> String {
        format!(
            "emitted {} sent {} dropped {} failed {} queued {}",
            self.emitted, self.sent, self.dropped, self.failed, self.queued
        )
    }

    /// Whether every check holds.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "case": self.case,
            "sink": self.sink,
            "emitted": self.emitted,
            "sent": self.sent,
            "dropped": self.dropped,
            "failed": self.failed,
            "queued": self.queued,
            "received": self.received,
            "duplicates": self.duplicates,
            "seconds": self.seconds,
            "caller_p99_ns": self.caller_p99_ns,
            "caller_max_ns": self.caller_max_ns,
            "peak_rss_kib": self.peak_rss_kib,
            "notes": self.notes,
            "checks": self.checks.iter().map(|c| json!({
                "what": c.what, "ok": c.ok, "detail": c.detail,
            })).collect::<Vec<_>>(),
        })
    }

    pub fn from_json(value: &Value) -> Option<Self> {
        let u = |key: &str| value[key].as_u64();
        let text = |v: &Value| v.as_str().map(str::to_owned);
        Some(Self {
            case: text(&value["case"])?,
            sink: text(&value["sink"])?,
            emitted: u("emitted")?,
            sent: u("sent")?,
            dropped: u("dropped")?,
            failed: u("failed")?,
            queued: u("queued")?,
            received: u("received"),
            duplicates: u("duplicates"),
            seconds: value["seconds"].as_f64()?,
            caller_p99_ns: u("caller_p99_ns"),
            caller_max_ns: u("caller_max_ns"),
            peak_rss_kib: u("peak_rss_kib")?,
            notes: value["notes"].as_array()?.iter().filter_map(text).collect(),
            checks: value["checks"]
                .as_array()?
                .iter()
                .filter_map(|c| {
                    Some(Check {
                        what: text(&c["what"])?,
                        ok: c["ok"].as_bool()?,
                        detail: text(&c["detail"])?,
                    })
                })
                .collect(),
        })
    }
}

/// `850 ns`, `12.3 µs`, `4.1 ms`, `2.00 s`.
pub fn human_ns(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

pub fn human_duration(d: Duration) -> String {
    human_ns(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
