//! The resource of an OTLP layer's requests: who is logging.

use logwood_core::__private::system;
use logwood_core::Value;

/// The resource attributes, each key once, in this order: `service.name`
/// (the builder's, else one given as a resource attribute, else
/// `unknown_service:{process.executable.name}` as the OpenTelemetry
/// specification says), then, with `system`, `host.name`, `process.pid`
/// and `process.executable.name`, then the user's resource attributes
/// (one of the same key replaces the automatic value in place).
pub(crate) fn attributes(
    service_name: Option<&str>,
    user: &[(String, Value)],
    system_metadata: bool,
) -> Vec<(String, Value)> {
    let sys = system();
    let mut attrs: Vec<(String, Value)> = vec![(
        "service.name".to_owned(),
        Value::from(format!("unknown_service:{}", sys.process_name)),
    )];
    if system_metadata {
        attrs.push(("host.name".to_owned(), Value::from(sys.hostname.as_str())));
        attrs.push(("process.pid".to_owned(), Value::from(sys.pid)));
        attrs.push((
            "process.executable.name".to_owned(),
            Value::from(sys.process_name.as_str()),
        ));
    }
    for (key, value) in user {
        set(&mut attrs, key, value.clone());
    }
    if let Some(name) = service_name {
        set(&mut attrs, "service.name", Value::from(name));
    }
    attrs
}

fn set(attrs: &mut Vec<(String, Value)>, key: &str, value: Value) {
    match attrs.iter_mut().find(|(k, _)| k == key) {
        Some((_, slot)) => *slot = value,
        None => attrs.push((key.to_owned(), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_the_service_name_is_the_builders() {
        let user = vec![
            ("service.name".to_owned(), Value::from("from-attrs")),
            ("deployment.environment".to_owned(), Value::from("prod")),
            ("host.name".to_owned(), Value::from("web-1")),
        ];
        let attrs = attributes(Some("shop"), &user, true);
        let keys: Vec<&str> = attrs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "service.name",
                "host.name",
                "process.pid",
                "process.executable.name",
                "deployment.environment"
            ]
        );
        assert_eq!(attrs[0].1, Value::from("shop"));
        assert_eq!(attrs[1].1, Value::from("web-1"));
        let attrs = attributes(None, &user, false);
        assert_eq!(attrs[0].1, Value::from("from-attrs"));
        assert_eq!(attrs.len(), 3);
        let attrs = attributes(None, &[], false);
        assert!(matches!(&attrs[0].1, Value::Str(s) if s.starts_with("unknown_service:")));
    }
}
