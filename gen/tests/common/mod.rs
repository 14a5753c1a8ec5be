//! Helpers shared by the generator's integration tests: generate into a temporary
//! folder and list what was written.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use recond_gen::generate::{generate, Scenario, Settings};

pub fn scenario(seed: u64, payments: usize, days: u32) -> (tempfile::TempDir, Scenario) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let scenario = generate(
        &Settings {
            seed,
            payments,
            days,
            file_transactions_max: 20_000,
        },
        dir.path(),
    )
    .expect("the scenario is generated");
    (dir, scenario)
}

/// Every file under `dir`, sorted, as paths relative to `dir`.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).expect("under dir").to_owned());
            }
        }
    }
    found.sort();
    found
}

/// The bank files of every day.
pub fn bank_files(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "bank"))
        .map(|p| dir.join(p))
        .collect()
}
