//! Multi-row statements: one round trip for many rows, which is what makes a
//! million-transaction file fit in seconds rather than hours. Placeholders are `$n`,
//! valid on SQLite and PostgreSQL alike.

use sqlx::AnyConnection;

/// Rows per statement on PostgreSQL (65 535 bound values at most; the widest row, a
/// transaction, has 24 columns).
pub const ROWS_MAX: usize = 500;

/// Bound values per statement on SQLite. sqlx binds SQLite parameters in time that
/// grows with the square of their number (measured: 20 000 rows of 8 values take
/// 72 ms at 10 rows a statement, 1.6 s at 500), so SQLite gets short statements.
const SQLITE_VALUES_MAX: usize = 128;

/// How many rows of `columns` values to put in one statement on this connection.
pub fn rows_per_statement(conn: &AnyConnection, columns: usize) -> usize {
    if conn.backend_name() == "PostgreSQL" {
        ROWS_MAX
    } else {
        (SQLITE_VALUES_MAX / columns.max(1)).max(1)
    }
}

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `columns` values.
pub fn values(columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * columns + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// `$1, $2, $3` for an `IN (…)` list of `count` values.
pub fn list(count: usize) -> String {
    (1..=count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_every_value() {
        assert_eq!(super::values(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(super::list(3), "$1, $2, $3");
    }
}
