//! The decision call's checklist: any GitHub task-list Markdown file, parsed into sections and
//! items with their bindings (`<!-- gate: …, due: …, role: … -->`), each item known by its
//! section path and normalised text; the ticks shared in the database ([`ChecklistStore`]) laid
//! over it ([`view`]); and the tick and untick use cases the CLI and the cockpit share
//! ([`actions`]).

pub mod actions;
mod binding;
mod parse;
mod store;
mod view;

pub use actions::{ActionError, Resolved, find, resolve};
pub use binding::{Binding, Due};
pub use parse::{load, parse};
pub use store::ChecklistStore;
pub use view::{ChecklistView, ItemState, ItemView, Removed, SectionView, Tick, view};

use std::path::PathBuf;

/// A parsed checklist file.
#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    /// The file as named in messages.
    pub file: String,
    /// The document's title (a lone first `#` heading), not part of any section path.
    pub title: Option<String>,
    /// Every section that holds items, in file order.
    pub sections: Vec<Vec<String>>,
    pub items: Vec<Item>,
}

/// One task-list item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Short id to type (`gonogo checklist tick 3fa2c1d0`): derived from the key.
    pub id: String,
    /// The identity: section path and normalised text.
    pub key: String,
    pub section: Vec<String>,
    /// The item's text as shown (inline markup dropped, control characters stripped).
    pub text: String,
    /// 1-based line in the file.
    pub line: usize,
    /// 0 for a top-level item, 1 for one nested under another item, …
    pub depth: usize,
    /// `- [x]` in the file.
    pub done_in_file: bool,
    pub gate: Option<String>,
    pub due: Option<Due>,
    pub role: Option<String>,
}

impl Checklist {
    pub fn item_by_key(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// The gates its items are bound to, each once, in file order.
    pub fn gates(&self) -> Vec<String> {
        let mut gates: Vec<String> = Vec::new();
        for gate in self.items.iter().filter_map(|i| i.gate.as_ref()) {
            if !gates.contains(gate) {
                gates.push(gate.clone());
            }
        }
        gates
    }
}

/// Why a checklist file could not be used. Each names the file, and the line where there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChecklistError {
    #[error(
        "checklist {path}: the file does not exist (set [checklist] path, or run `gonogo init`)"
    )]
    Missing { path: String },
    #[error("checklist {path}: cannot read it: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "checklist {path}:{line}: the file is not valid UTF-8 (byte 0x{byte:02X}); save it as UTF-8"
    )]
    NotUtf8 { path: String, line: usize, byte: u8 },
    #[error("{}", render_problems(.path, .problems))]
    Invalid {
        path: String,
        problems: Vec<(usize, String)>,
    },
    #[error(
        "no [checklist] in the config: add `[checklist] path = \"CHECKLIST.md\"` (gonogo init writes a starter)"
    )]
    NotConfigured,
}

fn render_problems(path: &str, problems: &[(usize, String)]) -> String {
    problems
        .iter()
        .map(|(line, message)| format!("checklist {path}:{line}: {message}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ChecklistError {
    /// The process exit code it means: a file that cannot be read is 74, one that is wrong 78.
    pub fn exit_code(&self) -> u8 {
        match self {
            ChecklistError::Missing { .. } | ChecklistError::Read { .. } => crate::exit::IO,
            ChecklistError::NotUtf8 { .. }
            | ChecklistError::Invalid { .. }
            | ChecklistError::NotConfigured => crate::exit::CONFIG,
        }
    }
}

/// The checklist the config names, parsed against its gates.
pub fn load_configured(config: &crate::config::Config) -> Result<Checklist, ChecklistError> {
    let path: &PathBuf = config
        .checklist_path
        .as_ref()
        .ok_or(ChecklistError::NotConfigured)?;
    let gates: Vec<&str> = config.gates.iter().map(|g| g.id.as_str()).collect();
    load(path, &gates)
}

/// Text compared as identity: runs of whitespace are one space, case does not matter.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The identity of an item: its section path and normalised text.
pub fn item_key(section: &[String], text: &str) -> String {
    let mut key = section
        .iter()
        .map(|s| normalise(s))
        .collect::<Vec<_>>()
        .join(" / ");
    key.push_str(" :: ");
    key.push_str(&normalise(text));
    key
}

/// The short id of a key: the first `len` hex digits of its SHA-256.
pub fn short_id(key: &str, len: usize) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    let mut id = hex::encode(digest);
    id.truncate(len);
    id
}
