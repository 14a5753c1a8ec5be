//! The one integration test binary (one link step instead of one per file).
//!
//! - `harness`: temporary databases (SQLite always, PostgreSQL when
//!   `RECOND_TEST_POSTGRES_URL` is set) and fixture paths.
//! - `storage`: the store conformance suite, run on both databases.
//! - `cli`: the real binary driven through its command-line contract.
//! - `daemon`: `recond serve` as a real process: kill -9 at random moments,
//!   SIGTERM, quarantine, panics, two instances on one PostgreSQL database.
//! - `tidy`: checks on the source tree itself (docs, dependency rules, migrations).

mod cli;
mod daemon;
mod harness;
mod storage;
mod tidy;
