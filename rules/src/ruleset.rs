//! The engine's settings: which rules run, with their thresholds and tolerances.
//!
//! Deserialised by the shell as the `[matching]` table of its config file (every
//! table and key optional, unknown keys rejected), then checked with
//! [`RuleSet::validate`], whose errors name the offending key. Amounts are integers
//! in minor units and ratios integers in basis points, so no float ever enters.

use std::collections::BTreeMap;
use std::fmt;

use parsers::money::Currency;
use serde::Deserialize;

use crate::decision::Confidence;

/// Rule switches and thresholds. `Default` gives the documented defaults of
/// `rules/ruleset.example.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSet {
    /// Decisions below this confidence are not applied; their candidates become
    /// suggestions on an exception.
    pub auto_apply_confidence_min: Confidence,
    /// Suggestions kept on an exception.
    pub suggestions_max: usize,
    pub references: ReferenceRules,
    pub several: SeveralRules,
    pub payer: PayerRules,
    pub differences: DifferenceRules,
    pub non_ar: NonArRules,
}

/// Rule 1: invoice numbers and other references in the remittance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferenceRules {
    pub enabled: bool,
    /// Invoice numbers from structured remittance (CTX `RMR*IV`, CAMT `RfrdDocInf`).
    pub structured: bool,
    /// ISO 11649 `RF` creditor references, check digits verified.
    pub creditor_reference: bool,
    /// End-to-end id and customer reference compared with invoice numbers.
    pub end_to_end_id: bool,
    /// Invoice numbers found in free text.
    pub free_text: bool,
    /// Purchase-order numbers of invoices found in structured items or free text.
    pub po_number: bool,
    /// Words stripped from the front of a reference before comparing ("INV-00123"
    /// and "123" are the same number). Upper case, letters only.
    pub prefixes: Vec<String>,
    /// A normalised reference shorter than this is not looked up (chars).
    pub key_chars_min: usize,
    /// Accept an invoice number with one character wrong when the amount is equal.
    pub one_char_error: bool,
    /// The one-character rule needs a normalised reference at least this long (chars).
    pub one_char_error_chars_min: usize,
    /// Open invoices with the same amount looked at by the one-character rule and for
    /// suggestions; a larger group is skipped (invoices).
    pub amount_group_max: usize,
}

/// Rule 2: several invoices paid by one payment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeveralRules {
    /// Apply to every invoice the remittance lists, with the amounts it gives.
    pub listed: bool,
    /// Without a list, look for a combination of the customer's open invoices that
    /// sums exactly to the payment.
    pub combination: bool,
    /// A customer with more candidate invoices than this is not searched (invoices).
    pub combination_invoices_max: usize,
    /// Largest number of invoices in one combination (invoices).
    pub combination_size_max: usize,
    /// Search budget; when exhausted no combination is applied (steps).
    pub combination_steps_max: u32,
}

/// Rule 3: the customer identified without a reference.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayerRules {
    /// Identify the customer by a known payer bank account.
    pub bank_account: bool,
    /// Identify the customer by payer name similar to its name or an alias.
    pub name: bool,
    /// Lowest name similarity that identifies a customer (per-mille).
    pub name_similarity_min: Confidence,
    /// The best customer must beat the next one by this much, or the payer is
    /// ambiguous (per-mille).
    pub name_margin_min: u16,
    /// Names are cut to this many characters before comparing, as banks truncate
    /// them (chars).
    pub name_length_max: usize,
    /// Legal-form words removed from names before comparing. Upper case.
    pub legal_suffixes: Vec<String>,
    /// Words dropped from names before comparing. Upper case.
    pub noise_words: Vec<String>,
    /// Abbreviations expanded before comparing (`INTL` → `INTERNATIONAL`). Upper case.
    pub abbreviations: BTreeMap<String, String>,
    /// A name word shared by more customers than this does not make a candidate
    /// (customers). Candidates are the customers sharing the most remaining words
    /// with the payer name; only those are scored for similarity.
    pub name_word_customers_max: usize,
}

/// Rule 4: differences between the payment and the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DifferenceRules {
    /// Apply a short payment; the invoice stays open for the rest.
    pub partial: bool,
    /// Settle an invoice paid less its early-payment discount inside the window.
    pub discount: bool,
    /// Days after the discount window still accepted (days).
    pub discount_grace_days: u32,
    /// Settle a wire that arrived short by a bank fee within tolerance.
    pub bank_fee: bool,
    /// Bank transaction codes of wires (the bank-fee rule applies to those only; empty:
    /// to any payment). Same pattern syntax as `non_ar.bank_tx_codes`.
    pub wire_bank_tx_codes: Vec<String>,
    /// Apply the invoice in full and keep the excess as unapplied cash.
    pub overpayment: bool,
    /// Write off a small short payment as rounding.
    pub rounding: bool,
    /// Tolerances for currencies without their own entry in `tolerance`.
    pub tolerance_default: Tolerance,
    /// Tolerances per ISO 4217 currency code.
    pub tolerance: BTreeMap<String, Tolerance>,
}

/// How large a difference is accepted. A difference passes when it is at most the
/// absolute limit and, if a relative limit is set, at most that share of the
/// invoice's open amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tolerance {
    /// Rounding write-off, absolute (minor units).
    pub rounding_minor_max: i64,
    /// Rounding write-off, relative to the open amount (basis points); unset: none.
    pub rounding_bps_max: Option<u32>,
    /// Bank fee deducted from a wire, absolute (minor units).
    pub bank_fee_minor_max: i64,
    /// Bank fee, relative to the open amount (basis points); unset: none.
    pub bank_fee_bps_max: Option<u32>,
    /// Slack between the discount taken and the one the terms give (minor units).
    pub discount_minor_max: i64,
    /// Overpayment kept as unapplied cash, relative to the open amount applied
    /// (basis points); unset: no limit. A payment further above the invoices it
    /// names is an exception.
    pub overpayment_bps_max: Option<u32>,
}

/// Rule 5: activity that is not customer cash.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NonArRules {
    /// Classify credits by the patterns below (debits, returns and entries that are
    /// not booked are always `non_ar`).
    pub enabled: bool,
    /// Bank transaction code patterns per kind. A code and a pattern are split on
    /// `/ - . + space`; a pattern matches when each of its parts equals the code's
    /// part at the same place (`*` matches any), so `PMNT/MCRD` matches
    /// `PMNT/MCRD/SETT` and `*/*/INTR` any interest sub-family. BAI2 type codes are
    /// single parts (`354`).
    pub bank_tx_codes: NonArPatterns,
    /// Text patterns per kind, matched case-insensitively anywhere in the payer name
    /// and remittance lines.
    pub text_patterns: NonArPatterns,
}

/// One list of patterns per non-AR kind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NonArPatterns {
    pub bank_fee: Vec<String>,
    pub interest: Vec<String>,
    pub transfer: Vec<String>,
    pub card_settlement: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet {
            auto_apply_confidence_min: Confidence::from_per_mille(900),
            suggestions_max: 5,
            references: ReferenceRules::default(),
            several: SeveralRules::default(),
            payer: PayerRules::default(),
            differences: DifferenceRules::default(),
            non_ar: NonArRules::default(),
        }
    }
}

impl Default for ReferenceRules {
    fn default() -> ReferenceRules {
        ReferenceRules {
            enabled: true,
            structured: true,
            creditor_reference: true,
            end_to_end_id: true,
            free_text: true,
            po_number: true,
            prefixes: strings(&[
                "INVOICE", "INV", "INVNO", "INVNR", "RECHNUNG", "RECHNR", "RG", "RE", "FACTURE",
                "FACT", "FA", "BILL", "NO", "NR",
            ]),
            key_chars_min: 3,
            one_char_error: true,
            one_char_error_chars_min: 6,
            amount_group_max: 64,
        }
    }
}

impl Default for SeveralRules {
    fn default() -> SeveralRules {
        SeveralRules {
            listed: true,
            combination: true,
            combination_invoices_max: 24,
            combination_size_max: 5,
            combination_steps_max: 200_000,
        }
    }
}

impl Default for PayerRules {
    fn default() -> PayerRules {
        PayerRules {
            bank_account: true,
            name: true,
            name_similarity_min: Confidence::from_per_mille(900),
            name_margin_min: 30,
            name_length_max: 35,
            legal_suffixes: strings(&[
                "INC",
                "INCORPORATED",
                "LLC",
                "LLP",
                "LP",
                "LTD",
                "LIMITED",
                "CORP",
                "CORPORATION",
                "CO",
                "COMPANY",
                "PLC",
                "GMBH",
                "AG",
                "KG",
                "SA",
                "SAS",
                "SARL",
                "SRL",
                "SPA",
                "BV",
                "NV",
                "AB",
                "AS",
                "OY",
                "PTY",
            ]),
            noise_words: strings(&["THE", "AND", "OF"]),
            abbreviations: [
                ("INTL", "INTERNATIONAL"),
                ("MFG", "MANUFACTURING"),
                ("SVCS", "SERVICES"),
                ("SVC", "SERVICES"),
                ("TECH", "TECHNOLOGIES"),
                ("BROS", "BROTHERS"),
                ("DIST", "DISTRIBUTION"),
                ("DISTR", "DISTRIBUTION"),
                ("IND", "INDUSTRIES"),
                ("FDS", "FOODS"),
                ("SYS", "SYSTEMS"),
                ("ENGR", "ENGINEERING"),
                ("TRDG", "TRADING"),
                ("HLTHCARE", "HEALTHCARE"),
                ("PKG", "PACKAGING"),
                ("CONSLT", "CONSULTING"),
                ("MATLS", "MATERIALS"),
                ("LABS", "LABORATORIES"),
                ("HLDGS", "HOLDINGS"),
                ("HLDG", "HOLDING"),
                ("MGMT", "MANAGEMENT"),
                ("ASSOC", "ASSOCIATES"),
                ("NATL", "NATIONAL"),
            ]
            .into_iter()
            .map(|(short, long)| (short.to_owned(), long.to_owned()))
            .collect(),
            name_word_customers_max: 100,
        }
    }
}

impl Default for DifferenceRules {
    fn default() -> DifferenceRules {
        DifferenceRules {
            partial: true,
            discount: true,
            discount_grace_days: 0,
            bank_fee: true,
            wire_bank_tx_codes: strings(&["195", "196", "206", "208", "*/*/XBCT", "*/*/SDVA"]),
            overpayment: true,
            rounding: true,
            tolerance_default: Tolerance::default(),
            tolerance: BTreeMap::new(),
        }
    }
}

impl Default for Tolerance {
    fn default() -> Tolerance {
        Tolerance {
            rounding_minor_max: 5,
            rounding_bps_max: None,
            bank_fee_minor_max: 5000,
            bank_fee_bps_max: Some(500),
            discount_minor_max: 1,
            overpayment_bps_max: Some(5000),
        }
    }
}

impl Default for NonArRules {
    fn default() -> NonArRules {
        NonArRules {
            enabled: true,
            bank_tx_codes: NonArPatterns {
                bank_fee: strings(&["*/*/CHRG", "*/*/COMM", "*/*/FEES"]),
                interest: strings(&["354", "*/*/INTR"]),
                transfer: strings(&["275", "277", "CAMT/ACCB"]),
                card_settlement: strings(&["PMNT/MCRD", "PMNT/CCRD"]),
            },
            text_patterns: NonArPatterns {
                bank_fee: strings(&["ACCOUNT FEE", "SERVICE CHARGE"]),
                interest: strings(&[
                    "CREDIT INTEREST",
                    "INTEREST CREDIT",
                    "INTEREST EARNED",
                    "INTEREST PAID",
                    "^INTEREST ",
                ]),
                transfer: strings(&[
                    "OWN ACCOUNT TRANSFER",
                    "ZBA TRANSFER",
                    "SWEEP",
                    "TRANSFER FROM SAVINGS",
                    "ONLINE TRANSFER FROM",
                    "INTERNAL TRANSFER",
                ]),
                card_settlement: strings(&[
                    "CARD SETTLEMENT",
                    "MERCHANT SETTLEMENT",
                    "MERCH SETTLE",
                ]),
            },
        }
    }
}

impl DifferenceRules {
    /// The tolerances in force for `currency`.
    pub fn tolerance_for(&self, currency: Currency) -> &Tolerance {
        self.tolerance
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(currency.code()))
            .map_or(&self.tolerance_default, |(_, tolerance)| tolerance)
    }
}

/// A setting that is out of range, named by its key under `matching`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetError {
    /// Dotted key, e.g. `matching.differences.tolerance.USD.rounding_minor_max`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for RuleSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for RuleSetError {}

struct Checker {
    errors: Vec<RuleSetError>,
}

impl Checker {
    fn check(&mut self, ok: bool, key: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.errors.push(RuleSetError {
                key: key.into(),
                message: message.into(),
            });
        }
    }

    fn per_mille(&mut self, value: Confidence, key: &str) {
        self.check(
            value.per_mille() <= 1000,
            key,
            format!(
                "must be at most 1000 (per-mille), found {}",
                value.per_mille()
            ),
        );
    }

    fn range(&mut self, value: usize, low: usize, high: usize, key: &str) {
        self.check(
            (low..=high).contains(&value),
            key,
            format!("must be between {low} and {high}, found {value}"),
        );
    }

    fn words(&mut self, words: &[String], key: &str) {
        for (i, word) in words.iter().enumerate() {
            self.check(
                !word.is_empty() && word.chars().all(|c| c.is_alphanumeric()),
                format!("{key}[{i}]"),
                format!("must be a non-empty upper-case word, found {word:?}"),
            );
        }
    }

    fn patterns(&mut self, patterns: &NonArPatterns, key: &str) {
        for (kind, list) in [
            ("bank_fee", &patterns.bank_fee),
            ("interest", &patterns.interest),
            ("transfer", &patterns.transfer),
            ("card_settlement", &patterns.card_settlement),
        ] {
            self.pattern_list(list, &format!("{key}.{kind}"));
        }
    }

    fn pattern_list(&mut self, list: &[String], key: &str) {
        for (i, pattern) in list.iter().enumerate() {
            self.check(
                !pattern.trim().is_empty(),
                format!("{key}[{i}]"),
                "must not be empty",
            );
        }
    }

    fn tolerance(&mut self, tolerance: &Tolerance, key: &str) {
        for (name, value) in [
            ("rounding_minor_max", tolerance.rounding_minor_max),
            ("bank_fee_minor_max", tolerance.bank_fee_minor_max),
            ("discount_minor_max", tolerance.discount_minor_max),
        ] {
            self.check(
                value >= 0,
                format!("{key}.{name}"),
                format!("must be ≥ 0, found {value}"),
            );
        }
        for (name, value) in [
            ("rounding_bps_max", tolerance.rounding_bps_max),
            ("bank_fee_bps_max", tolerance.bank_fee_bps_max),
        ] {
            if let Some(value) = value {
                self.check(
                    value <= 10_000,
                    format!("{key}.{name}"),
                    format!("must be at most 10000 (basis points), found {value}"),
                );
            }
        }
    }
}

impl RuleSet {
    /// Checks every setting; each error names its key under `matching`.
    pub fn validate(&self) -> Result<(), Vec<RuleSetError>> {
        let mut checker = Checker { errors: Vec::new() };
        let c = &mut checker;
        c.per_mille(
            self.auto_apply_confidence_min,
            "matching.auto_apply_confidence_min",
        );
        c.range(self.suggestions_max, 0, 50, "matching.suggestions_max");
        let references = &self.references;
        c.words(&references.prefixes, "matching.references.prefixes");
        c.range(
            references.key_chars_min,
            1,
            64,
            "matching.references.key_chars_min",
        );
        c.range(
            references.one_char_error_chars_min,
            3,
            64,
            "matching.references.one_char_error_chars_min",
        );
        c.range(
            references.amount_group_max,
            0,
            100_000,
            "matching.references.amount_group_max",
        );
        let several = &self.several;
        c.range(
            several.combination_invoices_max,
            2,
            64,
            "matching.several.combination_invoices_max",
        );
        c.range(
            several.combination_size_max,
            2,
            12,
            "matching.several.combination_size_max",
        );
        c.check(
            several.combination_steps_max >= 1,
            "matching.several.combination_steps_max",
            "must be at least 1",
        );
        let payer = &self.payer;
        c.per_mille(
            payer.name_similarity_min,
            "matching.payer.name_similarity_min",
        );
        c.check(
            payer.name_margin_min <= 1000,
            "matching.payer.name_margin_min",
            format!(
                "must be at most 1000 (per-mille), found {}",
                payer.name_margin_min
            ),
        );
        c.range(
            payer.name_length_max,
            10,
            1000,
            "matching.payer.name_length_max",
        );
        c.words(&payer.legal_suffixes, "matching.payer.legal_suffixes");
        c.words(&payer.noise_words, "matching.payer.noise_words");
        for (short, long) in &payer.abbreviations {
            let key = format!("matching.payer.abbreviations.{short}");
            c.words(std::slice::from_ref(short), &key);
            c.words(std::slice::from_ref(long), &key);
        }
        c.range(
            payer.name_word_customers_max,
            1,
            10_000_000,
            "matching.payer.name_word_customers_max",
        );
        let differences = &self.differences;
        c.pattern_list(
            &differences.wire_bank_tx_codes,
            "matching.differences.wire_bank_tx_codes",
        );
        c.tolerance(
            &differences.tolerance_default,
            "matching.differences.tolerance_default",
        );
        for (code, tolerance) in &differences.tolerance {
            let key = format!("matching.differences.tolerance.{code}");
            c.check(
                Currency::from_code(code).is_ok(),
                key.clone(),
                format!("must be an ISO 4217 currency code, found {code:?}"),
            );
            c.tolerance(tolerance, &key);
        }
        c.patterns(&self.non_ar.bank_tx_codes, "matching.non_ar.bank_tx_codes");
        c.patterns(&self.non_ar.text_patterns, "matching.non_ar.text_patterns");
        if checker.errors.is_empty() {
            Ok(())
        } else {
            Err(checker.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ConfigFile {
        matching: RuleSet,
    }

    fn parse(text: &str) -> Result<RuleSet, toml::de::Error> {
        toml::from_str::<ConfigFile>(text).map(|file| file.matching)
    }

    #[test]
    fn the_example_file_parses_to_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ruleset.example.toml");
        let text = std::fs::read_to_string(path).expect("ruleset.example.toml");
        let parsed = parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(parsed, RuleSet::default());
        assert_eq!(parsed.validate(), Ok(()));
    }

    #[test]
    fn every_table_and_key_is_optional() {
        assert_eq!(parse("[matching]").ok(), Some(RuleSet::default()));
        let partial = parse("[matching.payer]\nname = false\n").expect("partial table");
        assert!(!partial.payer.name);
        assert_eq!(
            partial.payer.name_similarity_min,
            Confidence::from_per_mille(900)
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let error = parse("[matching.references]\nfree_txt = true\n").expect_err("typo");
        assert!(error.to_string().contains("free_txt"), "{error}");
    }

    #[test]
    fn validation_names_the_key() {
        let text = "[matching]\nauto_apply_confidence_min = 1200\n\
                    [matching.differences.tolerance.XYZ]\nrounding_minor_max = -1\n";
        let errors = parse(text)
            .expect("parses")
            .validate()
            .expect_err("invalid");
        let rendered: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(rendered.contains(
            &"`matching.auto_apply_confidence_min`: must be at most 1000 (per-mille), found 1200"
                .to_owned()
        ), "{rendered:?}");
        assert!(rendered
            .iter()
            .any(|e| e.starts_with("`matching.differences.tolerance.XYZ`: must be an ISO 4217")));
        assert!(
            rendered.contains(
                &"`matching.differences.tolerance.XYZ.rounding_minor_max`: must be ≥ 0, found -1"
                    .to_owned()
            ),
            "{rendered:?}"
        );
    }

    #[test]
    fn tolerances_per_currency() {
        let mut rules = DifferenceRules::default();
        rules.tolerance.insert(
            "jpy".to_owned(),
            Tolerance {
                rounding_minor_max: 10,
                ..Tolerance::default()
            },
        );
        let jpy = Currency::from_code("JPY").expect("JPY");
        assert_eq!(rules.tolerance_for(jpy).rounding_minor_max, 10);
        assert_eq!(rules.tolerance_for(Currency::USD).rounding_minor_max, 5);
    }
}
