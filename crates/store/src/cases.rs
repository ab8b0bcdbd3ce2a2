//! The case database behind a hotline (issue 16): cases created and changed through the
//! `cases` core (values checked against the hotline's form, state transitions), with
//! their appointment bookings and an audit line in the same transaction. Either all of a
//! change is written or nothing; a refusal comes back as [`StoreError::CaseRefused`].
//!
//! Writes start with `BEGIN IMMEDIATE` on SQLite (the write lock at once, waiting on the
//! busy timeout, instead of failing when a read turns into a write) and, on PostgreSQL,
//! with an update of the case row, which holds its row lock until the commit: two changes
//! of one case never interleave. Case values never go to the log or the audit log (only
//! the keys of changed fields).
//!
//! The parts: forms (`forms`), appointment slots and bookings (`slots`), reading and
//! searching (`reading`), deleting closed cases after the retention period (`retention`).

mod forms;
mod members;
mod reading;
mod retention;
mod slots;
mod test_support;

pub use forms::CaseForm;
pub use members::HotlineMember;
pub use reading::{CaseFilter, CasePage};
pub use slots::{BookedSlot, SlotRow};

use crate::audit::insert_audit;
use crate::{int, AuditEntry, Backend, Store, StoreError};
use cases::{revise, CaseState, CaseValues, FieldError, Refusal, SlotChange};
use serde_json::{Map, Value};
use sqlx::{Any, AnyConnection, Transaction};

/// What someone is to a hotline (administrators are decided by the web layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotlineRole {
    /// Neither agent nor supervisor.
    None,
    /// Agent in at least one of its queues.
    Agent,
    /// Supervisor of the hotline.
    Supervisor,
}

/// Who changes a case, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct CaseActor<'a> {
    /// Their staff id.
    pub staff_id: i64,
    /// Their login.
    pub login: &'a str,
    /// Where the request came from.
    pub source: &'a str,
}

/// A person as a case shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRef {
    /// Staff id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    /// The case number.
    pub id: i64,
    /// Its hotline.
    pub hotline_id: i64,
    /// The caller's number, normalised.
    pub caller_number: Option<String>,
    /// Its state.
    pub state: CaseState,
    /// Whom it is assigned to.
    pub assignee: Option<StaffRef>,
    /// The values by field key.
    pub values: CaseValues,
    /// Who created it (none: the person has left the directory).
    pub created_by: Option<StaffRef>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// When it was done (Unix seconds).
    pub closed_at: Option<i64>,
    /// Counts its changes, from 1.
    pub revision: i64,
}

/// A case to create.
#[derive(Debug, Clone, Default)]
pub struct NewCase<'a> {
    /// The caller's number as it arrived (normalised here); none for a case without a call.
    pub caller_number: Option<&'a str>,
    /// The values by field key, as they arrived.
    pub values: Map<String, Value>,
    /// The login of the agent or supervisor it is assigned to.
    pub assignee: Option<&'a str>,
    /// Its first state (`None`: new).
    pub state: Option<CaseState>,
}

/// A change of a case; what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct CaseChange<'a> {
    /// Values to set (a `null` clears the field).
    pub values: Option<Map<String, Value>>,
    /// The new state.
    pub state: Option<CaseState>,
    /// The new assignee's login (`Some(None)`: nobody).
    pub assignee: Option<Option<&'a str>>,
    /// The revision the change was made on; a case changed since is refused.
    pub revision: Option<i64>,
}

/// The audit log's target for a case.
pub(crate) fn case_target(id: i64) -> String {
    format!("case:{id}")
}

fn refused(errors: Vec<FieldError>) -> StoreError {
    StoreError::CaseRefused(Refusal::Fields(errors))
}

/// The caller's number normalised, or its field error.
fn caller_number(raw: Option<&str>) -> Result<Option<String>, StoreError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => cases::normalise_phone(raw).map(Some).ok_or_else(|| {
            StoreError::CaseRefused(Refusal::CallerNumber {
                raw: raw.chars().take(40).collect(),
            })
        }),
    }
}

/// The search column: the caller's number and the values' words.
fn search_text(caller: Option<&str>, values: &CaseValues) -> String {
    let words = values.search_text();
    match caller {
        Some(number) if words.is_empty() => number.to_string(),
        Some(number) => format!("{number}\n{words}"),
        None => words,
    }
}

impl Store {
    /// A write transaction (see the module's notes).
    pub(crate) async fn write_tx(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// What the person is to the hotline.
    pub async fn hotline_role(
        &self,
        hotline_id: i64,
        staff_id: i64,
    ) -> Result<HotlineRole, StoreError> {
        let mut conn = self.pool.acquire().await?;
        role_in(&mut conn, hotline_id, staff_id).await
    }

    /// Whether the hotline exists.
    pub async fn hotline_exists(&self, hotline_id: i64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM hotlines WHERE id = $1")
            .bind(hotline_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(int(&row, 0)? > 0)
    }

    /// Creates a case: values checked against the hotline's form, slots booked, audited.
    /// Refusals ([`StoreError::CaseRefused`]) write nothing.
    pub async fn create_case(
        &self,
        hotline_id: i64,
        new: &NewCase<'_>,
        by: &CaseActor<'_>,
        now: i64,
    ) -> Result<CaseRow, StoreError> {
        let caller = caller_number(new.caller_number)?;
        let mut tx = self.write_tx().await?;
        let (form, _) = forms::form_in(&mut tx, hotline_id).await?;
        let revision = revise(&form, &CaseValues::default(), &new.values).map_err(refused)?;
        let state = new.state.unwrap_or(CaseState::New);
        let closed_at = CaseState::New.change_to(state)?.closed_at(None, now);
        let assignee = match new.assignee {
            Some(login) => Some(assignee_in(&mut tx, hotline_id, login).await?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO cases (hotline_id, caller_number, state, assignee_id, field_values, \
             search_text, revision, created_by, created_at, updated_at, closed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8, $9) RETURNING id",
        )
        .bind(hotline_id)
        .bind(&caller)
        .bind(state.as_str())
        .bind(assignee)
        .bind(revision.values.to_json())
        .bind(search_text(caller.as_deref(), &revision.values))
        .bind(by.staff_id)
        .bind(now)
        .bind(closed_at)
        .fetch_one(&mut *tx)
        .await?;
        let id = int(&row, 0)?;
        let booking_errors =
            slots::book(&mut tx, hotline_id, id, &form, &revision.slots, now).await?;
        if !booking_errors.is_empty() {
            return Err(refused(booking_errors));
        }
        let mut detail = format!("hotline {hotline_id}; state: {}", state.as_str());
        describe_fields(&mut detail, &revision.changed, &revision.slots);
        if let Some(login) = new.assignee {
            detail.push_str(&format!("; assignee: {login}"));
        }
        audit(&mut tx, by, "case.created", id, detail, now).await?;
        tx.commit().await?;
        tracing::info!(case = id, hotline = hotline_id, "case created");
        self.case(hotline_id, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("case {id} vanished after its creation")))
    }

    /// Changes a case of the hotline; `None` when it has no such case. A change that
    /// changes nothing writes nothing.
    pub async fn update_case(
        &self,
        hotline_id: i64,
        case_id: i64,
        change: &CaseChange<'_>,
        by: &CaseActor<'_>,
        now: i64,
    ) -> Result<Option<CaseRow>, StoreError> {
        let mut tx = self.write_tx().await?;
        // The row lock (PostgreSQL) before reading: see the module's notes.
        let touched = sqlx::query(
            "UPDATE cases SET revision = revision + 1 WHERE id = $1 AND hotline_id = $2",
        )
        .bind(case_id)
        .bind(hotline_id)
        .execute(&mut *tx)
        .await?;
        if touched.rows_affected() == 0 {
            return Ok(None);
        }
        let Some(current) = reading::case_in(&mut tx, hotline_id, case_id).await? else {
            return Ok(None);
        };
        let stored_revision = current.revision - 1;
        if let Some(expected) = change.revision.filter(|&r| r != stored_revision) {
            return Err(StoreError::CaseRefused(Refusal::Stale {
                expected,
                current: stored_revision,
            }));
        }
        let (form, _) = forms::form_in(&mut tx, hotline_id).await?;
        let empty = Map::new();
        let submitted = change.values.as_ref().unwrap_or(&empty);
        let revision = revise(&form, &current.values, submitted).map_err(refused)?;
        let state = change.state.unwrap_or(current.state);
        let moved = current.state.change_to(state)?;
        let closed_at = moved.closed_at(current.closed_at, now);
        let old_assignee = current.assignee.as_ref().map(|a| a.id);
        let assignee = match change.assignee {
            None => old_assignee,
            Some(None) => None,
            Some(Some(login)) => Some(assignee_in(&mut tx, hotline_id, login).await?),
        };
        if revision.changed.is_empty() && state == current.state && assignee == old_assignee {
            tx.rollback().await?;
            return self.case(hotline_id, case_id).await;
        }
        let booking_errors =
            slots::book(&mut tx, hotline_id, case_id, &form, &revision.slots, now).await?;
        if !booking_errors.is_empty() {
            return Err(refused(booking_errors));
        }
        sqlx::query(
            "UPDATE cases SET state = $2, assignee_id = $3, field_values = $4, search_text = $5, \
             updated_at = $6, closed_at = $7 WHERE id = $1",
        )
        .bind(case_id)
        .bind(state.as_str())
        .bind(assignee)
        .bind(revision.values.to_json())
        .bind(search_text(
            current.caller_number.as_deref(),
            &revision.values,
        ))
        .bind(now)
        .bind(closed_at)
        .execute(&mut *tx)
        .await?;
        let mut detail = format!("hotline {hotline_id}");
        if state != current.state {
            detail.push_str(&format!(
                "; state: {} -> {}",
                current.state.as_str(),
                state.as_str()
            ));
        }
        describe_fields(&mut detail, &revision.changed, &revision.slots);
        if assignee != old_assignee {
            detail.push_str(&format!(
                "; assignee: {}",
                match change.assignee {
                    Some(Some(login)) => login,
                    _ => "-",
                }
            ));
        }
        audit(&mut tx, by, "case.changed", case_id, detail, now).await?;
        tx.commit().await?;
        self.case(hotline_id, case_id).await
    }
}

/// The changed keys and the slot moves, for the audit detail (never the values).
fn describe_fields(detail: &mut String, changed: &[String], slots: &[SlotChange]) {
    if !changed.is_empty() {
        detail.push_str(&format!("; fields: {}", changed.join(", ")));
    }
    for s in slots {
        let show = |slot: Option<i64>| slot.map_or("-".to_string(), |id| id.to_string());
        detail.push_str(&format!(
            "; slot {}: {} -> {}",
            s.key,
            show(s.from),
            show(s.to)
        ));
    }
}

async fn audit(
    conn: &mut AnyConnection,
    by: &CaseActor<'_>,
    action: &str,
    case_id: i64,
    detail: String,
    now: i64,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        at: now,
        actor: Some(by.login.to_string()),
        action: action.to_string(),
        target: Some(case_target(case_id)),
        source: Some(by.source.to_string()),
        detail,
    };
    insert_audit(&mut *conn, &entry).await
}

/// What the person is to the hotline, through `conn`.
async fn role_in(
    conn: &mut AnyConnection,
    hotline_id: i64,
    staff_id: i64,
) -> Result<HotlineRole, StoreError> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM hotline_supervisors WHERE hotline_id = $1 AND staff_id = $2), \
           (SELECT COUNT(*) FROM hotline_agents a JOIN hotline_queues q ON q.id = a.queue_id \
            WHERE q.hotline_id = $1 AND a.staff_id = $2)",
    )
    .bind(hotline_id)
    .bind(staff_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(if int(&row, 0)? > 0 {
        HotlineRole::Supervisor
    } else if int(&row, 1)? > 0 {
        HotlineRole::Agent
    } else {
        HotlineRole::None
    })
}

/// The staff id of an assignee who is agent or supervisor of the hotline.
async fn assignee_in(
    conn: &mut AnyConnection,
    hotline_id: i64,
    login: &str,
) -> Result<i64, StoreError> {
    let not_member = || {
        StoreError::CaseRefused(Refusal::AssigneeNotMember {
            login: login.to_string(),
        })
    };
    let row = sqlx::query("SELECT id FROM staff WHERE login = $1")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?;
    let id = row
        .map(|r| int(&r, 0))
        .transpose()?
        .ok_or_else(not_member)?;
    match role_in(conn, hotline_id, id).await? {
        HotlineRole::None => Err(not_member()),
        _ => Ok(id),
    }
}

impl From<cases::TransitionError> for StoreError {
    fn from(e: cases::TransitionError) -> Self {
        StoreError::CaseRefused(Refusal::Transition(e))
    }
}
