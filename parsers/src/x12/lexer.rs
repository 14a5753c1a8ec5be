//! X12 separators and segments: finds the element, component and segment separators
//! (declared by the ISA header, or detected in a bare transaction set) and splits
//! text into segments and elements.

use super::codes;

/// The three separators of an X12 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub element: u8,
    pub component: u8,
    /// `None` when a bare fragment has no terminator at all: it is one segment.
    pub segment: Option<u8>,
}

/// Why the separators could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelimiterError {
    pub code: crate::DiagnosticCode,
    pub message: String,
    pub found: String,
}

/// Length of an ISA segment written with its fixed-width elements, terminator included.
pub const ISA_LENGTH: usize = 106;

/// Finds the separators. With an ISA header they are read from it: the element
/// separator is the byte after `ISA`, the component separator is ISA16 and the segment
/// terminator the byte after it (bytes 105 and 106 of a well-formed ISA; counted by
/// elements here, so an ISA whose fixed-width fields were trimmed still works). Without
/// ISA: the element separator is the first byte after the leading segment id, and the
/// terminator the first `~` or `\` (the ones NACHA addenda use), else a newline.
pub fn detect(text: &[u8]) -> Result<Delimiters, DelimiterError> {
    let text = trim_start(text);
    if text.starts_with(b"ISA") {
        return detect_isa(text);
    }
    let id_len = text
        .iter()
        .take_while(|byte| byte.is_ascii_alphanumeric())
        .count();
    let element = text.get(id_len).copied();
    let element = match element {
        Some(byte)
            if (2..=3).contains(&id_len)
                && text[0].is_ascii_alphabetic()
                && !byte.is_ascii_alphanumeric()
                && !byte.is_ascii_whitespace() =>
        {
            byte
        }
        _ => {
            return Err(DelimiterError {
                code: codes::NOT_X12,
                message: "text does not start with an X12 segment".to_owned(),
                found: preview(text),
            })
        }
    };
    let segment = text
        .iter()
        .copied()
        .find(|&byte| (byte == b'~' || byte == b'\\') && byte != element)
        .or_else(|| text.contains(&b'\n').then_some(b'\n'));
    Ok(Delimiters {
        element,
        component: if element == b':' { b'>' } else { b':' },
        segment,
    })
}

fn detect_isa(text: &[u8]) -> Result<Delimiters, DelimiterError> {
    let invalid = |message: &str| DelimiterError {
        code: codes::ISA_INVALID,
        message: message.to_owned(),
        found: preview(text),
    };
    let element = *text
        .get(3)
        .ok_or_else(|| invalid("ISA segment is cut short"))?;
    if element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
        return Err(invalid(
            "the byte after ISA must be the element separator, a punctuation character",
        ));
    }
    // ISA has 16 elements: the 16th separator is followed by ISA16 (one byte, the
    // component separator) and then the segment terminator.
    let mut separators = 0;
    let mut isa16 = None;
    for (index, &byte) in text.iter().enumerate().take(ISA_LENGTH * 2) {
        if byte == element {
            separators += 1;
            if separators == 16 {
                isa16 = Some(index + 1);
                break;
            }
        }
    }
    let isa16 = isa16.ok_or_else(|| invalid("ISA segment does not have 16 elements"))?;
    let (Some(&component), Some(&segment)) = (text.get(isa16), text.get(isa16 + 1)) else {
        return Err(invalid("ISA segment is cut short"));
    };
    if segment.is_ascii_alphanumeric() || segment == element || component == element {
        return Err(invalid(
            "ISA16 must be one component separator followed by the segment terminator",
        ));
    }
    Ok(Delimiters {
        element,
        component,
        segment: Some(segment),
    })
}

/// One segment: its elements (the id is element 0), and where it starts.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    /// Byte offset of the segment's first byte (after leading whitespace) in the text.
    pub offset: usize,
    pub elements: Vec<&'a [u8]>,
}

impl<'a> Segment<'a> {
    /// Splits one raw segment (terminator removed). Surrounding whitespace (line breaks
    /// between segments, padding of fixed-width NACHA addenda) is not part of it.
    pub fn parse(raw: &'a [u8], base_offset: usize, element: u8) -> Option<Segment<'a>> {
        let leading = raw.len() - trim_start(raw).len();
        let trimmed = trim_end(&raw[leading..]);
        if trimmed.is_empty() {
            return None;
        }
        Some(Segment {
            offset: base_offset + leading,
            elements: trimmed.split(|&byte| byte == element).collect(),
        })
    }

    pub fn id(&self) -> &'a [u8] {
        self.elements.first().copied().unwrap_or(b"")
    }

    /// The id as text, for messages.
    pub fn id_text(&self) -> String {
        String::from_utf8_lossy(self.id()).into_owned()
    }

    /// Element `index` (1-based, as X12 numbers them: `BPR02` is `element(2)`),
    /// without surrounding spaces; empty when absent.
    pub fn element(&self, index: usize) -> &'a [u8] {
        self.elements
            .get(index)
            .map(|value| trim_end(trim_start(value)))
            .unwrap_or(b"")
    }

    /// Element `index` as text (lossy for non-UTF-8 bytes), `None` when empty.
    pub fn text(&self, index: usize) -> Option<String> {
        let value = self.element(index);
        (!value.is_empty()).then(|| String::from_utf8_lossy(value).into_owned())
    }

    pub fn has_valid_id(&self) -> bool {
        let id = self.id();
        (2..=3).contains(&id.len())
            && id[0].is_ascii_alphabetic()
            && id.iter().all(u8::is_ascii_alphanumeric)
    }
}

/// Splits a whole text into segments. Used for NACHA addenda and tests; the file reader
/// splits from a stream instead.
pub fn segments(text: &[u8], delimiters: Delimiters) -> impl Iterator<Item = Segment<'_>> {
    let mut rest_start = 0usize;
    std::iter::from_fn(move || loop {
        if rest_start >= text.len() {
            return None;
        }
        let rest = &text[rest_start..];
        let end = match delimiters.segment {
            Some(terminator) => memchr::memchr(terminator, rest).unwrap_or(rest.len()),
            None => rest.len(),
        };
        let base = rest_start;
        rest_start += end + 1;
        if let Some(segment) = Segment::parse(&rest[..end], base, delimiters.element) {
            return Some(segment);
        }
    })
}

pub fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

pub fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .map_or(0, |last| last + 1);
    &bytes[..end]
}

/// The first bytes of a text, for a `found` field.
pub fn preview(text: &[u8]) -> String {
    let cut = &text[..text.len().min(40)];
    String::from_utf8_lossy(cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isa_declares_the_separators() {
        let isa = b"ISA*00*          *00*          *ZZ*EMEDNYBAT      *ZZ*ETIN           *130804*1121*^*00501*006000001*0*T*:~GS*RA";
        let found = detect(isa).unwrap();
        assert_eq!(
            found,
            Delimiters {
                element: b'*',
                component: b':',
                segment: Some(b'~')
            }
        );
        let piped = b"ISA|00|x|00|x|ZZ|A|ZZ|B|130804|1121|U|00401|1|0|T|>\nGS|RA";
        let found = detect(piped).unwrap();
        assert_eq!(
            (found.element, found.component, found.segment),
            (b'|', b'>', Some(b'\n'))
        );
        assert_eq!(detect(b"ISA*00*").unwrap_err().code, codes::ISA_INVALID);
    }

    #[test]
    fn bare_sets_are_detected() {
        let found = detect(b"RMR*IV*1001*PI*10.00\\").unwrap();
        assert_eq!((found.element, found.segment), (b'*', Some(b'\\')));
        let found = detect(b"ST*820*1~BPR*C\\x~").unwrap();
        assert_eq!(found.segment, Some(b'~'));
        assert_eq!(detect(b"RMR*IV*1").unwrap().segment, None);
        assert!(detect(b"Debit First Account").is_err());
        assert!(detect(b"22*12200004*3").is_err());
    }

    #[test]
    fn segments_skip_whitespace_between_them() {
        let text = b"ST*820*1~\r\n BPR*C*10~  \n";
        let delimiters = detect(text).unwrap();
        let found: Vec<_> = segments(text, delimiters)
            .map(|s| (s.offset, s.id_text(), s.text(2)))
            .collect();
        assert_eq!(
            found,
            vec![
                (0, "ST".to_owned(), Some("1".to_owned())),
                (12, "BPR".to_owned(), Some("10".to_owned()))
            ]
        );
    }
}
