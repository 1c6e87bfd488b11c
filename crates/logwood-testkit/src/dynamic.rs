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

/// Leaks a callsite and its metadata for `names` (for tests only).
fn leak_metadata(name: &'static str, names: &[&str], kind: Kind) -> &'static Metadata<'static> {
    let callsite: &'static DynCallsite = Box::leak(Box::new(DynCallsite(OnceLock::new())));
    let names: Vec<&'static str> = names
        .iter()
        .map(|name| &*Box::leak(name.to_string().into_boxed_str()))
        .collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    let meta: &'static Metadata<'static> = Box::leak(Box::new(Metadata::new(
        name,
        "dynamic",
        Level::INFO,
        Some(file!()),
        Some(line!()),
        Some(module_path!()),
        FieldSet::new(names, Identifier(callsite)),
        kind,
    )));
    callsite.0.set(meta).ok();
    tracing_core::callsite::register(callsite);
    meta
}

/// Calls `f` inside an INFO span named `dynamic span` (target `dynamic`)
/// with the given fields, entered, in the current subscriber. Names and
/// callsite are leaked: for tests only (field names chosen at run time,
/// such as a 40,000-segment dotted name).
///
/// # Examples
///
/// ```
/// use logwood_testkit::{DynValue, in_dynamic_span};
/// in_dynamic_span(&[("user.id", DynValue::U64(42))], || tracing::info!("inside"));
/// ```
pub fn in_dynamic_span<R>(fields: &[(&str, DynValue)], f: impl FnOnce() -> R) -> R {
    let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    let meta = leak_metadata("dynamic span", &names, Kind::SPAN);
    let held: Vec<Held<'_>> = fields.iter().map(|(_, v)| Held::new(v)).collect();
    let values: Vec<Option<&dyn Value>> = held.iter().map(|h| Some(h.as_value())).collect();
    let value_set = meta.fields().value_set_all(&values);
    let span = tracing::Span::new(meta, &value_set);
    span.in_scope(f)
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
    let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    let meta = leak_metadata("dynamic event", &names, Kind::EVENT);
    let held: Vec<Held<'_>> = fields.iter().map(|(_, v)| Held::new(v)).collect();
    let values: Vec<Option<&dyn Value>> = held.iter().map(|h| Some(h.as_value())).collect();
    let value_set = meta.fields().value_set_all(&values);
    Event::dispatch(meta, &value_set);
}
