//! The pattern layer's `%(message)s` fields and RFC 3164 syslog's
//! ` key=value` text follow one rule set: the same control bytes, quotes
//! and backslashes give the same text in both.

#![cfg(all(feature = "json", feature = "syslog"))]
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::UdpSocket;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logwood::json::PatternLayer;
use logwood::syslog::{SyslogFormat, SyslogLayer};
use tracing_subscriber::prelude::*;

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn control_bytes_quotes_and_backslashes_give_the_same_pairs_in_both() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (syslog, guard) = SyslogLayer::builder()
        .udp(server.local_addr().unwrap())
        .format(SyslogFormat::Rfc3164)
        .context_field("service", "shop \"main\"")
        .log_internal_errors(false)
        .build()
        .unwrap();
    let lines = Lines::default();
    let writer = lines.clone();
    let pattern = PatternLayer::builder("%(message)s")
        .with_writer(move || writer.clone())
        .context_field("service", "shop \"main\"")
        .build()
        .unwrap();
    let subscriber = tracing_subscriber::registry().with(pattern).with(syslog);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(
            path = "C:\\dir",
            quoted = "say \"hi\"",
            ctrl = "bell\u{7}tab\tcr\rnl\n",
            empty = "",
            eq = "a=b",
            utf8 = "é€",
            num = 7,
            "done"
        );
    });
    guard.shutdown(Duration::from_secs(5));
    let mut buf = [0; 4096];
    let n = server.recv(&mut buf).unwrap();
    let record = String::from_utf8(buf[..n].to_vec()).unwrap();
    let syslog_text = &record[record.find("]: ").unwrap() + 3..];
    let pattern_text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let pattern_text = pattern_text.strip_suffix('\n').unwrap();
    let expected = "done path=C:\\dir quoted=\"say \\\"hi\\\"\" \
                    ctrl=\"bell\\u0007tab\\tcr\\rnl\\n\" empty=\"\" eq=\"a=b\" utf8=é€ num=7 \
                    service=\"shop \\\"main\\\"\"";
    assert_eq!(pattern_text, expected);
    assert_eq!(syslog_text, expected);
}
