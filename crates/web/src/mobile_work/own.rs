//! A person's own mobile work: their agreements with the whole history, the texts they
//! still have to acknowledge, what the rules allow; acknowledging a text; applying. An
//! application is checked by `planner::agreement_rules` (through
//! `planner::approval::Applied::submit`): every broken rule comes back at once with its
//! German reason (422) and nothing is stored.

use super::admin::TextView;
use super::rules::{hours, weekdays, DayHours, RulesSummary};
use super::views::{agreement_view, AgreementView};
use super::{applicant, audit, body, current_rules, local_now, required_rules, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use jiff::civil::Date;
use planner::agreement_rules::{Acknowledgement, Application};
use planner::approval::Applied;
use planner::ids::AgreementId;
use planner::terms::DaysPattern;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The signed-in person's mobile work.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    /// What the service agreement allows; none while it is not set up.
    pub rules: Option<RulesSummary>,
    /// The texts to acknowledge (again) before applying, in their current versions.
    pub to_acknowledge: Vec<TextView>,
    /// Every agreement and application, oldest first, each with its history.
    pub agreements: Vec<AgreementView>,
}

async fn overview_of(state: &AppState, who: &SignedIn) -> Result<Overview, ApiError> {
    let rules = current_rules(state).await?;
    let to_acknowledge = state
        .store
        .unacknowledged_texts(who.account.id)
        .await?
        .into_iter()
        .map(TextView::from)
        .collect();
    let mut agreements = Vec::new();
    for row in state.store.agreements_of(who.account.id).await? {
        agreements.push(agreement_view(state, row).await?);
    }
    Ok(Overview {
        rules: rules.as_ref().map(RulesSummary::of),
        to_acknowledge,
        agreements,
    })
}

/// One's own agreements with their history, the texts still to acknowledge and the
/// rules.
#[utoipa::path(get, path = "/api/v1/mobile-work", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Overview)))]
pub async fn overview(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(overview_of(&state, &who).await?))
}

/// The version of a text one acknowledges.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgementBody {
    /// The text's key.
    pub key: String,
    /// The version read.
    pub version: u32,
}

/// Acknowledge having read a version of a text.
#[utoipa::path(post, path = "/api/v1/mobile-work/acknowledgements", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = AcknowledgementBody,
    responses((status = 200, body = Overview),
        (status = 422, description = "No such text in that version", body = ErrorBody)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<Overview>, ApiError> {
    let ack: AcknowledgementBody = body(raw)?;
    let key = ack.key.trim();
    if state
        .store
        .acknowledgement_text(key, ack.version)
        .await?
        .is_none()
    {
        return Err(unprocessable(
            "key",
            "unknown_text",
            &format!("Den Text „{key}“ gibt es nicht in Fassung {}.", ack.version),
        ));
    }
    state
        .store
        .acknowledge_text(who.account.id, key, ack.version, state.live.now_ms())
        .await?;
    audit(
        &state,
        &who,
        "mobile_work.acknowledged",
        Some(who.account.login.as_str()),
        format!("text {key} version {}", ack.version),
    )
    .await?;
    Ok(Json(overview_of(&state, &who).await?))
}

/// An application: fixed weekdays or a number of days per week, from a day, optionally
/// until a day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    /// Fixed weekdays (`mon` … `sun`); or `days_per_week`.
    #[serde(default)]
    pub weekdays: Option<Vec<String>>,
    /// Any working days, this many per week; or `weekdays`.
    #[serde(default)]
    pub days_per_week: Option<u8>,
    /// The first day (`YYYY-MM-DD`).
    pub start: String,
    /// The last day (`YYYY-MM-DD`); none: open-ended (if the rules allow it).
    #[serde(default)]
    pub end: Option<String>,
    /// When one will be reachable on mobile days; none: the core hours.
    #[serde(default)]
    pub reachable: Option<DayHours>,
    /// Why (shown to the deciders only).
    #[serde(default)]
    pub reason: Option<String>,
}

fn day(field: &str, text: &str) -> Result<Date, ApiError> {
    text.trim().parse::<Date>().map_err(|_| {
        unprocessable(
            field,
            "not_a_date",
            &format!("„{text}“ ist kein Datum; bitte als JJJJ-MM-TT angeben."),
        )
    })
}

/// Every text version the signed-in person has acknowledged.
pub(crate) async fn acknowledged(
    state: &AppState,
    who: &SignedIn,
) -> Result<Vec<Acknowledgement>, ApiError> {
    Ok(state
        .store
        .acknowledgements_of(who.account.id)
        .await?
        .into_iter()
        .map(|a| Acknowledgement {
            key: a.key,
            version: a.version,
        })
        .collect())
}

/// The planner's application from the form (its form checked; the rules come after).
pub(crate) fn application(
    form: &ApplicationBody,
    acknowledged: Vec<Acknowledgement>,
) -> Result<Application, ApiError> {
    let pattern = match (&form.weekdays, form.days_per_week) {
        (Some(days), None) => DaysPattern::Weekdays(weekdays("weekdays", days)?),
        (None, Some(n)) => DaysPattern::PerWeek(n),
        _ => {
            return Err(unprocessable(
                "days",
                "one_pattern",
                "Bitte entweder feste Wochentage oder eine Zahl von Tagen pro Woche angeben.",
            ))
        }
    };
    let reason = form
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 2000) {
        return Err(unprocessable(
            "reason",
            "too_long",
            "Die Begründung darf höchstens 2000 Zeichen lang sein.",
        ));
    }
    Ok(Application {
        pattern,
        start: day("start", &form.start)?,
        end: form.end.as_deref().map(|e| day("end", e)).transpose()?,
        reachable: form
            .reachable
            .as_ref()
            .map(|h| hours("reachable", h))
            .transpose()?,
        acknowledged,
        reason: reason.map(str::to_string),
    })
}

/// Apply for mobile work. Every text must be acknowledged in its current version first;
/// every rule the application breaks is listed (422) and nothing is stored. A person
/// with an open application or an agreement in force cannot apply again (409).
#[utoipa::path(post, path = "/api/v1/mobile-work/applications", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = ApplicationBody,
    responses((status = 201, body = AgreementView),
        (status = 409, description = "The rules are not set up, or an application or agreement is open", body = ErrorBody),
        (status = 422, description = "Broken rules (each with its field, problem and reason) or a bad form; nothing stored", body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<AgreementView>), ApiError> {
    let form: ApplicationBody = body(raw)?;
    let rules = required_rules(&state).await?;
    let application = application(&form, acknowledged(&state, &who).await?)?;
    let person = applicant(&state, &who).await?;
    // The planner needs an id before the row exists; the store assigns the real one.
    let (applied, record) = Applied::submit(
        AgreementId(0),
        &person,
        application,
        &rules,
        local_now(&state),
    )?;
    let id = state
        .store
        .insert_agreement_unless_open(&applied, &record, state.live.now_ms())
        .await?;
    audit(
        &state,
        &who,
        "mobile_work.applied",
        Some(who.account.login.as_str()),
        format!("agreement {id}: {}", record.action.key()),
    )
    .await?;
    super::notify::application_waits(&state, who.account.id, id).await;
    let row = state.store.agreement(id).await?.ok_or(ApiError::Internal)?;
    Ok((
        StatusCode::CREATED,
        Json(agreement_view(&state, row).await?),
    ))
}
