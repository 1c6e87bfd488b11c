//! [`PatternLayer`]: Python `logging` format strings, rendered by core's
//! pattern encoder (shared with the syslog layer's message text).
//!
//! - `layer`, `builder`: the layer and its options.

mod builder;
mod layer;

pub use builder::PatternLayerBuilder;
pub use layer::PatternLayer;
pub use logwood_core::__private::pattern::{DEFAULT_TIME_FORMAT, FUNC_NAME_OUTSIDE_SPANS};
