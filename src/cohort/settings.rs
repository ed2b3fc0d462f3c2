//! The `[cohort]` config section: thresholds, the existing-users query and the size limit.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a cohort must look like before invites go out. Every field has a default, so a missing
/// `[cohort]` section (or no config at all) validates with the seed's thresholds.
///
/// `groups` is a table (`[cohort.groups]`, `creator = 5`): writing it replaces the default table
/// whole, so a config that only lists `press = 2` no longer checks `creator` or `listener`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortSettings {
    /// Fewer valid rows than this is a `too_few_rows` warning.
    #[serde(default = "default_min_rows")]
    pub min_rows: u64,
    /// Minimum valid rows per label group (the part of the label before the first `-`):
    /// `[cohort.groups]`, `creator = 5`; writing it replaces the default table whole.
    #[serde(default = "default_groups")]
    pub groups: BTreeMap<String, u64>,
    /// Fewer distinct labels than this is a `too_few_labels` warning.
    #[serde(default = "default_min_labels")]
    pub min_labels: u64,
    /// SQL whose first column lists the product's users' emails; it runs once per check,
    /// read-only, with the `[defaults] timeout` as statement timeout.
    // Its rows stream to gonogo, which lowercases them itself: the database's collation does
    // not matter.
    #[serde(default = "default_existing_users_query")]
    pub existing_users_query: String,
    /// Files with more data rows than this are refused, so memory stays bounded.
    #[serde(default = "default_max_rows")]
    pub max_rows: u64,
}

impl Default for CohortSettings {
    fn default() -> Self {
        CohortSettings {
            min_rows: default_min_rows(),
            groups: default_groups(),
            min_labels: default_min_labels(),
            existing_users_query: default_existing_users_query(),
            max_rows: default_max_rows(),
        }
    }
}

impl CohortSettings {
    /// The minimum for a group, in any case.
    pub fn group_minimum(&self, group: &str) -> Option<u64> {
        self.group_minimums()
            .get(group_key(group).as_ref())
            .copied()
    }

    /// The `groups` table keyed as groups are counted ([`group_key`]). Two spellings of one
    /// group (`creator` and `Creator`) keep the larger minimum.
    pub fn group_minimums(&self) -> BTreeMap<String, u64> {
        let mut minimums: BTreeMap<String, u64> = BTreeMap::new();
        for (name, &min) in &self.groups {
            let at = minimums.entry(group_key(name).into_owned()).or_insert(min);
            *at = (*at).max(min);
        }
        minimums
    }
}

/// How a group is named once counted: lowercased, in full Unicode. A label's group and the
/// groups of `[cohort.groups]` are compared through this one function.
pub fn group_key(name: &str) -> Cow<'_, str> {
    if name.chars().any(char::is_uppercase) {
        Cow::Owned(name.to_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn default_min_rows() -> u64 {
    50
}

fn default_groups() -> BTreeMap<String, u64> {
    BTreeMap::from([("creator".to_owned(), 5), ("listener".to_owned(), 20)])
}

fn default_min_labels() -> u64 {
    3
}

fn default_existing_users_query() -> String {
    "SELECT email FROM users".to_owned()
}

fn default_max_rows() -> u64 {
    2_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_gives_the_seed_thresholds() {
        let s: CohortSettings = toml::from_str("").unwrap();
        assert_eq!(s, CohortSettings::default());
        assert_eq!(s.min_rows, 50);
        assert_eq!(s.group_minimum("creator"), Some(5));
        assert_eq!(s.group_minimum("Listener"), Some(20));
        assert_eq!(s.min_labels, 3);
        assert_eq!(s.existing_users_query, "SELECT email FROM users");
    }

    #[test]
    fn groups_table_replaces_the_defaults() {
        let s: CohortSettings = toml::from_str("min_rows = 10\n[groups]\npress = 2\n").unwrap();
        assert_eq!(s.min_rows, 10);
        assert_eq!(s.group_minimum("press"), Some(2));
        assert_eq!(s.group_minimum("creator"), None);
    }

    #[test]
    fn two_spellings_of_a_group_keep_the_larger_minimum() {
        let s: CohortSettings = toml::from_str("[groups]\ncreator = 5\nCreator = 8\n").unwrap();
        assert_eq!(
            s.group_minimums(),
            BTreeMap::from([("creator".to_owned(), 8)])
        );
        assert_eq!(s.group_minimum("CREATOR"), Some(8));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = toml::from_str::<CohortSettings>("min_row = 10\n").unwrap_err();
        assert!(e.to_string().contains("min_row"), "{e}");
    }
}
