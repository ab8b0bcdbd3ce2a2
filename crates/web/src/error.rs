//! Every API error, mapped to a status code in this one place. Users get a clear message,
//! never a stack trace or SQL text; details go to the log.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An API error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid session (or pending sign-in).
    #[error("please sign in")]
    Unauthorized,
    /// Wrong login, password or code. Deliberately says nothing about which.
    #[error("login, password or code is wrong")]
    WrongCredentials,
    /// Signed in, but not allowed.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// Not a member of that chat room.
    #[error("Sie sind nicht Mitglied dieses Raums.")]
    NotMember,
    /// Signed in, but a rule refuses this; the message says which.
    #[error("{0}")]
    Refused(String),
    /// A write without the session's CSRF token.
    #[error("the request lacks the X-CSRF-Token header of this session")]
    Csrf,
    /// Nothing there.
    #[error("{0}")]
    NotFound(String),
    /// Bad input; nothing was changed.
    #[error("{0}")]
    BadRequest(String),
    /// Bad input in one field of a form; nothing was changed. The answer names the field
    /// and a stable problem code, so a client can mark the field and explain in its own
    /// language; `message` is the German text.
    #[error("{message}")]
    Invalid {
        /// The field, e.g. `busy.target`.
        field: String,
        /// What is wrong, e.g. `unknown_extension`.
        problem: &'static str,
        /// The German explanation.
        message: String,
    },
    /// Bad values in several fields of a form (a case's values), each with its field, a
    /// problem code and a German message; nothing was changed. A value that conflicts with
    /// what others stored meanwhile (a full appointment slot) makes it a 409, else a 400.
    #[error("{}", messages(.fields))]
    Fields {
        /// Whether a value conflicts with stored data (409) rather than being bad (400).
        conflict: bool,
        /// Every refused field, in the order of the form.
        fields: Vec<FieldIssue>,
    },
    /// The change conflicts with existing data; nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// Well-formed input that breaks a rule (of mobile work's service agreement): 422,
    /// with every broken rule as a field, a problem code and a German reason; nothing was
    /// changed.
    #[error("{message}")]
    Unprocessable {
        /// The German summary.
        message: String,
        /// Every broken rule (may be empty when the message says it all).
        fields: Vec<FieldIssue>,
    },
    /// The upload is larger than allowed, or than the uploader's space left.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts: try again after this many seconds.
    #[error("too many attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    /// Overloaded or a dependency is down: try again later.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or a database failure (logged).
    #[error("internal error")]
    Internal,
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized | ApiError::WrongCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::Csrf | ApiError::NotMember | ApiError::Refused(_) => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) | ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) | ApiError::Fields { conflict: true, .. } => StatusCode::CONFLICT,
            ApiError::Fields { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::WrongCredentials => "wrong_credentials",
            ApiError::Forbidden | ApiError::Refused(_) => "forbidden",
            ApiError::NotMember => "not_member",
            ApiError::Csrf => "csrf",
            ApiError::NotFound(_) => "not_found",
            ApiError::BadRequest(_) | ApiError::Invalid { .. } => "bad_request",
            ApiError::Conflict(_) | ApiError::Fields { conflict: true, .. } => "conflict",
            ApiError::Fields { .. } => "bad_request",
            ApiError::Unprocessable { .. } => "invalid",
            ApiError::TooLarge(_) => "too_large",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal => "internal",
        }
    }
}

/// The body of every error answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `unauthorized`, `wrong_credentials`, `forbidden`, `not_member`,
    /// `csrf`, `not_found`, `bad_request`, `conflict`, `invalid` (422: a rule is broken),
    /// `too_large`, `too_many_requests`, `unavailable` or `internal`.
    pub error: &'static str,
    /// What is wrong, for people (German for most refusals).
    pub message: String,
    /// The field of a form that is wrong (e.g. `busy.target`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A stable code for what is wrong with the field (e.g. `unknown_extension`), so a
    /// client can explain it in its own language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
    /// Every refused field when several fields of a form were checked at once (a case's
    /// values, the rules an application breaks); `field` and `problem` above are then the
    /// first of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldIssue>>,
}

/// One refused field of a form.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FieldIssue {
    /// The field, e.g. `values.born` for the case field with the key `born`.
    pub field: String,
    /// A stable code for what is wrong, e.g. `not_a_date`, `missing`, `slot_full`.
    pub problem: &'static str,
    /// The German explanation naming the field by its label.
    pub message: String,
}

fn messages(fields: &[FieldIssue]) -> String {
    fields
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (field, problem, fields) = match &self {
            ApiError::Invalid { field, problem, .. } => (Some(field.clone()), Some(*problem), None),
            ApiError::Fields { fields, .. } => (
                fields.first().map(|f| f.field.clone()),
                fields.first().map(|f| f.problem),
                Some(fields.clone()),
            ),
            ApiError::Unprocessable { fields, .. } if !fields.is_empty() => (
                fields.first().map(|f| f.field.clone()),
                fields.first().map(|f| f.problem),
                Some(fields.clone()),
            ),
            _ => (None, None, None),
        };
        let body = Json(ErrorBody {
            error: self.code(),
            message: self.to_string(),
            field,
            problem,
            fields,
        });
        match retry_after(&self) {
            Some(secs) => (
                self.status(),
                [(header::RETRY_AFTER, secs.to_string())],
                body,
            )
                .into_response(),
            None => (self.status(), body).into_response(),
        }
    }
}

/// Seconds for the `Retry-After` header of 429 and 503 answers.
fn retry_after(e: &ApiError) -> Option<u64> {
    match e {
        ApiError::TooManyRequests(s) => Some(*s),
        ApiError::Unavailable(_) => Some(5),
        _ => None,
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        use store::StoreError as S;
        match e {
            S::UnknownUnit(u) => ApiError::NotFound(format!("no unit {u:?}")),
            S::UnknownLogins(l) => {
                ApiError::NotFound(format!("not in the directory: {}", l.join(", ")))
            }
            S::Conflict(what) => ApiError::Conflict(what),
            S::UnknownHotline(_) => ApiError::NotFound("Diese Hotline gibt es nicht.".into()),
            S::CaseRefused(refusal) => ApiError::from(refusal),
            // Mobile work (issue 19): the store's German texts are for people.
            taken @ (S::AgreementChanged { .. } | S::CapReached { .. } | S::DeskTaken { .. }) => {
                ApiError::Conflict(taken.to_string())
            }
            missing @ S::NotFound { .. } => ApiError::NotFound(missing.to_string()),
            S::Invalid(message) => ApiError::Unprocessable {
                message,
                fields: Vec::new(),
            },
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

impl From<planner::PlannerError> for ApiError {
    /// A rule broken by the input is 422 (each broken rule of an application a field of
    /// its own), a decision by someone who may not decide 403, a step the agreement's or
    /// the booking's state does not allow any more 409.
    fn from(e: planner::PlannerError) -> Self {
        use planner::PlannerError as P;
        let message = e.to_string();
        match e {
            P::RulesBroken(breaches) => ApiError::Unprocessable {
                message,
                fields: breaches
                    .iter()
                    .map(crate::mobile_work::breaches::issue)
                    .collect(),
            },
            P::InvalidRules(_)
            | P::RenewalTooShort { .. }
            | P::OpenEnded
            | P::RenewalTooLong { .. }
            | P::InvalidPlanInput(_)
            | P::UnknownCriterion(_) => ApiError::Unprocessable {
                message,
                fields: Vec::new(),
            },
            P::NotPermitted { .. } => ApiError::Refused(
                "Über diesen Antrag entscheidet die Leitung der Organisationseinheit \
                 (in ihrer Abwesenheit die Vertretung), nicht Sie."
                    .into(),
            ),
            P::PeriodOver { .. }
            | P::SpaceTaken { .. }
            | P::PersonAlreadyBooked { .. }
            | P::CheckIn(_) => ApiError::Conflict(message),
        }
    }
}

impl From<cases::Refusal> for ApiError {
    fn from(refusal: cases::Refusal) -> Self {
        use cases::Refusal as R;
        let message = refusal.to_string();
        match refusal {
            R::Fields(errors) => ApiError::Fields {
                conflict: errors.iter().any(|e| e.problem.is_conflict()),
                fields: errors
                    .iter()
                    .map(|e| FieldIssue {
                        field: format!("values.{}", e.key),
                        problem: e.problem.code(),
                        message: e.message(),
                    })
                    .collect(),
            },
            R::CallerNumber { .. } => ApiError::Invalid {
                field: "caller_number".into(),
                problem: "not_a_phone_number",
                message,
            },
            R::AssigneeNotMember { .. } => ApiError::Invalid {
                field: "assignee".into(),
                problem: "not_a_member",
                message,
            },
            R::Transition(_) | R::Stale { .. } => ApiError::Conflict(message),
        }
    }
}

impl From<cases::FormError> for ApiError {
    fn from(e: cases::FormError) -> Self {
        ApiError::Invalid {
            field: "fields".into(),
            problem: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<cases::SlotError> for ApiError {
    fn from(e: cases::SlotError) -> Self {
        ApiError::Invalid {
            field: "slots".into(),
            problem: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<directory::InvalidValue> for ApiError {
    fn from(e: directory::InvalidValue) -> Self {
        use directory::{InvalidValue, NameKind};
        match e {
            InvalidValue::HiddenCharacter { what, hidden, .. } => {
                // The JSON field each kind of name arrives in (staff, groups, phones).
                let (field, name) = match what {
                    NameKind::Person => ("name", "Der Name"),
                    NameKind::Unit => ("unit", "Der Name der Organisationseinheit"),
                    NameKind::Group => ("name", "Der Gruppenname"),
                    NameKind::DeviceLabel => ("label", "Die Gerätebezeichnung"),
                };
                ApiError::Invalid {
                    field: field.into(),
                    problem: "hidden_character",
                    message: live::chat::messages::hidden_character_message(name, &hidden),
                }
            }
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<live::LiveError> for ApiError {
    fn from(e: live::LiveError) -> Self {
        use live::LiveError as L;
        match e {
            L::Store(e) => ApiError::from(e),
            other => ApiError::from_live(&other),
        }
    }
}

impl ApiError {
    /// The answer to a refusal of the live runtime.
    pub fn from_live(e: &live::LiveError) -> ApiError {
        use live::LiveError as L;
        match e {
            L::NotMember => ApiError::NotMember,
            L::Refused(m) => ApiError::Refused(m.clone()),
            L::NotFound(m) => ApiError::NotFound(m.clone()),
            L::BadRequest(m) => ApiError::BadRequest(m.clone()),
            L::Conflict(m) => ApiError::Conflict(m.clone()),
            L::TooManyRequests(s) => ApiError::TooManyRequests(*s),
            L::Unavailable(m) => ApiError::Unavailable(m.clone()),
            L::Store(e) => {
                tracing::error!(error = %e, "store error");
                ApiError::Internal
            }
        }
    }
}

/// The real-time protocol's error code and message for an API error.
pub fn ws_error(e: &ApiError) -> (&'static str, String) {
    match e {
        ApiError::NotFound(m) => ("not_found", m.clone()),
        ApiError::Forbidden => ("forbidden", "Das dürfen Sie nicht.".into()),
        ApiError::Refused(m) => ("forbidden", m.clone()),
        ApiError::NotMember => ("not_member", e.to_string()),
        ApiError::BadRequest(m) => ("bad_request", m.clone()),
        ApiError::Conflict(m) => ("bad_request", m.clone()),
        ApiError::Fields { .. } | ApiError::Unprocessable { .. } => ("bad_request", e.to_string()),
        ApiError::TooManyRequests(_) => (
            "rate_limited",
            "Zu viele Nachrichten in kurzer Zeit; bitte einen Moment warten.".into(),
        ),
        _ => (
            "unavailable",
            "Der Server ist überlastet oder konnte nicht speichern. Bitte erneut versuchen.".into(),
        ),
    }
}

/// A JSON body read into `T`; what does not fit is a 422 in German (nothing changed).
pub(crate) fn body<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Unprocessable {
        message: format!("Die Angaben haben nicht die erwartete Form: {e}."),
        fields: Vec::new(),
    })
}

/// One bad field: 422 with the field, a problem code and the German reason.
pub(crate) fn unprocessable(field: &str, problem: &'static str, message: &str) -> ApiError {
    ApiError::Unprocessable {
        message: message.into(),
        fields: vec![FieldIssue {
            field: field.into(),
            problem,
            message: message.into(),
        }],
    }
}
