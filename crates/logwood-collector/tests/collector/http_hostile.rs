use crate::support::*;
use logwood_collector::Collector;

#[test]
fn missing_or_wrong_token_gets_401_and_nothing_is_written() {
    let collector = Collector::builder().token("s3cret-t0ken").start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    let body = msgpack_batch(&records(2));
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Bearer s3cret-t0ke"),
        Some("Basic s3cret-t0ken"),
        Some("s3cret-t0ken"),
    ] {
        let mut headers = vec![("Content-Type", MSGPACK)];
        headers.extend(auth.map(|a| ("Authorization", a)));
        let response = client.request("POST", "/frames", &headers, &body).unwrap();
        assert_eq!(response.status, 401, "{auth:?}");
        assert_eq!(response.header("www-authenticate"), Some("Bearer"));
        assert!(
            !response.text().contains("s3cret"),
            "the token leaked: {}",
            response.text()
        );
    }
    // The connection survives a 401, and the right token is accepted.
    let response = client
        .request(
            "POST",
            "/frames",
            &[
                ("Content-Type", MSGPACK),
                ("Authorization", "Bearer s3cret-t0ken"),
            ],
            &body,
        )
        .unwrap();
    assert_eq!(response.status, 202);
    assert_eq!(collector.records().len(), 2);
    let stats = collector.stats();
    assert_eq!(
        (stats.status_count(401), stats.batches, stats.connections),
        (5, 1, 1)
    );
    assert!(!stats.to_json().to_string().contains("s3cret"));
}

#[test]
fn body_over_max_body_gets_413_by_declared_length_and_while_reading() {
    let collector = Collector::builder().max_body(1000).start().unwrap();
    let addr = collector.http_addr();
    let big = ndjson_batch(&records(20));
    assert!(big.len() > 1000);
    let response = post(addr, "/frames", &[("Content-Type", NDJSON)], &big).unwrap();
    assert_eq!(response.status, 413);
    assert_eq!(response.header("connection"), Some("close"));

    // A chunked body has no declared length: the bound applies while reading.
    let mut client = Client::connect(addr);
    let mut raw = b"POST /frames HTTP/1.1\r\nHost: c\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in big.chunks(300) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    client.send_raw(&raw).unwrap();
    assert_eq!(client.read_response().unwrap().status, 413);

    // Exactly at the bound is fine.
    let fits = ndjson_batch(&records(1));
    let body = [fits.clone(), vec![b' '; 1000 - fits.len()]].concat();
    assert_eq!(
        post(addr, "/frames", &[("Content-Type", NDJSON)], &body)
            .unwrap()
            .status,
        202
    );
    assert_eq!(collector.records().len(), 1);
}

#[test]
fn gzip_bomb_gets_413_and_corrupt_gzip_gets_400() {
    let collector = Collector::builder().max_body(1024 * 1024).start().unwrap();
    let addr = collector.http_addr();
    // 16 MiB of spaces compress to about 16 KiB.
    let bomb = gzip(&vec![b' '; 16 * 1024 * 1024]);
    assert!(bomb.len() < 1024 * 1024);
    let headers = [("Content-Type", NDJSON), ("Content-Encoding", "gzip")];
    assert_eq!(post(addr, "/frames", &headers, &bomb).unwrap().status, 413);
    let response = post(addr, "/frames", &headers, b"\x1f\x8b\x08\x00garbage").unwrap();
    assert_eq!(response.status, 400);
    assert!(response.json()["error"].as_str().unwrap().contains("gzip"));
    assert!(collector.records().is_empty());
}

#[test]
fn unknown_content_type_or_encoding_gets_415() {
    let collector = Collector::builder().start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    let body = msgpack_batch(&records(1));
    assert_eq!(
        client.post("/frames", "text/plain", &body).unwrap().status,
        415
    );
    assert_eq!(
        client
            .request("POST", "/frames", &[], &body)
            .unwrap()
            .status,
        415
    );
    let response = client
        .request(
            "POST",
            "/frames",
            &[("Content-Type", MSGPACK), ("Content-Encoding", "br")],
            &body,
        )
        .unwrap();
    assert_eq!(response.status, 415);
    assert!(collector.records().is_empty());
    assert_eq!(collector.stats().connections, 1);
}

#[test]
fn every_hostile_body_gets_400_with_a_reason_and_nothing_is_written() {
    let collector = Collector::builder().start().unwrap();
    let mut client = Client::connect(collector.http_addr());
    let valid = msgpack_batch(&records(3));
    let mut deep = vec![0x91, 0x81, 0xa1, b'a'];
    deep.extend(std::iter::repeat_n(0x91, 10_000));
    deep.push(0xc0);
    let mut deep_maps = vec![0x91, 0x81, 0xa1, b'a'];
    deep_maps.extend(std::iter::repeat_n([0x81, 0xa1, b'b'], 10_000).flatten());
    deep_maps.push(0xc0);
    // A valid record followed by a broken one: the first must not be written.
    let mut half_good = vec![0x92];
    encode(&record(0), &mut half_good);
    half_good.extend_from_slice(&[0x81, 0xa1, b'a', 0xc1]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", valid[..valid.len() - 7].to_vec(), "truncated"),
        ("valid then broken", half_good, "reserved"),
        (
            "map of 2^32-1 entries",
            vec![0x91, 0xdf, 0xff, 0xff, 0xff, 0xff],
            "truncated",
        ),
        (
            "array of 2^32-1 records",
            vec![0xdd, 0xff, 0xff, 0xff, 0xff],
            "truncated",
        ),
        ("10,000-deep arrays", deep, "nesting"),
        ("10,000-deep maps", deep_maps, "nesting"),
        (
            "invalid UTF-8 str",
            vec![0x91, 0x81, 0xa1, b'a', 0xa2, 0xc3, 0x28],
            "UTF-8",
        ),
        ("bin", vec![0x91, 0x81, 0xa1, b'a', 0xc4, 0x01, b'x'], "bin"),
        ("ext", vec![0x91, 0x81, 0xa1, b'a', 0xd4, 0x01, 0x00], "ext"),
        (
            "duplicate keys",
            vec![0x91, 0x82, 0xa1, b'a', 0x01, 0xa1, b'a', 0x02],
            "duplicate",
        ),
        (
            "not an array",
            vec![0x81, 0xa1, b'a', 0x01],
            "not a msgpack array",
        ),
        (
            "trailing bytes",
            [valid.clone(), vec![0xc0]].concat(),
            "trailing",
        ),
    ];
    for (name, body, reason) in cases {
        let response = client.post("/frames", MSGPACK, &body).unwrap();
        assert_eq!(response.status, 400, "{name}");
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(reason), "{name}: {error}");
    }
    let ndjson_cases: Vec<&[u8]> = vec![
        b"{\"a\":1}\n{\"a\":\n",
        b"{\"a\":1}\n[1,2]\n",
        b"{\"a\":1,\"a\":2}\n",
        b"{\"a\":\"\xff\"}\n",
        b"not json\n",
    ];
    for body in ndjson_cases {
        let response = client.post("/frames", NDJSON, body).unwrap();
        assert_eq!(response.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(
            response.json()["error"]
                .as_str()
                .unwrap()
                .starts_with("ndjson: line")
        );
    }
    assert!(
        collector.records().is_empty(),
        "nothing of a refused body is written"
    );
    // The same keep-alive connection still works.
    assert_eq!(client.post("/frames", MSGPACK, &valid).unwrap().status, 202);
    assert_eq!(collector.records(), records(3));
    let stats = collector.stats();
    assert_eq!(
        (stats.connections, stats.status_count(400), stats.records),
        (1, 17, 3)
    );
}
