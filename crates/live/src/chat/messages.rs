//! Writing chat, whichever road a message takes (the WebSocket, REST, a phone's text
//! MESSAGE): the checks (`presence::room_rules`, `presence::chat_text`), one write limit
//! per person, the writer's queue, and telling members about new or changed rooms.

use crate::chat::writer::{Change, Reply, WriteJob};
use crate::{Live, LiveError};
use presence::{chat_text, room_rules, Actor, PresenceError};
use serde_json::{json, Value};
use store::{MessageRow, RoomRow};
use tokio::sync::oneshot;

/// German text for a rule's refusal.
pub fn german(e: &PresenceError) -> String {
    match e {
        PresenceError::EmptyMessage => "Die Nachricht ist leer.".into(),
        PresenceError::MessageTooLong { max } => {
            format!("Die Nachricht ist länger als {max} Zeichen.")
        }
        PresenceError::MessageControlCharacters => "Die Nachricht enthält Steuerzeichen.".into(),
        PresenceError::RoomName { max } => format!("Ein Raumname hat 1 bis {max} Zeichen."),
        PresenceError::RoomNameHidden(h) => hidden_character_message("Der Raumname", h),
        PresenceError::NotMember => "Sie sind nicht Mitglied dieses Raums.".into(),
        PresenceError::AdminOnly => {
            "Die Mitglieder dieses Raums verwaltet die Administration.".into()
        }
        PresenceError::FixedMembers => "Die Mitglieder dieses Raums stehen fest.".into(),
        PresenceError::OnlyLeave => "Sie können nur sich selbst austragen.".into(),
        other => other.to_string(),
    }
}

/// The German refusal of a name holding a character that changes how it is shown.
pub fn hidden_character_message(
    name: &str,
    hidden: &directory::display_text::HiddenChar,
) -> String {
    format!(
        "{name} enthält das unsichtbare Zeichen {}, mit dem Text anders angezeigt wird, \
         als er ist (etwa rückwärts). Bitte entfernen Sie es.",
        hidden.code()
    )
}

/// A rule's refusal as an error.
pub fn rule_error(e: PresenceError) -> LiveError {
    match e {
        PresenceError::NotMember => LiveError::NotMember,
        PresenceError::AdminOnly
        | PresenceError::FixedMembers
        | PresenceError::OnlyLeave
        | PresenceError::NotAuthor => LiveError::Refused(german(&e)),
        other => LiveError::BadRequest(german(&other)),
    }
}

/// Whether `me` may post in (and read) `room`.
pub fn may_post(live: &Live, room: i64, me: i64) -> Result<(), LiveError> {
    room_rules::may_post(Actor {
        member: live.is_member(room, me),
        admin: false,
    })
    .map_err(rule_error)
}

/// Checks a new message and makes the change for the writer.
pub async fn new_message(
    live: &Live,
    me: i64,
    room: i64,
    text: &str,
    attachment: Option<&str>,
) -> Result<Change, LiveError> {
    may_post(live, room, me)?;
    let attachment = match attachment {
        None => None,
        // Only one's own upload to this room, and only once: the file belongs to the one
        // message it goes with (and is deleted with it).
        Some(id) => Some(
            live.store()
                .unsent_attachment(id, room, me)
                .await?
                .ok_or_else(|| {
                    LiveError::NotFound(
                        "Diese Datei gibt es in diesem Raum nicht, oder sie wurde schon gesendet."
                            .into(),
                    )
                })?,
        ),
    };
    let text = chat_text::check_text(text, attachment.is_some()).map_err(rule_error)?;
    Ok(Change::New {
        room,
        author: me,
        text,
        attachment,
    })
}

/// A text from one person to another, as a SIP phone sends it (RFC 3428 MESSAGE): into
/// their direct room (made when missing), checked like any chat message, stored before
/// it is published. Returns the stored message.
pub async fn post_direct(
    live: &Live,
    from: i64,
    to: i64,
    text: &str,
) -> Result<MessageRow, LiveError> {
    let (room, created) = live.store().direct_room(from, to, live.now_ms()).await?;
    if created {
        announce_room(live, from, room, &[]).await?;
    }
    let change = new_message(live, from, room, text, None).await?;
    write(live, change).await
}

/// Queues a change; a person writing faster than allowed (on any road) is refused, and
/// so is everyone while the queue is full.
pub fn submit(live: &Live, change: Change, reply: Reply) -> Result<(), LiveError> {
    let person = match &change {
        Change::New { author, .. }
        | Change::Edit { author, .. }
        | Change::Delete { author, .. } => *author,
    };
    if !live.take_chat_write(person) {
        return Err(LiveError::TooManyRequests(1));
    }
    live.writer()
        .try_send(WriteJob { change, reply })
        .map_err(|_| LiveError::Unavailable("chat writer busy".into()))
}

/// Queues a change and waits until it is stored.
pub async fn write(live: &Live, change: Change) -> Result<MessageRow, LiveError> {
    let (tx, rx) = oneshot::channel();
    submit(live, change, Reply::Direct(tx))?;
    rx.await
        .map_err(|_| LiveError::Unavailable("chat writer stopped".into()))?
}

/// A room as its members see it (`me` for the title of a direct room).
pub async fn room_json(live: &Live, me: i64, room: &RoomRow) -> Result<Value, LiveError> {
    let members = live.store().room_member_logins(room.id).await?;
    Ok(json!({
        "id": room.id, "kind": room.kind, "name": room.name, "managed": room.managed,
        "title": title(live, me, room, &members), "members": members,
    }))
}

/// What a room is called in lists: the other person's name for direct rooms.
pub fn title(live: &Live, me: i64, room: &RoomRow, members: &[String]) -> String {
    if room.kind != "direct" {
        return room.name.clone();
    }
    members
        .iter()
        .filter_map(|l| live.id_of(l))
        .find(|id| *id != me)
        .and_then(|id| live.person(id))
        .map_or_else(String::new, |p| p.name)
}

/// Tells old and new members that a room was made or changed (`left`: removed ones);
/// returns the room as `me` sees it.
pub async fn announce_room(
    live: &Live,
    me: i64,
    room_id: i64,
    left: &[i64],
) -> Result<Value, LiveError> {
    let room = live
        .store()
        .room(room_id)
        .await?
        .ok_or_else(|| LiveError::NotFound("Diesen Raum gibt es nicht.".into()))?;
    let json = room_json(live, me, &room).await?;
    let mut members = Vec::new();
    for login in json["members"].as_array().into_iter().flatten() {
        if let Some(id) = login.as_str().and_then(|l| live.id_of(l)) {
            members.push(id);
        }
    }
    // One frame for all members: without `title`, which names the other person of a
    // direct room and so differs per member (GET /api/v1/rooms has it).
    let mut shared = json.clone();
    if let Some(fields) = shared.as_object_mut() {
        fields.remove("title");
    }
    live.room_changed(room_id, members, live.frames().room_updated(shared), left);
    Ok(json)
}
