//! Structured remittance (`RmtInf/Strd`): referred documents, their amounts and the
//! creditor reference, turned into [`RemittanceItem`]s when the block ends.

use crate::model::{ReferenceKind, Remittance, RemittanceItem};
use crate::money::Money;

/// One `Strd` block being read.
#[derive(Debug, Default)]
pub(super) struct StrdState {
    pub depth: usize,
    /// Referred documents, complete ones (their `RfrdDocInf` has ended).
    documents: Vec<(ReferenceKind, String)>,
    current_kind: Option<ReferenceKind>,
    current_number: Option<String>,
    pub due: Option<Money>,
    pub paid: Option<Money>,
    pub discount: Option<Money>,
    pub creditor_reference: Option<String>,
    pub lines: Vec<String>,
}

impl StrdState {
    pub fn new(depth: usize) -> Self {
        StrdState {
            depth,
            ..StrdState::default()
        }
    }

    pub fn set_type_code(&mut self, code: &str) {
        self.current_kind = Some(document_kind(code));
    }

    pub fn set_type_proprietary(&mut self) {
        self.current_kind = Some(ReferenceKind::Other);
    }

    pub fn set_number(&mut self, number: &str) {
        if !number.is_empty() {
            self.current_number = Some(number.to_owned());
        }
    }

    /// Called when an `RfrdDocInf` ends.
    pub fn end_document(&mut self) {
        let kind = self.current_kind.take();
        if let Some(number) = self.current_number.take() {
            // A document without a type is, in practice, an invoice number.
            self.documents
                .push((kind.unwrap_or(ReferenceKind::Invoice), number));
        }
    }

    /// Appends this block's items and text to the transaction's remittance. The
    /// amounts of `RfrdDocAmt` belong to the document when the block names exactly
    /// one, to the creditor reference when it names none, and to nobody when it
    /// names several (the file does not say how they split).
    pub fn finish(mut self, remittance: &mut Remittance<'static>) {
        self.end_document();
        let amounts_owner = match self.documents.len() {
            1 => Some(0),
            0 if self.creditor_reference.is_some() => Some(0),
            _ => None,
        };
        let mut items: Vec<RemittanceItem<'static>> = self
            .documents
            .into_iter()
            .map(|(kind, reference)| RemittanceItem {
                kind,
                reference: reference.into(),
                paid: None,
                document_total: None,
                discount: None,
            })
            .collect();
        if let Some(reference) = self.creditor_reference {
            items.push(RemittanceItem {
                kind: ReferenceKind::CreditorReference,
                reference: reference.into(),
                paid: None,
                document_total: None,
                discount: None,
            });
        }
        if let Some(item) = amounts_owner.and_then(|index| items.get_mut(index)) {
            item.paid = self.paid;
            item.document_total = self.due;
            item.discount = self.discount;
        }
        remittance.items.extend(items);
        remittance
            .lines
            .extend(self.lines.into_iter().map(Into::into));
    }
}

/// Maps an ISO `DocumentType` code to what recond matches on.
fn document_kind(code: &str) -> ReferenceKind {
    match code {
        // Commercial, hire and self-billed invoices, and debit notes, all ask for money.
        "CINV" | "HIRI" | "SBIN" | "DEBN" => ReferenceKind::Invoice,
        "CREN" | "CNFA" => ReferenceKind::CreditNote,
        "PUOR" => ReferenceKind::PurchaseOrder,
        _ => ReferenceKind::Other,
    }
}
