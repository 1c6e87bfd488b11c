//! The HTTP layer against the real `logwood-collector`, over real TCP on
//! 127.0.0.1: round trips, batching, connections, faults, availability,
//! back-pressure, runtimes, and the delivery contract every logwood layer
//! shares. Every test ends by checking the accounting identity
//! `emitted = sent + dropped + failed + queued`.
#![allow(clippy::unwrap_used)]

mod availability;
mod backpressure;
mod batching;
#[cfg(feature = "gzip")]
mod compression;
mod delivery_contract;
mod faults;
mod round_trip;
mod runtimes;
mod support;
#[cfg(feature = "tls")]
mod tls;
