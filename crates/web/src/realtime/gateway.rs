//! `GET /api/v1/ws`: one task per WebSocket. It reads client frames (each checked,
//! flood-guarded and answered on its own, so a bad frame never ends the connection),
//! hands each to its feature by the type's prefix (`presence.`/`watch.` → presence,
//! `chat.` → chat), and writes what the [`Live`] fan-out queues for it.

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::realtime::caller::{Answer, Caller};
use crate::realtime::frames::{self, Envelope, Request, PROTOCOL};
use crate::{calls, chat, presence, AppState};
use ::presence::{FloodGuard, Verdict};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::SinkExt;
use live::{Frame, Live, Outbound, Person};
use serde_json::json;
use std::time::Duration;

/// The largest frame a client may send.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
const HELLO_WAIT: Duration = Duration::from_secs(10);
const REPLAY_PAGE: i64 = 500;

/// The real-time WebSocket (protocol in docs/realtime-protocol.md): a signed-in person,
/// from a page of this server, with at most a few dozen sockets per session.
#[utoipa::path(get, path = "/api/v1/ws", tag = "realtime",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 101, description = "Switching to the WebSocket protocol"),
        (status = 403, description = "A page of another site (Origin)", body = crate::error::ErrorBody),
        (status = 429, description = "Too many sockets for this session or person", body = crate::error::ErrorBody)))]
pub async fn upgrade(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    // Browsers send the page's origin; refuse pages of other sites (cross-site WebSocket
    // hijacking). Programs without an Origin header still need the session cookie.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
        if origin_host != host {
            return Err(ApiError::Forbidden);
        }
    }
    let live = state.live.clone();
    let me = match live.person(who.account.id) {
        Some(p) => p,
        None => {
            let p = state
                .store
                .panel_person(who.account.login.as_str())
                .await?
                .ok_or(ApiError::Unauthorized)?;
            let p = Person {
                id: p.id,
                login: p.login,
                name: p.name,
                unit_id: p.unit_id,
            };
            live.learn(p.clone());
            p
        }
    };
    let session = who.session.id;
    let admission = live
        .admit(me.id, session)
        .ok_or(ApiError::TooManyRequests(10))?;
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(256 * 1024)
        .on_upgrade(move |socket| async move {
            let span = tracing::info_span!("ws", person = me.id);
            let _ =
                tracing::Instrument::instrument(connection(socket, live, me, session), span).await;
            drop(admission);
        }))
}

/// One connection: who is on it and each feature's state for it.
struct Client {
    caller: Caller,
    /// Presence's state on this connection.
    presence: presence::ws::ConnState,
    /// Chat's state on this connection.
    chat: chat::ws::ConnState,
}

fn text(frame: Frame) -> Utf8Bytes {
    // Frames are built from strings only.
    Utf8Bytes::try_from(frame.into_bytes()).unwrap_or_default()
}

async fn send(socket: &mut WebSocket, text: String) -> Result<(), axum::Error> {
    socket.send(Message::Text(Utf8Bytes::from(text))).await
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let handshake = async {
        if socket.send(Message::Close(Some(frame))).await.is_err() {
            return;
        }
        // The closing handshake (RFC 6455 §7.1.1): read on until the peer's Close, so the
        // peer gets our code and reason instead of a reset from unread frames (a flooding
        // client is still sending when we close).
        while let Some(Ok(msg)) = socket.recv().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), handshake).await;
}

/// Waits for `hello`; answers other frames with `hello_required`.
async fn await_hello(socket: &mut WebSocket) -> Option<Option<i64>> {
    let deadline = tokio::time::Instant::now() + HELLO_WAIT;
    for _ in 0..5 {
        let msg = tokio::time::timeout_at(deadline, socket.recv())
            .await
            .ok()??
            .ok()?;
        let Message::Text(text) = msg else {
            if matches!(msg, Message::Close(_)) {
                return None;
            }
            continue;
        };
        let (r, envelope) = frames::parse(text.as_str());
        match envelope.as_ref().map(frames::request) {
            Ok(Ok(Request::Hello { protocol, since })) if protocol == PROTOCOL => {
                return Some(since)
            }
            Ok(Ok(Request::Hello { .. })) => {
                let msg = format!("Dieser Server spricht Protokoll {PROTOCOL}.");
                let _ = send(socket, frames::error(r.as_ref(), "bad_request", &msg)).await;
                close(socket, 1002, "unsupported protocol version").await;
                return None;
            }
            _ => {
                let msg = "Die erste Nachricht muss „hello“ sein.";
                send(socket, frames::error(r.as_ref(), "hello_required", msg))
                    .await
                    .ok()?;
            }
        }
    }
    close(socket, 1008, "hello required").await;
    None
}

async fn connection(
    mut socket: WebSocket,
    live: Live,
    me: Person,
    session: i64,
) -> Result<(), axum::Error> {
    let Some(since) = await_hello(&mut socket).await else {
        return Ok(());
    };
    let follows = match live.store().follow_ids(me.id).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "loading whom to follow failed");
            close(&mut socket, 1011, "server error, reconnect").await;
            return Ok(());
        }
    };
    let (conn, mut outbox, snapshot) = live.connect(me.id, session, follows);
    let mut client = Client {
        caller: Caller {
            live: live.clone(),
            me,
            conn,
        },
        presence: Default::default(),
        chat: Default::default(),
    };
    let result = serve(&mut socket, &mut client, since, snapshot, &mut outbox).await;
    live.disconnect(conn);
    if let Some(desk) = live.call_desk() {
        desk.closed(
            client.caller.me.id,
            conn.0,
            live.is_connected(client.caller.me.id),
        );
    }
    result
}

async fn serve(
    socket: &mut WebSocket,
    client: &mut Client,
    since: Option<i64>,
    snapshot: Frame,
    outbox: &mut tokio::sync::mpsc::Receiver<Outbound>,
) -> Result<(), axum::Error> {
    let live = client.caller.live.clone();
    let idle = live.settings().idle_after_seconds;
    send(
        socket,
        frames::welcome(&client.caller.me.login, &client.caller.me.name, idle),
    )
    .await?;
    socket.send(Message::Text(text(snapshot))).await?;
    let Some(skip_upto) = replay(socket, &live, client.caller.me.id, since).await? else {
        return Ok(());
    };
    send(socket, frames::resume_done(skip_upto)).await?;
    let mut guard = FloodGuard::new(20, 40, live.now_ms());
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let msg = match incoming {
                    None => return Ok(()),
                    Some(Err(e)) => {
                        if e.to_string().contains("too long") || e.to_string().contains("too big") {
                            close(socket, 1009, "frame too large").await;
                        }
                        return Ok(());
                    }
                    Some(Ok(m)) => m,
                };
                match guard.check(live.now_ms()) {
                    Verdict::Allow => {}
                    Verdict::Drop => {
                        let text = "Zu viele Nachrichten; diese wurde verworfen.";
                        send(socket, frames::error(None, "rate_limited", text)).await?;
                        continue;
                    }
                    Verdict::Close => {
                        close(socket, 1008, "flooding").await;
                        return Ok(());
                    }
                }
                let answer = match msg {
                    Message::Text(text) => handle(client, text.as_str()).await,
                    Message::Binary(_) => Some(frames::error(None, "malformed", "Nur Textnachrichten (JSON) sind erlaubt.")),
                    Message::Close(_) => return Ok(()),
                    Message::Ping(_) | Message::Pong(_) => None,
                };
                if let Some(answer) = answer {
                    send(socket, answer).await?;
                }
            }
            out = outbox.recv() => {
                let Some(first) = out else {
                    close(socket, 1013, "too slow, reconnect").await;
                    return Ok(());
                };
                let mut next = Some(first);
                let mut written = 0;
                while let Some(o) = next.take() {
                    match o {
                        Outbound::Frame(f) => socket.feed(Message::Text(text(f))).await?,
                        Outbound::Chat(rev, f) if rev > skip_upto => socket.feed(Message::Text(text(f))).await?,
                        Outbound::Chat(..) => {}
                        Outbound::Close(code, reason) => {
                            socket.flush().await?;
                            close(socket, code, reason).await;
                            return Ok(());
                        }
                    }
                    written += 1;
                    if written < 64 {
                        next = outbox.try_recv().ok();
                    }
                }
                socket.flush().await?;
            }
        }
    }
}

/// Sends the chat changes after `since` (a reconnecting client's last revision); returns
/// the revision up to which live deliveries are duplicates, or `None` when the socket
/// was closed for an error.
async fn replay(
    socket: &mut WebSocket,
    live: &Live,
    me: i64,
    since: Option<i64>,
) -> Result<Option<i64>, axum::Error> {
    let mut skip_upto = live.committed_rev();
    let Some(mut cursor) = since else {
        return Ok(Some(skip_upto));
    };
    loop {
        let page = match live.store().changes_since(me, cursor, REPLAY_PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "replaying chat failed");
                close(socket, 1011, "server error, reconnect").await;
                return Ok(None);
            }
        };
        for m in &page {
            let frame = chat::frames::chat_message(m);
            socket.feed(Message::Text(Utf8Bytes::from(frame))).await?;
            cursor = cursor.max(m.rev);
        }
        socket.flush().await?;
        if (page.len() as i64) < REPLAY_PAGE {
            break;
        }
    }
    skip_upto = skip_upto.max(cursor);
    Ok(Some(skip_upto))
}

/// Reads one frame and hands it to its feature; returns what to answer now.
async fn handle(client: &mut Client, text: &str) -> Answer {
    let (reference, envelope) = frames::parse(text);
    let envelope: Envelope = match envelope {
        Ok(e) => e,
        Err(e) => {
            let (code, message) = e.code_and_message();
            return Some(frames::error(reference.as_ref(), code, &message));
        }
    };
    let r = reference.as_ref();
    let kind = envelope.kind.as_str();
    // The person doing something keeps the session from idling out, like a request; the
    // client's own keep-alive and idle reports do not.
    let keep_alive = matches!(kind, "ping" | "hello")
        || (kind == "presence.activity" && envelope.body.get("idle") == Some(&json!(true)));
    if !keep_alive {
        client.caller.live.used(client.caller.conn);
    }
    let answer = match envelope.feature() {
        "presence" | "watch" => {
            presence::ws::handle(&client.caller, &mut client.presence, &envelope).await
        }
        "chat" => chat::ws::handle(&client.caller, &mut client.chat, &envelope).await,
        "call" => calls::ws::handle(&client.caller, &envelope).await,
        _ => match frames::request(&envelope) {
            Ok(Request::Ping) => Ok(Some(frames::pong(r))),
            Ok(Request::Hello { .. }) => Ok(Some(frames::error(
                r,
                "bad_request",
                "„hello“ kommt nur einmal, am Anfang.",
            ))),
            Err(e) => Err(e),
        },
    };
    answer.unwrap_or_else(|e| {
        let (code, message) = e.code_and_message();
        Some(frames::error(r, code, &message))
    })
}
