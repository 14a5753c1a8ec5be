//! recond-gen: realistic multi-day cash-application scenarios and a scorer.
//!
//! `generate` writes customers, incremental invoice files and bank files in all four
//! formats (CAMT.053, BAI2, NACHA, CSV) for a number of business days, covering every
//! case of the product brief in realistic proportions, plus `truth.csv` saying what a
//! correct engine does with each transaction. `score` replays the scenario through the
//! real recond pipeline and compares what recond exported with the truth.

pub mod cases;
pub mod generate;
pub mod names;
pub mod payment;
pub mod plan;
pub mod refs;
pub mod rng;
pub mod score;
pub mod world;
pub mod write;
