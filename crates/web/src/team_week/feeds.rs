//! Calendar feeds (iCal) of one's own week and of one's unit, for calendar programs that
//! cannot sign in: each is reached by a secret token, shown once when created and stored
//! only as its SHA-256 (as session tokens). The person creates and revokes them; a wrong
//! or revoked token is a 404. A unit feed needs the standing a team calendar needs, checked
//! again on every fetch.

use super::calendar::calendar_of;
use super::ical::{calendar, Event};
use super::{audit, body, local_now, location_german, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use planner::calendar::add_days;
use planner::week::{Day, Week};
use serde::{Deserialize, Serialize};
use store::FeedScope;
use utoipa::ToSchema;

/// Weeks before and after this one a feed shows.
const WEEKS_BACK: i64 = 2;
const WEEKS_AHEAD: u8 = 8;

/// A feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedView {
    /// Its id.
    pub id: i64,
    /// `person` or `unit`.
    pub scope: String,
    /// The unit, for a unit feed.
    pub unit_id: Option<i64>,
    /// Created (Unix ms).
    pub created_ms: i64,
    /// The address with the token: only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One's feeds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feeds {
    /// Oldest first.
    pub feeds: Vec<FeedView>,
}

fn view(row: &store::FeedRow, url: Option<String>) -> FeedView {
    let (scope, unit_id) = match row.scope {
        FeedScope::Person => ("person", None),
        FeedScope::Unit(u) => ("unit", Some(u)),
    };
    FeedView {
        id: row.id,
        scope: scope.into(),
        unit_id,
        created_ms: row.created_ms,
        url,
    }
}

/// One's calendar feeds (without their tokens).
#[utoipa::path(get, path = "/api/v1/team-week/feeds", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Feeds)))]
pub async fn list(State(state): State<AppState>, who: SignedIn) -> Result<Json<Feeds>, ApiError> {
    let feeds = state.store.calendar_feeds_of(who.account.id).await?;
    Ok(Json(Feeds {
        feeds: feeds.iter().map(|f| view(f, None)).collect(),
    }))
}

/// What a new feed shows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    /// `person` (one's week) or `unit` (one's unit's team calendar).
    pub scope: String,
}

/// Create a feed; the answer holds its address with the secret token, once.
#[utoipa::path(post, path = "/api/v1/team-week/feeds", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = NewFeed,
    responses((status = 201, body = FeedView),
        (status = 422, description = "Unknown scope", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<FeedView>), ApiError> {
    let form: NewFeed = body(raw)?;
    let scope = match form.scope.as_str() {
        "person" => FeedScope::Person,
        "unit" => {
            let unit = state
                .store
                .unit_id_by_path(&who.account.unit.to_string())
                .await?
                .ok_or(ApiError::Internal)?;
            FeedScope::Unit(unit)
        }
        _ => {
            return Err(unprocessable(
                "scope",
                "unknown_scope",
                "Bitte „person“ (die eigene Woche) oder „unit“ (die Einheit) wählen.",
            ))
        }
    };
    let token = auth::SessionToken::generate();
    let id = state
        .store
        .add_calendar_feed(
            who.account.id,
            scope,
            &auth::token_hash(token.as_str()),
            state.live.now_ms(),
        )
        .await?;
    audit(
        &state,
        &who,
        "team_week.feed_created",
        Some(who.account.login.as_str()),
        format!("feed {id} ({})", form.scope),
    )
    .await?;
    let row = store::FeedRow {
        id,
        staff_id: who.account.id,
        scope,
        created_ms: state.live.now_ms(),
    };
    let url = format!("/api/v1/team-week/calendar/{}.ics", token.as_str());
    Ok((StatusCode::CREATED, Json(view(&row, Some(url)))))
}

/// Revoke one of one's feeds.
#[utoipa::path(delete, path = "/api/v1/team-week/feeds/{id}", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "Not one's feed", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !state.store.remove_calendar_feed(who.account.id, id).await? {
        return Err(ApiError::NotFound(
            "Diesen Kalender-Link gibt es nicht.".into(),
        ));
    }
    audit(
        &state,
        &who,
        "team_week.feed_revoked",
        Some(who.account.login.as_str()),
        format!("feed {id}"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn summary(day: &Day) -> Option<String> {
    use planner::week::Location;
    if day.morning == Location::Off && day.afternoon == Location::Off {
        return None;
    }
    Some(if day.morning == day.afternoon {
        location_german(day.morning).to_string()
    } else {
        format!(
            "Vormittag {}, Nachmittag {}",
            location_german(day.morning),
            location_german(day.afternoon)
        )
    })
}

/// The feed (`text/calendar`), by its secret token; no session needed.
#[utoipa::path(get, path = "/api/v1/team-week/calendar/{token}", tag = "team-week",
    params(("token" = String, Path, description = "The secret token, optionally with `.ics`")),
    responses((status = 200, description = "iCalendar (RFC 5545)", content_type = "text/calendar"),
        (status = 404, description = "No such feed", body = ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let not_found = || ApiError::NotFound("Diesen Kalender gibt es nicht.".into());
    let row = state
        .store
        .calendar_feed_by_hash(&auth::token_hash(token))
        .await?
        .ok_or_else(not_found)?;
    let today = local_now(&state).date();
    let monday = add_days(
        Week::containing(today, planner::calendar::WeekdaySet::EMPTY).monday(),
        -7 * WEEKS_BACK,
    );
    let weeks = WEEKS_AHEAD + WEEKS_BACK as u8;
    let stamp = jiff::Timestamp::from_second(state.now())
        .map_err(|_| ApiError::Internal)?
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let (name, events) = match row.scope {
        FeedScope::Person => {
            let workdays = super::input::workdays(&state).await?;
            let mut events = Vec::new();
            for w in 0..i64::from(weeks) {
                let week =
                    super::input::week_of(&state, row.staff_id, add_days(monday, 7 * w), workdays)
                        .await?;
                for (i, day) in week.days.iter().enumerate() {
                    if let Some(summary) = summary(day) {
                        events.push(Event {
                            uid: format!("{}-{}@durchwahl", row.staff_id, week.date(i)),
                            date: week.date(i),
                            summary,
                        });
                    }
                }
            }
            ("Meine Woche".to_string(), events)
        }
        FeedScope::Unit(unit) => {
            // The owner must still belong to the unit (or lead it).
            let owner_unit = state
                .store
                .unit_members(unit)
                .await?
                .iter()
                .any(|m| m.id == row.staff_id);
            let leads = state
                .store
                .units_led_by(row.staff_id)
                .await?
                .iter()
                .any(|l| l.unit_id == unit);
            if !owner_unit && !leads {
                return Err(not_found());
            }
            let (dates, people) = calendar_of(&state, unit, monday, weeks, None).await?;
            let mut events = Vec::new();
            for (d, date) in dates.iter().enumerate() {
                for (member, weeks) in &people {
                    if let Some(summary) = summary(&weeks[d / 7].days[d % 7]) {
                        events.push(Event {
                            uid: format!("{}-{date}@durchwahl", member.id),
                            date: *date,
                            summary: format!("{}: {summary}", member.display_name),
                        });
                    }
                }
            }
            (
                format!("Team {}", super::unit_path(&state, unit).await?),
                events,
            )
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        calendar(&name, &events, &stamp),
    ))
}
