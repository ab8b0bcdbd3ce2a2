//! `GET /api/v1/ws`: one task per WebSocket. It reads client frames (each checked,
//! flood-guarded and answered on its own, so a bad frame never ends the connection) and
//! writes what the [`Realtime`] fan-out queues for it.

use crate::chat_api;
use crate::chat_writer::{ws_error, Change};
use crate::error::ApiError;
use crate::realtime::{now_ms, Outbound, Person, Realtime};
use crate::session::SignedIn;
use crate::ws_frames::{self, Request, PROTOCOL};
use crate::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::SinkExt;
use presence::{ConnId, FloodGuard, Verdict};
use serde_json::{json, Value};
use std::time::Duration;

/// The largest frame a client may send.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Extra people one client may follow with `presence.subscribe`.
pub const MAX_EXTRA_FOLLOWS: usize = 500;
const HELLO_WAIT: Duration = Duration::from_secs(10);
const REPLAY_PAGE: i64 = 500;

/// The upgrade: a signed-in person, from a page of this server.
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
    let rt = state.realtime.clone();
    let me = match rt.person(who.account.id) {
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
            rt.learn(p.clone());
            p
        }
    };
    let session = who.session.id;
    let admission = rt
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
                tracing::Instrument::instrument(connection(socket, rt, me, session), span).await;
            drop(admission);
        }))
}

struct Client {
    socket: WebSocket,
    rt: Realtime,
    me: Person,
    conn: ConnId,
    extra_follows: usize,
    last_typing_ms: i64,
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
        match ws_frames::parse(text.as_str()) {
            (_, Ok(Request::Hello { protocol, since })) if protocol == PROTOCOL => {
                return Some(since)
            }
            (r, Ok(Request::Hello { .. })) => {
                let msg = format!("Dieser Server spricht Protokoll {PROTOCOL}.");
                let _ = send(socket, ws_frames::error(r.as_ref(), "bad_request", &msg)).await;
                close(socket, 1002, "unsupported protocol version").await;
                return None;
            }
            (r, _) => {
                let msg = "Die erste Nachricht muss „hello“ sein.";
                send(socket, ws_frames::error(r.as_ref(), "hello_required", msg))
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
    rt: Realtime,
    me: Person,
    session: i64,
) -> Result<(), axum::Error> {
    let Some(since) = await_hello(&mut socket).await else {
        return Ok(());
    };
    let follows = match rt.store().follow_ids(me.id).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "loading whom to follow failed");
            close(&mut socket, 1011, "server error, reconnect").await;
            return Ok(());
        }
    };
    let (conn, mut outbox, snapshot) = rt.connect(me.id, session, follows);
    let mut client = Client {
        socket,
        rt: rt.clone(),
        me,
        conn,
        extra_follows: 0,
        last_typing_ms: 0,
    };
    let result = client.serve(since, snapshot, &mut outbox).await;
    rt.disconnect(conn);
    result
}

impl Client {
    async fn serve(
        &mut self,
        since: Option<i64>,
        snapshot: Utf8Bytes,
        outbox: &mut tokio::sync::mpsc::Receiver<Outbound>,
    ) -> Result<(), axum::Error> {
        let idle = self.rt.settings().idle_after_seconds;
        send(
            &mut self.socket,
            ws_frames::welcome(&self.me.login, &self.me.name, idle),
        )
        .await?;
        self.socket.send(Message::Text(snapshot)).await?;
        let mut skip_upto = self.rt.committed_rev();
        if let Some(mut cursor) = since {
            loop {
                let page = match self
                    .rt
                    .store()
                    .changes_since(self.me.id, cursor, REPLAY_PAGE)
                    .await
                {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::error!(error = %e, "replaying chat failed");
                        close(&mut self.socket, 1011, "server error, reconnect").await;
                        return Ok(());
                    }
                };
                for m in &page {
                    self.socket
                        .feed(Message::Text(Utf8Bytes::from(ws_frames::chat_message(m))))
                        .await?;
                    cursor = cursor.max(m.rev);
                }
                self.socket.flush().await?;
                if (page.len() as i64) < REPLAY_PAGE {
                    break;
                }
            }
            skip_upto = skip_upto.max(cursor);
        }
        send(&mut self.socket, ws_frames::resume_done(skip_upto)).await?;
        let mut guard = FloodGuard::new(20, 40, now_ms());
        loop {
            tokio::select! {
                incoming = self.socket.recv() => {
                    let msg = match incoming {
                        None => return Ok(()),
                        Some(Err(e)) => {
                            if e.to_string().contains("too long") || e.to_string().contains("too big") {
                                close(&mut self.socket, 1009, "frame too large").await;
                            }
                            return Ok(());
                        }
                        Some(Ok(m)) => m,
                    };
                    match guard.check(now_ms()) {
                        Verdict::Allow => {}
                        Verdict::Drop => {
                            let text = "Zu viele Nachrichten; diese wurde verworfen.";
                            send(&mut self.socket, ws_frames::error(None, "rate_limited", text)).await?;
                            continue;
                        }
                        Verdict::Close => {
                            close(&mut self.socket, 1008, "flooding").await;
                            return Ok(());
                        }
                    }
                    match msg {
                        Message::Text(text) => self.handle(text.as_str()).await?,
                        Message::Binary(_) => {
                            let text = ws_frames::error(None, "malformed", "Nur Textnachrichten (JSON) sind erlaubt.");
                            send(&mut self.socket, text).await?;
                        }
                        Message::Close(_) => return Ok(()),
                        Message::Ping(_) | Message::Pong(_) => {}
                    }
                }
                out = outbox.recv() => {
                    let Some(first) = out else {
                        close(&mut self.socket, 1013, "too slow, reconnect").await;
                        return Ok(());
                    };
                    let mut next = Some(first);
                    let mut written = 0;
                    while let Some(o) = next.take() {
                        match o {
                            Outbound::Frame(f) => self.socket.feed(Message::Text(f)).await?,
                            Outbound::Chat(rev, f) if rev > skip_upto => self.socket.feed(Message::Text(f)).await?,
                            Outbound::Chat(..) => {}
                            Outbound::Close(code, reason) => {
                                self.socket.flush().await?;
                                close(&mut self.socket, code, reason).await;
                                return Ok(());
                            }
                        }
                        written += 1;
                        if written < 64 {
                            next = outbox.try_recv().ok();
                        }
                    }
                    self.socket.flush().await?;
                }
            }
        }
    }

    async fn reply(
        &mut self,
        r: Option<&Value>,
        result: Result<Value, ApiError>,
    ) -> Result<(), axum::Error> {
        let text = match result {
            Ok(extra) => ws_frames::ack(r, extra),
            Err(e) => {
                let (code, message) = ws_error(&e);
                ws_frames::error(r, code, &message)
            }
        };
        send(&mut self.socket, text).await
    }

    async fn handle(&mut self, text: &str) -> Result<(), axum::Error> {
        let (r, request) = ws_frames::parse(text);
        let request = match request {
            Ok(req) => req,
            Err(e) => {
                let (code, message) = e.code_and_message();
                return send(
                    &mut self.socket,
                    ws_frames::error(r.as_ref(), code, &message),
                )
                .await;
            }
        };
        let r = r.as_ref();
        let me = self.me.id;
        // The person doing something keeps the session from idling out, like a request;
        // the client's own keep-alive and idle reports do not.
        if !matches!(request, Request::Ping | Request::Activity { idle: true }) {
            self.rt.used(self.conn);
        }
        match request {
            Request::Hello { .. } => {
                let text =
                    ws_frames::error(r, "bad_request", "„hello“ kommt nur einmal, am Anfang.");
                send(&mut self.socket, text).await
            }
            Request::Ping => send(&mut self.socket, ws_frames::pong(r)).await,
            Request::Activity { idle } => {
                self.rt.activity(self.conn, idle);
                Ok(())
            }
            Request::PresenceSet(body) => {
                let result = match body.to_manual(now_ms()) {
                    Ok(m) => self
                        .rt
                        .set_manual(me, m)
                        .await
                        .map(|_| json!({}))
                        .map_err(ApiError::from),
                    Err(why) => Err(ApiError::BadRequest(why)),
                };
                self.reply(r, result).await
            }
            Request::Subscribe { logins } => {
                if self.extra_follows + logins.len() > MAX_EXTRA_FOLLOWS {
                    let why = format!("Höchstens {MAX_EXTRA_FOLLOWS} weitere Personen.");
                    return self.reply(r, Err(ApiError::BadRequest(why))).await;
                }
                self.extra_follows += logins.len();
                let frame = self.rt.follow(self.conn, me, &logins, r);
                self.socket.send(Message::Text(frame)).await
            }
            Request::WatchAdd { login } => {
                let result = chat_api::add_watch(&self.rt, me, &login).await;
                self.reply(r, result).await
            }
            Request::WatchRemove { login } => {
                let result = match self.rt.id_of(&login) {
                    Some(t) => self
                        .rt
                        .unwatch(me, t)
                        .await
                        .map(|_| json!({}))
                        .map_err(ApiError::from),
                    None => Err(ApiError::NotFound(format!("„{login}“ gibt es nicht."))),
                };
                self.reply(r, result).await
            }
            Request::ChatSend {
                room,
                text,
                attachment,
            } => {
                let change =
                    chat_api::new_message(&self.rt, me, room, &text, attachment.as_deref()).await;
                self.submit(r, change).await
            }
            Request::ChatEdit { id, text } => {
                let change = presence::chat_text::check_text(&text, false)
                    .map(|text| Change::Edit {
                        id,
                        author: me,
                        text,
                    })
                    .map_err(|e| ApiError::BadRequest(chat_api::german(&e)));
                self.submit(r, change).await
            }
            Request::ChatDelete { id } => {
                self.submit(r, Ok(Change::Delete { id, author: me })).await
            }
            Request::ChatTyping { room } => {
                let now = now_ms();
                if self.rt.is_member(room, me) && now - self.last_typing_ms >= 2_000 {
                    self.last_typing_ms = now;
                    let frame =
                        Utf8Bytes::from(ws_frames::typing(room, &self.me.login, &self.me.name));
                    self.rt.to_room_except(room, me, frame);
                }
                Ok(())
            }
            Request::ChatRead { room, up_to } => {
                let result = chat_api::mark_read(&self.rt, me, room, up_to, Some(self.conn)).await;
                self.reply(r, result.map(|unread| json!({"unread": unread})))
                    .await
            }
        }
    }

    async fn submit(
        &mut self,
        r: Option<&Value>,
        change: Result<Change, ApiError>,
    ) -> Result<(), axum::Error> {
        let result = change.and_then(|change| {
            chat_api::submit(
                &self.rt,
                change,
                crate::chat_writer::Reply::Ws(self.conn, r.cloned()),
            )
        });
        match result {
            // The writer answers once the change is stored.
            Ok(()) => Ok(()),
            Err(e) => self.reply(r, Err(e)).await,
        }
    }
}
