//! [`Track`]: what one open HTTP connection is doing, for its timeouts and
//! for choosing which connection to close when there are too many.

use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::settings::Limits;
use crate::stats::Closed;

/// Shared by a connection's task, its socket wrapper, its requests and the
/// registry of open connections.
#[derive(Debug)]
pub(crate) struct Track {
    state: Mutex<State>,
    /// Wakes the connection's task when its deadline may have moved or it
    /// was asked to close. (`notify_one` keeps a permit: no wake-up is lost.)
    wake: Notify,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// When the phase began (for `Head`: when the connection opened or the
    /// first byte of the request arrived).
    since: Instant,
    /// Asked to close to make room for a new connection.
    evict: bool,
    /// Closing (its task decided so): never counted or chosen again.
    closing: bool,
}

/// Where a connection is in its request cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for (the rest of) a request head.
    Head,
    /// A request is being served: its body read, handled, answered.
    Request,
    /// Kept alive between requests, nothing received yet.
    Idle,
}

// === impl Track ===

impl Track {
    /// A connection just opened: waiting for its first request head.
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                phase: Phase::Head,
                since: Instant::now(),
                evict: false,
                closing: false,
            }),
            wake: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes arrived: an idle connection starts a request head (and its
    /// header timeout).
    pub(crate) fn bytes_read(&self) {
        let mut state = self.lock();
        if state.phase == Phase::Idle {
            state.phase = Phase::Head;
            state.since = Instant::now();
            drop(state);
            self.wake.notify_one();
        }
    }

    /// A request head is complete and the request is being served until the
    /// returned guard is dropped; then the connection is idle.
    pub(crate) fn serve_request(&self) -> Serving<'_> {
        let mut state = self.lock();
        state.phase = Phase::Request;
        state.since = Instant::now();
        Serving { track: self }
    }

    /// When the current phase runs out and what closes the connection then;
    /// `None` while a request is served (its body has its own timeout).
    pub(crate) fn deadline(&self, limits: &Limits) -> Option<(Instant, Closed)> {
        let state = self.lock();
        match state.phase {
            Phase::Head => Some((state.since + limits.header_timeout, Closed::HeaderTimeout)),
            Phase::Idle => Some((state.since + limits.idle_timeout, Closed::Idle)),
            Phase::Request => None,
        }
    }

    /// Whether the connection has run out of time at `now`, and why; if so,
    /// it is closing from then on.
    pub(crate) fn expired(&self, limits: &Limits, now: Instant) -> Option<Closed> {
        let why = self
            .deadline(limits)
            .filter(|(at, _)| now >= *at)
            .map(|(_, why)| why)?;
        self.lock().closing = true;
        Some(why)
    }

    /// Since when the connection has waited for a request, or `None` when it
    /// is serving one, was asked to close, or is closing.
    pub(crate) fn waiting_since(&self) -> Option<Instant> {
        let state = self.lock();
        (state.phase != Phase::Request && !state.evict && !state.closing).then_some(state.since)
    }

    /// Whether the connection was asked to close or is closing (it no longer
    /// counts against the limit).
    pub(crate) fn is_leaving(&self) -> bool {
        let state = self.lock();
        state.evict || state.closing
    }

    /// Asks the connection to close, if it is waiting for a request; returns
    /// whether it was asked.
    pub(crate) fn evict(&self) -> bool {
        let mut state = self.lock();
        if state.phase == Phase::Request || state.evict || state.closing {
            return false;
        }
        state.evict = true;
        drop(state);
        self.wake.notify_one();
        true
    }

    /// Whether the connection should close now because it was asked to make
    /// room; if so, it is closing from then on. A request that started in the
    /// meantime cancels the request.
    pub(crate) fn close_for_room(&self) -> bool {
        let mut state = self.lock();
        if !std::mem::take(&mut state.evict) {
            return false;
        }
        if state.phase == Phase::Request {
            return false;
        }
        state.closing = true;
        true
    }

    /// Resolves when the phase changed to one with a deadline, or the
    /// connection was asked to close.
    pub(crate) async fn changed(&self) {
        self.wake.notified().await;
    }
}

/// A request being served; dropping it makes the connection idle.
#[derive(Debug)]
pub(crate) struct Serving<'a> {
    track: &'a Track,
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        let mut state = self.track.lock();
        state.phase = Phase::Idle;
        state.since = Instant::now();
        drop(state);
        self.track.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;
    use std::time::Duration;

    use super::*;

    fn limits() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: NonZeroUsize::MIN,
        }
    }

    #[test]
    fn a_new_connection_has_the_header_deadline() {
        let track = Track::new();
        let (at, why) = track.deadline(&limits()).unwrap();
        assert_eq!(why, Closed::HeaderTimeout);
        assert!(at > Instant::now() + Duration::from_secs(9));
        assert_eq!(track.expired(&limits(), at), Some(Closed::HeaderTimeout));
        assert_eq!(track.expired(&limits(), Instant::now()), None);
    }

    #[test]
    fn a_request_has_no_deadline_and_leaves_the_connection_idle() {
        let track = Track::new();
        let serving = track.serve_request();
        assert_eq!(track.deadline(&limits()), None);
        assert_eq!(track.waiting_since(), None);
        drop(serving);
        assert_eq!(track.deadline(&limits()).unwrap().1, Closed::Idle);
        track.bytes_read();
        assert_eq!(track.deadline(&limits()).unwrap().1, Closed::HeaderTimeout);
    }

    #[test]
    fn only_a_waiting_connection_can_be_evicted() {
        let track = Track::new();
        let serving = track.serve_request();
        assert!(!track.evict());
        drop(serving);
        assert!(track.evict());
        assert!(track.is_leaving());
        assert_eq!(track.waiting_since(), None, "not chosen twice");
        assert!(!track.evict());
        assert!(track.close_for_room());
        // Closing: never counted or chosen again.
        assert!(track.is_leaving());
        assert_eq!(track.waiting_since(), None);
        assert!(!track.evict());
    }

    #[test]
    fn an_expired_connection_is_closing() {
        let track = Track::new();
        let (at, _) = track.deadline(&limits()).unwrap();
        assert!(!track.is_leaving());
        assert_eq!(track.expired(&limits(), at), Some(Closed::HeaderTimeout));
        assert!(track.is_leaving());
        assert!(!track.evict());
    }

    #[test]
    fn a_request_started_after_eviction_cancels_it() {
        let track = Track::new();
        assert!(track.evict());
        let _serving = track.serve_request();
        assert!(!track.close_for_room());
        assert!(!track.is_leaving());
    }
}
