//! The test database: the server URL (`DATABASE_URL`, default as in scripts/test), the URL of a
//! `#[sqlx::test]` pool's throwaway database, and the product tables as the seed defines them.
//! Shared by the tests (`support::database`) and the benchmarks (`benches/support`).
#![allow(dead_code)]

use sqlx::PgPool;

/// The server scripts/test uses when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// `DATABASE_URL`, or the default scripts/test documents. The one place that default lives.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// The URL of the database behind a `#[sqlx::test]` pool (same server as `DATABASE_URL`).
pub fn db_url(pool: &PgPool) -> String {
    url_for(
        pool.connect_options()
            .get_database()
            .expect("test database name"),
    )
}

/// The URL of database `name` on the `DATABASE_URL` server (its user and password kept).
pub fn url_for(name: &str) -> String {
    let mut url = url::Url::parse(&database_url()).expect("DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// The `host:port` of the `DATABASE_URL` server, for a test that connects to it by TCP itself.
pub fn server_address() -> String {
    let url = url::Url::parse(&database_url()).expect("DATABASE_URL is a URL");
    let host = url.host_str().unwrap_or("127.0.0.1").to_owned();
    format!("{host}:{}", url.port().unwrap_or(5432))
}

/// The product's `users` table as the seed defines it (email unique, as the product keeps it),
/// holding `emails`. Created when missing, so a test may call it again to add more users.
pub async fn users(pool: &PgPool, emails: &[&str]) {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS public.users (
             id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
             email      VARCHAR(320) NOT NULL UNIQUE,
             created_at TIMESTAMPTZ  NOT NULL DEFAULT NOW()
         )",
    )
    .execute(pool)
    .await
    .expect("create the users table");
    add_users(pool, emails).await;
}

/// More rows in the `users` table [`users`] made.
pub async fn add_users(pool: &PgPool, emails: &[&str]) {
    sqlx::query("INSERT INTO public.users (email) SELECT unnest($1::text[])")
        .bind(emails)
        .execute(pool)
        .await
        .expect("insert users");
}

/// The product's `beta_invites` table as the seed's 990_beta_invites.sql creates it, before
/// gonogo's migrations run (which then leave it as it is).
pub async fn product_beta_invites(pool: &PgPool) {
    sqlx::query(
        "CREATE TABLE public.beta_invites (
             id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
             code        VARCHAR(32)  NOT NULL UNIQUE,
             email       VARCHAR(320) NOT NULL,
             cohort      VARCHAR(64)  NOT NULL,
             used_at     TIMESTAMPTZ,
             expires_at  TIMESTAMPTZ  NOT NULL DEFAULT (NOW() + INTERVAL '30 days'),
             sent_by     UUID,
             created_at  TIMESTAMPTZ  NOT NULL DEFAULT NOW()
         )",
    )
    .execute(pool)
    .await
    .expect("create the product's beta_invites table");
}
