//! Rule 4: what to do when the cash for an invoice differs from its open amount —
//! overpayment, early-payment discount inside its window, rounding, a bank fee
//! deducted from a wire, or a partial payment — each within the tolerances
//! configured per currency, each written off with a reason or left open, never
//! silently.

use chrono::{Days, NaiveDate};
use parsers::money::{Currency, Money};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::decision::WriteoffReason;
use crate::input::{Invoice, Payment};
use crate::normalize::{split_code, CodePattern};
use crate::ruleset::{DifferenceRules, Tolerance};

/// How much of an invoice one payment settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settlement {
    /// Cash applied (minor units).
    pub(crate) applied: i64,
    /// Written off on top (minor units).
    pub(crate) writeoff: i64,
    pub(crate) reason: Option<WriteoffReason>,
    /// How much less sure the rule is because of the difference (per-mille).
    pub(crate) penalty: u16,
    /// For the explanation: "amount equal", "discount 2.00 taken within 10 days".
    pub(crate) note: String,
}

/// Confidence given up for each kind of difference (per-mille). A partial payment
/// costs the most: it is also what a wrongly found reference looks like.
pub(crate) const PENALTY_OVERPAYMENT: u16 = 20;
pub(crate) const PENALTY_DISCOUNT: u16 = 10;
pub(crate) const PENALTY_ROUNDING: u16 = 10;
pub(crate) const PENALTY_BANK_FEE: u16 = 20;
pub(crate) const PENALTY_PARTIAL: u16 = 60;

/// The difference rules, compiled once per run.
#[derive(Debug, Clone)]
pub(crate) struct Differences {
    rules: DifferenceRules,
    wire_codes: Vec<CodePattern>,
}

fn within(difference: i64, minor_max: i64, bps_max: Option<u32>, open: i64) -> bool {
    let relative_ok = match bps_max {
        None => true,
        Some(bps) => i128::from(difference) * 10_000 <= i128::from(open) * i128::from(bps),
    };
    difference <= minor_max && relative_ok
}

/// Which part of a difference may be settled without leaving the invoice open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allow {
    /// Every rule, including partial payment and overpayment.
    All,
    /// Only differences that settle the invoice (discount, rounding, bank fee): used
    /// when looking for an invoice by amount, where a partial payment would fit any.
    SettlingOnly,
}

impl Differences {
    pub(crate) fn new(rules: &DifferenceRules) -> Differences {
        Differences {
            rules: rules.clone(),
            wire_codes: rules
                .wire_bank_tx_codes
                .iter()
                .map(|p| CodePattern::new(p))
                .collect(),
        }
    }

    fn is_wire(&self, payment: &Payment) -> bool {
        if self.wire_codes.is_empty() {
            return true;
        }
        payment.bank_tx_code.as_deref().is_some_and(|code| {
            let parts = split_code(code);
            self.wire_codes
                .iter()
                .any(|pattern| pattern.matches(&parts))
        })
    }

    fn tolerance(&self, invoice: &Invoice) -> &Tolerance {
        self.rules.tolerance_for(invoice.open_amount.currency)
    }

    /// Whether `cash` may settle invoices with `open` in all (of `issued` as issued)
    /// and leave the excess unapplied: a payment far above what it names is more
    /// likely for something else (another invoice, a mistyped number) than an
    /// overpayment — unless it is the invoices' full amount, paid again after part
    /// was settled or credited.
    pub(crate) fn overpayment_ok(
        &self,
        open: i64,
        issued: Option<i64>,
        cash: i64,
        currency: Currency,
    ) -> bool {
        let tolerance = self.rules.tolerance_for(currency);
        self.rules.overpayment
            && cash > open
            && (within(cash - open, i64::MAX, tolerance.overpayment_bps_max, open)
                || issued.is_some_and(|issued| cash <= issued))
    }

    /// The discount the invoice's terms give if paid on `paid_on`, in minor units.
    pub(crate) fn discount_due(
        &self,
        invoice: &Invoice,
        paid_on: Option<NaiveDate>,
    ) -> Option<i64> {
        let terms = invoice.discount?;
        let issued = invoice.issue_date?;
        let paid_on = paid_on?;
        let last_day = issued.checked_add_days(Days::new(
            u64::from(terms.days) + u64::from(self.rules.discount_grace_days),
        ))?;
        if paid_on > last_day || paid_on < issued {
            return None;
        }
        let discount = invoice.amount.amount * terms.percent / Decimal::ONE_HUNDRED;
        Money::new(discount, invoice.amount.currency)
            .round_to_minor(RoundingStrategy::MidpointNearestEven)
            .to_minor()
            .ok()
    }

    /// How `cash` settles an invoice with `open` still open (both minor units), or
    /// `None` when no enabled rule accepts the difference.
    pub(crate) fn settle(
        &self,
        invoice: &Invoice,
        open: i64,
        cash: i64,
        payment: &Payment,
        paid_on: Option<NaiveDate>,
        allow: Allow,
    ) -> Option<Settlement> {
        let currency = invoice.open_amount.currency;
        let money = |minor: i64| Money::from_minor(minor, currency);
        if cash <= 0 || open <= 0 {
            return None;
        }
        if cash == open {
            return Some(Settlement {
                applied: cash,
                writeoff: 0,
                reason: None,
                penalty: 0,
                note: "amount equal".to_owned(),
            });
        }
        if cash > open {
            let issued = invoice.amount.to_minor().ok();
            let overpayment_ok =
                allow == Allow::All && self.overpayment_ok(open, issued, cash, currency);
            return overpayment_ok.then(|| Settlement {
                applied: open,
                writeoff: 0,
                reason: None,
                penalty: PENALTY_OVERPAYMENT,
                note: format!("overpaid by {}, left unapplied", money(cash - open)),
            });
        }
        let short = open - cash;
        let tolerance = self.tolerance(invoice);
        if self.rules.discount {
            if let Some(due) = self.discount_due(invoice, paid_on) {
                if due > 0 && (short - due).abs() <= tolerance.discount_minor_max {
                    let days = invoice.discount.map_or(0, |terms| terms.days);
                    return Some(Settlement {
                        applied: cash,
                        writeoff: short,
                        reason: Some(WriteoffReason::Discount),
                        penalty: PENALTY_DISCOUNT,
                        note: format!(
                            "early-payment discount {} taken within {days} days",
                            money(short)
                        ),
                    });
                }
            }
        }
        if self.rules.rounding
            && within(
                short,
                tolerance.rounding_minor_max,
                tolerance.rounding_bps_max,
                open,
            )
        {
            return Some(Settlement {
                applied: cash,
                writeoff: short,
                reason: Some(WriteoffReason::Rounding),
                penalty: PENALTY_ROUNDING,
                note: format!("short by {}, written off as rounding", money(short)),
            });
        }
        if self.rules.bank_fee
            && self.is_wire(payment)
            && within(
                short,
                tolerance.bank_fee_minor_max,
                tolerance.bank_fee_bps_max,
                open,
            )
        {
            return Some(Settlement {
                applied: cash,
                writeoff: short,
                reason: Some(WriteoffReason::BankFee),
                penalty: PENALTY_BANK_FEE,
                note: format!(
                    "short by {}, written off as a bank fee deducted from the wire",
                    money(short)
                ),
            });
        }
        if self.rules.partial && allow == Allow::All {
            return Some(Settlement {
                applied: cash,
                writeoff: 0,
                reason: None,
                penalty: PENALTY_PARTIAL,
                note: format!("partial payment, {} stays open", money(short)),
            });
        }
        None
    }
}
