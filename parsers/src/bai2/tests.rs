//! Tests of the BAI2 reader on small inline files.
