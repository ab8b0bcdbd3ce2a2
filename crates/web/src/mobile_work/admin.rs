//! The administrators' part of mobile work: the service agreement's rules (checked by the
//! planner before they are stored), new versions of the texts everyone acknowledges (a
//! new version asks everyone again), and each unit's head and deputies, who decide on
//! applications. Bad input is a 422 in German and changes nothing; every change is
//! audited.

use super::rules::{Rules, RulesSummary};
use super::{body, unprocessable};
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::time_format::iso_utc_ms;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::{LeaderRole, TextRow};
use utoipa::ToSchema;

/// One version of an acknowledgement text.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextView {
    /// Its key, e.g. `datenschutz`.
    pub key: String,
    /// Its version, from 1.
    pub version: u32,
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
    /// When it was published (UTC).
    pub published: String,
}

impl From<TextRow> for TextView {
    fn from(t: TextRow) -> TextView {
        TextView {
            key: t.key,
            version: t.version,
            title: t.title,
            body: t.body,
            published: iso_utc_ms(t.published_ms),
        }
    }
}

/// The rules as set, and the texts in their current versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesPage {
    /// The rules; none until they are set.
    pub rules: Option<Rules>,
    /// What people read of them.
    pub summary: Option<RulesSummary>,
    /// The texts everyone acknowledges before applying, in their current versions.
    pub texts: Vec<TextView>,
}

async fn rules_page(state: &AppState) -> Result<RulesPage, ApiError> {
    let texts = state.store.current_acknowledgement_texts().await?;
    let rules = match state.store.mobile_work_rules().await? {
        Some(stored) => Some(Rules::from_stored(stored)?),
        None => None,
    };
    let summary = match &rules {
        Some(r) => Some(RulesSummary::of(&r.to_planner(&texts)?)),
        None => None,
    };
    Ok(RulesPage {
        rules,
        summary,
        texts: texts.into_iter().map(TextView::from).collect(),
    })
}

/// The service agreement's rules and the current texts.
#[utoipa::path(get, path = "/api/v1/admin/mobile-work/rules", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = RulesPage)))]
pub async fn get_rules(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<RulesPage>, ApiError> {
    Ok(Json(rules_page(&state).await?))
}

/// Every unit and person the eligibility rules name exists (else 422 naming the field).
async fn known_units_and_people(state: &AppState, rules: &Rules) -> Result<(), ApiError> {
    let e = &rules.eligibility;
    for (field, units) in [
        ("eligibility.units", &e.units),
        ("eligibility.excluded_units", &e.excluded_units),
    ] {
        for unit in units {
            if state.store.unit_path_by_id(*unit).await?.is_none() {
                return Err(unprocessable(
                    field,
                    "unknown_unit",
                    &format!("Die Organisationseinheit {unit} gibt es nicht."),
                ));
            }
        }
    }
    for person in &e.excluded_people {
        if state.store.panel_person_by_id(*person).await?.is_none() {
            return Err(unprocessable(
                "eligibility.excluded_people",
                "unknown_person",
                &format!("Im Verzeichnis gibt es niemanden mit der Nummer {person}."),
            ));
        }
    }
    Ok(())
}

/// Set the service agreement's rules (replacing the previous ones). They are checked as a
/// whole first: limits within a week and a month, core hours that end after they start,
/// known weekdays, units and people that exist.
#[utoipa::path(put, path = "/api/v1/admin/mobile-work/rules", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = Rules,
    responses((status = 200, body = RulesPage),
        (status = 422, description = "Rules that are not consistent or not in the documented form; nothing stored", body = ErrorBody)))]
pub async fn put_rules(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<RulesPage>, ApiError> {
    let rules: Rules = body(raw)?;
    let texts = state.store.current_acknowledgement_texts().await?;
    let checked = rules.to_planner(&texts)?;
    known_units_and_people(&state, &rules).await?;
    state
        .store
        .set_mobile_work_rules(&rules.to_stored(), state.live.now_ms())
        .await?;
    audit_admin(
        &state,
        &admin,
        "admin.mobile_work.rules_set",
        None,
        format!(
            "{} days a week, {} a month, notice {} days, longest term {}",
            checked.limits.days_per_week,
            checked.limits.days_per_month,
            checked.notice_days,
            checked
                .max_term_days
                .map_or("open".to_string(), |d| format!("{d} days"))
        ),
    )
    .await?;
    Ok(Json(rules_page(&state).await?))
}

/// A new version of a text (version 1 for a new key).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewText {
    /// Its key: lower-case letters, digits, `-` and `_`, e.g. `datenschutz`.
    pub key: String,
    /// The title, e.g. `Belehrung Datenschutz`.
    pub title: String,
    /// The text.
    pub body: String,
}

fn good_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Publish a new version of an acknowledgement text: everyone acknowledges it (again)
/// before they apply.
#[utoipa::path(post, path = "/api/v1/admin/mobile-work/texts", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewText,
    responses((status = 201, body = TextView),
        (status = 409, description = "Another version was published at the same moment", body = ErrorBody),
        (status = 422, description = "A bad key, an empty title or text; nothing stored", body = ErrorBody)))]
pub async fn publish_text(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<TextView>), ApiError> {
    let new: NewText = body(raw)?;
    let key = new.key.trim();
    if !good_key(key) {
        return Err(unprocessable(
            "key",
            "bad_key",
            "Der Schlüssel besteht aus 1 bis 40 Kleinbuchstaben, Ziffern, - und _, z. B. \
             datenschutz.",
        ));
    }
    let (title, text) = (new.title.trim(), new.body.trim());
    if title.is_empty() || title.chars().count() > 200 {
        return Err(unprocessable(
            "title",
            "bad_title",
            "Bitte einen Titel mit höchstens 200 Zeichen angeben.",
        ));
    }
    if text.is_empty() || text.len() > 100_000 {
        return Err(unprocessable(
            "body",
            "bad_body",
            "Bitte den Text angeben (höchstens 100 000 Zeichen).",
        ));
    }
    let published = state
        .store
        .publish_acknowledgement_text(key, title, text, state.live.now_ms())
        .await?;
    audit_admin(
        &state,
        &admin,
        "admin.mobile_work.text_published",
        None,
        format!("text {key} version {}", published.version),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(published.into())))
}

/// A unit's head and deputies, by login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Leaders {
    /// The head's login; none: no head.
    #[serde(default)]
    pub head: Option<String>,
    /// The deputies' logins.
    #[serde(default)]
    pub deputies: Vec<String>,
}

/// A person named in the leadership.
#[derive(Debug, Serialize, ToSchema)]
pub struct Leader {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
}

/// A unit's leadership as set.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitLeaders {
    /// The unit's id.
    pub unit_id: i64,
    /// The unit's path.
    pub unit: String,
    /// The head.
    pub head: Option<Leader>,
    /// The deputies.
    pub deputies: Vec<Leader>,
}

async fn person(state: &AppState, field: &str, login: &str) -> Result<(i64, Leader), ApiError> {
    let login = login.trim();
    let p = state.store.panel_person(login).await?.ok_or_else(|| {
        unprocessable(
            field,
            "unknown_login",
            &format!("Im Verzeichnis gibt es niemanden mit dem Benutzernamen „{login}“."),
        )
    })?;
    Ok((
        p.id,
        Leader {
            login: p.login,
            name: p.name,
        },
    ))
}

/// A unit's head and deputies.
#[utoipa::path(get, path = "/api/v1/admin/units/{id}/leaders", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The unit's id")),
    responses((status = 200, body = UnitLeaders),
        (status = 404, description = "No such unit", body = ErrorBody)))]
pub async fn get_leaders(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<UnitLeaders>, ApiError> {
    let unit =
        state.store.unit_path_by_id(id).await?.ok_or_else(|| {
            ApiError::NotFound("Diese Organisationseinheit gibt es nicht.".into())
        })?;
    Ok(Json(leaders_of(&state, id, unit).await?))
}

/// The head and deputies of the unit `id` (at `unit`), as set.
pub(crate) async fn leaders_of(
    state: &AppState,
    id: i64,
    unit: String,
) -> Result<UnitLeaders, ApiError> {
    let mut leaders = UnitLeaders {
        unit_id: id,
        unit,
        head: None,
        deputies: Vec::new(),
    };
    for leader in state.store.unit_leaders(id).await? {
        let Some(p) = state.store.panel_person_by_id(leader.staff_id).await? else {
            continue;
        };
        let named = Leader {
            login: p.login,
            name: p.name,
        };
        match leader.role {
            LeaderRole::Head => leaders.head = Some(named),
            LeaderRole::Deputy => leaders.deputies.push(named),
        }
    }
    Ok(leaders)
}

/// Set a unit's head and deputies (replacing the previous ones). The head decides on the
/// applications of the unit's staff; while the head is absent, a deputy.
#[utoipa::path(put, path = "/api/v1/admin/units/{id}/leaders", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The unit's id")),
    request_body = Leaders,
    responses((status = 200, body = UnitLeaders),
        (status = 404, description = "No such unit", body = ErrorBody),
        (status = 422, description = "An unknown login, or the head also a deputy; nothing stored", body = ErrorBody)))]
pub async fn set_leaders(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<UnitLeaders>, ApiError> {
    let unit =
        state.store.unit_path_by_id(id).await?.ok_or_else(|| {
            ApiError::NotFound("Diese Organisationseinheit gibt es nicht.".into())
        })?;
    let leaders: Leaders = body(raw)?;
    let head = match leaders.head.as_deref().map(str::trim) {
        Some(login) if !login.is_empty() => Some(person(&state, "head", login).await?),
        _ => None,
    };
    let mut deputies = Vec::new();
    for login in &leaders.deputies {
        let (id, who) = person(&state, "deputies", login).await?;
        if head.as_ref().is_some_and(|(h, _)| *h == id) {
            return Err(unprocessable(
                "deputies",
                "head_is_deputy",
                "Die Leitung kann nicht zugleich ihre eigene Vertretung sein.",
            ));
        }
        if !deputies.iter().any(|(d, _)| *d == id) {
            deputies.push((id, who));
        }
    }
    let deputy_ids: Vec<i64> = deputies.iter().map(|(d, _)| *d).collect();
    state
        .store
        .set_unit_leaders(id, head.as_ref().map(|(h, _)| *h), &deputy_ids)
        .await?;
    let logins = |people: &[(i64, Leader)]| {
        people
            .iter()
            .map(|(_, l)| l.login.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    audit_admin(
        &state,
        &admin,
        "admin.mobile_work.leaders_set",
        Some(&unit),
        format!(
            "head {}; deputies {}",
            head.as_ref().map_or("none", |(_, l)| l.login.as_str()),
            if deputies.is_empty() {
                "none".to_string()
            } else {
                logins(&deputies)
            }
        ),
    )
    .await?;
    Ok(Json(UnitLeaders {
        unit_id: id,
        unit,
        head: head.map(|(_, l)| l),
        deputies: deputies.into_iter().map(|(_, l)| l).collect(),
    }))
}
