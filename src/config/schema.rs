//! The JSON Schema (draft 2020-12) of `gonogo.toml`, derived from the config types: their doc
//! comments are its descriptions, their serde defaults its defaults, `deny_unknown_fields` its
//! `additionalProperties: false`, so the schema refuses exactly the keys gonogo refuses.

use super::gates::SOURCE_KEYS;
use super::{ConfigUrl, EnvString, Environment, RawConfig, Secret, invites::Rate};
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde_json::{Map, Value, json};
use std::borrow::Cow;

/// The file `gonogo init` writes beside the config, and the `#:schema` line pointing at it.
pub const SCHEMA_FILE: &str = "gonogo.schema.json";

/// Config strings that are strings in the file, whatever they become once read.
macro_rules! string_in_the_file {
    ($($ty:ty),*) => {$(
        impl JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                "string".into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string" })
            }
        }
    )*};
}

string_in_the_file!(EnvString, Secret, ConfigUrl, Rate);

impl JsonSchema for Environment {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Environment".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Environment::ALL.iter().map(|e| e.as_str()).collect();
        json_schema!({ "type": "string", "enum": names })
    }
}

/// The schema of `gonogo.toml`. `actions` are the cockpit's action names with their help text
/// (the keymap lives with the cockpit): they are the keys `[keys]` accepts.
pub fn json_schema(actions: &[(&str, &str)]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    // One self-contained document: editors and the README's table read it without `$ref`s.
    settings.inline_subschemas = true;
    let schema = SchemaGenerator::new(settings).into_root_schema_for::<RawConfig>();
    let mut schema = schema.to_value();
    drop_null(&mut schema);
    unwrap_descriptions(&mut schema);
    // The root's doc comment speaks to gonogo's developers; this one to its users.
    schema["description"] = json!(
        "gonogo.toml, the config of gonogo, the launch-day cockpit: `gonogo config check` \
         validates it, `gonogo config schema` prints this schema."
    );
    if let Some(keys) = schema.pointer_mut("/properties/keys") {
        restrict_actions(keys, actions);
    }
    if let Some(gate) = schema.pointer_mut("/properties/gate/items") {
        restrict_sources(gate);
    }
    schema
}

/// TOML has no null: an optional key is one that may be left out, never one set to null.
fn drop_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(options)) = map.get_mut(key) {
                    options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                    if options.len() == 1 {
                        let Some(Value::Object(only)) = map
                            .remove(key)
                            .and_then(|mut o| o.as_array_mut().and_then(|a| a.pop()))
                        else {
                            continue;
                        };
                        for (k, v) in only {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// Doc comments wrap at 100 columns; a description is one line per paragraph.
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("description") {
                let paragraphs: Vec<String> = text
                    .split("\n\n")
                    .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect();
                *text = paragraphs.join("\n\n");
            }
            map.values_mut().for_each(unwrap_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

fn restrict_actions(keys: &mut Value, actions: &[(&str, &str)]) {
    let Some(keys) = keys.as_object_mut() else {
        return;
    };
    let properties: Map<String, Value> = actions
        .iter()
        .map(|(name, help)| {
            (
                (*name).to_owned(),
                json!({ "type": "string", "description": help }),
            )
        })
        .collect();
    keys.insert("properties".into(), Value::Object(properties));
    keys.insert("additionalProperties".into(), json!(false));
}

/// `source` is one of the known kinds, and each kind takes its own keys only (gonogo says
/// "does not apply" about the others).
fn restrict_sources(gate: &mut Value) {
    let kinds: Vec<&str> = SOURCE_KEYS.iter().map(|(kind, _)| *kind).collect();
    if let Some(source) = gate.pointer_mut("/properties/source") {
        source["enum"] = json!(kinds);
    }
    let mut specific: Vec<&str> = SOURCE_KEYS
        .iter()
        .flat_map(|(_, keys)| keys.iter().copied())
        .collect();
    specific.sort_unstable();
    specific.dedup();
    let rules: Vec<Value> = SOURCE_KEYS
        .iter()
        .map(|(kind, allowed)| {
            let refused: Map<String, Value> = specific
                .iter()
                .filter(|key| !allowed.contains(key))
                .map(|key| ((*key).to_owned(), json!(false)))
                .collect();
            json!({
                "if": { "properties": { "source": { "const": kind } }, "required": ["source"] },
                "then": { "properties": refused },
            })
        })
        .collect();
    if let Some(gate) = gate.as_object_mut() {
        gate.insert("allOf".into(), Value::Array(rules));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_description_and_optional_keys_are_never_null() {
        let schema = json_schema(&[("quit", "Quit")]);
        let text = schema.to_string();
        assert!(!text.contains("\"null\""), "{text}");
        let sections = schema["properties"].as_object().unwrap();
        for (name, section) in sections {
            let keys = section
                .get("properties")
                .or_else(|| section.pointer("/items/properties"))
                .and_then(Value::as_object);
            for (key, value) in keys.into_iter().flatten() {
                assert!(
                    value.get("description").is_some(),
                    "{name}.{key} has no description: {value}"
                );
            }
        }
    }
}
