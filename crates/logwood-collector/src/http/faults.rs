//! Fault injection: which answer each batch (a frames batch or an OTLP logs
//! request; one count for both) gets.

use std::num::NonZeroU64;
use std::time::Duration;

/// The configured faults.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultPlan {
    pub(crate) fail_first: u64,
    pub(crate) fail_status: u16,
    pub(crate) sequence: Vec<u16>,
    pub(crate) drop_every: Option<NonZeroU64>,
    /// Whole seconds for `Retry-After` on 429 and 503 fault answers.
    pub(crate) retry_after: Option<u64>,
    pub(crate) delay: Duration,
    /// OTLP log records to refuse at the end of each accepted request.
    pub(crate) otlp_reject: u64,
}

/// Batches seen so far.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    /// Every batch.
    batches: u64,
    /// Batches not dropped: the index into the fault statuses.
    answered: u64,
}

/// What to do with one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Close the connection without an answer.
    Drop,
    /// Answer this status and write nothing.
    Fail(u16),
    /// Decode, write and answer this (2xx) status, or the endpoint's normal
    /// one (`None`).
    Accept(Option<u16>),
}

// === impl FaultPlan ===

impl FaultPlan {
    /// Decides the next batch's fate and advances `state`.
    pub(crate) fn decide(&self, state: &mut FaultState) -> Decision {
        state.batches += 1;
        if self
            .drop_every
            .is_some_and(|n| state.batches.is_multiple_of(n.get()))
        {
            return Decision::Drop;
        }
        state.answered += 1;
        let index = state.answered;
        if index <= self.fail_first {
            return Decision::Fail(self.fail_status);
        }
        let in_sequence = usize::try_from(index - self.fail_first - 1)
            .ok()
            .and_then(|i| self.sequence.get(i).copied());
        match in_sequence {
            Some(status) if (200..300).contains(&status) => Decision::Accept(Some(status)),
            Some(status) => Decision::Fail(status),
            None => Decision::Accept(None),
        }
    }

    /// The `Retry-After` value for an answer with `status`, if any.
    pub(crate) fn retry_after_for(&self, status: u16) -> Option<u64> {
        self.retry_after.filter(|_| matches!(status, 429 | 503))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(plan: &FaultPlan, n: usize) -> Vec<Decision> {
        let mut state = FaultState::default();
        (0..n).map(|_| plan.decide(&mut state)).collect()
    }

    #[test]
    fn fail_first_then_sequence_then_accept() {
        let plan = FaultPlan {
            fail_first: 2,
            fail_status: 500,
            sequence: vec![429, 200, 503],
            ..FaultPlan::default()
        };
        use Decision::*;
        assert_eq!(
            run(&plan, 7),
            [
                Fail(500),
                Fail(500),
                Fail(429),
                Accept(Some(200)),
                Fail(503),
                Accept(None),
                Accept(None)
            ]
        );
    }

    #[test]
    fn every_nth_batch_is_dropped_without_using_up_a_fault() {
        let plan = FaultPlan {
            fail_first: 1,
            fail_status: 503,
            drop_every: NonZeroU64::new(2),
            ..FaultPlan::default()
        };
        use Decision::*;
        assert_eq!(
            run(&plan, 5),
            [Fail(503), Drop, Accept(None), Drop, Accept(None)]
        );
    }

    #[test]
    fn retry_after_only_on_429_and_503() {
        let plan = FaultPlan {
            retry_after: Some(2),
            ..FaultPlan::default()
        };
        assert_eq!(plan.retry_after_for(503), Some(2));
        assert_eq!(plan.retry_after_for(429), Some(2));
        assert_eq!(plan.retry_after_for(500), None);
    }
}
