//! A strict, streaming tokenizer for the XML that bank messages use.
//!
//! CAMT files are UTF-8 documents of elements, attributes and text, with the odd
//! comment, CDATA section or processing instruction; a DTD has no business in them
//! (and is how entity expansion attacks arrive). This tokenizer reads exactly that
//! subset and checks it is well-formed: names, attribute syntax and uniqueness,
//! references (only the five predefined entities and character references), end
//! tags matching start tags, one root element with nothing but white space,
//! comments and processing instructions around it. A DOCTYPE comes back as a
//! token so that the caller can refuse it with its own words.
//!
//! It exists because a general XML reader costs more than the rest of the CAMT
//! reader together: this one copies the input once into a window, hands out tokens
//! as offsets into it, compares an end tag with the open name in one comparison,
//! and works out a line number only where the caller asks for one.
//!
//! Limits: a token longer than `token_bytes_max` and a file longer than
//! `file_bytes_max` stop the reading with an error; the window never grows past
//! about twice the token limit, whatever the size of the file.

mod escape;
mod scan;
#[cfg(test)]
mod tests;

use std::io::{self, BufRead};

pub(crate) use escape::unescape_into;
use scan::{Markup, Scan};

/// The window's first size, and how much is read from the input at a time.
const CHUNK: usize = 64 * 1024;

/// A part of the window, as offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

/// One token. Spans point into the tokenizer's window: see [`Tokenizer::bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// A start tag; `empty` for `<name/>`, which has no end tag to follow.
    Start {
        name: Span,
        /// The raw attribute list, already checked: see [`attributes`].
        attributes: Span,
        empty: bool,
    },
    /// An end tag; it matched its start tag.
    End,
    /// Text inside the root element, when the caller wants it (see
    /// [`Tokenizer::want_text`]), references still in it (and checked).
    Text {
        span: Span,
        references: bool,
    },
    /// The content of a CDATA section, taken as it is.
    CData(Span),
    /// A `<!DOCTYPE`; the tokenizer does not read past it.
    DocType,
    Eof,
}

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum ErrorKind {
    /// Not well-formed; the message says what was expected.
    Malformed(String),
    TokenTooLong,
    FileTooLarge,
    Read(io::Error),
}

/// An error and the offset in the file it was found at.
#[derive(Debug)]
pub(crate) struct Error {
    pub kind: ErrorKind,
    pub byte: u64,
}

/// What one scan led to, inside [`Tokenizer::next_token`].
enum Step {
    Token(Token),
    /// A comment, a processing instruction or text not wanted: on to the next
    /// token.
    Skip,
    More,
    Bad(usize, String),
}

/// Where the tokens are, relative to the root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Before,
    Open,
    Closed,
}

/// An open element's qualified name: in place when it is short, as nearly all are,
/// so that an end tag is checked with one masked comparison and no call.
#[derive(Debug, Clone, Copy)]
struct OpenName {
    /// The name's bytes, little-endian, zero past its length; 0 for a long name.
    head: u128,
    /// The bytes of `head` that are the name's.
    mask: u128,
    len: usize,
    /// Where a long name starts in `Tokenizer::long_names`.
    long_start: usize,
}

impl OpenName {
    const HEAD: usize = 16;

    /// The low `len` bytes of a word.
    #[inline]
    fn mask(len: usize) -> u128 {
        if len >= Self::HEAD {
            u128::MAX
        } else {
            (1u128 << (8 * len)) - 1
        }
    }

    /// The head of `name` (at most `HEAD` bytes) read from `bytes[start..]`, one
    /// load when the slice reaches far enough.
    #[inline]
    fn head(bytes: &[u8], start: usize, mask: u128) -> u128 {
        let head = match bytes
            .get(start..start + Self::HEAD)
            .and_then(|chunk| <[u8; Self::HEAD]>::try_from(chunk).ok())
        {
            Some(chunk) => chunk,
            None => {
                let mut head = [0u8; Self::HEAD];
                for (to, from) in head.iter_mut().zip(&bytes[start..]) {
                    *to = *from;
                }
                head
            }
        };
        u128::from_le_bytes(head) & mask
    }
}

pub(crate) struct Tokenizer<R> {
    input: R,
    /// Bytes read and not yet discarded; `window[0]` is at offset `base`.
    window: Vec<u8>,
    base: u64,
    /// The next byte to read in `window`.
    at: usize,
    /// Where the last token started.
    token: usize,
    input_done: bool,
    read: u64,
    token_bytes_max: usize,
    file_bytes_max: u64,
    /// The open elements, innermost last.
    opened: Vec<OpenName>,
    /// The names of open elements longer than [`OpenName::HEAD`], one after another.
    long_names: Vec<u8>,
    root: Root,
    /// The line (1-based) of `window[at]`, and of the last token's start.
    line: u64,
    token_line: u64,
    /// Whether the caller wants the text of the element just opened.
    text_wanted: bool,
    /// Set once a token was refused: every later call returns `Eof`.
    stopped: bool,
}

impl<R: BufRead> Tokenizer<R> {
    pub fn new(input: R, token_bytes_max: usize, file_bytes_max: u64) -> Self {
        Tokenizer {
            input,
            window: Vec::with_capacity(CHUNK),
            base: 0,
            at: 0,
            token: 0,
            input_done: false,
            read: 0,
            token_bytes_max,
            file_bytes_max,
            opened: Vec::with_capacity(32),
            long_names: Vec::new(),
            root: Root::Before,
            line: 1,
            token_line: 1,
            text_wanted: false,
            stopped: false,
        }
    }

    /// The bytes of a span of the last token.
    #[inline]
    pub fn bytes(&self, span: Span) -> &[u8] {
        self.window.get(span.start..span.end).unwrap_or_default()
    }

    /// The offset in the file where the last token starts.
    #[inline]
    pub fn token_start(&self) -> u64 {
        self.base + self.token as u64
    }

    /// The line (1-based) where the last token starts.
    #[inline]
    pub fn token_line(&self) -> u64 {
        self.token_line
    }

    /// The offset just past the bytes tokenized so far.
    pub fn consumed(&self) -> u64 {
        self.base + self.at as u64
    }

    /// The line (1-based) of `byte`, an offset from the last token start to the
    /// bytes read: only the bytes from the token start are counted.
    pub fn line_at(&self, byte: u64) -> u64 {
        let start = self.token_start();
        if byte <= start {
            return self.token_line;
        }
        let end = usize::try_from(byte - self.base)
            .map_or(self.window.len(), |end| end.min(self.window.len()));
        self.token_line + self.window.get(self.token..end).map_or(0, scan::newlines)
    }

    /// The next token.
    #[inline]
    pub fn next_token(&mut self) -> Result<Token, Error> {
        loop {
            if self.stopped {
                return Ok(Token::Eof);
            }
            self.token = self.at;
            self.token_line = self.line;
            let rest = &self.window[self.at..];
            let Some(&first) = rest.first() else {
                if self.input_done || !self.refill()? {
                    return Ok(Token::Eof);
                }
                continue;
            };
            // The usual tokens return from their arm; the rest end in a `Step`.
            let step = if first != b'<' {
                match scan::text(rest, self.input_done) {
                    Scan::Token(text, length) if self.text_wanted && self.root == Root::Open => {
                        let span = Span {
                            start: self.at,
                            end: self.at + length,
                        };
                        self.at += length;
                        self.line += text.newlines;
                        return self.whole(Token::Text {
                            span,
                            references: text.references,
                        });
                    }
                    Scan::Token(text, length) => self.unwanted_text(text.newlines, length),
                    Scan::More => Step::More,
                    Scan::Bad(offset, message) => Step::Bad(offset, message),
                }
            } else {
                match rest.get(1) {
                    Some(b'/') => match self.end_tag_as_opened(rest) {
                        Some(length) => {
                            self.at += length;
                            self.close();
                            return self.whole(Token::End);
                        }
                        None => self.end_tag(),
                    },
                    Some(b'!' | b'?') => match scan::markup(rest) {
                        Scan::Token(markup, length) => self.markup(markup, length),
                        Scan::More => Step::More,
                        Scan::Bad(offset, message) => Step::Bad(offset, message),
                    },
                    _ => match scan::start_tag(rest) {
                        Scan::Token(start, length) => match self.start(start, length) {
                            Step::Token(token) => return self.whole(token),
                            other => other,
                        },
                        Scan::More => Step::More,
                        Scan::Bad(offset, message) => Step::Bad(offset, message),
                    },
                }
            };
            match step {
                Step::Token(token) => return self.whole(token),
                Step::Skip if self.at - self.token > self.token_bytes_max => {
                    return Err(self.stop(ErrorKind::TokenTooLong));
                }
                Step::Skip => {}
                Step::Bad(offset, message) => return Err(self.malformed(offset, message)),
                // Scanned again with more bytes, or knowing there are no more.
                Step::More if !self.input_done => {
                    self.refill()?;
                }
                Step::More => {
                    let message = scan::truncated(&self.window[self.at..]);
                    return Err(self.malformed(0, format!("{message}; it looks truncated")));
                }
            }
        }
    }

    /// Whether the caller wants the text inside the element just opened; text it
    /// does not want is checked and skipped. Off at the start and after every end
    /// tag.
    #[inline]
    pub fn want_text(&mut self, wanted: bool) {
        self.text_wanted = wanted;
    }

    /// `token`, unless it is longer than the token limit: a token that came whole
    /// in the window still counts, so that a file reads the same however it is
    /// buffered.
    #[inline]
    fn whole(&mut self, token: Token) -> Result<Token, Error> {
        if self.at - self.token > self.token_bytes_max {
            return Err(self.stop(ErrorKind::TokenTooLong));
        }
        Ok(token)
    }

    // ---- tokens ----

    /// The length of the end tag at the start of `rest` when it is exactly
    /// `</name>` for the innermost open short name: the usual case, in one
    /// comparison.
    #[inline]
    fn end_tag_as_opened(&self, rest: &[u8]) -> Option<usize> {
        let open = self.opened.last()?;
        let chunk = rest.get(2..2 + OpenName::HEAD)?;
        let word = u128::from_le_bytes(chunk.try_into().ok()?);
        let close = 2 + open.len;
        (open.len <= OpenName::HEAD
            && word & open.mask == open.head
            && rest.get(close) == Some(&b'>'))
        .then_some(close + 1)
    }

    /// Any other end tag: a long name, white space before the `>`, the end of the
    /// window, or not the open name at all.
    #[cold]
    fn end_tag(&mut self) -> Step {
        let open_name = self.opened.last().map(|open| {
            if open.len > OpenName::HEAD {
                self.long_names[open.long_start..open.long_start + open.len].to_vec()
            } else {
                open.head.to_le_bytes()[..open.len].to_vec()
            }
        });
        match scan::end_tag(&self.window[self.at..], open_name.as_deref()) {
            Scan::Token((), length) => {
                self.count_lines(length);
                self.at += length;
                self.close();
                Step::Token(Token::End)
            }
            Scan::More => Step::More,
            Scan::Bad(offset, message) => Step::Bad(offset, message),
        }
    }

    /// Adds the newlines of the next `length` bytes to the line count.
    fn count_lines(&mut self, length: usize) {
        self.line += scan::newlines(&self.window[self.at..self.at + length]);
    }

    /// Text the caller does not want, or outside the root element (where it must
    /// be white space): checked, counted and skipped.
    fn unwanted_text(&mut self, newlines: u64, length: usize) -> Step {
        let span = Span {
            start: self.at,
            end: self.at + length,
        };
        if self.root != Root::Open {
            if let Some(bad) = self.outside_root_text(span) {
                return bad;
            }
        }
        self.at += length;
        self.line += newlines;
        Step::Skip
    }

    /// Text before or after the root element must be white space, but for a UTF-8
    /// byte order mark at the very start of the file.
    #[cold]
    fn outside_root_text(&self, span: Span) -> Option<Step> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let mut bytes = &self.window[span.start..span.end];
        let mut skipped = 0;
        if self.base + span.start as u64 == 0 && bytes.starts_with(BOM) {
            bytes = &bytes[BOM.len()..];
            skipped = BOM.len();
        }
        let bad = bytes.iter().position(|&byte| !scan::is_space(byte))?;
        if self.base + span.start as u64 == 0
            && (bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF"))
        {
            return Some(Step::Bad(
                0,
                "the file starts with a UTF-16 byte order mark; it must be UTF-8".into(),
            ));
        }
        let place = match self.root {
            Root::Before => "come before",
            _ => "follow",
        };
        Some(Step::Bad(
            skipped + bad,
            format!("only white space, comments and processing instructions may {place} the root element; found text `{}`", scan::shown_text(&bytes[bad..])),
        ))
    }

    #[inline]
    fn start(&mut self, start: scan::StartScan, length: usize) -> Step {
        let name = Span {
            start: self.at + 1,
            end: self.at + start.name_end,
        };
        match self.root {
            Root::Open => {}
            Root::Before => self.root = Root::Open,
            Root::Closed => {
                return Step::Bad(
                    0,
                    format!(
                        "a second root element `<{}>`: an XML document has exactly one",
                        scan::shown_text(&self.window[name.start..name.end])
                    ),
                )
            }
        }
        let attributes = Span {
            start: name.end,
            end: self.at + start.attributes_end,
        };
        if start.empty {
            if self.opened.is_empty() {
                self.root = Root::Closed;
            }
        } else {
            let len = name.end - name.start;
            let open = if len <= OpenName::HEAD {
                let mask = OpenName::mask(len);
                OpenName {
                    head: OpenName::head(&self.window, name.start, mask),
                    mask,
                    len,
                    long_start: 0,
                }
            } else {
                let long_start = self.long_names.len();
                self.long_names
                    .extend_from_slice(&self.window[name.start..name.end]);
                OpenName {
                    head: 0,
                    mask: 0,
                    len,
                    long_start,
                }
            };
            self.opened.push(open);
        }
        // A tag without attributes has no room for a newline.
        if attributes.start != attributes.end {
            self.count_lines(length);
        }
        self.at += length;
        Step::Token(Token::Start {
            name,
            attributes,
            empty: start.empty,
        })
    }

    #[inline]
    fn close(&mut self) {
        self.text_wanted = false;
        if let Some(open) = self.opened.pop() {
            if open.len > OpenName::HEAD {
                self.long_names.truncate(open.long_start);
            }
        }
        if self.opened.is_empty() {
            self.root = Root::Closed;
        }
    }

    /// The token for a comment, CDATA section, DOCTYPE or processing instruction;
    /// comments and processing instructions are skipped.
    fn markup(&mut self, markup: Markup, length: usize) -> Step {
        let step = match markup {
            Markup::Comment | Markup::Instruction => Step::Skip,
            Markup::DocType => {
                self.stopped = true;
                Step::Token(Token::DocType)
            }
            Markup::CData(start, end) => {
                if self.root != Root::Open {
                    return Step::Bad(
                        0,
                        "a CDATA section may only appear inside the root element".into(),
                    );
                }
                Step::Token(Token::CData(Span {
                    start: self.at + start,
                    end: self.at + end,
                }))
            }
        };
        self.count_lines(length);
        self.at += length;
        step
    }

    // ---- reading ----

    fn malformed(&mut self, offset: usize, message: String) -> Error {
        self.stopped = true;
        Error {
            kind: ErrorKind::Malformed(message),
            byte: self.base + (self.at + offset) as u64,
        }
    }

    fn stop(&mut self, kind: ErrorKind) -> Error {
        self.stopped = true;
        Error {
            kind,
            byte: self.token_start(),
        }
    }

    /// Reads more input behind the current token, first dropping what is before it.
    /// Returns whether any bytes came.
    #[cold]
    fn refill(&mut self) -> Result<bool, Error> {
        if self.window.len() - self.at > self.token_bytes_max {
            return Err(self.stop(ErrorKind::TokenTooLong));
        }
        if self.at > 0 {
            self.window.drain(..self.at);
            self.base += self.at as u64;
            self.at = 0;
            self.token = 0;
        }
        if self.window.len() == self.window.capacity() {
            self.window.reserve(self.window.len());
        }
        let room = self.window.capacity() - self.window.len();
        let available = match self.input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return self.refill(),
            Err(error) => return Err(self.stop(ErrorKind::Read(error))),
        };
        if available.is_empty() {
            self.input_done = true;
            return Ok(false);
        }
        let count = available.len().min(room).min(CHUNK.max(room));
        self.window.extend_from_slice(&available[..count]);
        self.input.consume(count);
        self.read += count as u64;
        if self.read > self.file_bytes_max {
            return Err(self.stop(ErrorKind::FileTooLarge));
        }
        Ok(true)
    }
}

/// The `name="value"` pairs of a start tag's raw attribute list, values raw (with
/// their references). The list is assumed checked by the tokenizer; on anything
/// else the iteration just stops early.
pub(crate) fn attributes(list: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = list;
    std::iter::from_fn(move || {
        let start = rest.iter().position(|&byte| !scan::is_space(byte))?;
        let equals = start + memchr::memchr(b'=', &rest[start..])?;
        let name = trim_end(&rest[start..equals]);
        let open = equals
            + 1
            + rest[equals + 1..]
                .iter()
                .position(|&b| b == b'"' || b == b'\'')?;
        let quote = rest[open];
        let close = open + 1 + memchr::memchr(quote, &rest[open + 1..])?;
        let value = &rest[open + 1..close];
        rest = &rest[close + 1..];
        Some((name, value))
    })
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&byte| !scan::is_space(byte))
        .map_or(0, |last| last + 1);
    &bytes[..end]
}

/// The local part of a qualified name: what follows the first `:`, or all of it.
pub(crate) fn local_name(name: &[u8]) -> &[u8] {
    match memchr::memchr(b':', name) {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}
