//! Voicemail in the web client: one's box, the hotlines' boxes one supervises and one's
//! units' boxes (their messages, played, marked heard, deleted, downloaded), one's box's
//! settings (on or off, e-mail, language, the absence greeting's end) and the greetings
//! (uploaded or recorded, listened to, removed), and the administrators' units' boxes
//! (`admin.rs`). Every change of what is unheard reaches those who may hear the box as
//! `voicemail.count`.

pub mod admin;
pub mod greetings;
pub mod messages;
pub mod settings;

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use store::Mailbox;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The voicemail's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(messages::list))
        .routes(routes!(messages::list_box))
        .routes(routes!(messages::audio))
        .routes(routes!(messages::heard))
        .routes(routes!(messages::delete))
        .routes(routes!(settings::set))
        .routes(routes!(
            greetings::listen,
            greetings::upload,
            greetings::remove
        ))
        .routes(routes!(
            greetings::listen_unit,
            greetings::upload_unit,
            greetings::remove_unit
        ))
        .routes(routes!(admin::boxes, admin::create))
        .routes(routes!(admin::remove))
}

/// The signed-in person's box (made on first use).
async fn own_box(state: &AppState, who: &SignedIn) -> Result<Mailbox, ApiError> {
    Ok(state
        .store
        .person_mailbox(who.account.id, state.live.now_ms())
        .await?)
}

/// Tells those who may hear `mailbox` how many of its messages are unheard (and its
/// owner's desk phones' lamps, through the bus); the count.
async fn tell_count(state: &AppState, mailbox: i64) -> Result<i64, ApiError> {
    let unheard = state.store.unheard_voicemails(mailbox).await?;
    let frame = state.live.frames().voicemail_count(mailbox, unheard);
    for person in state.store.mailbox_listeners(mailbox).await? {
        state.live.to_person(person, None, frame.clone());
    }
    if let Some(owner) = state.store.mailbox(mailbox).await?.and_then(|b| b.staff_id) {
        state
            .live
            .bus()
            .publish(live::Change::Voicemail { person: owner });
    }
    Ok(unheard)
}

/// Whether the signed-in person may hear `mailbox` (their own, a hotline's they
/// supervise, or their unit's or a unit's above it).
async fn may_hear(state: &AppState, who: &SignedIn, mailbox: i64) -> Result<bool, ApiError> {
    Ok(state
        .store
        .mailbox_listeners(mailbox)
        .await?
        .contains(&who.account.id))
}
