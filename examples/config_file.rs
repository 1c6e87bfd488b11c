//! `logwood::init()` from a TOML file: `examples/logwood.toml` (or the file
//! `LOGWOOD_CONFIG` names): JSON on stdout at `info`, Python-pattern lines
//! in a rotating file at `debug`, `config_file::db` quieted to `warn`, the
//! same static context everywhere.
//!
//! ```text
//! cargo run --example config_file
//! LOGWOOD_STDOUT_LEVEL=warn cargo run --example config_file   # a variable wins over the file
//! ```

use std::time::Duration;

mod db {
    pub(crate) fn load_user(id: u64) -> String {
        tracing::debug!("SELECT name FROM users WHERE id = $1"); // below `warn` for this target
        tracing::warn!(elapsed_ms = 812, "slow query");
        format!("user-{id}")
    }
}

#[tracing::instrument(fields(request.id = "r-1", user.id = user_id))]
fn handle(user_id: u64) {
    let name = db::load_user(user_id);
    tracing::debug!(%name, "loaded");
    tracing::info!("Order #1234 placed");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("target/config_file")?;
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/logwood.toml");
    // `config_file` is the default: LOGWOOD_CONFIG, if set, names another.
    let guard = logwood::builder().config_file(config).try_init()?;

    handle(42);

    let stats = guard.shutdown(Duration::from_secs(5));
    eprintln!("{stats}");
    let file = std::fs::read_to_string("target/config_file/app.log")?;
    eprintln!("target/config_file/app.log ends with:");
    for line in file
        .lines()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        eprintln!("  {line}");
    }
    Ok(())
}
