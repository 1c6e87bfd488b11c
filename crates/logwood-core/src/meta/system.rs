//! Per-process metadata, computed once.

use std::sync::OnceLock;

use crate::encode::{Format, Members, SLOTS};
use crate::value::{Map, Value};

/// The process's system metadata.
#[derive(Debug)]
pub struct System {
    /// The process id.
    pub pid: u32,
    /// The executable's file name.
    pub process_name: String,
    /// The host name.
    pub hostname: String,
    members: [OnceLock<Members>; SLOTS],
}

static SYSTEM: OnceLock<System> = OnceLock::new();

/// The process's system metadata (computed on first use).
pub fn system() -> &'static System {
    SYSTEM.get_or_init(|| System {
        pid: std::process::id(),
        process_name: std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
            .or_else(|| std::env::args().next())
            .unwrap_or_else(|| "unknown".into()),
        hostname: gethostname::gethostname().to_string_lossy().into_owned(),
        members: Default::default(),
    })
}

/// `"system":{"pid":…,"process_name":…,"hostname":…}` encoded with `F`.
pub(crate) fn system_members<F: Format>() -> &'static Members {
    let sys = system();
    sys.members[F::SLOT].get_or_init(|| {
        let mut inner = Map::new();
        inner.insert_dotted("pid", Value::U64(sys.pid.into()));
        inner.insert_dotted("process_name", Value::Str(sys.process_name.as_str().into()));
        inner.insert_dotted("hostname", Value::Str(sys.hostname.as_str().into()));
        let mut outer = Map::new();
        outer.insert_raw("system", Value::Map(Box::new(inner)));
        F::members(&outer)
    })
}
