//! Golden tests of the BAI2 reader: every file in `fixtures/bai2/ok` must parse without
//! an error and every file in `fixtures/bai2/err` with at least one; each output is
//! compared with the `.expected` file beside it. `UPDATE_EXPECT=1` rewrites them.

use std::path::{Path, PathBuf};

use parsers::{Collect, Format, Options};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bai2")
}

/// The golden text of one file: the collected statements (for `ok` files) and the
/// diagnostics, one per line.
fn render(path: &Path, with_dump: bool) -> (String, bool) {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut sink = Collect::default();
    let report = parsers::parse(Format::Bai2, &bytes[..], &Options::default(), &mut sink);
    assert!(
        sink.orphans.is_empty(),
        "{}: transactions without statement",
        path.display()
    );
    let mut out = String::new();
    if with_dump {
        out.push_str(&sink.dump());
    }
    out.push_str(&format!("version {:?}\n", report.version));
    for diagnostic in &report.diagnostics {
        out.push_str(&format!("{diagnostic}\n"));
    }
    (out, report.is_valid())
}

fn check(kind: &str) -> usize {
    let folder = fixtures().join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bai"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", folder.display());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in &paths {
        let (actual, valid) = render(path, kind == "ok");
        match kind {
            "ok" => assert!(
                valid,
                "{} must parse without error:\n{actual}",
                path.display()
            ),
            _ => assert!(!valid, "{} must be rejected:\n{actual}", path.display()),
        }
        let expected_path = path.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &actual).expect("write golden file");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{} differs from {}:\n--- expected\n{expected}--- actual\n{actual}",
                path.display(),
                expected_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    paths.len()
}

#[test]
fn ok_fixtures_parse_as_expected() {
    check("ok");
}

#[test]
fn err_fixtures_are_rejected_as_expected() {
    check("err");
}

/// Inputs the fuzzer once crashed on: parsing them must simply not panic.
#[test]
fn crashers_do_not_panic() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/crashers/bai2");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|ext| ext == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read crasher");
        let mut sink = Collect::default();
        let _ = parsers::parse(Format::Bai2, &bytes[..], &Options::default(), &mut sink);
    }
}
