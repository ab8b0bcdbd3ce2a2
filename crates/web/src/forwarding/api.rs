//! Call forwarding over REST: a person sets their own rules, admins anyone's. Every person
//! may: everyone in the directory has an extension, and forwarding is what someone without
//! the `softphone` feature (no device of their own) needs most. Bad input changes nothing
//! and is answered with the field and a problem code a client can show in its language.
//! Every change is audited.

use crate::auth::session::{Admin, SignedIn};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use directory::forwarding::{RuleRequest, RulesRequest, DEFAULT_NO_ANSWER_SECS};
use directory::{Extension, ForwardingError, ForwardingRules, Login, RuleKind};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use store::TargetPerson;

/// One rule: `{on, target}`; a blank or absent target is none.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    on: bool,
    #[serde(default)]
    target: Option<String>,
}

/// The no-answer rule: `{on, target, seconds}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoAnswerBody {
    on: bool,
    #[serde(default)]
    target: Option<String>,
    #[serde(default = "default_seconds")]
    seconds: i64,
}

fn default_seconds() -> i64 {
    i64::from(DEFAULT_NO_ANSWER_SECS)
}

/// All three rules; a PUT replaces them together.
#[derive(Deserialize)]
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
            format!("„{name}“: „{raw}“ ist keine Durchwahl. Eine Durchwahl hat 2 bis 15 Ziffern."),
        ),
        ForwardingError::TargetMissing { .. } => (
            "target",
            "target_missing",
            format!("„{name}“ ist eingeschaltet, aber es fehlt die Durchwahl, auf die umgeleitet wird."),
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

/// The rules as the API shows them, with the names of the people they forward to.
fn shown(
    login: &Login,
    own: &Extension,
    rules: &ForwardingRules,
    people: &HashMap<Extension, TargetPerson>,
) -> Value {
    let mut out = json!({"login": login.as_str(), "extension": own.as_str()});
    for kind in RuleKind::ALL {
        let rule = rules.rule(kind);
        let target = rule.target();
        out[kind.name()] = json!({
            "on": rule.is_on(),
            "target": target.map(Extension::as_str),
            "target_name": target.and_then(|t| people.get(t)).map(|p| p.name.as_str()),
        });
    }
    out["no_answer"]["seconds"] = json!(rules.no_answer_secs());
    out
}

async fn show(state: &AppState, login: &Login) -> Result<Json<Value>, ApiError> {
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
) -> Result<Json<Value>, ApiError> {
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

/// `GET /api/v1/me/forwarding`
pub async fn mine(State(state): State<AppState>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    show(&state, &who.account.login).await
}

/// `PUT /api/v1/me/forwarding`
pub async fn set_mine(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<RulesBody>,
) -> Result<Json<Value>, ApiError> {
    let login = &who.account.login;
    save(&state, login.as_str(), login, &body).await
}

/// `GET /api/v1/admin/staff/{login}/forwarding`
pub async fn of_person(
    State(state): State<AppState>,
    _admin: Admin,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    show(&state, &Login::parse(&login)?).await
}

/// `PUT /api/v1/admin/staff/{login}/forwarding`
pub async fn set_for_person(
    State(state): State<AppState>,
    admin: Admin,
    Path(login): Path<String>,
    Json(body): Json<RulesBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = admin.0.account.login.as_str();
    save(&state, actor, &Login::parse(&login)?, &body).await
}
