//! The rehearsal's simulated services speak the documented APIs: Sentry pages with `Link` and
//! `X-Hits` and honours `query`; Prometheus answers GET and form POST with the envelope and
//! `bad_data` for unknown queries; the status page and GitHub search follow the world.

use gonogo::demo::script::{Event, Indicator};
use gonogo::demo::sim::{self, SENTRY_TOKEN};
use gonogo::demo::world::{SharedWorld, StoryClock, World};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

async fn start() -> (SharedWorld, sim::Endpoints, CancellationToken) {
    let clock = StoryClock::start(1.0);
    let world = SharedWorld::new(World::opening(&clock), clock);
    let cancel = CancellationToken::new();
    let endpoints = sim::serve_all(&world, &cancel).await.unwrap();
    (world, endpoints, cancel)
}

#[tokio::test]
async fn sentry_pages_with_link_and_honours_the_query() {
    let (world, e, cancel) = start().await;
    let http = reqwest::Client::new();
    let base = url::Url::parse(&format!("http://{}", e.sentry)).unwrap();
    let list = format!("http://{}/api/0/organizations/acme/issues/", e.sentry);

    let denied = http.get(&list).send().await.unwrap();
    assert_eq!(denied.status(), 401);

    // Unresolved issues of any priority: 4 of the 5 in the opening world, 2 per page.
    let mut next = Some(
        url::Url::parse_with_params(&list, [("query", "is:unresolved"), ("limit", "2")]).unwrap(),
    );
    let mut seen = Vec::new();
    while let Some(url) = next.take() {
        let r = http
            .get(url)
            .bearer_auth(SENTRY_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-hits"], "4");
        next = gonogo::source::sentry::next_page(r.headers(), &base).unwrap();
        let page: Vec<Value> = r.json().await.unwrap();
        assert!(page.len() <= 2);
        seen.extend(
            page.into_iter()
                .map(|i| i["shortId"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(seen.len(), 4, "{seen:?}");

    let count = |query: &'static str| {
        let http = http.clone();
        let list = list.clone();
        async move {
            let r = http
                .get(&list)
                .query(&[("query", query)])
                .bearer_auth(SENTRY_TOKEN)
                .send()
                .await
                .unwrap();
            r.json::<Vec<Value>>().await.unwrap().len()
        }
    };
    assert_eq!(count("is:unresolved issue.priority:high").await, 0);
    world.lock().apply(Event::SentryP1Opens, chrono::Utc::now());
    assert_eq!(count("is:unresolved issue.priority:high").await, 1);
    assert_eq!(count("is:unresolved level:fatal").await, 1);
    world
        .lock()
        .apply(Event::SentryP1Resolved, chrono::Utc::now());
    assert_eq!(count("is:unresolved issue.priority:high").await, 0);
    let bad = http
        .get(&list)
        .query(&[("query", "assigned:me")])
        .bearer_auth(SENTRY_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    cancel.cancel();
}

#[tokio::test]
async fn prometheus_status_page_and_github_follow_the_world() {
    let (world, e, cancel) = start().await;
    let http = reqwest::Client::new();
    let query = format!("http://{}/api/v1/query", e.prometheus);
    let synthetic = sim::prometheus::SYNTHETIC_QUERY;

    let get: Value = http
        .get(&query)
        .query(&[("query", synthetic)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(get["status"], "success");
    assert_eq!(get["data"]["resultType"], "vector");
    assert_eq!(get["data"]["result"][0]["value"][1], "1");
    world
        .lock()
        .apply(Event::SyntheticJourney(false), chrono::Utc::now());
    let post: Value = http
        .post(&query)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "query={}",
            url::form_urlencoded::byte_serialize(synthetic.as_bytes()).collect::<String>()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(post["data"]["result"][0]["value"][1], "0");
    let unknown = http
        .get(&query)
        .query(&[("query", "up")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["errorType"], "bad_data");

    let status_url = format!("http://{}/api/v2/status.json", e.statuspage);
    let indicator = || async {
        let v: Value = http
            .get(&status_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["status"]["indicator"].as_str().unwrap().to_owned()
    };
    assert_eq!(indicator().await, "none");
    world
        .lock()
        .apply(Event::StatusPage(Indicator::Minor), chrono::Utc::now());
    assert_eq!(indicator().await, "minor");

    let search = format!(
        "http://{}/search/issues?q=repo:acme/app+is:issue+is:open+label:severity-high",
        e.github
    );
    let total = || async {
        let v: Value = http
            .get(&search)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["total_count"].as_u64().unwrap()
    };
    assert_eq!(total().await, 1);
    world.lock().apply(Event::HighIssues(0), chrono::Utc::now());
    assert_eq!(total().await, 0);
    cancel.cancel();
}
