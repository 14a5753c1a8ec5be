//! Claiming a file so that several instances on one PostgreSQL database never process
//! it at the same time: a session-level advisory lock keyed by the content hash, held
//! on a dedicated connection. If the instance dies, the server drops the connection and
//! the lock with it. SQLite deployments run one instance, so claims always succeed.

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::{Any, Row};

use super::{Backend, Store};

/// Held while a file is processed; release it after the file has been moved.
pub struct Claim {
    connection: Option<(PoolConnection<Any>, i64)>,
}

fn lock_key(sha256: &str) -> i64 {
    // 15 hex digits fit in a positive i64.
    i64::from_str_radix(sha256.get(..15).unwrap_or("0"), 16).unwrap_or(0)
}

/// Tries to claim the file with this content; `None` when another instance holds it.
pub async fn try_claim(store: &Store, sha256: &str) -> anyhow::Result<Option<Claim>> {
    if store.backend() == Backend::Sqlite {
        return Ok(Some(Claim { connection: None }));
    }
    let key = lock_key(sha256);
    let mut conn = store.acquire().await?;
    let row = sqlx::query("SELECT pg_try_advisory_lock($1)")
        .bind(key)
        .fetch_one(&mut *conn)
        .await
        .context("could not claim the file")?;
    let claimed: bool = row.try_get(0)?;
    Ok(claimed.then(|| Claim {
        connection: Some((conn, key)),
    }))
}

impl Claim {
    pub async fn release(mut self) {
        if let Some((mut conn, key)) = self.connection.take() {
            if sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(key)
                .execute(&mut *conn)
                .await
                .is_err()
            {
                // Closing the connection releases the lock server-side.
                drop(conn.detach());
            }
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some((conn, _)) = self.connection.take() {
            // Never return a connection that still holds a lock to the pool.
            drop(conn.detach());
        }
    }
}
