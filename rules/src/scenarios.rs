//! Runs the matching scenarios of `fixtures/rules/*.toml` (customers, invoices,
//! payments, optional rule overrides, expected decisions) through the engine and
//! the oracle: both must agree, keep the invariants, and give what the file expects.
//! The format is described in `fixtures/rules/README.md`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use parsers::model::{Direction, EntryStatus, Format, ReferenceKind, Remittance, RemittanceItem};
use parsers::money::{Currency, Money};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::decision::Decision;
use crate::input::{Customer, DiscountTerms, Inputs, Invoice, Payment};
use crate::ruleset::RuleSet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    today: Option<NaiveDate>,
    #[serde(default)]
    ruleset: Option<RuleSet>,
    #[serde(default)]
    customers: Vec<CustomerRow>,
    #[serde(default)]
    invoices: Vec<InvoiceRow>,
    payments: Vec<PaymentRow>,
    expect: Vec<Expect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerRow {
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    bank_accounts: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InvoiceRow {
    id: String,
    customer: String,
    amount: String,
    open: Option<String>,
    currency: Option<String>,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    po: Option<String>,
    discount_percent: Option<String>,
    discount_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemRow {
    kind: String,
    reference: String,
    paid: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentRow {
    id: i64,
    amount: String,
    available: Option<String>,
    currency: Option<String>,
    direction: Option<String>,
    status: Option<String>,
    booking_date: Option<NaiveDate>,
    end_to_end_id: Option<String>,
    customer_ref: Option<String>,
    payer_name: Option<String>,
    payer_account: Option<String>,
    bank_tx_code: Option<String>,
    #[serde(default)]
    lines: Vec<String>,
    #[serde(default)]
    items: Vec<ItemRow>,
    return_of: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationRow {
    invoice: String,
    applied: String,
    #[serde(default)]
    writeoff: Option<String>,
    writeoff_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    payment: i64,
    status: String,
    reason: Option<String>,
    rule: Option<String>,
    #[serde(default)]
    applications: Vec<ApplicationRow>,
    unapplied: Option<String>,
    /// Leading suggestions, best first.
    suggestions: Option<Vec<String>>,
    #[serde(default)]
    explanation_contains: Vec<String>,
    non_ar_kind: Option<String>,
    returns_trace: Option<String>,
    confidence_min: Option<u16>,
}

fn currency(code: Option<&str>) -> Currency {
    Currency::from_code(code.unwrap_or("USD")).expect("currency code")
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse_decimal(text, currency).unwrap_or_else(|e| panic!("amount {text:?}: {e}"))
}

fn kind(text: &str) -> ReferenceKind {
    match text {
        "invoice" => ReferenceKind::Invoice,
        "creditor_reference" => ReferenceKind::CreditorReference,
        "purchase_order" => ReferenceKind::PurchaseOrder,
        "credit_note" => ReferenceKind::CreditNote,
        "other" => ReferenceKind::Other,
        other => panic!("unknown item kind {other:?}"),
    }
}

impl Scenario {
    fn inputs(&self) -> Inputs {
        let customers = self
            .customers
            .iter()
            .map(|row| Customer {
                id: row.id.clone(),
                name: row.name.clone(),
                aliases: row.aliases.clone(),
                bank_accounts: row.bank_accounts.clone(),
            })
            .collect();
        let invoices = self
            .invoices
            .iter()
            .map(|row| {
                let currency = currency(row.currency.as_deref());
                let amount = money(&row.amount, currency);
                Invoice {
                    id: row.id.clone(),
                    customer_id: row.customer.clone(),
                    amount,
                    open_amount: row
                        .open
                        .as_deref()
                        .map_or(amount, |open| money(open, currency)),
                    issue_date: row.issue_date,
                    due_date: row.due_date,
                    po_number: row.po.clone(),
                    discount: row
                        .discount_percent
                        .as_deref()
                        .map(|percent| DiscountTerms {
                            percent: percent.parse::<Decimal>().expect("discount percent"),
                            days: row.discount_days.unwrap_or(10),
                        }),
                }
            })
            .collect();
        let payments = self
            .payments
            .iter()
            .map(|row| {
                let currency = currency(row.currency.as_deref());
                let amount = money(&row.amount, currency);
                Payment {
                    id: row.id,
                    format: Format::Camt,
                    direction: match row.direction.as_deref() {
                        None | Some("credit") => Direction::Credit,
                        Some("debit") => Direction::Debit,
                        Some(other) => panic!("direction {other:?}"),
                    },
                    status: match row.status.as_deref() {
                        None | Some("booked") => EntryStatus::Booked,
                        Some("pending") => EntryStatus::Pending,
                        Some("info") => EntryStatus::Info,
                        Some(other) => panic!("status {other:?}"),
                    },
                    amount,
                    available: row
                        .available
                        .as_deref()
                        .map_or(amount, |available| money(available, currency)),
                    booking_date: row.booking_date,
                    bank_ref: format!("B{}", row.id),
                    end_to_end_id: row.end_to_end_id.clone(),
                    customer_ref: row.customer_ref.clone(),
                    payer_name: row.payer_name.clone(),
                    payer_account: row.payer_account.clone(),
                    bank_tx_code: row.bank_tx_code.clone(),
                    remittance: Remittance {
                        lines: row.lines.iter().cloned().map(Into::into).collect(),
                        items: row
                            .items
                            .iter()
                            .map(|item| RemittanceItem {
                                kind: kind(&item.kind),
                                reference: item.reference.clone().into(),
                                paid: item.paid.as_deref().map(|paid| money(paid, currency)),
                                document_total: None,
                                discount: None,
                            })
                            .collect(),
                    },
                    return_of: row.return_of.clone(),
                }
            })
            .collect();
        Inputs {
            payments,
            invoices,
            customers,
            today: self.today,
        }
    }
}

fn same_amount(found: &Money, expected: &str) -> bool {
    expected
        .parse::<Decimal>()
        .is_ok_and(|expected| found.amount == expected)
}

/// Differences between a decision and what the scenario expects, as sentences.
fn compare(decision: &Decision, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    check(
        decision.status.as_str() == expect.status,
        format!(
            "status {} (expected {})",
            decision.status.as_str(),
            expect.status
        ),
    );
    let reason = decision.exception_reason.map(|r| r.as_str());
    check(
        reason == expect.reason.as_deref(),
        format!("reason {reason:?} (expected {:?})", expect.reason),
    );
    if let Some(rule) = &expect.rule {
        check(
            decision.rule.as_str() == rule,
            format!("rule {} (expected {rule})", decision.rule.as_str()),
        );
    }
    check(
        decision.applications.len() == expect.applications.len(),
        format!(
            "{} applications (expected {})",
            decision.applications.len(),
            expect.applications.len()
        ),
    );
    for (found, expected) in decision.applications.iter().zip(&expect.applications) {
        check(
            found.invoice_id == expected.invoice
                && same_amount(&found.applied, &expected.applied)
                && same_amount(&found.writeoff, expected.writeoff.as_deref().unwrap_or("0"))
                && found.writeoff_reason.map(|r| r.as_str()) == expected.writeoff_reason.as_deref(),
            format!("application {found:?} (expected {expected:?})"),
        );
    }
    if let Some(unapplied) = &expect.unapplied {
        check(
            same_amount(&decision.unapplied, unapplied),
            format!("unapplied {} (expected {unapplied})", decision.unapplied),
        );
    }
    if let Some(suggestions) = &expect.suggestions {
        let found: Vec<&str> = decision
            .suggestions
            .iter()
            .map(|s| s.invoice_id.as_str())
            .take(suggestions.len())
            .collect();
        check(
            found == *suggestions,
            format!("suggestions {found:?} (expected {suggestions:?})"),
        );
    }
    for needle in &expect.explanation_contains {
        check(
            decision.explanation.contains(needle.as_str()),
            format!("explanation {:?} lacks {needle:?}", decision.explanation),
        );
    }
    let kind = decision.non_ar_kind.map(|k| k.as_str());
    check(
        kind == expect.non_ar_kind.as_deref(),
        format!("non_ar_kind {kind:?} (expected {:?})", expect.non_ar_kind),
    );
    check(
        decision.returns_trace == expect.returns_trace,
        format!(
            "returns_trace {:?} (expected {:?})",
            decision.returns_trace, expect.returns_trace
        ),
    );
    if let Some(min) = expect.confidence_min {
        check(
            decision.confidence.per_mille() >= min,
            format!("confidence {} (expected ≥ {min})", decision.confidence),
        );
    }
    problems
}

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/rules")
}

#[test]
fn scenarios() {
    let dir = scenario_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("scenario folder {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the scenario files in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for path in &paths {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(path).expect("readable scenario");
        let scenario: Scenario = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let rules = scenario.ruleset.clone().unwrap_or_default();
        if let Err(errors) = rules.validate() {
            panic!("{name}: invalid ruleset: {errors:?}");
        }
        let inputs = scenario.inputs();
        let decisions = crate::reconcile(&inputs, &rules);
        if let Err(broken) = crate::check_invariants(&inputs, &decisions) {
            failures.push(format!("{name}: invariant: {broken}"));
        }
        let oracle = crate::oracle::reconcile(&inputs, &rules);
        if oracle != decisions {
            failures.push(format!("{name}: engine and oracle disagree"));
        }
        for expect in &scenario.expect {
            let Some(decision) = decisions.iter().find(|d| d.payment_id == expect.payment) else {
                failures.push(format!(
                    "{name}: no decision for payment {}",
                    expect.payment
                ));
                continue;
            };
            for problem in compare(decision, expect) {
                failures.push(format!(
                    "{name} ({}), payment {}: {problem}\n    explanation: {}",
                    scenario.description, expect.payment, decision.explanation
                ));
            }
        }
        assert_eq!(
            scenario.expect.len(),
            scenario.payments.len(),
            "{name}: every payment needs an expectation"
        );
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
