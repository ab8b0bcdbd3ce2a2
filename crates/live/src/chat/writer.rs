//! The one task that writes chat changes. It takes whatever is queued (up to 256 jobs),
//! gives each change the next revision, commits new messages in one transaction, and only
//! then publishes them and answers the senders: a message is acknowledged only once it is
//! stored, and every client sees changes in revision order.

use crate::connections::Outbound;
use crate::{Live, LiveError};
use presence::{chat_text, room_rules, ConnId};
use serde_json::Value;
use store::{AttachmentRow, MessageRow, NewMessage, Store};
use tokio::sync::{mpsc, oneshot};

/// Jobs taken in one go.
const BATCH: usize = 256;

/// A change to write.
#[derive(Debug)]
pub enum Change {
    /// A new message (text already checked).
    New {
        /// Room.
        room: i64,
        /// Author's staff id (a member, checked).
        author: i64,
        /// Text.
        text: String,
        /// An attachment of this room.
        attachment: Option<AttachmentRow>,
    },
    /// New text for an own message.
    Edit {
        /// Message id.
        id: i64,
        /// Who asks.
        author: i64,
        /// Text (checked).
        text: String,
    },
    /// Delete an own message.
    Delete {
        /// Message id.
        id: i64,
        /// Who asks.
        author: i64,
    },
}

/// Where the answer goes.
#[derive(Debug)]
pub enum Reply {
    /// An `ack` or `error` frame to this connection.
    Ws(ConnId, Option<Value>),
    /// The stored message (or the refusal) to whoever waits for it.
    Direct(oneshot::Sender<Result<MessageRow, LiveError>>),
}

/// One queued change.
#[derive(Debug)]
pub struct WriteJob {
    /// What.
    pub change: Change,
    /// Answer to.
    pub reply: Reply,
}

/// Runs until every sender is gone.
pub(crate) async fn run(
    rt: Live,
    store: Store,
    mut rx: mpsc::Receiver<WriteJob>,
    mut next_rev: i64,
) {
    let mut jobs = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let mut news: Vec<(MessageRow, Reply)> = Vec::new();
        for job in jobs.drain(..) {
            match job.change {
                Change::New {
                    attachment: Some(a),
                    ..
                } if !still_unsent(&store, &a, &news).await => {
                    let gone = "Diese Datei wurde schon gesendet oder gelöscht.";
                    finish(&rt, Err(LiveError::NotFound(gone.into())), job.reply);
                }
                Change::New {
                    room,
                    author,
                    text,
                    attachment,
                } => {
                    let row = new_row(&rt, next_rev, room, author, text, attachment);
                    next_rev += 1;
                    news.push((row, job.reply));
                }
                change => {
                    flush(&rt, &store, std::mem::take(&mut news)).await;
                    let result = change_existing(&rt, &store, change, next_rev).await;
                    next_rev += 1;
                    finish(&rt, result, job.reply);
                }
            }
        }
        flush(&rt, &store, news).await;
    }
}

/// Whether an attachment can still go with a new message: checked when the message was
/// made, but another message with it may have been written since (or wait in this batch).
async fn still_unsent(store: &Store, a: &AttachmentRow, batch: &[(MessageRow, Reply)]) -> bool {
    let in_batch = batch
        .iter()
        .any(|(m, _)| m.attachment.as_ref().is_some_and(|b| b.id == a.id));
    !in_batch
        && matches!(
            store
                .unsent_attachment(&a.id, a.room_id, a.uploader_id)
                .await,
            Ok(Some(_))
        )
}

fn new_row(
    rt: &Live,
    rev: i64,
    room: i64,
    author: i64,
    text: String,
    attachment: Option<AttachmentRow>,
) -> MessageRow {
    let who = rt.person(author);
    MessageRow {
        id: rev,
        room_id: room,
        rev,
        author_id: author,
        author: who.as_ref().map(|p| p.login.clone()).unwrap_or_default(),
        author_name: who.map(|p| p.name).unwrap_or_default(),
        mentions: member_mentions(rt, room, &text),
        text,
        attachment,
        sent_at_ms: rt.now_ms(),
        edited_at_ms: None,
        deleted: false,
    }
}

/// Mentioned logins that belong to the room.
fn member_mentions(rt: &Live, room: i64, text: &str) -> Vec<String> {
    let members = rt.room_members(room);
    chat_text::mentions(text)
        .into_iter()
        .filter(|login| rt.id_of(login).is_some_and(|id| members.contains(&id)))
        .collect()
}

async fn flush(rt: &Live, store: &Store, news: Vec<(MessageRow, Reply)>) {
    if news.is_empty() {
        return;
    }
    let rows: Vec<NewMessage> = news
        .iter()
        .map(|(m, _)| NewMessage {
            id: m.id,
            rev: m.rev,
            room_id: m.room_id,
            author_id: m.author_id,
            search_text: chat_text::fold_for_search(&m.text),
            text: m.text.clone(),
            mentions: m.mentions.join(" "),
            attachment_id: m.attachment.as_ref().map(|a| a.id.clone()),
            sent_at_ms: m.sent_at_ms,
        })
        .collect();
    match store.insert_messages(&rows).await {
        Ok(()) => {
            for (m, reply) in news {
                finish(rt, Ok(m), reply);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "storing chat messages failed");
            for (_, reply) in news {
                finish(rt, Err(LiveError::Unavailable("storage".into())), reply);
            }
        }
    }
}

async fn change_existing(
    rt: &Live,
    store: &Store,
    change: Change,
    rev: i64,
) -> Result<MessageRow, LiveError> {
    let (id, author) = match &change {
        Change::Edit { id, author, .. } | Change::Delete { id, author } => (*id, *author),
        Change::New { .. } => unreachable!("new messages are flushed in batches"),
    };
    let mut m = store
        .message(id)
        .await?
        .filter(|m| rt.is_member(m.room_id, author))
        .ok_or_else(|| LiveError::NotFound("Diese Nachricht gibt es nicht.".into()))?;
    room_rules::may_change_message(m.author_id == author, m.deleted).map_err(|e| match e {
        presence::PresenceError::NotAuthor => {
            LiveError::Refused("Nur wer die Nachricht geschrieben hat, darf sie ändern.".into())
        }
        _ => LiveError::Conflict("Die Nachricht ist gelöscht.".into()),
    })?;
    let now = rt.now_ms();
    match change {
        Change::Edit { text, .. } => {
            let mentions = member_mentions(rt, m.room_id, &text);
            store
                .edit_message(
                    id,
                    rev,
                    &text,
                    &chat_text::fold_for_search(&text),
                    &mentions.join(" "),
                    now,
                )
                .await?;
            m.text = text;
            m.mentions = mentions;
        }
        _ => {
            let attachment = store.delete_message(id, rev, now).await?;
            crate::chat::attachments::remove(&rt.settings().attachment_dir, attachment.as_slice())
                .await;
            m.text.clear();
            m.mentions.clear();
            m.attachment = None;
            m.deleted = true;
        }
    }
    m.rev = rev;
    m.edited_at_ms = Some(now);
    Ok(m)
}

/// Publishes a stored change to the room, then answers the sender.
fn finish(rt: &Live, result: Result<MessageRow, LiveError>, reply: Reply) {
    if let Ok(m) = &result {
        rt.publish_chat(m.room_id, m.rev, rt.frames().chat_message(m));
        rt.set_committed_rev(m.rev);
    }
    match reply {
        Reply::Direct(tx) => {
            let _ = tx.send(result);
        }
        Reply::Ws(conn, reference) => {
            let frame = match result {
                Ok(m) => rt.frames().chat_stored(reference.as_ref(), &m),
                Err(e) => rt.frames().chat_refused(reference.as_ref(), &e),
            };
            rt.to_conn(conn, Outbound::Frame(frame));
        }
    }
}
