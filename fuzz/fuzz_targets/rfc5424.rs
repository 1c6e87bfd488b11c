//! Any message and any fields, sent by the syslog layer as RFC 5424 over
//! UDP, parse back with the collector's RFC 5424 parser: no parse error,
//! the MSG is the message, every SD-PARAM name is a valid SD-NAME.
//!
//! ```text
//! cargo +nightly fuzz run rfc5424
//! ```

#![no_main]

use std::net::UdpSocket;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use logwood_syslog::{FlushGuard, Multiline, SyslogFormat, SyslogLayer};
use logwood_testkit::{DynValue, dispatch_dynamic_event};
use tracing_subscriber::prelude::*;

#[derive(Arbitrary, Debug)]
enum Value {
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    Str(String),
    Debug(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    message: String,
    fields: Vec<(String, Value)>,
}

struct Peer {
    server: UdpSocket,
    dispatch: tracing::Dispatch,
    _guard: FlushGuard,
}

fn peer() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        let server = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket");
        server
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        let (layer, guard) = SyslogLayer::builder()
            .udp(server.local_addr().expect("an address"))
            .format(SyslogFormat::Rfc5424)
            .multiline(Multiline::KeepNewlines)
            .max_message_size(65_000)
            .drop_extra_events(false)
            .log_internal_errors(false)
            .build()
            .expect("the layer builds");
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        Peer {
            server,
            dispatch,
            _guard: guard,
        }
    })
}

fuzz_target!(|input: Input| {
    let peer = peer();
    let mut fields: Vec<(&str, DynValue)> = input
        .fields
        .iter()
        .take(16)
        .filter(|(name, _)| name != "message" && name != "msgid")
        .map(|(name, value)| {
            let value = match value {
                Value::U64(v) => DynValue::U64(*v),
                Value::I64(v) => DynValue::I64(*v),
                Value::F64(v) => DynValue::F64(*v),
                Value::Bool(v) => DynValue::Bool(*v),
                Value::Str(v) => DynValue::Str(v.clone()),
                Value::Debug(v) => DynValue::Debug(v.clone()),
            };
            (name.as_str(), value)
        })
        .collect();
    // Keep the datagram within the size limit, so it is never cut.
    if input.message.len() + fields.iter().map(|(n, _)| n.len() + 64).sum::<usize>() > 30_000 {
        return;
    }
    fields.push(("message", DynValue::Str(input.message.clone())));
    tracing::dispatcher::with_default(&peer.dispatch, || dispatch_dynamic_event(&fields));
    let mut buf = vec![0; 70_000];
    let n = peer.server.recv(&mut buf).expect("the record arrives");
    let parsed = logwood_collector::parse_syslog(&buf[..n]);
    assert_eq!(parsed["format"], "rfc5424", "{parsed}");
    assert!(parsed["error"].is_null(), "{parsed}");
    let msg = parsed["msg"].as_str().unwrap_or("");
    // A message starting with a BOM is taken as the RFC's BOM by receivers,
    // and the parser drops trailing line ends and NULs (as rsyslog does).
    let expected = input
        .message
        .strip_prefix('\u{feff}')
        .unwrap_or(&input.message);
    let expected = expected.trim_end_matches(['\n', '\r', '\0']);
    assert_eq!(msg, expected, "{parsed}");
    if let Some(sd) = parsed["sd"].as_object() {
        for (id, params) in sd {
            assert!(!id.is_empty() && id.len() <= 32, "{id}");
            for name in params.as_object().map(|p| p.keys()).into_iter().flatten() {
                assert!(
                    (1..=32).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| (33..=126).contains(&b) && !b"=]\"".contains(&b)),
                    "{name:?}"
                );
            }
        }
    }
});
