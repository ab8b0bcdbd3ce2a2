//! Chat over REST: rooms, members, history, sending, read markers, attachments and search.
//! The checks shared with the WebSocket live here too; the rules themselves are in
//! `presence::room_rules` and `presence::chat_text`.

use crate::chat_writer::{Change, Reply, WriteJob};
use crate::error::ApiError;
use crate::realtime::{now_ms, Realtime};
use crate::session::{Admin, SignedIn};
use crate::ws_frames;
use crate::AppState;
use axum::extract::ws::Utf8Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use presence::{chat_text, room_rules, Actor, PresenceError, RoomFacts, RoomKind};
use serde::Deserialize;
use serde_json::{json, Value};
use store::AttachmentRow;
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
        PresenceError::RoomNameHidden(h) => {
            crate::error::hidden_character_message("Der Raumname", h)
        }
        PresenceError::NotMember => "Sie sind nicht Mitglied dieses Raums.".into(),
        PresenceError::AdminOnly => {
            "Die Mitglieder dieses Raums verwaltet die Administration.".into()
        }
        PresenceError::FixedMembers => "Die Mitglieder dieses Raums stehen fest.".into(),
        PresenceError::OnlyLeave => "Sie können nur sich selbst austragen.".into(),
        other => other.to_string(),
    }
}

fn rule_error(e: PresenceError) -> ApiError {
    match e {
        PresenceError::NotMember => ApiError::NotMember,
        PresenceError::AdminOnly
        | PresenceError::FixedMembers
        | PresenceError::OnlyLeave
        | PresenceError::NotAuthor => ApiError::Refused(german(&e)),
        other => ApiError::BadRequest(german(&other)),
    }
}

fn member(rt: &Realtime, room: i64, me: i64) -> Result<(), ApiError> {
    room_rules::may_post(Actor {
        member: rt.is_member(room, me),
        admin: false,
    })
    .map_err(rule_error)
}

/// Checks a new message and makes the change for the writer.
pub async fn new_message(
    rt: &Realtime,
    me: i64,
    room: i64,
    text: &str,
    attachment: Option<&str>,
) -> Result<Change, ApiError> {
    member(rt, room, me)?;
    let attachment = match attachment {
        None => None,
        // Only one's own upload to this room, and only once: the file belongs to the one
        // message it goes with (and is deleted with it).
        Some(id) => Some(
            rt.store()
                .unsent_attachment(id, room, me)
                .await?
                .ok_or_else(|| {
                    ApiError::NotFound(
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
pub async fn post_direct(rt: &Realtime, from: i64, to: i64, text: &str) -> Result<Value, ApiError> {
    let (room, created) = rt.store().direct_room(from, to, now_ms()).await?;
    if created {
        announce_room(rt, from, room, &[]).await?;
    }
    let change = new_message(rt, from, room, text, None).await?;
    write(rt, change).await
}

/// Queues a change; a person writing faster than allowed (on any road) gets `429`, a
/// full queue is `503`.
pub fn submit(rt: &Realtime, change: Change, reply: Reply) -> Result<(), ApiError> {
    let person = match &change {
        Change::New { author, .. }
        | Change::Edit { author, .. }
        | Change::Delete { author, .. } => *author,
    };
    if !rt.take_chat_write(person) {
        return Err(ApiError::TooManyRequests(1));
    }
    rt.writer()
        .try_send(WriteJob { change, reply })
        .map_err(|_| ApiError::Unavailable("chat writer busy".into()))
}

async fn write(rt: &Realtime, change: Change) -> Result<Value, ApiError> {
    let (tx, rx) = oneshot::channel();
    submit(rt, change, Reply::Http(tx))?;
    let stored = rx
        .await
        .map_err(|_| ApiError::Unavailable("chat writer stopped".into()))??;
    Ok(ws_frames::message_json(&stored))
}

/// Moves the read marker and tells the person's other clients; returns the unread count.
pub async fn mark_read(
    rt: &Realtime,
    me: i64,
    room: i64,
    up_to: i64,
    except: Option<presence::ConnId>,
) -> Result<i64, ApiError> {
    member(rt, room, me)?;
    let unread = rt.store().set_read(room, me, up_to).await?;
    rt.to_person(
        me,
        except,
        Utf8Bytes::from(ws_frames::read(room, up_to, unread)),
    );
    Ok(unread)
}

/// Adds a watch on `login`; the answer holds when it expires.
pub async fn add_watch(rt: &Realtime, me: i64, login: &str) -> Result<Value, ApiError> {
    let target = rt
        .id_of(login)
        .ok_or_else(|| ApiError::NotFound(format!("„{login}“ gibt es nicht.")))?;
    match rt.watch(me, target).await? {
        Some(at) => {
            Ok(json!({"login": login, "expires_at": crate::time_format::iso_utc(at / 1000)}))
        }
        None => Err(ApiError::BadRequest(
            "Sich selbst beobachten geht nicht.".into(),
        )),
    }
}

async fn room_json(rt: &Realtime, me: i64, room: &store::RoomRow) -> Result<Value, ApiError> {
    let members = rt.store().room_member_logins(room.id).await?;
    Ok(json!({
        "id": room.id, "kind": room.kind, "name": room.name, "managed": room.managed,
        "title": title(rt, me, room, &members), "members": members,
    }))
}

/// What a room is called in lists: the other person's name for direct rooms.
fn title(rt: &Realtime, me: i64, room: &store::RoomRow, members: &[String]) -> String {
    if room.kind != "direct" {
        return room.name.clone();
    }
    members
        .iter()
        .filter_map(|l| rt.id_of(l))
        .find(|id| *id != me)
        .and_then(|id| rt.person(id))
        .map_or_else(String::new, |p| p.name)
}

async fn announce_room(
    rt: &Realtime,
    me: i64,
    room_id: i64,
    left: &[i64],
) -> Result<Value, ApiError> {
    let room = rt.store().room(room_id).await?.ok_or(ApiError::Internal)?;
    let json = room_json(rt, me, &room).await?;
    let mut members = Vec::new();
    for login in json["members"].as_array().into_iter().flatten() {
        if let Some(id) = login.as_str().and_then(|l| rt.id_of(l)) {
            members.push(id);
        }
    }
    // One frame for all members: without `title`, which names the other person of a
    // direct room and so differs per member (GET /api/v1/rooms has it).
    let mut shared = json.clone();
    if let Some(fields) = shared.as_object_mut() {
        fields.remove("title");
    }
    rt.room_changed(
        room_id,
        members,
        Utf8Bytes::from(ws_frames::room_updated(shared)),
        left,
    );
    Ok(json)
}

/// `GET /api/v1/rooms`
pub async fn rooms(State(state): State<AppState>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    let rt = &state.realtime;
    let me = who.account.id;
    let rooms: Vec<Value> = state
        .store
        .rooms_of(me)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.room.id, "kind": s.room.kind, "name": s.room.name, "managed": s.room.managed,
                "title": title(rt, me, &s.room, &s.members), "members": s.members,
                "unread": s.unread, "last_read": s.last_read, "last_message": s.last_message,
            })
        })
        .collect();
    Ok(Json(json!({ "rooms": rooms })))
}

/// `{name, members}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    name: String,
    #[serde(default)]
    members: Vec<String>,
}

fn resolve(rt: &Realtime, logins: &[String]) -> Result<Vec<i64>, ApiError> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for l in logins {
        match rt.id_of(l.trim()) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => unknown.push(l.clone()),
        }
    }
    if unknown.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::NotFound(format!(
            "Nicht im Verzeichnis: {}",
            unknown.join(", ")
        )))
    }
}

/// Takes one of the person's new group rooms for this hour (a script adding the same
/// colleagues to hundreds of rooms would flood their room lists). Direct rooms need no
/// budget: there is at most one per pair of people.
fn take_new_room(rt: &Realtime, me: i64) -> Result<(), ApiError> {
    rt.take_new_room(me)
        .map_err(|wait_ms| ApiError::TooManyRequests((wait_ms / 1000).max(1) as u64))
}

async fn create(
    state: &AppState,
    me: i64,
    body: NewRoom,
    managed: bool,
) -> Result<Response, ApiError> {
    let name = room_rules::check_room_name(&body.name).map_err(rule_error)?;
    let mut ids = resolve(&state.realtime, &body.members)?;
    if !managed {
        take_new_room(&state.realtime, me)?;
    }
    if !managed && !ids.contains(&me) {
        ids.insert(0, me);
    }
    let id = state
        .store
        .create_room(&name, managed, &ids, now_ms())
        .await?;
    let json = announce_room(&state.realtime, me, id, &[]).await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `POST /api/v1/rooms`
pub async fn create_room(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<NewRoom>,
) -> Result<Response, ApiError> {
    create(&state, who.account.id, body, false).await
}

/// `POST /api/v1/admin/rooms`
pub async fn create_managed_room(
    State(state): State<AppState>,
    who: Admin,
    Json(body): Json<NewRoom>,
) -> Result<Response, ApiError> {
    create(&state, who.0.account.id, body, true).await
}

/// `{login}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    login: String,
}

/// `POST /api/v1/rooms/direct`
pub async fn direct_room(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.realtime;
    let me = who.account.id;
    let other = resolve(rt, std::slice::from_ref(&body.login))?[0];
    if other == me {
        return Err(ApiError::BadRequest(
            "Ein Chat mit sich selbst geht nicht.".into(),
        ));
    }
    let (id, created) = state.store.direct_room(me, other, now_ms()).await?;
    if created {
        return Ok(Json(announce_room(rt, me, id, &[]).await?));
    }
    let room = state.store.room(id).await?.ok_or(ApiError::Internal)?;
    Ok(Json(room_json(rt, me, &room).await?))
}

/// `?before=&limit=`
#[derive(Deserialize)]
pub struct Paging {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/rooms/{id}/messages`
pub async fn history(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Query(p): Query<Paging>,
) -> Result<Json<Value>, ApiError> {
    member(&state.realtime, room, who.account.id)?;
    let limit = p.limit.unwrap_or(50).clamp(1, 100);
    let page = state.store.history(room, p.before, limit).await?;
    let messages: Vec<Value> = page.iter().map(ws_frames::message_json).collect();
    Ok(Json(
        json!({ "messages": messages, "more": messages.len() as i64 == limit }),
    ))
}

/// `{text, attachment}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    #[serde(default)]
    text: String,
    #[serde(default)]
    attachment: Option<String>,
}

/// `POST /api/v1/rooms/{id}/messages`
pub async fn send(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<SendBody>,
) -> Result<Response, ApiError> {
    let rt = &state.realtime;
    let change = new_message(
        rt,
        who.account.id,
        room,
        &body.text,
        body.attachment.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(write(rt, change).await?)).into_response())
}

/// `{text}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    text: String,
}

/// `PATCH /api/v1/rooms/{id}/messages/{mid}`
pub async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Path((_room, id)): Path<(i64, i64)>,
    Json(body): Json<EditBody>,
) -> Result<Json<Value>, ApiError> {
    let text = chat_text::check_text(&body.text, false).map_err(rule_error)?;
    let change = Change::Edit {
        id,
        author: who.account.id,
        text,
    };
    Ok(Json(write(&state.realtime, change).await?))
}

/// `DELETE /api/v1/rooms/{id}/messages/{mid}`
pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Path((_room, id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let change = Change::Delete {
        id,
        author: who.account.id,
    };
    Ok(Json(write(&state.realtime, change).await?))
}

/// `{up_to}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    up_to: i64,
}

/// `POST /api/v1/rooms/{id}/read`
pub async fn read(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<ReadBody>,
) -> Result<Json<Value>, ApiError> {
    let unread = mark_read(&state.realtime, who.account.id, room, body.up_to, None).await?;
    Ok(Json(json!({ "unread": unread })))
}

async fn facts(state: &AppState, room: i64) -> Result<RoomFacts, ApiError> {
    let row = state
        .store
        .room(room)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diesen Raum gibt es nicht.".into()))?;
    let kind = RoomKind::parse(&row.kind).ok_or(ApiError::Internal)?;
    Ok(RoomFacts {
        kind,
        managed: row.managed,
    })
}

/// `POST /api/v1/rooms/{id}/members`
pub async fn add_member(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.realtime;
    let me = who.account.id;
    let actor = Actor {
        member: rt.is_member(room, me),
        admin: who.account.roles.contains(directory::Role::Admin),
    };
    room_rules::may_add_member(facts(&state, room).await?, actor).map_err(rule_error)?;
    let target = resolve(rt, std::slice::from_ref(&body.login))?[0];
    state.store.add_member(room, target, now_ms()).await?;
    Ok(Json(announce_room(rt, me, room, &[]).await?))
}

/// `DELETE /api/v1/rooms/{id}/members/{login}`
pub async fn remove_member(
    State(state): State<AppState>,
    who: SignedIn,
    Path((room, login)): Path<(i64, String)>,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.realtime;
    let me = who.account.id;
    let target = resolve(rt, std::slice::from_ref(&login))?[0];
    let actor = Actor {
        member: rt.is_member(room, me),
        admin: who.account.roles.contains(directory::Role::Admin),
    };
    room_rules::may_remove_member(facts(&state, room).await?, actor, target == me)
        .map_err(rule_error)?;
    if !state.store.remove_member(room, target).await? {
        return Err(ApiError::NotFound(format!(
            "„{login}“ ist nicht in diesem Raum."
        )));
    }
    Ok(Json(announce_room(rt, me, room, &[target]).await?))
}

/// `?name=`
#[derive(Deserialize)]
pub struct UploadQuery {
    name: String,
}

/// A file name safe to store and to offer for download: no folders, no control
/// characters, at most 200 characters, and none of the hidden characters that change how
/// a name is shown (`\u{202E}gnp.exe` would show as "exe.png"). Those are stripped, not
/// refused: the name comes from the uploader's operating system, not from their typing.
fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let visible: String = base
        .chars()
        .filter(|&c| !c.is_control() && c != '"' && !directory::display_text::is_hidden(c))
        .collect();
    let cleaned: String = visible.trim().chars().take(200).collect();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then_some(cleaned)
}

/// `POST /api/v1/rooms/{id}/attachments?name=FILE`: the body is the file. It is written
/// to disk as it arrives (never held in memory), within the largest size and the
/// person's quota, and recorded only when complete.
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let rt = &state.realtime;
    let me = who.account.id;
    member(rt, room, me)?;
    let name = clean_file_name(&q.name)
        .ok_or_else(|| ApiError::BadRequest("Der Dateiname fehlt oder ist ungültig.".into()))?;
    let settings = rt.settings();
    let (max, quota) = (
        settings.attachment_max_bytes,
        settings.attachment_quota_bytes,
    );
    let too_big = || {
        ApiError::TooLarge(format!(
            "Die Datei ist größer als {} MiB.",
            max / (1024 * 1024)
        ))
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max) {
        return Err(too_big());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() < 100 && v.contains('/') && !v.contains(['\r', '\n']))
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut upload = state
        .uploads
        .begin(me)
        .ok_or(ApiError::TooManyRequests(5))?;
    let stored = u64::try_from(state.store.attachment_bytes_of(me).await?).unwrap_or(0);
    let full = || {
        ApiError::TooLarge(format!(
            "Ihr Platz für Dateien ({} MiB) reicht dafür nicht. Löschen Sie ältere Nachrichten mit Dateien.",
            quota / (1024 * 1024)
        ))
    };
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|_| ApiError::Internal)?;
    let id: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let dir = settings.attachment_dir.clone();
    // Written under a temporary name and renamed once recorded: a crash leaves only
    // `.part` files, which the hourly clean-up removes.
    let part = dir.join(format!("{id}.part"));
    let written = async {
        tokio::fs::create_dir_all(&dir).await.map_err(storage)?;
        let mut file = tokio::fs::File::create(&part).await.map_err(storage)?;
        let mut size = 0u64;
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
            let chunk = chunk
                .map_err(|_| ApiError::BadRequest("Die Übertragung der Datei brach ab.".into()))?;
            size += chunk.len() as u64;
            if size > max {
                return Err(too_big());
            }
            if !upload.take(chunk.len() as u64, stored, quota) {
                return Err(full());
            }
            tokio::io::AsyncWriteExt::write_all(&mut file, &chunk)
                .await
                .map_err(storage)?;
        }
        file.sync_all().await.map_err(storage)?;
        if size == 0 {
            return Err(ApiError::BadRequest("Die Datei ist leer.".into()));
        }
        let row = AttachmentRow {
            id: id.clone(),
            room_id: room,
            uploader_id: me,
            name,
            content_type,
            size: size as i64,
        };
        if !state
            .store
            .insert_attachment(&row, now_ms(), i64::try_from(quota).unwrap_or(i64::MAX))
            .await?
        {
            return Err(full());
        }
        tokio::fs::rename(&part, dir.join(&id))
            .await
            .map_err(storage)?;
        Ok(row)
    }
    .await;
    let row = match written {
        Ok(row) => row,
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(e);
        }
    };
    let json =
        json!({"id": row.id, "name": row.name, "size": row.size, "content_type": row.content_type});
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

fn storage(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "storing an attachment failed");
    ApiError::Unavailable("attachment storage".into())
}

/// `GET /api/v1/attachments/{id}`: only for members of the room it was sent to.
pub async fn download(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound("Diese Datei gibt es nicht.".into());
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let row = state.store.attachment(&id).await?.ok_or_else(not_found)?;
    member(&state.realtime, row.room_id, who.account.id).map_err(|_| not_found())?;
    let path = state.realtime.settings().attachment_dir.join(&row.id);
    // Streamed from the file: parallel downloads of large files cost no memory.
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| not_found())?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let encoded: String = row
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, row.content_type),
            (header::CONTENT_LENGTH, row.size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

/// `?q=`
#[derive(Deserialize)]
pub struct SearchQuery {
    q: String,
}

/// `GET /api/v1/search?q=`
pub async fn search(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let query = q.q.trim();
    if query.chars().count() < 2 || query.chars().count() > 100 {
        return Err(ApiError::BadRequest(
            "Suchen Sie nach 2 bis 100 Zeichen.".into(),
        ));
    }
    let found = state
        .store
        .search_messages(who.account.id, &chat_text::like_pattern(query), 50)
        .await?;
    let messages: Vec<Value> = found.iter().map(ws_frames::message_json).collect();
    Ok(Json(json!({ "messages": messages })))
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names() {
        assert_eq!(
            super::clean_file_name("C:\\Users\\x\\Antrag Müller.pdf").as_deref(),
            Some("Antrag Müller.pdf")
        );
        assert_eq!(
            super::clean_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(super::clean_file_name(".."), None);
        assert_eq!(
            super::clean_file_name("a\"b\u{0}.txt").as_deref(),
            Some("ab.txt")
        );
        assert_eq!(super::clean_file_name(" "), None);
        assert_eq!(
            super::clean_file_name("Rechnung\u{202E}fdp.exe").as_deref(),
            Some("Rechnungfdp.exe")
        );
        assert_eq!(
            super::clean_file_name("\u{FEFF} Bericht\u{200B}\u{200D}\u{AD}.pdf").as_deref(),
            Some("Bericht.pdf")
        );
        assert_eq!(super::clean_file_name("\u{2066}..\u{2069}"), None);
    }
}
