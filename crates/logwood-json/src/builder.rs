//! Configuration of [`JsonLayer`].

use std::io;

use logwood_core::__private::{CoreLayer, LayerOptions, WriterSink};
use tracing_subscriber::fmt::MakeWriter;

use crate::JsonLayer;
use crate::layer::JsonEncoder;

/// Builds a [`JsonLayer`]; made by [`JsonLayer::builder`].
///
/// # Default values
///
/// | option | default |
/// | --- | --- |
/// | [`with_writer`](Self::with_writer) | `std::io::stdout` |
/// | [`with_runtime`](Self::with_runtime) | `true` |
/// | [`with_system`](Self::with_system) | `true` |
/// | [`context_field`](Self::context_field) | none |
/// | [`lift_message_fields`](Self::lift_message_fields) | `false` |
/// | [`log_internal_errors`](Self::log_internal_errors) | `true` |
/// | [`on_error`](Self::on_error) | none |
#[derive(Debug)]
#[must_use]
pub struct JsonLayerBuilder<W = fn() -> io::Stdout> {
    make_writer: W,
    options: LayerOptions,
}

impl Default for JsonLayerBuilder {
    fn default() -> Self {
        Self {
            make_writer: io::stdout,
            options: LayerOptions::new(true, true),
        }
    }
}

// === impl JsonLayerBuilder ===

impl<W> JsonLayerBuilder<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    /// Writes records to `make_writer` (one `write_all` per line).
    ///
    /// By default, records go to stdout.
    pub fn with_writer<W2>(self, make_writer: W2) -> JsonLayerBuilder<W2>
    where
        W2: for<'a> MakeWriter<'a> + 'static,
    {
        JsonLayerBuilder {
            make_writer,
            options: self.options,
        }
    }

    logwood_core::layer_option_setters!(options, runtime: "they do", system: "they do");

    /// Builds the layer. Nothing here can fail: the JSON layer opens nothing.
    pub fn build(self) -> JsonLayer<W> {
        let sink = WriterSink::new(self.make_writer, self.options.reporter("json"));
        JsonLayer::from_inner(CoreLayer::new(
            JsonEncoder,
            sink,
            self.options.record_options(),
        ))
    }
}
