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

/// The first versions of `simple_rmr` and `looks_like_x12`, kept as the reference the
/// faster ones must agree with on any input.
mod reference {
    use super::*;
    use crate::money::parse_plain_decimal;

    pub fn looks_like_x12(text: &[u8]) -> bool {
        let text = lexer::trim_start(text);
        let id_len = text
            .iter()
            .take_while(|byte| byte.is_ascii_alphanumeric())
            .count();
        let Some(&separator) = text.get(id_len) else {
            return false;
        };
        FRAGMENT_STARTS.contains(&&text[..id_len])
            && !separator.is_ascii_whitespace()
            && separator.is_ascii_punctuation()
    }

    pub fn simple_rmr(text: &[u8]) -> Option<SimpleRmr<'_>> {
        let body = text.strip_prefix(b"RMR*")?;
        let end = body
            .iter()
            .position(|&byte| byte == b'\\' || byte == b'~')?;
        if !body[end + 1..].iter().all(|&byte| byte == b' ') {
            return None;
        }
        let body = &body[..end];
        let plain = |byte: &u8| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b' ' | b'-' | b'.' | b'/' | b'#')
        };
        if !body.iter().all(plain) {
            return None;
        }
        let text = std::str::from_utf8(body).ok()?;
        let mut rest = Some(text);
        let mut elements = std::iter::from_fn(|| {
            let current = rest?;
            match current.bytes().position(|byte| byte == b'*') {
                Some(star) => {
                    rest = current.get(star + 1..);
                    current.get(..star)
                }
                None => {
                    rest = None;
                    Some(current)
                }
            }
        });
        let qualifier = elements.next()?.trim_ascii();
        let reference = elements.next()?.trim_ascii();
        let _reference_qualifier = elements.next();
        let mut amount = || -> Option<Option<Decimal>> {
            match elements.next().map(str::trim_ascii) {
                None | Some("") => Some(None),
                Some(value) if value.len() <= 18 => parse_plain_decimal(value).map(Some),
                Some(_) => None,
            }
        };
        let (paid, total, discount) = (amount()?, amount()?, amount()?);
        if reference.is_empty() || elements.next().is_some() {
            return None;
        }
        Some(SimpleRmr {
            kind: engine::reference_kind(qualifier.as_bytes()),
            reference,
            paid,
            total,
            discount,
        })
    }
}

#[test]
fn fast_rmr_and_x12_checks_agree_with_the_reference() {
    let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
    // Pieces that make RMR segments, near misses and free text likely.
    let pieces: [&[u8]; 24] = [
        b"RMR*",
        b"IV*",
        b"*",
        b"**",
        b"PI*",
        b"1001",
        b"INV-7",
        b"12.50",
        b"-3.5",
        b"+0.",
        b".",
        b"1234567890123456789",
        b"99999999999999999",
        b"\\",
        b"~",
        b" ",
        b"  ",
        b"\xc3\xa9",
        b"\xff",
        b":",
        b"REF*",
        b"N1*",
        b"PAYMENT ",
        b"\t",
    ];
    let mut accepted = 0;
    for round in 0..300_000 {
        let mut text = Vec::new();
        if round % 2 == 0 {
            text.extend_from_slice(b"RMR*");
        }
        for _ in 0..next() % 12 {
            text.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let (fast, slow) = (simple_rmr(&text), reference::simple_rmr(&text));
        assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(&text));
        if let (Some(fast), Some(slow)) = (fast, slow) {
            accepted += 1;
            // Same scale too (Decimal's equality ignores it).
            for (a, b) in [
                (fast.paid, slow.paid),
                (fast.total, slow.total),
                (fast.discount, slow.discount),
            ] {
                assert_eq!(a.map(|a| a.serialize()), b.map(|b| b.serialize()));
            }
        }
        assert_eq!(
            looks_like_x12(&text),
            reference::looks_like_x12(&text),
            "{:?}",
            String::from_utf8_lossy(&text)
        );
    }
    assert!(accepted > 500, "only {accepted} segments read");
    for id in FRAGMENT_STARTS {
        for separator in 0..=255u8 {
            let text = [id, &[separator][..], b"X"].concat();
            assert_eq!(looks_like_x12(&text), reference::looks_like_x12(&text));
        }
    }
}
