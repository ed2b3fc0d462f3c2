//! Finding the PostgreSQL server binaries: `$PATH` first, then the newest versioned
//! `bin/` directory (`/usr/lib/postgresql/*/bin`).

use super::PgError;
use std::path::{Path, PathBuf};

/// Where to look for the server binaries. Injectable so tests can simulate a bare machine.
#[derive(Debug, Clone)]
pub struct BinarySearch {
    /// Directories searched first, in order (normally `$PATH`).
    pub path_dirs: Vec<PathBuf>,
    /// Roots holding one directory per version with a `bin/` inside (`/usr/lib/postgresql`);
    /// the newest version is tried first.
    pub versioned_roots: Vec<PathBuf>,
}

impl Default for BinarySearch {
    fn default() -> Self {
        BinarySearch::system()
    }
}

impl BinarySearch {
    /// `$PATH`, then `/usr/lib/postgresql/*/bin` (Debian and Ubuntu keep them there).
    pub fn system() -> BinarySearch {
        let path = std::env::var_os("PATH").unwrap_or_default();
        BinarySearch {
            path_dirs: std::env::split_paths(&path)
                .filter(|p| !p.as_os_str().is_empty())
                .collect(),
            versioned_roots: vec![PathBuf::from("/usr/lib/postgresql")],
        }
    }

    /// Every directory that will be tried, in order.
    pub fn candidates(&self) -> Vec<PathBuf> {
        let mut dirs = self.path_dirs.clone();
        for root in &self.versioned_roots {
            let Ok(entries) = std::fs::read_dir(root) else {
                continue;
            };
            let mut versions: Vec<(Vec<u64>, PathBuf)> = entries
                .flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (version_key(&name), e.path().join("bin"))
                })
                .collect();
            versions.sort_by(|a, b| b.0.cmp(&a.0));
            dirs.extend(versions.into_iter().map(|(_, bin)| bin));
        }
        dirs
    }

    /// The first directory holding both binaries.
    pub fn find(&self) -> Result<PgBinaries, PgError> {
        let candidates = self.candidates();
        candidates
            .iter()
            .find(|dir| {
                ["initdb", "postgres"]
                    .iter()
                    .all(|name| is_executable(&dir.join(name)))
            })
            .map(|dir| PgBinaries { dir: dir.clone() })
            .ok_or(PgError::NotFound {
                searched: candidates,
            })
    }
}

/// `"15"` → `[15]`, `"9.6"` → `[9, 6]`; names that are not versions sort last.
fn version_key(name: &str) -> Vec<u64> {
    name.split('.')
        .map_while(|part| part.parse().ok())
        .collect()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The directory holding `initdb` and `postgres`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    pub dir: PathBuf,
}

impl PgBinaries {
    pub(super) fn bin(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_version_first_and_path_before_roots() {
        let root = tempfile::tempdir().unwrap();
        for v in ["9.6", "15", "13", "notes"] {
            std::fs::create_dir_all(root.path().join(v).join("bin")).unwrap();
        }
        let search = BinarySearch {
            path_dirs: vec![PathBuf::from("/opt/pg/bin")],
            versioned_roots: vec![root.path().to_path_buf()],
        };
        let c = search.candidates();
        let names: Vec<String> = c.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(names[0], "/opt/pg/bin");
        assert!(names[1].ends_with("/15/bin"), "{names:?}");
        assert!(names[2].ends_with("/13/bin"), "{names:?}");
        assert!(names[3].ends_with("/9.6/bin"), "{names:?}");
        assert!(names[4].ends_with("/notes/bin"), "{names:?}");
    }

    #[test]
    fn a_directory_needs_both_executables() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str, mode: u32| {
            let p = dir.path().join(name);
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        make("initdb", 0o755);
        make("postgres", 0o644);
        let search = BinarySearch {
            path_dirs: vec![dir.path().to_path_buf()],
            versioned_roots: vec![],
        };
        let err = search.find().unwrap_err().to_string();
        assert!(err.contains("apt-get install postgresql"), "{err}");
        make("postgres", 0o755);
        assert_eq!(search.find().unwrap().dir, dir.path());
    }
}
