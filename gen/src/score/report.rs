//! Renders a score as an aligned table (people) or JSON (tooling).

use std::io::Write;

use recond::output::{OutputFormat, Table};

use super::compare::{CaseScore, Report};

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}", r * 100.0))
        .unwrap_or_else(|| "-".to_owned())
}

fn row(score: &CaseScore) -> Vec<String> {
    vec![
        score.case.clone(),
        score.payments.to_string(),
        score.should_apply.to_string(),
        score.applied_right.to_string(),
        percent(score.auto_apply_rate()),
        score.wrong.to_string(),
        score.status_ok.to_string(),
        score.missing.to_string(),
        score.exceptions_with_right_invoice.to_string(),
        percent(score.suggestion_hit_rate()),
    ]
}

pub const COLUMNS: [&str; 10] = [
    "case",
    "payments",
    "should_apply",
    "applied_right",
    "auto_apply_pct",
    "wrong",
    "status_ok",
    "missing",
    "exc_with_invoice",
    "suggestion_hit_pct",
];

pub fn write_table(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut table = Table::new(&COLUMNS);
    for score in &report.cases {
        table.push(row(score));
    }
    table.push(row(&report.overall));
    table.write(OutputFormat::Table, out)?;
    writeln!(
        out,
        "\npayments recond stored that the truth does not know: {} (with {} applications, counted wrong)",
        report.unexpected_payments, report.unexpected_applications
    )?;
    Ok(())
}

pub fn write_json(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let case = |score: &CaseScore| {
        serde_json::json!({
            "case": score.case,
            "payments": score.payments,
            "should_apply": score.should_apply,
            "applied_right": score.applied_right,
            "auto_apply_rate": score.auto_apply_rate(),
            "wrong": score.wrong,
            "status_ok": score.status_ok,
            "missing": score.missing,
            "exceptions_with_right_invoice": score.exceptions_with_right_invoice,
            "suggestion_hits": score.suggestion_hits,
            "suggestion_hit_rate": score.suggestion_hit_rate(),
        })
    };
    let value = serde_json::json!({
        "overall": case(&report.overall),
        "cases": report.cases.iter().map(case).collect::<Vec<_>>(),
        "unexpected_payments": report.unexpected_payments,
        "unexpected_applications": report.unexpected_applications,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)?;
    Ok(())
}
