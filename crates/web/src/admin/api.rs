//! Admin endpoints: staff, units, features, factor resets, letter codes, locks, audit log,
//! second-factor rule. Every handler takes an [`Admin`], made only after the role check.

use crate::admin::audit_trail::record;
use crate::auth::session::Admin;
use crate::error::ApiError;
use crate::AppState;
use auth::sign_in::SecondFactorRule;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use directory::contact::{parse_email, parse_name, parse_phone};
use directory::flags::Flag;
use directory::{Extension, Feature, FeatureSet, Login, RoleSet, StaffRecord, UnitPath};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{AuditFilter, FailureScope, FeatureSelection, Store};

/// Every admin route as (method, path): the router test walks this list.
pub const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/admin/staff"),
    ("GET", "/api/v1/admin/staff/{login}"),
    ("PATCH", "/api/v1/admin/staff/{login}"),
    ("POST", "/api/v1/admin/staff/{login}/reset-factors"),
    ("POST", "/api/v1/admin/staff/{login}/letter-code"),
    ("POST", "/api/v1/admin/staff/{login}/unlock"),
    ("POST", "/api/v1/admin/features"),
    ("GET", "/api/v1/admin/units"),
    ("GET", "/api/v1/admin/locked"),
    ("GET", "/api/v1/admin/audit"),
    ("GET", "/api/v1/admin/audit.csv"),
    ("GET", "/api/v1/admin/second-factor"),
    ("PUT", "/api/v1/admin/second-factor"),
    ("GET", "/api/v1/admin/groups"),
    ("POST", "/api/v1/admin/groups"),
    ("PUT", "/api/v1/admin/groups/{id}/members/{login}"),
    ("DELETE", "/api/v1/admin/groups/{id}/members/{login}"),
    ("POST", "/api/v1/admin/rooms"),
    ("GET", "/api/v1/admin/staff/{login}/phones"),
    ("POST", "/api/v1/admin/staff/{login}/phones"),
    ("DELETE", "/api/v1/admin/phones/{sip_username}"),
    ("GET", "/api/v1/admin/staff/{login}/forwarding"),
    ("PUT", "/api/v1/admin/staff/{login}/forwarding"),
];

const RULE_KEY: &str = "auth.second_factor";

/// The stored second-factor rule (default: not required).
pub async fn second_factor_rule(store: &Store) -> Result<SecondFactorRule, ApiError> {
    match store.setting(RULE_KEY).await? {
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            tracing::error!(error = %e, "stored second-factor rule is invalid");
            ApiError::Internal
        }),
        None => Ok(SecondFactorRule::default()),
    }
}

fn staff_json(s: &StaffRecord) -> Value {
    json!({
        "login": s.login.as_str(), "name": s.name, "unit": s.unit.to_string(), "extension": s.extension.as_str(),
        "email": s.email, "mobile": s.mobile, "home_phone": s.home_phone,
        "roles": s.roles.iter().map(Flag::name).collect::<Vec<_>>(),
        "features": s.features.iter().map(Flag::name).collect::<Vec<_>>(),
    })
}

/// Query of the staff list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffQuery {
    q: Option<String>,
    unit: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/v1/admin/staff?q=&unit=&limit=&offset=`: search in login, name, extension.
pub async fn list_staff(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<StaffQuery>,
) -> Result<Json<Value>, ApiError> {
    let unit = q
        .unit
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(UnitPath::parse)
        .transpose()?;
    let all = state.store.list_staff(unit.as_ref()).await?;
    let needle = q.q.unwrap_or_default().to_lowercase();
    let hits: Vec<&StaffRecord> = all
        .iter()
        .filter(|s| {
            needle.is_empty()
                || s.login.as_str().contains(&needle)
                || s.name.to_lowercase().contains(&needle)
                || s.extension.as_str().starts_with(&needle)
        })
        .collect();
    let limit = q.limit.unwrap_or(100).min(1000);
    let page: Vec<Value> = hits
        .iter()
        .skip(q.offset.unwrap_or(0))
        .take(limit)
        .map(|s| staff_json(s))
        .collect();
    Ok(Json(json!({"total": hits.len(), "staff": page})))
}

async fn person(store: &Store, login: &str) -> Result<StaffRecord, ApiError> {
    let login = Login::parse(login)?;
    store
        .person(&login)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no person with login {login}")))
}

/// The person and their account, or 404.
async fn person_and_account(
    store: &Store,
    login: &str,
) -> Result<(StaffRecord, store::Account), ApiError> {
    let p = person(store, login).await?;
    let account = store
        .account_by_login(&p.login)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok((p, account))
}

/// Audits an admin's action on a person (or on everything, with `target` `None`).
async fn audit_admin(
    state: &AppState,
    admin: &crate::auth::session::SignedIn,
    action: &str,
    target: Option<&str>,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    record(
        state,
        Some(admin.account.login.as_str()),
        action,
        target,
        &admin.session.source,
        detail,
    )
    .await
}

/// `GET /api/v1/admin/staff/{login}`: the record, factors and lock state.
pub async fn get_staff(
    State(state): State<AppState>,
    _: Admin,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (p, account) = person_and_account(&state.store, &login).await?;
    let factors = state.store.factor_summary(account.id).await?;
    let failures = state
        .store
        .failure_row(FailureScope::Account, p.login.as_str())
        .await?;
    let mut body = staff_json(&p);
    body["second_factor"] =
        json!({"totp": factors.totp, "recovery_codes_left": factors.recovery_codes_left});
    body["locked_until"] = json!(failures.locked_until.filter(|t| *t > state.now()));
    body["has_password"] = json!(account.password_hash.is_some());
    Ok(Json(body))
}

/// Changes to a person; absent fields stay as they are, `null` clears optional ones.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    name: Option<String>,
    unit: Option<String>,
    extension: Option<String>,
    #[serde(default, with = "double_option")]
    email: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    mobile: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    home_phone: Option<Option<String>>,
    roles: Option<Vec<String>>,
    features: Option<Vec<String>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

fn contact(
    value: Option<Option<String>>,
    old: Option<String>,
    parse: fn(&str) -> Result<Option<String>, directory::InvalidValue>,
) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(old),
        Some(None) => Ok(None),
        Some(Some(v)) => Ok(parse(&v)?),
    }
}

/// `PATCH /api/v1/admin/staff/{login}`: all checked first; nothing changes on any error.
pub async fn patch_staff(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
    Json(patch): Json<StaffPatch>,
) -> Result<Json<Value>, ApiError> {
    let old = person(&state.store, &login).await?;
    let flags = |names: &[String]| names.join("|");
    let new = StaffRecord {
        login: old.login.clone(),
        name: patch
            .name
            .as_deref()
            .map(parse_name)
            .transpose()?
            .unwrap_or_else(|| old.name.clone()),
        unit: patch
            .unit
            .as_deref()
            .map(UnitPath::parse)
            .transpose()?
            .unwrap_or_else(|| old.unit.clone()),
        extension: patch
            .extension
            .as_deref()
            .map(Extension::parse)
            .transpose()?
            .unwrap_or_else(|| old.extension.clone()),
        email: contact(patch.email, old.email.clone(), parse_email)?,
        mobile: contact(patch.mobile, old.mobile.clone(), parse_phone)?,
        home_phone: contact(patch.home_phone, old.home_phone.clone(), parse_phone)?,
        roles: match &patch.roles {
            Some(r) => RoleSet::parse_list(&flags(r), &['|'])?,
            None => old.roles,
        },
        features: match &patch.features {
            Some(f) => FeatureSet::parse_list(&flags(f), &['|'])?,
            None => old.features,
        },
    };
    if new.roles.is_empty() {
        return Err(ApiError::BadRequest(
            "a person needs at least one role".into(),
        ));
    }
    if new.unit != old.unit && !state.store.unit_exists(&new.unit).await? {
        return Err(ApiError::NotFound(format!(
            "no unit {:?}",
            new.unit.to_string()
        )));
    }
    state.store.update_person(&new).await?;
    // Another unit means another unit room and other colleagues on the panel, other
    // roles other rights, another extension other calls: everyone catches up now.
    state.live.directory_changed().await?;
    audit_admin(
        &state,
        &admin,
        "admin.staff.changed",
        Some(new.login.as_str()),
        changed_fields(&old, &new),
    )
    .await?;
    Ok(Json(staff_json(&new)))
}

fn changed_fields(old: &StaffRecord, new: &StaffRecord) -> String {
    let mut fields = Vec::new();
    let mut check = |name: &str, changed: bool| {
        if changed {
            fields.push(name.to_string());
        }
    };
    check("name", old.name != new.name);
    check("unit", old.unit != new.unit);
    check("extension", old.extension != new.extension);
    check("email", old.email != new.email);
    check("mobile", old.mobile != new.mobile);
    check("home_phone", old.home_phone != new.home_phone);
    check("roles", old.roles != new.roles);
    check("features", old.features != new.features);
    format!("changed: {}", fields.join(", "))
}

/// `{"feature","on","unit"|"logins"}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureBody {
    feature: String,
    on: bool,
    unit: Option<String>,
    logins: Option<Vec<String>>,
}

/// `POST /api/v1/admin/features`: switch a feature for a whole unit or a selection.
pub async fn switch_feature(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<FeatureBody>,
) -> Result<Json<Value>, ApiError> {
    let feature = Feature::parse(&body.feature)?;
    let selection = match (body.unit, body.logins) {
        (Some(unit), None) => FeatureSelection::Unit(UnitPath::parse(&unit)?),
        (None, Some(logins)) if !logins.is_empty() => FeatureSelection::Logins(
            logins
                .iter()
                .map(|l| Login::parse(l))
                .collect::<Result<_, _>>()?,
        ),
        _ => {
            return Err(ApiError::BadRequest(
                "give either \"unit\" or a non-empty \"logins\" list".into(),
            ))
        }
    };
    let result = state
        .store
        .switch_feature(feature, body.on, &selection)
        .await?;
    // Features decide who may register phones (and, later, who may do what else).
    state.live.directory_changed().await?;
    let whom = match &selection {
        FeatureSelection::Unit(u) => format!("unit {u}"),
        FeatureSelection::Logins(l) => l
            .iter()
            .map(Login::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let action = if body.on {
        "admin.feature.on"
    } else {
        "admin.feature.off"
    };
    audit_admin(
        &state,
        &admin,
        action,
        None,
        format!("{} for {whom}: {} changed", feature.name(), result.changed),
    )
    .await?;
    Ok(Json(
        json!({"selected": result.selected, "changed": result.changed}),
    ))
}

/// `POST /api/v1/admin/staff/{login}/reset-factors`: removes app, codes and sessions.
pub async fn reset_factors(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (p, account) = person_and_account(&state.store, &login).await?;
    state.store.reset_factors(account.id).await?;
    // The store ended the sessions with the factors; their sockets end now too.
    state.live.end_person(account.id, None);
    audit_admin(
        &state,
        &admin,
        "admin.factors.reset",
        Some(p.login.as_str()),
        "",
    )
    .await?;
    Ok(Json(json!({"status": "ok"})))
}

/// `POST /api/v1/admin/staff/{login}/letter-code`: a one-time code to print and send.
pub async fn letter_code(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (p, account) = person_and_account(&state.store, &login).await?;
    let code = auth::codes::generate_letter_code();
    let expires_at = state.now() + state.auth.letter_code_secs;
    state
        .store
        .set_letter_code(
            account.id,
            &auth::codes::hash_code(&code),
            expires_at,
            admin.account.login.as_str(),
        )
        .await?;
    audit_admin(
        &state,
        &admin,
        "admin.letter_code.issued",
        Some(p.login.as_str()),
        "",
    )
    .await?;
    Ok(Json(
        json!({"login": p.login.as_str(), "name": p.name, "code": code, "expires_at": expires_at}),
    ))
}

/// `POST /api/v1/admin/staff/{login}/unlock`
pub async fn unlock(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = person(&state.store, &login).await?;
    let was_locked = state
        .store
        .clear_failures(FailureScope::Account, p.login.as_str())
        .await?;
    audit_admin(&state, &admin, "admin.unlocked", Some(p.login.as_str()), "").await?;
    Ok(Json(json!({"status": "ok", "had_failures": was_locked})))
}

/// `GET /api/v1/admin/units`
pub async fn units(State(state): State<AppState>, _: Admin) -> Result<Json<Value>, ApiError> {
    let units: Vec<String> = state
        .store
        .snapshot()
        .await?
        .units
        .iter()
        .map(UnitPath::to_string)
        .collect();
    Ok(Json(json!({"units": units})))
}

/// `GET /api/v1/admin/locked`
pub async fn locked(State(state): State<AppState>, _: Admin) -> Result<Json<Value>, ApiError> {
    let list = state.store.locked_accounts(state.now()).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|l| json!({"login": l.login, "failures": l.failures, "locked_until": l.locked_until}))
        .collect();
    Ok(Json(json!({"locked": items})))
}

/// Audit query: `person`, `action` (prefix), `since`, `until` (Unix seconds), `limit`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    person: Option<String>,
    action: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    limit: Option<i64>,
}

impl AuditQuery {
    fn filter(self) -> AuditFilter {
        AuditFilter {
            person: self.person.filter(|p| !p.is_empty()),
            action_prefix: self.action.filter(|a| !a.is_empty()),
            since: self.since,
            until: self.until,
            limit: self.limit.unwrap_or(200).clamp(1, 100_000),
        }
    }
}

/// `GET /api/v1/admin/audit`
pub async fn audit(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let entries = state.store.audit_entries(&q.filter()).await?;
    let items: Vec<Value> = entries
        .iter()
        .map(|e| json!({"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "source": e.source, "detail": e.detail}))
        .collect();
    Ok(Json(json!({"entries": items})))
}

/// `GET /api/v1/admin/audit.csv`: the same entries as CSV (UTF-8 with BOM for Excel).
pub async fn audit_csv(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let entries = state.store.audit_entries(&q.filter()).await?;
    let mut out = String::from("\u{feff}time;actor;action;target;source;detail\r\n");
    for e in &entries {
        let cells = [
            crate::time_format::iso_utc(e.at),
            e.actor.clone().unwrap_or_default(),
            e.action.clone(),
            e.target.clone().unwrap_or_default(),
            e.source.clone().unwrap_or_default(),
            e.detail.clone(),
        ];
        let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&quoted.join(";"));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        out,
    ))
}

/// Quotes a CSV cell, defused as every export defuses it so spreadsheets do not run it as
/// a formula (CSV injection).
fn csv_cell(value: &str) -> String {
    let safe = directory::csv_formula::defuse(value);
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// `GET /api/v1/admin/second-factor`
pub async fn get_rule(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<SecondFactorRule>, ApiError> {
    Ok(Json(second_factor_rule(&state.store).await?))
}

/// `PUT /api/v1/admin/second-factor`
pub async fn put_rule(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(rule): Json<SecondFactorRule>,
) -> Result<Json<SecondFactorRule>, ApiError> {
    for unit in &rule.units {
        let path = UnitPath::parse(unit)?;
        if !state.store.unit_exists(&path).await? {
            return Err(ApiError::NotFound(format!("no unit {unit:?}")));
        }
    }
    let text = serde_json::to_string(&rule).map_err(|_| ApiError::Internal)?;
    state.store.set_setting(RULE_KEY, &text).await?;
    audit_admin(&state, &admin, "admin.second_factor.rule", None, text).await?;
    Ok(Json(rule))
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(super::csv_cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::csv_cell("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(super::csv_cell("\t=1+1"), "\"'\t=1+1\"");
        assert_eq!(super::csv_cell("\r=1+1"), "\"'\r=1+1\"");
    }
}
