//! End to end on SQLite: a 100-payment scenario through the real pipeline, scored and
//! printed. The figures are not asserted (the engine is still exact-reference only);
//! the scorer's own arithmetic is asserted in `score::compare`'s unit tests.

mod common;

use recond_gen::cases::Case;
use recond_gen::score::{self, report, run};

#[test]
fn scores_a_small_scenario_end_to_end() {
    let (dir, scenario) = common::scenario(1, 100, 5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut progress = Vec::new();
    let actual = runtime
        .block_on(run::run(dir.path(), None, &mut progress))
        .expect("the pipeline runs");
    let truth = run::read_truth(dir.path()).unwrap();
    let order: Vec<&str> = Case::ALL.iter().map(|c| c.as_str()).collect();
    let report = score::compare(
        &truth,
        &actual.payments,
        &actual.applications,
        &actual.exceptions,
        &order,
    );
    let mut table = Vec::new();
    report::write_table(&report, &mut table).unwrap();
    println!(
        "{}\n{}",
        String::from_utf8_lossy(&progress),
        String::from_utf8_lossy(&table)
    );
    for (file, reason) in &actual.rejected {
        println!("rejected {file}: {reason}");
    }
    let truth_payments: usize = scenario.cases.values().sum();
    assert_eq!(report.overall.payments, truth_payments);
    // Every CSV transaction is stored (main parses the CSV format already).
    let csv_missing: usize = truth
        .iter()
        .filter(|row| row.source_file.ends_with(".csv") && row.case != "duplicate_file")
        .filter(|row| {
            !actual
                .payments
                .iter()
                .any(|p| p.source_file == row.source_file && p.bank_ref == row.bank_ref)
        })
        .count();
    assert_eq!(csv_missing, 0);
    let mut json = Vec::new();
    report::write_json(&report, &mut json).unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(parsed["overall"]["payments"], truth_payments);
}
