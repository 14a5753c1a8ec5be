//! Splits a buffered reader into records that end with one delimiter byte (NACHA
//! lines, X12 segments), without copying when a record lies inside the reader's buffer.
//!
//! The record is lent out as a slice of the reader's own buffer whenever possible,
//! so reading a large file costs one `memchr` per record and no allocation; only a
//! record that straddles two buffer fills is copied into a scratch buffer, which never
//! grows beyond the caller's length limit.

use std::io::{self, BufRead};

/// What [`Splitter::next`] found.
pub(crate) enum Piece<'a> {
    /// One record, without its delimiter. `start` is its byte offset in the input;
    /// `tail` is the record followed by whatever input the reader holds after it, for
    /// a caller that reads the next records in place (see [`Splitter::take_more`]).
    Record {
        bytes: &'a [u8],
        start: u64,
        tail: &'a [u8],
    },
    /// A record longer than the limit; its bytes were skipped.
    TooLong { start: u64, len: u64 },
    /// The reader failed; nothing more can be read.
    Failed(io::Error),
    /// End of input.
    End,
}

pub(crate) struct Splitter<R> {
    reader: R,
    delimiter: u8,
    length_max: usize,
    scratch: Vec<u8>,
    /// Bytes of the reader's buffer lent out by the previous call, consumed on the next.
    pending_consume: usize,
    /// Byte offset of the start of the next record.
    offset: u64,
}

impl<R: BufRead> Splitter<R> {
    pub(crate) fn new(reader: R, delimiter: u8, length_max: usize) -> Splitter<R> {
        Splitter {
            reader,
            delimiter,
            length_max,
            scratch: Vec::new(),
            pending_consume: 0,
            offset: 0,
        }
    }

    /// Byte offset just past everything returned so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    pub(crate) fn next(&mut self) -> Piece<'_> {
        if self.pending_consume > 0 {
            self.reader.consume(self.pending_consume);
            self.pending_consume = 0;
        }
        self.scratch.clear();
        let start = self.offset;
        let mut length: u64 = 0;
        let mut too_long = false;
        loop {
            let (found, available) = match self.reader.fill_buf() {
                Ok(buffer) => (memchr::memchr(self.delimiter, buffer), buffer.len()),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Piece::Failed(error),
            };
            if available == 0 {
                if length == 0 {
                    return Piece::End;
                }
                if too_long {
                    return Piece::TooLong { start, len: length };
                }
                return Piece::Record {
                    bytes: &self.scratch,
                    start,
                    tail: &self.scratch,
                };
            }
            let Some(end) = found else {
                length += available as u64;
                self.offset += available as u64;
                if !too_long && self.scratch.len() + available <= self.length_max {
                    match self.reader.fill_buf() {
                        Ok(buffer) => self.scratch.extend_from_slice(buffer),
                        Err(error) => return Piece::Failed(error),
                    }
                } else {
                    too_long = true;
                    self.scratch.clear();
                }
                self.reader.consume(available);
                continue;
            };
            length += end as u64;
            self.offset += end as u64 + 1;
            if too_long || self.scratch.len() + end > self.length_max {
                self.reader.consume(end + 1);
                return Piece::TooLong { start, len: length };
            }
            if self.scratch.is_empty() {
                // Fast path: the whole record is in the reader's buffer; lend it out
                // and consume it on the next call.
                self.pending_consume = end + 1;
                return match self.reader.fill_buf() {
                    Ok(buffer) => Piece::Record {
                        bytes: &buffer[..end.min(buffer.len())],
                        start,
                        tail: buffer,
                    },
                    Err(error) => Piece::Failed(error),
                };
            }
            match self.reader.fill_buf() {
                Ok(buffer) => self
                    .scratch
                    .extend_from_slice(&buffer[..end.min(buffer.len())]),
                Err(error) => return Piece::Failed(error),
            }
            self.reader.consume(end + 1);
            return Piece::Record {
                bytes: &self.scratch,
                start,
                tail: &self.scratch,
            };
        }
    }

    /// Takes `length` bytes from the start of the record [`Splitter::next`] just
    /// returned, instead of the record and its delimiter only: the caller read the
    /// records that follow it from `tail`, up to and including a delimiter.
    /// `length` must not exceed that `tail`.
    pub(crate) fn take_more(&mut self, start: u64, length: usize) {
        self.pending_consume = length;
        self.offset = start + length as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], capacity: usize, max: usize) -> Vec<String> {
        let reader = io::BufReader::with_capacity(capacity, input);
        let mut splitter = Splitter::new(reader, b'\n', max);
        let mut out = Vec::new();
        loop {
            match splitter.next() {
                Piece::Record { bytes, start, .. } => {
                    out.push(format!("{start}:{}", String::from_utf8_lossy(bytes)))
                }
                Piece::TooLong { start, len } => out.push(format!("{start}:too long {len}")),
                Piece::Failed(_) => out.push("failed".into()),
                Piece::End => return out,
            }
        }
    }

    #[test]
    fn records_straddling_buffer_fills_are_joined() {
        let input = b"abc\ndefghij\n\nklm";
        for capacity in 1..20 {
            assert_eq!(
                collect(input, capacity, 100),
                vec!["0:abc", "4:defghij", "12:", "13:klm"],
                "capacity {capacity}"
            );
        }
    }

    #[test]
    fn overlong_records_are_skipped_not_buffered() {
        let input = b"ab\nabcdefgh\ncd";
        for capacity in 1..20 {
            assert_eq!(
                collect(input, capacity, 4),
                vec!["0:ab", "3:too long 8", "12:cd"],
                "capacity {capacity}"
            );
        }
    }
}
