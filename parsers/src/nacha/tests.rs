//! Unit tests of the NACHA reader on small hand-written files.

use crate::model::{Direction, EntryStatus};
use crate::{Collect, Format, Options};

pub(crate) fn parse(text: &str) -> (Collect, crate::Report) {
    let mut sink = Collect::default();
    let report = crate::parse(
        Format::Nacha,
        text.as_bytes(),
        &Options::default(),
        &mut sink,
    );
    (sink, report)
}

#[test]
fn empty_input_is_an_error() {
    let (_, report) = parse("");
    assert!(!report.is_valid());
}

#[test]
fn direction_follows_the_transaction_code() {
    use super::entry::{classify, CodeKind};
    assert_eq!(
        classify(22, false),
        Some((Direction::Credit, CodeKind::Live))
    );
    assert_eq!(
        classify(37, false),
        Some((Direction::Debit, CodeKind::Live))
    );
    assert_eq!(
        classify(23, false),
        Some((Direction::Credit, CodeKind::Prenote))
    );
    assert_eq!(
        classify(26, false),
        Some((Direction::Debit, CodeKind::ReturnOrNoc))
    );
    assert_eq!(classify(81, false), None);
    assert_eq!(
        classify(81, true),
        Some((Direction::Credit, CodeKind::Advice))
    );
    let _ = EntryStatus::Info;
}
