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
    /// Legal forms, for recognising one cut short at the end of a name.
    suffixes: Vec<String>,
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
            suffixes: rules
                .legal_suffixes
                .iter()
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
        self.normalize_cut(raw, self.length_max)
    }

    /// [`normalize`](Self::normalize) without the length cut: for remittance text,
    /// where a payer's name may appear among other words.
    pub(crate) fn normalize_text(&self, raw: &str) -> String {
        self.normalize_cut(raw, usize::MAX)
    }

    fn normalize_cut(&self, raw: &str, length_max: usize) -> String {
        let mut spaced = String::with_capacity(raw.len().min(length_max.saturating_mul(2)));
        for (n, c) in raw.chars().enumerate() {
            if n == length_max {
                break;
            }
            if c.is_ascii_alphanumeric() {
                spaced.push(c.to_ascii_uppercase());
            } else if c.is_alphanumeric() {
                fold(c, &mut spaced);
            } else if c == '.' || c == '\'' {
                // "S.A." and "O'Brien" keep their letters together.
            } else {
                spaced.push(' ');
            }
        }
        let words: Vec<&str> = spaced.split_whitespace().collect();
        // A name cut by the bank may end in the first letters of its legal form
        // ("FALCON CONSTR LL" for "... LLC"): that fragment is dropped too.
        let mut out = String::with_capacity(spaced.len());
        for (i, &word) in words.iter().enumerate() {
            if self.dropped.contains(word) {
                continue;
            }
            if i + 1 == words.len() && i > 0 && self.is_suffix_fragment(word) {
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

    /// Whether `word` is the beginning of a legal form (`LL` of `LLC`), not a word.
    fn is_suffix_fragment(&self, word: &str) -> bool {
        self.suffixes
            .iter()
            .any(|suffix| suffix.len() > word.len() && suffix.starts_with(word))
    }
}

/// Letters with diacritics as banks transliterate them for payment messages:
/// German umlauts to two letters (`Ü` → `UE`, as SEPA's character set conversion
/// does), other accents dropped (`É` → `E`).
fn fold(c: char, out: &mut String) {
    let upper: String = c.to_uppercase().collect();
    for u in upper.chars() {
        match u {
            'Ä' | 'Æ' => out.push_str("AE"),
            'Ö' | 'Ø' | 'Œ' => out.push_str("OE"),
            'Ü' => out.push_str("UE"),
            'ß' | 'ẞ' => out.push_str("SS"),
            'À' | 'Á' | 'Â' | 'Ã' | 'Å' => out.push('A'),
            'Ç' => out.push('C'),
            'È' | 'É' | 'Ê' | 'Ë' => out.push('E'),
            'Ì' | 'Í' | 'Î' | 'Ï' => out.push('I'),
            'Ñ' => out.push('N'),
            'Ò' | 'Ó' | 'Ô' | 'Õ' => out.push('O'),
            'Ù' | 'Ú' | 'Û' => out.push('U'),
            'Ý' | 'Ÿ' => out.push('Y'),
            other => out.push(other),
        }
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
    Confidence::from_per_mille(per_mille.max(word_prefix_similarity(a, b)))
}

/// Similarity when the payer's name is the known name with its words shortened or
/// cut (`FALCON CONSTR` for `FALCON CONSTRUCTION`, `MAPLE LEAF DRIFT` for `MAPLE
/// LEAF DRIFTWOOD PACKAGING`): every word of `payer` starts the known name's word at
/// the same place, the first word whole, the others three letters or more. Banks and
/// payers' systems shorten names this way far more often than they misspell them.
fn word_prefix_similarity(payer: &str, known: &str) -> u16 {
    // Above any Jaro-Winkler score of a name sharing only the first words, so that a
    // name whose shortened words fit one customer beats a customer it merely
    // resembles; two customers it fits alike stay a tie.
    const SCORE: u16 = 990;
    if words_abbreviate(payer, known) {
        SCORE
    } else {
        0
    }
}

/// Whether each word of `short` starts the word of `full` at the same place: the
/// first word whole, the others three letters or more (the last any, as a bank's
/// length limit may cut it anywhere), at least two words.
pub(crate) fn words_abbreviate(short: &str, full: &str) -> bool {
    let mut full_words = full.split(' ');
    let count = short.split(' ').count();
    if count < 2 {
        return false;
    }
    short.split(' ').enumerate().all(|(i, word)| {
        let Some(whole) = full_words.next() else {
            return false;
        };
        let letters_min = if i + 1 == count { 1 } else { 3 };
        word == whole || (i > 0 && word.len() >= letters_min && whole.starts_with(word))
    })
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
    fn transliterated_and_shortened_names() {
        let normalizer = NameNormalizer::new(&PayerRules::default());
        assert_eq!(
            normalizer.normalize("Hübner Textiles S.A."),
            "HUEBNER TEXTILES"
        );
        assert_eq!(normalizer.normalize("FALCON CONSTR LL"), "FALCON CONSTR");
        let short = name_similarity("FALCON CONSTR", "FALCON CONSTRUCTION").per_mille();
        assert!(short >= 950, "{short}");
        let cut = name_similarity("MAPLE LEAF DRIFT", "MAPLE LEAF DRIFTWOOD PACKAGING");
        assert!(cut.per_mille() >= 950, "{cut}");
        let other = name_similarity("MAPLE LEAF DRIFT", "MAPLE LEAF LOGISTICS").per_mille();
        assert!(other < 900, "{other}");
        assert_eq!(word_prefix_similarity("ACME", "ACME TOOLS"), 0);
        assert_eq!(word_prefix_similarity("ACM TOOLS", "ACME TOOLS"), 0);
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
