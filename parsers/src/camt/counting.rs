//! Byte counting, input limits and line numbers for the XML reader.
//!
//! [`CountingReader`] sits between the caller's reader and quick-xml: it counts the
//! bytes consumed and enforces the file size and token size limits, because it is
//! the only place that sees every byte before quick-xml buffers it. It is kept as
//! thin as possible, since quick-xml calls it several times per event.
//!
//! It also knows where the newlines are. Counting them over each event's bytes cost
//! a small scan per event; instead each block handed to quick-xml is searched once,
//! a word at a time, into one bit per byte ([`Lines`]), and the reader works out a
//! line only where it keeps a position (an entry, a leaf value, a diagnostic).

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

/// Where the newlines are, one bit per byte, for the bytes between the last event
/// start and the end of the last block handed out (within one token plus `CHUNK`
/// bytes, whatever the size of the file).
///
/// A bit mask per 64 bytes and the newlines before each mask make the line of any
/// offset a lookup and a population count, with no branch per newline: newlines
/// come every 30 bytes or so, too often to stop at each.
pub(super) struct Lines {
    /// Masks of 64-byte spans, from span `first` on; the last one may be partial.
    masks: Vec<u64>,
    /// Newlines before each span of `masks`.
    before: Vec<u64>,
    first: u64,
    /// Bytes searched so far (from offset 0).
    searched: u64,
    /// Where the current event starts: spans before its own are no longer needed.
    at: u64,
}

/// The newline bytes of a little-endian word, as the low 8 bits.
#[inline]
fn newline_bits(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const NEWLINES: u64 = 0x0A0A_0A0A_0A0A_0A0A;
    // Bytes equal to b'\n' become zero; the expression sets the high bit of exactly
    // the zero bytes, and the product gathers the eight high bits in the top byte.
    let x = word ^ NEWLINES;
    let zero_bytes = !(((x & LOW7) + LOW7) | x | LOW7);
    ((zero_bytes >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

impl Lines {
    fn new() -> Self {
        Lines {
            masks: vec![0],
            before: vec![0],
            first: 0,
            searched: 0,
            at: 0,
        }
    }

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
        // Drop the spans before the one the last event started in.
        let keep = usize::try_from((self.at / 64).saturating_sub(self.first))
            .unwrap_or(0)
            .min(self.masks.len() - 1);
        self.masks.drain(..keep);
        self.before.drain(..keep);
        self.first += keep as u64;

        let mut at = self.searched;
        let mut bytes = fresh;
        // Byte by byte up to a span boundary, then a span at a time, then the last
        // bytes.
        while !at.is_multiple_of(64) {
            let Some((&byte, rest)) = bytes.split_first() else {
                break;
            };
            self.mark(at, u64::from(byte == b'\n'));
            at += 1;
            bytes = rest;
        }
        let mut spans = bytes.chunks_exact(64);
        for span in &mut spans {
            let mut mask = 0;
            for (index, word) in span.chunks_exact(8).enumerate() {
                if let Ok(word) = <[u8; 8]>::try_from(word) {
                    mask |= newline_bits(u64::from_le_bytes(word)) << (index * 8);
                }
            }
            // `at` is at a span boundary: the last span is empty.
            if let Some(last) = self.masks.last_mut() {
                *last = mask;
            }
            let before = self.total();
            self.masks.push(0);
            self.before.push(before);
            at += 64;
        }
        for &byte in spans.remainder() {
            self.mark(at, u64::from(byte == b'\n'));
            at += 1;
        }
        self.searched = at;
    }

    /// Marks the byte at offset `at` (a newline when `bit` is 1) and opens the next
    /// span when this one is full.
    #[inline]
    fn mark(&mut self, at: u64, bit: u64) {
        if let Some(mask) = self.masks.last_mut() {
            *mask |= bit << (at % 64);
        }
        if (at + 1).is_multiple_of(64) {
            let before = self.total();
            self.masks.push(0);
            self.before.push(before);
        }
    }

    /// The line (1-based) of `offset`, which must be neither before the current
    /// event start nor past what was searched.
    pub fn line_at(&self, offset: u64) -> u64 {
        let span = usize::try_from((offset / 64).saturating_sub(self.first)).unwrap_or(usize::MAX);
        1 + match (self.masks.get(span), self.before.get(span)) {
            (Some(mask), Some(before)) => {
                let below = (1u64 << (offset % 64)) - 1;
                before + u64::from((mask & below).count_ones())
            }
            // The offset is where the search stopped, at a span not opened yet.
            _ => self.total(),
        }
    }

    /// Newlines in all the bytes searched.
    fn total(&self) -> u64 {
        match (self.masks.last(), self.before.last()) {
            (Some(mask), Some(before)) => before + u64::from(mask.count_ones()),
            _ => 0,
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
            lines: Lines::new(),
        }
    }

    /// Marks the start of the next XML token: the token limit counts from here, and
    /// lines can be asked from here on.
    #[inline]
    pub fn start_token(&mut self) {
        self.limit_at = self
            .file_bytes_max
            .min(self.consumed.saturating_add(self.token_bytes_max));
        self.lines.at = self.consumed;
    }

    /// Where the newlines are, to locate offsets from the last token start on.
    /// Lines are worked out only where a position is kept, not at every event.
    #[inline]
    pub fn line_index(&self) -> &Lines {
        &self.lines
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
            lines.push((
                reader.line_index().line_at(reader.consumed),
                reader.consumed as usize,
            ));
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
        assert_eq!(reader.line_index().line_at(9), 4);
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
                    assert_eq!(
                        line, expected as u64,
                        "shift {shift} capacity {capacity} step {step} at {at}"
                    );
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
