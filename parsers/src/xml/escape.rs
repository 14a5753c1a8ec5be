//! Replacing references in text with the characters they stand for.

use super::scan::{self, Scan};

/// Appends `text` to `out` with its references replaced. The tokenizer has checked
/// every reference; should one still be bad, it is kept as it is and `false`
/// returned.
pub(crate) fn unescape_into(text: &str, out: &mut String) -> bool {
    let mut rest = text;
    let mut clean = true;
    while let Some(ampersand) = rest.find('&') {
        out.push_str(&rest[..ampersand]);
        rest = &rest[ampersand..];
        let length = match scan::reference(rest.as_bytes()) {
            Scan::Token((), length) => length,
            Scan::More | Scan::Bad(..) => {
                clean = false;
                out.push('&');
                rest = &rest[1..];
                continue;
            }
        };
        // `reference` accepted it, so it is ASCII up to the `;`.
        let body = &rest.as_bytes()[1..length - 1];
        let character = match body {
            b"amp" => Some('&'),
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"quot" => Some('"'),
            b"apos" => Some('\''),
            [b'#', b'x', hex @ ..] => scan::character_value(hex, 16),
            [b'#', decimal @ ..] => scan::character_value(decimal, 10),
            _ => None,
        };
        match character {
            Some(character) => out.push(character),
            None => {
                clean = false;
                out.push_str(&rest[..length]);
            }
        }
        rest = &rest[length..];
    }
    out.push_str(rest);
    clean
}
