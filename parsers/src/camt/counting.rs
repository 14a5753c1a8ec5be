//! Byte counting, input limits and line numbers for the XML reader.
//!
//! [`CountingReader`] sits between the caller's reader and quick-xml: it counts the
//! bytes consumed and enforces the file size and token size limits, because it is
//! the only place that sees every byte before quick-xml buffers it. It is kept as
//! thin as possible, since quick-xml calls it several times per event.
//!
//! It also knows the line of every event start. Scanning each event's bytes for
//! newlines costs a small scan per event; instead each block handed to quick-xml is
//! searched once for its newlines ([`Lines`]), and the line at an event start is a
//! cursor moved over the few newlines passed since the previous event.

use std::io::{self, BufRead, Read};

/// The most handed to the XML reader at once, so that the limits are checked at
/// least every `CHUNK` bytes even when the inner reader is one big slice.
const CHUNK: usize = 64 * 1024;

/// Which limit stopped the reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Overrun {
    FileTooLarge,
    TokenTooLong,
}

/// Newline offsets found ahead of the reading, and the line reached.
///
/// Only newlines not yet passed are kept: they lie between the last event start and
/// the end of the last block handed out, that is within one token plus `CHUNK`
/// bytes, whatever the size of the file.
struct Lines {
    /// Offsets of newlines found, ascending; those before `passed` are counted in
    /// `line` and dropped at the next search.
    offsets: Vec<u64>,
    passed: usize,
    /// Bytes searched so far (from offset 0).
    searched: u64,
    /// 1 + the newlines before the offset given to the last [`Lines::advance`].
    line: u64,
}

impl Lines {
    /// Searches the part of `block` (which starts at offset `start`) not searched
    /// yet.
    fn search(&mut self, start: u64, block: &[u8]) {
        let skip = usize::try_from(self.searched.saturating_sub(start)).unwrap_or(usize::MAX);
        let Some(fresh) = block.get(skip..) else {
            return;
        };
        if fresh.is_empty() {
            return;
        }
        let from = start + skip as u64;
        self.offsets.drain(..self.passed);
        self.passed = 0;
        push_newlines(&mut self.offsets, from, fresh);
        self.searched = from + fresh.len() as u64;
    }

    /// Moves the line to `offset`, which must not be behind the previous one.
    #[inline]
    fn advance(&mut self, offset: u64) {
        let before = self.passed;
        while self
            .offsets
            .get(self.passed)
            .is_some_and(|&at| at < offset)
        {
            self.passed += 1;
        }
        self.line += (self.passed - before) as u64;
    }
}

/// Appends the offsets of the newlines of `bytes` (which starts at offset `from`).
///
/// Newlines come every 30 bytes or so in an indented file, too often for a SIMD
/// search, which returns at each one: eight bytes at a time with a word-wide
/// zero-byte test instead.
fn push_newlines(offsets: &mut Vec<u64>, from: u64, bytes: &[u8]) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const NEWLINES: u64 = 0x0A0A_0A0A_0A0A_0A0A;
    let mut words = bytes.chunks_exact(8);
    let mut at = from;
    for word in &mut words {
        if let Ok(word) = <[u8; 8]>::try_from(word) {
            // Bytes equal to b'\n' become zero; the expression sets the high bit of
            // exactly the zero bytes.
            let x = u64::from_le_bytes(word) ^ NEWLINES;
            let mut zero_bytes = !(((x & LOW7) + LOW7) | x | LOW7);
            while zero_bytes != 0 {
                offsets.push(at + u64::from(zero_bytes.trailing_zeros() / 8));
                zero_bytes &= zero_bytes - 1;
            }
        }
        at += 8;
    }
    for (index, &byte) in words.remainder().iter().enumerate() {
        if byte == b'\n' {
            offsets.push(at + index as u64);
        }
    }
}

pub(super) struct CountingReader<R> {
    inner: R,
    /// Bytes consumed so far.
    pub consumed: u64,
    /// The smaller of the two limits as an offset, so that the hot path compares
    /// once.
    limit_at: u64,
    token_bytes_max: u64,
    file_bytes_max: u64,
    pub overrun: Option<Overrun>,
    lines: Lines,
}

impl<R: BufRead> CountingReader<R> {
    pub fn new(inner: R, file_bytes_max: u64, token_bytes_max: u64) -> Self {
        CountingReader {
            inner,
            consumed: 0,
            limit_at: file_bytes_max.min(token_bytes_max),
            token_bytes_max,
            file_bytes_max,
            overrun: None,
            lines: Lines {
                offsets: Vec::with_capacity(4 * 1024),
                passed: 0,
                searched: 0,
                line: 1,
            },
        }
    }

    /// Marks the start of the next XML token: the token limit counts from here, and
    /// [`Self::line`] becomes the line of this offset.
    #[inline]
    pub fn start_token(&mut self) {
        self.limit_at = self
            .file_bytes_max
            .min(self.consumed.saturating_add(self.token_bytes_max));
        self.lines.advance(self.consumed);
    }

    /// The line (1-based) where the token marked by the last
    /// [`Self::start_token`] starts.
    #[inline]
    pub fn line(&self) -> u64 {
        self.lines.line
    }

    #[cold]
    #[inline(never)]
    fn overrun(&mut self) -> io::Error {
        self.overrun = Some(if self.consumed > self.file_bytes_max {
            Overrun::FileTooLarge
        } else {
            Overrun::TokenTooLong
        });
        io::Error::other("input limit reached")
    }
}

impl<R: BufRead> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let count = available.len().min(out.len());
        out[..count].copy_from_slice(&available[..count]);
        self.consume(count);
        Ok(count)
    }
}

impl<R: BufRead> BufRead for CountingReader<R> {
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.consumed > self.limit_at {
            return Err(self.overrun());
        }
        let buffer = self.inner.fill_buf()?;
        // Up to the end of the last block searched for newlines while there is
        // one, else a new block, searched whole: every byte is searched once.
        let ahead = self.lines.searched.saturating_sub(self.consumed);
        if ahead > 0 {
            let end = usize::try_from(ahead).map_or(buffer.len(), |ahead| ahead.min(buffer.len()));
            return Ok(&buffer[..end]);
        }
        let block = &buffer[..buffer.len().min(CHUNK)];
        self.lines.search(self.consumed, block);
        Ok(block)
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line at every token start, and where it starts, reading the way the XML
    /// reader reads: a block at a time, at most `step` bytes consumed per token.
    fn lines_by_offset(bytes: &[u8], capacity: usize, step: usize) -> Vec<(u64, usize)> {
        let inner = io::BufReader::with_capacity(capacity, bytes);
        let mut reader = CountingReader::new(inner, u64::MAX, u64::MAX);
        let mut lines = Vec::new();
        loop {
            reader.start_token();
            lines.push((reader.line(), reader.consumed as usize));
            let available = reader.fill_buf().unwrap().len();
            if available == 0 {
                break;
            }
            reader.consume(available.min(step));
        }
        lines
    }

    #[test]
    fn counts_bytes_and_lines() {
        let mut reader = CountingReader::new(&b"ab\ncd\n\nef"[..], 100, 100);
        let mut text = Vec::new();
        reader.read_to_end(&mut text).unwrap();
        assert_eq!(reader.consumed, 9);
        reader.start_token();
        assert_eq!(reader.line(), 4);
        // Every byte value next to newlines, at every alignment, read in blocks of
        // several sizes and consumed in steps of several sizes.
        for shift in 0..9 {
            let mut bytes = vec![b'x'; shift];
            for value in 0..=255u8 {
                bytes.extend_from_slice(&[value, b'\n']);
            }
            for (capacity, step) in [(7, 1), (16, 3), (64, 5), (4096, 1), (4096, 4096)] {
                for (line, at) in lines_by_offset(&bytes, capacity, step) {
                    let expected = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                    assert_eq!(line, expected as u64, "shift {shift} capacity {capacity} step {step} at {at}");
                }
            }
        }
    }

    #[test]
    fn stops_at_the_file_limit() {
        let data = vec![b'x'; 10_000];
        let inner = io::BufReader::with_capacity(16, &data[..]);
        let mut reader = CountingReader::new(inner, 100, u64::MAX);
        let mut sink = Vec::new();
        assert!(reader.read_to_end(&mut sink).is_err());
        assert_eq!(reader.overrun, Some(Overrun::FileTooLarge));
        assert!(sink.len() <= 116);
    }
}
