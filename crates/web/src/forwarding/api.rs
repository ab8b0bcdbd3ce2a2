//! Call forwarding over REST: a person sets their own rules, admins anyone's. Every person
//! may: everyone in the directory has an extension, and forwarding is what someone without
//! the `softphone` feature (no device of their own) needs most. A rule's target is another
//! person's extension or `voicemail`, the person's own box. Bad input changes nothing
//! and is answered with the field and a problem code a client can show in its language.
//! Every change is audited.

use crate::auth::session::{Admin, SignedIn};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use directory::forwarding::{RuleRequest, RulesRequest, DEFAULT_NO_ANSWER_SECS};
use directory::{Extension, ForwardingError, ForwardingRules, Login, RuleKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::TargetPerson;
use utoipa::ToSchema;

/// One rule: `{on, target}`; a blank or absent target is none.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    on: bool,
    /// Extension of another person in the directory, or `voicemail` for the own
    /// voicemail box; blank or null for none. Kept while the rule is off.
    #[serde(default)]
    target: Option<String>,
}

/// The no-answer rule: `{on, target, seconds}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoAnswerBody {
    on: bool,
    /// Extension of another person in the directory, or `voicemail` for the own
    /// voicemail box; blank or null for none.
    #[serde(default)]
    target: Option<String>,
    /// Seconds of ringing before the call is forwarded (5–120, default 20).
    #[serde(default = "default_seconds")]
    #[schema(minimum = 5, maximum = 120, default = 20)]
    seconds: i64,
}

fn default_seconds() -> i64 {
    i64::from(DEFAULT_NO_ANSWER_SECS)
}

/// All three rules; a PUT replaces them together.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    always: RuleBody,
    busy: RuleBody,
    no_answer: NoAnswerBody,
}

impl RulesBody {
    fn request(&self) -> RulesRequest<'_> {
        fn rule(on: bool, target: &Option<String>) -> RuleRequest<'_> {
            RuleRequest {
                on,
                target: target.as_deref(),
            }
        }
        RulesRequest {
            always: rule(self.always.on, &self.always.target),
            busy: rule(self.busy.on, &self.busy.target),
            no_answer: rule(self.no_answer.on, &self.no_answer.target),
            no_answer_secs: self.no_answer.seconds,
        }
    }
}

/// The rule's name in German, as the web client labels it.
fn german_rule(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Always => "Immer umleiten",
        RuleKind::Busy => "Bei besetzt",
        RuleKind::NoAnswer => "Bei Nichtmelden",
    }
}

/// The field, a stable problem code and a German message for a refusal.
fn refusal(e: &ForwardingError) -> ApiError {
    let rule = e.rule();
    let name = german_rule(rule);
    let (part, problem, message) = match e {
        ForwardingError::TargetNotAnExtension { raw, .. } => (
            "target",
            "not_an_extension",
            format!("„{name}“: „{raw}“ ist keine Durchwahl. Eine Durchwahl hat 2 bis 15 Ziffern; für die eigene Mailbox „voicemail“ angeben."),
        ),
        ForwardingError::TargetMissing { .. } => (
            "target",
            "target_missing",
            format!("„{name}“ ist eingeschaltet, aber es fehlt das Ziel: eine Durchwahl oder die Mailbox."),
        ),
        ForwardingError::TargetIsOwn { extension, .. } => (
            "target",
            "own_extension",
            format!("„{name}“: {extension} ist die eigene Durchwahl. Bitte die Durchwahl einer anderen Person angeben."),
        ),
        ForwardingError::TargetUnknown { extension, .. } => (
            "target",
            "unknown_extension",
            format!("„{name}“: Niemand im Verzeichnis hat die Durchwahl {extension}."),
        ),
        ForwardingError::SecondsOutOfRange { seconds } => (
            "seconds",
            "seconds_out_of_range",
            format!("„{name}“: {seconds} Sekunden gehen nicht. Bitte 5 bis 120 Sekunden angeben."),
        ),
    };
    ApiError::Invalid {
        field: format!("{rule}.{part}"),
        problem,
        message,
    }
}

/// One rule as shown.
#[derive(Serialize, ToSchema)]
pub struct RuleShown {
    on: bool,
    /// The extension calls go to, or `voicemail` (the own voicemail box).
    target: Option<String>,
    /// Whose extension that is (none for the voicemail box).
    target_name: Option<String>,
    /// Seconds of ringing first (the no-answer rule only).
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds: Option<u32>,
}

/// A person's rules, with the names of the people they forward to.
#[derive(Serialize, ToSchema)]
pub struct Forwarding {
    login: String,
    /// The person's own extension.
    extension: String,
    always: RuleShown,
    busy: RuleShown,
    no_answer: RuleShown,
}

/// The rules as the API shows them.
fn shown(
    login: &Login,
    own: &Extension,
    rules: &ForwardingRules,
    people: &HashMap<Extension, TargetPerson>,
) -> Forwarding {
    let rule = |kind| {
        let rule = rules.rule(kind);
        RuleShown {
            on: rule.is_on(),
            target: rule.destination().map(|t| t.as_str().to_owned()),
            target_name: rule
                .target()
                .and_then(|t| people.get(t))
                .map(|p| p.name.clone()),
            seconds: (kind == RuleKind::NoAnswer).then(|| rules.no_answer_secs()),
        }
    };
    Forwarding {
        login: login.as_str().to_owned(),
        extension: own.as_str().to_owned(),
        always: rule(RuleKind::Always),
        busy: rule(RuleKind::Busy),
        no_answer: rule(RuleKind::NoAnswer),
    }
}

async fn show(state: &AppState, login: &Login) -> Result<Json<Forwarding>, ApiError> {
    let current = state
        .store
        .forwarding(login)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Niemand hat den Benutzernamen {login}.")))?;
    let people = state
        .store
        .people_with_extensions(&current.rules.as_request().targets())
        .await?;
    Ok(Json(shown(
        login,
        &current.extension,
        &current.rules,
        &people,
    )))
}

async fn save(
    state: &AppState,
    actor: &str,
    login: &Login,
    body: &RulesBody,
) -> Result<Json<Forwarding>, ApiError> {
    let current = state
        .store
        .forwarding(login)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Niemand hat den Benutzernamen {login}.")))?;
    let request = body.request();
    let people = state
        .store
        .people_with_extensions(&request.targets())
        .await?;
    let rules = ForwardingRules::validate(&request, &current.extension, |e| people.contains_key(e))
        .map_err(|e| refusal(&e))?;
    if rules != current.rules {
        state
            .store
            .set_forwarding(login, &rules, state.now())
            .await?;
        // The switch applies the rules to the next call.
        let person = current.staff_id;
        state
            .live
            .bus()
            .publish(live::Change::Forwarding { person });
        crate::admin::audit_trail::record(
            state,
            Some(actor),
            "forwarding.changed",
            Some(login.as_str()),
            "",
            rules.to_string(),
        )
        .await?;
    }
    Ok(Json(shown(login, &current.extension, &rules, &people)))
}

/// Own call forwarding rules (everyone has an extension, so everyone may set them).
#[utoipa::path(get, path = "/api/v1/me/forwarding", tag = "forwarding",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Forwarding)))]
pub async fn mine(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Forwarding>, ApiError> {
    show(&state, &who.account.login).await
}

/// Replace own call forwarding rules.
#[utoipa::path(put, path = "/api/v1/me/forwarding", tag = "forwarding",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = RulesBody,
    responses((status = 200, body = Forwarding),
        (status = 400, description = "A bad rule; nothing changed. `field` (e.g. `busy.target`) \
            and `problem`: not_an_extension, target_missing, own_extension, unknown_extension, \
            seconds_out_of_range", body = ErrorBody),
        (status = 422, description = "Not the documented JSON (unknown field, wrong type)")))]
pub async fn set_mine(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<RulesBody>,
) -> Result<Json<Forwarding>, ApiError> {
    let login = &who.account.login;
    save(&state, login.as_str(), login, &body).await
}

/// A person's call forwarding rules.
#[utoipa::path(get, path = "/api/v1/admin/staff/{login}/forwarding", tag = "forwarding",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path, description = "The person's login")),
    responses((status = 200, body = Forwarding), (status = 404, description = "Unknown login", body = ErrorBody)))]
pub async fn of_person(
    State(state): State<AppState>,
    _admin: Admin,
    Path(login): Path<String>,
) -> Result<Json<Forwarding>, ApiError> {
    show(&state, &Login::parse(&login)?).await
}

/// Replace a person's call forwarding rules.
#[utoipa::path(put, path = "/api/v1/admin/staff/{login}/forwarding", tag = "forwarding",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path, description = "The person's login")),
    request_body = RulesBody,
    responses((status = 200, body = Forwarding),
        (status = 400, description = "A bad rule; nothing changed", body = ErrorBody),
        (status = 404, description = "Unknown login", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn set_for_person(
    State(state): State<AppState>,
    admin: Admin,
    Path(login): Path<String>,
    Json(body): Json<RulesBody>,
) -> Result<Json<Forwarding>, ApiError> {
    let actor = admin.0.account.login.as_str();
    save(&state, actor, &Login::parse(&login)?, &body).await
}
