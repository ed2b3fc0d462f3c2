//! The layering the design relies on, checked on the source: only `src/tui/` touches the
//! terminal, and nothing there names the database crate (the cockpit is one client of the core).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_cockpit_never_names_the_database_crate_and_only_it_names_the_terminal() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tui = src.join("tui");
    let mut offences = Vec::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        let in_tui = file.starts_with(&tui);
        if in_tui && text.contains("sqlx") {
            offences.push(format!("{} names sqlx", file.display()));
        }
        if !in_tui && (text.contains("ratatui::") || text.contains("crossterm::")) {
            offences.push(format!("{} touches the terminal", file.display()));
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
    assert!(
        rust_files(&tui).len() > 20,
        "the walk found the cockpit's files"
    );
}

/// A file's text without its unit-test module (tests may build whatever they need).
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn pane_folders(panes: &Path) -> Vec<(String, PathBuf)> {
    let mut folders: Vec<(String, PathBuf)> = std::fs::read_dir(panes)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    folders.sort();
    folders
}

#[test]
fn a_pane_never_imports_another_pane_nor_the_cockpit_state() {
    let panes = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/panes");
    let folders = pane_folders(&panes);
    assert!(folders.len() >= 5, "the walk found the panes: {folders:?}");
    let mut offences = Vec::new();
    for (name, folder) in &folders {
        for file in rust_files(folder) {
            let code = code_of(&file);
            for (other, _) in folders.iter().filter(|(n, _)| n != name) {
                for path in [format!("panes::{other}"), format!("super::super::{other}")] {
                    if code.contains(&path) {
                        offences.push(format!("{} names {path}", file.display()));
                    }
                }
            }
            // A pane reads the rest of the cockpit through `Cx` (update) and `View` (render).
            let imports_state = code.lines().any(|line| {
                line.contains("state::")
                    && line
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|word| word == "State")
            });
            if imports_state {
                offences.push(format!("{} imports the cockpit's State", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn nothing_outside_the_cockpit_names_a_pane() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tui = src.join("tui");
    let offences: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|f| !f.starts_with(&tui))
        .filter(|f| {
            let code = code_of(f);
            code.contains("panes::") || code.contains("Pane::")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(offences.is_empty(), "{offences:#?}");
}

/// The database layer is the pool, the error type, migrations and the listener: it imports no
/// domain, and each store is private to its domain (reached only through the domain's API).
#[test]
fn stores_live_with_their_domains_and_db_imports_none() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let domains = [
        "alerts",
        "checklist",
        "cohort",
        "decision",
        "gate",
        "handoff",
        "invite",
        "journal",
        "session",
        "source",
        "tui",
    ];
    let mut offences = Vec::new();
    for file in rust_files(&src.join("db")) {
        let code = code_of(&file);
        for domain in domains {
            if code.contains(&format!("crate::{domain}")) {
                offences.push(format!("{} imports crate::{domain}", file.display()));
            }
        }
    }
    let stores = [
        ("journal", "store"),
        ("checklist", "store"),
        ("decision", "store"),
        ("alerts", "store"),
        ("invite", "ledger"),
    ];
    for (domain, store) in stores {
        let module = src.join(domain).join("mod.rs");
        let code = code_of(&module);
        let private = code.lines().any(|l| l.trim() == format!("mod {store};"));
        if !private {
            offences.push(format!(
                "{} does not keep `mod {store};` private",
                module.display()
            ));
        }
        for file in rust_files(&src) {
            if file.starts_with(src.join(domain)) {
                continue;
            }
            if code_of(&file).contains(&format!("{domain}::{store}::")) {
                offences.push(format!("{} reaches {domain}::{store}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}
