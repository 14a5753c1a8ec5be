//! CSV records, a line at a time: plain lines split here, the rest by csv_core.
//!
//! Nearly every line of a bank export is plain: no quote character and no carriage
//! return but the one of a final `\r\n`. Such a line's fields are what lies between
//! its delimiters, exactly what csv_core would make of it, so it is split with a
//! search for the delimiter instead of csv_core's byte-at-a-time state machine. Any
//! other line, and always the first record (whose byte order mark csv_core
//! handles), goes to one csv_core reader set up as the csv crate was. At a record
//! boundary csv_core is ready for the next record once line ends are skipped, which
//! is why the two can take turns.
//!
//! Each record carries where it starts: the byte and line of its first byte (line
//! ends before a record are not part of it) and its index among the records.

use std::io::{self, BufRead};

use csv_core::ReadRecordResult;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why reading stopped before the end of the input.
#[derive(Debug)]
pub(super) enum Stop {
    Read(io::Error),
    /// A physical line, or a quoted record across lines, longer than the limit.
    LineTooLong,
    FileTooLarge,
}

/// A [`Stop`] and the start of the line it happened on.
#[derive(Debug)]
pub(super) struct ReadError {
    pub stop: Stop,
    pub byte: u64,
    pub line: u64,
}

/// Where a record starts in the file, counted from the first byte given to
/// [`Records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Start {
    pub byte: u64,
    /// 1-based.
    pub line: u64,
    /// 0-based, every record counted (a header too).
    pub record: u64,
}

/// One record: its fields as ranges of `bytes`.
pub(super) struct Record<'r> {
    pub bytes: &'r [u8],
    pub fields: &'r [(usize, usize)],
    pub start: Start,
}

impl<'r> Record<'r> {
    pub fn field(&self, index: usize) -> Option<&'r [u8]> {
        let &(start, end) = self.fields.get(index)?;
        self.bytes.get(start..end)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'r [u8]> + '_ {
        (0..self.fields.len()).filter_map(|index| self.field(index))
    }
}

pub(super) struct Records<R> {
    input: R,
    core: csv_core::Reader,
    delimiter: u8,
    quote: u8,
    /// The physical line being read (with its `\n`), and how much of it is used.
    line: Vec<u8>,
    used: usize,
    input_done: bool,
    /// csv_core's output for the record handed out last, unless it was plain.
    bytes: Vec<u8>,
    /// Where the last record's bytes are: in `line` from this offset when plain.
    plain_from: Option<usize>,
    fields: Vec<(usize, usize)>,
    ends: Vec<usize>,
    /// Where the next unused byte is.
    byte: u64,
    line_number: u64,
    records: u64,
    /// Where the last record started (its `record` is set when handed out).
    record_start: Start,
    /// Whether plain lines are split here; off in tests, to hold the plain path
    /// against csv_core.
    split_plain_lines: bool,
    line_bytes_max: usize,
    file_bytes_max: u64,
    /// Bytes taken from the input so far.
    taken: u64,
}

impl<R: BufRead> Records<R> {
    /// Reads records of at most `line_bytes_max` bytes (a physical line without its
    /// line end, or a quoted record across lines) from at most `file_bytes_max`.
    pub fn new(
        input: R,
        delimiter: u8,
        quote: u8,
        line_bytes_max: usize,
        file_bytes_max: u64,
    ) -> Self {
        let core = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .quote(quote)
            .build();
        Records {
            input,
            core,
            delimiter,
            quote,
            line: Vec::with_capacity(1024),
            used: 0,
            input_done: false,
            bytes: Vec::with_capacity(1024),
            plain_from: None,
            fields: Vec::with_capacity(32),
            ends: vec![0; 32],
            byte: 0,
            line_number: 1,
            records: 0,
            record_start: Start::default(),
            split_plain_lines: true,
            line_bytes_max,
            file_bytes_max,
            taken: 0,
        }
    }

    fn error(&self, stop: Stop) -> ReadError {
        ReadError {
            stop,
            byte: self.byte,
            line: self.line_number,
        }
    }

    /// The next record, or `None` at the end of the input.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, ReadError> {
        // The first record goes to csv_core from the first byte, line ends before
        // it included, so that a byte order mark is handled as csv_core does.
        if self.records > 0 {
            if !self.skip_line_ends()? {
                return Ok(None);
            }
            if self.split_plain_lines && self.split_plain() {
                return Ok(Some(self.record_at(self.records - 1)));
            }
        } else if !self.fill_line()? {
            return Ok(None);
        }
        self.read_with_core()
    }

    fn record_at(&self, index: u64) -> Record<'_> {
        let bytes = match self.plain_from {
            Some(from) => &self.line[from..],
            None => &self.bytes[..],
        };
        Record {
            bytes,
            fields: &self.fields,
            start: Start {
                record: index,
                ..self.record_start
            },
        }
    }

    /// Reads the next physical line when the current one is used up. Returns
    /// whether there is anything left to read.
    #[inline]
    fn fill_line(&mut self) -> Result<bool, ReadError> {
        if self.used < self.line.len() {
            return Ok(true);
        }
        if self.input_done {
            return Ok(false);
        }
        self.line.clear();
        self.used = 0;
        if self.read_line()? == 0 {
            self.input_done = true;
            return Ok(false);
        }
        Ok(true)
    }

    /// The next physical line, ended by a `\n`, or by a lone `\r` when no `\n` is
    /// in reach, found with the memchr crate and never holding more than one line
    /// of the longest length allowed, whatever the input hands over at once.
    fn read_line(&mut self) -> Result<usize, ReadError> {
        // The longest line and a `\r\n`.
        let longest = self.line_bytes_max.saturating_add(2);
        let mut read = 0;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(self.error(Stop::Read(error))),
            };
            if available.is_empty() {
                return self.line_checked(read);
            }
            let allowed = &available[..available.len().min(longest + 1 - read)];
            // A `\n` in reach ends the line; any lone `\r` before it is a record
            // end that csv_core finds (the plain path leaves such lines to it). Only
            // without one is the line cut at a lone `\r`, as in files ended by CRs.
            let (count, end) = match memchr::memchr(b'\n', allowed) {
                Some(at) => (at + 1, Some(b'\n')),
                None => match memchr::memchr(b'\r', allowed) {
                    Some(at) => (at + 1, Some(b'\r')),
                    None => (allowed.len(), None),
                },
            };
            self.line.extend_from_slice(&allowed[..count]);
            self.input.consume(count);
            read += count;
            self.taken += count as u64;
            if end == Some(b'\r') {
                // A `\r\n` ends the line after its `\n`, even across buffers.
                let next = loop {
                    match self.input.fill_buf() {
                        Ok(next) => break next.first().copied(),
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) => return Err(self.error(Stop::Read(error))),
                    }
                };
                if next == Some(b'\n') {
                    self.line.push(b'\n');
                    self.input.consume(1);
                    read += 1;
                    self.taken += 1;
                }
            }
            if self.taken > self.file_bytes_max {
                return Err(self.error(Stop::FileTooLarge));
            }
            if end.is_some() {
                return self.line_checked(read);
            }
            if read > longest {
                return Err(self.error(Stop::LineTooLong));
            }
        }
    }

    /// `read`, unless the line just read is longer than the limit without its line
    /// end.
    fn line_checked(&self, read: usize) -> Result<usize, ReadError> {
        let content = match self.line.as_slice() {
            [body @ .., b'\r', b'\n'] | [body @ .., b'\n' | b'\r'] => body,
            body => body,
        };
        if content.len() > self.line_bytes_max {
            return Err(self.error(Stop::LineTooLong));
        }
        Ok(read)
    }

    /// Skips the line ends before a record (csv_core skips them too: they make
    /// empty lines, which are no records). Returns whether a record follows.
    fn skip_line_ends(&mut self) -> Result<bool, ReadError> {
        loop {
            if !self.fill_line()? {
                return Ok(false);
            }
            let rest = &self.line[self.used..];
            let skip = rest
                .iter()
                .position(|&byte| byte != b'\r' && byte != b'\n')
                .unwrap_or(rest.len());
            if skip > 0 {
                self.line_number += line_breaks(&rest[..skip], rest.get(skip).copied());
            }
            self.byte += skip as u64;
            self.used += skip;
            if self.used < self.line.len() {
                return Ok(true);
            }
        }
    }

    /// Splits the rest of the line when it is plain. Returns whether it was.
    fn split_plain(&mut self) -> bool {
        let rest = &self.line[self.used..];
        let content = match rest {
            [body @ .., b'\r', b'\n'] | [body @ .., b'\n' | b'\r'] => body,
            body => body,
        };
        self.fields.clear();
        let split = match memchr::memchr2(self.quote, b'\r', content) {
            None => {
                split_unquoted(content, self.delimiter, &mut self.fields);
                true
            }
            Some(_) if memchr::memchr(b'\r', content).is_some() => false,
            Some(_) => split_quoted(content, self.delimiter, self.quote, &mut self.fields),
        };
        if !split {
            return false;
        }
        self.record_start.byte = self.byte;
        self.record_start.line = self.line_number;
        self.plain_from = Some(self.used);
        self.byte += rest.len() as u64;
        if matches!(rest.last(), Some(b'\n' | b'\r')) {
            self.line_number += 1;
        }
        self.used = self.line.len();
        self.records += 1;
        true
    }

    /// Reads one record through csv_core, across as many lines as it takes.
    fn read_with_core(&mut self) -> Result<Option<Record<'_>>, ReadError> {
        self.record_start.byte = self.byte;
        self.record_start.line = self.line_number;
        self.plain_from = None;
        self.bytes.clear();
        self.bytes.resize(self.bytes.capacity().max(1024), 0);
        let (mut written, mut ended) = (0, 0);
        let mut first_byte = true;
        loop {
            let input = &self.line[self.used..];
            let (result, read, wrote, ends) =
                self.core
                    .read_record(input, &mut self.bytes[written..], &mut self.ends[ended..]);
            let consumed = &input[..read];
            if first_byte && self.records == 0 {
                // Line ends before the first record are not part of it.
                let skipped = consumed
                    .iter()
                    .position(|&byte| byte != b'\r' && byte != b'\n')
                    .unwrap_or(consumed.len());
                self.record_start.byte += skipped as u64;
                self.record_start.line +=
                    line_breaks(&consumed[..skipped], consumed.get(skipped).copied());
                first_byte = skipped == consumed.len();
            }
            self.byte += read as u64;
            self.used += read;
            self.line_number += line_breaks(consumed, self.line.get(self.used).copied());
            written += wrote;
            ended += ends;
            if self.byte - self.record_start.byte > self.line_bytes_max as u64 + 2 {
                return Err(ReadError {
                    stop: Stop::LineTooLong,
                    byte: self.record_start.byte,
                    line: self.record_start.line,
                });
            }
            match result {
                ReadRecordResult::InputEmpty => {
                    // At the end of the input, csv_core is called once more with
                    // nothing, to end the last record.
                    self.fill_line()?;
                }
                ReadRecordResult::OutputFull => {
                    let grown = self.bytes.len() * 2;
                    self.bytes.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    self.bytes.truncate(written);
                    self.fields.clear();
                    let mut start = 0;
                    for &end in &self.ends[..ended] {
                        self.fields.push((start, end));
                        start = end;
                    }
                    // csv_core drops the byte order mark at the start of the file;
                    // a second one is dropped too, as the reader always did.
                    if let Some(first) = self.fields.first_mut() {
                        if self.records == 0 && self.bytes[first.0..first.1].starts_with(BOM) {
                            first.0 += BOM.len();
                        }
                    }
                    self.records += 1;
                    return Ok(Some(self.record_at(self.records - 1)));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }
}

/// The line breaks in `bytes`: every `\n`, and every `\r` not followed by one
/// (`next` is the byte after `bytes`, if any), as csv_core ends records at both.
pub(super) fn line_breaks(bytes: &[u8], next: Option<u8>) -> u64 {
    // Nearly always: no line end before a record. A searcher costs its setup.
    if bytes.is_empty() {
        return 0;
    }
    let mut breaks = memchr::memchr_iter(b'\n', bytes).count() as u64;
    for at in memchr::memchr_iter(b'\r', bytes) {
        if bytes.get(at + 1).copied().or(next) != Some(b'\n') {
            breaks += 1;
        }
    }
    breaks
}

/// The fields of a line without quotes: what lies between its delimiters.
fn split_unquoted(content: &[u8], delimiter: u8, fields: &mut Vec<(usize, usize)>) {
    let mut start = 0;
    for end in memchr::memchr_iter(delimiter, content) {
        fields.push((start, end));
        start = end + 1;
    }
    fields.push((start, content.len()));
}

/// The fields of a line whose quoted fields are simple: a quote, text without
/// quotes, a quote, then the delimiter or the end of the line. Returns `false` for
/// anything else (doubled quotes, text after a closing quote, a quote inside an
/// unquoted field), which csv_core reads.
fn split_quoted(
    content: &[u8],
    delimiter: u8,
    quote: u8,
    fields: &mut Vec<(usize, usize)>,
) -> bool {
    let mut at = 0;
    loop {
        if content.get(at) == Some(&quote) {
            let Some(close) = memchr::memchr(quote, &content[at + 1..]).map(|i| at + 1 + i) else {
                return false;
            };
            fields.push((at + 1, close));
            match content.get(close + 1) {
                None => return true,
                Some(&byte) if byte == delimiter => at = close + 2,
                Some(_) => return false,
            }
        } else {
            let end = memchr::memchr(delimiter, &content[at..]).map_or(content.len(), |i| at + i);
            if memchr::memchr(quote, &content[at..end]).is_some() {
                return false;
            }
            fields.push((at, end));
            if end == content.len() {
                return true;
            }
            at = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use proptest::prelude::*;

    use super::*;
    use crate::testing::{damage, xorshift};

    type Fields = Vec<Vec<u8>>;

    fn ours(input: &[u8], delimiter: u8, capacity: usize, plain: bool) -> Vec<(Fields, Start)> {
        let reader = BufReader::with_capacity(capacity, input);
        let mut records = Records::new(reader, delimiter, b'"', 1 << 20, u64::MAX);
        records.split_plain_lines = plain;
        let mut out = Vec::new();
        while let Some(record) = records.next_record().expect("reading a slice") {
            out.push((record.iter().map(<[u8]>::to_vec).collect(), record.start));
        }
        out
    }

    /// The csv crate's records with the settings the reader used to give it.
    fn theirs(input: &[u8], delimiter: u8) -> Vec<Fields> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader
            .read_byte_record(&mut record)
            .expect("reading a slice")
        {
            out.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    fn check(input: &[u8], delimiter: u8) -> Result<(), TestCaseError> {
        let plain = ours(input, delimiter, 8 * 1024, true);
        let mut expected = theirs(input, delimiter);
        // The reader drops a second byte order mark from the first field too.
        if let Some(first) = expected.first_mut().and_then(|fields| fields.first_mut()) {
            if first.starts_with(BOM) {
                first.drain(..BOM.len());
            }
        }
        let fields: Vec<Fields> = plain.iter().map(|(fields, _)| fields.clone()).collect();
        prop_assert_eq!(&fields, &expected);
        for capacity in [1, 5] {
            prop_assert_eq!(&ours(input, delimiter, capacity, true), &plain);
        }
        prop_assert_eq!(&ours(input, delimiter, 8 * 1024, false), &plain);
        for (index, (_, start)) in plain.iter().enumerate() {
            let byte = usize::try_from(start.byte).unwrap();
            prop_assert_eq!(start.record, index as u64);
            let lines = 1 + line_breaks(&input[..byte], input.get(byte).copied());
            prop_assert_eq!(start.line, lines, "line of record {}", index);
            if index > 0 {
                prop_assert!(!matches!(input.get(byte), Some(b'\r' | b'\n')));
            }
        }
        Ok(())
    }

    /// Rows of plain and quoted fields, line ends of every kind, empty lines, then
    /// some bytes damaged.
    fn document(seed: u64, delimiter: u8, edits: u32) -> Vec<u8> {
        const FIELDS: [&str; 11] = [
            "abc",
            "",
            "\"\"",
            " x ",
            "\"1,5;2\"",
            "\"say \"\"hi\"\"\"",
            "\"two\nlines\"",
            "a\"b",
            "Ünï",
            "2026-11-02",
            "\"\r\n\"",
        ];
        const ENDS: [&str; 4] = ["\n", "\r\n", "\r", "\n\n"];
        let mut next = xorshift(seed | 1);
        let mut pick = move |count: usize| (next() % count as u64) as usize;
        let mut out = Vec::new();
        if pick(4) == 0 {
            out.extend_from_slice(BOM);
        }
        for row in 0..pick(6) {
            if row > 0 {
                out.extend_from_slice(ENDS[pick(ENDS.len())].as_bytes());
            }
            for field in 0..1 + pick(4) {
                if field > 0 {
                    out.push(delimiter);
                }
                out.extend_from_slice(FIELDS[pick(FIELDS.len())].as_bytes());
            }
        }
        if pick(2) == 0 {
            out.push(b'\n');
        }
        damage(&mut out, edits, b",;\"\r\na\xEF", &mut pick);
        out
    }

    #[test]
    fn plain_lines_split_like_csv_core() {
        let input = b"\xEF\xBB\xBFdate,amount\r\n\r\n2026-11-02,\"1,5\"\r\nx,,y\nlast";
        let records = ours(input, b',', 8 * 1024, true);
        let fields: Vec<Fields> = records.iter().map(|(f, _)| f.clone()).collect();
        let expected: Vec<Fields> = vec![
            vec![b"date".to_vec(), b"amount".to_vec()],
            vec![b"2026-11-02".to_vec(), b"1,5".to_vec()],
            vec![b"x".to_vec(), b"".to_vec(), b"y".to_vec()],
            vec![b"last".to_vec()],
        ];
        assert_eq!(fields, expected);
        let starts: Vec<(u64, u64)> = records.iter().map(|(_, s)| (s.byte, s.line)).collect();
        assert_eq!(starts, vec![(0, 1), (18, 3), (36, 4), (41, 5)]);
        check(input, b',').unwrap();
    }

    fn stop_of(input: &[u8], line_max: usize, file_max: u64) -> Option<(String, u64, u64)> {
        let mut records = Records::new(input, b',', b'"', line_max, file_max);
        loop {
            match records.next_record() {
                Ok(Some(_)) => {}
                Ok(None) => return None,
                Err(error) => {
                    let stop = format!("{:?}", error.stop);
                    assert!(records.line.capacity() <= 4 * line_max.max(1024));
                    return Some((stop, error.byte, error.line));
                }
            }
        }
    }

    #[test]
    fn stops_at_the_limits_without_holding_the_file() {
        // Lines of exactly the limit, with every line end, are fine.
        assert_eq!(stop_of(b"abcde\nabcde\r\nabcde\rabcde", 5, u64::MAX), None);
        let long = format!("a,b\n{}\nc", "x".repeat(1_000_000));
        assert_eq!(
            stop_of(long.as_bytes(), 1000, u64::MAX),
            Some(("LineTooLong".into(), 4, 2))
        );
        assert_eq!(
            stop_of(b"a,b\nabcdef", 5, u64::MAX),
            Some(("LineTooLong".into(), 4, 2))
        );
        // A quoted record across lines counts whole.
        assert_eq!(
            stop_of(b"a\n\"abc\ndef\"\n", 6, u64::MAX),
            Some(("LineTooLong".into(), 2, 2))
        );
        assert_eq!(
            stop_of(b"a,b\nc,d\ne,f\n", 100, 6).map(|stop| stop.0),
            Some("FileTooLarge".into())
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn agree_with_the_csv_crate(seed in any::<u64>(), semicolon in any::<bool>(), edits in 0u32..4) {
            let delimiter = if semicolon { b';' } else { b',' };
            check(&document(seed, delimiter, edits), delimiter)?;
        }
    }
}
