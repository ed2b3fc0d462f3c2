//! A simulated Prometheus `/api/v1/query` (GET or form POST) that answers the rehearsal's own
//! PromQL with the documented envelope, and `bad_data` for anything else.

use crate::demo::world::SharedWorld;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The synthetic journey gate's query.
pub const SYNTHETIC_QUERY: &str = r#"min(probe_success{job="synthetic-journey"})"#;
/// The k6 nightly gate's query.
pub const NIGHTLY_QUERY: &str = "time() - max(k6_nightly_last_success_timestamp_seconds)";

pub fn router(world: SharedWorld) -> Router {
    Router::new()
        .route("/api/v1/query", get(query_get).post(query_post))
        .with_state(world)
}

async fn query_get(
    State(world): State<SharedWorld>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let query = params
        .into_iter()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v);
    answer(&world, query.as_deref())
}

async fn query_post(State(world): State<SharedWorld>, body: Bytes) -> Response {
    let query = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.into_owned());
    answer(&world, query.as_deref())
}

fn bad_data(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"status": "error", "errorType": "bad_data", "error": message})),
    )
        .into_response()
}

fn answer(world: &SharedWorld, query: Option<&str>) -> Response {
    let Some(query) = query.filter(|q| !q.trim().is_empty()) else {
        return bad_data(
            "invalid parameter \"query\": 1:1: parse error: no expression found in input".into(),
        );
    };
    match evaluate(world, query) {
        Some(data) => axum::Json(json!({"status": "success", "data": data})).into_response(),
        None => bad_data(format!(
            "the rehearsal's Prometheus answers only its own queries ({SYNTHETIC_QUERY}, {NIGHTLY_QUERY} and their parts), not {}",
            crate::text::sanitize_short(query, 120)
        )),
    }
}

/// The `data` object for a known query, or `None`.
pub fn evaluate(world: &SharedWorld, query: &str) -> Option<Value> {
    let now = world.clock.story_now();
    let t = now.timestamp_millis() as f64 / 1000.0;
    let (up, passed_at) = {
        let w = world.lock();
        (w.synthetic_up, w.nightly_passed_at)
    };
    let passed = passed_at.timestamp_millis() as f64 / 1000.0;
    let probe = if up { 1.0 } else { 0.0 };
    let vector = |metric: Value, v: f64| json!({"resultType": "vector", "result": [{"metric": metric, "value": [t, number(v)]}]});
    let probe_labels = json!({"__name__": "probe_success", "instance": "checkout-journey", "job": "synthetic-journey"});
    let nightly_labels =
        json!({"__name__": "k6_nightly_last_success_timestamp_seconds", "job": "k6-nightly"});
    let compact: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    let squash = |q: &str| q.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let data = match compact.as_str() {
        q if q == squash(SYNTHETIC_QUERY) => vector(json!({}), probe),
        q if q == squash(r#"probe_success{job="synthetic-journey"}"#) => {
            vector(probe_labels, probe)
        }
        q if q == squash(NIGHTLY_QUERY) => vector(json!({}), t - passed),
        "max(k6_nightly_last_success_timestamp_seconds)" => vector(json!({}), passed),
        "k6_nightly_last_success_timestamp_seconds" => vector(nightly_labels, passed),
        "time()" => json!({"resultType": "scalar", "result": [t, number(t)]}),
        _ => return None,
    };
    Some(data)
}

/// Sample values are strings, as Prometheus sends them.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::world::{StoryClock, World};

    #[test]
    fn answers_the_gate_queries_the_client_can_read() {
        let clock = StoryClock::start(1.0);
        let world = SharedWorld::new(World::opening(&clock), clock);
        for (query, expected) in [(SYNTHETIC_QUERY, 1.0), (NIGHTLY_QUERY, 107_040.0)] {
            let data = evaluate(&world, &query.replace(' ', "  ")).unwrap();
            let body = json!({"status": "success", "data": data}).to_string();
            let obs = crate::source::prometheus::parse_response(
                200,
                body.as_bytes(),
                1,
                None,
                &crate::text::Redactor::default(),
            )
            .unwrap();
            let n = obs.value.as_number().unwrap();
            assert!((n - expected).abs() < 5.0, "{query}: {n}");
        }
        assert!(evaluate(&world, "up").is_none());
    }
}
