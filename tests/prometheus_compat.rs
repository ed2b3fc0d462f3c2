//! Prometheus-compatible backends behind a prefix with credentials (Grafana Cloud, Mimir): basic
//! auth from the URL, extra headers, and the password kept out of every message. A local server
//! stands in for the hosted backend; the real Prometheus is covered in `prometheus.rs`.

mod support;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use gonogo::gate::{GateState, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use support::{check, config, error_of, state_of, value_of};

#[derive(Default)]
struct Seen {
    authorization: Option<String>,
    tenant: Option<String>,
    query: Option<String>,
}

async fn query(
    State(seen): State<Arc<Mutex<Seen>>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut s = seen.lock().unwrap();
    s.authorization = header("authorization");
    s.tenant = header("x-scope-orgid");
    s.query = params.get("query").cloned();
    // "123:glc_secret" in base64.
    if s.authorization.as_deref() != Some("Basic MTIzOmdsY19zZWNyZXQ=") {
        return (
            StatusCode::UNAUTHORIZED,
            "authentication error: invalid credentials",
        )
            .into_response();
    }
    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1788443050.781,"1"]}]}}"#
        .into_response()
}

async fn backend() -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let router = Router::new()
        .route("/api/prom/api/v1/query", get(query))
        .with_state(seen.clone());
    (format!("{}", support::serve(router).await), seen)
}

fn cfg(addr: &str, password: &str) -> gonogo::config::Config {
    config(&format!(
        "{}[prometheus]\nurl = \"http://123:{password}@{addr}/api/prom\"\nheaders = {{ X-Scope-OrgID = \"tenant-1\" }}\n\n\
         [[gate]]\nid = \"syn\"\nsource = \"prometheus\"\nquery = 'min(probe_success{{job=\"synthetic-journey\"}})'\npass = \"== 1\"\ntimeout = \"3s\"\n",
        support::LAUNCH
    ))
}

#[tokio::test]
async fn basic_auth_prefix_and_tenant_header_are_sent() {
    let (addr, seen) = backend().await;
    let c = cfg(&addr, "glc_secret");
    let result = check(&c, "syn").await;
    assert_eq!(value_of(&result), Value::Number(1.0));
    let s = seen.lock().unwrap();
    assert_eq!(s.tenant.as_deref(), Some("tenant-1"));
    assert_eq!(
        s.query.as_deref(),
        Some(r#"min(probe_success{job="synthetic-journey"})"#)
    );
}

#[tokio::test]
async fn refused_credentials_are_unknown_and_never_echoed() {
    let (addr, _) = backend().await;
    let c = cfg(&addr, "glc_wrong_password_value");
    let result = check(&c, "syn").await;
    let e = error_of(&result);
    assert!(e.contains("401"), "{e}");
    assert!(!e.contains("glc_wrong_password_value"), "{e}");
    assert_eq!(state_of(&c, result), GateState::Unknown);
}
