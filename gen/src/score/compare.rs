//! The pure half of the scorer: truth rows and recond's exports in, counts out.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// Parses `1250.00`, `-15.5` or `12` into cents.
pub fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if fraction.len() > 2 || whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
}

/// One row of truth.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRow {
    pub source_file: String,
    pub bank_ref: String,
    pub case: String,
    pub expected_status: String,
    pub invoice_id: String,
    pub applied: Option<i64>,
    pub writeoff: Option<i64>,
    pub writeoff_reason: String,
}

/// A payment as `recond export payments` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActualPayment {
    pub source_file: String,
    pub bank_ref: String,
    pub status: String,
}

/// An active application as `recond export applications` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActualApplication {
    pub source_file: String,
    pub bank_ref: String,
    pub invoice_id: String,
    pub applied: i64,
    pub writeoff: i64,
    pub writeoff_reason: String,
}

/// An open exception and its suggested invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActualException {
    pub source_file: String,
    pub bank_ref: String,
    pub suggested_invoices: Vec<String>,
}

/// Counts for one case (or overall).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseScore {
    pub case: String,
    pub payments: usize,
    pub should_apply: usize,
    pub applied_right: usize,
    pub wrong: usize,
    /// Payments whose final status is the expected one (for duplicates: not stored again).
    pub status_ok: usize,
    /// Truth payments recond did not store (a rejected file, a parser gap).
    pub missing: usize,
    pub exceptions_with_right_invoice: usize,
    pub suggestion_hits: usize,
}

impl CaseScore {
    fn add(&mut self, other: &CaseScore) {
        self.payments += other.payments;
        self.should_apply += other.should_apply;
        self.applied_right += other.applied_right;
        self.wrong += other.wrong;
        self.status_ok += other.status_ok;
        self.missing += other.missing;
        self.exceptions_with_right_invoice += other.exceptions_with_right_invoice;
        self.suggestion_hits += other.suggestion_hits;
    }

    /// Applied right ÷ should apply, or `None` when nothing should apply.
    pub fn auto_apply_rate(&self) -> Option<f64> {
        ratio(self.applied_right, self.should_apply)
    }

    pub fn suggestion_hit_rate(&self) -> Option<f64> {
        ratio(self.suggestion_hits, self.exceptions_with_right_invoice)
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub overall: CaseScore,
    pub cases: Vec<CaseScore>,
    /// Payments recond stored that the truth does not know.
    pub unexpected_payments: usize,
    /// Applications on those payments (all counted as wrong overall).
    pub unexpected_applications: usize,
}

type Key = (String, String);

fn key(source_file: &str, bank_ref: &str) -> Key {
    (source_file.to_owned(), bank_ref.to_owned())
}

/// Compares recond's exports with the truth. `case_order` lists case names in the
/// order to report them (cases not listed follow alphabetically).
pub fn compare(
    truth: &[TruthRow],
    payments: &[ActualPayment],
    applications: &[ActualApplication],
    exceptions: &[ActualException],
    case_order: &[&str],
) -> Report {
    let mut expected: BTreeMap<Key, Vec<&TruthRow>> = BTreeMap::new();
    for row in truth {
        expected
            .entry(key(&row.source_file, &row.bank_ref))
            .or_default()
            .push(row);
    }
    let actual_payments: HashMap<Key, &ActualPayment> = payments
        .iter()
        .map(|p| (key(&p.source_file, &p.bank_ref), p))
        .collect();
    let mut actual_applications: HashMap<Key, Vec<&ActualApplication>> = HashMap::new();
    for application in applications {
        actual_applications
            .entry(key(&application.source_file, &application.bank_ref))
            .or_default()
            .push(application);
    }
    let suggestions: HashMap<Key, &ActualException> = exceptions
        .iter()
        .map(|e| (key(&e.source_file, &e.bank_ref), e))
        .collect();

    let mut by_case: BTreeMap<String, CaseScore> = BTreeMap::new();
    for (payment_key, rows) in &expected {
        let first = rows[0];
        let score = by_case
            .entry(first.case.clone())
            .or_insert_with(|| CaseScore {
                case: first.case.clone(),
                ..CaseScore::default()
            });
        score.payments += 1;
        let applied: &[&ActualApplication] = actual_applications
            .get(payment_key)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let payment = actual_payments.get(payment_key);
        if first.expected_status == "duplicate" {
            score.wrong += usize::from(!applied.is_empty());
            score.status_ok += usize::from(payment.is_none());
            continue;
        }
        let should_apply = matches!(
            first.expected_status.as_str(),
            "applied" | "partially_applied"
        );
        score.should_apply += usize::from(should_apply);
        let Some(payment) = payment else {
            score.missing += 1;
            continue;
        };
        score.status_ok += usize::from(payment.status == first.expected_status);
        let expected_applications: Vec<(&str, i64, i64, &str)> = rows
            .iter()
            .filter(|row| row.applied.is_some())
            .map(|row| {
                let writeoff = row.writeoff.unwrap_or(0);
                let reason = if writeoff == 0 {
                    ""
                } else {
                    row.writeoff_reason.as_str()
                };
                (
                    row.invoice_id.as_str(),
                    row.applied.unwrap_or(0),
                    writeoff,
                    reason,
                )
            })
            .collect();
        let actual: Vec<(&str, i64, i64, &str)> = applied
            .iter()
            .map(|a| {
                let reason = if a.writeoff == 0 {
                    ""
                } else {
                    a.writeoff_reason.as_str()
                };
                (a.invoice_id.as_str(), a.applied, a.writeoff, reason)
            })
            .collect();
        if should_apply {
            let mut want = expected_applications.clone();
            let mut got = actual.clone();
            want.sort_unstable();
            got.sort_unstable();
            if !got.is_empty() && want == got {
                score.applied_right += 1;
            } else if got
                .iter()
                .any(|g| !want.iter().any(|w| (w.0, w.1, w.2) == (g.0, g.1, g.2)))
            {
                score.wrong += 1;
            }
        } else if !actual.is_empty() {
            score.wrong += 1;
        }
        if payment.status == "exception" {
            let right: Vec<&str> = rows
                .iter()
                .map(|row| row.invoice_id.as_str())
                .filter(|id| !id.is_empty())
                .collect();
            if !right.is_empty() {
                score.exceptions_with_right_invoice += 1;
                let hit = suggestions.get(payment_key).is_some_and(|e| {
                    e.suggested_invoices
                        .iter()
                        .any(|s| right.contains(&s.as_str()))
                });
                score.suggestion_hits += usize::from(hit);
            }
        }
    }

    let mut report = Report::default();
    for payment in payments {
        if !expected.contains_key(&key(&payment.source_file, &payment.bank_ref)) {
            report.unexpected_payments += 1;
            report.unexpected_applications += actual_applications
                .get(&key(&payment.source_file, &payment.bank_ref))
                .map_or(0, Vec::len);
        }
    }
    let mut cases: Vec<CaseScore> = Vec::new();
    for name in case_order {
        if let Some(score) = by_case.remove(*name) {
            cases.push(score);
        }
    }
    cases.extend(by_case.into_values());
    report.overall.case = "overall".to_owned();
    for score in &cases {
        report.overall.add(score);
    }
    report.overall.wrong += report.unexpected_applications;
    report.cases = cases;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn truth(
        file: &str,
        bank_ref: &str,
        case: &str,
        status: &str,
        invoice: &str,
        applied: Option<i64>,
        writeoff: Option<i64>,
        reason: &str,
    ) -> TruthRow {
        TruthRow {
            source_file: file.into(),
            bank_ref: bank_ref.into(),
            case: case.into(),
            expected_status: status.into(),
            invoice_id: invoice.into(),
            applied,
            writeoff,
            writeoff_reason: reason.into(),
        }
    }

    fn paid(file: &str, bank_ref: &str, status: &str) -> ActualPayment {
        ActualPayment {
            source_file: file.into(),
            bank_ref: bank_ref.into(),
            status: status.into(),
        }
    }

    fn app(
        file: &str,
        bank_ref: &str,
        invoice: &str,
        applied: i64,
        writeoff: i64,
        reason: &str,
    ) -> ActualApplication {
        ActualApplication {
            source_file: file.into(),
            bank_ref: bank_ref.into(),
            invoice_id: invoice.into(),
            applied,
            writeoff,
            writeoff_reason: reason.into(),
        }
    }

    #[test]
    fn amounts_parse_to_cents() {
        assert_eq!(parse_cents("1250.00"), Some(125_000));
        assert_eq!(parse_cents("-15.5"), Some(-1_550));
        assert_eq!(parse_cents("12"), Some(1_200));
        assert_eq!(parse_cents("1.234"), None);
        assert_eq!(parse_cents(""), None);
    }

    /// A hand-made truth and export pair with every kind of outcome, counted by hand.
    #[test]
    fn counts_match_a_hand_made_pair() {
        let truth = vec![
            // 1: exact, applied right.
            truth(
                "a.csv",
                "1",
                "exact_reference",
                "applied",
                "INV-1",
                Some(10_000),
                Some(0),
                "",
            ),
            // 2: exact, applied to the wrong invoice: wrong.
            truth(
                "a.csv",
                "2",
                "exact_reference",
                "applied",
                "INV-2",
                Some(20_000),
                Some(0),
                "",
            ),
            // 3: exact, left as exception, right invoice suggested.
            truth(
                "a.csv",
                "3",
                "exact_reference",
                "applied",
                "INV-3",
                Some(30_000),
                Some(0),
                "",
            ),
            // 4: two invoices, only one applied: not right, not wrong.
            truth(
                "a.csv",
                "4",
                "structured_remittance",
                "applied",
                "INV-4",
                Some(1_000),
                Some(0),
                "",
            ),
            truth(
                "a.csv",
                "4",
                "structured_remittance",
                "applied",
                "INV-5",
                Some(2_000),
                Some(0),
                "",
            ),
            // 5: discount, applied with the right write-off and reason.
            truth(
                "a.csv",
                "5",
                "early_payment_discount",
                "applied",
                "INV-6",
                Some(9_800),
                Some(200),
                "discount",
            ),
            // 6: ambiguous, applied anyway: wrong; and the exception-less payment has no hit.
            truth(
                "a.csv",
                "6",
                "ambiguous_amount",
                "exception",
                "INV-7",
                None,
                None,
                "",
            ),
            // 7: ambiguous, left as exception, suggestion misses.
            truth(
                "a.csv",
                "7",
                "ambiguous_amount",
                "exception",
                "INV-8",
                None,
                None,
                "",
            ),
            // 8: missing from the export.
            truth(
                "a.csv",
                "8",
                "exact_reference",
                "applied",
                "INV-9",
                Some(100),
                Some(0),
                "",
            ),
            // 9: duplicate delivery, not stored again: status ok.
            truth(
                "b.csv",
                "1",
                "duplicate_file",
                "duplicate",
                "",
                None,
                None,
                "",
            ),
        ];
        let payments = vec![
            paid("a.csv", "1", "applied"),
            paid("a.csv", "2", "applied"),
            paid("a.csv", "3", "exception"),
            paid("a.csv", "4", "partially_applied"),
            paid("a.csv", "5", "applied"),
            paid("a.csv", "6", "applied"),
            paid("a.csv", "7", "exception"),
            paid("z.csv", "9", "applied"),
        ];
        let applications = vec![
            app("a.csv", "1", "INV-1", 10_000, 0, ""),
            app("a.csv", "2", "INV-99", 20_000, 0, ""),
            app("a.csv", "4", "INV-4", 1_000, 0, ""),
            app("a.csv", "5", "INV-6", 9_800, 200, "discount"),
            app("a.csv", "6", "INV-7", 5_000, 0, ""),
            app("z.csv", "9", "INV-1", 1, 0, ""),
        ];
        let exceptions = vec![
            ActualException {
                source_file: "a.csv".into(),
                bank_ref: "3".into(),
                suggested_invoices: vec!["INV-0".into(), "INV-3".into()],
            },
            ActualException {
                source_file: "a.csv".into(),
                bank_ref: "7".into(),
                suggested_invoices: vec!["INV-X".into()],
            },
        ];
        let report = compare(
            &truth,
            &payments,
            &applications,
            &exceptions,
            &["exact_reference"],
        );
        let exact = &report.cases[0];
        assert_eq!(exact.case, "exact_reference");
        assert_eq!(
            (
                exact.payments,
                exact.should_apply,
                exact.applied_right,
                exact.wrong,
                exact.missing,
                exact.status_ok
            ),
            (4, 4, 1, 1, 1, 2)
        );
        assert_eq!(
            (exact.exceptions_with_right_invoice, exact.suggestion_hits),
            (1, 1)
        );
        let ambiguous = report
            .cases
            .iter()
            .find(|c| c.case == "ambiguous_amount")
            .unwrap();
        assert_eq!(
            (ambiguous.payments, ambiguous.wrong, ambiguous.status_ok),
            (2, 1, 1)
        );
        assert_eq!(
            (
                ambiguous.exceptions_with_right_invoice,
                ambiguous.suggestion_hits
            ),
            (1, 0)
        );
        let structured = report
            .cases
            .iter()
            .find(|c| c.case == "structured_remittance")
            .unwrap();
        assert_eq!((structured.applied_right, structured.wrong), (0, 0));
        let overall = &report.overall;
        assert_eq!(overall.payments, 9);
        assert_eq!(overall.should_apply, 6);
        assert_eq!(overall.applied_right, 2);
        // Two wrong truth payments plus one application on a payment the truth does not know.
        assert_eq!(overall.wrong, 3);
        assert_eq!(
            (report.unexpected_payments, report.unexpected_applications),
            (1, 1)
        );
        assert_eq!(overall.auto_apply_rate(), Some(2.0 / 6.0));
        assert_eq!(overall.suggestion_hit_rate(), Some(0.5));
    }
}
