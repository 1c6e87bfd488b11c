//! [`Registry`]: the open HTTP connections, and which one to close when a
//! new one needs room.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;

use super::track::Track;

/// Every open connection's [`Track`], by connection id.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    open: Mutex<HashMap<u64, Arc<Track>>>,
    /// Woken whenever a connection ends.
    ended: Notify,
}

/// What [`Registry::make_room`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Room {
    /// There is room already.
    Free,
    /// The connection that waited longest for a request was asked to close.
    Evicted,
    /// Every open connection is serving a request: none can be closed.
    Full,
}

// === impl Registry ===

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Track>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn insert(&self, id: u64, track: Arc<Track>) {
        self.lock().insert(id, track);
    }

    pub(crate) fn remove(&self, id: u64) {
        self.lock().remove(&id);
        self.ended.notify_waiters();
    }

    /// Makes room for one more connection under `max`: connections already
    /// closing do not count; when the rest reach `max`, the one that
    /// has waited longest for a request (idle, or with a partial head) is
    /// asked to close. A connection serving a request is never chosen.
    pub(crate) fn make_room(&self, max: usize) -> Room {
        let open = self.lock();
        let live = open.values().filter(|t| !t.is_leaving()).count();
        if live < max {
            return Room::Free;
        }
        Self::evict_oldest(&open)
    }

    /// Asks the connection that has waited longest for a request to close
    /// (to free its file descriptor), then waits until some connection ends,
    /// at most `wait`. Returns whether one was asked.
    pub(crate) async fn evict_one(&self, wait: Duration) -> bool {
        let mut ended = pin!(self.ended.notified());
        ended.as_mut().enable();
        let evicted = Self::evict_oldest(&self.lock()) == Room::Evicted;
        tokio::time::timeout(wait, ended).await.ok();
        evicted
    }

    fn evict_oldest(open: &HashMap<u64, Arc<Track>>) -> Room {
        let oldest = open
            .values()
            .filter_map(|t| t.waiting_since().map(|since| (since, t)))
            .min_by_key(|(since, _)| *since);
        match oldest {
            Some((_, track)) if track.evict() => Room::Evicted,
            // It started a request in between: let the caller try again.
            Some(_) => Room::Free,
            None => Room::Full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_waiting_longest_is_evicted_never_one_serving_a_request() {
        let registry = Registry::default();
        let tracks: Vec<Arc<Track>> = (0..3).map(|_| Arc::new(Track::new())).collect();
        for (id, track) in tracks.iter().enumerate() {
            registry.insert(id as u64, Arc::clone(track));
            std::thread::sleep(Duration::from_millis(2));
        }
        let _serving = tracks[0].serve_request();
        assert_eq!(registry.make_room(4), Room::Free);
        assert_eq!(registry.make_room(3), Room::Evicted);
        assert!(tracks[1].is_leaving(), "the oldest waiting one");
        assert!(!tracks[0].is_leaving() && !tracks[2].is_leaving());
        // The evicted one no longer counts.
        assert_eq!(registry.make_room(3), Room::Free);
        assert_eq!(registry.make_room(2), Room::Evicted);
        assert!(tracks[2].is_leaving());
        // Closing, but not yet out of the registry: still not counted.
        assert!(tracks[2].close_for_room());
        assert_eq!(registry.make_room(2), Room::Free);
        assert_eq!(registry.make_room(1), Room::Full);
    }
}
