//! Runs the fixed workload N times under one subscriber, for instruction
//! counts with callgrind (run with N and 6N and subtract; see
//! `docs/benchmarks.md`).
//!
//! ```text
//! event-loop <registry|fmt_json|json_subscriber|logwood_json> <event|request> <N>
//! ```

#[path = "support/mod.rs"]
mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: event-loop <subscriber> <event|request> <N>";
    let (Some(name), Some(kind), Some(n)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("{usage}: N must be a number");
        std::process::exit(2);
    };
    let Some((_, make)) = support::json_peers()
        .into_iter()
        .find(|(peer, _)| peer == name)
    else {
        eprintln!("{usage}: unknown subscriber {name}");
        std::process::exit(2);
    };
    tracing::dispatcher::with_default(&make(), || match kind.as_str() {
        "event" => support::in_spans(|| (0..n).for_each(|_| support::event())),
        "request" => (0..n).for_each(|_| support::request()),
        _ => {
            eprintln!("{usage}: unknown workload {kind}");
            std::process::exit(2);
        }
    });
}
