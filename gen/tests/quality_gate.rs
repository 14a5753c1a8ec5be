//! The cash-application quality gate: a realistic 1,000-payment, five-day scenario
//! (fixed seed) through the real pipeline must have no wrong automatic application
//! and auto-apply at least 95 % of the payments that should apply. A change to the
//! engine, the shell or the parsers that breaks either fails CI here, with the
//! per-case table printed.

mod common;

use recond_gen::cases::Case;
use recond_gen::score::{self, report, run};

/// Fixed, so the gate is reproducible; any seed should pass (seeds 1-10 do).
const SEED: u64 = 7;
const PAYMENTS: usize = 1_000;
const DAYS: u32 = 5;
/// The floor; the engine does better (99 % or more on seeds 1-10).
const AUTO_APPLY_MIN: f64 = 0.95;

#[test]
fn no_wrong_application_and_auto_apply_at_least_95_percent() {
    let (dir, _) = common::scenario(SEED, PAYMENTS, DAYS);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut progress = Vec::new();
    let actual = runtime
        .block_on(run::run(dir.path(), None, &mut progress))
        .expect("the pipeline runs");
    let truth = run::read_truth(dir.path()).expect("truth.csv");
    let order: Vec<&str> = Case::ALL.iter().map(|c| c.as_str()).collect();
    let report = score::compare(
        &truth,
        &actual.payments,
        &actual.applications,
        &actual.exceptions,
        &order,
    );
    let mut table = Vec::new();
    report::write_table(&report, &mut table).expect("the table renders");
    let table = String::from_utf8_lossy(&table);
    println!("{table}");
    assert!(
        actual.rejected.is_empty(),
        "bank files rejected: {:?}",
        actual.rejected
    );
    assert_eq!(
        report.overall.wrong, 0,
        "wrong automatic applications (seed {SEED}):\n{table}"
    );
    assert_eq!(
        report.unexpected_applications, 0,
        "applications on payments the truth does not know:\n{table}"
    );
    let rate = report.overall.auto_apply_rate().expect("payments to apply");
    assert!(
        rate >= AUTO_APPLY_MIN,
        "auto-apply {:.1} % is under {:.0} % (seed {SEED}):\n{table}",
        rate * 100.0,
        AUTO_APPLY_MIN * 100.0
    );
}
