//! Byte counting, input limits and line numbers for the XML reader.
//!
//! [`CountingReader`] sits between the caller's reader and quick-xml: it counts the
//! bytes consumed and enforces the file size and token size limits, because it is
//! the only place that sees every byte before quick-xml buffers it. It is kept as
//! thin as possible, since quick-xml calls it several times per event.
//!
//! Line numbers come from [`newlines`] over each event's raw bytes: every byte of
//! the file except the markup delimiters (`<`, `>`, `</`, `<!--`…), none of which is
//! a newline, belongs to exactly one event, so summing newlines over events gives
//! the exact line at every event start.

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
        }
    }

    /// Marks the start of the next XML token: the token limit counts from here.
    #[inline]
    pub fn start_token(&mut self) {
        self.limit_at = self
            .file_bytes_max
            .min(self.consumed.saturating_add(self.token_bytes_max));
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
        Ok(&buffer[..buffer.len().min(CHUNK)])
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

/// Newlines in `bytes`.
///
/// Called once per event, mostly on a tag or a short run of indentation: eight
/// bytes at a time with a word-wide zero-byte test, which beats both a SIMD search
/// (setup cost) and a byte loop (which the compiler widens poorly) at those sizes.
#[inline]
pub(super) fn newlines(bytes: &[u8]) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const NEWLINES: u64 = 0x0A0A_0A0A_0A0A_0A0A;
    let mut count = 0u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        if let Ok(word) = <[u8; 8]>::try_from(word) {
            // Bytes equal to b'\n' become zero; the expression sets the high bit of
            // exactly the zero bytes.
            let x = u64::from_le_bytes(word) ^ NEWLINES;
            let zero_bytes = !(((x & LOW7) + LOW7) | x | LOW7);
            count += u64::from(zero_bytes.count_ones());
        }
    }
    count
        + words
            .remainder()
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_bytes_and_newlines() {
        let mut reader = CountingReader::new(&b"ab\ncd\n\nef"[..], 100, 100);
        let mut text = Vec::new();
        reader.read_to_end(&mut text).unwrap();
        assert_eq!(reader.consumed, 9);
        assert_eq!(newlines(&text), 3);
        assert_eq!(newlines(&vec![b'\n'; 1000]), 1000);
        // Every byte value next to newlines, at every alignment.
        for shift in 0..9 {
            let mut bytes = vec![b'x'; shift];
            for value in 0..=255u8 {
                bytes.extend_from_slice(&[value, b'\n']);
            }
            assert_eq!(newlines(&bytes), 257, "shift {shift}");
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
