//! The naive reference engine for differential tests: the same rules answered by
//! scanning every invoice and customer instead of the indexes, one payment after the
//! other on one thread, with a quadratic conflict pass. Whatever the real engine
//! decides, this must decide too — on generated inputs and on every scenario file.

use std::borrow::Cow;
use std::cmp::Reverse;

use parsers::money::Currency;

use crate::decide::{Context, Proposal};
use crate::decision::Decision;
use crate::engine::{demote, propose_sequentially, sorted_payments};
use crate::index::{Catalog, CustomerPos, InvoicePos, Lookup};
use crate::input::Inputs;
use crate::normalize;
use crate::ruleset::RuleSet;
use crate::similarity;

/// Answers every lookup by a full scan.
struct Scan<'c> {
    catalog: &'c Catalog<'c>,
    word_customers_max: usize,
}

impl Scan<'_> {
    fn invoices_where(&self, keep: impl Fn(usize) -> bool) -> Cow<'_, [InvoicePos]> {
        Cow::Owned(
            (0..self.catalog.info.len())
                .filter(|&pos| keep(pos))
                .map(|pos| pos as InvoicePos)
                .collect(),
        )
    }

    fn has_word(&self, customer: usize, word: &str) -> bool {
        self.catalog.customer_names[customer]
            .iter()
            .any(|name| similarity::name_words(name).any(|known| known == word))
    }
}

impl Lookup for Scan<'_> {
    fn invoices_by_key(&self, key: &str) -> Cow<'_, [InvoicePos]> {
        self.invoices_where(|pos| self.catalog.info[pos].key == key)
    }

    fn invoices_by_po(&self, key: &str) -> Cow<'_, [InvoicePos]> {
        self.invoices_where(|pos| self.catalog.info[pos].po_key.as_deref() == Some(key))
    }

    fn open_invoices_by_amount(&self, currency: Currency, minor: i64) -> Cow<'_, [InvoicePos]> {
        self.invoices_where(|pos| {
            let info = &self.catalog.info[pos];
            info.currency == currency && info.open() == Some(minor)
        })
    }

    fn open_invoices_of(&self, customer: CustomerPos) -> Cow<'_, [InvoicePos]> {
        self.invoices_where(|pos| {
            let info = &self.catalog.info[pos];
            info.customer == Some(customer) && info.open().is_some()
        })
    }

    fn customers_by_account(&self, account: &str) -> Cow<'_, [CustomerPos]> {
        Cow::Owned(
            (0..self.catalog.customers.len())
                .filter(|&c| {
                    self.catalog.customers[c]
                        .bank_accounts
                        .iter()
                        .any(|known| normalize::account(known) == account)
                })
                .map(|c| c as CustomerPos)
                .collect(),
        )
    }

    fn customers_by_words(&self, words: &[&str]) -> Vec<CustomerPos> {
        let mut distinct: Vec<&str> = words.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let customers = self.catalog.customers.len();
        let usable: Vec<&str> = distinct
            .into_iter()
            .filter(|word| {
                let sharing = (0..customers).filter(|&c| self.has_word(c, word)).count();
                sharing <= self.word_customers_max
            })
            .collect();
        let shared: Vec<usize> = (0..customers)
            .map(|c| usable.iter().filter(|word| self.has_word(c, word)).count())
            .collect();
        let best = shared.iter().copied().max().unwrap_or(0);
        if best == 0 {
            return Vec::new();
        }
        (0..customers)
            .filter(|&c| shared[c] == best)
            .map(|c| c as CustomerPos)
            .collect()
    }
}

/// Decides like [`crate::reconcile`], slowly and obviously.
pub(crate) fn reconcile(inputs: &Inputs, rules: &RuleSet) -> Vec<Decision> {
    let catalog = Catalog::new(&inputs.invoices, &inputs.customers, rules);
    let scan = Scan {
        catalog: &catalog,
        word_customers_max: rules.payer.name_word_customers_max,
    };
    let context = Context::new(&catalog, rules, inputs.today);
    let payments = sorted_payments(&inputs.payments);
    let mut proposals: Vec<Proposal> = propose_sequentially(&context, &scan, &payments);
    // Conflicts: grant in (confidence desc, booking date, id) order; what an invoice
    // has left is recomputed from every grant so far.
    let mut order: Vec<usize> = (0..proposals.len()).collect();
    order.sort_by_key(|&i| {
        (
            Reverse(proposals[i].decision.confidence),
            payments[i].booking_date,
            payments[i].id,
            i,
        )
    });
    let mut granted: Vec<usize> = Vec::new();
    for i in order {
        if proposals[i].takes.is_empty() {
            continue;
        }
        let mut blocked = None;
        for &(pos, take) in &proposals[i].takes {
            let used: i64 = granted
                .iter()
                .flat_map(|&g| &proposals[g].takes)
                .filter(|(other, _)| *other == pos)
                .map(|(_, amount)| amount)
                .sum();
            let open = catalog.info[pos as usize].open().unwrap_or(0);
            if open - used < take {
                let winner = granted
                    .iter()
                    .find(|&&g| proposals[g].takes.iter().any(|(other, _)| *other == pos))
                    .map(|&g| payments[g].id);
                blocked = Some((pos, winner));
                break;
            }
        }
        match blocked {
            None => granted.push(i),
            Some((pos, winner)) => {
                let proposed = proposals[i].decision.clone();
                proposals[i].decision = demote(&context, payments[i], proposed, pos, winner);
                proposals[i].takes.clear();
            }
        }
    }
    proposals.into_iter().map(|p| p.decision).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check_invariants;
    use crate::synthetic::{generate, Workload};

    fn workloads() -> Vec<Workload> {
        let mut workloads = Vec::new();
        for seed in 0..12 {
            workloads.push(Workload::crowded(150, 200, seed));
            workloads.push(Workload::realistic(200, 200, 1000 + seed));
        }
        workloads
    }

    #[test]
    fn engine_agrees_with_the_oracle_on_generated_inputs() {
        let rules = RuleSet::default();
        for workload in workloads() {
            let inputs = generate(workload);
            let fast = crate::reconcile(&inputs, &rules);
            let slow = reconcile(&inputs, &rules);
            check_invariants(&inputs, &fast).unwrap_or_else(|e| panic!("{workload:?}: {e}"));
            for (a, b) in fast.iter().zip(&slow) {
                assert_eq!(a, b, "{workload:?}: payment {}", a.payment_id);
            }
            assert_eq!(fast.len(), slow.len());
        }
    }

    #[test]
    fn same_decisions_whatever_the_thread_count_and_input_order() {
        let rules = RuleSet::default();
        for workload in [
            Workload::crowded(400, 500, 7),
            Workload::realistic(2000, 2000, 8),
        ] {
            let inputs = generate(workload);
            let run = |threads: usize, inputs: &Inputs| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("thread pool")
                    .install(|| crate::reconcile(inputs, &rules))
            };
            let one = run(1, &inputs);
            let four = run(4, &inputs);
            assert_eq!(one, four, "{workload:?}");
            let mut shuffled = inputs.clone();
            shuffled.payments.reverse();
            shuffled.invoices.reverse();
            shuffled.customers.reverse();
            assert_eq!(
                one,
                run(4, &shuffled),
                "{workload:?}: input order changed decisions"
            );
        }
    }

    #[test]
    fn batches_keep_earlier_grants_and_otherwise_decide_as_one_run() {
        let rules = RuleSet::default();
        for workload in [
            Workload::crowded(1800, 1500, 3),
            Workload::realistic(2000, 2000, 8),
        ] {
            let inputs = generate(workload);
            let whole = crate::reconcile(&inputs, &rules);
            let mut payments = inputs.payments.clone();
            payments.sort_by_key(|payment| payment.id);
            let mut batched = Vec::new();
            crate::engine::reconcile_batches(
                &inputs.invoices,
                &inputs.customers,
                inputs.today,
                &rules,
                payments.chunks(250),
                |batch, decisions| {
                    assert_eq!(batch.len(), decisions.len());
                    batched.extend(decisions);
                },
            );
            // Across batches no invoice is settled twice: the invariants hold over the
            // whole, as if one run had decided it.
            check_invariants(&inputs, &batched).unwrap_or_else(|e| panic!("{workload:?}: {e}"));
            let conflict =
                |d: &Decision| d.exception_reason == Some(crate::ExceptionReason::Conflict);
            let mut differing = 0;
            for (one, many) in whole.iter().zip(&batched) {
                if one != many {
                    differing += 1;
                    assert!(
                        conflict(one) || conflict(many),
                        "{workload:?}: payment {} decided differently without a conflict",
                        one.payment_id
                    );
                }
            }
            if workload == Workload::realistic(2000, 2000, 8) {
                // Realistic days rarely see two payments want one invoice.
                assert!(
                    differing * 100 < whole.len(),
                    "{workload:?}: {differing} differ"
                );
            }
        }
    }

    #[test]
    fn generated_workloads_exercise_every_outcome() {
        // More payments than invoices: the last ones pay invoices again in the same
        // run, which the conflict pass must catch.
        let inputs = generate(Workload::crowded(1800, 1500, 3));
        let decisions = crate::reconcile(&inputs, &RuleSet::default());
        let statuses: std::collections::BTreeSet<&str> =
            decisions.iter().map(|d| d.status.as_str()).collect();
        for status in [
            "applied",
            "partially_applied",
            "unapplied",
            "exception",
            "non_ar",
        ] {
            assert!(statuses.contains(status), "no {status} in {statuses:?}");
        }
        let conflicts = decisions
            .iter()
            .filter(|d| d.exception_reason == Some(crate::ExceptionReason::Conflict))
            .count();
        assert!(
            conflicts > 0,
            "the crowded workload should produce conflicts"
        );
    }

    /// Independent of the rule code: every automatic application is re-justified
    /// by scanning the raw inputs.
    #[test]
    fn every_application_is_justified_by_a_scan() {
        use crate::decision::{PaymentStatus, RuleId};
        use crate::normalize::{squash, KeyNormalizer};
        let rules = RuleSet::default();
        let keys = KeyNormalizer::new(&rules.references.prefixes);
        for workload in workloads() {
            let inputs = generate(workload);
            let decisions = crate::reconcile(&inputs, &rules);
            for decision in &decisions {
                let payment = inputs
                    .payments
                    .iter()
                    .find(|p| p.id == decision.payment_id)
                    .expect("payment");
                if decision.status == PaymentStatus::NonAr {
                    let classified = payment.direction == parsers::model::Direction::Debit
                        || payment.return_of.is_some()
                        || payment.status != parsers::model::EntryStatus::Booked
                        || payment.bank_tx_code.is_some()
                        || !payment.remittance.lines.is_empty();
                    assert!(classified, "payment {} non_ar without cause", payment.id);
                    continue;
                }
                if decision.applications.is_empty() {
                    continue;
                }
                assert!(decision.confidence >= rules.auto_apply_confidence_min);
                // Everything the payer wrote, squashed, for reference rules.
                let mut text = String::new();
                for line in &payment.remittance.lines {
                    text.push_str(&squash(line));
                    text.push(' ');
                }
                for item in &payment.remittance.items {
                    text.push_str(&squash(&item.reference));
                    text.push(' ');
                }
                for reference in [&payment.end_to_end_id, &payment.customer_ref]
                    .into_iter()
                    .flatten()
                {
                    text.push_str(&squash(reference));
                }
                for application in &decision.applications {
                    let invoice = inputs
                        .invoices
                        .iter()
                        .find(|i| i.id == application.invoice_id)
                        .expect("invoice");
                    assert_eq!(invoice.open_amount.currency, payment.available.currency);
                    assert!(
                        application.applied.amount + application.writeoff.amount
                            <= invoice.open_amount.amount
                    );
                    let digits = keys.key(&invoice.id);
                    match decision.rule {
                        RuleId::InvoiceReferenceExact
                        | RuleId::InvoiceReferenceNormalized
                        | RuleId::StructuredReference
                        | RuleId::EndToEndReference
                        | RuleId::CreditorReference => assert!(
                            text.contains(&digits),
                            "payment {}: {} ({digits}) not in {text:?}",
                            payment.id,
                            invoice.id
                        ),
                        RuleId::InvoiceReferenceOneChar => {
                            assert_eq!(application.applied, payment.available);
                            assert_eq!(invoice.open_amount.amount, payment.available.amount);
                        }
                        RuleId::PayerAccountAmount | RuleId::PayerNameAmount => {
                            // Unique among the customer's open invoices, by scan.
                            let same = inputs
                                .invoices
                                .iter()
                                .filter(|other| {
                                    other.customer_id == invoice.customer_id
                                        && other.open_amount == invoice.open_amount
                                })
                                .count();
                            assert!(
                                same == 1
                                    || application.writeoff.amount > rust_decimal::Decimal::ZERO,
                                "payment {}",
                                payment.id
                            );
                        }
                        RuleId::Combination => {
                            let total: rust_decimal::Decimal =
                                decision.applications.iter().map(|a| a.applied.amount).sum();
                            assert_eq!(total, payment.available.amount);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}
