//! The HTTP API of `recond serve`: health, Prometheus metrics, and read-only JSON views
//! of files, payments, applications and status. Errors are logged in full and answered
//! with a stable code, never with internals.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::cli::ExportWhat;
use crate::commands;
use crate::daemon::Shared;
use crate::store::exports;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/status", get(status))
        .route("/api/files", get(files))
        .route("/api/payments", get(payments))
        .route("/api/applications", get(applications))
        .route("/api/exceptions", get(exceptions))
        .with_state(shared)
}

/// An error answered as `{"error": code}` with a status; the details go to the log.
struct ApiError {
    status: StatusCode,
    code: &'static str,
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> ApiError {
        tracing::error!(
            message = "API request failed.",
            error = format!("{error:#}")
        );
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "database_unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.code }))).into_response()
    }
}

async fn healthz(State(shared): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    let mut conn = shared.store.acquire().await?;
    exports::ping(&mut conn).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

async fn metrics(State(shared): State<Shared>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        shared.metrics.render(),
    )
}

async fn status(State(shared): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    let mut conn = shared.store.acquire().await?;
    let mut body = serde_json::Map::new();
    for (group, key, count) in exports::status_counts(&mut conn).await? {
        let entry = body.entry(group).or_insert_with(|| serde_json::json!({}));
        entry[key] = serde_json::json!(count);
    }
    Ok(Json(serde_json::Value::Object(body)))
}

#[derive(Deserialize)]
struct FilesQuery {
    outcome: Option<String>,
}

async fn files(
    State(shared): State<Shared>,
    Query(query): Query<FilesQuery>,
) -> Result<Json<Vec<exports::ReceiptRow>>, ApiError> {
    let mut conn = shared.store.acquire().await?;
    Ok(Json(
        exports::receipts(&mut conn, query.outcome.as_deref()).await?,
    ))
}

async fn export_table(
    shared: &Shared,
    what: ExportWhat,
) -> Result<Json<serde_json::Value>, ApiError> {
    let table = commands::export(&shared.store, what).await?;
    let rows: Vec<serde_json::Value> = table
        .rows
        .iter()
        .map(|row| {
            serde_json::Value::Object(
                table
                    .headers
                    .iter()
                    .zip(row)
                    .map(|(h, v)| (h.to_string(), serde_json::json!(v)))
                    .collect(),
            )
        })
        .collect();
    Ok(Json(serde_json::Value::Array(rows)))
}

async fn payments(State(shared): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    export_table(&shared, ExportWhat::Payments).await
}

async fn applications(State(shared): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    export_table(&shared, ExportWhat::Applications).await
}

async fn exceptions(
    State(shared): State<Shared>,
) -> Result<Json<Vec<exports::ExceptionRow>>, ApiError> {
    Ok(Json(commands::open_exceptions(&shared.store).await?))
}
