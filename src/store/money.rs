//! The one place where money crosses into and out of the database: integer minor
//! units plus an ISO 4217 code, checked so that no precision is lost either way.

use anyhow::Context;
use parsers::money::{Currency, Money};

/// Minor units for storage; fails (naming the amount) rather than rounding.
pub fn to_minor(money: &Money) -> anyhow::Result<i64> {
    Ok(money.to_minor()?)
}

pub fn currency(code: &str) -> anyhow::Result<Currency> {
    Currency::from_code(code).with_context(|| format!("stored currency {code:?} is not ISO 4217"))
}

pub fn from_minor(minor_units: i64, code: &str) -> anyhow::Result<Money> {
    Ok(Money::from_minor(minor_units, currency(code)?))
}

/// Formats stored minor units as a decimal string with the currency's decimals
/// (`125000`, `USD` → `1250.00`).
pub fn format_minor(minor_units: i64, code: &str) -> String {
    match Currency::from_code(code) {
        Ok(currency) => {
            parsers::money::format_amount(Money::from_minor(minor_units, currency).amount, currency)
        }
        Err(_) => minor_units.to_string(),
    }
}
