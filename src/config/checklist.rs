//! The `[checklist]` and `[decision]` config sections: where the decision call's checklist file
//! is, and which roles vote GO/NO-GO under which rule.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[checklist]`: the task-list Markdown file, relative to the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistSettings {
    /// The checklist's Markdown file (any GitHub task list), relative to the config file.
    pub path: PathBuf,
}

/// `[decision]`: who votes, and when the votes make a GO.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionSettings {
    /// Who votes GO/NO-GO: not empty, no role twice.
    #[serde(default = "default_roles")]
    pub roles: Vec<String>,
    /// `unanimous`: GO only if every role votes GO; `majority`: more than half of the roles
    /// vote GO.
    #[serde(default)]
    pub rule: DecisionRule,
}

impl Default for DecisionSettings {
    fn default() -> Self {
        DecisionSettings {
            roles: default_roles(),
            rule: DecisionRule::default(),
        }
    }
}

fn default_roles() -> Vec<String> {
    ["tech lead", "product lead", "on-call engineer"]
        .map(String::from)
        .to_vec()
}

/// How votes make an outcome.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DecisionRule {
    /// GO only if every role votes GO.
    #[default]
    Unanimous,
    /// GO when more than half of the roles vote GO.
    Majority,
}

impl DecisionRule {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionRule::Unanimous => "unanimous",
            DecisionRule::Majority => "majority",
        }
    }
}

impl DecisionSettings {
    /// What is wrong with the roles, if anything (an empty or repeated role).
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.roles.is_empty() {
            found.push("[decision] roles is empty: at least one role must vote".to_owned());
        }
        let mut seen = std::collections::BTreeSet::new();
        for role in &self.roles {
            let key = role_key(role);
            if key.is_empty() {
                found.push("[decision] roles: a role is blank".to_owned());
            } else if !seen.insert(key) {
                found.push(format!(
                    "[decision] roles: `{}` is listed twice",
                    crate::text::sanitize_short(role, 60)
                ));
            }
        }
        found
    }

    /// The role as configured that `written` names (case and spacing aside).
    pub fn role(&self, written: &str) -> Option<&str> {
        let key = role_key(written);
        self.roles
            .iter()
            .find(|r| role_key(r) == key)
            .map(String::as_str)
    }
}

/// A role compared as people type it: case and runs of spaces do not matter.
pub fn role_key(role: &str) -> String {
    role.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
