//! Server-side sessions and pending sign-ins (password done, second factor not yet).
//! Only SHA-256 hashes of the tokens are stored.

use crate::{int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;

/// A new session to store.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// The person.
    pub staff_id: i64,
    /// SHA-256 of the cookie token.
    pub token_hash: &'a str,
    /// The token that cookie-authenticated writes must echo.
    pub csrf_token: &'a str,
    /// Now, in Unix seconds.
    pub now: i64,
    /// End of the absolute lifetime.
    pub expires_at: i64,
    /// Address the sign-in came from.
    pub source: &'a str,
    /// Browser or client, as it says.
    pub user_agent: &'a str,
    /// How the person signed in (`password`, `totp`, `sms`, `recovery`, `oidc`,
    /// `enrolment`, …), for rules that ask for a second factor.
    pub how: &'a str,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Id, to list and end sessions.
    pub id: i64,
    /// The person.
    pub staff_id: i64,
    /// The CSRF token of this session.
    pub csrf_token: String,
    /// When it started.
    pub created_at: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// End of the absolute lifetime.
    pub expires_at: i64,
    /// Address of the sign-in.
    pub source: String,
    /// Client.
    pub user_agent: String,
    /// How the person signed in (see [`NewSession::how`]); empty for sessions from before
    /// this was recorded, which count as signed in without a second factor.
    pub how: String,
}

/// A sign-in waiting for its second factor (or for enrolment of a first one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    /// The person.
    pub staff_id: i64,
    /// The person must enrol a factor before getting a session.
    pub enrolment: bool,
    /// When the pending step expires.
    pub expires_at: i64,
    /// Address of the sign-in.
    pub source: String,
    /// SHA-256 of the SMS code sent, if any.
    pub sms_code_hash: Option<String>,
    /// When that SMS code expires.
    pub sms_expires_at: Option<i64>,
}

/// Ids written into SQL as a list: integers only, so nothing from outside reaches the
/// statement text (and one statement instead of hundreds of binds).
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

const SESSION_COLUMNS: &str =
    "id, staff_id, csrf_token, created_at, last_seen_at, expires_at, source, user_agent, how";

fn session_from_row(row: &AnyRow) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        id: int(row, 0)?,
        staff_id: int(row, 1)?,
        csrf_token: text(row, 2)?,
        created_at: int(row, 3)?,
        last_seen_at: int(row, 4)?,
        expires_at: int(row, 5)?,
        source: text(row, 6)?,
        user_agent: text(row, 7)?,
        how: text(row, 8)?,
    })
}

impl Store {
    /// Stores a new session; returns its id.
    pub async fn create_session(&self, s: &NewSession<'_>) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, \
             expires_at, source, user_agent, how) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8) \
             RETURNING id",
        )
        .bind(s.token_hash)
        .bind(s.staff_id)
        .bind(s.csrf_token)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(s.source)
        .bind(s.user_agent)
        .bind(s.how)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// The live session for a token: not past its absolute lifetime and used within
    /// `idle_secs`. Marks it as used (at most once a minute, to spare writes).
    pub async fn session_by_token(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .bind(now - idle_secs)
            .fetch_optional(&self.pool)
            .await?;
        let Some(session) = row.as_ref().map(session_from_row).transpose()? else {
            return Ok(None);
        };
        if now - session.last_seen_at >= 60 {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                .bind(session.id)
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(session))
    }

    /// A person's live sessions, newest first.
    pub async fn sessions_of(
        &self,
        staff_id: i64,
        now: i64,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE staff_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(staff_id)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(session_from_row).collect()
    }

    /// Ends one of a person's sessions; `false` if it is not theirs or does not exist.
    pub async fn end_session(&self, staff_id: i64, session_id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND staff_id = $2")
            .bind(session_id)
            .bind(staff_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends all of a person's sessions except `keep`; returns how many ended.
    pub async fn end_sessions_of(
        &self,
        staff_id: i64,
        keep: Option<i64>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND id <> $2")
            .bind(staff_id)
            .bind(keep.unwrap_or(-1))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Removes expired sessions and pending sign-ins.
    pub async fn purge_expired_sessions(&self, now: i64) -> Result<u64, StoreError> {
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let b = sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    /// Stores a pending sign-in.
    pub async fn create_pending_login(
        &self,
        token_hash: &str,
        staff_id: i64,
        enrolment: bool,
        now: i64,
        expires_at: i64,
        source: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pending_logins (token_hash, staff_id, enrolment, created_at, expires_at, source) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(staff_id)
        .bind(i64::from(enrolment))
        .bind(now)
        .bind(expires_at)
        .bind(source)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The pending sign-in for a token, if not expired.
    pub async fn pending_login(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<PendingLogin>, StoreError> {
        let row = sqlx::query(
            "SELECT staff_id, enrolment, expires_at, source, sms_code_hash, sms_expires_at \
             FROM pending_logins WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PendingLogin {
                staff_id: int(&r, 0)?,
                enrolment: int(&r, 1)? != 0,
                expires_at: int(&r, 2)?,
                source: text(&r, 3)?,
                sms_code_hash: opt_text(&r, 4)?,
                sms_expires_at: {
                    use sqlx::Row;
                    r.try_get::<Option<i64>, _>(5)?
                },
            })
        })
        .transpose()
    }

    /// Remembers the SMS code sent for a pending sign-in, replacing an earlier one only
    /// if that expires at or before `replaces_before` (one SMS per interval, however
    /// many requests arrive at once). `false`: too early, nothing changed.
    pub async fn set_pending_sms(
        &self,
        token_hash: &str,
        code_hash: &str,
        expires_at: i64,
        replaces_before: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE pending_logins SET sms_code_hash = $2, sms_expires_at = $3 \
             WHERE token_hash = $1 AND (sms_expires_at IS NULL OR sms_expires_at <= $4)",
        )
        .bind(token_hash)
        .bind(code_hash)
        .bind(expires_at)
        .bind(replaces_before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts one code attempt of a live pending sign-in, before the code is checked;
    /// `false` when it already had `max` attempts (or is gone or expired): then it is
    /// void and no code may be checked for it.
    pub async fn count_pending_attempt(
        &self,
        token_hash: &str,
        now: i64,
        max: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE pending_logins SET attempts = attempts + 1 \
             WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3",
        )
        .bind(token_hash)
        .bind(now)
        .bind(max)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a pending sign-in (used, abandoned or void); `false` if it was gone already.
    pub async fn delete_pending_login(&self, token_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM pending_logins WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Of these sessions, the ones still live: not past their lifetime and used within
    /// `idle_secs`. Sessions in `used` were used just now (over a WebSocket) and are
    /// marked so first.
    pub async fn live_sessions(
        &self,
        ids: &[i64],
        used: &[i64],
        now: i64,
        idle_secs: i64,
    ) -> Result<Vec<i64>, StoreError> {
        for chunk in used.chunks(500) {
            let list = id_list(chunk);
            sqlx::query(&format!(
                "UPDATE sessions SET last_seen_at = $1 WHERE id IN ({list}) AND last_seen_at < $1"
            ))
            .bind(now)
            .execute(&self.pool)
            .await?;
        }
        let mut live = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = id_list(chunk);
            let rows = sqlx::query(&format!(
                "SELECT id FROM sessions WHERE id IN ({list}) AND expires_at > $1 AND last_seen_at > $2"
            ))
            .bind(now)
            .bind(now - idle_secs)
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                live.push(int(r, 0)?);
            }
        }
        Ok(live)
    }
}
