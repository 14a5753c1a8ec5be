//! The description of one bank's CSV export, as written in the config file.

use std::fmt;

use serde::Deserialize;

use crate::money::Currency;

/// Whether positive amounts are money in or money out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignConvention {
    #[default]
    CreditPositive,
    DebitPositive,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum TextEncoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// A column, by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    Index(usize),
    Name(String),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Index(index) => write!(f, "column {index}"),
            ColumnRef::Name(name) => write!(f, "header {name:?}"),
        }
    }
}

/// Where each field of the common model is in the file. Give either `amount` (signed)
/// or `credit` and `debit` (two unsigned columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub booking_date: Option<ColumnRef>,
    pub value_date: Option<ColumnRef>,
    pub amount: Option<ColumnRef>,
    pub credit: Option<ColumnRef>,
    pub debit: Option<ColumnRef>,
    /// A column holding a credit/debit marker (see `credit_markers`), for files whose
    /// amounts are unsigned.
    pub direction: Option<ColumnRef>,
    pub currency: Option<ColumnRef>,
    pub bank_ref: Option<ColumnRef>,
    pub payer_name: Option<ColumnRef>,
    pub payer_account: Option<ColumnRef>,
    /// Columns whose text becomes remittance lines, in this order.
    #[serde(default)]
    pub description: Vec<ColumnRef>,
}

/// How one bank writes its CSV export.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvProfile {
    pub name: String,
    #[serde(default = "comma")]
    pub delimiter: char,
    #[serde(default = "double_quote")]
    pub quote: char,
    #[serde(default)]
    pub encoding: TextEncoding,
    #[serde(default = "point")]
    pub decimal_separator: char,
    #[serde(default)]
    pub thousands_separator: Option<char>,
    /// A currency symbol the bank writes on amounts (`$20.00`, `-€5`, `5,00 €`),
    /// dropped before or after the number, on either side of a sign.
    #[serde(default)]
    pub currency_symbol: Option<String>,
    /// chrono `strftime` format of the date columns.
    #[serde(default = "iso_date")]
    pub date_format: String,
    /// Physical lines to skip before the header (bank banners, account summaries).
    #[serde(default)]
    pub skip_lines: usize,
    #[serde(default = "yes")]
    pub has_header: bool,
    #[serde(default)]
    pub sign: SignConvention,
    /// Currency of every row when the file has no currency column.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Account number the file is for (CSV exports rarely say).
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default = "credit_markers")]
    pub credit_markers: Vec<String>,
    #[serde(default = "debit_markers")]
    pub debit_markers: Vec<String>,
    pub columns: Columns,
}

fn comma() -> char {
    ','
}
fn double_quote() -> char {
    '"'
}
fn point() -> char {
    '.'
}
fn iso_date() -> String {
    "%Y-%m-%d".to_owned()
}
fn yes() -> bool {
    true
}
fn credit_markers() -> Vec<String> {
    ["C", "CR", "CRDT", "credit"].map(String::from).to_vec()
}
fn debit_markers() -> Vec<String> {
    ["D", "DR", "DBIT", "debit"].map(String::from).to_vec()
}

/// A profile setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("csv profile {profile:?}: {message}")]
pub struct ProfileError {
    pub profile: String,
    pub message: String,
}

impl CsvProfile {
    /// The built-in profile for [`super::DEFAULT_HEADER`].
    pub fn default_profile() -> CsvProfile {
        let name = |n: &str| Some(ColumnRef::Name(n.to_owned()));
        CsvProfile {
            name: "default".to_owned(),
            delimiter: comma(),
            quote: double_quote(),
            encoding: TextEncoding::Utf8,
            decimal_separator: point(),
            thousands_separator: None,
            currency_symbol: None,
            date_format: iso_date(),
            skip_lines: 0,
            has_header: true,
            sign: SignConvention::CreditPositive,
            currency: None,
            account: None,
            credit_markers: credit_markers(),
            debit_markers: debit_markers(),
            columns: Columns {
                booking_date: name("booking_date"),
                value_date: name("value_date"),
                amount: name("amount"),
                credit: None,
                debit: None,
                direction: None,
                currency: name("currency"),
                bank_ref: name("bank_ref"),
                payer_name: name("payer_name"),
                payer_account: name("payer_account"),
                description: vec![ColumnRef::Name("description".to_owned())],
            },
        }
    }

    /// Checks that the profile can read anything at all, naming the offending key.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let fail = |message: String| {
            Err(ProfileError {
                profile: self.name.clone(),
                message,
            })
        };
        for (key, value) in [
            ("delimiter", self.delimiter),
            ("quote", self.quote),
            ("decimal_separator", self.decimal_separator),
        ] {
            if !value.is_ascii() {
                return fail(format!(
                    "{key} must be one ASCII character, found {value:?}"
                ));
            }
        }
        if self.thousands_separator == Some(self.decimal_separator) {
            return fail("thousands_separator must differ from decimal_separator".to_owned());
        }
        if let Some(symbol) = &self.currency_symbol {
            let clashes = |ch: char| {
                ch.is_ascii_digit()
                    || ch.is_whitespace()
                    || matches!(ch, '+' | '-' | '(' | ')')
                    || ch == self.decimal_separator
                    || Some(ch) == self.thousands_separator
            };
            if symbol.is_empty() || symbol.chars().any(clashes) {
                return fail(format!(
                    "currency_symbol must be a symbol such as \"$\" or \"€\", without digits, signs, spaces or separators; found {symbol:?}"
                ));
            }
        }
        if self.columns.booking_date.is_none() {
            return fail("columns.booking_date is required".to_owned());
        }
        let has_amount = self.columns.amount.is_some();
        let has_split = self.columns.credit.is_some() || self.columns.debit.is_some();
        if has_amount == has_split {
            return fail(
                "give either columns.amount or columns.credit and columns.debit".to_owned(),
            );
        }
        if self.columns.currency.is_none() && self.currency.is_none() {
            return fail("give columns.currency or a fixed currency".to_owned());
        }
        if !self.has_header {
            let by_name = [
                &self.columns.booking_date,
                &self.columns.value_date,
                &self.columns.amount,
                &self.columns.credit,
                &self.columns.debit,
                &self.columns.direction,
                &self.columns.currency,
                &self.columns.bank_ref,
                &self.columns.payer_name,
                &self.columns.payer_account,
            ]
            .into_iter()
            .flatten()
            .chain(self.columns.description.iter())
            .any(|column| matches!(column, ColumnRef::Name(_)));
            if by_name {
                return fail(
                    "has_header = false: columns must be given by position (1, 2, …)".to_owned(),
                );
            }
        }
        if chrono::format::StrftimeItems::new(&self.date_format)
            .any(|item| matches!(item, chrono::format::Item::Error))
        {
            return fail(format!(
                "date_format {:?} is not a valid strftime format",
                self.date_format
            ));
        }
        Ok(())
    }

    pub(crate) fn delimiter_byte(&self) -> u8 {
        u8::try_from(self.delimiter).unwrap_or(b',')
    }

    pub(crate) fn quote_byte(&self) -> u8 {
        u8::try_from(self.quote).unwrap_or(b'"')
    }
}

impl CsvProfile {
    /// Whether the start of a file looks like this profile's export: its header line
    /// (after `skip_lines`) holds every column the profile names. Profiles with
    /// positional columns only cannot be recognised from content and never match.
    pub fn matches_header(&self, prefix: &[u8]) -> bool {
        if !self.has_header {
            return false;
        }
        let Some(header_line) = prefix.split(|&b| b == b'\n').nth(self.skip_lines) else {
            return false;
        };
        let header_line = header_line
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(header_line);
        let header: Vec<String> = csv::ReaderBuilder::new()
            .delimiter(self.delimiter_byte())
            .quote(self.quote_byte())
            .has_headers(false)
            .from_reader(header_line)
            .byte_records()
            .next()
            .and_then(Result::ok)
            .map(|record| {
                record
                    .iter()
                    .map(|field| match self.encoding {
                        TextEncoding::Utf8 => String::from_utf8_lossy(field).trim().to_owned(),
                        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252
                            .decode_without_bom_handling(field)
                            .0
                            .trim()
                            .to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let columns = &self.columns;
        let named: Vec<&String> = [
            &columns.booking_date,
            &columns.value_date,
            &columns.amount,
            &columns.credit,
            &columns.debit,
            &columns.direction,
            &columns.currency,
            &columns.bank_ref,
            &columns.payer_name,
            &columns.payer_account,
        ]
        .into_iter()
        .flatten()
        .chain(columns.description.iter())
        .filter_map(|column| match column {
            ColumnRef::Name(name) => Some(name),
            ColumnRef::Index(_) => None,
        })
        .collect();
        !named.is_empty()
            && named
                .iter()
                .all(|name| header.iter().any(|h| h.eq_ignore_ascii_case(name.trim())))
    }
}
