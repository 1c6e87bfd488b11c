//! Per-thread metadata, computed once per thread.

use std::cell::OnceCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::encode::{Format, Members, SLOTS};
use crate::value::{Map, Value};

struct ThreadInfo {
    id: u64,
    name: Option<Box<str>>,
    members: [OnceCell<Members>; SLOTS],
}

/// The OS thread id (Linux `gettid`), read without `unsafe` from
/// `/proc/thread-self`; elsewhere a process-unique number.
fn os_thread_id() -> u64 {
    static FALLBACK: AtomicU64 = AtomicU64::new(1);
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .unwrap_or_else(|| FALLBACK.fetch_add(1, Ordering::Relaxed))
}

thread_local! {
    static THREAD: ThreadInfo = ThreadInfo {
        id: os_thread_id(),
        name: std::thread::current().name().map(Into::into),
        members: Default::default(),
    };
}

/// The current thread's OS id.
pub fn thread_id() -> u64 {
    THREAD.try_with(|t| t.id).unwrap_or(0)
}

/// Calls `f` with the current thread's name (`None` for unnamed threads).
pub fn thread_name<R>(mut f: impl FnMut(Option<&str>) -> R) -> R {
    THREAD
        .try_with(|t| f(t.name.as_deref()))
        .unwrap_or_else(|_| f(None))
}

/// Calls `f` with `"thread_id":"…","thread_name":"…"` encoded with `F`
/// (the name left out for unnamed threads), cached per thread.
pub(crate) fn with_thread_members<F: Format, R>(mut f: impl FnMut(&Members) -> R) -> R {
    THREAD
        .try_with(|t| {
            f(t.members[F::SLOT].get_or_init(|| {
                let mut map = Map::new();
                map.insert_dotted("thread_id", Value::Str(t.id.to_string().into()));
                if let Some(name) = &t.name {
                    map.insert_dotted("thread_name", Value::Str(name.as_ref().into()));
                }
                F::members(&map)
            }))
        })
        // During thread teardown the cache is gone: write nothing.
        .unwrap_or_else(|_| f(&Members::default()))
}
