//! Turning CAMT leaf texts into typed values: amounts, dates and the small code lists.
//!
//! These functions only decide; the reader turns a refusal into a located diagnostic.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::{Direction, EntryStatus};
use crate::money::{parse_plain_decimal, Currency, Money};

/// Why an amount element could not become money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AmountProblem {
    /// No `Ccy` attribute.
    MissingCurrency,
    UnknownCurrency,
    /// Not an unsigned decimal (CAMT amounts carry their sign in `CdtDbtInd`).
    NotAnAmount,
}

/// Parses an unsigned CAMT decimal: digits with an optional fraction, no sign, no
/// exponent.
pub(super) fn unsigned_decimal(text: &str) -> Option<Decimal> {
    if !text.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    parse_plain_decimal(text)
}

/// Parses `<Amt Ccy="EUR">12.50</Amt>` into money, given what the `Ccy` attribute
/// resolved to.
pub(super) fn money(
    text: &str,
    currency: Result<Currency, AmountProblem>,
) -> Result<Money, AmountProblem> {
    let currency = currency?;
    let amount = unsigned_decimal(text).ok_or(AmountProblem::NotAnAmount)?;
    Ok(Money::new(amount, currency))
}

/// Whether the amount has more decimals than its currency's minor unit.
pub(super) fn too_precise(money: &Money) -> bool {
    money.amount.normalize().scale() > money.currency.exponent()
}

/// The date part of an ISODate (`2014-12-30`, optionally with a time zone) or an
/// ISODateTime (`2014-12-30T08:00:00+01:00`).
pub(super) fn date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let (day, rest) = (bytes.get(..10)?, &bytes[10..]);
    if !matches!(rest.first(), None | Some(b'T' | b'Z' | b'+' | b'-')) {
        return None;
    }
    if day[4] != b'-' || day[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |value, &digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u32::from(digit - b'0'))
        })
    };
    let year = i32::try_from(number(&day[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&day[5..7])?, number(&day[8..10])?)
}

pub(super) fn direction(text: &str) -> Option<Direction> {
    match text {
        "CRDT" => Some(Direction::Credit),
        "DBIT" => Some(Direction::Debit),
        _ => None,
    }
}

/// Entry status, from the ISO code list (`FUTR`, announced for a later date, is not
/// booked yet and counts as pending).
pub(super) fn status(text: &str) -> Option<EntryStatus> {
    match text {
        "BOOK" => Some(EntryStatus::Booked),
        "PDNG" | "FUTR" => Some(EntryStatus::Pending),
        "INFO" => Some(EntryStatus::Info),
        _ => None,
    }
}

/// An xs:boolean.
pub(super) fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A `Max15NumericText` count such as `NbOfNtries`.
pub(super) fn count(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_the_day_part() {
        let day = NaiveDate::from_ymd_opt(2014, 12, 30);
        assert_eq!(date("2014-12-30"), day);
        assert_eq!(date("2014-12-30T08:00:00+01:00"), day);
        assert_eq!(date("2014-12-30+01:00"), day);
        for bad in [
            "2014-13-01",
            "2014-12-3",
            "20141230",
            "2014-12-30x",
            "",
            "2014/12/30",
        ] {
            assert_eq!(date(bad), None, "{bad:?}");
        }
    }

    fn money(text: &str, code: Option<&str>) -> Result<Money, AmountProblem> {
        let currency = match code {
            None => Err(AmountProblem::MissingCurrency),
            Some(code) => Currency::from_code(code).map_err(|_| AmountProblem::UnknownCurrency),
        };
        super::money(text, currency)
    }

    #[test]
    fn amounts_are_unsigned_decimals_with_a_currency() {
        assert_eq!(money("8.85", Some("EUR")).unwrap().to_string(), "8.85 EUR");
        assert_eq!(money("-8.85", Some("EUR")), Err(AmountProblem::NotAnAmount));
        assert_eq!(money("+8", Some("EUR")), Err(AmountProblem::NotAnAmount));
        assert_eq!(money("8,85", Some("EUR")), Err(AmountProblem::NotAnAmount));
        assert_eq!(money("8.85", None), Err(AmountProblem::MissingCurrency));
        assert_eq!(
            money("8.85", Some("XYZ")),
            Err(AmountProblem::UnknownCurrency)
        );
        assert!(too_precise(&money("8.855", Some("EUR")).unwrap()));
        assert!(!too_precise(&money("8.85000", Some("EUR")).unwrap()));
        assert!(too_precise(&money("1.5", Some("JPY")).unwrap()));
    }
}
