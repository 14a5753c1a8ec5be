//! Where BAI2 records begin and end, and how a record and its continuations become one
//! logical record.
//!
//! The specification ends every record with `/` except a 16 whose text runs to the
//! next record; banks also leave out the `/`, put several records on one line, wrap a
//! record onto the next line, and write `/` inside references and text. The rules used
//! here are listed in the module documentation of [`super`].

use memchr::memchr;

use crate::position::Position;

/// The record types of BAI2, plus the code of a record the reader does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Code {
    FileHeader,
    GroupHeader,
    Account,
    Detail,
    AccountTrailer,
    Continuation,
    GroupTrailer,
    FileTrailer,
    Unknown,
}

impl Code {
    #[inline]
    fn from_digits(digits: [u8; 2]) -> Option<Code> {
        Some(match &digits {
            b"01" => Code::FileHeader,
            b"02" => Code::GroupHeader,
            b"03" => Code::Account,
            b"16" => Code::Detail,
            b"49" => Code::AccountTrailer,
            b"88" => Code::Continuation,
            b"98" => Code::GroupTrailer,
            b"99" => Code::FileTrailer,
            _ => return None,
        })
    }

    /// The name diagnostics use for the record.
    pub fn name(self) -> &'static str {
        match self {
            Code::FileHeader => "file header (01)",
            Code::GroupHeader => "group header (02)",
            Code::Account => "account identifier (03)",
            Code::Detail => "transaction detail (16)",
            Code::AccountTrailer => "account trailer (49)",
            Code::Continuation => "continuation (88)",
            Code::GroupTrailer => "group trailer (98)",
            Code::FileTrailer => "file trailer (99)",
            Code::Unknown => "record",
        }
    }
}

/// Bytes that separate records and pad lines: blanks, and the NUL and SUB (DOS end of
/// file) padding some transfer software adds.
#[inline]
pub(super) fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\x0c' | b'\0' | b'\x1a')
}

#[inline]
pub(super) fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|&byte| is_blank(byte)) {
        at += 1;
    }
    at
}

/// The range of `bytes` without leading and trailing blanks.
#[inline]
pub(super) fn trim_blanks_range(bytes: &[u8]) -> (usize, usize) {
    let start = bytes
        .iter()
        .position(|&byte| !is_blank(byte))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&byte| !is_blank(byte))
        .map_or(start, |end| end + 1);
    (start, end)
}

#[inline]
pub(super) fn trim_end_blanks(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    while end > 0 && is_blank(bytes[end - 1]) {
        end -= 1;
    }
    &bytes[..end]
}

/// The known record code `bytes` starts with, if it starts like a record: two digits of
/// a known code followed by `,`, `/` or the end of the line.
#[inline]
pub(super) fn record_start(bytes: &[u8]) -> Option<Code> {
    let (first, second) = (*bytes.first()?, *bytes.get(1)?);
    match bytes.get(2) {
        None | Some(b',') | Some(b'/') => Code::from_digits([first, second]),
        Some(_) => None,
    }
}

/// Where the record whose content starts at `bytes[0]` ends.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct End {
    /// Length of the content, without the `/` and without trailing blanks.
    pub content: usize,
    /// Whether a `/` ended the record.
    pub terminated: bool,
    /// Offset of the next record on the same line.
    pub next: Option<usize>,
}

/// [`find_end_from`], searching the first `/` itself.
#[cfg(test)]
pub(super) fn find_end(bytes: &[u8], carries_text: bool) -> End {
    find_end_from(bytes, carries_text, memchr(b'/', bytes))
}

/// Finds the end of a record's content, given where the first `/` of `bytes` is
/// (`None`: there is none), as the line reader found it. In records that carry free
/// text (16 and the 88s continuing one), a `/` ends the record only before the end of
/// the line or before blanks and another record; elsewhere it is part of a reference or
/// the text. In the other records the first `/` ends the record.
pub(super) fn find_end_from(bytes: &[u8], carries_text: bool, first: Option<usize>) -> End {
    let mut next_slash = first;
    while let Some(slash) = next_slash {
        let after = skip_blanks(bytes, slash + 1);
        if after == bytes.len() {
            return End {
                content: slash,
                terminated: true,
                next: None,
            };
        }
        let separated = after > slash + 1;
        if !carries_text || (separated && record_start(&bytes[after..]).is_some()) {
            return End {
                content: slash,
                terminated: true,
                next: Some(after),
            };
        }
        next_slash = memchr(b'/', &bytes[slash + 1..]).map(|found| slash + 1 + found);
    }
    End {
        content: trim_end_blanks(bytes).len(),
        terminated: false,
        next: None,
    }
}

/// One piece of a logical record: the content of the record itself, of one of its 88
/// continuations, or of a physical line that continues it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub start: usize,
    pub end: usize,
    /// Where the segment's first byte is in the file.
    pub position: Position,
}

/// A complete logical record, as the reader hands it over.
pub(super) struct Record<'a> {
    pub code: Code,
    /// For an unknown record, what stands where the record code should be.
    pub raw_code: &'a [u8],
    pub buffer: &'a [u8],
    pub segments: &'a [Segment],
    /// Physical records it is made of: 1 plus its 88 continuations.
    pub records: u64,
    /// Where the record code is.
    pub position: Position,
    /// Whether its continuations were cut at the record length limit.
    pub cut: bool,
}

/// Collects the current logical record until the next record that is not an 88 starts.
pub(super) struct Assembler {
    open: bool,
    code: Code,
    raw_code: Vec<u8>,
    buffer: Vec<u8>,
    segments: Vec<Segment>,
    records: u64,
    position: Position,
    terminated: bool,
    cut: bool,
    length_max: usize,
}

impl Assembler {
    pub fn new(length_max: usize) -> Assembler {
        Assembler {
            open: false,
            code: Code::Unknown,
            raw_code: Vec::new(),
            buffer: Vec::new(),
            segments: Vec::new(),
            records: 0,
            position: Position::default(),
            terminated: true,
            cut: false,
            length_max,
        }
    }

    /// The code of the open (or last) record.
    #[inline]
    pub fn code(&self) -> Code {
        self.code
    }

    #[inline]
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// An open record not ended by `/` takes the next line when it has no record code.
    #[inline]
    pub fn is_open_unterminated(&self) -> bool {
        self.open && !self.terminated
    }

    /// Whether the open record's content is free text, where `/` may be data.
    #[inline]
    pub fn carries_text(&self) -> bool {
        self.open && self.code == Code::Detail
    }

    /// Starts a new logical record with its first content; the caller has taken the
    /// previous one.
    // Inlined: called, its positions went through the stack and stalled on the store
    // forwarding.
    #[inline]
    pub fn start(
        &mut self,
        code: Code,
        raw_code: &[u8],
        position: Position,
        content: &[u8],
        content_position: Position,
        terminated: bool,
    ) {
        self.open = true;
        self.code = code;
        self.raw_code.clear();
        if code == Code::Unknown {
            self.raw_code.extend_from_slice(raw_code);
        }
        self.buffer.clear();
        self.segments.clear();
        self.records = 1;
        self.position = position;
        self.cut = false;
        self.push(content, content_position, terminated, false);
    }

    /// Adds the content of an 88 (`record` true: it counts as a record) or of a line
    /// that continues the record without a record code.
    #[inline]
    pub fn push(&mut self, content: &[u8], position: Position, terminated: bool, record: bool) {
        if record {
            self.records += 1;
        }
        self.terminated = terminated;
        if self.buffer.len().saturating_add(content.len()) > self.length_max {
            self.cut = true;
            return;
        }
        let start = self.buffer.len();
        self.buffer.extend_from_slice(content);
        self.segments.push(Segment {
            start,
            end: self.buffer.len(),
            position,
        });
    }

    /// The complete record, closing it.
    #[inline]
    pub fn take(&mut self) -> Option<Record<'_>> {
        if !self.open {
            return None;
        }
        self.open = false;
        Some(Record {
            code: self.code,
            raw_code: &self.raw_code,
            buffer: &self.buffer,
            segments: &self.segments,
            records: self.records,
            position: self.position,
            cut: self.cut,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_starts_need_a_known_code_and_a_delimiter() {
        assert_eq!(record_start(b"16,1"), Some(Code::Detail));
        assert_eq!(record_start(b"88"), Some(Code::Continuation));
        assert_eq!(record_start(b"49/"), Some(Code::AccountTrailer));
        assert_eq!(record_start(b"00,"), None);
        assert_eq!(record_start(b"88:EREF"), None);
        assert_eq!(record_start(b"161"), None);
        assert_eq!(record_start(b"1"), None);
    }

    #[test]
    fn slash_ends_plain_records_at_once() {
        let end = find_end(b"100,3/03,x/", false);
        assert_eq!(
            end,
            End {
                content: 5,
                terminated: true,
                next: Some(6)
            }
        );
        let end = find_end(b"100,3  ", false);
        assert_eq!(
            end,
            End {
                content: 5,
                terminated: false,
                next: None
            }
        );
    }

    #[test]
    fn slash_in_text_is_data_unless_a_record_follows() {
        let text = b"AB/GS/X,08/18/23 Invoice/  ";
        assert_eq!(
            find_end(text, true),
            End {
                content: 24,
                terminated: true,
                next: None
            }
        );
        let text = b"PAID 1/16,2023";
        assert!(!find_end(text, true).terminated);
        let text = b"PPD/ 16,142,500,Z/";
        assert_eq!(
            find_end(text, true),
            End {
                content: 3,
                terminated: true,
                next: Some(5)
            }
        );
    }
}
