//! Company names as the ERP spells them, and the variants payers appear under on bank
//! files: upper case, transliterated, truncated (35 characters, NACHA's 16), legal
//! suffix dropped or abbreviated, punctuation changed.

use std::collections::{BTreeMap, HashSet};

use crate::rng::Rand;

const STEMS: &[&str] = &[
    "Northwind",
    "Blue Harbor",
    "Summit",
    "Ironwood",
    "Brightwater",
    "Alder",
    "Cobalt",
    "Granite Peak",
    "Silverline",
    "Redwood",
    "Oakridge",
    "Meridian",
    "Pinnacle",
    "Crescent",
    "Evergreen",
    "Falcon",
    "Harborview",
    "Keystone",
    "Lakeshore",
    "Maple Leaf",
    "Prairie",
    "Riverbend",
    "Sterling",
    "Tidewater",
    "Westgate",
    "Bluestone",
    "Copperfield",
    "Driftwood",
    "Eastbrook",
    "Foxglove",
    "Goldcrest",
    "Highland",
    "Juniper",
    "Kingfisher",
    "Lighthouse",
    "Millbrook",
    "Nightingale",
    "Orchard",
    "Pathfinder",
    "Quarry Hill",
    "Rosewood",
    "Sandpiper",
    "Thornbury",
    "Upland",
    "Valley Forge",
    "Willowbrook",
    "Yellowstone",
    "Zenith",
    "Anchor",
    "Beacon",
    "Cascade",
    "Delta",
    "Ember",
    "Frontier",
    "Glacier",
    "Horizon",
    "Inland",
    "Jasper",
    "Kestrel",
    "Larkspur",
    "Monarch",
    "Nova",
    "Osprey",
    "Pioneer",
    "Quantum",
    "Ridgeline",
    "Sequoia",
    "Trident",
    "Unity",
    "Vanguard",
    "Wolverine",
    "Apex",
    "Bramble",
    "Cedar Point",
    "Dunmore",
    "Elmstead",
    "Fairhaven",
    "Greystone",
    "Hawthorne",
    "Ivy Lane",
    "Kensington",
    "Lindenhurst",
    "Marlowe",
    "Newhall",
    "Oldfield",
    "Pemberton",
    "Ravenswood",
    "Stonebridge",
    "Tamarack",
    "Ashford",
    "Birchwood",
    "Carrington",
    "Dalton",
    "Eversley",
    "Fenwick",
    "Galloway",
    "Hartwell",
    "Ingram",
    "Jefferson",
    "Kirkland",
    "Langley",
    "Mercer",
    "Norcross",
    "Prescott",
    "Radcliffe",
    "Sheridan",
    "Thackeray",
    "Whitmore",
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Tyrell",
];

/// Stems with non-ASCII letters, used only for euro customers (CAMT is UTF-8).
const STEMS_EU: &[&str] = &[
    "Müller",
    "Schröder",
    "Köhler",
    "Bäcker",
    "Jürgens",
    "Öhlinger",
    "Größmann",
    "Brückner",
    "Hoffmann",
    "Van Dijk",
    "De Vries",
    "Janssen",
    "Lindqvist",
    "Strauß",
    "Weißenberg",
    "Kessler & Söhne",
    "Hübner",
    "Zöllner",
    "Pfeiffer",
    "Gruber",
    "Huber",
    "Wagner",
];

/// Industry words with the abbreviation banks and payers use for them.
const INDUSTRIES: &[(&str, &str)] = &[
    ("Logistics", "LOGIST"),
    ("Industries", "IND"),
    ("Manufacturing", "MFG"),
    ("Foods", "FDS"),
    ("Technologies", "TECH"),
    ("Systems", "SYS"),
    ("Supply", "SUPPLY"),
    ("Pharmaceuticals", "PHARMA"),
    ("Construction", "CONSTR"),
    ("Engineering", "ENGR"),
    ("Distribution", "DISTR"),
    ("Trading", "TRDG"),
    ("Electronics", "ELECTR"),
    ("Healthcare", "HLTHCARE"),
    ("Textiles", "TEXT"),
    ("Chemicals", "CHEM"),
    ("Packaging", "PKG"),
    ("Retail", "RETAIL"),
    ("Services", "SVCS"),
    ("Consulting", "CONSLT"),
    ("International", "INTL"),
    ("Materials", "MATLS"),
    ("Energy", "ENERGY"),
    ("Laboratories", "LABS"),
    ("Instruments", "INSTR"),
    ("Automotive", "AUTO"),
    ("Hospitality", "HOSP"),
    ("Communications", "COMM"),
    ("Aerospace", "AERO"),
    ("Furniture", "FURN"),
    ("Plastics", "PLAST"),
    ("Brothers", "BROS"),
    ("Metals", "METALS"),
];

const SUFFIXES_US: &[(&str, &str)] = &[
    ("Inc.", "INC"),
    ("LLC", "LLC"),
    ("Corp.", "CORP"),
    ("Corporation", "CORP"),
    ("Co.", "CO"),
    ("L.P.", "LP"),
    ("Ltd.", "LTD"),
    ("Incorporated", "INC"),
];

const SUFFIXES_EU: &[(&str, &str)] = &[
    ("GmbH", "GMBH"),
    ("AG", "AG"),
    ("B.V.", "BV"),
    ("N.V.", "NV"),
    ("GmbH & Co. KG", "GMBH CO KG"),
    ("S.A.", "SA"),
    ("SE", "SE"),
    ("S.p.A.", "SPA"),
    ("Ltd.", "LTD"),
    ("S.à r.l.", "SARL"),
];

/// Words that are legal forms, dropped when comparing names.
const LEGAL_WORDS: &[&str] = &[
    "INC",
    "INCORPORATED",
    "LLC",
    "CORP",
    "CORPORATION",
    "CO",
    "LP",
    "LTD",
    "LIMITED",
    "GMBH",
    "AG",
    "BV",
    "NV",
    "KG",
    "SA",
    "SE",
    "SPA",
    "SARL",
];

/// A company as the generator knows it: the ERP name and the parts variants are built from.
#[derive(Debug, Clone)]
pub struct CompanyName {
    pub name: String,
    pub stem: String,
    /// The industry word, or `None` for a name that is only a stem and a suffix.
    pub industry: Option<(&'static str, &'static str)>,
    pub suffix: (&'static str, &'static str),
}

/// Hands out company names whose comparable cores are all distinct.
#[derive(Debug, Default)]
pub struct Namer {
    used: HashSet<String>,
}

impl Namer {
    /// A new name; `parent_stem` makes a subsidiary share its parent's stem, `holding`
    /// makes a parent holding company.
    pub fn company(
        &mut self,
        rng: &mut Rand,
        euro: bool,
        parent_stem: Option<&str>,
        holding: bool,
    ) -> CompanyName {
        let suffixes = if euro { SUFFIXES_EU } else { SUFFIXES_US };
        for attempt in 0.. {
            let stem = match parent_stem {
                Some(stem) => stem.to_owned(),
                None => {
                    let first = if euro && rng.chance(300) {
                        *rng.pick(STEMS_EU)
                    } else {
                        *rng.pick(STEMS)
                    };
                    if attempt > 3 || rng.chance(150) {
                        let second = *rng.pick(STEMS);
                        if second == first {
                            continue;
                        }
                        format!("{first} {second}")
                    } else {
                        first.to_owned()
                    }
                }
            };
            let suffix = *rng.pick(suffixes);
            let industry = if holding {
                None
            } else {
                Some(*rng.pick(INDUSTRIES))
            };
            let name = match (holding, industry) {
                (true, _) => format!("{stem} Holdings {}", suffix.0),
                (false, Some(industry)) => format!("{stem} {} {}", industry.0, suffix.0),
                (false, None) => format!("{stem} {}", suffix.0),
            };
            let name = if !euro && suffix.0 == "Inc." && rng.chance(400) {
                name.replacen(" Inc.", ", Inc.", 1)
            } else {
                name
            };
            if self.used.insert(core(&name)) {
                return CompanyName {
                    name,
                    stem,
                    industry,
                    suffix,
                };
            }
            if attempt > 200 {
                break;
            }
        }
        // Unreachable in practice: thousands of attempts without a free core.
        let name = format!("{} {} {}", rng.pick(STEMS), rng.letters(6), suffixes[0].0);
        self.used.insert(core(&name));
        CompanyName {
            name,
            stem: String::new(),
            industry: None,
            suffix: suffixes[0],
        }
    }

    /// Whether a name's core is taken (for payer names that must match no customer).
    pub fn is_taken(&self, name: &str) -> bool {
        self.used.contains(&core(name))
    }
}

/// Upper-case ASCII: umlauts and accents transliterated the way banks do (Ä → AE).
pub fn ascii_upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            'ä' | 'Ä' => out.push_str("AE"),
            'ö' | 'Ö' => out.push_str("OE"),
            'ü' | 'Ü' => out.push_str("UE"),
            'ß' => out.push_str("SS"),
            'à' | 'á' | 'â' | 'À' => out.push('A'),
            'é' | 'è' | 'ê' | 'É' => out.push('E'),
            c if c.is_ascii() => out.push(c.to_ascii_uppercase()),
            _ => out.push('?'),
        }
    }
    out
}

/// The comparable core of a name: ASCII upper case, `&` as AND, punctuation removed,
/// legal-form words dropped. Two customers never share a core.
pub fn core(name: &str) -> String {
    let upper = ascii_upper(name).replace('&', " AND ");
    let cleaned: String = upper
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cleaned = cleaned
        .replace(" S A R L", " SARL")
        .replace(" S P A", " SPA");
    let mut words: Vec<&str> = cleaned
        .split_whitespace()
        .filter(|word| {
            !LEGAL_WORDS.contains(word) && word.len() > 1
                || word.chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    // "GmbH & Co. KG" leaves a dangling AND once the legal words are gone.
    while words.last() == Some(&"AND") {
        words.pop();
    }
    words.join(" ")
}

/// Whether a shortened core (`QUARRY HILL CONS`, `NORTHWIND MFG`) could stand for
/// `full`: word by word, each shortened word is the full word, its start, or its
/// known abbreviation. A name shortened so that it fits two customers names neither.
pub fn abbreviates(shown: &str, full: &str) -> bool {
    let mut full_words = full.split(' ');
    shown.split(' ').all(|word| {
        full_words.next().is_some_and(|whole| {
            whole.starts_with(word)
                || INDUSTRIES.iter().any(|(long, short)| {
                    short.starts_with(word) && long.eq_ignore_ascii_case(whole)
                })
                || (whole == "HOLDINGS" && "HLDGS".starts_with(word))
        })
    })
}

/// How a bank or a payer's system spells a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Upper case, punctuation kept.
    Upper,
    /// Upper case without punctuation (`ACME CORP` for `Acme Corp.`).
    NoPunctuation,
    /// Legal suffix dropped.
    NoSuffix,
    /// Industry word and suffix abbreviated (`NORTHWIND MFG CORP`).
    Abbreviated,
    /// Mixed case as written, `&` replaced by `+` or `AND`.
    Punctuation,
}

/// The name as a payer's bank writes it, cut at `max_len` characters.
pub fn bank_variant(company: &CompanyName, variant: Variant, max_len: usize) -> String {
    let suffix_plain = company.suffix.1;
    let stem_upper = ascii_upper(&company.stem);
    let industry_full = company.industry.map(|i| ascii_upper(i.0));
    let text = match variant {
        Variant::Upper => ascii_upper(&company.name),
        Variant::NoPunctuation => strip_punctuation(&ascii_upper(&company.name)),
        Variant::NoSuffix => strip_punctuation(&match &industry_full {
            Some(industry) => format!("{stem_upper} {industry}"),
            None => format!("{stem_upper} HOLDINGS"),
        }),
        Variant::Abbreviated => strip_punctuation(&match company.industry {
            Some(industry) => format!("{stem_upper} {} {suffix_plain}", industry.1),
            None => format!("{stem_upper} HLDGS {suffix_plain}"),
        }),
        Variant::Punctuation => company
            .name
            .replace(" & ", " + ")
            .replace(", Inc.", " Inc")
            .replace('.', ""),
    };
    truncate(&text, max_len)
}

fn strip_punctuation(text: &str) -> String {
    let replaced = text.replace(" & ", " AND ");
    let cleaned: String = replaced
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max_len` characters, trailing spaces removed.
pub fn truncate(text: &str, max_len: usize) -> String {
    text.chars()
        .take(max_len)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// Payers no customer matches: people and firms from a disjoint word pool.
pub fn stranger_name(rng: &mut Rand) -> String {
    const FIRST: &[&str] = &[
        "JOHN", "MARIA", "AHMED", "LIN", "SOFIA", "PIETER", "KAREN", "RAJ", "ELENA", "TOMAS",
    ];
    const LAST: &[&str] = &[
        "SMITH",
        "GARCIA",
        "OKAFOR",
        "NAKAMURA",
        "KOWALSKI",
        "ROSSI",
        "DUBOIS",
        "NOVAK",
        "HALVORSEN",
        "MBEKI",
    ];
    const FIRM: &[&str] = &[
        "ZEPHYRON",
        "QUILLMARK",
        "BRAXTONVALE",
        "OXENHOLM",
        "VELDTRAP",
        "MARROWGATE",
        "CINDERLOCH",
        "PLUMHAVEN",
    ];
    const KIND: &[&str] = &[
        "CONSULTANTS BV",
        "TRADING SARL",
        "PARTNERS LLP",
        "VENTURES LTD",
        "IMPORT EXPORT",
    ];
    if rng.chance(500) {
        format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
    } else {
        format!("{} {}", rng.pick(FIRM), rng.pick(KIND))
    }
}

/// Counts of customer cores by prefix: answers "does this payer name, read as a
/// possibly truncated core, point at exactly one customer?".
#[derive(Debug, Default)]
pub struct CoreIndex {
    cores: BTreeMap<String, u32>,
}

impl CoreIndex {
    pub fn insert(&mut self, core: String, customer: u32) {
        self.cores.insert(core, customer);
    }

    /// The single customer whose core starts with `prefix`, if exactly one does.
    pub fn unique_prefix(&self, prefix: &str) -> Option<u32> {
        let mut found = self
            .cores
            .range(prefix.to_owned()..)
            .take_while(|(core, _)| core.starts_with(prefix));
        let first = found.next()?;
        found.next().is_none().then_some(*first.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_ignore_case_punctuation_and_legal_form() {
        assert_eq!(
            core("Acme Industrial Supply, Inc."),
            "ACME INDUSTRIAL SUPPLY"
        );
        assert_eq!(core("ACME INDUSTRIAL SUPPLY INC"), "ACME INDUSTRIAL SUPPLY");
        assert_eq!(core("Kessler & Söhne GmbH & Co. KG"), "KESSLER AND SOEHNE");
    }

    #[test]
    fn variants_are_what_banks_write() {
        let company = CompanyName {
            name: "Northwind Manufacturing Corp.".into(),
            stem: "Northwind".into(),
            industry: Some(("Manufacturing", "MFG")),
            suffix: ("Corp.", "CORP"),
        };
        assert_eq!(
            bank_variant(&company, Variant::Abbreviated, 35),
            "NORTHWIND MFG CORP"
        );
        assert_eq!(
            bank_variant(&company, Variant::NoSuffix, 16),
            "NORTHWIND MANUFA"
        );
        assert_eq!(
            bank_variant(&company, Variant::NoPunctuation, 35),
            "NORTHWIND MANUFACTURING CORP"
        );
    }
}
