//! Agreements: one row per application in its current state, and the append-only history
//! of the planner's [`AuditRecord`]s. A transition (the planner's, e.g.
//! `Applied::approve`) is written as the row's update and the record's append in one
//! transaction, guarded by the state and revision the caller read: of two concurrent
//! decisions one is written, the other refused with [`StoreError::AgreementChanged`].

use super::{
    datetime_text, day_text, missing, parse_datetime, parse_day, parse_opt_day, parse_time,
    time_text,
};
use crate::{int, opt_int, opt_text, text, Store, StoreError};
use jiff::civil::{Date, DateTime};
use planner::agreement_rules::{Application, Hours};
use planner::approval::{
    Actor, Agreement, Applied, Approved, AuditRecord, Capacity, ChangesRequested, EndCause, Ended,
    Holder, Rejected, RejectionCategory, Revoking, Withdrawn,
};
use planner::calendar::WeekdaySet;
use planner::ids::{AgreementId, PersonId, UnitId};
use planner::terms::{DaysPattern, Terms};
use sqlx::AnyConnection;
use std::fmt;

/// The state of an agreement, as stored (the variant of `planner::approval::Agreement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgreementState {
    /// Waiting for a decision.
    Applied,
    /// Sent back for changes.
    ChangesRequested,
    /// Rejected.
    Rejected,
    /// Withdrawn.
    Withdrawn,
    /// In force.
    Approved,
    /// In force until a revocation takes effect.
    Revoking,
    /// Over.
    Ended,
}

impl AgreementState {
    const ALL: [AgreementState; 7] = [
        AgreementState::Applied,
        AgreementState::ChangesRequested,
        AgreementState::Rejected,
        AgreementState::Withdrawn,
        AgreementState::Approved,
        AgreementState::Revoking,
        AgreementState::Ended,
    ];

    /// The state of a planner agreement.
    pub fn of(agreement: &Agreement) -> AgreementState {
        match agreement {
            Agreement::Applied(_) => AgreementState::Applied,
            Agreement::ChangesRequested(_) => AgreementState::ChangesRequested,
            Agreement::Rejected(_) => AgreementState::Rejected,
            Agreement::Withdrawn(_) => AgreementState::Withdrawn,
            Agreement::Approved(_) => AgreementState::Approved,
            Agreement::Revoking(_) => AgreementState::Revoking,
            Agreement::Ended(_) => AgreementState::Ended,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            AgreementState::Applied => "applied",
            AgreementState::ChangesRequested => "changes_requested",
            AgreementState::Rejected => "rejected",
            AgreementState::Withdrawn => "withdrawn",
            AgreementState::Approved => "approved",
            AgreementState::Revoking => "revoking",
            AgreementState::Ended => "ended",
        }
    }

    fn parse(text: &str) -> Result<AgreementState, StoreError> {
        AgreementState::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("agreement state {text:?}")))
    }
}

impl fmt::Display for AgreementState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgreementState::Applied => "beantragt",
            AgreementState::ChangesRequested => "Änderungen erbeten",
            AgreementState::Rejected => "abgelehnt",
            AgreementState::Withdrawn => "zurückgezogen",
            AgreementState::Approved => "genehmigt",
            AgreementState::Revoking => "widerrufen, gilt bis zum Widerrufstag",
            AgreementState::Ended => "beendet",
        })
    }
}

/// An agreement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRow {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub staff_id: i64,
    /// Their unit when they applied.
    pub unit_id: i64,
    /// Where it stands.
    pub state: AgreementState,
    /// The terms asked for, or agreed once approved (a revocation's cut is not applied
    /// here: see `Agreement::active_terms`).
    pub terms: Terms,
    /// When the applicant will be reachable on mobile days; `None`: the core hours.
    pub reachable: Option<Hours>,
    /// The applicant's reason.
    pub reason: Option<String>,
    /// The decider's note (changes requested, rejection) or the revocation's reason.
    pub note: Option<String>,
    /// Why it was rejected.
    pub rejection_category: Option<RejectionCategory>,
    /// The first day without mobile work, while revoking.
    pub revocation_effective: Option<Date>,
    /// Why it is over.
    pub end_cause: Option<EndCause>,
    /// How many history entries it has; a transition names the revision it read.
    pub revision: i64,
    /// Unix milliseconds.
    pub created_ms: i64,
    /// Unix milliseconds.
    pub updated_ms: i64,
}

impl AgreementRow {
    /// The planner's agreement, to run the next transition on. Applications come back
    /// without their acknowledgements (those are the person's, [`Store::acknowledgements_of`]).
    pub fn to_planner(&self) -> Agreement {
        let holder = Holder {
            id: AgreementId(self.id),
            person: PersonId(self.staff_id),
            unit: UnitId(self.unit_id),
        };
        let application = || Application {
            pattern: self.terms.pattern,
            start: self.terms.start,
            end: self.terms.end,
            reachable: self.reachable,
            acknowledged: Vec::new(),
            reason: self.reason.clone(),
        };
        let note = || self.note.clone().unwrap_or_default();
        let approved = || Approved {
            holder,
            terms: self.terms,
        };
        match self.state {
            AgreementState::Applied => Agreement::Applied(Applied {
                holder,
                application: application(),
            }),
            AgreementState::ChangesRequested => Agreement::ChangesRequested(ChangesRequested {
                holder,
                application: application(),
                note: note(),
            }),
            AgreementState::Rejected => Agreement::Rejected(Rejected {
                holder,
                application: application(),
                category: self.rejection_category.unwrap_or(RejectionCategory::Other),
                note: note(),
            }),
            AgreementState::Withdrawn => Agreement::Withdrawn(Withdrawn { holder }),
            AgreementState::Approved => Agreement::Approved(approved()),
            AgreementState::Revoking => Agreement::Revoking(Revoking {
                approved: approved(),
                effective: self.revocation_effective.unwrap_or(self.terms.start),
                reason: note(),
            }),
            AgreementState::Ended => Agreement::Ended(Ended {
                holder,
                terms: self.terms,
                cause: self.end_cause.unwrap_or(EndCause::ByAgreement),
            }),
        }
    }
}

/// One entry of an agreement's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// 1, 2, … in the order written.
    pub seq: i64,
    /// When (local time).
    pub at: DateTime,
    /// Who.
    pub actor: Actor,
    /// What, as a key (`applied`, `approved`, `rejected`, …).
    pub action: String,
    /// What, as the person reads it (German, the record's action).
    pub summary: String,
    /// The person's unit (for the staff council's counts).
    pub unit_id: i64,
}

/// The columns a state sets.
struct Columns<'a> {
    state: AgreementState,
    /// `None`: the terms stay as they are (a withdrawal carries none).
    terms: Option<Terms>,
    reachable: Option<Hours>,
    reason: Option<&'a str>,
    note: Option<&'a str>,
    category: Option<RejectionCategory>,
    effective: Option<Date>,
    cause: Option<EndCause>,
}

fn columns(agreement: &Agreement) -> Columns<'_> {
    let mut c = Columns {
        state: AgreementState::of(agreement),
        terms: None,
        reachable: None,
        reason: None,
        note: None,
        category: None,
        effective: None,
        cause: None,
    };
    let asked = |a: &Application| Terms {
        pattern: a.pattern,
        start: a.start,
        end: a.end,
    };
    match agreement {
        Agreement::Applied(s) => {
            c.terms = Some(asked(&s.application));
            c.reachable = s.application.reachable;
            c.reason = s.application.reason.as_deref();
        }
        Agreement::ChangesRequested(s) => {
            c.terms = Some(asked(&s.application));
            c.reachable = s.application.reachable;
            c.reason = s.application.reason.as_deref();
            c.note = Some(&s.note);
        }
        Agreement::Rejected(s) => {
            c.terms = Some(asked(&s.application));
            c.reachable = s.application.reachable;
            c.reason = s.application.reason.as_deref();
            c.note = Some(&s.note);
            c.category = Some(s.category);
        }
        Agreement::Withdrawn(_) => {}
        Agreement::Approved(s) => c.terms = Some(s.terms),
        Agreement::Revoking(s) => {
            c.terms = Some(s.approved.terms);
            c.note = Some(&s.reason);
            c.effective = Some(s.effective);
        }
        Agreement::Ended(s) => {
            c.terms = Some(s.terms);
            c.cause = Some(s.cause);
        }
    }
    c
}

fn category_text(c: RejectionCategory) -> &'static str {
    match c {
        RejectionCategory::ServiceNeeds => "service_needs",
        RejectionCategory::TasksUnsuitable => "tasks_unsuitable",
        RejectionCategory::RequirementsNotMet => "requirements_not_met",
        RejectionCategory::Other => "other",
    }
}

fn cause_text(c: EndCause) -> &'static str {
    match c {
        EndCause::Expired => "expired",
        EndCause::ByAgreement => "by_agreement",
        EndCause::Revoked => "revoked",
    }
}

fn pattern_columns(pattern: DaysPattern) -> (Option<i64>, Option<i64>) {
    match pattern {
        DaysPattern::Weekdays(set) => (Some(i64::from(set.bits())), None),
        DaysPattern::PerWeek(n) => (None, Some(i64::from(n))),
    }
}

const COLUMNS: &str = "id, staff_id, unit_id, state, weekdays, per_week, start_day, end_day, \
    reachable_from, reachable_until, reason, note, rejection_category, revocation_effective, \
    end_cause, revision, created_ms, updated_ms";

fn agreement_row(row: &sqlx::any::AnyRow) -> Result<AgreementRow, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("agreement {what}"));
    let pattern = match (opt_int(row, 4)?, opt_int(row, 5)?) {
        (Some(bits), None) => DaysPattern::Weekdays(WeekdaySet::from_bits(
            u8::try_from(bits).map_err(|_| corrupt("weekdays"))?,
        )),
        (None, Some(n)) => DaysPattern::PerWeek(u8::try_from(n).map_err(|_| corrupt("days"))?),
        _ => return Err(corrupt("pattern")),
    };
    let reachable = match (opt_text(row, 8)?, opt_text(row, 9)?) {
        (Some(start), Some(end)) => Some(Hours {
            start: parse_time(&start)?,
            end: parse_time(&end)?,
        }),
        _ => None,
    };
    let category = opt_text(row, 12)?
        .map(|t| {
            RejectionCategory::ALL
                .into_iter()
                .find(|c| category_text(*c) == t)
                .ok_or_else(|| corrupt("rejection category"))
        })
        .transpose()?;
    let cause = opt_text(row, 14)?
        .map(|t| {
            [EndCause::Expired, EndCause::ByAgreement, EndCause::Revoked]
                .into_iter()
                .find(|c| cause_text(*c) == t)
                .ok_or_else(|| corrupt("end cause"))
        })
        .transpose()?;
    Ok(AgreementRow {
        id: int(row, 0)?,
        staff_id: int(row, 1)?,
        unit_id: int(row, 2)?,
        state: AgreementState::parse(&text(row, 3)?)?,
        terms: Terms {
            pattern,
            start: parse_day(&text(row, 6)?)?,
            end: parse_opt_day(opt_text(row, 7)?)?,
        },
        reachable,
        reason: opt_text(row, 10)?,
        note: opt_text(row, 11)?,
        rejection_category: category,
        revocation_effective: parse_opt_day(opt_text(row, 13)?)?,
        end_cause: cause,
        revision: int(row, 15)?,
        created_ms: int(row, 16)?,
        updated_ms: int(row, 17)?,
    })
}

/// Appends `audit` as entry `seq` of agreement `id`.
async fn append(
    conn: &mut AnyConnection,
    id: i64,
    seq: i64,
    audit: &AuditRecord,
    now_ms: i64,
) -> Result<(), StoreError> {
    let (actor, person, capacity, capacity_unit) = match audit.actor {
        Actor::Applicant => ("applicant", None, None, None),
        Actor::Calendar => ("calendar", None, None, None),
        Actor::Decider { person, capacity } => {
            let (kind, unit) = match capacity {
                Capacity::Head(u) => ("head", u),
                Capacity::Deputy(u) => ("deputy", u),
            };
            ("decider", Some(person.0), Some(kind), Some(unit.0))
        }
    };
    sqlx::query(
        "INSERT INTO mw_agreement_history (agreement_id, seq, at, actor, actor_staff_id, \
         capacity, capacity_unit_id, action, summary, unit_id, recorded_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(seq)
    .bind(datetime_text(audit.at))
    .bind(actor)
    .bind(person)
    .bind(capacity)
    .bind(capacity_unit)
    .bind(audit.action.key())
    .bind(audit.action.to_string())
    .bind(audit.unit.0)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts the application's row and its first history entry; returns its id.
async fn insert(
    conn: &mut AnyConnection,
    applied: &Applied,
    audit: &AuditRecord,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let a = &applied.application;
    let (weekdays, per_week) = pattern_columns(a.pattern);
    let row = sqlx::query(
        "INSERT INTO mw_agreements (staff_id, unit_id, state, weekdays, per_week, \
         start_day, end_day, reachable_from, reachable_until, reason, revision, \
         created_ms, updated_ms) \
         VALUES ($1, $2, 'applied', $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
    )
    .bind(applied.holder.person.0)
    .bind(applied.holder.unit.0)
    .bind(weekdays)
    .bind(per_week)
    .bind(day_text(a.start))
    .bind(a.end.map(day_text))
    .bind(a.reachable.map(|h| time_text(h.start)))
    .bind(a.reachable.map(|h| time_text(h.end)))
    .bind(a.reason.as_deref())
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| missing(e, "Person", applied.holder.person.0))?;
    let id = int(&row, 0)?;
    append(conn, id, 1, audit, now_ms).await?;
    Ok(id)
}

impl Store {
    /// Stores a new application (from `planner::approval::Applied::submit`) and its first
    /// history entry, together; returns its id. The planner needs an id before the row
    /// exists: the one in `applied` and `audit` is replaced by the new row's.
    pub async fn insert_agreement(
        &self,
        applied: &Applied,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = insert(&mut tx, applied, audit, now_ms).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The same, unless the person already has an open application or an agreement in
    /// force (applied, changes requested, approved, or revoked but not yet over: two
    /// agreements in force at once would double the mobile days): then nothing is written and the
    /// answer is a [`StoreError::Conflict`] naming it. Two applications of one person at
    /// once (a double click) store one: the person's row is locked first on PostgreSQL,
    /// SQLite writes one transaction at a time.
    pub async fn insert_agreement_unless_open(
        &self,
        applied: &Applied,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let person = applied.holder.person.0;
        let mut tx = self.write_tx().await?;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SELECT id FROM staff WHERE id = $1 FOR NO KEY UPDATE")
                .bind(person)
                .execute(&mut *tx)
                .await?;
        }
        let open = sqlx::query(
            "SELECT id, state FROM mw_agreements WHERE staff_id = $1 \
             AND state IN ('applied', 'changes_requested', 'approved', 'revoking') \
             ORDER BY id LIMIT 1",
        )
        .bind(person)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(open) = open {
            return Err(StoreError::Conflict(format!(
                "Sie haben bereits einen Antrag oder eine Vereinbarung (Nr. {}, {}); ein \
                 neuer Antrag ist erst möglich, wenn diese endet.",
                int(&open, 0)?,
                AgreementState::parse(&text(&open, 1)?)?
            )));
        }
        let id = insert(&mut tx, applied, audit, now_ms).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a transition of agreement `id`: the row becomes `next` and `audit` is
    /// appended, in one transaction, only if the row is still in `expected` at
    /// `expected_revision` (what the caller read). Otherwise nothing is written and the
    /// answer is [`StoreError::AgreementChanged`] (someone decided first). Returns the row
    /// as written.
    pub async fn record_agreement_transition(
        &self,
        id: i64,
        expected: AgreementState,
        expected_revision: i64,
        next: &Agreement,
        audit: &AuditRecord,
        now_ms: i64,
    ) -> Result<AgreementRow, StoreError> {
        if next.holder().id.0 != id || audit.agreement.0 != id {
            return Err(StoreError::Invalid(format!(
                "Der Übergang gehört nicht zum Antrag {id}."
            )));
        }
        let mut c = columns(next);
        let mut tx = self.write_tx().await?;
        let current = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mw_agreements WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound { what: "Antrag", id })?;
        let current = agreement_row(&current)?;
        // A state without terms of its own (a withdrawal) keeps what was asked for; the
        // states after approval keep the hours the person will be reachable and their
        // reason (the planner's agreed terms do not carry them).
        let terms = match c.terms {
            Some(terms) => terms,
            None => {
                c.reachable = current.reachable;
                c.reason = current.reason.as_deref();
                current.terms
            }
        };
        if matches!(
            next,
            Agreement::Approved(_) | Agreement::Revoking(_) | Agreement::Ended(_)
        ) {
            c.reachable = current.reachable;
            c.reason = current.reason.as_deref();
        }
        let (weekdays, per_week) = pattern_columns(terms.pattern);
        let updated = sqlx::query(
            "UPDATE mw_agreements SET state = $1, note = $2, rejection_category = $3, \
             revocation_effective = $4, end_cause = $5, revision = revision + 1, \
             updated_ms = $6, weekdays = $7, per_week = $8, start_day = $9, end_day = $10, \
             reachable_from = $11, reachable_until = $12, reason = $13 \
             WHERE id = $14 AND state = $15 AND revision = $16",
        )
        .bind(c.state.as_str())
        .bind(c.note)
        .bind(c.category.map(category_text))
        .bind(c.effective.map(day_text))
        .bind(c.cause.map(cause_text))
        .bind(now_ms)
        .bind(weekdays)
        .bind(per_week)
        .bind(day_text(terms.start))
        .bind(terms.end.map(day_text))
        .bind(c.reachable.map(|h| time_text(h.start)))
        .bind(c.reachable.map(|h| time_text(h.end)))
        .bind(c.reason)
        .bind(id)
        .bind(expected.as_str())
        .bind(expected_revision)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            let found = sqlx::query("SELECT state FROM mw_agreements WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            return match found {
                None => Err(StoreError::NotFound { what: "Antrag", id }),
                Some(row) => Err(StoreError::AgreementChanged {
                    agreement: id,
                    expected,
                    found: AgreementState::parse(&text(&row, 0)?)?,
                }),
            };
        }
        append(&mut tx, id, expected_revision + 1, audit, now_ms).await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mw_agreements WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let written = agreement_row(&row)?;
        tx.commit().await?;
        Ok(written)
    }

    /// One agreement.
    pub async fn agreement(&self, id: i64) -> Result<Option<AgreementRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mw_agreements WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(agreement_row).transpose()
    }

    /// A person's agreements, oldest first.
    pub async fn agreements_of(&self, staff_id: i64) -> Result<Vec<AgreementRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mw_agreements WHERE staff_id = $1 ORDER BY id"
        ))
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(agreement_row).collect()
    }

    /// Every agreement in `state`, oldest first (e.g. the approved and revoking ones for
    /// the calendar's daily `Agreement::advance`, the applied ones for reminders).
    pub async fn agreements_in_state(
        &self,
        state: AgreementState,
    ) -> Result<Vec<AgreementRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mw_agreements WHERE state = $1 ORDER BY id"
        ))
        .bind(state.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(agreement_row).collect()
    }

    /// An agreement's history in the order it was written.
    pub async fn agreement_history(&self, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, actor_staff_id, capacity, capacity_unit_id, action, \
             summary, unit_id FROM mw_agreement_history WHERE agreement_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let actor = match (text(row, 2)?.as_str(), opt_int(row, 3)?) {
                    ("applicant", _) => Actor::Applicant,
                    ("calendar", _) => Actor::Calendar,
                    ("decider", Some(person)) => {
                        let unit = UnitId(opt_int(row, 5)?.unwrap_or_default());
                        let capacity = match opt_text(row, 4)?.as_deref() {
                            Some("deputy") => Capacity::Deputy(unit),
                            _ => Capacity::Head(unit),
                        };
                        Actor::Decider {
                            person: PersonId(person),
                            capacity,
                        }
                    }
                    (other, _) => return Err(StoreError::Corrupt(format!("actor {other:?}"))),
                };
                Ok(HistoryEntry {
                    seq: int(row, 0)?,
                    at: parse_datetime(&text(row, 1)?)?,
                    actor,
                    action: text(row, 6)?,
                    summary: text(row, 7)?,
                    unit_id: int(row, 8)?,
                })
            })
            .collect()
    }

    /// Records that the reminder `days_left` days before the agreement's last day was
    /// sent; whether it is new (`false`: it was sent before, send nothing).
    pub async fn mark_reminder_sent(
        &self,
        agreement_id: i64,
        days_left: u16,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO mw_reminders (agreement_id, days_left, sent_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (agreement_id, days_left) DO NOTHING",
        )
        .bind(agreement_id)
        .bind(i64::from(days_left))
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(|e| super::missing(e, "Vereinbarung", agreement_id))?;
        Ok(done.rows_affected() > 0)
    }
}
