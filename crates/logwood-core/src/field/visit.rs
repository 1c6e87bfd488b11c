//! Recording span fields into a context map.

use std::fmt;

use tracing_core::field::{Field, Visit};

use super::ErrorChain;
use crate::value::{Map, Value};

/// A `Visit` that stores each field in a [`Map`], nesting dotted names.
///
/// Typed values stay typed; `?Debug` and `%Display` values become strings;
/// errors carry their source chain (`outer: root`).
#[derive(Debug)]
pub(crate) struct MapVisitor<'a>(pub &'a mut Map);

impl Visit for MapVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert_dotted(field.name(), Value::F64(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert_dotted(field.name(), Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert_dotted(field.name(), Value::U64(value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        let value =
            i64::try_from(value).map_or_else(|_| Value::Str(value.to_string().into()), Value::I64);
        self.0.insert_dotted(field.name(), value);
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        let value =
            u64::try_from(value).map_or_else(|_| Value::Str(value.to_string().into()), Value::U64);
        self.0.insert_dotted(field.name(), value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert_dotted(field.name(), Value::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert_dotted(field.name(), Value::Str(value.into()));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let text = ErrorChain(value).to_string();
        self.0.insert_dotted(field.name(), Value::Str(text.into()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert_dotted(field.name(), Value::Str(format!("{value:?}").into()));
    }
}
