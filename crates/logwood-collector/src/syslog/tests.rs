use serde_json::json;

use super::framing::{FramingError, next_frame, trailing_frame};
use super::parse::{Format, parse, to_json};

#[test]
fn rfc5424_header_sd_and_msg_are_parsed() {
    let frame = b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 42 ID47 \
        [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"] \
        \xEF\xBB\xBFAn application event log entry...\n";
    assert_eq!(
        to_json(frame),
        json!({"syslog": {
            "transport": "test", "peer": null, "format": "rfc5424",
            "pri": 165, "facility": 20, "severity": 5, "version": 1,
            "timestamp": "2003-10-11T22:14:15.003Z", "hostname": "mymachine.example.com",
            "app_name": "evntslog", "procid": "42", "msgid": "ID47",
            "sd": {"exampleSDID@32473": {"iut": "3", "eventSource": "Application", "eventID": "1011"},
                   "examplePriority@32473": {"class": "high"}},
            "msg": "An application event log entry..."
        }})
    );
}

#[test]
fn rfc5424_nil_values_become_null() {
    let v = to_json(b"<14>1 - - - - - -");
    assert_eq!(v["syslog"]["timestamp"], json!(null));
    assert_eq!(v["syslog"]["hostname"], json!(null));
    assert_eq!(v["syslog"]["msgid"], json!(null));
    assert_eq!(v["syslog"]["sd"], json!(null));
    assert_eq!(v["syslog"]["msg"], json!(null));
    assert_eq!(v["syslog"].get("error"), None);
    assert_eq!(
        to_json(b"<14>1 - h a 1 m - hi there")["syslog"]["msg"],
        json!("hi there")
    );
}

#[test]
fn rfc5424_sd_escapes_are_resolved() {
    let v = to_json(
        br#"<14>1 - h a - - [x@1 q="say \"hi\"" b="back\\slash" c="br\]acket" d="keep\n"] m"#,
    );
    assert_eq!(
        v["syslog"]["sd"],
        json!({"x@1": {"q": "say \"hi\"", "b": "back\\slash", "c": "br]acket", "d": "keep\\n"}})
    );
    assert_eq!(v["syslog"]["msg"], json!("m"));
}

#[test]
fn rfc5424_repeated_param_names_become_arrays() {
    let v = to_json(br#"<14>1 - h a - - [x@1 k="1" j="0" k="2"]"#);
    assert_eq!(
        v["syslog"]["sd"],
        json!({"x@1": {"k": ["1", "2"], "j": "0"}})
    );
}

#[test]
fn rfc5424_malformed_sd_is_kept_raw_with_an_error() {
    for frame in [
        &br#"<14>1 - h a - - [x@1 k="unterminated] rest"#[..],
        br#"<14>1 - h a - - [x@1 k=unquoted] rest"#,
        br#"<14>1 - h a - - [x@1 k="v"][x@1 k="v"] rest"#,
        br#"<14>1 - h a - - [] rest"#,
        br#"<14>1 - h a - - [x@1 k="v"]rest"#,
        br#"<14>1 - h a - - garbage"#,
        b"<14>1 - h a - - [",
    ] {
        let v = to_json(frame);
        let raw = std::str::from_utf8(&frame[16..]).unwrap();
        assert_eq!(v["syslog"]["sd"], json!(null), "{raw}");
        assert_eq!(v["syslog"]["msg"], json!(raw));
        assert!(
            v["syslog"]["error"]
                .as_str()
                .unwrap()
                .starts_with("structured data"),
            "{raw}"
        );
        assert_eq!(v["syslog"]["hostname"], json!("h"));
    }
}

#[test]
fn rfc5424_truncated_header_keeps_the_rest_raw() {
    let v = to_json(b"<14>1 2026-01-01T00:00:00Z host");
    assert_eq!(v["syslog"]["format"], json!("rfc5424"));
    assert_eq!(v["syslog"]["error"], json!("truncated RFC 5424 header"));
    assert_eq!(v["syslog"]["msg"], json!("2026-01-01T00:00:00Z host"));
}

#[test]
fn rfc3164_papertrail_and_python_shapes_are_parsed() {
    let v = to_json(b"<22>Jan  2 23:34:45 host app[123]: the message\n");
    assert_eq!(
        v,
        json!({"syslog": {
            "transport": "test", "peer": null, "format": "rfc3164",
            "pri": 22, "facility": 2, "severity": 6, "version": null,
            "timestamp": "Jan  2 23:34:45", "hostname": "host", "app_name": "app",
            "procid": "123", "msgid": null, "sd": null, "msg": "the message"
        }})
    );
    // Python's SysLogHandler: `<PRI>ident: msg` and a trailing NUL.
    let v = to_json(b"<14>myapp: hello: world\0");
    assert_eq!(v["syslog"]["app_name"], json!("myapp"));
    assert_eq!(v["syslog"]["timestamp"], json!(null));
    assert_eq!(v["syslog"]["msg"], json!("hello: world"));
    // No tag at all.
    let v = to_json(b"<14>just some words");
    assert_eq!(v["syslog"]["app_name"], json!(null));
    assert_eq!(v["syslog"]["msg"], json!("just some words"));
    // Timestamp without a hostname.
    let v = to_json(b"<14>Dec 31 23:59:59 app: x");
    assert_eq!(v["syslog"]["hostname"], json!(null));
    assert_eq!(v["syslog"]["app_name"], json!("app"));
    // High-precision timestamp.
    let v = to_json(b"<14>2026-11-20T03:44:21.221232+00:00 web-1 shop[9]: m");
    assert_eq!(
        v["syslog"]["timestamp"],
        json!("2026-11-20T03:44:21.221232+00:00")
    );
    assert_eq!(v["syslog"]["hostname"], json!("web-1"));
    assert_eq!(v["syslog"]["procid"], json!("9"));
}

#[test]
fn invalid_pri_keeps_the_whole_frame() {
    for frame in [
        &b"no pri"[..],
        b"<192>1 - - - - - -",
        b"<>x",
        b"<1a>x",
        b"<1234>x",
        b"",
        b"<",
    ] {
        let m = parse(frame);
        assert_eq!(m.format, Format::Unknown);
        assert_eq!(m.pri, None);
        assert_eq!(m.msg.as_deref(), Some(std::str::from_utf8(frame).unwrap()));
    }
    assert_eq!(parse(b"<0>x").pri, Some(0));
    assert_eq!(parse(b"<191>x").pri, Some(191));
}

#[test]
fn invalid_utf8_is_replaced_not_refused() {
    let v = to_json(b"<14>1 - h\xff a - - [x@1 k=\"\xfe\"] m\xff");
    assert_eq!(v["syslog"]["hostname"], json!("h\u{fffd}"));
    assert_eq!(v["syslog"]["sd"]["x@1"]["k"], json!("\u{fffd}"));
    assert_eq!(v["syslog"]["msg"], json!("m\u{fffd}"));
}

#[test]
fn arbitrary_bytes_never_panic_and_always_give_json() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for len in 0..2000 {
        let mut frame = Vec::with_capacity(len % 64);
        for _ in 0..len % 64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let alphabet = b"<>1 -[]=\"\\x@a\xff\n0";
            frame.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        to_json(&frame);
    }
}

#[test]
fn octet_counted_and_lf_frames_are_split() {
    let buf = b"11 <14>1 - - -<13>hello\n";
    assert_eq!(next_frame(buf, 100), Ok(Some((14, 3..14))));
    assert_eq!(&buf[3..14], b"<14>1 - - -");
    assert_eq!(next_frame(&buf[14..], 100), Ok(Some((10, 0..9))));
    assert_eq!(next_frame(b"11 <14>", 100), Ok(None));
    assert_eq!(next_frame(b"123", 100), Ok(None));
    assert_eq!(next_frame(b"<13>no newline yet", 100), Ok(None));
    assert_eq!(next_frame(b"", 100), Ok(None));
}

#[test]
fn oversized_or_malformed_frames_are_errors() {
    assert_eq!(next_frame(b"101 ", 100), Err(FramingError::TooLarge));
    assert_eq!(
        next_frame(b"99999999999 ", 100),
        Err(FramingError::BadCount)
    );
    assert_eq!(next_frame(b"12x", 100), Err(FramingError::BadCount));
    assert_eq!(next_frame(&[b'a'; 101], 100), Err(FramingError::TooLarge));
    let mut long = vec![b'a'; 101];
    long.push(b'\n');
    assert_eq!(next_frame(&long, 100), Err(FramingError::TooLarge));
}

#[test]
fn a_final_lf_frame_without_newline_counts_but_a_partial_octet_frame_does_not() {
    assert_eq!(trailing_frame(b"<13>last"), Some(&b"<13>last"[..]));
    assert_eq!(trailing_frame(b"10 <13>"), None);
}
