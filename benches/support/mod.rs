//! The fixed workload of every layer benchmark, and the subscribers compared.

#![allow(dead_code, unreachable_pub)]

use std::io;

use tracing::Dispatch;
use tracing_subscriber::prelude::*;

/// The spans of one request: `request` > `handler` > `db`.
pub fn spans() -> [tracing::Span; 3] {
    let request = tracing::info_span!(
        "request",
        method = "GET",
        path = "/orders/1234",
        request_id = 7_u64
    );
    let handler =
        tracing::info_span!(parent: &request, "handler", user_id = 42_u64, tenant = "acme");
    let db = tracing::info_span!(parent: &handler, "db", table = "orders", rows = 3_u64);
    [request, handler, db]
}

/// The event of the workload.
#[inline]
pub fn event() {
    tracing::info!(
        order_id = 1234_u64,
        total = 520.23,
        currency = "USD",
        paid = true,
        items = ?vec![1, 2, 3],
        "Order placed"
    );
}

/// One whole request: create, enter, event, exit, close.
#[inline]
pub fn request() {
    let [request, handler, db] = spans();
    let _r = request.enter();
    let _h = handler.enter();
    let _d = db.enter();
    event();
}

/// Calls `f` with the workload's spans entered.
pub fn in_spans<R>(f: impl FnOnce() -> R) -> R {
    let [request, handler, db] = spans();
    let _r = request.enter();
    let _h = handler.enter();
    let _d = db.enter();
    f()
}

/// The registry alone (the floor).
pub fn registry() -> Dispatch {
    Dispatch::new(tracing_subscriber::registry())
}

/// tracing-subscriber's `fmt().json()` with current span, span list and
/// flattened event fields.
pub fn fmt_json() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .flatten_event(true)
                .with_writer(io::sink),
        ),
    )
}

/// json-subscriber with the same options.
pub fn json_subscriber() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(
            json_subscriber::fmt::layer()
                .with_current_span(true)
                .with_span_list(true)
                .flatten_event(true)
                .with_writer(io::sink),
        ),
    )
}

/// logwood's JSON layer (runtime and system metadata on, as by default).
pub fn logwood_json() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(
            logwood::json::JsonLayer::builder()
                .with_writer(io::sink)
                .build(),
        ),
    )
}

/// The long format Logtail publishes a log-collector expression for.
pub const LONG_LOGTAIL: &str = "%(asctime)s - %(filename)s:%(lineno)s - %(levelno)s %(levelname)s %(pathname)s %(module)s %(funcName)s %(created)f %(thread)d %(threadName)s %(process)d %(name)s - %(message)s";

/// logwood's pattern layer with the long Logtail format (local time).
pub fn logwood_pattern() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(
            logwood::json::PatternLayer::builder(LONG_LOGTAIL)
                .with_writer(io::sink)
                .build()
                .expect("the Logtail format is a valid pattern"),
        ),
    )
}

/// Makes one of the compared subscribers.
pub type MakeDispatch = fn() -> Dispatch;

/// The subscribers of the JSON comparison, by name.
pub fn json_peers() -> Vec<(&'static str, MakeDispatch)> {
    vec![
        ("registry", registry as MakeDispatch),
        ("fmt_json", fmt_json),
        ("json_subscriber", json_subscriber),
        ("logwood_json", logwood_json),
    ]
}
