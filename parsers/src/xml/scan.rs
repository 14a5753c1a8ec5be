//! Pure scanning of one token at the start of a byte slice.
//!
//! Every function looks only at the slice it is given and answers with a
//! [`Scan`]: a whole token and its length, a need for more bytes (the token runs
//! past the end of the slice), or what is wrong and where. The tokenizer calls
//! them again from the token start once it has more bytes, so none of them keeps
//! state between calls.

use memchr::memmem;

/// What one scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Scan<T> {
    /// The token, and the bytes it takes.
    Token(T, usize),
    /// The token does not end within the slice.
    More,
    /// Not well-formed: the offset in the slice of the offending byte, and why.
    Bad(usize, String),
}

/// A start tag, with offsets relative to the `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StartScan {
    pub name_end: usize,
    /// Where the attributes end: at the `/` of an empty tag, else at the `>`.
    pub attributes_end: usize,
    pub empty: bool,
}

/// What a token starting with `<!` or `<?` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    Comment,
    /// CDATA, with the offsets of its content relative to the `<`.
    CData(usize, usize),
    DocType,
    Instruction,
}

const NAME_START: u8 = 1;
const NAME: u8 = 2;
const SPACE: u8 = 4;

/// Byte classes. Names are ASCII letters, digits, `_ : - .` and any byte of a
/// multi-byte UTF-8 character; a name may not start with a digit, `-` or `.`.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80 {
            table[byte] = NAME_START | NAME;
        } else if b.is_ascii_digit() || b == b'-' || b == b'.' {
            table[byte] = NAME;
        } else if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            table[byte] = SPACE;
        }
        byte += 1;
    }
    table
};

#[inline]
fn is_name(byte: u8) -> bool {
    CLASS[usize::from(byte)] & NAME != 0
}

#[inline]
fn is_name_start(byte: u8) -> bool {
    CLASS[usize::from(byte)] & NAME_START != 0
}

#[inline]
pub(super) fn is_space(byte: u8) -> bool {
    CLASS[usize::from(byte)] & SPACE != 0
}

/// The end of the name starting at `from`, or `None` when the slice ends first.
#[inline]
fn name_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at < bytes.len() {
        if !is_name(bytes[at]) {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// The first white space byte after `from` that is not, or `None` at the end.
#[inline]
fn skip_space(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find(|&at| !is_space(bytes[at]))
}

/// A byte for a message: printable ASCII as itself, anything else as hex.
pub(super) fn shown(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("`{}`", char::from(byte))
    } else {
        format!("byte 0x{byte:02X}")
    }
}

/// Bytes for a message: cut short, lossily decoded, control characters escaped
/// (`\u{0}`) so that they show.
pub(super) fn shown_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(40)];
    let mut shown = String::with_capacity(cut.len() + 3);
    for character in String::from_utf8_lossy(cut).chars() {
        if character.is_control() {
            shown.extend(character.escape_default());
        } else {
            shown.push(character);
        }
    }
    if cut.len() < bytes.len() {
        shown.push('…');
    }
    shown
}

const LOW: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Words whose bytes equal `byte` get their high bit set (where no lower byte
/// matched; higher bytes may be set falsely, so only the lowest set bit counts).
#[inline]
fn matches(word: u64, byte: u8) -> u64 {
    let x = word ^ (LOW * u64::from(byte));
    x.wrapping_sub(LOW) & !x & HIGH
}

/// The high bit of exactly the bytes equal to `byte`.
#[inline]
fn matches_exactly(word: u64, byte: u8) -> u64 {
    let x = word ^ (LOW * u64::from(byte));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// How many bytes of `high` (bits set by [`matches_exactly`]) are set. A multiply
/// gathers the sum of the bytes in the top byte: `count_ones` would be a dozen
/// instructions on the baseline x86-64 target, which has no `popcnt`.
#[inline]
fn count_high(high: u64) -> u64 {
    ((high >> 7).wrapping_mul(LOW)) >> 56
}

/// Where the next `<` or `&` is, from `from` on, and the newlines before it:
/// eight bytes at a time, as text between tags is short (white space and one
/// value) but would cost a call per run through `memchr`, and it is where nearly
/// all the newlines of a file are.
#[inline]
pub(super) fn text_stop(bytes: &[u8], from: usize) -> (Option<usize>, u64) {
    let mut at = from;
    let mut newlines = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = matches(word, b'<') | matches(word, b'&');
        let lines = matches_exactly(word, b'\n');
        if found != 0 {
            let before = (found & found.wrapping_neg()) - 1;
            newlines += count_high(lines & before);
            return (Some(at + (found.trailing_zeros() / 8) as usize), newlines);
        }
        newlines += count_high(lines);
        at += 8;
    }
    for (offset, &byte) in bytes[at..].iter().enumerate() {
        match byte {
            b'<' | b'&' => return (Some(at + offset), newlines),
            b'\n' => newlines += 1,
            _ => {}
        }
    }
    (None, newlines)
}

/// The newlines in `bytes`.
pub(super) fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// A reference (`&amp;`, `&#38;`, `&#x26;`…) at the start of `bytes`: its length.
/// Only the five predefined entities and character references of characters XML
/// allows are accepted: there is no DTD to declare any other.
///
/// The answer never depends on how far `bytes` reaches past the reference, so that
/// a file reads the same however it is buffered.
pub(super) fn reference(bytes: &[u8]) -> Scan<()> {
    // Long enough for `&#x10FFFF;` and any entity name XML predefines.
    const LONGEST: usize = 12;
    let body_end = bytes
        .iter()
        .take(LONGEST)
        .skip(1)
        .position(|&byte| !(is_name(byte) || byte == b'#'))
        .map(|at| at + 1);
    let Some(end) = body_end.filter(|&end| bytes[end] == b';') else {
        if body_end.is_none() && bytes.len() < LONGEST {
            return Scan::More;
        }
        let shown_end = body_end.unwrap_or(LONGEST).min(bytes.len());
        return Scan::Bad(
            0,
            format!(
                "`&` must start a reference ending in `;` (write `&amp;` for a literal ampersand); found `{}`",
                shown_text(&bytes[..shown_end])
            ),
        );
    };
    let body = &bytes[1..end];
    let valid = match body {
        b"amp" | b"lt" | b"gt" | b"quot" | b"apos" => true,
        [b'#', b'x', hex @ ..] => character(hex, 16),
        [b'#', decimal @ ..] => character(decimal, 10),
        _ => false,
    };
    if valid {
        Scan::Token((), end + 1)
    } else {
        Scan::Bad(
            0,
            format!(
                "`&{}` is not a reference XML knows: only &amp; &lt; &gt; &quot; &apos; and character references such as &#233; are allowed",
                shown_text(body)
            ),
        )
    }
}

/// The character a character reference's digits name, when XML allows it.
pub(super) fn character_value(digits: &[u8], radix: u32) -> Option<char> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let mut value: u32 = 0;
    for &digit in digits {
        value = value * radix + char::from(digit).to_digit(radix)?;
    }
    let allowed =
        matches!(value, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    if allowed {
        char::from_u32(value)
    } else {
        None
    }
}

fn character(digits: &[u8], radix: u32) -> bool {
    character_value(digits, radix).is_some()
}

/// What [`text`] found besides the length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TextScan {
    pub newlines: u64,
    /// Whether the text holds references to replace.
    pub references: bool,
}

/// The length of an indentation at the start of `bytes` (a line end, spaces, then
/// the `<` that ends it), the text between the tags of nearly every
/// pretty-printed file; `None` for anything else, which the general scan reads.
#[inline]
fn indentation(bytes: &[u8]) -> Option<usize> {
    const SPACES: u64 = LOW * b' ' as u64;
    let mut at = match bytes {
        [b'\n', ..] => 1,
        [b'\r', b'\n', ..] => 2,
        _ => return None,
    };
    loop {
        let word = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
        let other = word ^ SPACES;
        if other != 0 {
            at += (other.trailing_zeros() / 8) as usize;
            return (bytes[at] == b'<').then_some(at);
        }
        at += 8;
    }
}

/// Text up to the next `<`, its references checked. At the end of the input
/// (`last`), the text runs to the end.
#[inline]
pub(super) fn text(bytes: &[u8], last: bool) -> Scan<TextScan> {
    if let Some(length) = indentation(bytes) {
        let found = TextScan {
            newlines: 1,
            references: false,
        };
        return Scan::Token(found, length);
    }
    let mut at = 0;
    let mut found = TextScan {
        newlines: 0,
        references: false,
    };
    loop {
        let (stop, newlines) = text_stop(bytes, at);
        found.newlines += newlines;
        match stop {
            Some(stop) if bytes[stop] == b'<' => return Scan::Token(found, stop),
            Some(stop) => match reference(&bytes[stop..]) {
                Scan::Token((), length) => {
                    at = stop + length;
                    found.references = true;
                }
                Scan::More if !last => return Scan::More,
                Scan::More => {
                    return Scan::Bad(
                        stop,
                        "the file ends inside a reference (`&…;`); it looks truncated".into(),
                    )
                }
                Scan::Bad(offset, message) => return Scan::Bad(stop + offset, message),
            },
            None if last => return Scan::Token(found, bytes.len()),
            None => return Scan::More,
        }
    }
}

/// An end tag, `</name>`, at the start of `bytes`, which must close `open` (the
/// qualified name of the innermost open element, `None` when none is open).
pub(super) fn end_tag(bytes: &[u8], open: Option<&[u8]>) -> Scan<()> {
    let Some(&first) = bytes.get(2) else {
        return Scan::More;
    };
    if !is_name_start(first) {
        return Scan::Bad(
            2,
            format!(
                "expected an element name after `</`, found {}",
                shown(first)
            ),
        );
    }
    let Some(end) = name_end(bytes, 3) else {
        return Scan::More;
    };
    let Some(close) = skip_space(bytes, end) else {
        return Scan::More;
    };
    if bytes[close] != b'>' {
        return Scan::Bad(
            close,
            format!(
                "expected `>` to end the end tag `</{}`, found {}",
                shown_text(&bytes[2..end]),
                shown(bytes[close])
            ),
        );
    }
    let name = &bytes[2..end];
    match open {
        Some(open) if open == name => Scan::Token((), close + 1),
        Some(open) => Scan::Bad(
            0,
            format!(
                "expected `</{}>`, but `</{}>` was found",
                shown_text(open),
                shown_text(name)
            ),
        ),
        None => Scan::Bad(
            0,
            format!("`</{}>` closes no open element", shown_text(name)),
        ),
    }
}

/// A start tag or empty-element tag at the start of `bytes`, attributes checked.
#[inline]
pub(super) fn start_tag(bytes: &[u8]) -> Scan<StartScan> {
    let Some(&first) = bytes.get(1) else {
        return Scan::More;
    };
    if !is_name_start(first) {
        return Scan::Bad(
            1,
            format!("expected an element name after `<`, found {}", shown(first)),
        );
    }
    let Some(name_end) = name_end(bytes, 2) else {
        return Scan::More;
    };
    // The usual case: no attributes.
    if bytes[name_end] == b'>' {
        return Scan::Token(
            StartScan {
                name_end,
                attributes_end: name_end,
                empty: false,
            },
            name_end + 1,
        );
    }
    let mut at = name_end;
    let mut attributes = 0usize;
    loop {
        let Some(&byte) = bytes.get(at) else {
            return Scan::More;
        };
        match byte {
            b'>' => {
                return finish_start(bytes, name_end, at, false, attributes, at + 1);
            }
            b'/' => {
                return match bytes.get(at + 1) {
                    None => Scan::More,
                    Some(b'>') => finish_start(bytes, name_end, at, true, attributes, at + 2),
                    Some(&other) => Scan::Bad(
                        at + 1,
                        format!("expected `>` after `/` in a tag, found {}", shown(other)),
                    ),
                };
            }
            _ if is_space(byte) => match skip_space(bytes, at) {
                Some(next) => {
                    at = next;
                    if is_name_start(bytes[at]) {
                        match attribute(bytes, at) {
                            Scan::Token((), length) => {
                                at += length;
                                attributes += 1;
                            }
                            Scan::More => return Scan::More,
                            Scan::Bad(offset, message) => return Scan::Bad(at + offset, message),
                        }
                    }
                }
                None => return Scan::More,
            },
            _ => {
                let message = if is_name_start(byte) {
                    "attributes must be separated by white space".to_owned()
                } else {
                    format!(
                        "expected an attribute, `>` or `/>` in the tag `<{}`, found {}",
                        shown_text(&bytes[1..name_end]),
                        shown(byte)
                    )
                };
                return Scan::Bad(at, message);
            }
        }
    }
}

fn finish_start(
    bytes: &[u8],
    name_end: usize,
    attributes_end: usize,
    empty: bool,
    attributes: usize,
    length: usize,
) -> Scan<StartScan> {
    if attributes >= 2 {
        let list = &bytes[name_end..attributes_end];
        for (index, (name, _)) in super::attributes(list).enumerate() {
            if super::attributes(list)
                .take(index)
                .any(|(earlier, _)| earlier == name)
            {
                return Scan::Bad(
                    0,
                    format!(
                        "the attribute `{}` appears twice in the tag `<{}>`",
                        shown_text(name),
                        shown_text(&bytes[1..name_end])
                    ),
                );
            }
        }
    }
    Scan::Token(
        StartScan {
            name_end,
            attributes_end,
            empty,
        },
        length,
    )
}

/// One `name = "value"` at the start of `bytes[from..]`: its length.
fn attribute(bytes: &[u8], from: usize) -> Scan<()> {
    let Some(end) = name_end(bytes, from + 1) else {
        return Scan::More;
    };
    let Some(equals) = skip_space(bytes, end) else {
        return Scan::More;
    };
    if bytes[equals] != b'=' {
        return Scan::Bad(
            equals - from,
            format!(
                "expected `=` after the attribute name `{}`, found {}",
                shown_text(&bytes[from..end]),
                shown(bytes[equals])
            ),
        );
    }
    let Some(open) = skip_space(bytes, equals + 1) else {
        return Scan::More;
    };
    let quote = bytes[open];
    if quote != b'"' && quote != b'\'' {
        return Scan::Bad(
            open - from,
            format!(
                "expected a quoted value for the attribute `{}`, found {}",
                shown_text(&bytes[from..end]),
                shown(quote)
            ),
        );
    }
    let Some(close) = memchr::memchr(quote, &bytes[open + 1..]).map(|at| open + 1 + at) else {
        return Scan::More;
    };
    let value = &bytes[open + 1..close];
    if let Some(less) = memchr::memchr(b'<', value) {
        return Scan::Bad(
            open + 1 + less - from,
            "`<` is not allowed in an attribute value (write `&lt;`)".into(),
        );
    }
    let mut at = 0;
    while let Some(ampersand) = memchr::memchr(b'&', &value[at..]).map(|found| at + found) {
        match reference(&value[ampersand..]) {
            Scan::Token((), length) => at = ampersand + length,
            // The closing quote is in the slice, so the reference ended before it.
            Scan::More => return Scan::Bad(
                open + 1 + ampersand - from,
                "`&` must start a reference ending in `;` (write `&amp;` for a literal ampersand)"
                    .into(),
            ),
            Scan::Bad(offset, message) => {
                return Scan::Bad(open + 1 + ampersand + offset - from, message)
            }
        }
    }
    Scan::Token((), close + 1 - from)
}

/// Whether `bytes` starts with `prefix`: `None` while it is too short to tell.
fn starts_with(bytes: &[u8], prefix: &[u8]) -> Option<bool> {
    if bytes.len() >= prefix.len() {
        Some(bytes.starts_with(prefix))
    } else if prefix.starts_with(bytes) {
        None
    } else {
        Some(false)
    }
}

/// A comment, CDATA section, DOCTYPE or processing instruction at the start of
/// `bytes` (which starts `<!` or `<?`).
pub(super) fn markup(bytes: &[u8]) -> Scan<Markup> {
    let closed = |open: usize, close: &[u8], kind: Markup| -> Scan<Markup> {
        match memmem::find(&bytes[open..], close) {
            Some(at) => Scan::Token(kind, open + at + close.len()),
            None => Scan::More,
        }
    };
    if bytes.get(1) == Some(&b'?') {
        return match bytes.get(2) {
            None => Scan::More,
            Some(&byte) if is_name_start(byte) => closed(2, b"?>", Markup::Instruction),
            Some(&byte) => Scan::Bad(
                2,
                format!(
                    "expected a processing instruction name after `<?`, found {}",
                    shown(byte)
                ),
            ),
        };
    }
    match starts_with(bytes, b"<!--") {
        None => return Scan::More,
        Some(true) => return closed(4, b"-->", Markup::Comment),
        Some(false) => {}
    }
    match starts_with(bytes, b"<![CDATA[") {
        None => return Scan::More,
        Some(true) => {
            return match memmem::find(&bytes[9..], b"]]>") {
                Some(at) => Scan::Token(Markup::CData(9, 9 + at), 9 + at + 3),
                None => Scan::More,
            }
        }
        Some(false) => {}
    }
    match starts_with(bytes, b"<!DOCTYPE") {
        None => Scan::More,
        Some(true) => Scan::Token(Markup::DocType, 9),
        // Only the bytes needed to tell go into the message, so that it does not
        // depend on how much is buffered.
        Some(false) => Scan::Bad(
            0,
            "`<!` starts neither a comment (`<!--`), a CDATA section (`<![CDATA[`) nor a DOCTYPE"
                .into(),
        ),
    }
}

/// What a token cut short by the end of the file was, for the error.
pub(super) fn truncated(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"<!--") {
        "the file ends inside a comment"
    } else if bytes.starts_with(b"<![CDATA[") {
        "the file ends inside a CDATA section"
    } else if bytes.starts_with(b"<?") {
        "the file ends inside a processing instruction"
    } else if bytes.starts_with(b"</") {
        "the file ends inside an end tag"
    } else if bytes.starts_with(b"<!") {
        "the file ends inside a `<!` declaration"
    } else {
        "the file ends inside a tag"
    }
}
