//! What a BAI2 type code means for recond: a movement of money in one direction, or
//! status information that is not cash.

use std::collections::BTreeMap;

use crate::model::Direction;

/// How a type code in a transaction detail (16) is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// A credit or a debit: passed on as a transaction.
    Movement(Direction),
    /// A status code of the specification (001-099, 900-919): not cash.
    Status,
    /// A code the specification gives no direction (700-899, 000) and the options do
    /// not map either.
    Undefined,
    /// The options map the code to "not a transaction".
    Ignored,
}

/// Classifies a type code: the options' per-bank overrides first, then the ranges of
/// the specification (100-399 and 920-959 credits, 400-699 and 960-999 debits).
#[inline]
pub(super) fn classify(code: u16, overrides: &BTreeMap<u16, Option<Direction>>) -> Class {
    if !overrides.is_empty() {
        if let Some(mapped) = overrides.get(&code) {
            return match mapped {
                Some(direction) => Class::Movement(*direction),
                None => Class::Ignored,
            };
        }
    }
    // A table lookup rather than the ranges: a file mixes credits and debits, and the
    // branches of the ranges would be mispredicted.
    SPECIFICATION
        .get(usize::from(code))
        .copied()
        .unwrap_or(Class::Undefined)
}

/// The class of every three-digit type code by the ranges of the specification.
const SPECIFICATION: [Class; 1000] = {
    let mut table = [Class::Undefined; 1000];
    let mut code = 0;
    while code < 1000 {
        table[code] = by_range(code as u16);
        code += 1;
    }
    table
};

const fn by_range(code: u16) -> Class {
    match code {
        1..=99 | 900..=919 => Class::Status,
        100..=399 | 920..=959 => Class::Movement(Direction::Credit),
        400..=699 | 960..=999 => Class::Movement(Direction::Debit),
        _ => Class::Undefined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_the_specification() {
        let none = BTreeMap::new();
        assert_eq!(classify(10, &none), Class::Status);
        assert_eq!(classify(100, &none), Class::Movement(Direction::Credit));
        assert_eq!(classify(399, &none), Class::Movement(Direction::Credit));
        assert_eq!(classify(400, &none), Class::Movement(Direction::Debit));
        assert_eq!(classify(699, &none), Class::Movement(Direction::Debit));
        assert_eq!(classify(700, &none), Class::Undefined);
        assert_eq!(classify(919, &none), Class::Status);
        assert_eq!(classify(920, &none), Class::Movement(Direction::Credit));
        assert_eq!(classify(960, &none), Class::Movement(Direction::Debit));
        assert_eq!(classify(0, &none), Class::Undefined);
        assert_eq!(classify(999, &none), Class::Movement(Direction::Debit));
        assert_eq!(classify(1000, &none), Class::Undefined);
    }

    #[test]
    fn overrides_win() {
        let mut map = BTreeMap::new();
        map.insert(960, Some(Direction::Credit));
        map.insert(195, None);
        assert_eq!(classify(960, &map), Class::Movement(Direction::Credit));
        assert_eq!(classify(195, &map), Class::Ignored);
        assert_eq!(classify(142, &map), Class::Movement(Direction::Credit));
    }
}
