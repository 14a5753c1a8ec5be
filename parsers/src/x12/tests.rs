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

#[test]
fn simple_rmr_reads_what_the_full_parser_reads() {
    let padded = format!("{:<80}", "RMR*IV*INV-77*PI*10.50\\");
    let accepted: [&[u8]; 7] = [
        b"RMR*IV*1001*PI*125.00*130.00*5.00\\",
        b"RMR*IV*INV-42*PI*99.99\\",
        b"RMR*PO*PO 12/3*PI*1\\  ",
        b"RMR*CM*CR#5*PI*-3.50~",
        b"RMR*IV*A1**\\",
        b"RMR*ZZ* X *PI*0.10*\\",
        padded.as_bytes(),
    ];
    for text in accepted {
        let fast = simple_rmr(text).unwrap_or_else(|| panic!("{:?}", text));
        let parsed = parse_820(text);
        assert!(
            parsed.problems.is_empty(),
            "{text:?}: {:?}",
            parsed.problems
        );
        let mut items = Vec::new();
        parsed.append_items(Currency::USD, &mut items);
        assert_eq!(items, vec![fast.item(Currency::USD)], "{text:?}");
    }
    let refused: [&[u8]; 10] = [
        b"RMR*IV*1001*PI*12.5x\\",
        b"RMR*IV**PI*1\\",
        b"RMR*IV*1001*PI*1*2*3*4\\",
        b"RMR*IV*1001*PI*1\\REF*IV*2\\",
        b"RMR*IV*1001*PI*1",
        b" RMR*IV*1001*PI*1\\",
        b"RMR*IV*10:01*PI*1\\",
        b"RMR*IV*1001*PI*1234567890123456789\\",
        b"RMR*IV*\xc3\xa9*PI*1\\",
        b"RMR*IV*1001*PI*1\\ x",
    ];
    for text in refused {
        assert_eq!(simple_rmr(text), None, "{text:?}");
    }
}
