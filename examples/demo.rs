//! logwood's demo: a small instrumented shop whose logs go through every
//! layer at once, each into a receiver the demo starts itself, set up with
//! one `logwood::builder()` call.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! - **stdout**: JSON lines (`JsonLayer`), with nested span context, the
//!   static context (`service.name`, `deploy.env`) and runtime / system
//!   metadata, at `info` and above.
//! - **file**: Python `logging` lines (`PatternLayer`) in a size-rotating
//!   file (`RotatingFileWriter`, `shop.log`, `shop.log.1`, …) in a temporary
//!   directory, at `debug` and above.
//! - **syslog**: RFC 5424 over octet-counted TCP (`SyslogLayer`), its
//!   message text in Papertrail's Python format, warnings and errors only;
//!   a multi-line message becomes one record per line, each with the
//!   context.
//! - **HTTP**: Timber-style msgpack batches (`HttpLayer`) with a bearer
//!   token, everything.
//! - **OTLP**: OpenTelemetry log records over OTLP/HTTP (`OtlpLayer`,
//!   protobuf), the context flattened to dotted attributes, the resource
//!   with `service.name` (from the static context) and a resource
//!   attribute, `info` and above. A program sets the same with
//!   `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
//!   `OTEL_RESOURCE_ATTRIBUTES` and `LOGWOOD_OTLP_LEVEL`.
//!
//! Syslog, HTTP and OTLP go to a `logwood-collector` started in-process on
//! 127.0.0.1 (ports picked by the system). At the end the demo prints what
//! each receiver got and each layer's counters.

use std::error::Error;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use logwood::{FileFormat, Stdout};
use logwood_collector::{Collector, Output};

/// The shop: nested `#[instrument]` spans with dotted fields.
mod shop {
    use super::PaymentError;

    #[tracing::instrument(skip_all, fields(request.id = %request_id, user.id = user_id))]
    pub(crate) fn handle_request(request_id: &str, user_id: u64, total: f64) {
        tracing::info!(
            http.method = "POST",
            http.path = "/orders",
            "request received"
        );
        checkout::place_order(1234 + user_id, total);
        tracing::info!(http.status = 201, "request done");
    }

    pub(crate) mod checkout {
        use super::PaymentError;

        #[tracing::instrument(skip_all, fields(order.id = order_id, order.total = total))]
        pub(crate) fn place_order(order_id: u64, total: f64) {
            tracing::debug!(sku = "A-17", "reserving stock");
            // A multi-line message: one record per line in syslog, each
            // with the context (`request.id`).
            tracing::warn!(
                warehouse = "east",
                "stock low:\n  A-17: 2 left\n  B-02: 1 left"
            );
            // A dependency that logs with the `log` crate: bridged into
            // `tracing`, with its real file, line and target.
            log::info!(target: "payments::gateway", "calling the payment gateway");
            match charge(total) {
                Ok(()) => tracing::info!(
                    "Order #{order_id} placed, receipt:\n  1 x kettle  {total:.2}\n  total       {total:.2}"
                ),
                Err(e) => {
                    tracing::error!(error = &e as &dyn std::error::Error, "payment failed")
                }
            }
        }

        fn charge(total: f64) -> Result<(), PaymentError> {
            if total > 500.0 {
                return Err(PaymentError {
                    source: std::io::Error::other("card declined: over limit"),
                });
            }
            Ok(())
        }
    }
}

/// An error with a cause, as payment libraries return them.
#[derive(Debug)]
struct PaymentError {
    source: std::io::Error,
}

impl fmt::Display for PaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the payment was refused")
    }
}

impl Error for PaymentError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let start = Instant::now();

    // The receivers: an HTTP ingest endpoint (frames and OTLP's
    // `/v1/logs`, bearer token) and a syslog TCP listener, on 127.0.0.1,
    // any free ports; a temporary directory.
    let collector = Collector::builder()
        .token("demo-token")
        .out(Output::Memory)
        .syslog_tcp("127.0.0.1:0")
        .start()?;
    let syslog_addr = collector
        .syslog_tcp_addr()
        .ok_or("the collector has no syslog listener")?;
    let dir = std::env::temp_dir().join(format!("logwood-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    // Every layer, in one call. (`read_env(false)`: the demo sends to its
    // own receivers whatever LOGWOOD_* variables the shell has; a program
    // would leave it out, so that the environment can redirect its logs.)
    let guard = logwood::builder()
        .read_env(false)
        .level("debug")
        .context_field("service.name", "shop")
        .context_field("deploy.env", "demo")
        .stdout(Stdout::Json)
        .stdout_level("info")
        .pattern("%(asctime)s %(levelname)-7s [%(name)s] %(funcName)s: %(message)s")
        .file(dir.join("shop.log"))
        .file_format(FileFormat::Pattern)
        .file_max_bytes(1024)
        .file_backup_count(2)
        .syslog(format!("tcp://{syslog_addr}"))
        .syslog_app_name("shop")
        .syslog_pattern("%(name)s[%(process)d]: %(levelname)s %(message)s")
        .syslog_level("warn")
        .http(collector.frames_url())
        .http_token("demo-token")
        // The collector's base URL: `/v1/logs` is appended.
        .otlp(collector.http_url())
        .otlp_header("authorization", "Bearer demo-token")
        .otlp_resource_attribute("deployment.environment", "demo")
        .otlp_level("info")
        .flush_interval(Duration::from_millis(200))
        .try_init()?;

    tracing::info!("shop starting");
    shop::handle_request("req-7f3a", 42, 120.00);
    shop::handle_request("req-9c1e", 7, 520.23);
    tracing::info!("shop stopping");

    // Deliver what the buffered sinks hold, and read what arrived.
    let stats = guard.shutdown(Duration::from_secs(5));
    let count = |sink: &str| stats.get(sink).map_or(0, |s| s.sent as usize);
    let records = collector.wait_for_records(count("http"), Duration::from_secs(5))?;
    let syslog = collector.wait_for_syslog_messages(count("syslog"), Duration::from_secs(5))?;
    let otlp = collector.wait_for_otlp_records(count("otlp"), Duration::from_secs(5))?;
    let collector_stats = collector.shutdown();

    println!();
    println!("=== what each receiver got ===");
    println!();
    println!(
        "stdout (JsonLayer, info and above): the {} JSON lines above",
        count("stdout")
    );
    println!();
    print_files(&dir)?;
    println!();
    println!(
        "syslog (SyslogLayer, RFC 5424 over TCP, warn and above): the collector parsed {} messages",
        syslog.len()
    );
    for message in &syslog {
        println!(
            "  {} {} {} | {} | {}",
            message["severity"],
            message["app_name"].as_str().unwrap_or("-"),
            message["procid"].as_str().unwrap_or("-"),
            message["sd"],
            message["msg"].as_str().unwrap_or_default()
        );
    }
    println!();
    println!(
        "http (HttpLayer, msgpack batches, debug and above): the collector got {} records in {} batch(es)",
        collector_stats.records, collector_stats.batches
    );
    for record in &records {
        println!(
            "  {} {:<5} {} | context: {}",
            record["dt"].as_str().unwrap_or_default(),
            record["level"].as_str().unwrap_or_default(),
            record["message"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', "\\n"),
            compact_context(&record["context"])
        );
    }
    println!();
    print_otlp(&otlp, &collector_stats);
    println!();
    println!("=== each layer's counters ===");
    println!("{stats}");
    println!();
    println!(
        "demo: done in {} ms; the files are in {}",
        start.elapsed().as_millis(),
        dir.display()
    );
    Ok(())
}

/// Prints the rotating file's names, sizes and lines (oldest first).
fn print_files(dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    // shop.log.2, shop.log.1, shop.log: oldest first.
    names.sort_by_key(|name| std::cmp::Reverse(name.clone()));
    println!(
        "file (PatternLayer into RotatingFileWriter, debug and above, rolled over at 1024 bytes): {}",
        dir.display()
    );
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name))?;
        println!("  {name} ({} bytes):", text.len());
        for line in text.lines() {
            println!("    {line}");
        }
    }
    Ok(())
}

/// Prints the OTLP log records the collector got: the resource once, then
/// one line per record.
fn print_otlp(records: &[serde_json::Value], stats: &logwood_collector::Stats) {
    println!(
        "otlp (OtlpLayer, OTLP/HTTP protobuf, info and above): the collector got {} log records in {} request(s)",
        stats.otlp_records, stats.otlp_requests
    );
    if let Some(first) = records.first() {
        println!("  resource: {}", first["resource"]);
    }
    for record in records {
        println!(
            "  {:<5} ({}) [{}] {} | attributes: {}",
            record["severityText"].as_str().unwrap_or_default(),
            record["severityNumber"],
            record["scope"]["name"].as_str().unwrap_or_default(),
            record["body"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', "\\n"),
            compact_attributes(&record["attributes"])
        );
    }
}

/// The attributes without the runtime metadata (`code.*`, `thread.*`),
/// for one line.
fn compact_attributes(attributes: &serde_json::Value) -> String {
    let mut attributes = attributes.clone();
    if let Some(map) = attributes.as_object_mut() {
        map.retain(|key, _| !key.starts_with("code.") && !key.starts_with("thread."));
    }
    attributes.to_string()
}

/// The context without the runtime and system metadata, for one line.
fn compact_context(context: &serde_json::Value) -> String {
    let mut context = context.clone();
    if let Some(map) = context.as_object_mut() {
        map.remove("runtime");
        map.remove("system");
    }
    context.to_string()
}
