//! RELP's delivery contract against the real rsyslogd (imrelp) and against
//! scripted RELP servers on 127.0.0.1: `sent` counts acknowledged records
//! only, a server that never answers keeps records `queued` until they fail
//! at the shutdown deadline, a refused record fails alone, and a broken
//! session is made again with the unacknowledged records sent again.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use logwood_syslog::{DEFAULT_RELP_WINDOW, ErrorKind, SyslogLayer};
use logwood_testkit::rsyslog::Rsyslog;
use support::{Via, WAIT, assert_accounted, marker, run};
use tracing_subscriber::prelude::*;

/// What imrelp answers to `open` (rsyslog 8.2302, librelp 1.11).
const OPEN_ANSWER: &[u8] = b"200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog";

fn frame(txnr: u32, command: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("{txnr} {command} {}", data.len()).into_bytes();
    if !data.is_empty() {
        out.push(b' ');
        out.extend_from_slice(data);
    }
    out.push(b'\n');
    out
}

/// A frame as read: (txnr, command, data).
type Frame = (u32, String, Vec<u8>);

/// One frame from `buf`, and its length.
fn parse(buf: &[u8]) -> Option<(Frame, usize)> {
    let text_end = buf.iter().position(|&b| b == b' ')?;
    let txnr = std::str::from_utf8(&buf[..text_end]).ok()?.parse().ok()?;
    let rest = &buf[text_end + 1..];
    let cmd_end = rest.iter().position(|&b| b == b' ')?;
    let command = String::from_utf8(rest[..cmd_end].to_vec()).ok()?;
    let rest = &rest[cmd_end + 1..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == rest.len() {
        return None;
    }
    let len: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let head = buf.len() - rest.len() + digits;
    let (data, end) = if len == 0 {
        (Vec::new(), head)
    } else {
        (buf.get(head + 1..head + 1 + len)?.to_vec(), head + 1 + len)
    };
    (*buf.get(end)? == b'\n').then_some(((txnr, command, data), end + 1))
}

/// How a scripted server answers each `syslog` command (its record's text).
type Answer = Arc<dyn Fn(&[u8]) -> Option<&'static str> + Send + Sync>;

/// A scripted RELP server: answers `open` as imrelp does and each `syslog`
/// command as `answer` says (`None`: never). Counts the `syslog` commands
/// it read.
fn scripted_server(answer: Answer) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (answer, count) = (answer.clone(), count.clone());
            thread::spawn(move || serve(stream, &*answer, &count));
        }
    });
    (addr, seen)
}

fn serve(
    mut stream: TcpStream,
    answer: &dyn Fn(&[u8]) -> Option<&'static str>,
    seen: &AtomicUsize,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let Ok(n) = stream.read(&mut chunk) else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Some(((txnr, command, data), used)) = parse(&buf) {
            buf.drain(..used);
            let reply = match command.as_str() {
                "open" => Some(frame(txnr, "rsp", OPEN_ANSWER)),
                "syslog" => {
                    seen.fetch_add(1, Ordering::SeqCst);
                    answer(&data).map(|text| frame(txnr, "rsp", text.as_bytes()))
                }
                "close" => Some(frame(txnr, "rsp", b"")),
                _ => None,
            };
            if let Some(reply) = reply
                && stream.write_all(&reply).is_err()
            {
                return;
            }
        }
    }
}

/// What the `on_error` callback saw.
type Kinds = Arc<Mutex<Vec<(ErrorKind, u64)>>>;

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sent_counts_the_records_rsyslogd_acknowledged() {
    let server = Rsyslog::shared();
    let marker = marker("relp-ack");
    let stats = run(Via::Relp.to(server, SyslogLayer::builder()), || {
        for i in 0..2000 {
            tracing::info!("{marker} {i}");
        }
    });
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (2000, 2000, 0),
        "{stats:?}"
    );
    assert_eq!(stats.retried, 0, "{stats:?}");
    let lines = server.wait_for(&marker, 2000, WAIT);
    assert_eq!(lines.len(), 2000);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["input"], "relp");
        assert_eq!(line["msg"], format!("{marker} {i}"), "in order");
    }
}

#[test]
fn a_server_that_never_acknowledges_keeps_records_queued_then_failed_at_the_deadline() {
    let (addr, seen) = scripted_server(Arc::new(|_| None));
    let kinds = Kinds::default();
    let sink = kinds.clone();
    let (layer, guard) = SyslogLayer::builder()
        .relp(addr)
        .on_error(move |e| sink.lock().unwrap().push((e.kind(), e.records())))
        .log_internal_errors(false)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        for i in 0..10 {
            tracing::info!("never acknowledged {i}");
        }
    });
    wait_until("the server read 10 records", || {
        seen.load(Ordering::SeqCst) == 10
    });
    let stats = guard.stats();
    assert_eq!(
        (stats.emitted, stats.sent, stats.queued),
        (10, 0, 10),
        "{stats:?}"
    );
    assert!(stats.is_balanced(), "{stats:?}");
    assert!(guard.flush(Duration::from_millis(200)).is_err());

    let started = Instant::now();
    let stats = guard.shutdown(Duration::from_millis(500));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "shutdown took {took:?}");
    assert_accounted(&stats);
    assert_eq!((stats.sent, stats.failed), (0, 10), "{stats:?}");
    let kinds = kinds.lock().unwrap();
    assert!(kinds.contains(&(ErrorKind::Deadline, 10)), "{kinds:?}");
}

#[test]
fn a_refused_record_fails_alone_and_is_reported() {
    let answer: Answer = Arc::new(|record: &[u8]| {
        Some(if record.ends_with(b"refuse-me") {
            "500 no thanks"
        } else {
            "200 OK"
        })
    });
    let (addr, seen) = scripted_server(answer);
    let kinds = Kinds::default();
    let sink = kinds.clone();
    let stats = run(
        SyslogLayer::builder()
            .relp(addr)
            .on_error(move |e| sink.lock().unwrap().push((e.kind(), e.records()))),
        || {
            tracing::info!("first");
            tracing::info!("refuse-me");
            tracing::info!("third");
        },
    );
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed, stats.rejected),
        (3, 2, 1, 1),
        "{stats:?}"
    );
    let kinds = kinds.lock().unwrap();
    assert_eq!(kinds.as_slice(), [(ErrorKind::Rejected, 1)], "{kinds:?}");
}

#[test]
fn records_in_flight_are_sent_again_on_a_new_session_after_a_broken_one() {
    // The first session takes 5 records and ends without answering them
    // (as if their acknowledgements were lost); the second answers
    // everything. Every record is acknowledged once and received at least
    // once: the 5 of the first session twice, within the window.
    let sessions = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let (count, store) = (sessions.clone(), received.clone());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let session = count.fetch_add(1, Ordering::SeqCst);
            let store = store.clone();
            thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let mut records = 0;
                while let Ok(n) = stream.read(&mut chunk) {
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(((txnr, command, data), used)) = parse(&buf) {
                        buf.drain(..used);
                        let reply = match command.as_str() {
                            "open" => frame(txnr, "rsp", OPEN_ANSWER),
                            "syslog" => {
                                store.lock().unwrap().push(data);
                                records += 1;
                                if session > 0 {
                                    frame(txnr, "rsp", b"200 OK")
                                } else if records == 5 {
                                    // Ends the session, 5 records unanswered.
                                    let _ignored = stream.write_all(b"0 serverclose 0\n");
                                    return;
                                } else {
                                    continue;
                                }
                            }
                            _ => frame(txnr, "rsp", b""),
                        };
                        if stream.write_all(&reply).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    let kinds = Kinds::default();
    let sink = kinds.clone();
    let stats = run(
        SyslogLayer::builder()
            .relp(addr)
            .on_error(move |e| sink.lock().unwrap().push((e.kind(), e.records()))),
        || {
            for i in 0..5 {
                tracing::info!("resent {i}");
            }
        },
    );
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (5, 5, 0),
        "{stats:?}"
    );
    assert_eq!((stats.retried, stats.reconnects), (5, 1), "{stats:?}");
    assert_eq!(sessions.load(Ordering::SeqCst), 2);
    assert_eq!(*kinds.lock().unwrap(), [(ErrorKind::Write, 5)]);
    let received = received.lock().unwrap();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for record in received.iter() {
        let text = String::from_utf8_lossy(record);
        let at = text.find("resent ").unwrap();
        *copies.entry(text[at..].to_owned()).or_default() += 1;
    }
    assert_eq!(copies.len(), 5, "every record arrived: {copies:?}");
    let duplicates = received.len() - copies.len();
    assert_eq!(duplicates, 5);
    assert!(duplicates <= DEFAULT_RELP_WINDOW);
}

#[test]
fn a_record_the_server_ends_every_session_on_is_given_up_and_the_rest_goes_out() {
    // A server that drops the session whenever it reads the poison record
    // (as imrelp does with `oversizeMode="abort"`), answering the others.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sessions = Arc::new(AtomicUsize::new(0));
    let count = sessions.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                while let Ok(n) = stream.read(&mut chunk) {
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(((txnr, command, data), used)) = parse(&buf) {
                        buf.drain(..used);
                        let reply = match command.as_str() {
                            "open" => frame(txnr, "rsp", OPEN_ANSWER),
                            "syslog" if data.ends_with(b"poison") => return,
                            "syslog" => frame(txnr, "rsp", b"200 OK"),
                            _ => frame(txnr, "rsp", b""),
                        };
                        if stream.write_all(&reply).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    let kinds = Kinds::default();
    let sink = kinds.clone();
    let stats = run(
        SyslogLayer::builder()
            .relp(addr)
            .retry_initial(Duration::from_millis(10))
            .retry_max(Duration::from_millis(50))
            .on_error(move |e| sink.lock().unwrap().push((e.kind(), e.records()))),
        || {
            tracing::info!("first");
            tracing::info!("poison");
            tracing::info!("last");
        },
    );
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed, stats.rejected),
        (3, 2, 1, 1),
        "{stats:?}"
    );
    // The session(s) where `first` was answered, three that ended on the
    // poison at the head of the window, then the one that took `last`.
    // (When the server's close resets the connection, the answer to
    // `first` can be lost with it, and `first` goes again on a second.)
    let sessions = sessions.load(Ordering::SeqCst);
    assert!((5..=6).contains(&sessions), "{sessions} sessions");
    let kinds = kinds.lock().unwrap();
    assert_eq!(
        kinds
            .iter()
            .filter(|(k, _)| *k == ErrorKind::Rejected)
            .count(),
        1,
        "{kinds:?}"
    );
}

#[test]
fn the_window_bounds_the_records_in_flight() {
    let (addr, seen) = scripted_server(Arc::new(|_| None));
    let (layer, guard) = SyslogLayer::builder()
        .relp(addr)
        .relp_window(7)
        .log_internal_errors(false)
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        for i in 0..20 {
            tracing::info!("windowed {i}");
        }
    });
    wait_until("the server read 7 records", || {
        seen.load(Ordering::SeqCst) == 7
    });
    thread::sleep(Duration::from_millis(100));
    assert_eq!(seen.load(Ordering::SeqCst), 7, "no more than the window");
    let stats = guard.shutdown(Duration::from_millis(200));
    assert_eq!((stats.sent, stats.failed), (0, 20), "{stats:?}");
    assert_eq!(DEFAULT_RELP_WINDOW, 128);
}

#[test]
fn relp_over_tls_with_a_client_certificate_is_parsed_by_rsyslogd() {
    let server = Rsyslog::builder()
        .udp(false)
        .tcp(false)
        .tls(false)
        .relp(false)
        .relp_tls(true)
        .start()
        .unwrap();
    let marker = marker("relp-tls");
    let stats = run(
        SyslogLayer::builder()
            .relp_tls(server.relp_tls_addr())
            .ca_file(server.ca_file())
            .server_name(server.tls_server_name())
            .client_cert(server.client_cert())
            .client_key(server.client_key())
            .app_name("relp-tls-app"),
        || {
            for i in 0..100 {
                tracing::warn!(order.id = i, "{marker} {i}");
            }
        },
    );
    assert_eq!(
        (stats.emitted, stats.sent, stats.failed),
        (100, 100, 0),
        "{stats:?}"
    );
    let lines = server.wait_for(&marker, 100, WAIT);
    assert_eq!(lines.len(), 100, "{}", server.rsyslogd_log());
    let by_index: HashMap<String, &serde_json::Value> = lines
        .iter()
        .map(|l| (l["msg"].as_str().unwrap().to_owned(), l))
        .collect();
    let line = by_index[&format!("{marker} 42")];
    assert_eq!(line["input"], "relp-tls");
    assert_eq!(line["app-name"], "relp-tls-app");
    assert_eq!(line["severity"], 4);
    assert_eq!(line["protocol-version"], 1);
    assert_eq!(line["sd"]["logwood@32473"]["order.id"], "42");
}
