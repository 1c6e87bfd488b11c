//! NDJSON bodies: the JSON layer's lines, concatenated.

use logwood_core::buf::Scratch;
use logwood_core::encode::Json;
use logwood_core::record::{RecordOptions, encode_event};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Encodes one record as the JSON layer's line: the same
/// `encode_event::<Json>` followed by `\n`, byte for byte.
pub(super) fn encode<S>(
    scratch: &mut Scratch,
    event: &Event<'_>,
    ctx: &Context<'_, S>,
    opts: &RecordOptions,
) where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    encode_event::<Json, S>(scratch, event, ctx, opts);
    scratch.out.push(b'\n');
}
