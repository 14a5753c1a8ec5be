use std::io::BufReader;

use proptest::prelude::*;

use super::*;
use crate::testing::{damage, xorshift};

/// A token with its bytes copied out, where it starts and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owned {
    Start {
        name: Vec<u8>,
        attributes: Vec<u8>,
        empty: bool,
    },
    End,
    Text(Vec<u8>),
    CData(Vec<u8>),
    DocType,
}

#[derive(Debug, PartialEq, Eq)]
struct Read {
    /// Each token with its start offset and line.
    tokens: Vec<(Owned, u64, u64)>,
    /// How it ended: `None` at the end of the input, else the error's kind, offset
    /// and line.
    error: Option<(String, u64, u64)>,
}

fn read_with(input: &[u8], capacity: usize, token_max: usize, file_max: u64) -> Read {
    let mut xml = Tokenizer::new(
        BufReader::with_capacity(capacity, input),
        token_max,
        file_max,
    );
    let mut tokens = Vec::new();
    loop {
        let token = match xml.next_token() {
            Ok(token) => token,
            Err(error) => {
                let kind = match error.kind {
                    ErrorKind::Malformed(message) => message,
                    other => format!("{other:?}"),
                };
                let line = xml.line_at(error.byte);
                return Read {
                    tokens,
                    error: Some((kind, error.byte, line)),
                };
            }
        };
        let owned = match token {
            Token::Start {
                name,
                attributes,
                empty,
            } => Owned::Start {
                name: xml.bytes(name).to_vec(),
                attributes: xml.bytes(attributes).to_vec(),
                empty,
            },
            Token::End => Owned::End,
            Token::Text { span, references } => {
                let text = xml.bytes(span).to_vec();
                assert_eq!(references, text.contains(&b'&'), "{text:?}");
                Owned::Text(text)
            }
            Token::CData(text) => Owned::CData(xml.bytes(text).to_vec()),
            Token::DocType => Owned::DocType,
            Token::Eof => {
                return Read {
                    tokens,
                    error: None,
                }
            }
        };
        tokens.push((owned, xml.token_start(), xml.token_line()));
        // All text, to compare with quick-xml's; the CAMT reader asks for less.
        xml.want_text(true);
    }
}

fn read(input: &[u8]) -> Read {
    read_with(input, 1 << 20, 1 << 20, u64::MAX)
}

fn error_of(input: &str) -> (String, u64) {
    let read = read(input.as_bytes());
    let (message, byte, _) = read
        .error
        .unwrap_or_else(|| panic!("{input:?} was accepted: {:?}", read.tokens));
    (message, byte)
}

fn assert_rejected(input: &str, at: u64, words: &str) {
    let (message, byte) = error_of(input);
    assert!(
        message.contains(words),
        "{input:?}: message {message:?} lacks {words:?}"
    );
    assert_eq!(byte, at, "{input:?}: {message}");
}

/// The tokens without positions, as quick-xml would give them.
fn kinds(read: &Read) -> Vec<Owned> {
    read.tokens
        .iter()
        .map(|(token, ..)| token.clone())
        .collect()
}

/// quick-xml's events for `input` in the same form: comments, declarations,
/// processing instructions and text outside the root element left out. `Err`
/// when quick-xml finds the input not well-formed.
fn reference_tokens(input: &[u8]) -> Result<Vec<Owned>, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buffer = Vec::new();
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    loop {
        buffer.clear();
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| e.to_string())?;
        let token = match event {
            Event::Start(start) => {
                depth += 1;
                Owned::Start {
                    name: start.name().as_ref().to_vec(),
                    attributes: start.attributes_raw().to_vec(),
                    empty: false,
                }
            }
            Event::Empty(start) => Owned::Start {
                name: start.name().as_ref().to_vec(),
                attributes: start.attributes_raw().to_vec(),
                empty: true,
            },
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                Owned::End
            }
            Event::Text(text) if depth > 0 => Owned::Text(text.to_vec()),
            Event::CData(text) => Owned::CData(text.to_vec()),
            Event::DocType(_) => {
                tokens.push(Owned::DocType);
                return Ok(tokens);
            }
            Event::Eof => return Ok(tokens),
            _ => continue,
        };
        tokens.push(token);
    }
}

fn lines_before(input: &[u8], byte: u64) -> u64 {
    let end = usize::try_from(byte).unwrap().min(input.len());
    1 + input[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

/// What must hold for any input: the same tokens and errors whatever the buffer
/// size, exact lines, nothing quick-xml rejects accepted, and quick-xml's own
/// tokens for what is accepted.
fn check(input: &[u8]) -> Result<(), TestCaseError> {
    let whole = read(input);
    for capacity in [1, 7, 64] {
        let small = read_with(input, capacity, 1 << 20, u64::MAX);
        prop_assert_eq!(&small, &whole, "capacity {}", capacity);
    }
    for (token, byte, line) in &whole.tokens {
        prop_assert_eq!(*line, lines_before(input, *byte), "line of {:?}", token);
    }
    if let Some((_, byte, line)) = &whole.error {
        prop_assert_eq!(*line, lines_before(input, *byte), "line of the error");
        prop_assert!(*byte <= input.len() as u64);
    }
    let reference = reference_tokens(input);
    match (&whole.error, reference) {
        (None, Ok(expected)) => prop_assert_eq!(kinds(&whole), expected),
        (None, Err(error)) => {
            prop_assert!(false, "accepted what quick-xml rejects: {}", error);
        }
        // Stricter than quick-xml: text outside the root, references, names,
        // attribute syntax. Up to the error both agree.
        (Some(_), Ok(expected)) => {
            let ours = kinds(&whole);
            prop_assert!(
                expected.starts_with(&ours),
                "before the error: {:?} against {:?}",
                ours,
                expected
            );
        }
        (Some(_), Err(_)) => {}
    }
    Ok(())
}

// ---- cases ----

#[test]
fn reads_a_document() {
    let input = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- c -->\n<Doc xmlns=\"urn:x\">\n  <Amt Ccy='EUR'>1&amp;2</Amt>\n  <E/><![CDATA[<raw>&]]></Doc>\n";
    let read = read(input.as_bytes());
    assert_eq!(read.error, None);
    let tokens: Vec<_> = read
        .tokens
        .iter()
        .map(|(token, byte, line)| (token.clone(), *byte, *line))
        .collect();
    let start = |name: &str, attributes: &str, empty| Owned::Start {
        name: name.into(),
        attributes: attributes.into(),
        empty,
    };
    let text = |text: &str| Owned::Text(text.into());
    assert_eq!(
        tokens,
        vec![
            (start("Doc", " xmlns=\"urn:x\"", false), 36, 3),
            (text("\n  "), 55, 3),
            (start("Amt", " Ccy='EUR'", false), 58, 4),
            (text("1&amp;2"), 73, 4),
            (Owned::End, 80, 4),
            (text("\n  "), 86, 4),
            (start("E", "", true), 89, 5),
            (Owned::CData(b"<raw>&".to_vec()), 93, 5),
            (Owned::End, 111, 5),
        ]
    );
}

#[test]
fn refuses_what_is_not_well_formed() {
    // The input, the offset of the error, and words its message must hold.
    for (input, at, words) in [
        ("<a></b>", 3, "expected `</a>`, but `</b>` was found"),
        ("<a></a></a>", 7, "`</a>` closes no open element"),
        ("<a></a><b/>", 7, "a second root element `<b>`"),
        ("hello<a/>", 0, "may come before the root element"),
        ("<a/>\n x", 6, "may follow the root element"),
        ("<a/>\0\0x", 4, "found text `\\u{0}\\u{0}x`"),
        ("\n\u{FEFF}<a/>", 1, "may come before the root element"),
        ("<a>AT&T</a>", 5, "`&` must start a reference"),
        ("<a>&nbsp;</a>", 3, "`&nbsp` is not a reference XML knows"),
        ("<a>&#0;</a>", 3, "is not a reference XML knows"),
        ("<a>&#xD800;</a>", 3, "is not a reference XML knows"),
        ("<a>&#x110000;</a>", 3, "is not a reference XML knows"),
        ("<a>&;</a>", 3, "is not a reference XML knows"),
        ("<a x='<'/>", 6, "`<` is not allowed in an attribute value"),
        ("<a x='&bad;'/>", 6, "`&bad` is not a reference"),
        ("<a x='1' x='2'/>", 0, "the attribute `x` appears twice"),
        (
            "<a x=1/>",
            5,
            "expected a quoted value for the attribute `x`",
        ),
        ("<a x/>", 4, "expected `=` after the attribute name `x`"),
        (
            "<a x='1'y='2'/>",
            8,
            "attributes must be separated by white space",
        ),
        ("<a =''/>", 3, "expected an attribute, `>` or `/>`"),
        ("<1a/>", 1, "expected an element name after `<`"),
        ("<a></ a>", 5, "expected an element name after `</`"),
        ("<a></a x>", 7, "expected `>` to end the end tag `</a`"),
        ("<a/ >", 3, "expected `>` after `/`"),
        ("<a><!ENTITY x 'y'></a>", 3, "`<!` starts neither"),
        (
            "<![CDATA[x]]><a/>",
            0,
            "CDATA section may only appear inside",
        ),
        ("<? x?><a/>", 2, "expected a processing instruction name"),
    ] {
        assert_rejected(input, at, words);
    }
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("<a/>".bytes().flat_map(|byte| [byte, 0]))
        .collect();
    let (message, _, _) = read(&utf16).error.expect("UTF-16 is refused");
    assert!(message.contains("UTF-16"), "{message}");
}

#[test]
fn says_what_a_truncated_file_ends_in() {
    for (input, words) in [
        ("<a><b", "the file ends inside a tag"),
        ("<a x='1", "the file ends inside a tag"),
        ("<a></a", "the file ends inside an end tag"),
        ("<a><!-- x", "the file ends inside a comment"),
        ("<a><![CDATA[x", "the file ends inside a CDATA section"),
        ("<a><?pi x", "the file ends inside a processing instruction"),
        ("<a>&am", "the file ends inside a reference"),
        ("<a><!DOC", "the file ends inside a `<!` declaration"),
    ] {
        let (message, _) = error_of(input);
        assert!(message.contains(words), "{input:?}: {message}");
        assert!(message.contains("truncated"), "{input:?}: {message}");
    }
    // Open elements at the end are for the caller to report, with their names.
    assert_eq!(read(b"<a><b>text").error, None);
}

#[test]
fn hands_a_doctype_back_and_reads_no_further() {
    let read = read(b"<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>");
    assert_eq!(read.error, None);
    assert_eq!(read.tokens, vec![(Owned::DocType, 22, 2)]);
}

#[test]
fn skips_text_not_wanted_but_still_checks_it() {
    let tokens = |input: &[u8], wanted: bool| {
        let mut xml = Tokenizer::new(input, 1 << 20, u64::MAX);
        let mut tokens = Vec::new();
        loop {
            match xml.next_token() {
                Ok(Token::Eof) => return Ok(tokens),
                Ok(token) => {
                    tokens.push((token, xml.token_line()));
                    xml.want_text(wanted);
                }
                Err(error) => return Err(error.byte),
            }
        }
    };
    let input = b"<a>\n <b>x</b>\n <c/>\n</a>";
    let wanted = tokens(input, true).unwrap();
    let skipped = tokens(input, false).unwrap();
    assert_eq!(wanted.len(), 9);
    let without_text: Vec<_> = wanted
        .into_iter()
        .filter(|(token, _)| !matches!(token, Token::Text { .. }))
        .collect();
    assert_eq!(skipped, without_text);
    assert_eq!(skipped.last().map(|(_, line)| *line), Some(4));
    // Even text nobody reads must be well-formed.
    assert_eq!(tokens(b"<a> &bad; </a>", false), Err(4));
}

#[test]
fn stops_at_the_limits() {
    let long_text = format!("<a>{}</a>", "x".repeat(5000));
    for capacity in [7, 4096, 1 << 20] {
        let read = read_with(long_text.as_bytes(), capacity, 1000, u64::MAX);
        let (kind, byte, _) = read.error.expect("a token over the limit");
        assert_eq!(kind, "TokenTooLong");
        assert_eq!(byte, 3);
        let read = read_with(long_text.as_bytes(), capacity, 1 << 20, 100);
        assert_eq!(read.error.expect("a file over the limit").0, "FileTooLarge");
    }
    // A token of exactly the limit is fine.
    let read = read_with(long_text.as_bytes(), 7, 5000, u64::MAX);
    assert_eq!(read.error, None);
}

#[test]
fn window_stays_small_for_a_large_file() {
    let mut input = b"<a>".to_vec();
    for index in 0..100_000 {
        input.extend_from_slice(format!("<b n='{index}'>text</b>\n").as_bytes());
    }
    input.extend_from_slice(b"</a>");
    let mut xml = Tokenizer::new(&input[..], 1 << 20, u64::MAX);
    let mut largest = 0;
    loop {
        match xml.next_token() {
            Ok(Token::Eof) => break,
            Ok(_) => largest = largest.max(xml.window.capacity()),
            Err(error) => panic!("{error:?}"),
        }
    }
    assert!(input.len() > 2_000_000);
    assert!(largest <= 2 * CHUNK, "window grew to {largest}");
}

#[test]
fn unescapes_references() {
    let mut out = String::new();
    assert!(unescape_into(
        "a&amp;b&lt;&gt;&quot;&apos;&#233;&#xE9;&#x1F600;c",
        &mut out
    ));
    assert_eq!(
        out,
        "a&b<>\"'ééc\u{1F600}c".replacen("c\u{1F600}c", "\u{1F600}c", 1)
    );
    let mut out = String::new();
    assert!(!unescape_into("x&nbsp;y&", &mut out));
    assert_eq!(out, "x&nbsp;y&");
}

#[test]
fn lists_attributes_and_local_names() {
    let list = b" xmlns=\"urn:x\"\n  xmlns:ns = 'urn:y' Ccy=\"EUR\" ";
    let pairs: Vec<_> = attributes(list).collect();
    assert_eq!(
        pairs,
        vec![
            (&b"xmlns"[..], &b"urn:x"[..]),
            (&b"xmlns:ns"[..], &b"urn:y"[..]),
            (&b"Ccy"[..], &b"EUR"[..]),
        ]
    );
    assert_eq!(local_name(b"ns:Amt"), b"Amt");
    assert_eq!(local_name(b"Amt"), b"Amt");
}

#[test]
fn agrees_with_quick_xml_on_the_fixtures_and_the_corpus() {
    let mut files = Vec::new();
    for folder in [
        "../fixtures/camt/ok",
        "../fixtures/camt/err",
        "../../shared/corpus",
    ] {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if let Ok(inner) = std::fs::read_dir(&path) {
                    files.extend(inner.flatten().map(|entry| entry.path()));
                }
            } else {
                files.push(path);
            }
        }
    }
    let xml_files: Vec<_> = files
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    assert!(xml_files.len() >= 10, "found {xml_files:?}");
    for path in xml_files {
        let input = std::fs::read(&path).unwrap();
        if let Err(failure) = check(&input) {
            panic!("{}: {failure}", path.display());
        }
    }
}

// ---- generated documents ----

/// A random document of the shapes bank files have and the ones they should not,
/// then some bytes damaged.
fn document(seed: u64, edits: u32) -> Vec<u8> {
    let mut next = xorshift(seed | 1);
    let mut pick = move |count: usize| (next() % count as u64) as usize;
    let mut out = Vec::new();
    if pick(4) == 0 {
        out.extend_from_slice("\u{FEFF}".as_bytes());
    }
    if pick(2) == 0 {
        out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    if pick(4) == 0 {
        out.extend_from_slice(b"<!-- export -->\n");
    }
    element(&mut pick, &mut out, 0);
    if pick(3) == 0 {
        out.extend_from_slice(b"\n<!-- end -->\n");
    }
    damage(&mut out, edits, b"<>/&;\"'= \n!?-[]a#\xC3x", &mut pick);
    out
}

fn element(pick: &mut impl FnMut(usize) -> usize, out: &mut Vec<u8>, depth: usize) {
    // Names of up to 16 bytes are kept in place, longer ones aside: both kinds.
    const NAMES: [&str; 11] = [
        "Ntry",
        "Amt",
        "ns:Cd",
        "a",
        "B-1",
        "x.y",
        "Ñm",
        "TxDtls",
        "camt:AcctSvcrRef",
        "camt:ElctrncSeqNb",
        "ns2:BkToCstmrDbtCdtNtfctn",
    ];
    const ATTRIBUTES: [(&str, &str); 5] = [
        ("Ccy", "EUR"),
        ("xmlns", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"),
        ("xmlns:ns", "u"),
        ("k", "a&amp;b&#233;"),
        ("q", "x > y"),
    ];
    // Indentations of all lengths take a fast path of their own.
    const TEXTS: [&str; 12] = [
        " ",
        "\n  ",
        "\r\n        ",
        "\n                   ",
        "abc",
        "a&amp;b",
        "&#233;&#x26;",
        "x > y",
        "Ünïcode",
        "\r\n\t",
        "\n \t ",
        "1.00",
    ];
    let name = NAMES[pick(NAMES.len())];
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    let first = pick(ATTRIBUTES.len());
    for index in 0..pick(3) {
        let (key, value) = ATTRIBUTES[(first + index) % ATTRIBUTES.len()];
        let quote = if pick(2) == 0 { "\"" } else { "'" };
        let around = if pick(4) == 0 { "\n " } else { "" };
        let attribute = format!(" {key}{around}={around}{quote}{value}{quote}");
        out.extend_from_slice(attribute.as_bytes());
    }
    if pick(5) == 0 {
        out.extend_from_slice(b"/>");
        return;
    }
    out.push(b'>');
    let children = if depth >= 4 { 0 } else { pick(4) };
    for _ in 0..children + 1 {
        match pick(8) {
            0 => out.extend_from_slice(b"<!-- note - here -->"),
            1 => out.extend_from_slice(b"<![CDATA[<raw> & ]] ]]>"),
            2 => out.extend_from_slice(b"<?pi some data?>"),
            3 | 4 if children > 0 => element(pick, out, depth + 1),
            _ => out.extend_from_slice(TEXTS[pick(TEXTS.len())].as_bytes()),
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    if pick(6) == 0 {
        out.extend_from_slice(b" \n");
    }
    out.push(b'>');
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn agrees_with_quick_xml_on_generated_documents(seed in any::<u64>(), edits in 0u32..4) {
        check(&document(seed, edits))?;
    }

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = read_with(&bytes, 3, 16, 1000);
        let _ = read(&bytes);
    }
}
