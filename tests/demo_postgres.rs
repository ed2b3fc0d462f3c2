//! The rehearsal's throwaway PostgreSQL: it starts from the local server binaries (as the
//! `postgres` user when the tests run as root), answers queries, and leaves nothing behind.

use gonogo::demo::{BinarySearch, DemoOptions, PgError, Rehearsal, ThrowawayPostgres};
use sqlx::Connection;
use std::os::unix::fs::MetadataExt;

async fn query_works(url: &str) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query("CREATE TABLE t (n int)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES (41), (1)")
        .execute(&mut conn)
        .await
        .unwrap();
    let sum: i64 = sqlx::query_scalar("SELECT sum(n) FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(sum, 42);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn starts_answers_and_is_removed_on_stop_and_on_drop() {
    let mut pg = ThrowawayPostgres::start(&BinarySearch::system())
        .await
        .expect("the PostgreSQL server binaries are installed on this machine");
    let dir = pg.dir().to_path_buf();
    assert!(dir.join("data").join("PG_VERSION").is_file());
    if nix::unistd::geteuid().is_root() {
        let postgres = nix::unistd::User::from_name("postgres").unwrap().unwrap();
        let owner = std::fs::metadata(dir.join("data")).unwrap().uid();
        assert_eq!(
            owner,
            postgres.uid.as_raw(),
            "as root, the cluster belongs to `postgres`"
        );
        assert_eq!(
            std::fs::metadata(&dir).unwrap().uid(),
            postgres.uid.as_raw()
        );
    }
    query_works(pg.url()).await;
    let url = pg.url().to_owned();
    pg.stop();
    assert!(!dir.exists(), "{} still exists after stop", dir.display());
    assert!(
        sqlx::PgConnection::connect(&url).await.is_err(),
        "the server still accepts connections after stop"
    );
    pg.stop();

    // The same guarantee without an explicit stop: error paths and Ctrl-C only drop the guard.
    let pg = ThrowawayPostgres::start(&BinarySearch::system())
        .await
        .unwrap();
    let dir = pg.dir().to_path_buf();
    let url = pg.url().to_owned();
    drop(pg);
    assert!(!dir.exists(), "{} still exists after drop", dir.display());
    assert!(sqlx::PgConnection::connect(&url).await.is_err());
}

#[tokio::test]
async fn missing_binaries_say_how_to_install_them() {
    let nowhere = BinarySearch {
        path_dirs: vec![],
        versioned_roots: vec![],
    };
    let err = ThrowawayPostgres::start(&nowhere).await.unwrap_err();
    assert!(matches!(err, PgError::NotFound { .. }), "{err:?}");
    let bare = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        speed: 10.0,
        database_url: None,
        binaries: BinarySearch {
            path_dirs: vec![bare.path().to_path_buf()],
            versioned_roots: vec![bare.path().to_path_buf()],
        },
    };
    let err = Rehearsal::start(options).await.unwrap_err();
    let message = err.to_string();
    assert_eq!(err.exit_code(), 69, "EX_UNAVAILABLE");
    assert!(
        message.contains("no PostgreSQL server binaries found"),
        "{message}"
    );
    assert!(message.contains("apt-get install postgresql"), "{message}");
    assert!(message.contains("--database-url"), "{message}");
    assert!(
        message.contains(&bare.path().display().to_string()),
        "{message}"
    );
}
