//! Events with field names and counts chosen at run time.

use std::fmt;
use std::sync::OnceLock;

use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::field::{FieldSet, Value};
use tracing_core::metadata::Kind;
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Level, Metadata};

/// A field value of a dynamic event.
#[derive(Clone, Debug, PartialEq)]
pub enum DynValue {
    /// `record_u64`.
    U64(u64),
    /// `record_i64`.
    I64(i64),
    /// `record_f64`.
    F64(f64),
    /// `record_bool`.
    Bool(bool),
    /// `record_str`.
    Str(String),
    /// `record_debug` with this text as the `Debug` output.
    Debug(String),
}

struct DebugText<'a>(&'a str);

impl fmt::Debug for DebugText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A [`DynValue`] as a sealed `tracing` value.
enum Held<'a> {
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    Str(&'a str),
    Debug(tracing_core::field::DebugValue<DebugText<'a>>),
}

impl<'a> Held<'a> {
    fn new(value: &'a DynValue) -> Self {
        match value {
            DynValue::U64(v) => Held::U64(*v),
            DynValue::I64(v) => Held::I64(*v),
            DynValue::F64(v) => Held::F64(*v),
            DynValue::Bool(v) => Held::Bool(*v),
            DynValue::Str(v) => Held::Str(v),
            DynValue::Debug(v) => Held::Debug(tracing_core::field::debug(DebugText(v))),
        }
    }

    fn as_value(&self) -> &dyn Value {
        match self {
            Held::U64(v) => v,
            Held::I64(v) => v,
            Held::F64(v) => v,
            Held::Bool(v) => v,
            Held::Str(v) => v,
            Held::Debug(v) => v,
        }
    }
}

struct DynCallsite(OnceLock<&'static Metadata<'static>>);

impl Callsite for DynCallsite {
    fn set_interest(&self, _: Interest) {}

    fn metadata(&self) -> &Metadata<'_> {
        self.0
            .get()
            .expect("metadata is set before the callsite is used")
    }
}

/// Dispatches one INFO event (target `dynamic`) with the given fields to the
/// current subscriber. Names and callsite are leaked: for tests only.
///
/// # Examples
///
/// ```
/// use logwood_testkit::{DynValue, dispatch_dynamic_event};
/// dispatch_dynamic_event(&[("a.\"b\"", DynValue::U64(1)), ("message", DynValue::Str("hi".into()))]);
/// ```
pub fn dispatch_dynamic_event(fields: &[(&str, DynValue)]) {
    let callsite: &'static DynCallsite = Box::leak(Box::new(DynCallsite(OnceLock::new())));
    let names: Vec<&'static str> = fields
        .iter()
        .map(|(name, _)| &*Box::leak(name.to_string().into_boxed_str()))
        .collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    let meta: &'static Metadata<'static> = Box::leak(Box::new(Metadata::new(
        "dynamic event",
        "dynamic",
        Level::INFO,
        Some(file!()),
        Some(line!()),
        Some(module_path!()),
        FieldSet::new(names, Identifier(callsite)),
        Kind::EVENT,
    )));
    callsite.0.set(meta).ok();
    tracing_core::callsite::register(callsite);
    let held: Vec<Held<'_>> = fields.iter().map(|(_, v)| Held::new(v)).collect();
    let values: Vec<Option<&dyn Value>> = held.iter().map(|h| Some(h.as_value())).collect();
    let value_set = meta.fields().value_set_all(&values);
    Event::dispatch(meta, &value_set);
}
