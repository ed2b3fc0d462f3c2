//! A simulated Statuspage (`/api/v2/status.json`, `/api/v2/summary.json`) and GitHub issue
//! search (`/search/issues`, counting open severity-high issues) for the rehearsal.

use crate::demo::script::Indicator;
use crate::demo::world::SharedWorld;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub fn statuspage_router(world: SharedWorld) -> Router {
    Router::new()
        .route("/api/v2/status.json", get(status))
        .route("/api/v2/summary.json", get(summary))
        .with_state(world)
}

pub fn github_router(world: SharedWorld) -> Router {
    Router::new()
        .route("/search/issues", get(search_issues))
        .with_state(world)
}

fn page() -> Value {
    json!({"id": "demo", "name": "Acme", "url": "https://status.acme.example", "time_zone": "Etc/UTC"})
}

fn status_body(indicator: Indicator) -> Value {
    json!({"indicator": indicator.as_str(), "description": indicator.description()})
}

async fn status(State(world): State<SharedWorld>) -> Response {
    let indicator = world.lock().status;
    axum::Json(json!({"page": page(), "status": status_body(indicator)})).into_response()
}

async fn summary(State(world): State<SharedWorld>) -> Response {
    let indicator = world.lock().status;
    let checkout = match indicator {
        Indicator::None => "operational",
        Indicator::Minor => "degraded_performance",
    };
    axum::Json(json!({
        "page": page(),
        "status": status_body(indicator),
        "components": [
            {"id": "api", "name": "API", "status": "operational"},
            {"id": "checkout", "name": "Checkout", "status": checkout},
        ],
        "incidents": [],
    }))
    .into_response()
}

/// Counts the open severity-high issues for a search naming that label; other searches find none.
async fn search_issues(
    State(world): State<SharedWorld>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let q = params
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let asks_for_high = q.contains("label:severity-high") && q.contains("is:open");
    let total = if asks_for_high {
        world.lock().high_issues
    } else {
        0
    };
    let items: Vec<Value> = (0..total)
        .map(|i| {
            json!({"number": 412 + i, "title": "Checkout double-charges on retry", "state": "open",
                   "labels": [{"name": "severity-high"}]})
        })
        .collect();
    axum::Json(json!({"total_count": total, "incomplete_results": false, "items": items}))
        .into_response()
}
