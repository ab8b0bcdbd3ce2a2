//! The administrators' rollout: each feature's cap and waiting-list criteria, its
//! holders and its waiting list in the planner's order; changing the cap. Raising it
//! admits the next in line (`planner::rollout::change_cap`) in the same transaction as
//! the new cap, audited, and tells them; lowering it takes the feature from nobody. Bad
//! input is a 422 in German and changes nothing.

use super::{known, label, notify, FEATURES};
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::mobile_work::{body, unprocessable};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use planner::rollout::{change_cap, Applicant, Scheme};
use serde::{Deserialize, Serialize};
use store::RolloutCriterionRow;
use utoipa::ToSchema;

/// The most a cap may be.
const MAX_CAP: u32 = 1_000_000;

/// A priority criterion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionBody {
    /// A stable key: lower-case letters, digits and `_`, e.g. `schwerbehinderung`.
    pub key: String,
    /// What people see, e.g. `Schwerbehinderung`.
    pub label: String,
    /// Its weight (with the scheme `weights`), 0 to 1000.
    #[serde(default)]
    pub weight: u32,
}

/// A person in the rollout.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonItem {
    /// Their login.
    pub login: String,
    /// Their name.
    pub name: String,
    /// Their unit.
    pub unit: String,
}

/// Someone on the waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingItem {
    /// 1: next in line.
    pub position: usize,
    /// Who.
    #[serde(flatten)]
    pub person: PersonItem,
    /// When they applied (local time).
    pub applied_at: String,
    /// The criteria they meet.
    pub criteria: Vec<String>,
}

/// A feature's rollout.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureView {
    /// The key, e.g. `mobile_work`.
    pub feature: String,
    /// Its German name.
    pub label: String,
    /// Whether a rollout is set up.
    pub configured: bool,
    /// The cap; none: no cap.
    pub cap: Option<u32>,
    /// `weights` or `tiers`.
    pub scheme: String,
    /// The criteria, highest rank first.
    pub criteria: Vec<CriterionBody>,
    /// How many have it.
    pub holders: u32,
    /// Who has it.
    pub holder_list: Vec<PersonItem>,
    /// The waiting list in order.
    pub waiting: Vec<WaitingItem>,
}

/// Every feature's rollout.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutList {
    /// In the fixed order of features.
    pub features: Vec<FeatureView>,
}

async fn person(state: &AppState, id: i64) -> Result<PersonItem, ApiError> {
    Ok(match state.store.panel_person_by_id(id).await? {
        Some(p) => PersonItem {
            login: p.login,
            name: p.name,
            unit: p.unit,
        },
        None => PersonItem {
            login: String::new(),
            name: format!("(ausgeschieden, Nr. {id})"),
            unit: String::new(),
        },
    })
}

pub(crate) async fn view(state: &AppState, key: &'static str) -> Result<FeatureView, ApiError> {
    let name = label(key).unwrap_or(key).to_string();
    let Some(f) = state.store.rollout_feature(key).await? else {
        return Ok(FeatureView {
            feature: key.into(),
            label: name,
            configured: false,
            cap: None,
            scheme: "weights".into(),
            criteria: Vec::new(),
            holders: 0,
            holder_list: Vec::new(),
            waiting: Vec::new(),
        });
    };
    let mut holder_list = Vec::new();
    for p in state.store.rollout_holders(key).await? {
        holder_list.push(person(state, p.0).await?);
    }
    let rows = state.store.waiting_list(key).await?;
    let applicants: Vec<Applicant> = rows.iter().map(|w| w.applicant()).collect();
    let mut waiting = Vec::new();
    for (i, a) in f.priority.order(&applicants).into_iter().enumerate() {
        waiting.push(WaitingItem {
            position: i + 1,
            person: person(state, a.person.0).await?,
            applied_at: a.applied_at.to_string(),
            criteria: a.criteria.clone(),
        });
    }
    Ok(FeatureView {
        feature: key.into(),
        label: name,
        configured: true,
        cap: f.cap,
        scheme: match f.priority.scheme {
            Scheme::Weights => "weights",
            Scheme::Tiers => "tiers",
        }
        .into(),
        criteria: f
            .criteria
            .into_iter()
            .map(|c| CriterionBody {
                key: c.key,
                label: c.label,
                weight: c.weight,
            })
            .collect(),
        holders: f.holders,
        holder_list,
        waiting,
    })
}

/// Every feature's rollout, set up or not.
#[utoipa::path(get, path = "/api/v1/admin/rollout", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = RolloutList)))]
pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<RolloutList>, ApiError> {
    let mut features = Vec::new();
    for (key, _) in FEATURES {
        features.push(view(&state, key).await?);
    }
    Ok(Json(RolloutList { features }))
}

/// One feature's rollout with its holders and waiting list.
#[utoipa::path(get, path = "/api/v1/admin/rollout/{feature}", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("feature" = String, Path, description = "mobile_work, softphone, meetings, hotline or access_gateway")),
    responses((status = 200, body = FeatureView),
        (status = 404, description = "No such feature", body = ErrorBody)))]
pub async fn get_feature(
    State(state): State<AppState>,
    _: Admin,
    Path(feature): Path<String>,
) -> Result<Json<FeatureView>, ApiError> {
    Ok(Json(view(&state, known(&feature)?).await?))
}

/// A feature's rollout as set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigureBody {
    /// At most this many people; none: no cap.
    #[serde(default)]
    pub cap: Option<u32>,
    /// `weights` (sum of weights, higher first) or `tiers` (criteria ranked in order).
    pub scheme: String,
    /// The criteria, highest rank first.
    #[serde(default)]
    pub criteria: Vec<CriterionBody>,
}

fn checked_cap(cap: Option<u32>) -> Result<Option<u32>, ApiError> {
    match cap {
        Some(c) if c > MAX_CAP => Err(unprocessable(
            "cap",
            "too_large",
            &format!("Die Obergrenze darf höchstens {MAX_CAP} sein."),
        )),
        other => Ok(other),
    }
}

fn checked_criteria(criteria: &[CriterionBody]) -> Result<Vec<RolloutCriterionRow>, ApiError> {
    if criteria.len() > 20 {
        return Err(unprocessable(
            "criteria",
            "too_many",
            "Höchstens 20 Kriterien.",
        ));
    }
    let mut rows: Vec<RolloutCriterionRow> = Vec::new();
    for c in criteria {
        let key = c.key.trim();
        let good = !key.is_empty()
            && key.len() <= 40
            && key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !good {
            return Err(unprocessable(
                "criteria.key",
                "bad_key",
                "Ein Schlüssel besteht aus 1 bis 40 Kleinbuchstaben, Ziffern und _.",
            ));
        }
        if rows.iter().any(|r| r.key == key) {
            return Err(unprocessable(
                "criteria.key",
                "duplicate",
                &format!("Das Kriterium „{key}“ ist doppelt angegeben."),
            ));
        }
        let text = c.label.trim();
        if text.is_empty() || text.chars().count() > 80 {
            return Err(unprocessable(
                "criteria.label",
                "bad_label",
                "Jedes Kriterium braucht eine Bezeichnung mit höchstens 80 Zeichen.",
            ));
        }
        if c.weight > 1000 {
            return Err(unprocessable(
                "criteria.weight",
                "too_large",
                "Ein Gewicht liegt zwischen 0 und 1000.",
            ));
        }
        rows.push(RolloutCriterionRow {
            key: key.into(),
            label: text.into(),
            weight: c.weight,
        });
    }
    Ok(rows)
}

/// Sets up or changes a feature's rollout (cap, scheme, criteria); a higher cap admits the
/// next in line at once.
#[utoipa::path(put, path = "/api/v1/admin/rollout/{feature}", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("feature" = String, Path, description = "mobile_work, softphone, meetings, hotline or access_gateway")),
    request_body = ConfigureBody,
    responses((status = 200, body = FeatureView),
        (status = 404, description = "No such feature", body = ErrorBody),
        (status = 422, description = "A bad cap, scheme or criterion; nothing changed", body = ErrorBody)))]
pub async fn configure(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(feature): Path<String>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<FeatureView>, ApiError> {
    let key = known(&feature)?;
    let form: ConfigureBody = body(raw)?;
    let cap = checked_cap(form.cap)?;
    let scheme = match form.scheme.trim() {
        "weights" => Scheme::Weights,
        "tiers" => Scheme::Tiers,
        _ => {
            return Err(unprocessable(
                "scheme",
                "unknown_scheme",
                "Die Reihenfolge ist weights (Summe der Gewichte) oder tiers (Rangfolge der \
                 Kriterien).",
            ))
        }
    };
    let criteria = checked_criteria(&form.criteria)?;
    let before = state.store.rollout_feature(key).await?;
    state
        .store
        .configure_rollout(
            key,
            before.as_ref().and_then(|f| f.cap),
            scheme,
            &criteria,
            state.live.now_ms(),
        )
        .await?;
    audit_admin(
        &state,
        &admin,
        "rollout.configured",
        Some(key),
        format!("{} criteria, scheme {}", criteria.len(), form.scheme.trim()),
    )
    .await?;
    apply_cap(&state, &admin, key, cap).await?;
    Ok(Json(view(&state, key).await?))
}

/// A new cap.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapBody {
    /// At most this many people; none (`null`): no cap.
    pub cap: Option<u32>,
}

/// Sets the cap and admits whom the planner admits under it (raising); the admitted are
/// told. Both in one transaction.
async fn apply_cap(
    state: &AppState,
    admin: &crate::auth::session::SignedIn,
    key: &'static str,
    cap: Option<u32>,
) -> Result<(), ApiError> {
    let f = state
        .store
        .rollout_feature(key)
        .await?
        .ok_or(ApiError::Internal)?;
    let waiting: Vec<Applicant> = state
        .store
        .waiting_list(key)
        .await?
        .iter()
        .map(|w| w.applicant())
        .collect();
    let admitted = change_cap(cap, f.holders, &f.priority, &waiting);
    state
        .store
        .set_rollout_cap_and_admit(key, cap, &admitted, state.live.now_ms())
        .await?;
    let shown = |c: Option<u32>| c.map_or("keine".to_string(), |c| c.to_string());
    if cap != f.cap || !admitted.is_empty() {
        audit_admin(
            state,
            admin,
            "rollout.cap_changed",
            Some(key),
            format!(
                "cap {} -> {}, {} admitted from the waiting list",
                shown(f.cap),
                shown(cap),
                admitted.len()
            ),
        )
        .await?;
    }
    for person in &admitted {
        let login = state
            .store
            .panel_person_by_id(person.0)
            .await?
            .map(|p| p.login);
        audit_admin(
            state,
            admin,
            "rollout.admitted",
            login.as_deref(),
            key.to_string(),
        )
        .await?;
    }
    notify::admitted(state, key, &admitted).await;
    Ok(())
}

/// Raises or lowers a feature's cap. Raising admits the next in line in the planner's
/// order (audited, each told live and by e-mail); lowering takes the feature from nobody.
#[utoipa::path(put, path = "/api/v1/admin/rollout/{feature}/cap", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("feature" = String, Path, description = "mobile_work, softphone, meetings, hotline or access_gateway")),
    request_body = CapBody,
    responses((status = 200, body = FeatureView),
        (status = 404, description = "No such feature", body = ErrorBody),
        (status = 409, description = "No rollout set up for the feature, or the places changed meanwhile", body = ErrorBody),
        (status = 422, description = "Not a cap; nothing changed", body = ErrorBody)))]
pub async fn set_cap(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(feature): Path<String>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<FeatureView>, ApiError> {
    let key = known(&feature)?;
    let form: CapBody = body(raw)?;
    let cap = checked_cap(form.cap)?;
    if state.store.rollout_feature(key).await?.is_none() {
        return Err(ApiError::Conflict(format!(
            "Für „{}“ ist noch kein Rollout eingerichtet.",
            label(key).unwrap_or(key)
        )));
    }
    apply_cap(&state, &admin, key, cap).await?;
    Ok(Json(view(&state, key).await?))
}
