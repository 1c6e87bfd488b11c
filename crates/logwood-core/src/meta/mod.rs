//! Runtime (per thread, per event) and system (per process) metadata.

mod runtime;
mod system;

pub(crate) use runtime::with_thread_members;
pub use runtime::{thread_id, thread_name};
pub(crate) use system::system_members;
pub use system::{System, system};
