//! [`PatternLayer`]: Python `logging` format strings.
//!
//! - `parse`: the `%`-format string, compiled once into pieces.
//! - `printf`: Python's `%` conversions and modifiers.
//! - `clock`: `created`, `msecs`, `relativeCreated`, `asctime`.
//! - `message`: `%(message)s` with ` key=value` fields.
//! - `render`: one record through the pieces.
//! - `layer`, `builder`: the layer and its options.

mod builder;
mod clock;
mod layer;
mod message;
mod parse;
mod printf;
mod render;

pub use builder::PatternLayerBuilder;
pub use clock::DEFAULT_TIME_FORMAT;
pub use layer::PatternLayer;
pub use render::FUNC_NAME_OUTSIDE_SPANS;
