//! recond: the imperative shell around the pure `parsers` and `rules` crates.
//!
//! Everything that touches the world lives here: configuration, the command line,
//! storage (the only SQL), the ingest pipeline and imports, exports. See
//! ARCHITECTURE.md for the map and the invariants.

pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod http;
pub mod imports;
pub mod metrics;
pub mod output;
pub mod pipeline;
pub mod store;
pub mod telemetry;
