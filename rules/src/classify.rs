//! Rule 5: recognise activity that is not customer cash — returns, entries not yet
//! booked, debits, bank fees, interest, own-account transfers, card settlements — by
//! return link, direction, bank transaction code and configured text patterns.

use memchr::memmem;
use parsers::model::{Direction, EntryStatus};

use crate::decision::NonArKind;
use crate::input::Payment;
use crate::normalize::{split_code, CodePattern};
use crate::ruleset::{NonArPatterns, NonArRules};

/// The non-AR patterns, compiled once per run.
#[derive(Debug, Clone)]
pub(crate) struct Classifier {
    enabled: bool,
    codes: Vec<(NonArKind, CodePattern, String)>,
    /// Upper-case text patterns with a prepared substring searcher each.
    texts: Vec<TextPattern>,
}

/// One text pattern: `^` in front anchors it at the start of a line (after blanks),
/// so `^INTEREST ` matches `INTEREST NOV 2026` but not `LATE PAYMENT INTEREST`.
#[derive(Debug, Clone)]
struct TextPattern {
    kind: NonArKind,
    shown: String,
    anchored: bool,
    finder: memmem::Finder<'static>,
}

impl TextPattern {
    fn matches(&self, upper: &str) -> bool {
        if self.anchored {
            upper
                .trim_start()
                .as_bytes()
                .starts_with(self.finder.needle())
        } else {
            self.finder.find(upper.as_bytes()).is_some()
        }
    }
}

fn by_kind(patterns: &NonArPatterns) -> Vec<(NonArKind, &String)> {
    let mut out = Vec::new();
    for (kind, list) in [
        (NonArKind::BankFee, &patterns.bank_fee),
        (NonArKind::Interest, &patterns.interest),
        (NonArKind::Transfer, &patterns.transfer),
        (NonArKind::CardSettlement, &patterns.card_settlement),
    ] {
        out.extend(list.iter().map(|pattern| (kind, pattern)));
    }
    out
}

/// Why a payment is non-AR.
pub(crate) struct NonAr {
    pub(crate) kind: NonArKind,
    pub(crate) explanation: String,
}

impl Classifier {
    pub(crate) fn new(rules: &NonArRules) -> Classifier {
        Classifier {
            enabled: rules.enabled,
            codes: by_kind(&rules.bank_tx_codes)
                .into_iter()
                .map(|(kind, pattern)| (kind, CodePattern::new(pattern), pattern.clone()))
                .collect(),
            texts: by_kind(&rules.text_patterns)
                .into_iter()
                .map(|(kind, pattern)| (kind, pattern.to_uppercase()))
                .filter_map(|(kind, shown)| {
                    let (anchored, needle) = match shown.strip_prefix('^') {
                        Some(rest) => (true, rest.trim_start()),
                        None => (false, shown.as_str()),
                    };
                    if needle.trim().is_empty() {
                        return None;
                    }
                    let finder = memmem::Finder::new(needle.as_bytes()).into_owned();
                    Some(TextPattern {
                        kind,
                        shown: shown.clone(),
                        anchored,
                        finder,
                    })
                })
                .collect(),
        }
    }

    fn by_pattern(&self, payment: &Payment) -> Option<NonAr> {
        if let Some(code) = &payment.bank_tx_code {
            let parts = split_code(code);
            if let Some((kind, _, pattern)) = self
                .codes
                .iter()
                .find(|(_, compiled, _)| compiled.matches(&parts))
            {
                return Some(NonAr {
                    kind: *kind,
                    explanation: format!(
                        "bank transaction code {code} matches {pattern}: {}",
                        kind.as_str().replace('_', " ")
                    ),
                });
            }
        }
        if self.texts.is_empty() {
            return None;
        }
        let texts = (payment.payer_name.iter().map(String::as_str))
            .chain(payment.remittance.lines.iter().map(|line| line.as_ref()));
        let mut upper = String::new();
        for text in texts {
            upper.clear();
            if text.is_ascii() {
                upper.push_str(text);
                upper.make_ascii_uppercase();
            } else {
                upper.extend(text.chars().flat_map(char::to_uppercase));
            }
            if let Some(pattern) = self.texts.iter().find(|pattern| pattern.matches(&upper)) {
                return Some(NonAr {
                    kind: pattern.kind,
                    explanation: format!(
                        "text matches \"{}\": {}",
                        pattern.shown,
                        pattern.kind.as_str().replace('_', " ")
                    ),
                });
            }
        }
        None
    }

    /// `Some` when the payment is not customer cash to apply.
    pub(crate) fn classify(&self, payment: &Payment) -> Option<NonAr> {
        if let Some(trace) = &payment.return_of {
            return Some(NonAr {
                kind: NonArKind::Return,
                explanation: format!(
                    "ACH return of the entry with trace number {trace}; its applications are reversed"
                ),
            });
        }
        if payment.status != EntryStatus::Booked {
            return Some(NonAr {
                kind: NonArKind::NotBooked,
                explanation: format!("entry is {}, not booked cash", payment.status.as_str()),
            });
        }
        let by_pattern = if self.enabled {
            self.by_pattern(payment)
        } else {
            None
        };
        if payment.direction == Direction::Debit {
            return Some(by_pattern.unwrap_or(NonAr {
                kind: NonArKind::Debit,
                explanation: "money going out (debit)".to_owned(),
            }));
        }
        by_pattern
    }
}
