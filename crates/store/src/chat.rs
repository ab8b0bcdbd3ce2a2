//! Chat rooms, members, messages, read markers and attachments.

use crate::{int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRow {
    /// Id.
    pub id: i64,
    /// `direct`, `group` or `unit`.
    pub kind: String,
    /// Name (the unit path for unit rooms, empty for direct rooms).
    pub name: String,
    /// Members managed by administrators.
    pub managed: bool,
}

/// A room as its member sees it in the room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSummary {
    /// The room.
    pub room: RoomRow,
    /// Members' logins, sorted.
    pub members: Vec<String>,
    /// Messages by others after the read marker.
    pub unread: i64,
    /// The read marker (a message id).
    pub last_read: i64,
    /// The newest message's id.
    pub last_message: Option<i64>,
}

/// A message to store; id and revision come from the chat writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Id (its first revision).
    pub id: i64,
    /// Revision.
    pub rev: i64,
    /// Room.
    pub room_id: i64,
    /// Author's staff id.
    pub author_id: i64,
    /// Text.
    pub text: String,
    /// Lower-cased text for search.
    pub search_text: String,
    /// Mentioned logins, space separated.
    pub mentions: String,
    /// Attached file.
    pub attachment_id: Option<String>,
    /// Unix milliseconds.
    pub sent_at_ms: i64,
}

/// An attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// Random id (also the file name in the data folder).
    pub id: String,
    /// The room it was uploaded to.
    pub room_id: i64,
    /// Who uploaded it.
    pub uploader_id: i64,
    /// The original file name.
    pub name: String,
    /// Its media type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
}

/// A stored message with its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// Id.
    pub id: i64,
    /// Room.
    pub room_id: i64,
    /// Revision of its last change.
    pub rev: i64,
    /// Author's staff id.
    pub author_id: i64,
    /// Author's login.
    pub author: String,
    /// Author's name.
    pub author_name: String,
    /// Text (empty when deleted).
    pub text: String,
    /// Mentioned logins.
    pub mentions: Vec<String>,
    /// The attachment (none when deleted).
    pub attachment: Option<AttachmentRow>,
    /// Unix milliseconds.
    pub sent_at_ms: i64,
    /// Unix milliseconds of the last edit or the deletion.
    pub edited_at_ms: Option<i64>,
    /// Deleted by its author.
    pub deleted: bool,
}

const MESSAGE: &str = "SELECT m.id, m.room_id, m.rev, m.author_id, s.login, s.display_name, m.text, m.mentions, \
     m.sent_at, m.edited_at, m.deleted, a.id, a.room_id, a.uploader_id, a.name, a.content_type, a.size \
     FROM chat_messages m JOIN staff s ON s.id = m.author_id \
     LEFT JOIN chat_attachments a ON a.id = m.attachment_id";

const ATTACHMENT: &str =
    "SELECT id, room_id, uploader_id, name, content_type, size FROM chat_attachments";

fn attachment(r: &AnyRow) -> Result<AttachmentRow, StoreError> {
    Ok(AttachmentRow {
        id: text(r, 0)?,
        room_id: int(r, 1)?,
        uploader_id: int(r, 2)?,
        name: text(r, 3)?,
        content_type: text(r, 4)?,
        size: int(r, 5)?,
    })
}

fn message(row: &AnyRow) -> Result<MessageRow, StoreError> {
    let deleted = int(row, 10)? != 0;
    let attachment = match opt_text(row, 11)? {
        Some(id) if !deleted => Some(AttachmentRow {
            id,
            room_id: int(row, 12)?,
            uploader_id: int(row, 13)?,
            name: text(row, 14)?,
            content_type: text(row, 15)?,
            size: int(row, 16)?,
        }),
        _ => None,
    };
    Ok(MessageRow {
        id: int(row, 0)?,
        room_id: int(row, 1)?,
        rev: int(row, 2)?,
        author_id: int(row, 3)?,
        author: text(row, 4)?,
        author_name: text(row, 5)?,
        text: text(row, 6)?,
        mentions: text(row, 7)?
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        sent_at_ms: int(row, 8)?,
        edited_at_ms: row.try_get::<Option<i64>, _>(9)?,
        deleted,
        attachment,
    })
}

fn room(row: &AnyRow) -> Result<RoomRow, StoreError> {
    Ok(RoomRow {
        id: int(row, 0)?,
        kind: text(row, 1)?,
        name: text(row, 2)?,
        managed: int(row, 3)? != 0,
    })
}

impl Store {
    /// Gives every unit its room and makes each person a member of their unit's room
    /// only. New members start with everything before them read.
    pub async fn sync_unit_rooms(&self, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO chat_rooms (kind, name, managed, unit_id, created_at) \
             SELECT 'unit', u.path, 0, u.id, $1 FROM units u \
             WHERE NOT EXISTS (SELECT 1 FROM chat_rooms r WHERE r.unit_id = u.id)",
        )
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM chat_members WHERE room_id IN (SELECT id FROM chat_rooms WHERE kind = 'unit') \
             AND NOT EXISTS (SELECT 1 FROM staff s JOIN chat_rooms r ON r.unit_id = s.unit_id \
             WHERE s.id = chat_members.staff_id AND r.id = chat_members.room_id)",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO chat_members (room_id, staff_id, last_read, joined_at) \
             SELECT r.id, s.id, (SELECT COALESCE(MAX(m.id), 0) FROM chat_messages m WHERE m.room_id = r.id), $1 \
             FROM staff s JOIN chat_rooms r ON r.unit_id = s.unit_id \
             WHERE NOT EXISTS (SELECT 1 FROM chat_members c WHERE c.room_id = r.id AND c.staff_id = s.id)",
        )
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new group room with these members (ids), in one transaction.
    pub async fn create_room(
        &self,
        name: &str,
        managed: bool,
        member_ids: &[i64],
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO chat_rooms (kind, name, managed, created_at) VALUES ('group', $1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(i64::from(managed))
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await?;
        let id = int(&row, 0)?;
        for m in member_ids {
            sqlx::query(
                "INSERT INTO chat_members (room_id, staff_id, last_read, joined_at) VALUES ($1, $2, 0, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(m)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The one direct room of two people, created on first use. Returns its id and
    /// whether it was created now.
    pub async fn direct_room(
        &self,
        a: i64,
        b: i64,
        now_ms: i64,
    ) -> Result<(i64, bool), StoreError> {
        let key = format!("{}:{}", a.min(b), a.max(b));
        let mut tx = self.pool.begin().await?;
        let created = sqlx::query(
            "INSERT INTO chat_rooms (kind, name, managed, direct_key, created_at) VALUES ('direct', '', 0, $1, $2) \
             ON CONFLICT (direct_key) DO NOTHING",
        )
        .bind(&key)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        let id = int(
            &sqlx::query("SELECT id FROM chat_rooms WHERE direct_key = $1")
                .bind(&key)
                .fetch_one(&mut *tx)
                .await?,
            0,
        )?;
        if created {
            for m in [a, b] {
                sqlx::query(
                    "INSERT INTO chat_members (room_id, staff_id, last_read, joined_at) VALUES ($1, $2, 0, $3)",
                )
                .bind(id)
                .bind(m)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok((id, created))
    }

    /// One room.
    pub async fn room(&self, id: i64) -> Result<Option<RoomRow>, StoreError> {
        let row = sqlx::query("SELECT id, kind, name, managed FROM chat_rooms WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(room).transpose()
    }

    /// A room's members' logins, sorted.
    pub async fn room_member_logins(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.login FROM chat_members m JOIN staff s ON s.id = m.staff_id WHERE m.room_id = $1 ORDER BY s.login",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| text(r, 0)).collect()
    }

    /// Every (room, member) pair, for the fan-out cache.
    pub async fn all_memberships(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        // In pages along the primary key: the driver's rows for a 100,000-member unit
        // room at once were a peak of tens of MB at every start.
        const PAGE: i64 = 5_000;
        let mut all = Vec::new();
        let mut after = (i64::MIN, i64::MIN);
        loop {
            let rows = sqlx::query(
                "SELECT room_id, staff_id FROM chat_members \
                 WHERE (room_id, staff_id) > ($1, $2) ORDER BY room_id, staff_id LIMIT $3",
            )
            .bind(after.0)
            .bind(after.1)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let full = rows.len() as i64 == PAGE;
            for row in &rows {
                after = (int(row, 0)?, int(row, 1)?);
                all.push(after);
            }
            if !full {
                return Ok(all);
            }
        }
    }

    /// A person's rooms with unread counts, most recent activity first.
    pub async fn rooms_of(&self, staff_id: i64) -> Result<Vec<RoomSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.kind, r.name, r.managed, me.last_read, \
             (SELECT COUNT(*) FROM chat_messages x WHERE x.room_id = r.id AND x.id > me.last_read \
              AND x.author_id <> $1 AND x.deleted = 0), \
             (SELECT MAX(x.id) FROM chat_messages x WHERE x.room_id = r.id) \
             FROM chat_members me JOIN chat_rooms r ON r.id = me.room_id WHERE me.staff_id = $1",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        let members = sqlx::query(
            "SELECT m.room_id, s.login FROM chat_members m JOIN staff s ON s.id = m.staff_id \
             WHERE m.room_id IN (SELECT room_id FROM chat_members WHERE staff_id = $1) ORDER BY s.login",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let room = room(r)?;
            let logins = members
                .iter()
                .filter(|m| int(m, 0).is_ok_and(|id| id == room.id))
                .map(|m| text(m, 1))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(RoomSummary {
                room,
                members: logins,
                last_read: int(r, 4)?,
                unread: int(r, 5)?,
                last_message: r.try_get::<Option<i64>, _>(6)?,
            });
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.last_message.unwrap_or(0)));
        Ok(out)
    }

    /// Whether a person is in a room.
    pub async fn is_member(&self, room_id: i64, staff_id: i64) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM chat_members WHERE room_id = $1 AND staff_id = $2")
                .bind(room_id)
                .bind(staff_id)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// Adds a member; returns whether they were new.
    pub async fn add_member(
        &self,
        room_id: i64,
        staff_id: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO chat_members (room_id, staff_id, last_read, joined_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(room_id)
        .bind(staff_id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes a member; returns whether they were one.
    pub async fn remove_member(&self, room_id: i64, staff_id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM chat_members WHERE room_id = $1 AND staff_id = $2")
            .bind(room_id)
            .bind(staff_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The newest revision (0 when there are no messages).
    pub async fn max_chat_rev(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(rev), 0) FROM chat_messages")
            .fetch_one(&self.pool)
            .await?;
        int(&row, 0)
    }

    /// Stores messages in one transaction: all or none.
    pub async fn insert_messages(&self, batch: &[NewMessage]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Multi-row statements of 30 rows: sqlx-sqlite binds parameters superlinearly in
        // statement size, so larger statements are slower (see the import benchmark).
        for chunk in batch.chunks(30) {
            let mut sql = String::from(
                "INSERT INTO chat_messages (id, rev, room_id, author_id, text, search_text, mentions, attachment_id, sent_at) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 9;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9
                ));
            }
            let mut q = sqlx::query(&sql);
            for m in chunk {
                q = q
                    .bind(m.id)
                    .bind(m.rev)
                    .bind(m.room_id)
                    .bind(m.author_id)
                    .bind(&m.text)
                    .bind(&m.search_text)
                    .bind(&m.mentions)
                    .bind(&m.attachment_id)
                    .bind(m.sent_at_ms);
            }
            q.execute(&mut *tx).await?;
        }
        for m in batch {
            if let Some(id) = &m.attachment_id {
                sqlx::query("UPDATE chat_attachments SET sent_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(m.sent_at_ms)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a message's text under a new revision.
    pub async fn edit_message(
        &self,
        id: i64,
        rev: i64,
        text: &str,
        search_text: &str,
        mentions: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE chat_messages SET rev = $2, text = $3, search_text = $4, mentions = $5, edited_at = $6 \
             WHERE id = $1 AND deleted = 0",
        )
        .bind(id)
        .bind(rev)
        .bind(text)
        .bind(search_text)
        .bind(mentions)
        .bind(at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks a message deleted under a new revision; its text is removed, and its
    /// attachment with it (the row here, so nobody can download it from now on — also
    /// not members added later; the caller removes the file). Returns the attachment's
    /// id, if it had one.
    pub async fn delete_message(
        &self,
        id: i64,
        rev: i64,
        at_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let attachment = sqlx::query("SELECT attachment_id FROM chat_messages WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| opt_text(&r, 0))
            .transpose()?
            .flatten();
        sqlx::query(
            "UPDATE chat_messages SET rev = $2, text = '', search_text = '', mentions = '', deleted = 1, \
             edited_at = $3, attachment_id = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(rev)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        if let Some(a) = &attachment {
            sqlx::query("DELETE FROM chat_attachments WHERE id = $1")
                .bind(a)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(attachment)
    }

    /// One message.
    pub async fn message(&self, id: i64) -> Result<Option<MessageRow>, StoreError> {
        let row = sqlx::query(&format!("{MESSAGE} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(message).transpose()
    }

    /// A room's messages before `before` (all when `None`), newest first.
    pub async fn history(
        &self,
        room_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MESSAGE} WHERE m.room_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(room_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// Changes after revision `since` in a person's rooms, oldest first.
    pub async fn changes_since(
        &self,
        staff_id: i64,
        since: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MESSAGE} WHERE m.rev > $2 AND m.room_id IN (SELECT room_id FROM chat_members WHERE staff_id = $1) \
             ORDER BY m.rev LIMIT $3"
        ))
        .bind(staff_id)
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// Messages in a person's rooms whose folded text matches the `LIKE` pattern.
    pub async fn search_messages(
        &self,
        staff_id: i64,
        pattern: &str,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MESSAGE} WHERE m.search_text LIKE $2 ESCAPE '\\' AND m.deleted = 0 \
             AND m.room_id IN (SELECT room_id FROM chat_members WHERE staff_id = $1) ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(staff_id)
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// Moves the read marker forward (never back); returns the unread count after it.
    pub async fn set_read(
        &self,
        room_id: i64,
        staff_id: i64,
        up_to: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "UPDATE chat_members SET last_read = CASE WHEN last_read < $3 THEN $3 ELSE last_read END \
             WHERE room_id = $1 AND staff_id = $2",
        )
        .bind(room_id)
        .bind(staff_id)
        .bind(up_to)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(
            "SELECT COUNT(*) FROM chat_messages x JOIN chat_members me ON me.room_id = x.room_id \
             WHERE me.room_id = $1 AND me.staff_id = $2 AND x.id > me.last_read AND x.author_id <> $2 AND x.deleted = 0",
        )
        .bind(room_id)
        .bind(staff_id)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// Records an uploaded file, unless the uploader's files would then take more than
    /// `quota` bytes in all: `false`, nothing recorded.
    pub async fn insert_attachment(
        &self,
        a: &AttachmentRow,
        now_ms: i64,
        quota: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO chat_attachments (id, room_id, uploader_id, name, content_type, size, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7 \
             WHERE (SELECT COALESCE(SUM(size), 0) FROM chat_attachments WHERE uploader_id = $3) + $6 <= $8",
        )
        .bind(&a.id)
        .bind(a.room_id)
        .bind(a.uploader_id)
        .bind(&a.name)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(now_ms)
        .bind(quota)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Bytes of the files a person uploaded that are still kept.
    pub async fn attachment_bytes_of(&self, uploader_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM chat_attachments WHERE uploader_id = $1",
        )
        .bind(uploader_id)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// An attachment this person uploaded to this room and has not sent yet (each file
    /// goes with one message, so deleting that message can delete the file).
    pub async fn unsent_attachment(
        &self,
        id: &str,
        room_id: i64,
        uploader_id: i64,
    ) -> Result<Option<AttachmentRow>, StoreError> {
        let row = sqlx::query(&format!(
            "{ATTACHMENT} WHERE id = $1 AND room_id = $2 AND uploader_id = $3 AND sent_at IS NULL"
        ))
        .bind(id)
        .bind(room_id)
        .bind(uploader_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(attachment).transpose()
    }

    /// Removes uploads not sent before `unsent_before` (Unix ms), and the attachments of
    /// messages deleted before they went with them; returns their ids so the caller
    /// removes the files.
    pub async fn remove_stale_attachments(
        &self,
        unsent_before: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::new();
        let detached = sqlx::query(
            "UPDATE chat_messages SET attachment_id = NULL \
             WHERE deleted = 1 AND attachment_id IS NOT NULL RETURNING attachment_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for r in &detached {
            let id = text(r, 0)?;
            sqlx::query("DELETE FROM chat_attachments WHERE id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            ids.push(id);
        }
        let unsent = sqlx::query(
            "DELETE FROM chat_attachments WHERE sent_at IS NULL AND created_at < $1 RETURNING id",
        )
        .bind(unsent_before)
        .fetch_all(&mut *tx)
        .await?;
        for r in &unsent {
            ids.push(text(r, 0)?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// One attachment.
    pub async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, StoreError> {
        let row = sqlx::query(&format!("{ATTACHMENT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(attachment).transpose()
    }
}
