//! Administrators' view of the staff: the directory list, one person with factors and
//! lock state, changes to a person, features for whole units, the units.

use crate::admin::{audit_admin, person, person_and_account};
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use directory::contact::{parse_email, parse_name, parse_phone};
use directory::flags::Flag;
use directory::{Extension, Feature, FeatureSet, Login, RoleSet, StaffRecord, UnitPath};
use serde::{Deserialize, Serialize};
use store::{FailureScope, FeatureSelection};
use utoipa::{IntoParams, ToSchema};

/// A person of the directory.
#[derive(Serialize, ToSchema)]
pub struct Person {
    login: String,
    name: String,
    /// The unit's path.
    unit: String,
    extension: String,
    email: Option<String>,
    mobile: Option<String>,
    home_phone: Option<String>,
    roles: Vec<&'static str>,
    features: Vec<&'static str>,
}

impl From<&StaffRecord> for Person {
    fn from(s: &StaffRecord) -> Person {
        Person {
            login: s.login.as_str().to_owned(),
            name: s.name.clone(),
            unit: s.unit.to_string(),
            extension: s.extension.as_str().to_owned(),
            email: s.email.clone(),
            mobile: s.mobile.clone(),
            home_phone: s.home_phone.clone(),
            roles: s.roles.iter().map(Flag::name).collect(),
            features: s.features.iter().map(Flag::name).collect(),
        }
    }
}

/// Query of the staff list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StaffQuery {
    /// Part of the login or name, or the start of the extension.
    q: Option<String>,
    /// A unit's path (with the units below it).
    unit: Option<String>,
    /// At most 1,000; default 100.
    limit: Option<usize>,
    offset: Option<usize>,
}

/// A page of the staff list.
#[derive(Serialize, ToSchema)]
pub struct StaffPage {
    /// All who match.
    total: usize,
    staff: Vec<Person>,
}

/// The staff, searched by login, name or extension, and by unit.
#[utoipa::path(get, path = "/api/v1/admin/staff", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(StaffQuery),
    responses((status = 200, body = StaffPage), (status = 400, description = "Bad unit path", body = ErrorBody)))]
pub async fn list_staff(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<StaffQuery>,
) -> Result<Json<StaffPage>, ApiError> {
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
    let staff = hits
        .iter()
        .skip(q.offset.unwrap_or(0))
        .take(limit)
        .map(|s| Person::from(*s))
        .collect();
    Ok(Json(StaffPage {
        total: hits.len(),
        staff,
    }))
}

/// One person as administrators see them.
#[derive(Serialize, ToSchema)]
pub struct PersonDetails {
    #[serde(flatten)]
    person: Person,
    second_factor: Factors,
    /// Unix seconds until which the account is locked, if it is.
    locked_until: Option<i64>,
    has_password: bool,
}

/// A person's second factors.
#[derive(Serialize, ToSchema)]
pub struct Factors {
    totp: bool,
    recovery_codes_left: i64,
}

/// A person: the record, factors and lock state.
#[utoipa::path(get, path = "/api/v1/admin/staff/{login}", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)),
    responses((status = 200, body = PersonDetails), (status = 404, description = "Unknown login", body = ErrorBody)))]
pub async fn get_staff(
    State(state): State<AppState>,
    _: Admin,
    Path(login): Path<String>,
) -> Result<Json<PersonDetails>, ApiError> {
    let (p, account) = person_and_account(&state.store, &login).await?;
    let factors = state.store.factor_summary(account.id).await?;
    let failures = state
        .store
        .failure_row(FailureScope::Account, p.login.as_str())
        .await?;
    Ok(Json(PersonDetails {
        person: Person::from(&p),
        second_factor: Factors {
            totp: factors.totp,
            recovery_codes_left: factors.recovery_codes_left,
        },
        locked_until: failures.locked_until.filter(|t| *t > state.now()),
        has_password: account.password_hash.is_some(),
    }))
}

/// Changes to a person; absent fields stay as they are, `null` clears optional ones.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    name: Option<String>,
    unit: Option<String>,
    extension: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    mobile: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
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

/// Change a person: all checked first; nothing changes on any error. Another unit, other
/// roles or another extension take effect at once everywhere.
#[utoipa::path(patch, path = "/api/v1/admin/staff/{login}", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)), request_body = StaffPatch,
    responses((status = 200, body = Person),
        (status = 400, description = "A bad value (field and problem say which); no roles left", body = ErrorBody),
        (status = 404, description = "Unknown login or unit", body = ErrorBody),
        (status = 409, description = "The extension is someone else's, or the field belongs to the LDAP directory", body = ErrorBody)))]
pub async fn patch_staff(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
    Json(patch): Json<StaffPatch>,
) -> Result<Json<Person>, ApiError> {
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
    let (from_directory, owned) = state.store.directory_ownership().await?;
    if from_directory.contains(&old.login) {
        if let Some(field) = directory::directory_owned_change(&old, &new, owned) {
            return Err(ApiError::Conflict(format!(
                "{} kommt aus dem Verzeichnis (LDAP); das Feld {field} wird dort gepflegt.",
                old.login
            )));
        }
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
    Ok(Json(Person::from(&new)))
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
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureBody {
    feature: String,
    on: bool,
    unit: Option<String>,
    logins: Option<Vec<String>>,
}

/// How many people a feature switch selected and changed.
#[derive(Serialize, ToSchema)]
pub struct Switched {
    selected: u64,
    changed: u64,
}

/// Switch a feature for a whole unit (with its sub-units) or a selection of people.
#[utoipa::path(post, path = "/api/v1/admin/features", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = FeatureBody,
    responses((status = 200, body = Switched),
        (status = 400, description = "Unknown feature, or not exactly one of unit and logins", body = ErrorBody),
        (status = 404, description = "Unknown unit or login", body = ErrorBody)))]
pub async fn switch_feature(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<FeatureBody>,
) -> Result<Json<Switched>, ApiError> {
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
    Ok(Json(Switched {
        selected: result.selected,
        changed: result.changed,
    }))
}

/// The units.
#[derive(Serialize, ToSchema)]
pub struct Units {
    /// Paths such as `Abteilung 2/Sachgebiet 23 IKT`.
    units: Vec<String>,
}

/// All units.
#[utoipa::path(get, path = "/api/v1/admin/units", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = Units)))]
pub async fn units(State(state): State<AppState>, _: Admin) -> Result<Json<Units>, ApiError> {
    let units: Vec<String> = state
        .store
        .snapshot()
        .await?
        .units
        .iter()
        .map(UnitPath::to_string)
        .collect();
    Ok(Json(Units { units }))
}
