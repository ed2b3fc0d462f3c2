//! Sources stay bounded and truthful under hostile answers: numbers that would panic a
//! conversion, redirects that would carry credentials to another host, commands that flood,
//! linger or leave children behind, postgres results of the wrong shape, and many gates at once.

mod support;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{LAUNCH, check, config, error_of, value_of};

fn sentry_config(addr: std::net::SocketAddr) -> String {
    format!(
        "{LAUNCH}[sentry]\nurl = \"http://{addr}\"\norg = \"acme\"\ntoken = \"tok\"\n\n\
         [[gate]]\nid = \"p1\"\nsource = \"sentry\"\nquery = \"is:unresolved\"\npass = \"== 0\"\ntimeout = \"2s\"\n"
    )
}

/// Rate-limit headers that overflow, are infinite, negative or junk: the check answers (a
/// value or unknown), it never panics and never waits past its deadline.
#[tokio::test]
async fn hostile_rate_limit_headers_never_panic_a_check() {
    let hostile = [
        "inf",
        "-inf",
        "NaN",
        "1e308",
        "-1e308",
        "1e-320",
        "18446744073709551616",
        "-5",
        "99999999999999999999999",
        "0x10",
        "",
    ];
    for value in hostile {
        let value = value.to_owned();
        let router = Router::new().route(
            "/api/0/organizations/acme/issues/",
            get(move || {
                let value = value.clone();
                async move {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [
                            ("x-sentry-rate-limit-reset", value.clone()),
                            ("retry-after", value),
                        ],
                        "\"slow down\"",
                    )
                        .into_response()
                }
            }),
        );
        let addr = support::serve(router).await;
        let cfg = config(&sentry_config(addr));
        let started = Instant::now();
        let result = check(&cfg, "p1").await;
        assert!(started.elapsed() < Duration::from_secs(4));
        let error = error_of(&result);
        assert!(!error.contains("internal error"), "{error}");
    }
}

/// A server on 127.0.0.1 redirects to 127.0.0.2: the credentialed request is not followed
/// there (no header from the config, no Basic credential, no Referer reaches it), while a gate
/// that carries nothing secret follows the redirect as before.
#[tokio::test]
async fn redirects_to_another_host_never_carry_credentials() {
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let recorded = seen.clone();
    let other = Router::new().route(
        "/landing",
        get(move |headers: HeaderMap| {
            recorded.lock().unwrap().push(headers);
            async { "{\"status\":\"ok\"}" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0")
        .await
        .expect("127.0.0.2 is a loopback address on Linux");
    let other_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, other).await });
    let target = format!("http://{other_addr}/landing?from=redirect");
    let same_host = "/same";
    let first = Router::new()
        .route(
            "/go",
            get(move || {
                let target = target.clone();
                async move { Redirect::temporary(&target) }
            }),
        )
        .route(
            "/hop",
            get(move || async move { Redirect::temporary(same_host) }),
        )
        .route("/same", get(|| async { "{\"status\":\"ok\"}" }));
    let addr = support::serve(first).await;
    let gates = [
        (
            "headers",
            format!("http://{addr}/go"),
            "headers = { X-Api-Key = \"hdr-secret-1\", X-Custom = \"plain-looking\" }\n",
        ),
        ("userinfo", format!("http://ops:url-secret-2@{addr}/go"), ""),
        (
            "query",
            format!("http://{addr}/go?token=query-secret-3"),
            "",
        ),
        (
            "cookie",
            format!("http://{addr}/go"),
            "headers = { Cookie = \"session=cookie-secret-4\" }\n",
        ),
    ];
    let mut text = LAUNCH.to_owned();
    for (id, url, extra) in &gates {
        text.push_str(&format!(
            "[[gate]]\nid = \"{id}\"\nsource = \"http\"\nurl = \"{url}\"\n{extra}json = \"/status\"\npass = \"== 'ok'\"\ntimeout = \"3s\"\n\n"
        ));
    }
    text.push_str(&format!(
        "[[gate]]\nid = \"plain\"\nsource = \"http\"\nurl = \"http://{addr}/go\"\njson = \"/status\"\npass = \"== 'ok'\"\ntimeout = \"3s\"\n\n\
         [[gate]]\nid = \"same_host\"\nsource = \"http\"\nurl = \"http://{addr}/hop\"\nheaders = {{ X-Api-Key = \"hdr-secret-5\" }}\njson = \"/status\"\npass = \"== 'ok'\"\ntimeout = \"3s\"\n"
    ));
    let cfg = config(&text);
    for (id, _, _) in &gates {
        let result = check(&cfg, id).await;
        let error = error_of(&result);
        assert!(error.contains("another host"), "{id}: {error}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "a credentialed request reached 127.0.0.2"
    );
    // Nothing secret: followed to the other host, without a Referer.
    let result = check(&cfg, "plain").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Text("ok".into()));
    let landed = seen.lock().unwrap().clone();
    assert_eq!(landed.len(), 1);
    assert!(landed[0].get("referer").is_none(), "{:?}", landed[0]);
    // Credentials follow a redirect on their own host.
    let result = check(&cfg, "same_host").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Text("ok".into()));
}

fn command_config(gates: &[(&str, &str, &str)]) -> gonogo::config::Config {
    let mut text = LAUNCH.to_owned();
    for (id, script, timeout) in gates {
        // `$$` is the config's literal dollar sign.
        let script = script.replace('$', "$$");
        text.push_str(&format!(
            "[[gate]]\nid = \"{id}\"\nsource = \"command\"\ncommand = [\"sh\", \"-c\", '''{script}''']\npass = \"== 0\"\ntimeout = \"{timeout}\"\n\n"
        ));
    }
    config(&text)
}

fn alive(pid: i32) -> bool {
    // A zombie is dead for this purpose: it runs nothing.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn pids_in(path: &std::path::Path) -> Vec<i32> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

async fn none_survive(pids: &[i32]) {
    for _ in 0..50 {
        if pids.iter().all(|p| !alive(*p)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let left: Vec<_> = pids.iter().filter(|p| alive(**p)).collect();
    panic!("children outlived their gate: {left:?}");
}

/// Timed out, finished with a background child, or finished while a grandchild holds stdout
/// open: in every case the gate answers promptly and no process of its group survives.
#[tokio::test]
async fn no_child_outlives_its_gate() {
    let dir = tempfile::tempdir().unwrap();
    let pids = |name: &str| dir.path().join(name);
    let (hang, background, holder) = (pids("hang"), pids("bg"), pids("holder"));
    let cfg = command_config(&[
        (
            "hangs",
            &format!(
                "sleep 30 & echo $! >> {0}; sh -c 'sleep 30' & echo $! >> {0}; echo $$ >> {0}; wait",
                hang.display()
            ),
            "1s",
        ),
        (
            "background",
            &format!("sleep 30 & echo $! > {}; exit 0", background.display()),
            "5s",
        ),
        (
            "holds_stdout",
            &format!(
                "(sleep 30; echo late) & echo $! > {}; echo 7",
                holder.display()
            ),
            "5s",
        ),
    ]);
    let started = Instant::now();
    let result = check(&cfg, "hangs").await;
    assert!(error_of(&result).contains("timed out"), "{result:?}");
    none_survive(&pids_in(&hang)).await;
    assert_eq!(pids_in(&hang).len(), 3);

    let result = check(&cfg, "background").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Number(0.0));
    none_survive(&pids_in(&background)).await;

    let result = check(&cfg, "holds_stdout").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Number(7.0));
    none_survive(&pids_in(&holder)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A command printing far more than is kept still runs to its end (its pipe is drained, never
/// closed on it) and its exit code counts.
#[tokio::test]
async fn a_flood_of_output_is_drained_not_cut() {
    let cfg = command_config(&[
        (
            "flood",
            "head -c 20000000 /dev/zero; echo done >&2; exit 3",
            "10s",
        ),
        ("flood_err", "head -c 5000000 /dev/zero >&2; exit 0", "10s"),
        (
            "number_then_noise",
            "echo 42; head -c 3000000 /dev/zero >&2",
            "10s",
        ),
    ]);
    let result = check(&cfg, "flood").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Number(3.0));
    let result = check(&cfg, "flood_err").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Number(0.0));
    let result = check(&cfg, "number_then_noise").await;
    assert_eq!(value_of(&result), gonogo::gate::Value::Number(42.0));
}

/// SIGTERM to a one-shot `check` ends the commands it started, whole groups included.
#[test]
fn sigterm_to_a_one_shot_check_ends_its_commands() {
    let env = support::cli::Env::new();
    let record = env.path().join("pids");
    env.write_config(&format!(
        "[[gate]]\nid = \"slow\"\nsource = \"command\"\ncommand = [\"sh\", \"-c\", \"sleep 60 & echo $! >> {0}; echo $$$$ >> {0}; wait\"]\npass = \"== 0\"\ntimeout = \"60s\"\n",
        record.display()
    ));
    let mut child = std::process::Command::new(env.bin())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("GONOGO_LOG_DIR", env.logs())
        .current_dir(env.path())
        .arg("check")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids_in(&record).len() < 2 {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(none_survive(&pids_in(&record)));
}

/// Many gates: at most `MAX_CONCURRENT_CHECKS` run at once; the rest queue and all answer.
#[tokio::test]
async fn checks_run_under_a_concurrency_cap() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let script = format!(
        "touch {d}/run.$$; ls {d} | grep -c '^run' > {d}/seen.$$; sleep 0.2; rm {d}/run.$$"
    );
    let ids: Vec<String> = (0..40).map(|i| format!("g{i}")).collect();
    let gates: Vec<(&str, &str, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), script.as_str(), "30s"))
        .collect();
    let cfg = command_config(&gates);
    let sources = support::sources(&cfg);
    let results =
        gonogo::monitor::run_once(&sources, &cfg.gates, &gonogo::clock::Clock::System).await;
    assert_eq!(results.len(), 40);
    assert!(results.iter().all(|r| r.outcome.is_ok()), "{results:?}");
    let most = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seen.")
        })
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .trim()
                .parse::<usize>()
                .unwrap()
        })
        .max()
        .unwrap();
    assert!(
        most <= gonogo::source::MAX_CONCURRENT_CHECKS,
        "{most} checks ran at once"
    );
    assert!(most >= 2, "checks still run side by side ({most})");
}

fn pg_gate(pool: &sqlx::PgPool, query: &str) -> gonogo::config::Config {
    config(&format!(
        "{LAUNCH}[postgres]\nurl = \"{}\"\n\n[[gate]]\nid = \"q\"\nsource = \"postgres\"\nquery = '''{query}'''\npass = \">= 0\"\ntimeout = \"5s\"\n",
        support::db_url(pool)
    ))
}

/// Exactly one row and one column: two columns, named alike or not, are unknown with the
/// names; a query ending in a comment (after a `;` or not) works.
#[sqlx::test(migrations = false)]
async fn postgres_results_have_one_shape_and_comments_work(pool: sqlx::PgPool) {
    for query in [
        "SELECT 1 AS a, 2 AS a",
        "SELECT 1 AS n, 'x' AS label",
        "SELECT 1, 2, 3",
    ] {
        let result = check(&pg_gate(&pool, query), "q").await;
        let error = error_of(&result);
        assert!(
            error.contains("columns") && error.contains("exactly one value"),
            "{query}: {error}"
        );
    }
    for query in [
        "SELECT 5 -- five",
        "SELECT 5; -- five",
        "SELECT 5 /* five */",
        "SELECT 5\n-- first\n-- second",
        "SELECT length('--x;') + 1 -- four plus one",
    ] {
        let result = check(&pg_gate(&pool, query), "q").await;
        assert_eq!(
            value_of(&result),
            gonogo::gate::Value::Number(5.0),
            "{query}"
        );
    }
    let result = check(&pg_gate(&pool, "SELECT 1; SELECT 2"), "q").await;
    assert!(error_of(&result).contains("postgres"), "{result:?}");
}

/// A file whose modification time lies millions of years away (tmpfs takes any): unknown with
/// a reason, never an internal error.
#[tokio::test]
async fn file_times_out_of_the_calendar_are_unknown() {
    let dir = tempfile::tempdir_in("/dev/shm").unwrap();
    let mut text = LAUNCH.to_owned();
    for (i, stamp) in ["@99999999999999", "@-99999999999999", "@9223372036"]
        .iter()
        .enumerate()
    {
        let path = dir.path().join(format!("f{i}"));
        std::fs::write(&path, "x").unwrap();
        let set = std::process::Command::new("touch")
            .args(["-d", stamp])
            .arg(&path)
            .status()
            .unwrap();
        assert!(set.success());
        text.push_str(&format!(
            "[[gate]]\nid = \"f{i}\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"< 1h\"\n\n",
            path.display()
        ));
    }
    let cfg = config(&text);
    for i in 0..3 {
        let result = check(&cfg, &format!("f{i}")).await;
        if let Err(error) = &result.outcome {
            assert!(!error.contains("internal error"), "f{i}: {error}");
        }
    }
    assert!(error_of(&check(&cfg, "f0").await).contains("out of range"));
}
