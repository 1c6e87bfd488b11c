//! Runtime (per thread, per event) and system (per process) metadata.

mod runtime;
mod system;

pub use runtime::{thread_id, thread_name, with_thread_members};
pub use system::{System, system, system_members};
