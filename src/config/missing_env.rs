//! Every `${VAR}` the environment lacks, found before the config is parsed, so one run of
//! `config check` names them all, in file order, each at its own value.

use super::secret::interpolate;
use std::cell::RefCell;
use toml::de::{DeTable, DeValue};

/// Keys whose string values are `${VAR}`-expanded (the config's `EnvString`, `ConfigUrl` and
/// `Secret` fields), and tables whose every value is. Other strings (`pass`, `id`, `every`, the
/// `[cohort]` query) are taken as written, so a `${` in them is no variable.
const EXPANDED_KEYS: &[&str] = &[
    "name",
    "environment",
    "url",
    "org",
    "token",
    "title",
    "query",
    "project",
    "stats_period",
    "path",
    "command",
];
const EXPANDED_TABLES: &[&str] = &["headers"];

/// One unset variable: the byte offset of the value naming it, and the variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVariable {
    pub offset: usize,
    pub name: String,
}

/// The unset variables of `text`, in file order; empty when the text is not TOML (the parser
/// reports that) or nothing is missing.
pub fn missing_variables(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Vec<MissingVariable> {
    let Ok(root) = DeTable::parse(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    visit_table(root.get_ref(), false, &lookup, &mut found);
    found.sort_by_key(|m| m.offset);
    found
}

fn visit_table(
    table: &DeTable<'_>,
    expanded: bool,
    lookup: &impl Fn(&str) -> Option<String>,
    found: &mut Vec<MissingVariable>,
) {
    for (key, value) in table {
        let key = key.get_ref().as_ref();
        let expanded = expanded || EXPANDED_KEYS.contains(&key);
        let inner_expanded = EXPANDED_TABLES.contains(&key);
        visit_value(value, expanded, inner_expanded, lookup, found);
    }
}

fn visit_value(
    value: &toml::Spanned<DeValue<'_>>,
    expanded: bool,
    inner_expanded: bool,
    lookup: &impl Fn(&str) -> Option<String>,
    found: &mut Vec<MissingVariable>,
) {
    match value.get_ref() {
        DeValue::String(text) if expanded => {
            for name in unset_in(text, lookup) {
                found.push(MissingVariable {
                    offset: value.span().start,
                    name,
                });
            }
        }
        DeValue::Table(table) => visit_table(table, inner_expanded, lookup, found),
        DeValue::Array(items) => {
            for item in items.iter() {
                visit_value(item, expanded, inner_expanded, lookup, found);
            }
        }
        _ => {}
    }
}

/// The variables `raw` names that `lookup` does not know, in order.
fn unset_in(raw: &str, lookup: &impl Fn(&str) -> Option<String>) -> Vec<String> {
    let unset = RefCell::new(Vec::new());
    // A missing variable expands to nothing here so the scan goes on to the next one; syntax
    // errors (`${BAD NAME}`) are left to the parser, which reports them at their value.
    let _ = interpolate(raw, |name| {
        lookup(name).or_else(|| {
            unset.borrow_mut().push(name.to_owned());
            Some(String::new())
        })
    });
    unset.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "SET").then(|| "x".to_owned())
    }

    #[test]
    fn every_unset_variable_in_file_order_and_only_where_expanded() {
        let text = "[launch]\nname = \"${A}\"\n[prometheus]\nurl = \"${SET}/${B}\"\nheaders = { X = \"${C}\" }\n[[gate]]\nid = \"${NOT_EXPANDED}\"\ncommand = [\"run\", \"${D}\"]\npass = \"== 0\"\n";
        let found = missing_variables(text, env);
        let names: Vec<&str> = found.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
        assert_eq!(&text[found[0].offset..found[0].offset + 6], "\"${A}\"");
        assert!(found.windows(2).all(|w| w[0].offset <= w[1].offset));
    }

    #[test]
    fn not_toml_is_left_to_the_parser() {
        assert!(missing_variables("[launch\nname = \"${A}\"", env).is_empty());
    }
}
