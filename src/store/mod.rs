//! Storage: the only place with SQL.
//!
//! One schema, two dialects: SQLite (default, one file, WAL) and PostgreSQL (when the
//! URL says `postgres://`). Queries go through sqlx's `Any` driver with `$n`
//! placeholders, which both dialects accept, so every query is written once; the
//! migrations are the only per-dialect SQL. Money is stored as integer minor units
//! plus currency and converted in [`money`] only.
//!
//! Functions take a `&mut AnyConnection` so that callers compose them inside one
//! database transaction (a file is stored whole or not at all).

pub mod applications;
pub mod batch;
pub mod claims;
pub mod customers;
pub mod exports;
pub mod files;
pub mod invoices;
pub mod money;
pub mod transactions;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to a migrated recond database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects (creating a SQLite file if needed) and runs pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!(
                "unsupported database URL {:?}: expected sqlite://PATH or postgres://…",
                redact(url)
            );
        };
        if backend == Backend::Sqlite {
            create_sqlite_parent(url)?;
        }
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("invalid database URL {:?}", redact(&url)))?;
        let pool_options = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    // WAL lets readers (the API) run beside the writer; a 32 MiB page
                    // cache per connection keeps the indexes of a large file's inserts
                    // in memory.
                    .after_connect(|connection, _meta| {
                        Box::pin(async move {
                            connection
                                .execute(
                                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                                 PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;",
                                )
                                .await?;
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(8),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .with_context(|| format!("could not open database {:?}", redact(&url)))?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .context("could not migrate the database schema")?;
        Ok(Store { pool, backend })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn begin(&self) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Any>> {
        self.pool
            .begin()
            .await
            .context("could not start a database transaction")
    }

    pub async fn acquire(&self) -> anyhow::Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.pool
            .acquire()
            .await
            .context("could not get a database connection")
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the folder a SQLite database file goes in, so that a fresh data directory
/// works without a manual `mkdir`.
fn create_sqlite_parent(url: &str) -> anyhow::Result<()> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| {
            format!("could not create the database folder {}", parent.display())
        })?;
    }
    Ok(())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Now, as stored: RFC 3339 UTC with seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Makes concurrent reconcile runs (several instances on one PostgreSQL database) take
/// turns: a transaction-level advisory lock, released at commit or rollback, so that
/// two runs never both apply what is left of one invoice. Writers that match take it
/// before writing anything (a lock taken after rows are written could close a cycle
/// with another instance waiting on those rows); taking it again in the same
/// transaction is harmless. SQLite serialises writers by itself.
pub async fn serialize_runs(conn: &mut AnyConnection) -> anyhow::Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        const RECONCILE_LOCK: i64 = 0x7265_636f_6e64; // "recond"
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(RECONCILE_LOCK)
            .execute(&mut *conn)
            .await
            .context("could not take the reconcile lock")?;
    }
    Ok(())
}

/// Appends one row to the audit log.
pub async fn audit(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: &serde_json::Value,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await
    .context("could not write the audit log")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            super::redact("postgres://recond:secret@localhost/recond"),
            "postgres://recond:***@localhost/recond"
        );
        assert_eq!(super::redact("sqlite://recond.db"), "sqlite://recond.db");
    }
}
