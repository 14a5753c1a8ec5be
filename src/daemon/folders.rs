//! The drop folders on disk: which files to take, and where processed files go.
//!
//! A processed bank file moves to `archive/YYYY/MM/DD/`, a duplicate delivery to
//! `archive/duplicates/YYYY/MM/DD/`, a rejected one to `quarantine/` with a
//! `.error.txt` beside it. Names never collide: a clash gets a numbered suffix.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

/// Files that are not (yet) deliveries: partial uploads and hidden files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with(".part")
        || name.ends_with(".tmp")
        || name.ends_with(".error.txt")
}

/// The regular files of `dir` that are candidates, sorted by name.
pub fn list_candidates(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| entry.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter(|entry| !is_ignored(&entry.file_name().to_string_lossy()))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
}

/// `root/YYYY/MM/DD`.
pub fn dated_dir(root: &Path, date: NaiveDate) -> PathBuf {
    root.join(date.format("%Y").to_string())
        .join(date.format("%m").to_string())
        .join(date.format("%d").to_string())
}

/// A path in `dir` for `name` that does not exist yet.
fn free_path(dir: &Path, name: &str) -> PathBuf {
    let candidate = dir.join(name);
    if !candidate.exists() {
        return candidate;
    }
    (1..)
        .map(|n| dir.join(format!("{name}.{n}")))
        .find(|path| !path.exists())
        .unwrap_or(candidate)
}

/// Moves `file` into `dir` (created if needed), keeping its name unless taken.
/// Returns the new path; `Ok(None)` if the file is already gone (another instance
/// moved it).
pub fn move_into(file: &Path, dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let target = free_path(dir, &name);
    match std::fs::rename(file, &target) {
        Ok(()) => Ok(Some(target)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) => {
            // Another filesystem: copy, then remove the original.
            match std::fs::copy(file, &target) {
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(error) => {
                    return Err(error).with_context(|| {
                        format!("could not move {} to {}", file.display(), target.display())
                    })
                }
            }
            std::fs::remove_file(file)
                .with_context(|| format!("could not remove {}", file.display()))?;
            Ok(Some(target))
        }
    }
}

/// Moves a rejected file into quarantine and writes the reason beside it.
pub fn quarantine(
    file: &Path,
    quarantine_dir: &Path,
    reason: &str,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(target) = move_into(file, quarantine_dir)? else {
        return Ok(None);
    };
    let mut error_path = target.clone().into_os_string();
    error_path.push(".error.txt");
    std::fs::write(&error_path, format!("{reason}\n"))
        .with_context(|| format!("could not write {}", PathBuf::from(&error_path).display()))?;
    Ok(Some(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_and_hidden_files_are_ignored() {
        for name in [".hidden", "upload.part", "x.tmp", "a.csv.error.txt"] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("statement.xml"));
    }

    #[test]
    fn moves_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("archive");
        for _ in 0..2 {
            let file = dir.path().join("a.csv");
            std::fs::write(&file, "x").unwrap();
            move_into(&file, &target).unwrap().unwrap();
        }
        assert!(target.join("a.csv").exists() && target.join("a.csv.1").exists());
        assert_eq!(
            move_into(&dir.path().join("gone.csv"), &target).unwrap(),
            None
        );
        let file = dir.path().join("bad.csv");
        std::fs::write(&file, "x").unwrap();
        quarantine(&file, &dir.path().join("q"), "line 2: bad amount").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("q/bad.csv.error.txt")).unwrap(),
            "line 2: bad amount\n"
        );
    }

    #[test]
    fn archive_folders_are_dated() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(
            dated_dir(Path::new("archive"), date),
            PathBuf::from("archive/2026/01/05")
        );
    }
}
