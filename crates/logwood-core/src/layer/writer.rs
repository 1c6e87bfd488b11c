//! [`WriterSink`]: a layer's records written to a `MakeWriter` on the
//! caller's thread (stdout, a file, a test capture).

use std::io::Write as _;
use std::sync::Arc;

use tracing_core::Metadata;
use tracing_subscriber::fmt::MakeWriter;

use super::Sink;
use crate::delivery::{Counters, DeliveryError, ErrorKind, Reporter, Stats, StatsHandle};

/// Writes each record with one `write_all` to the writer `make_writer`
/// makes for the event, counting `sent` and `failed` (a write error is
/// reported, never returned to the application).
#[derive(Debug)]
pub struct WriterSink<W> {
    make_writer: W,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    counters: Counters,
    reporter: Reporter,
}

// === impl WriterSink ===

impl<W> WriterSink<W> {
    /// A sink writing to `make_writer`, reporting through `reporter`.
    pub fn new(make_writer: W, reporter: Reporter) -> Self {
        Self {
            make_writer,
            shared: Arc::new(Shared {
                counters: Counters::default(),
                reporter,
            }),
        }
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot(&self.shared.reporter)
    }

    /// A handle reading the counters from anywhere.
    pub fn stats_handle(&self) -> StatsHandle {
        let shared = self.shared.clone();
        StatsHandle::new(move || shared.counters.snapshot(&shared.reporter))
    }
}

impl<W> Sink for WriterSink<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn send(&self, meta: &Metadata<'static>, record: &[u8]) {
        let Shared { counters, reporter } = &*self.shared;
        counters.emitted.incr();
        match self.make_writer.make_writer_for(meta).write_all(record) {
            Ok(()) => counters.sent.incr(),
            Err(err) => {
                counters.failed.incr();
                reporter.report_with(ErrorKind::Write, || {
                    DeliveryError::new(ErrorKind::Write, "writing a record failed; it is lost")
                        .with_records(1)
                        .with_source(err)
                });
            }
        }
    }

    fn fail(&self, error: DeliveryError) {
        let Shared { counters, reporter } = &*self.shared;
        counters.emitted.add(error.records());
        counters.failed.add(error.records());
        reporter.report(error);
    }
}
