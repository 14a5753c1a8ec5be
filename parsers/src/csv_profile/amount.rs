//! Amount fields as banks write them: decimal comma, thousands separators, a sign in
//! front or behind, or parentheses for negatives. Never through a float.

use rust_decimal::Decimal;

use crate::money::parse_plain_decimal;

pub(crate) struct Separators<'a> {
    pub decimal: char,
    pub thousands: Option<char>,
    /// A currency symbol to drop (`$`), before or after the number.
    pub symbol: Option<&'a str>,
}

/// `text` without `symbol` at its start or its end.
fn without_symbol<'t>(text: &'t str, symbol: &str) -> &'t str {
    text.strip_prefix(symbol)
        .map(str::trim_start)
        .or_else(|| text.strip_suffix(symbol).map(str::trim_end))
        .unwrap_or(text)
}

/// Parses `1.234,56`, `-12.50`, `12.50-`, `(12.50)` or `+3` according to `separators`,
/// with the currency symbol where the bank puts it (`-$1,036.47`, `$-5`, `5,00 €`).
pub(crate) fn parse_amount(text: &str, separators: &Separators<'_>) -> Option<Decimal> {
    let mut body = text.trim();
    // One symbol at most: before the sign, or after it.
    let mut symbol_left = None;
    if let Some(symbol) = separators.symbol {
        let without = without_symbol(body, symbol);
        if without.len() == body.len() {
            symbol_left = Some(symbol);
        }
        body = without;
    }
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
    if let Some(symbol) = symbol_left {
        body = without_symbol(body, symbol);
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

    fn european() -> Separators<'static> {
        Separators {
            decimal: ',',
            thousands: Some('.'),
            symbol: None,
        }
    }

    #[test]
    fn amounts_in_bank_notations() {
        let plain = Separators {
            decimal: '.',
            thousands: None,
            symbol: None,
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
        for bad in ["", "12,50", "1e5", "--1", "12.50 USD", "$12.50"] {
            assert!(parse_amount(bad, &plain).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn currency_symbols_where_banks_put_them() {
        let dollars = Separators {
            decimal: '.',
            thousands: Some(','),
            symbol: Some("$"),
        };
        for (text, value) in [
            ("$20.00", "20.00"),
            ("$1,036.47", "1036.47"),
            ("-$1,036.47", "-1036.47"),
            ("$-5", "-5"),
            ("($75.00)", "-75.00"),
            ("12.50 $", "12.50"),
            ("7", "7"),
        ] {
            let parsed = parse_amount(text, &dollars).map(|d| d.to_string());
            assert_eq!(parsed.as_deref(), Some(value), "{text:?}");
        }
        for bad in ["$", "$$5", "€5", "5$5"] {
            assert!(parse_amount(bad, &dollars).is_none(), "{bad:?}");
        }
        let euros = Separators {
            symbol: Some("€"),
            ..european()
        };
        let parsed = parse_amount("1.234,56 €", &euros).map(|d| d.to_string());
        assert_eq!(parsed.as_deref(), Some("1234.56"));
    }
}
