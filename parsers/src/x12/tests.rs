//! Unit tests of the X12 820 reader: separators, envelope checks, RMR items.

use super::*;
use crate::model::ReferenceKind;

#[test]
fn fragment_gives_invoice_items() {
    let parsed = parse_820(b"RMR*IV*1001*PI*125.00*130.00*5.00\\");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let remittance = parsed.remittance(Currency::USD);
    assert_eq!(remittance.items.len(), 1);
    let item = &remittance.items[0];
    assert_eq!(item.kind, ReferenceKind::Invoice);
    assert_eq!(item.reference, "1001");
    assert_eq!(item.paid.unwrap().to_string(), "125.00 USD");
    assert_eq!(item.document_total.unwrap().to_string(), "130.00 USD");
    assert_eq!(item.discount.unwrap().to_string(), "5.00 USD");
}

#[test]
fn bad_amount_names_segment_and_element() {
    let parsed = parse_820(b"ST*820*1~BPR*C*12.50*C*ACH~TRN*1*X~RMR*IV*7*PI*12,50~SE*5*1~");
    let problem = &parsed.problems[0];
    assert_eq!(problem.location(), "X12 segment 4 RMR, element 4");
    assert_eq!(problem.found.as_deref(), Some("12,50"));
}

#[test]
fn se_count_and_control_are_checked() {
    let parsed = parse_820(b"ST*820*1~BPR*C*1*C*ACH~SE*9*2~");
    let codes: Vec<_> = parsed.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["x12_segment_count_mismatch", "x12_control_number_mismatch"]
    );
}

#[test]
fn looks_like_x12_only_for_segments() {
    assert!(looks_like_x12(b"RMR*IV*1*PI*1\\"));
    assert!(looks_like_x12(b"ISA*00*"));
    assert!(!looks_like_x12(b"Debit First Account"));
    assert!(!looks_like_x12(b"22*12200004*3*123987654321\\"));
    assert!(!looks_like_x12(b"DATE OF DEATH*010218*"));
}
