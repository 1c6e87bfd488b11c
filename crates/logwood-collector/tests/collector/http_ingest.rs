use std::time::Duration;

use logwood_collector::{Collector, Output};
use serde_json::json;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn msgpack_batch_is_accepted_and_every_record_written_exactly() {
    let collector = Collector::builder().start().unwrap();
    let batch = records(3);
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", MSGPACK)],
        &msgpack_batch(&batch),
    )
    .unwrap();
    assert_eq!(response.status, 202);
    assert_eq!(response.json(), json!({"accepted": 3}));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(collector.records(), batch);
    let stats = collector.stats();
    assert_eq!(
        (stats.batches, stats.records, stats.status_count(202)),
        (1, 3, 1)
    );
}

#[test]
fn file_output_gets_one_compact_line_per_record_in_sent_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    std::fs::write(&path, "{\"earlier\":true}\n").unwrap();
    let collector = Collector::builder()
        .out(Output::File(path.clone()))
        .start()
        .unwrap();
    // dt, level, message in that order (not sorted).
    let mut body = vec![0x92];
    for message in ["first", "second \"quoted\"\n"] {
        body.push(0x84);
        for (key, value) in [
            ("dt", "2026-11-20T03:44:21.221232Z"),
            ("level", "warn"),
            ("message", message),
        ] {
            rmp::encode::write_str(&mut body, key).unwrap();
            rmp::encode::write_str(&mut body, value).unwrap();
        }
        rmp::encode::write_str(&mut body, "n").unwrap();
        rmp::encode::write_f64(&mut body, 1.5).unwrap();
    }
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", MSGPACK)],
        &body,
    )
    .unwrap();
    assert_eq!(response.status, 202);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "{\"earlier\":true}\n\
         {\"dt\":\"2026-11-20T03:44:21.221232Z\",\"level\":\"warn\",\"message\":\"first\",\"n\":1.5}\n\
         {\"dt\":\"2026-11-20T03:44:21.221232Z\",\"level\":\"warn\",\"message\":\"second \\\"quoted\\\"\\n\",\"n\":1.5}\n"
    );
    // records() reads back only what this collector wrote.
    let records = collector.records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["message"], json!("second \"quoted\"\n"));
}

#[test]
fn ndjson_batch_is_accepted_and_written_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    let collector = Collector::builder()
        .out(Output::File(path.clone()))
        .start()
        .unwrap();
    let body = b"{\"level\":\"info\",\"message\":\"a\",\"z\":1}\r\n\n{\"message\":\"b\",\"a\":{\"b\":[1,2.5,null]}}\n";
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", NDJSON)],
        body,
    )
    .unwrap();
    assert_eq!(
        (response.status, response.json()),
        (202, json!({"accepted": 2}))
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"level\":\"info\",\"message\":\"a\",\"z\":1}\n{\"message\":\"b\",\"a\":{\"b\":[1,2.5,null]}}\n"
    );
}

#[test]
fn sources_path_alternate_content_types_and_gzip_are_accepted() {
    let collector = Collector::builder().start().unwrap();
    let addr = collector.http_addr();
    let batch = records(2);
    let mut client = Client::connect(addr);
    let ok = |r: Response| assert_eq!((r.status, r.json()), (202, json!({"accepted": 2})));
    ok(client
        .post("/sources/1234/frames", MSGPACK, &msgpack_batch(&batch))
        .unwrap());
    ok(client
        .post("/frames", "application/x-msgpack", &msgpack_batch(&batch))
        .unwrap());
    ok(client
        .post(
            "/frames",
            "application/json; charset=utf-8",
            &ndjson_batch(&batch),
        )
        .unwrap());
    ok(client
        .request(
            "POST",
            "/frames",
            &[("Content-Type", MSGPACK), ("Content-Encoding", "gzip")],
            &gzip(&msgpack_batch(&batch)),
        )
        .unwrap());
    ok(client
        .request(
            "POST",
            "/frames",
            &[("Content-Type", NDJSON), ("Content-Encoding", "gzip")],
            &gzip(&ndjson_batch(&batch)),
        )
        .unwrap());
    let written = collector.wait_for_records(10, WAIT).unwrap();
    assert_eq!(
        written,
        [
            batch.clone(),
            batch.clone(),
            batch.clone(),
            batch.clone(),
            batch
        ]
        .concat()
    );
    assert_eq!(collector.stats().connections, 1);
}

#[test]
fn empty_batch_is_accepted_with_zero_records() {
    let collector = Collector::builder().start().unwrap();
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", MSGPACK)],
        &[0x90],
    )
    .unwrap();
    assert_eq!(
        (response.status, response.json()),
        (202, json!({"accepted": 0}))
    );
    let response = post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", NDJSON)],
        b"",
    )
    .unwrap();
    assert_eq!(
        (response.status, response.json()),
        (202, json!({"accepted": 0}))
    );
}

#[test]
fn health_and_stats_answer_and_keep_alive_connections_are_counted_once() {
    let collector = Collector::builder().start().unwrap();
    let addr = collector.http_addr();
    let mut client = Client::connect(addr);
    let health = client.get("/health").unwrap();
    assert_eq!(
        (health.status, health.json()),
        (200, json!({"status": "ok"}))
    );
    for _ in 0..3 {
        assert_eq!(
            client
                .post("/frames", MSGPACK, &msgpack_batch(&records(2)))
                .unwrap()
                .status,
            202
        );
    }
    let stats = client.get("/stats").unwrap();
    assert_eq!(stats.status, 200);
    let stats = stats.json();
    assert_eq!(stats["connections"], json!(1));
    assert_eq!(
        stats["requests"],
        json!(4),
        "the /stats request itself is counted after answering"
    );
    assert_eq!(stats["batches"], json!(3));
    assert_eq!(stats["records"], json!(6));
    assert_eq!(stats["statuses"], json!({"200": 1, "202": 3}));

    let mut second = Client::connect(addr);
    assert_eq!(second.get("/health").unwrap().status, 200);
    let stats = collector.stats();
    assert_eq!(stats.connections, 2);
    assert_eq!(stats.requests, 6);
    let ids: Vec<u64> = stats.recent.iter().map(|r| r.connection).collect();
    assert_eq!(ids, [1, 1, 1, 1, 1, 2]);
    let first_post = &stats.recent[1];
    assert_eq!(
        (first_post.method.as_str(), first_post.path.as_str()),
        ("POST", "/frames")
    );
    assert_eq!((first_post.status, first_post.records), (Some(202), 2));
    assert!(first_post.body_bytes > 0);
    assert!(
        stats
            .recent
            .windows(2)
            .all(|w| w[0].arrived <= w[1].arrived)
    );
    assert!(first_post.arrived_unix_micros() > 1_600_000_000_000_000);
}

#[test]
fn unknown_paths_and_methods_are_refused() {
    let collector = Collector::builder().start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    assert_eq!(client.get("/nope").unwrap().status, 404);
    let response = client.get("/frames").unwrap();
    assert_eq!(
        (response.status, response.header("allow")),
        (405, Some("POST"))
    );
    let response = client.post("/health", NDJSON, b"").unwrap();
    assert_eq!(
        (response.status, response.header("allow")),
        (405, Some("GET"))
    );
    assert_eq!(
        client.post("/sources//frames", NDJSON, b"").unwrap().status,
        404
    );
    assert!(collector.records().is_empty());
}

#[test]
fn a_new_collector_can_listen_on_the_port_of_one_just_shut_down() {
    let first = Collector::builder().start().unwrap();
    let addr = first.http_addr();
    // Leave a keep-alive connection open across the shutdown.
    let mut client = Client::connect(addr);
    assert_eq!(
        client
            .post("/frames", NDJSON, b"{\"n\":1}\n")
            .unwrap()
            .status,
        202
    );
    let stats = first.shutdown();
    assert_eq!(stats.records, 1);
    assert!(client.is_closed(), "shutdown closes open connections");

    let second = Collector::builder()
        .listen(addr.to_string())
        .start()
        .unwrap();
    assert_eq!(second.http_addr(), addr);
    let response = post(addr, "/frames", &[("Content-Type", NDJSON)], b"{\"n\":2}\n").unwrap();
    assert_eq!(response.status, 202);
    assert_eq!(second.records(), vec![json!({"n": 2})]);
}

#[test]
fn collector_starts_and_stops_inside_a_tokio_runtime() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let records = rt.block_on(async {
        let collector = Collector::builder().start().unwrap();
        let addr = collector.http_addr();
        let response = tokio::task::spawn_blocking(move || {
            post(
                addr,
                "/frames",
                &[("Content-Type", NDJSON)],
                b"{\"in\":\"runtime\"}\n",
            )
            .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(response.status, 202);
        let records = collector.records();
        drop(collector);
        records
    });
    assert_eq!(records, vec![json!({"in": "runtime"})]);
}

#[test]
fn wait_for_records_times_out_with_the_count_reached() {
    let collector = Collector::builder().start().unwrap();
    post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", NDJSON)],
        b"{\"a\":1}\n",
    )
    .unwrap();
    let err = collector
        .wait_for_records(2, Duration::from_millis(100))
        .unwrap_err();
    assert_eq!((err.wanted, err.got), (2, 1));
}

#[test]
fn discard_and_stdout_outputs_count_but_keep_nothing() {
    let collector = Collector::builder().out(Output::Discard).start().unwrap();
    post(
        collector.http_addr(),
        "/frames",
        &[("Content-Type", NDJSON)],
        b"{\"a\":1}\n",
    )
    .unwrap();
    assert!(collector.wait_for_records(1, WAIT).unwrap().is_empty());
    assert_eq!(collector.stats().records, 1);
}

#[test]
fn start_refuses_invalid_options_naming_them() {
    let cases: Vec<(logwood_collector::CollectorBuilder, &str)> = vec![
        (
            Collector::builder().drop_connection_every(0),
            "drop_connection_every",
        ),
        (Collector::builder().fail_status(99), "fail_status"),
        (
            Collector::builder().status_sequence([503, 700]),
            "status_sequence",
        ),
        (Collector::builder().max_body(0), "max_body"),
        (Collector::builder().token(""), "token"),
        (Collector::builder().listen("not an address"), "listen"),
        (Collector::builder().syslog_udp("256.0.0.1:0"), "syslog_udp"),
    ];
    for (builder, option) in cases {
        let err = builder.start().unwrap_err();
        assert!(err.to_string().contains(&format!("`{option}`")), "{err}");
    }
    let err = Collector::builder()
        .out(Output::File("/nonexistent-dir/x.jsonl".into()))
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("`out`"), "{err}");
}

#[test]
fn builder_debug_never_shows_the_token() {
    let builder = Collector::builder().token("sup3r-secret");
    let debug = format!("{builder:?}");
    assert!(!debug.contains("sup3r-secret"));
    assert!(debug.contains("REDACTED"));
}

#[test]
fn the_handle_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<logwood_collector::CollectorHandle>();
    let collector = std::sync::Arc::new(Collector::builder().start().unwrap());
    let threads: Vec<_> = (0..2)
        .map(|i| {
            let collector = std::sync::Arc::clone(&collector);
            std::thread::spawn(move || {
                let body = format!("{{\"thread\":{i}}}\n");
                post(
                    collector.http_addr(),
                    "/frames",
                    &[("Content-Type", NDJSON)],
                    body.as_bytes(),
                )
                .unwrap()
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().status, 202);
    }
    assert_eq!(collector.wait_for_records(2, WAIT).unwrap().len(), 2);
}

/// A record whose field `deep` holds objects nested so that the record is
/// `levels` levels deep (its own map is the first), as a dotted field name
/// with `levels - 1` segments would make it.
fn nested_record(levels: usize) -> serde_json::Value {
    let mut value = json!(1);
    for i in (0..levels - 1).rev() {
        value = json!({ format!("s{i}"): value });
    }
    json!({"level": "info", "message": "deep", "deep": value})
}

fn depth(value: &serde_json::Value) -> usize {
    // Iterative, as the values may be deep.
    let mut deepest = 0;
    let mut stack = vec![(value, 0)];
    while let Some((value, level)) = stack.pop() {
        match value {
            serde_json::Value::Object(map) => stack.extend(map.values().map(|v| (v, level + 1))),
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|v| (v, level + 1))),
            _ => deepest = deepest.max(level),
        }
    }
    deepest
}

#[test]
fn a_record_130_levels_deep_in_a_batch_of_several_is_accepted() {
    let collector = Collector::builder().start().unwrap();
    let deep = nested_record(130);
    assert_eq!(depth(&deep), 130);
    let batch = vec![record(0), deep.clone(), record(1), deep];
    for (body, content_type) in [
        (msgpack_batch(&batch), MSGPACK),
        (ndjson_batch(&batch), NDJSON),
    ] {
        let response = post(
            collector.http_addr(),
            "/frames",
            &[("Content-Type", content_type)],
            &body,
        )
        .unwrap();
        assert_eq!(response.status, 202, "{}", response.text());
        assert_eq!(response.json(), json!({"accepted": 4}));
    }
    let written = collector.records();
    assert_eq!(written, [batch.clone(), batch].concat());
}

#[test]
fn a_record_1000_levels_deep_is_refused_with_400_and_nothing_written() {
    let collector = Collector::builder().start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    // Built as text: a 1000-deep `Value` would itself be awkward.
    let deep_ndjson = format!(
        "{}\n{}1{}\n",
        record(0),
        "{\"a\":".repeat(1000),
        "}".repeat(1000)
    );
    let mut deep_msgpack = vec![0x92];
    encode(&record(0), &mut deep_msgpack);
    deep_msgpack.extend(std::iter::repeat_n([0x81, 0xa1, b'a'], 1000).flatten());
    deep_msgpack.push(0x01);
    for (body, content_type) in [(deep_msgpack, MSGPACK), (deep_ndjson.into_bytes(), NDJSON)] {
        let response = client.post("/frames", content_type, &body).unwrap();
        assert_eq!(response.status, 400);
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains(&format!(
                "nesting deeper than {} levels",
                logwood_collector::MAX_RECORD_DEPTH
            )),
            "{error}"
        );
    }
    assert!(collector.records().is_empty());
    assert_eq!(collector.stats().records, 0);
}
