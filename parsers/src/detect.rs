//! Recognises a file's format from its first bytes, never from its name.

use crate::model::Format;

/// Sniffs the format from the start of a file (a few hundred bytes are enough).
///
/// `csv_configured` says whether the caller has a CSV profile for this file: then any
/// text that is no other format is taken as CSV; otherwise only the built-in default
/// header is.
pub fn detect(prefix: &[u8], csv_configured: bool) -> Option<Format> {
    let text = strip_bom(prefix);
    let trimmed = trim_ascii_start(text);
    if trimmed.starts_with(b"<") {
        return looks_like_camt(trimmed).then_some(Format::Camt);
    }
    if trimmed.starts_with(b"ISA") || trimmed.starts_with(b"ST*820") {
        return Some(Format::X12_820);
    }
    if trimmed.starts_with(b"01,") {
        return Some(Format::Bai2);
    }
    if trimmed.starts_with(b"101") && first_line(trimmed).len() >= 90 {
        return Some(Format::Nacha);
    }
    if first_line(trimmed).starts_with(crate::csv_profile::DEFAULT_HEADER.as_bytes()) {
        return Some(Format::Csv);
    }
    if csv_configured && !text.is_empty() && !text.contains(&0) {
        return Some(Format::Csv);
    }
    None
}

fn looks_like_camt(xml: &[u8]) -> bool {
    let needle = b"camt.05";
    xml.windows(needle.len()).any(|window| window == needle)
        || xml.windows(7).any(|window| window == b"BkToCst")
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn first_line(bytes: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = &bytes[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_from_content() {
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">", false),
            Some(Format::Camt)
        );
        assert_eq!(
            detect(b"01,BANK,CUST,240101,0000,1,,,2/\n", false),
            Some(Format::Bai2)
        );
        let nacha = format!("101 {}\n", "0".repeat(90));
        assert_eq!(detect(nacha.as_bytes(), false), Some(Format::Nacha));
        assert_eq!(
            detect(b"ISA*00*          *00*", false),
            Some(Format::X12_820)
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBFbooking_date,value_date,amount,currency,bank_ref,payer_name,payer_account,description\n", false),
            Some(Format::Csv)
        );
        assert_eq!(detect(b"Date;Amount\n", false), None);
        assert_eq!(detect(b"Date;Amount\n", true), Some(Format::Csv));
        assert_eq!(detect(b"<html></html>", true), None);
    }
}
