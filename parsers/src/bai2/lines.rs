//! Physical lines of a BAI2 file, read from a `BufRead` into one reused buffer and
//! never kept longer than the line length limit, so that a file without newlines
//! cannot make the reader allocate without bound.

use std::io::{self, BufRead};

use memchr::{memchr, memchr2};

/// One physical line, without its `\n` or `\r\n`.
pub(super) struct Line<'a> {
    /// The line, cut at the length limit when it is longer.
    pub bytes: &'a [u8],
    /// Offset of the line's first byte from the start of the file.
    pub byte: u64,
    /// 1-based line number.
    pub number: u64,
    /// Length of the whole physical line, even when `bytes` was cut.
    pub length: u64,
    /// Offset in `bytes` of the first `/`, found with the line's end in one search.
    pub slash: Option<usize>,
}

impl Line<'_> {
    pub fn is_cut(&self) -> bool {
        self.length > self.bytes.len() as u64
    }
}

/// Finds the first `\n` or `/`. On x86-64 with AVX2 the searcher is made once per
/// file, which spares each line memchr's dispatch to the implementation the CPU has.
enum LineEnds {
    #[cfg(target_arch = "x86_64")]
    Avx2(memchr::arch::x86_64::avx2::memchr::Two),
    Portable,
}

impl LineEnds {
    fn new() -> LineEnds {
        #[cfg(target_arch = "x86_64")]
        if let Some(searcher) = memchr::arch::x86_64::avx2::memchr::Two::new(b'\n', b'/') {
            return LineEnds::Avx2(searcher);
        }
        LineEnds::Portable
    }

    #[inline(always)]
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        match self {
            #[cfg(target_arch = "x86_64")]
            LineEnds::Avx2(searcher) => searcher.find(haystack),
            LineEnds::Portable => memchr2(b'\n', b'/', haystack),
        }
    }
}

pub(super) struct LineReader<R> {
    input: R,
    line_ends: LineEnds,
    /// Bytes of the input's buffer handed out as the last line, consumed on the next call.
    pending: usize,
    buffer: Vec<u8>,
    length_max: usize,
    next_byte: u64,
    next_number: u64,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(input: R, length_max: usize) -> Self {
        LineReader {
            input,
            line_ends: LineEnds::new(),
            pending: 0,
            buffer: Vec::new(),
            length_max,
            next_byte: 0,
            next_number: 1,
        }
    }

    /// Bytes consumed so far: the offset where the next line starts.
    pub fn bytes_read(&self) -> u64 {
        self.next_byte
    }

    /// The next line, `None` at the end of the input.
    // Inlined, so that the line's fields stay in registers rather than pass through
    // memory; the rare copying path is a function of its own.
    #[inline(always)]
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.input.consume(self.pending);
        self.pending = 0;
        // Fast path: the whole line is in the input's buffer and is handed out in place.
        // One search finds the end of the line and its first `/`, which the caller
        // needs to find where the record ends.
        let whole = match self.input.fill_buf() {
            Ok(available) => match self.line_ends.find(available) {
                Some(found) if available[found] == b'/' => {
                    memchr(b'\n', &available[found..]).map(|end| (found + end, Some(found)))
                }
                Some(found) => Some((found, None)),
                None => None,
            }
            .filter(|&(end, _)| end <= self.length_max),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => None,
            Err(error) => return Err(error),
        };
        if let Some((end, slash)) = whole {
            let available = self.input.fill_buf()?;
            let mut length = end;
            if length > 0 && available[length - 1] == b'\r' {
                length -= 1;
            }
            self.pending = end + 1;
            let byte = self.next_byte;
            let number = self.next_number;
            self.next_byte += (end + 1) as u64;
            self.next_number += 1;
            return Ok(Some(Line {
                bytes: &available[..length],
                byte,
                number,
                length: length as u64,
                // A `\r` is not a `/`: the first `/` is inside the line when there is one.
                slash: slash.filter(|&slash| slash < length),
            }));
        }
        self.next_line_copied()
    }

    /// The next line when it is not whole in the input's buffer (or is longer than the
    /// limit): copied into the reader's own buffer, cut at the limit.
    #[inline(never)]
    fn next_line_copied(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buffer.clear();
        // Keep one byte more than the limit so that a `\r` before the `\n` of a line
        // exactly at the limit can still be stripped.
        let keep_max = self.length_max.saturating_add(1);
        let mut consumed: u64 = 0;
        let mut newline = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                break;
            }
            let (take, step) = match memchr(b'\n', available) {
                Some(index) => {
                    newline = true;
                    (index, index + 1)
                }
                None => (available.len(), available.len()),
            };
            let room = keep_max.saturating_sub(self.buffer.len());
            let copied = take.min(room);
            self.buffer.extend_from_slice(&available[..copied]);
            self.input.consume(step);
            consumed += step as u64;
            if newline {
                break;
            }
        }
        if consumed == 0 {
            return Ok(None);
        }
        let byte = self.next_byte;
        let number = self.next_number;
        self.next_byte += consumed;
        self.next_number += 1;
        let mut length = consumed - u64::from(newline);
        let whole = self.buffer.len() as u64 == length;
        if whole && self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
            length -= 1;
        }
        let shown = self.buffer.len().min(self.length_max);
        let bytes = &self.buffer[..shown];
        Ok(Some(Line {
            bytes,
            byte,
            number,
            length,
            slash: memchr(b'/', bytes),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(Vec<u8>, u64, u64, u64)> {
        let mut reader = LineReader::new(input, max);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push((line.bytes.to_vec(), line.byte, line.number, line.length));
        }
        out
    }

    #[test]
    fn strips_newlines_and_counts_positions() {
        let got = lines(b"ab\r\ncd\n\nef", 100);
        assert_eq!(
            got,
            vec![
                (b"ab".to_vec(), 0, 1, 2),
                (b"cd".to_vec(), 4, 2, 2),
                (b"".to_vec(), 7, 3, 0),
                (b"ef".to_vec(), 8, 4, 2),
            ]
        );
    }

    #[test]
    fn first_slash_is_found_with_the_line_end() {
        for capacity in 1..24 {
            let input = io::BufReader::with_capacity(capacity, &b"ab/c/\nxy\r\n/\n88,a\n"[..]);
            let mut reader = LineReader::new(input, 100);
            let mut slashes = Vec::new();
            while let Some(line) = reader.next_line().unwrap() {
                slashes.push(line.slash);
            }
            assert_eq!(
                slashes,
                [Some(2), None, Some(0), None],
                "capacity {capacity}"
            );
        }
    }

    #[test]
    fn long_lines_are_cut_but_measured() {
        let got = lines(b"abcdef\nxy\r\n", 3);
        assert_eq!(got[0], (b"abc".to_vec(), 0, 1, 6));
        assert_eq!(got[1], (b"xy".to_vec(), 7, 2, 2));
        let got = lines(b"abc\r\n", 3);
        assert_eq!(got[0], (b"abc".to_vec(), 0, 1, 3));
    }
}
