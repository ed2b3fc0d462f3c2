//! The README's table of config keys, rendered from the JSON Schema: one row per section and
//! key with its type, default and description, so the README and the schema say the same.

use serde_json::Value;

/// The Markdown table of every key `schema` (from [`super::json_schema`]) describes. `[keys]`
/// gets one row: its keys are the cockpit's actions, which its help screen lists.
pub fn key_reference(schema: &Value) -> String {
    let mut out =
        String::from("| key | type | default | description |\n| --- | --- | --- | --- |\n");
    let required = names(schema.get("required"));
    let Some(sections) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    let mut order: Vec<(&String, &Value)> = sections.iter().collect();
    // The one required section first, arrays of tables (`[[gate]]`) last, the rest by name.
    order.sort_by_key(|(name, section)| {
        let rank = if required.contains(&name.as_str()) {
            0
        } else if section.get("type") == Some(&Value::from("array")) {
            2
        } else {
            1
        };
        (rank, name.as_str())
    });
    for (name, section) in order {
        let (heading, table) = match section.get("items") {
            Some(items) => (format!("[[{name}]]"), items),
            None => (format!("[{name}]"), section),
        };
        let section_default = if required.contains(&name.as_str()) {
            "required"
        } else {
            "—"
        };
        row(
            &mut out,
            &format!("`{heading}`"),
            "table",
            section_default,
            section,
        );
        if name == "keys" {
            continue;
        }
        let inner_required = names(table.get("required"));
        let keys = table.get("properties").and_then(Value::as_object);
        for (key, value) in keys.into_iter().flatten() {
            let default = if inner_required.contains(&key.as_str()) {
                "required".to_owned()
            } else {
                value
                    .get("default")
                    .map_or("—".to_owned(), |d| format!("`{}`", toml_inline(d)))
            };
            row(
                &mut out,
                &format!("`{heading} {key}`"),
                &type_of(value),
                &default,
                value,
            );
        }
    }
    out
}

fn names(list: Option<&Value>) -> Vec<&str> {
    list.and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn row(out: &mut String, key: &str, kind: &str, default: &str, schema: &Value) {
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    out.push_str(&format!(
        "| {key} | {kind} | {} | {} |\n",
        cell(default),
        cell(description)
    ));
}

/// One line, and a `|` that does not end the cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn type_of(schema: &Value) -> String {
    let choice = |v: &Value| match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{}`", toml_inline(other)),
    };
    let choices: Vec<String> = match (schema.get("enum"), schema.get("oneOf")) {
        (Some(Value::Array(values)), _) => values.iter().map(choice).collect(),
        (_, Some(Value::Array(options))) => options
            .iter()
            .filter_map(|o| o.get("const"))
            .map(choice)
            .collect(),
        _ => Vec::new(),
    };
    if !choices.is_empty() {
        return format!("one of {}", choices.join(", "));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            type_of(schema.get("items").unwrap_or(&Value::Null))
        ),
        Some("object") => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("table of {}", type_of(values)),
            _ => "table".to_owned(),
        },
        Some(kind) => kind.to_owned(),
        None => "any".to_owned(),
    }
}

/// A value as it would be written in `gonogo.toml`.
fn toml_inline(value: &Value) -> String {
    match value {
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(toml_inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k} = {}", toml_inline(v)))
                .collect();
            format!("{{ {} }}", pairs.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_carry_type_default_and_description() {
        let schema = json!({
            "required": ["launch"],
            "properties": {
                "launch": { "type": "object", "description": "What.", "required": ["name"],
                    "properties": {
                        "name": { "type": "string", "description": "The | name." },
                        "environment": { "type": "string", "enum": ["a", "b"], "default": "a",
                            "description": "Where\n  it runs." }
                    } },
                "gate": { "type": "array", "items": { "type": "object",
                    "properties": { "command": { "type": "array", "items": { "type": "string" },
                        "description": "argv" } } } }
            }
        });
        let table = key_reference(&schema);
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert_eq!(
            rows,
            [
                "| `[launch]` | table | required | What. |",
                "| `[launch] environment` | one of `a`, `b` | `\"a\"` | Where it runs. |",
                "| `[launch] name` | string | required | The \\| name. |",
                "| `[[gate]]` | table | — |  |",
                "| `[[gate]] command` | array of string | — | argv |",
            ]
        );
    }
}
