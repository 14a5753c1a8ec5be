//! Checks on the source tree itself: module docs, the pure crates' dependency rule,
//! and the two SQL dialects kept in step.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::repo;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && !name.to_string_lossy().starts_with('.') {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    for dir in [
        "src",
        "parsers/src",
        "rules/src",
        "tests",
        "benches",
        "parsers/fuzz/fuzz_targets",
        "rules/benches",
    ] {
        rust_files(&repo().join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !first.starts_with("//!") && !path.ends_with("tests.rs")
        })
        .map(|p| p.strip_prefix(repo()).unwrap_or(p).display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a //! paragraph: {missing:?}"
    );
}

#[test]
fn pure_crates_depend_on_no_io_runtime_or_logging() {
    for krate in ["parsers", "rules"] {
        let output = Command::new(env!("CARGO"))
            .args(["tree", "-e", "normal", "--prefix", "none", "-p", krate])
            .current_dir(repo())
            .output()
            .expect("cargo tree");
        assert!(
            output.status.success(),
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let tree = String::from_utf8_lossy(&output.stdout);
        for forbidden in ["tokio", "sqlx", "tracing", "notify", "axum", "hyper"] {
            let offending: Vec<&str> = tree
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(forbidden))
                .collect();
            assert!(
                offending.is_empty(),
                "{krate} must stay pure but depends on {offending:?}"
            );
        }
    }
}

#[test]
fn sqlite_and_postgres_schemas_stay_in_step() {
    let migrations = repo().join("migrations");
    let sqlite_dir: Vec<_> = std::fs::read_dir(migrations.join("sqlite"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    for name in sqlite_dir {
        let sqlite = std::fs::read_to_string(migrations.join("sqlite").join(&name)).unwrap();
        let postgres = std::fs::read_to_string(migrations.join("postgres").join(&name))
            .unwrap_or_else(|_| {
                panic!("migrations/postgres/{} is missing", name.to_string_lossy())
            });
        let normalize = |sql: &str| -> Vec<String> {
            sql.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .map(|l| {
                    l.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "IDENTITY")
                        .replace(
                            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                            "IDENTITY",
                        )
                })
                .collect()
        };
        assert_eq!(
            normalize(&sqlite),
            normalize(&postgres),
            "{} differs beyond identity syntax",
            name.to_string_lossy()
        );
    }
}
