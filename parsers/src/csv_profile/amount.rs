//! Amount fields as banks write them: decimal comma, thousands separators, a sign in
//! front or behind, or parentheses for negatives. Never through a float.

use rust_decimal::Decimal;

use crate::money::parse_plain_decimal;

pub(crate) struct Separators {
    pub decimal: char,
    pub thousands: Option<char>,
}

/// Parses `1.234,56`, `-12.50`, `12.50-`, `(12.50)` or `+3` according to `separators`.
pub(crate) fn parse_amount(text: &str, separators: &Separators) -> Option<Decimal> {
    let mut body = text.trim();
    let mut negative = false;
    if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        negative = true;
        body = inner.trim();
    }
    if let Some(rest) = body.strip_suffix('-') {
        negative = !negative;
        body = rest.trim_end();
    }
    if let Some(rest) = body.strip_prefix('-') {
        negative = !negative;
        body = rest;
    } else if let Some(rest) = body.strip_prefix('+') {
        body = rest;
    }
    // Already plain (`1234.56`): no copy needed.
    if separators.decimal == '.'
        && !matches!(separators.thousands, Some(thousands) if body.contains(thousands))
        && body
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
    {
        let value = parse_plain_decimal(body)?;
        return Some(if negative { -value } else { value });
    }
    let mut plain = String::with_capacity(body.len());
    for ch in body.chars() {
        if Some(ch) == separators.thousands {
            continue;
        } else if ch == separators.decimal {
            plain.push('.');
        } else if ch.is_ascii_digit() {
            plain.push(ch);
        } else {
            return None;
        }
    }
    let value = parse_plain_decimal(&plain)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn european() -> Separators {
        Separators {
            decimal: ',',
            thousands: Some('.'),
        }
    }

    #[test]
    fn amounts_in_bank_notations() {
        let plain = Separators {
            decimal: '.',
            thousands: None,
        };
        assert_eq!(
            parse_amount("-12.50", &plain).unwrap().to_string(),
            "-12.50"
        );
        assert_eq!(
            parse_amount("12.50-", &plain).unwrap().to_string(),
            "-12.50"
        );
        assert_eq!(
            parse_amount("(12.50)", &plain).unwrap().to_string(),
            "-12.50"
        );
        assert_eq!(
            parse_amount("1.234,56", &european()).unwrap().to_string(),
            "1234.56"
        );
        assert_eq!(
            parse_amount("-0,01", &european()).unwrap().to_string(),
            "-0.01"
        );
        for bad in ["", "12,50", "1e5", "--1", "12.50 USD"] {
            assert!(parse_amount(bad, &plain).is_none(), "{bad:?}");
        }
    }
}
