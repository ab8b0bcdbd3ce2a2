//! `GET /api/v1/admin/directory` (settings and the latest syncs) and
//! `POST /api/v1/admin/directory/sync` (sync now, or a dry run).

use super::SyncReport;
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The directory settings as the admin page shows them (no password).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectorySettings {
    /// The server's URL.
    pub url: String,
    /// Where the people are.
    pub base_dn: String,
    /// Which entries are people.
    pub user_filter: String,
    /// Minutes between syncs (0: only at start and on demand).
    pub interval_minutes: u32,
    /// Share (per cent) that may be disabled without confirmation.
    pub max_disable_percent: f64,
    /// People sign in with the directory's password.
    pub password_sign_in: bool,
}

/// One sync as logged.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncRunView {
    /// When it started (ISO 8601, UTC).
    pub started_at: String,
    /// Seconds it took.
    pub seconds: i64,
    /// `start`, `schedule`, `cli` or `admin`.
    pub trigger: String,
    /// What it did (see the sync's report).
    #[serde(flatten)]
    pub report: SyncReport,
}

/// The directory page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryOverview {
    /// Whether a directory is configured (`[directory.ldap]`).
    pub configured: bool,
    /// Its settings, when configured.
    pub settings: Option<DirectorySettings>,
    /// The latest syncs, newest first.
    pub runs: Vec<SyncRunView>,
}

/// Settings and the latest syncs.
#[utoipa::path(get, path = "/api/v1/admin/directory", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = DirectoryOverview)))]
pub async fn overview(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<DirectoryOverview>, ApiError> {
    let runs = state
        .store
        .sync_runs(20)
        .await?
        .into_iter()
        .map(|r| SyncRunView {
            started_at: crate::time_format::iso_utc(r.started_at),
            seconds: r.finished_at - r.started_at,
            trigger: r.trigger,
            report: SyncReport {
                kind: r.kind,
                outcome: r.outcome,
                added: r.added,
                changed: r.changed,
                disabled: r.disabled,
                enabled: r.enabled,
                problems: r.problems,
                lines: r.report.lines().map(str::to_string).collect(),
            },
        })
        .collect();
    Ok(Json(DirectoryOverview {
        configured: state.directory.is_some(),
        settings: state.directory.as_ref().map(|d| d.describe()),
        runs,
    }))
}

/// What to do.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBody {
    /// Only show what would change.
    #[serde(default)]
    pub dry_run: bool,
    /// Apply even when more than the allowed share would be disabled.
    #[serde(default)]
    pub confirm: bool,
}

/// Syncs with the directory now (or shows what a sync would do).
#[utoipa::path(post, path = "/api/v1/admin/directory/sync", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = SyncBody,
    responses((status = 200, description = "The sync's report; `outcome` says whether it was applied, only planned, or stopped by the guard", body = SyncReport),
        (status = 404, description = "No directory is configured", body = ErrorBody),
        (status = 503, description = "The directory cannot be reached; nothing changed", body = ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<SyncBody>,
) -> Result<Json<SyncReport>, ApiError> {
    let Some(directory) = state.directory.clone() else {
        return Err(ApiError::NotFound(
            "Es ist kein Verzeichnis eingerichtet ([directory.ldap]).".into(),
        ));
    };
    let actor = admin.account.login.to_string();
    let report = directory
        .sync_now(body.dry_run, body.confirm, actor)
        .await
        .map_err(ApiError::Unavailable)?;
    let action = if body.dry_run {
        "admin.directory.dry_run"
    } else {
        "admin.directory.sync"
    };
    let detail = format!(
        "{}: {} added, {} changed, {} disabled, {} enabled, {} problems",
        report.outcome,
        report.added,
        report.changed,
        report.disabled,
        report.enabled,
        report.problems
    );
    audit_admin(&state, &admin, action, None, detail).await?;
    Ok(Json(report))
}
