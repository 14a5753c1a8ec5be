//! Typing leaf values and storing them in the open scope.
//!
//! [`fields`] names the leaf; this module parses its text (amount, date, code),
//! reports a located diagnostic when the text is not valid, and stores the value in
//! the statement, balance, entry, transaction details or structured remittance
//! being read.

use chrono::NaiveDate;

use super::Parser;
use crate::camt::codes;
use crate::camt::fields::{self, Field};
use crate::camt::values::{self, AmountProblem};
use crate::diagnostic::{codes as common, Diagnostic, DiagnosticCode};
use crate::money::{Currency, Money};

fn owned(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

impl Parser<'_> {
    pub(super) fn leaf(&mut self, text: &str) {
        let path_from = |depth: usize| self.stack.get(depth..).unwrap_or(&[]);
        let field = if let Some(structured) = &self.structured {
            fields::structured(path_from(structured.depth))
        } else if let Some(detail) = &self.detail {
            fields::transaction(path_from(detail.depth))
        } else if let Some(entry) = &self.entry {
            fields::entry(path_from(entry.depth))
        } else if let Some(balance) = &self.balance {
            fields::balance(path_from(balance.depth))
        } else if let Some(statement) = &self.statement {
            fields::statement(path_from(statement.depth))
        } else {
            None
        };
        if let Some(field) = field {
            self.apply(field, text);
        }
    }

    fn invalid(
        &mut self,
        code: DiagnosticCode,
        record: &'static str,
        field: &str,
        found: &str,
        expected: &str,
        message: &str,
    ) {
        self.push(
            Diagnostic::error(code, self.leaf_position, message)
                .record(record)
                .field(field)
                .found(found)
                .expected(expected),
        );
    }

    fn amount(&mut self, text: &str, record: &'static str, field: &str) -> Option<Money> {
        let currency = if !self.has_currency {
            Err(AmountProblem::MissingCurrency)
        } else {
            match self.last_currency {
                Some(last) if last.code() == self.currency_code => Ok(last),
                _ => Currency::from_code(&self.currency_code)
                    .map_err(|_| AmountProblem::UnknownCurrency),
            }
        };
        if let Ok(currency) = currency {
            self.last_currency = Some(currency);
        }
        match values::money(text, currency) {
            Ok(money) => {
                if values::too_precise(&money) {
                    let message = format!(
                        "the amount has more decimals than {} allows ({}); it is kept exactly",
                        money.currency,
                        money.currency.exponent()
                    );
                    self.push(
                        Diagnostic::warning(codes::AMOUNT_PRECISION, self.leaf_position, message)
                            .record(record)
                            .field(field)
                            .found(text),
                    );
                }
                Some(money)
            }
            Err(AmountProblem::MissingCurrency) => {
                self.push(
                    Diagnostic::error(
                        common::MISSING_FIELD,
                        self.leaf_position,
                        "the amount has no Ccy attribute",
                    )
                    .record(record)
                    .field(format!("{field}@Ccy")),
                );
                None
            }
            Err(AmountProblem::UnknownCurrency) => {
                let code = self.currency_code.clone();
                self.invalid(
                    common::UNKNOWN_CURRENCY,
                    record,
                    &format!("{field}@Ccy"),
                    &code,
                    "an ISO 4217 currency code",
                    "unknown currency",
                );
                None
            }
            Err(AmountProblem::NotAnAmount) => {
                self.invalid(
                    common::INVALID_AMOUNT,
                    record,
                    field,
                    text,
                    "an unsigned decimal amount such as 1234.56",
                    "not a valid amount",
                );
                None
            }
        }
    }

    fn date(&mut self, text: &str, record: &'static str, field: &str) -> Option<NaiveDate> {
        let date = values::date(text);
        if date.is_none() {
            self.invalid(
                common::INVALID_DATE,
                record,
                field,
                text,
                "a date such as 2024-01-31 or date-time such as 2024-01-31T08:00:00",
                "not a valid date",
            );
        }
        date
    }

    fn code<T>(
        &mut self,
        value: Option<T>,
        text: &str,
        record: &'static str,
        field: &str,
        expected: &str,
    ) -> Option<T> {
        if value.is_none() {
            self.invalid(
                codes::INVALID_CODE,
                record,
                field,
                text,
                expected,
                "not a value of the code list",
            );
        }
        value
    }

    fn apply(&mut self, field: Field, text: &str) {
        match field {
            Field::StatementId
            | Field::AccountIban
            | Field::AccountOther
            | Field::AccountCurrency
            | Field::AccountName
            | Field::OwnerName
            | Field::ServicerBic
            | Field::FromDate
            | Field::ToDate
            | Field::SummaryCount(_)
            | Field::SummarySum(_) => self.apply_statement(field, text),
            Field::BalanceCode | Field::BalanceAmount | Field::BalanceDirection => {
                self.apply_balance(field, text)
            }
            Field::EntryAmount
            | Field::EntryDirection
            | Field::EntryReversal
            | Field::EntryStatus
            | Field::EntryBookingDate
            | Field::EntryValueDate
            | Field::EntryBankRef
            | Field::EntryInfo
            | Field::EntryCode(_) => self.apply_entry(field, text),
            Field::DocumentTypeCode
            | Field::DocumentTypeProprietary
            | Field::DocumentNumber
            | Field::DocumentDue
            | Field::DocumentPaid
            | Field::DocumentDiscount
            | Field::CreditorReference
            | Field::AdditionalRemittance => self.apply_structured(field, text),
            _ => self.apply_detail(field, text),
        }
    }

    fn apply_statement(&mut self, field: Field, text: &str) {
        let record = self.statement_record();
        let position = self.leaf_position;
        let currency = match field {
            Field::AccountCurrency => match Currency::from_code(text) {
                Ok(currency) => Some(currency),
                Err(_) => {
                    self.invalid(
                        common::UNKNOWN_CURRENCY,
                        record,
                        "Acct/Ccy",
                        text,
                        "an ISO 4217 currency code",
                        "unknown currency",
                    );
                    return;
                }
            },
            _ => None,
        };
        let date = match field {
            Field::FromDate => self.date(text, record, "FrToDt/FrDtTm"),
            Field::ToDate => self.date(text, record, "FrToDt/ToDtTm"),
            _ => None,
        };
        let count = match field {
            Field::SummaryCount(_) => {
                let count = values::count(text);
                if count.is_none() {
                    self.invalid(
                        common::INVALID_AMOUNT,
                        "TxsSummry",
                        "NbOfNtries",
                        text,
                        "a number of entries",
                        "not a valid count",
                    );
                }
                count
            }
            _ => None,
        };
        let sum = match field {
            Field::SummarySum(_) => {
                let sum = values::unsigned_decimal(text);
                if sum.is_none() {
                    self.invalid(
                        common::INVALID_AMOUNT,
                        "TxsSummry",
                        "Sum",
                        text,
                        "an unsigned decimal amount such as 1234.56",
                        "not a valid amount",
                    );
                }
                sum
            }
            _ => None,
        };
        let Some(statement) = self.statement.as_mut() else {
            return;
        };
        match field {
            Field::StatementId => statement.id = owned(text),
            Field::AccountIban => statement.iban = owned(text),
            Field::AccountOther => statement.other_id = owned(text),
            Field::AccountCurrency => statement.currency = currency,
            Field::AccountName => statement.name = owned(text),
            Field::OwnerName => statement.owner_name = owned(text),
            Field::ServicerBic => statement.servicer = owned(text),
            Field::FromDate => statement.from_date = date,
            Field::ToDate => statement.to_date = date,
            Field::SummaryCount(group) => {
                if let Some(count) = count {
                    statement.summary.set_count(group, count, position);
                }
            }
            Field::SummarySum(group) => {
                if let Some(sum) = sum {
                    statement.summary.set_sum(group, sum, position);
                }
            }
            _ => {}
        }
    }

    fn apply_balance(&mut self, field: Field, text: &str) {
        let amount = match field {
            Field::BalanceAmount => self.amount(text, "Bal", "Amt"),
            _ => None,
        };
        let direction = match field {
            Field::BalanceDirection => self.code(
                values::direction(text),
                text,
                "Bal",
                "CdtDbtInd",
                "CRDT or DBIT",
            ),
            _ => None,
        };
        let Some(balance) = self.balance.as_mut() else {
            return;
        };
        match field {
            Field::BalanceCode => balance.code = owned(text),
            Field::BalanceAmount => balance.amount = amount,
            Field::BalanceDirection => balance.direction = direction,
            _ => {}
        }
    }

    fn apply_entry(&mut self, field: Field, text: &str) {
        const R: &str = "Ntry";
        let amount = match field {
            Field::EntryAmount => self.amount(text, R, "Amt"),
            _ => None,
        };
        let direction = match field {
            Field::EntryDirection => self.code(
                values::direction(text),
                text,
                R,
                "CdtDbtInd",
                "CRDT or DBIT",
            ),
            _ => None,
        };
        let reversal = match field {
            Field::EntryReversal => {
                self.code(values::boolean(text), text, R, "RvslInd", "true or false")
            }
            _ => None,
        };
        let status = match field {
            Field::EntryStatus => self.code(
                values::status(text),
                text,
                R,
                "Sts",
                "BOOK, PDNG, INFO or FUTR",
            ),
            _ => None,
        };
        let date = match field {
            Field::EntryBookingDate => self.date(text, R, "BookgDt"),
            Field::EntryValueDate => self.date(text, R, "ValDt"),
            _ => None,
        };
        let Some(entry) = self.entry.as_mut() else {
            return;
        };
        match field {
            Field::EntryAmount => {
                entry.seen[0] = true;
                entry.amount = amount;
            }
            Field::EntryDirection => {
                entry.seen[1] = true;
                entry.direction = direction;
            }
            Field::EntryStatus => {
                entry.seen[2] = true;
                entry.status = status;
            }
            Field::EntryReversal => entry.reversal = reversal.unwrap_or(false),
            Field::EntryBookingDate => entry.booking_date = date,
            Field::EntryValueDate => entry.value_date = date,
            Field::EntryBankRef => self.spare.set(&mut entry.bank_ref, text),
            Field::EntryInfo => self.spare.set(&mut entry.info, text),
            Field::EntryCode(part) => entry.code.set(part, text, &mut self.spare),
            _ => {}
        }
    }

    fn apply_detail(&mut self, field: Field, text: &str) {
        const R: &str = "TxDtls";
        let amount = match field {
            Field::TxAmount => self.amount(text, R, "Amt"),
            Field::TxDetailAmount => self.amount(text, R, "AmtDtls/TxAmt/Amt"),
            _ => None,
        };
        let direction = match field {
            Field::TxDirection => self.code(
                values::direction(text),
                text,
                R,
                "CdtDbtInd",
                "CRDT or DBIT",
            ),
            _ => None,
        };
        let Some(detail) = self.detail.as_mut() else {
            return;
        };
        let spare = &mut self.spare;
        match field {
            Field::TxBankRef => spare.set(&mut detail.bank_ref, text),
            Field::TxEndToEndId => spare.set(&mut detail.end_to_end_id, text),
            Field::TxInstructionId => spare.set(&mut detail.instruction_id, text),
            Field::TxTransactionId => spare.set(&mut detail.transaction_id, text),
            Field::TxUetr => spare.set(&mut detail.uetr, text),
            Field::TxAmount => detail.amount = amount,
            Field::TxDetailAmount => detail.detail_amount = amount,
            Field::TxDirection => detail.direction = direction,
            Field::TxCode(part) => detail.code.set(part, text, spare),
            Field::TxPartyName(party) => spare.set(&mut detail.names[party as usize], text),
            Field::TxPartyAccount(side) => spare.set(&mut detail.accounts[side as usize], text),
            Field::TxUnstructured if !text.is_empty() => {
                spare.push_str(&mut detail.remittance.lines, text);
            }
            Field::TxInfo => spare.set(&mut detail.info, text),
            _ => {}
        }
    }

    fn apply_structured(&mut self, field: Field, text: &str) {
        const R: &str = "Strd";
        let amount = match field {
            Field::DocumentDue => self.amount(text, R, "RfrdDocAmt/DuePyblAmt"),
            Field::DocumentPaid => self.amount(text, R, "RfrdDocAmt/RmtdAmt"),
            Field::DocumentDiscount => self.amount(text, R, "RfrdDocAmt/DscntApldAmt"),
            _ => None,
        };
        let Some(structured) = self.structured.as_mut() else {
            return;
        };
        match field {
            Field::DocumentTypeCode => structured.set_type_code(text),
            Field::DocumentTypeProprietary => structured.set_type_proprietary(),
            Field::DocumentNumber => structured.set_number(text),
            Field::DocumentDue => structured.due = amount,
            Field::DocumentPaid => structured.paid = amount,
            Field::DocumentDiscount => structured.discount = amount,
            Field::CreditorReference => structured.creditor_reference = owned(text),
            Field::AdditionalRemittance if !text.is_empty() => {
                structured.lines.push(text.to_owned());
            }
            _ => {}
        }
    }
}
