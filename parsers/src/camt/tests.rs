//! Unit tests of the CAMT reader.

use super::reader::{run, FileTotals};
use crate::diagnostic::Diagnostics;
use crate::options::Options;
use crate::sink::Collect;

fn read(bytes: &[u8], options: &Options) -> (Collect, Vec<String>, FileTotals, Option<String>) {
    let mut sink = Collect::default();
    let mut diagnostics = Diagnostics::new(options.limits.diagnostics_max);
    let outcome = run(bytes, options, &mut sink, &mut diagnostics);
    let rendered = diagnostics.list().iter().map(|d| d.to_string()).collect();
    (sink, rendered, outcome.totals, outcome.version)
}

#[test]
fn debug_dump_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/camt/genkgo-camt/test/data");
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "xml")).collect();
    names.sort();
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let (sink, diags, totals, version) = read(&bytes, &Options::default());
        println!("=== {} {:?}\n{}{}\n{:?}", path.display(), version, sink.dump(), diags.join("\n"), totals);
    }
}
