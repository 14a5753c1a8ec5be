//! Payer-name similarity: the only place where floats are allowed.
//!
//! strsim returns `f64`; it is quantised into a per-mille [`Confidence`] right here,
//! so every comparison and tie-break outside this module is on integers and the
//! decisions stay bit-for-bit reproducible.
#![allow(clippy::float_arithmetic)]

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use crate::index::{FxHasher, FxMap};

use crate::decision::Confidence;
use crate::ruleset::PayerRules;

/// Normalises company names before they are compared: cut at the bank's length
/// limit (as the bank cuts the payer name), upper case, punctuation dropped, legal
/// forms and noise words dropped, abbreviations expanded.
#[derive(Debug, Clone)]
pub(crate) struct NameNormalizer {
    length_max: usize,
    dropped: HashSet<String, BuildHasherDefault<FxHasher>>,
    abbreviations: FxMap<String, String>,
}

impl NameNormalizer {
    pub(crate) fn new(rules: &PayerRules) -> NameNormalizer {
        NameNormalizer {
            length_max: rules.name_length_max,
            dropped: rules
                .legal_suffixes
                .iter()
                .chain(&rules.noise_words)
                .map(|word| word.to_uppercase())
                .collect(),
            abbreviations: rules
                .abbreviations
                .iter()
                .map(|(short, long)| (short.to_uppercase(), long.to_uppercase()))
                .collect(),
        }
    }

    /// `"Acme Intl. Corp."` → `"ACME INTERNATIONAL"`.
    pub(crate) fn normalize(&self, raw: &str) -> String {
        let cut: String = raw.chars().take(self.length_max).collect();
        let mut spaced = String::with_capacity(cut.len());
        for c in cut.chars() {
            if c.is_alphanumeric() {
                spaced.extend(c.to_uppercase());
            } else if c == '.' || c == '\'' {
                // "S.A." and "O'Brien" keep their letters together.
            } else {
                spaced.push(' ');
            }
        }
        let mut out = String::with_capacity(spaced.len());
        for word in spaced.split_whitespace() {
            if self.dropped.contains(word) {
                continue;
            }
            let word = self.abbreviations.get(word).map_or(word, String::as_str);
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    }
}

/// The words of a normalised name that make a customer a candidate (two chars or
/// more).
pub(crate) fn name_words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .split(' ')
        .filter(|word| word.chars().count() >= 2)
}

/// How similar two normalised names are, in per-mille (Jaro-Winkler, rounded).
pub(crate) fn name_similarity(a: &str, b: &str) -> Confidence {
    if a.is_empty() || b.is_empty() {
        return Confidence::NONE;
    }
    if a == b {
        return Confidence::CERTAIN;
    }
    let score = strsim::jaro_winkler(a, b).clamp(0.0, 1.0);
    // In 0..=1000 after the clamp, so the cast cannot truncate.
    let per_mille = (score * 1000.0).round() as u16;
    Confidence::from_per_mille(per_mille)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_suffixes_case_punctuation_and_truncation() {
        let normalizer = NameNormalizer::new(&PayerRules::default());
        assert_eq!(normalizer.normalize("Acme Corp."), "ACME");
        assert_eq!(normalizer.normalize("ACME CORPORATION"), "ACME");
        assert_eq!(normalizer.normalize("acme intl, inc"), "ACME INTERNATIONAL");
        let long = "Northwind International Manufacturing Distribution GmbH";
        let cut = "NORTHWIND INTERNATIONAL MANUFACTURI";
        assert_eq!(normalizer.normalize(long), normalizer.normalize(cut));
    }

    #[test]
    fn similarity_is_quantised() {
        assert_eq!(name_similarity("ACME", "ACME").per_mille(), 1000);
        let close = name_similarity("ACME TOOLS", "ACME TOOL").per_mille();
        assert!((950..1000).contains(&close), "{close}");
        let far = name_similarity("ACME", "ZENITH").per_mille();
        assert!(far < 600, "{far}");
    }
}
