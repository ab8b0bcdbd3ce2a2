//! Outgoing e-mail for administrators: `GET /api/v1/admin/mail` (whether a mail server is
//! configured, the outbox's counts and its latest failures, read from the store) and
//! `POST /api/v1/admin/mail/test` (a test mail through the server's mailer, the same road
//! voicemail notifications take). The mailer itself is the server's (`server/src/mailer/`);
//! the web sees it through [`MailService`].

use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::directory_sync::Pending;
use crate::error::{ApiError, ErrorBody};
use crate::time_format::iso_utc_ms;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::mail_outbox::{Attachment, MailFailure, MailState, NewMail};
use store::StoreError;
use utoipa::ToSchema;

/// The subject of the test mail.
pub const TEST_SUBJECT: &str = "Testnachricht von Durchwahl";

/// The server's mailer as the web sees it.
pub trait MailService: Send + Sync + std::fmt::Debug {
    /// Whether a mail server is configured (`[smtp] host`).
    fn configured(&self) -> bool;

    /// Writes the mail to the outbox and wakes the sender; `Err` only if the store fails.
    fn queue(&self, mail: NewMail) -> Pending<'_, Result<i64, StoreError>>;
}

/// A mail whose latest try failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailFailureView {
    /// The mail's id (the server's log names it too).
    pub id: i64,
    /// The recipient.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// Why: the mail server's answer, or why nothing was tried.
    pub error: String,
    /// Tries so far.
    pub attempts: i64,
    /// `pending` (tried again at `next_attempt_at`) or `failed` (given up).
    pub state: String,
    /// When it was queued (ISO 8601, UTC).
    pub queued_at: String,
    /// The latest try, if any.
    pub last_attempt_at: Option<String>,
    /// The next try, while pending.
    pub next_attempt_at: Option<String>,
}

/// The page "E-Mail-Versand".
#[derive(Debug, Serialize, ToSchema)]
pub struct MailOverview {
    /// Whether a mail server is configured; without one, mails wait as pending.
    pub configured: bool,
    /// Mails waiting to be sent.
    pub pending: i64,
    /// Mails given up (kept 30 days).
    pub failed: i64,
    /// Mails the mail server took in the last 24 hours.
    pub sent_24h: i64,
    /// The latest failures, newest first.
    pub recent_failures: Vec<MailFailureView>,
}

fn view(f: MailFailure) -> MailFailureView {
    MailFailureView {
        id: f.id,
        to: f.to,
        subject: f.subject,
        error: f.error,
        attempts: f.attempts,
        state: f.state.as_str().into(),
        queued_at: iso_utc_ms(f.created_ms),
        last_attempt_at: f.last_attempt_ms.map(iso_utc_ms),
        next_attempt_at: (f.state == MailState::Pending).then(|| iso_utc_ms(f.next_attempt_ms)),
    }
}

/// Whether e-mail is configured, the outbox's counts and its latest failures.
#[utoipa::path(get, path = "/api/v1/admin/mail", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = MailOverview)))]
pub async fn overview(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<MailOverview>, ApiError> {
    let status = state.store.mail_status(state.live.clock().now_ms()).await?;
    Ok(Json(MailOverview {
        configured: state.mail.as_ref().is_some_and(|m| m.configured()),
        pending: status.pending,
        failed: status.failed,
        sent_24h: status.sent_24h,
        recent_failures: status.recent_failures.into_iter().map(view).collect(),
    }))
}

/// Where the test mail goes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMailBody {
    /// The recipient's address.
    pub to: String,
}

/// The queued test mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestMailQueued {
    /// Its id in the outbox.
    pub id: i64,
    /// Whether a mail server is configured (if not, the mail waits until one is).
    pub configured: bool,
}

/// The test mail: German and English text, and a small text file attached so that the
/// road of voicemail recordings is tried as well.
fn test_mail(to: String, admin: &str, organisation: &str) -> NewMail {
    NewMail {
        to,
        subject: TEST_SUBJECT.into(),
        text: format!(
            "Diese Nachricht hat {admin} auf der Verwaltungsseite „E-Mail-Versand“ von \
             Durchwahl ({organisation}) gesendet, um den E-Mail-Versand zu prüfen. Sie \
             können sie löschen.\n\n\
             This message was sent by {admin} from the \"Outgoing e-mail\" administration \
             page of Durchwahl ({organisation}) to check outgoing e-mail. You may delete \
             it.\n"
        ),
        attachment: Some(Attachment {
            name: "durchwahl-test.txt".into(),
            content_type: "text/plain; charset=utf-8".into(),
            bytes: "Anhang der Testnachricht: kommt er an, kommen auch die Aufnahmen von \
                    Sprachnachrichten an.\nAttachment of the test message.\n"
                .as_bytes()
                .to_vec(),
        }),
    }
}

/// Sends a test mail ("Testnachricht von Durchwahl", with a small attachment) through the
/// outbox; the page shows how it fares.
#[utoipa::path(post, path = "/api/v1/admin/mail/test", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = TestMailBody,
    responses((status = 202, description = "Queued; sent at once when a mail server is configured", body = TestMailQueued),
        (status = 400, description = "Not an e-mail address", body = ErrorBody),
        (status = 404, description = "This server has no mailer", body = ErrorBody)))]
pub async fn send_test(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<TestMailBody>,
) -> Result<(StatusCode, Json<TestMailQueued>), ApiError> {
    let Some(mailer) = state.mail.clone() else {
        return Err(ApiError::NotFound(
            "Dieser Server versendet keine E-Mails.".into(),
        ));
    };
    let Some(to) = cases::email::normalise_email(&body.to) else {
        return Err(ApiError::Invalid {
            field: "to".into(),
            problem: "not_an_email",
            message: "Bitte eine gültige E-Mail-Adresse angeben.".into(),
        });
    };
    let mail = test_mail(to.clone(), &admin.account.name, &state.organisation);
    let id = mailer.queue(mail).await?;
    audit_admin(
        &state,
        &admin,
        "admin.mail.test",
        Some(&to),
        format!("mail {id}"),
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(TestMailQueued {
            id,
            configured: mailer.configured(),
        }),
    ))
}
