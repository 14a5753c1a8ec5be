//! Text normalisation shared by the indexes and the lookups, so that both sides of a
//! comparison are always normalised the same way: invoice keys, reference candidates
//! in free text, ISO 11649 creditor references, bank accounts and bank codes.

/// Turns an invoice or PO number into the key it is indexed and looked up by: upper
/// case, separators dropped, a known prefix word dropped, leading zeros of the
/// number dropped. `INV-000123`, `inv 123` and `123` share the key `123`; `AB-0012`
/// becomes `AB12`.
#[derive(Debug, Clone)]
pub(crate) struct KeyNormalizer {
    prefixes: Vec<String>,
}

impl KeyNormalizer {
    pub(crate) fn new(prefixes: &[String]) -> KeyNormalizer {
        KeyNormalizer {
            prefixes: prefixes.iter().map(|p| p.to_uppercase()).collect(),
        }
    }

    pub(crate) fn key(&self, raw: &str) -> String {
        let squashed = squash(raw);
        let Some(digit_at) = squashed.find(|c: char| c.is_ascii_digit()) else {
            return squashed;
        };
        let (alpha, number) = squashed.split_at(digit_at);
        let alpha_len = if self.prefixes.iter().any(|prefix| prefix == alpha) {
            0
        } else {
            alpha.len()
        };
        let zeros = number.len() - number.trim_start_matches('0').len();
        // Keep one zero when the number is all zeros.
        let zeros = if zeros == number.len() {
            zeros - 1
        } else {
            zeros
        };
        if alpha_len == alpha.len() && zeros == 0 {
            return squashed;
        }
        let mut key = String::with_capacity(alpha_len + number.len() - zeros);
        key.push_str(&alpha[..alpha_len]);
        key.push_str(&number[zeros..]);
        key
    }
}

/// Upper case, alphanumerics only: `inv-00/12` → `INV0012`.
pub(crate) fn squash(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    if raw.is_ascii() {
        out.extend(
            raw.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_uppercase())),
        );
        return out;
    }
    for c in raw.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        }
    }
    out
}

/// Whether two strings are equal once squashed (case and separators ignored),
/// without allocating.
pub(crate) fn eq_squashed(a: &str, b: &str) -> bool {
    let mut a = a
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase);
    let mut b = b
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// A bank account as compared: upper case, no spaces or separators.
pub(crate) fn account(raw: &str) -> String {
    squash(raw)
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | ';'
                | ':'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '#'
                | '\\'
                | '|'
                | '"'
                | '\''
                | '*'
                | '='
                | '+'
                | '<'
                | '>'
        )
}

/// The words of a remittance line, split on blanks and punctuation that never sits
/// inside an invoice number (a hyphen or dot may).
pub(crate) fn words(line: &str) -> Vec<&str> {
    line.split(is_separator)
        .map(|word| word.trim_matches(|c: char| matches!(c, '.' | '-' | '_' | '/')))
        .filter(|word| !word.is_empty())
        .collect()
}

/// The parts of a word joined by slashes that could be numbers of their own:
/// `2026/0456` is usually one invoice number, but `12345/12346` may list two.
pub(crate) fn slash_pieces(word: &str) -> Vec<String> {
    if !word.contains('/') {
        return Vec::new();
    }
    word.split('/')
        .filter(|piece| piece.bytes().any(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

/// Strings of a line that could be invoice numbers: each word with a digit, and a
/// short word without digits joined to the next one (`INV 123`, `AB 12`), the latter
/// flagged `true`.
pub(crate) fn reference_candidates(line: &str) -> Vec<(String, bool)> {
    let words = words(line);
    let mut candidates = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let has_digit = word.bytes().any(|b| b.is_ascii_digit());
        if has_digit {
            candidates.push(((*word).to_owned(), false));
        } else if word.chars().count() <= 10 {
            if let Some(next) = words.get(i + 1) {
                if next.bytes().any(|b| b.is_ascii_digit()) {
                    candidates.push((format!("{word}{next}"), true));
                }
            }
        }
    }
    candidates
}

/// Two neighbouring numbers that may be one invoice number printed with a blank
/// instead of its separator (`PMT 2026 0456 THX`, `2026 0456/PAYMENT` for
/// `2026/0456`): the pair joined by a blank, and the two words it is made of.
pub(crate) fn joined_numbers(line: &str) -> Vec<(String, &str, &str)> {
    let words = words(line);
    let all_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    words
        .windows(2)
        .filter_map(|pair| {
            let second = pair[1].split('/').next().unwrap_or("");
            (all_digits(pair[0]) && all_digits(second))
                .then(|| (format!("{} {second}", pair[0]), pair[0], pair[1]))
        })
        .collect()
}

/// The reference without the words after its last slashes that hold no digit
/// (`2026/0456/PAYMENT` → `2026/0456`); `None` when there are none.
pub(crate) fn without_trailing_words(reference: &str) -> Option<&str> {
    let mut end = reference.len();
    while let Some(slash) = reference[..end].rfind('/') {
        if reference[slash + 1..end]
            .bytes()
            .any(|b| b.is_ascii_digit())
        {
            break;
        }
        end = slash;
    }
    let number = &reference[..end];
    (end < reference.len() && number.bytes().any(|b| b.is_ascii_digit())).then_some(number)
}

/// The reference with the leading zeros its last number may have lost put back
/// (`2026/403` → `2026/0403`, `2026/00403`), up to six digits: payers drop the
/// zeros of the number after a separator, which the key does not restore.
pub(crate) fn zero_padded(reference: &str) -> Vec<String> {
    let Some(cut) = reference.rfind(|c: char| !c.is_ascii_alphanumeric()) else {
        return Vec::new();
    };
    let (head, tail) = reference.split_at(cut + 1);
    let head_has_alnum = head.chars().any(|c| c.is_ascii_alphanumeric());
    if !head_has_alnum || tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    (tail.len() + 1..=6)
        .map(|width| format!("{head}{tail:0>width$}"))
        .collect()
}

/// ISO 11649 creditor references in a line: `RF` + two check digits + up to 21
/// letters or digits, possibly printed in groups of four. Returns the payload (the
/// part after the check digits) of each reference whose check digits verify.
#[cfg(test)]
pub(crate) fn creditor_references(line: &str) -> Vec<String> {
    creditor_references_with_rest(line).0
}

/// [`creditor_references`], and the line without the words they were made of (so
/// that their groups are not read again as invoice numbers).
pub(crate) fn creditor_references_with_rest(line: &str) -> (Vec<String>, Option<String>) {
    let words = words(line);
    let mut found = Vec::new();
    let mut consumed = vec![false; words.len()];
    for (i, word) in words.iter().enumerate() {
        let bytes = word.as_bytes();
        if bytes.len() < 2 || !bytes[..2].eq_ignore_ascii_case(b"RF") {
            continue;
        }
        // Join following groups while the reference can still grow; keep the longest
        // one whose check digits verify (a shorter valid prefix is a 1-in-97 accident).
        let mut joined = String::new();
        let mut best: Option<(String, usize)> = None;
        for (n, next) in words.iter().skip(i).take(7).enumerate() {
            let group = squash(next);
            // Printed references come in groups of four; a longer word is other text.
            if n > 0 && group.len() > 4 {
                break;
            }
            joined.push_str(&group);
            if joined.len() > 25 {
                break;
            }
            if let Some(payload) = creditor_reference_payload(&joined) {
                best = Some((payload.to_owned(), n + 1));
            }
        }
        if let Some((payload, count)) = best {
            found.push(payload);
            for flag in consumed.iter_mut().skip(i).take(count) {
                *flag = true;
            }
        }
    }
    let rest = (!found.is_empty()).then(|| {
        words
            .iter()
            .zip(&consumed)
            .filter(|(_, used)| !**used)
            .map(|(word, _)| *word)
            .collect::<Vec<&str>>()
            .join(" ")
    });
    (found, rest)
}

/// The payload of an ISO 11649 reference (`RF18539007547034` → `539007547034`) when
/// its mod-97 check digits verify; `None` otherwise. Expects squashed input.
pub(crate) fn creditor_reference_payload(reference: &str) -> Option<&str> {
    let bytes = reference.as_bytes();
    if !(5..=25).contains(&bytes.len())
        || !reference.starts_with("RF")
        || !bytes[2].is_ascii_digit()
        || !bytes[3].is_ascii_digit()
        || !bytes[4..].iter().all(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    // Move the first four characters to the end, letters become 10..35, then mod 97.
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut remainder: u32 = 0;
    for &byte in rearranged {
        let upper = byte.to_ascii_uppercase();
        if upper.is_ascii_digit() {
            remainder = (remainder * 10 + u32::from(upper - b'0')) % 97;
        } else {
            let value = u32::from(upper - b'A') + 10;
            remainder = (remainder * 100 + value) % 97;
        }
    }
    (remainder == 1).then(|| &reference[4..])
}

/// A bank transaction code pattern, split into parts: `PMNT/MCRD` or `*/*/INTR`.
#[derive(Debug, Clone)]
pub(crate) struct CodePattern {
    parts: Vec<String>,
}

fn code_parts(code: &str) -> Vec<String> {
    code.split(|c: char| matches!(c, '/' | '-' | '.' | '+') || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(str::to_uppercase)
        .collect()
}

impl CodePattern {
    pub(crate) fn new(pattern: &str) -> CodePattern {
        CodePattern {
            parts: code_parts(pattern),
        }
    }

    /// Whether `code` (already split with [`split_code`]) falls under this pattern.
    pub(crate) fn matches(&self, code: &[String]) -> bool {
        !self.parts.is_empty()
            && self.parts.len() <= code.len()
            && self
                .parts
                .iter()
                .zip(code)
                .all(|(pattern, part)| pattern == "*" || pattern == part)
    }
}

pub(crate) fn split_code(code: &str) -> Vec<String> {
    code_parts(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> KeyNormalizer {
        KeyNormalizer::new(&["INV".to_owned(), "NO".to_owned()])
    }

    #[test]
    fn keys_ignore_case_separators_prefixes_and_leading_zeros() {
        let n = normalizer();
        assert_eq!(n.key("INV-000123"), "123");
        assert_eq!(n.key("inv 123"), "123");
        assert_eq!(n.key("123"), "123");
        assert_eq!(n.key("AB-0012"), "AB12");
        assert_eq!(n.key("INV-000"), "0");
        assert_eq!(n.key("THANKS"), "THANKS");
    }

    #[test]
    fn candidates_from_text() {
        assert_eq!(
            reference_candidates("PMT INV 123 THX"),
            vec![("INV123".to_owned(), true), ("123".to_owned(), false)]
        );
        assert_eq!(
            reference_candidates("Invoice INV000123, thanks."),
            vec![
                ("InvoiceINV000123".to_owned(), true),
                ("INV000123".to_owned(), false)
            ]
        );
    }

    #[test]
    fn numbers_split_by_a_blank_and_lost_zeros() {
        assert_eq!(
            joined_numbers("RMT 2026 0463/PAYMENT"),
            vec![("2026 0463".to_owned(), "2026", "0463/PAYMENT")]
        );
        assert!(joined_numbers("INV 123 THX").is_empty());
        assert_eq!(
            zero_padded("2026/403"),
            vec![
                "2026/0403".to_owned(),
                "2026/00403".to_owned(),
                "2026/000403".to_owned()
            ]
        );
        assert!(zero_padded("403").is_empty());
        assert_eq!(without_trailing_words("2026/659/PAYMENT"), Some("2026/659"));
        assert_eq!(without_trailing_words("KD33308/PAYMENT"), Some("KD33308"));
        assert_eq!(without_trailing_words("2026/0659"), None);
        assert_eq!(without_trailing_words("PAYMENT/REF"), None);
        assert!(zero_padded("2026/AB").is_empty());
    }

    #[test]
    fn creditor_reference_check_digits() {
        // The example from ISO 11649.
        assert_eq!(
            creditor_reference_payload("RF18539007547034"),
            Some("539007547034")
        );
        assert_eq!(creditor_reference_payload("RF19539007547034"), None);
        assert_eq!(
            creditor_references("pay ref RF18 5390 0754 7034 thanks"),
            vec!["539007547034".to_owned()]
        );
        assert_eq!(
            creditor_references_with_rest("RF18 5390 0754 7034 and INV 12").1,
            Some("and INV 12".to_owned())
        );
    }

    #[test]
    fn code_patterns() {
        let code = split_code("PMNT/MCRD/SETT");
        assert!(CodePattern::new("PMNT/MCRD").matches(&code));
        assert!(CodePattern::new("*/*/SETT").matches(&code));
        assert!(!CodePattern::new("PMNT/RCDT").matches(&code));
        assert!(CodePattern::new("354").matches(&split_code("354")));
        assert!(!CodePattern::new("354").matches(&split_code("3541")));
    }
}
