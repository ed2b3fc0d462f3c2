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
