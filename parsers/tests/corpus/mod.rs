//! The shared corpus and its MANIFEST.tsv, for the corpus tests of each format.

use std::collections::BTreeMap;
use std::path::Path;

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// One manifest row: its cells by column name.
pub struct Row(BTreeMap<String, String>);

impl Row {
    /// The cell of `column`, empty when the row has none.
    pub fn cell(&self, column: &str) -> &str {
        self.0.get(column).map_or("", String::as_str)
    }

    /// The file's path below the corpus.
    pub fn local_path(&self) -> &str {
        self.cell("local_path")
    }

    /// The file name, without its folders.
    pub fn file_name(&self) -> &str {
        let local = self.local_path();
        local.rsplit('/').next().unwrap_or(local)
    }

    /// The `key=value; …` facts the manifest computed from the file.
    pub fn facts(&self) -> BTreeMap<String, String> {
        facts(self.cell("intrinsic_facts_computed"))
    }
}

/// The manifest rows of one format, in manifest order. Panics, naming the path,
/// when the corpus is missing: the corpus tests must not pass without it.
pub fn rows(format: &str) -> Vec<Row> {
    let manifest_path = Path::new(CORPUS).join("MANIFEST.tsv");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap_or_else(|error| {
        panic!(
            "the shared corpus is missing ({}: {error}); it must sit beside the repository",
            manifest_path.display()
        )
    });
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    let needed = [
        "local_path",
        "format",
        "malformed",
        "golden_output_file",
        "intrinsic_facts_computed",
    ];
    for column in needed {
        assert!(header.contains(&column), "manifest has no column {column}");
    }
    lines
        .map(|line| {
            let cells = header
                .iter()
                .zip(line.split('\t'))
                .map(|(column, cell)| ((*column).to_owned(), cell.to_owned()));
            Row(cells.collect())
        })
        .filter(|row| row.cell("format") == format)
        .collect()
}

/// The `key=value; …` facts of a manifest cell, unquoted from the TSV's CSV quoting.
fn facts(cell: &str) -> BTreeMap<String, String> {
    let cell = match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => cell.to_owned(),
    };
    cell.split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}
