//! Test databases and fixture paths shared by the integration tests.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use recond::config::{Config, Overrides};
use recond::store::Store;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(relative: &str) -> PathBuf {
    repo().join("fixtures").join(relative)
}

/// A migrated, empty database that lives as long as the value.
pub struct TestDb {
    pub store: Store,
    pub config: Config,
    pub url: String,
    _dir: tempfile::TempDir,
}

/// A fresh SQLite database in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("recond.db").display());
    open(url, dir).await
}

/// A fresh PostgreSQL database on the server named by `RECOND_TEST_POSTGRES_URL`, or
/// `None` (with a printed reason) when the variable is unset.
pub async fn postgres(test: &str) -> Option<TestDb> {
    let Ok(server_url) = std::env::var("RECOND_TEST_POSTGRES_URL") else {
        // Written to the stderr handle itself, which the test harness does not capture,
        // so that a plain `cargo test` shows what it did not run.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {test} on PostgreSQL: RECOND_TEST_POSTGRES_URL is not set"
        );
        return None;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "recond_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        test.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server_url)
        .await
        .expect("connect to RECOND_TEST_POSTGRES_URL");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .expect("drop test database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let base = server_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&server_url);
    let url = format!("{base}/{name}");
    Some(open(url, tempfile::tempdir().expect("temp dir")).await)
}

async fn open(url: String, dir: tempfile::TempDir) -> TestDb {
    let config = Config::from_raw(
        Default::default(),
        &Overrides {
            data_dir: Some(dir.path().to_owned()),
            database_url: Some(url.clone()),
            ..Default::default()
        },
    )
    .expect("default config");
    let store = Store::connect(&url).await.expect("connect and migrate");
    TestDb {
        store,
        config,
        url,
        _dir: dir,
    }
}

/// Defines one test per database for an async suite function `fn(TestDb)`.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(crate::harness::sqlite().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = crate::harness::postgres(stringify!($name)).await {
                        super::$name(db).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_databases;
