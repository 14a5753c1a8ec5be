//! The recond binary.
fn main() {}
