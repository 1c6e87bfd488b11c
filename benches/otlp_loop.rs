//! Runs the fixed workload's event N times under an OTLP subscriber posting
//! to a collector in another process, then shuts the subscriber down (every
//! record delivered or counted), for instruction counts with callgrind on
//! every thread (`--separate-threads=yes`; run with N and 6N and subtract;
//! see `docs/benchmarks.md` and `scripts/bench-otlp-instructions`).
//!
//! ```text
//! otlp-loop <logwood|logwood_json|otel> <N> <collector base URL>
//! ```
//!
//! logwood runs in blocking mode (`drop_extra_events(false)`): nothing is
//! dropped, so every event is a delivered record. The SDK path runs with
//! its defaults; what it delivered is read from the collector's `/stats`.

use std::time::Duration;

use logwood::otlp::OtlpProtocol;

#[path = "support/otlp.rs"]
mod otlp;
#[path = "support/mod.rs"]
mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: otlp-loop <logwood|logwood_json|otel> <N> <collector base URL>";
    let (Some(name), Some(n), Some(base)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("{usage}: N must be a number");
        std::process::exit(2);
    };
    match name.as_str() {
        "logwood" | "logwood_json" => {
            let protocol = if name == "logwood" {
                OtlpProtocol::Protobuf
            } else {
                OtlpProtocol::Json
            };
            let (dispatch, guard) = otlp::logwood(base, protocol, true);
            tracing::dispatcher::with_default(&dispatch, || {
                support::in_spans(|| (0..n).for_each(|_| support::event()))
            });
            let stats = guard.shutdown(Duration::from_secs(600));
            println!("{name}: {stats:?}");
        }
        "otel" => {
            let (dispatch, provider) = otlp::otel(base);
            tracing::dispatcher::with_default(&dispatch, || {
                support::in_spans(|| (0..n).for_each(|_| support::event()))
            });
            provider.shutdown().ok();
            println!("otel: shut down");
        }
        _ => {
            eprintln!("{usage}: unknown subscriber {name}");
            std::process::exit(2);
        }
    }
}
