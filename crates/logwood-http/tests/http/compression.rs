//! gzip bodies (feature `gzip`).

use std::time::Duration;

use crate::support::{WAIT, accounted, emit, layer, seqs, start, with_layer};

#[test]
fn gzip_batches_are_sent_compressed_and_arrive_whole() {
    let collector = start();
    let (http, guard) = layer(collector.frames_url())
        .gzip(true)
        .flush_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    with_layer(http, || emit(0, 200));
    let stats = accounted(guard.shutdown(Duration::from_secs(5)));
    assert_eq!(stats.sent, 200);
    let records = collector.wait_for_records(200, WAIT).unwrap();
    assert_eq!(seqs(&records), (0..200).collect::<Vec<_>>());
    let request = &collector.stats().recent[0];
    assert_eq!(request.records, 200);
    // Records of a few hundred bytes each, alike: compressed far below
    // 100 bytes a record.
    assert!(request.body_bytes < 200 * 100, "{}", request.body_bytes);
}
