//! Identifiers with check digits, computed to their specifications: ABA routing
//! numbers, IBANs (ISO 13616, mod 97) and RF creditor references (ISO 11649, mod 97).

use crate::rng::Rand;

/// The ABA check digit of the first eight digits of a routing number (weights 3 7 1).
pub fn aba_check_digit(first8: &str) -> u32 {
    let weights = [3, 7, 1, 3, 7, 1, 3, 7];
    let sum: u32 = first8
        .bytes()
        .zip(weights)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    (10 - sum % 10) % 10
}

/// A valid nine-digit routing number in a Federal Reserve district (01-12).
pub fn routing_number(rng: &mut Rand) -> String {
    let district = rng.range(1, 12);
    let first8 = format!("{district:02}{}", rng.digits(6));
    let check = aba_check_digit(&first8);
    format!("{first8}{check}")
}

/// The remainder modulo 97 of an alphanumeric string read as digits, letters as 10-35.
pub fn mod97(text: &str) -> u32 {
    let mut remainder: u32 = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'0'..=b'9' => u32::from(byte - b'0'),
            b'A'..=b'Z' => u32::from(byte - b'A') + 10,
            b'a'..=b'z' => u32::from(byte - b'a') + 10,
            _ => continue,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder
}

/// An IBAN for `country` with this BBAN, check digits computed.
pub fn iban(country: &str, bban: &str) -> String {
    let check = 98 - mod97(&format!("{bban}{country}00"));
    format!("{country}{check:02}{bban}")
}

/// A random valid IBAN from Germany, the Netherlands or Austria.
pub fn random_iban(rng: &mut Rand) -> String {
    match rng.below(3) {
        0 => iban("DE", &format!("{}{}", rng.digits(8), rng.digits(10))),
        1 => {
            let bank = *rng.pick(&["ABNA", "INGB", "RABO", "TRIO", "SNSB"]);
            iban("NL", &format!("{bank}{}", rng.digits(10)))
        }
        _ => iban("AT", &format!("{}{}", rng.digits(5), rng.digits(11))),
    }
}

/// Whether an IBAN's check digits are right.
pub fn iban_is_valid(iban: &str) -> bool {
    iban.len() > 4 && mod97(&format!("{}{}", &iban[4..], &iban[..4])) == 1
}

/// The ISO 11649 creditor reference `RFcc<body>` for an alphanumeric body (at most 21).
pub fn rf_reference(body: &str) -> String {
    let check = 98 - mod97(&format!("{body}RF00"));
    format!("RF{check:02}{body}")
}

/// Whether an RF reference's check digits are right.
pub fn rf_is_valid(reference: &str) -> bool {
    reference.len() > 4
        && reference.starts_with("RF")
        && mod97(&format!("{}{}", &reference[4..], &reference[..4])) == 1
}

/// A US account number as the CSV export and the customer master write it:
/// `routing-account`.
pub fn us_account(rng: &mut Rand) -> String {
    let length = 8 + rng.below(5);
    format!("{}-{}", routing_number(rng), rng.digits(length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_published_examples() {
        // ISO 11649 example and a well-known valid IBAN.
        assert_eq!(rf_reference("539007547034"), "RF18539007547034");
        assert!(iban_is_valid("DE89370400440532013000"));
        assert_eq!(iban("DE", "370400440532013000"), "DE89370400440532013000");
        assert_eq!(aba_check_digit("02100002"), 1);
        let mut rng = Rand::new(7);
        for _ in 0..100 {
            assert!(iban_is_valid(&random_iban(&mut rng)));
            let routing = routing_number(&mut rng);
            assert_eq!(
                aba_check_digit(&routing[..8]),
                u32::from(routing.as_bytes()[8] - b'0')
            );
        }
        assert!(rf_is_valid(&rf_reference("INV000123")));
    }
}
