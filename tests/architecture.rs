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

/// The cockpit's modules below the pane registry: what a pane may use. None of them reaches
/// up to the registry, the state or what runs them, so no pane sits in an import circle with
/// the cockpit.
const BELOW_THE_PANES: &[&str] = &[
    "kit",
    "message",
    "overlay",
    "pane",
    "keys",
    "jobs",
    "theme",
    "format",
    "layout",
    "completeness",
    "derived",
];

/// The `tui` modules a file names: `crate::tui::x`, and `super::x` (`depth` 1) or
/// `super::super::x` (`depth` 2) from a file that deep under `src/tui/` (`depth` 0: only the
/// first spelling).
fn tui_modules_named(code: &str, depth: usize) -> Vec<String> {
    let mut prefixes = vec!["crate::tui::".to_owned()];
    if depth > 0 {
        prefixes.push(format!("{}::", vec!["super"; depth].join("::")));
    }
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = Vec::new();
    for prefix in &prefixes {
        for (at, _) in code.match_indices(prefix.as_str()) {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !module.is_empty() && module != "super" {
                named.push(module);
            }
        }
    }
    named
}

#[test]
fn panes_and_what_they_use_stay_below_the_registry() {
    let tui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut offences = Vec::new();
    let mut pane_files = Vec::new();
    for (_, folder) in pane_folders(&tui.join("panes")) {
        for file in rust_files(&folder) {
            pane_files.push((file, 0));
        }
    }
    pane_files.push((tui.join("panes/toy.rs"), 0));
    assert!(
        pane_files.len() >= 15,
        "the walk found the panes: {pane_files:?}"
    );
    for (file, depth) in &pane_files {
        for module in tui_modules_named(&code_of(file), *depth) {
            if !BELOW_THE_PANES.contains(&module.as_str()) {
                offences.push(format!("{} uses tui::{module}", file.display()));
            }
        }
        // Its own folder is fine; the registry and other panes are not (from a pane's
        // `mod.rs` or `toy.rs`, `super::` is the registry).
        let code = code_of(file);
        // A pane reaches the cockpit's modules as `crate::tui::…` only.
        let names_registry = code.contains("crate::tui::panes::")
            || code.contains("super::super")
            || ((file.ends_with("mod.rs") || file.ends_with("toy.rs")) && code.contains("super::"));
        if names_registry {
            offences.push(format!("{} names the pane registry", file.display()));
        }
    }
    for module in BELOW_THE_PANES {
        let single = tui.join(format!("{module}.rs"));
        let files = if single.exists() {
            vec![single]
        } else {
            rust_files(&tui.join(module))
        };
        assert!(!files.is_empty(), "tui::{module} exists");
        for file in files {
            let depth = if file.ends_with(format!("{module}.rs")) {
                1
            } else {
                2
            };
            for named in tui_modules_named(&code_of(&file), depth) {
                if !BELOW_THE_PANES.contains(&named.as_str()) {
                    offences.push(format!(
                        "{} (below the panes) uses tui::{named}",
                        file.display()
                    ));
                }
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
