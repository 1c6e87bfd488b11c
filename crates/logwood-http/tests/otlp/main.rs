//! The OTLP layer against the real `logwood-collector` over TCP, and every
//! body decoded with `opentelemetry-proto`'s generated types. Every test
//! checks the accounting identity `emitted = sent + dropped + failed + queued`.
#![allow(clippy::unwrap_used)]

mod bodies;
mod delivery;
mod faults;
mod keys;
mod support;
