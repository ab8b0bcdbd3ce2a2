//! Voicemail in the web client: one's box (its messages, played, marked heard, deleted,
//! downloaded), its settings (on or off, e-mail, language, the absence greeting's end)
//! and its greetings (uploaded or recorded, listened to, removed). Every change of what
//! is unheard reaches the owner's clients as `voicemail.count`.

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
        .routes(routes!(messages::audio))
        .routes(routes!(messages::heard))
        .routes(routes!(messages::delete))
        .routes(routes!(settings::set))
        .routes(routes!(
            greetings::listen,
            greetings::upload,
            greetings::remove
        ))
}

/// The signed-in person's box (made on first use).
async fn own_box(state: &AppState, who: &SignedIn) -> Result<Mailbox, ApiError> {
    Ok(state
        .store
        .person_mailbox(who.account.id, state.live.now_ms())
        .await?)
}

/// Tells the person's clients how many of their messages are unheard (and their desk
/// phones' lamps, through the bus).
async fn tell_count(state: &AppState, person: i64, mailbox: i64) -> Result<i64, ApiError> {
    let unheard = state.store.unheard_voicemails(mailbox).await?;
    let frame = state.live.frames().voicemail_count(unheard);
    state.live.to_person(person, None, frame);
    state.live.bus().publish(live::Change::Voicemail { person });
    Ok(unheard)
}
