//! Integration tests of the collector over real TCP and UDP on 127.0.0.1.
//!
//! The modules are `cfg(test)` so that clippy treats their helpers as test
//! code (`allow-unwrap-in-tests`).

#[cfg(test)]
mod binary;
#[cfg(test)]
mod http_faults;
#[cfg(test)]
mod http_hostile;
#[cfg(test)]
mod http_ingest;
#[cfg(test)]
mod http_limits;
#[cfg(test)]
mod otlp;
#[cfg(test)]
mod otlp_sdk;
#[cfg(test)]
mod support;
#[cfg(test)]
mod syslog;
