//! Exact money: a `Decimal` amount with an ISO 4217 currency that knows its minor units.
//!
//! Amounts never pass through a float. Files give amounts either as integers in minor
//! units (NACHA cents, BAI2) or as decimal strings (CAMT, CSV, X12); both paths end
//! here, and the conversion back to integer minor units for storage is checked so that
//! no precision is ever silently lost.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// An ISO 4217 currency, stored as its three-letter alphabetic code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// Active ISO 4217 codes whose minor unit is not 2, with their exponent.
const NON_TWO_DECIMAL: &[(&str, u8)] = &[
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("CLF", 4),
    ("UYW", 4),
];

/// Active ISO 4217 codes with two decimals (plus a few recently withdrawn ones that
/// still appear in archived statements: DEM, HRK, ANG).
const TWO_DECIMAL: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DEM", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ",
    "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS",
    "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD",
    "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP",
    "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH",
    "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
    "ZWL",
];

/// A currency code that is not a known ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency code {found:?}: expected an ISO 4217 code such as EUR or USD")]
pub struct UnknownCurrency {
    pub found: String,
}

impl Currency {
    pub const USD: Currency = Currency {
        code: *b"USD",
        exponent: 2,
    };
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        exponent: 2,
    };

    /// Looks up an ISO 4217 code. Lower case is accepted; surrounding spaces are not.
    pub fn from_code(code: &str) -> Result<Currency, UnknownCurrency> {
        let unknown = || UnknownCurrency {
            found: code.to_owned(),
        };
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(unknown());
        }
        let upper = [
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ];
        let upper_str = std::str::from_utf8(&upper).map_err(|_| unknown())?;
        let exponent = if let Some((_, exponent)) = NON_TWO_DECIMAL
            .iter()
            .find(|(known, _)| *known == upper_str)
        {
            *exponent
        } else if TWO_DECIMAL.contains(&upper_str) {
            2
        } else {
            return Err(unknown());
        };
        Ok(Currency {
            code: upper,
            exponent,
        })
    }

    pub fn code(&self) -> &str {
        // The code is built from ASCII letters only, so this cannot fail.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Number of decimal places of the minor unit (JPY 0, USD 2, BHD 3).
    pub fn exponent(&self) -> u32 {
        u32::from(self.exponent)
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Currency::from_code(code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// Why an amount could not be turned into money or back into minor units.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("expected a decimal amount such as 1234.56, found {found:?}")]
    NotADecimal { found: String },
    #[error("amount {amount} has more decimals than {currency} allows ({exponent})")]
    TooPrecise {
        amount: Decimal,
        currency: Currency,
        exponent: u32,
    },
    #[error("amount {amount} {currency} does not fit in 64-bit minor units")]
    Overflow { amount: Decimal, currency: Currency },
}

/// An exact amount of one currency. Signed: the model keeps direction separately and
/// stores transaction amounts as positive values, but balances may be negative.
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// Builds money from an integer count of minor units (cents for USD).
    pub fn from_minor(minor_units: i64, currency: Currency) -> Money {
        Money::new(Decimal::new(minor_units, currency.exponent()), currency)
    }

    /// Parses a plain decimal string (`1234.56`, `-7`, `0.5`) with `.` as the separator.
    /// Thousands separators, exponents and spaces are rejected.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, AmountError> {
        parse_plain_decimal(text)
            .map(|amount| Money::new(amount, currency))
            .ok_or_else(|| AmountError::NotADecimal {
                found: text.to_owned(),
            })
    }

    /// The amount in integer minor units, failing rather than rounding when the amount
    /// has more decimals than the currency allows.
    pub fn to_minor(&self) -> Result<i64, AmountError> {
        let exponent = self.currency.exponent();
        let normalized = self.amount.normalize();
        if normalized.scale() > exponent {
            return Err(AmountError::TooPrecise {
                amount: self.amount,
                currency: self.currency,
                exponent,
            });
        }
        let mut scaled = normalized;
        scaled.rescale(exponent);
        let mantissa = scaled.mantissa();
        mantissa.to_i64().ok_or(AmountError::Overflow {
            amount: self.amount,
            currency: self.currency,
        })
    }

    /// Rounds to the currency's minor unit with an explicit strategy.
    pub fn round_to_minor(&self, strategy: RoundingStrategy) -> Money {
        Money::new(
            self.amount
                .round_dp_with_strategy(self.currency.exponent(), strategy),
            self.currency,
        )
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }
}

impl fmt::Display for Money {
    /// Prints the amount with exactly the currency's decimals when that is exact
    /// (`12.50 USD`), otherwise with all its digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_amount(self.amount, self.currency),
            self.currency
        )
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Formats an amount with the currency's number of decimals (`1250` USD → `1250.00`),
/// keeping extra digits when the amount is finer than the minor unit.
pub fn format_amount(amount: Decimal, currency: Currency) -> String {
    let mut shown = amount.normalize();
    if shown.scale() < currency.exponent() {
        shown.rescale(currency.exponent());
    }
    shown.to_string()
}

/// Parses `[-+]digits[.digits]` into a Decimal without going through a float.
/// Returns `None` for anything else, including empty input and more than 28 digits.
pub fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: i128 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut seen_digit = false;
    let mut significant = 0u32;
    for &byte in digits {
        match byte {
            b'0'..=b'9' => {
                seen_digit = true;
                if mantissa != 0 || byte != b'0' {
                    significant += 1;
                }
                if significant > 28 {
                    return None;
                }
                mantissa = mantissa * 10 + i128::from(byte - b'0');
                if seen_point {
                    scale += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if !seen_digit || scale > 28 {
        return None;
    }
    if negative {
        mantissa = -mantissa;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("usd").unwrap().exponent(), 2);
        assert_eq!(Currency::from_code("BHD").unwrap().exponent(), 3);
        assert!(Currency::from_code("ABC").is_err());
        assert!(Currency::from_code("US").is_err());
        assert!(Currency::from_code("US1").is_err());
    }

    #[test]
    fn minor_units_round_trip() {
        let money = Money::from_minor(123_456, usd());
        assert_eq!(money.to_string(), "1234.56 USD");
        assert_eq!(money.to_minor().unwrap(), 123_456);
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(Money::from_minor(500, jpy).to_minor().unwrap(), 500);
        let bhd = Currency::from_code("BHD").unwrap();
        let fils = Money::parse_decimal("1.005", bhd).unwrap();
        assert_eq!(fils.to_minor().unwrap(), 1005);
    }

    #[test]
    fn extra_precision_is_refused_not_rounded() {
        let money = Money::parse_decimal("8.855", usd()).unwrap();
        assert!(matches!(
            money.to_minor(),
            Err(AmountError::TooPrecise { .. })
        ));
        // Trailing zeros are not extra precision.
        let money = Money::parse_decimal("8.85000", usd()).unwrap();
        assert_eq!(money.to_minor().unwrap(), 885);
    }

    #[test]
    fn plain_decimals_parse_exactly() {
        assert_eq!(parse_plain_decimal("0.10").unwrap().to_string(), "0.10");
        assert_eq!(parse_plain_decimal("-7").unwrap().to_string(), "-7");
        assert_eq!(parse_plain_decimal("+3.").unwrap().to_string(), "3");
        for bad in ["", "-", ".", "1,5", "1e3", " 1", "1.2.3", "abc"] {
            assert!(parse_plain_decimal(bad).is_none(), "{bad:?} must not parse");
        }
    }

    #[test]
    fn rounding_strategy_is_explicit() {
        let money = Money::parse_decimal("0.125", usd()).unwrap();
        let even = money.round_to_minor(RoundingStrategy::MidpointNearestEven);
        let away = money.round_to_minor(RoundingStrategy::MidpointAwayFromZero);
        assert_eq!(even.to_minor().unwrap(), 12);
        assert_eq!(away.to_minor().unwrap(), 13);
    }
}
