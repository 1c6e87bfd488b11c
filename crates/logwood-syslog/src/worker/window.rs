//! The RELP window: the records taken from the queue and not yet
//! acknowledged, in order, each with the transaction number it was last
//! sent under. After a reconnect every one of them is sent again.

use std::collections::VecDeque;

/// A record buffer larger than this is not kept for reuse.
const MAX_REUSED_CAPACITY: usize = 16 * 1024;

/// One record of the window.
#[derive(Debug)]
struct Entry {
    record: Vec<u8>,
    /// The transaction number it was sent under in the current session.
    txnr: u32,
    /// How many times it was sent.
    sends: u32,
}

/// Records awaiting their acknowledgement, at most `capacity` of them.
///
/// Entries before `unsent` were sent in the current session; the others
/// (new records, or all of them after a reconnect) still have to be.
#[derive(Debug)]
pub(crate) struct Window {
    entries: VecDeque<Entry>,
    unsent: usize,
    capacity: usize,
    /// Buffers of acknowledged records, for reuse.
    spare: Vec<Vec<u8>>,
}

// === impl Window ===

impl Window {
    /// A window of `capacity` records (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            // Grown on demand past this: a huge window costs nothing idle.
            entries: VecDeque::with_capacity(capacity.min(1024)),
            unsent: 0,
            capacity,
            spare: Vec::new(),
        }
    }

    /// Records in the window (sent or not).
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.entries.len() >= self.capacity
    }

    /// Records sent in the current session and not yet acknowledged.
    pub(crate) fn in_flight(&self) -> usize {
        self.unsent
    }

    /// Records still to send in the current session.
    pub(crate) fn unsent(&self) -> usize {
        self.entries.len() - self.unsent
    }

    /// Adds a record (a copy); the caller checks [`is_full`](Self::is_full).
    pub(crate) fn push(&mut self, record: &[u8]) {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(record);
        self.entries.push_back(Entry {
            record: buf,
            txnr: 0,
            sends: 0,
        });
    }

    /// Gives each record still to send to `send` with a transaction number
    /// from `txnr`, marking it sent; returns how many were sent before (and
    /// are sent again now).
    pub(crate) fn send_unsent(
        &mut self,
        mut txnr: impl FnMut() -> u32,
        mut send: impl FnMut(u32, &[u8]),
    ) -> u64 {
        let mut again = 0;
        for entry in self.entries.range_mut(self.unsent..) {
            entry.txnr = txnr();
            if entry.sends > 0 {
                again += 1;
            }
            entry.sends = entry.sends.saturating_add(1);
            send(entry.txnr, &entry.record);
        }
        self.unsent = self.entries.len();
        again
    }

    /// The acknowledgement of transaction `txnr`: removes its record.
    /// False when no record in flight was sent under that number.
    pub(crate) fn acknowledge(&mut self, txnr: u32) -> bool {
        // Answers come in order, so this is almost always the first.
        let Some(i) = self
            .entries
            .range(..self.unsent)
            .position(|e| e.txnr == txnr)
        else {
            return false;
        };
        if let Some(entry) = self.entries.remove(i) {
            self.unsent -= 1;
            self.recycle(entry.record);
        }
        true
    }

    /// After a reconnect: every record is to be sent again.
    pub(crate) fn resend_all(&mut self) {
        self.unsent = 0;
    }

    /// Removes the oldest record (given up); its length.
    pub(crate) fn give_up_oldest(&mut self) -> Option<usize> {
        let entry = self.entries.pop_front()?;
        self.unsent = self.unsent.saturating_sub(1);
        let len = entry.record.len();
        self.recycle(entry.record);
        Some(len)
    }

    /// Empties the window; returns how many records it held.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.entries.len();
        self.entries.clear();
        self.unsent = 0;
        n
    }

    fn recycle(&mut self, buf: Vec<u8>) {
        if buf.capacity() <= MAX_REUSED_CAPACITY && self.spare.len() < self.capacity {
            self.spare.push(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends what is unsent with numbers from `next`, returning what went
    /// out.
    fn send(window: &mut Window, next: &mut u32) -> (Vec<(u32, Vec<u8>)>, u64) {
        let mut out = Vec::new();
        let again = window.send_unsent(
            || {
                *next += 1;
                *next
            },
            |txnr, record| out.push((txnr, record.to_vec())),
        );
        (out, again)
    }

    #[test]
    fn acknowledged_records_leave_and_the_rest_is_sent_again_after_a_reconnect() {
        let mut w = Window::new(3);
        let mut txnr = 1;
        for r in [&b"a"[..], b"b", b"c"] {
            w.push(r);
        }
        assert!(w.is_full());
        let (out, again) = send(&mut w, &mut txnr);
        assert_eq!(
            out,
            [(2, b"a".to_vec()), (3, b"b".to_vec()), (4, b"c".to_vec())]
        );
        assert_eq!((again, w.in_flight(), w.unsent()), (0, 3, 0));
        assert!(w.acknowledge(2));
        assert!(!w.acknowledge(2), "already acknowledged");
        assert!(!w.acknowledge(9), "never sent");
        w.push(b"d");
        assert_eq!((w.in_flight(), w.unsent()), (2, 1));
        let (out, _) = send(&mut w, &mut txnr);
        assert_eq!(out, [(5, b"d".to_vec())]);

        // The session breaks: a new one numbers from 2 again.
        w.resend_all();
        let mut txnr = 1;
        let (out, again) = send(&mut w, &mut txnr);
        assert_eq!(
            out,
            [(2, b"b".to_vec()), (3, b"c".to_vec()), (4, b"d".to_vec())]
        );
        assert_eq!(again, 3);
        // Out of order is taken too.
        assert!(w.acknowledge(3));
        assert_eq!(w.give_up_oldest(), Some(1));
        assert!(w.acknowledge(4));
        assert!(w.is_empty());
        assert_eq!(w.clear(), 0);
    }
}
