//! A `BufRead` adapter that counts what the XML reader consumes.
//!
//! quick-xml knows byte offsets but not line numbers; counting newlines here, with
//! memchr over each consumed chunk, gives every diagnostic its line for almost no
//! cost. The same place enforces the file size and token size limits, because it is
//! the only place that sees every byte before it is buffered.

use std::io::{self, BufRead, Read};

/// The most handed to the XML reader at once.
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
    /// Newlines among the consumed bytes.
    pub newlines: u64,
    /// Where the token being read started; reset by the reader before each event.
    pub token_start: u64,
    token_bytes_max: u64,
    file_bytes_max: u64,
    pub overrun: Option<Overrun>,
}

impl<R: BufRead> CountingReader<R> {
    pub fn new(inner: R, file_bytes_max: u64, token_bytes_max: u64) -> Self {
        CountingReader {
            inner,
            consumed: 0,
            newlines: 0,
            token_start: 0,
            token_bytes_max,
            file_bytes_max,
            overrun: None,
        }
    }

    fn check_limits(&mut self) -> io::Result<()> {
        if self.consumed > self.file_bytes_max {
            self.overrun = Some(Overrun::FileTooLarge);
        } else if self.consumed.saturating_sub(self.token_start) > self.token_bytes_max {
            self.overrun = Some(Overrun::TokenTooLong);
        }
        match self.overrun {
            Some(_) => Err(io::Error::other("input limit reached")),
            None => Ok(()),
        }
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
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.check_limits()?;
        // Hand out at most a chunk at a time, so that the limits are checked at
        // least every CHUNK bytes even when the inner reader is one big slice.
        let buffer = self.inner.fill_buf()?;
        Ok(&buffer[..buffer.len().min(CHUNK)])
    }

    fn consume(&mut self, amount: usize) {
        // A BufRead hands out the same buffer again without reading, so this sees
        // exactly the bytes being consumed.
        if amount == 0 {
            return;
        }
        if let Ok(buffer) = self.inner.fill_buf() {
            let counted = amount.min(buffer.len());
            self.newlines += memchr::memchr_iter(b'\n', &buffer[..counted]).count() as u64;
        }
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_bytes_and_newlines() {
        let mut reader = CountingReader::new(&b"ab\ncd\n\nef"[..], 100, 100);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert_eq!(reader.consumed, 9);
        assert_eq!(reader.newlines, 3);
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
