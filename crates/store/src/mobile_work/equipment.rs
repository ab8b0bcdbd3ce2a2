//! The equipment pool: items, their loans (with history), reservations and the waiting
//! list per kind. The rules are `planner::equipment`'s; the store asks them inside one
//! write transaction per item, so no item is ever lent or reserved twice for the same
//! days, whoever asks at once and on either database: SQLite writes one transaction at
//! a time (`BEGIN IMMEDIATE`), PostgreSQL locks the item's row first, so the second
//! request sees the first one's claim and is refused. A unique index over an item's open
//! loan is the last guard.
//!
//! Steps the planner refuses come back as `Ok(Err(EquipmentError))` with nothing
//! written; `Err(StoreError)` is the database's failure.

use super::{day_text, is_unique_violation, parse_day, parse_opt_day};
use crate::{int, opt_int, opt_text, text, Backend, Store, StoreError};
use jiff::civil::Date;
use planner::equipment::{
    check_join, check_loan, check_reservation, free_for, offers, Claim, ClaimKind, DateRange,
    EquipmentError, ItemId, ItemState, Kind, Offer, WaitingEntry, MAX_OPEN_RESERVATIONS,
};
use planner::ids::PersonId;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// An item of the pool, with its open loan if it is lent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EquipmentItemRow {
    /// Its id.
    pub id: i64,
    /// The inventory number (unique).
    pub inventory_number: String,
    /// Its kind.
    pub kind: Kind,
    /// Name or model ("Jabra Evolve2 40").
    pub name: String,
    /// Notes (accessories, defects).
    pub notes: Option<String>,
    /// When it was retired (Unix milliseconds).
    pub retired_ms: Option<i64>,
    /// Its open loan.
    pub loan: Option<LoanRow>,
}

impl EquipmentItemRow {
    /// The planner's state.
    pub fn state(&self) -> ItemState {
        match (&self.loan, self.retired_ms) {
            (_, Some(_)) => ItemState::Retired,
            (Some(loan), None) => ItemState::Lent {
                person: PersonId(loan.staff_id),
                due: loan.due,
            },
            (None, None) => ItemState::Available,
        }
    }
}

/// A loan, open or returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanRow {
    /// Its id.
    pub id: i64,
    /// The item.
    pub item_id: i64,
    /// The borrower.
    pub staff_id: i64,
    /// The day lent.
    pub lent: Date,
    /// The day due back.
    pub due: Date,
    /// The day returned.
    pub returned: Option<Date>,
    /// The last day a reminder was written.
    pub reminded: Option<Date>,
}

impl LoanRow {
    /// The planner's claim (of an open loan).
    pub fn to_claim(&self) -> Claim {
        Claim {
            id: self.id,
            item: ItemId(self.item_id),
            person: PersonId(self.staff_id),
            range: DateRange {
                first: self.lent,
                last: self.due,
            },
            kind: ClaimKind::Loan,
        }
    }
}

/// A reservation that still holds (state `reserved`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationRow {
    /// Its id.
    pub id: i64,
    /// The item.
    pub item_id: i64,
    /// For whom.
    pub staff_id: i64,
    /// Its days.
    pub range: DateRange,
    /// Kept for them from the waiting list (else asked for).
    pub offered: bool,
}

impl ReservationRow {
    /// The planner's claim.
    pub fn to_claim(&self) -> Claim {
        Claim {
            id: self.id,
            item: ItemId(self.item_id),
            person: PersonId(self.staff_id),
            range: self.range,
            kind: ClaimKind::Reservation {
                offered: self.offered,
            },
        }
    }
}

const ITEM_COLUMNS: &str = "i.id, i.inventory_number, i.kind, i.name, i.notes, i.retired_ms, \
     l.id, l.staff_id, l.lent_day, l.due_day, l.reminded_day";
const ITEM_FROM: &str = "equipment_items i LEFT JOIN equipment_loans l \
     ON l.item_id = i.id AND l.returned_ms IS NULL";
const LOAN_COLUMNS: &str = "id, item_id, staff_id, lent_day, due_day, returned_day, reminded_day";
const RESERVATION_COLUMNS: &str = "id, item_id, staff_id, first_day, last_day, offered";

fn kind_of(key: &str) -> Result<Kind, StoreError> {
    Kind::parse(key).ok_or_else(|| StoreError::Corrupt(format!("equipment kind {key:?}")))
}

fn item_row(row: &AnyRow) -> Result<EquipmentItemRow, StoreError> {
    let id = int(row, 0)?;
    let loan = match opt_int(row, 6)? {
        Some(loan_id) => Some(LoanRow {
            id: loan_id,
            item_id: id,
            staff_id: int(row, 7)?,
            lent: parse_day(&text(row, 8)?)?,
            due: parse_day(&text(row, 9)?)?,
            returned: None,
            reminded: parse_opt_day(opt_text(row, 10)?)?,
        }),
        None => None,
    };
    Ok(EquipmentItemRow {
        id,
        inventory_number: text(row, 1)?,
        kind: kind_of(&text(row, 2)?)?,
        name: text(row, 3)?,
        notes: opt_text(row, 4)?,
        retired_ms: opt_int(row, 5)?,
        loan,
    })
}

fn loan_row(row: &AnyRow) -> Result<LoanRow, StoreError> {
    Ok(LoanRow {
        id: int(row, 0)?,
        item_id: int(row, 1)?,
        staff_id: int(row, 2)?,
        lent: parse_day(&text(row, 3)?)?,
        due: parse_day(&text(row, 4)?)?,
        returned: parse_opt_day(opt_text(row, 5)?)?,
        reminded: parse_opt_day(opt_text(row, 6)?)?,
    })
}

fn reservation_row(row: &AnyRow) -> Result<ReservationRow, StoreError> {
    Ok(ReservationRow {
        id: int(row, 0)?,
        item_id: int(row, 1)?,
        staff_id: int(row, 2)?,
        range: DateRange::new(parse_day(&text(row, 3)?)?, parse_day(&text(row, 4)?)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        offered: int(row, 5)? != 0,
    })
}

/// The item, read in `tx` (its row locked on PostgreSQL first).
async fn locked_item(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    item_id: i64,
) -> Result<EquipmentItemRow, StoreError> {
    if backend == Backend::Postgres {
        // `FOR NO KEY UPDATE` serialises the writers of one item and leaves the foreign
        // keys of its loans and reservations alone.
        sqlx::query("SELECT id FROM equipment_items WHERE id = $1 FOR NO KEY UPDATE")
            .bind(item_id)
            .execute(&mut **tx)
            .await?;
    }
    let row = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.id = $1"
    ))
    .bind(item_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound {
        what: "Gerät",
        id: item_id,
    })?;
    item_row(&row)
}

/// The item's open loan and its reservations not over by `today`, read in `tx`.
async fn claims_in(
    tx: &mut Transaction<'static, Any>,
    item: &EquipmentItemRow,
    today: Date,
) -> Result<Vec<Claim>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {RESERVATION_COLUMNS} FROM equipment_reservations \
         WHERE item_id = $1 AND state = 'reserved' AND last_day >= $2"
    ))
    .bind(item.id)
    .bind(day_text(today))
    .fetch_all(&mut **tx)
    .await?;
    let mut claims: Vec<Claim> = item.loan.iter().map(LoanRow::to_claim).collect();
    for row in &rows {
        claims.push(reservation_row(row)?.to_claim());
    }
    Ok(claims)
}

async fn insert_reservation(
    tx: &mut Transaction<'static, Any>,
    item_id: i64,
    staff_id: i64,
    range: DateRange,
    offered: bool,
    now_ms: i64,
) -> Result<ReservationRow, StoreError> {
    let row = sqlx::query(
        "INSERT INTO equipment_reservations (item_id, staff_id, first_day, last_day, state, \
         offered, created_ms) VALUES ($1, $2, $3, $4, 'reserved', $5, $6) RETURNING id",
    )
    .bind(item_id)
    .bind(staff_id)
    .bind(day_text(range.first))
    .bind(day_text(range.last))
    .bind(i64::from(offered))
    .bind(now_ms)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| super::missing(e, "Person", staff_id))?;
    Ok(ReservationRow {
        id: int(&row, 0)?,
        item_id,
        staff_id,
        range,
        offered,
    })
}

impl Store {
    /// Adds an item to the pool. An inventory number in use is a
    /// [`StoreError::Conflict`], nothing written.
    pub async fn add_equipment_item(
        &self,
        inventory_number: &str,
        kind: Kind,
        name: &str,
        notes: Option<&str>,
        now_ms: i64,
    ) -> Result<EquipmentItemRow, StoreError> {
        let row = sqlx::query(
            "INSERT INTO equipment_items (inventory_number, kind, name, notes, created_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(inventory_number)
        .bind(kind.key())
        .bind(name)
        .bind(notes)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!(
                    "Die Inventarnummer „{inventory_number}“ ist schon vergeben."
                ))
            } else {
                StoreError::Database(e)
            }
        })?;
        Ok(EquipmentItemRow {
            id: int(&row, 0)?,
            inventory_number: inventory_number.to_string(),
            kind,
            name: name.to_string(),
            notes: notes.map(str::to_string),
            retired_ms: None,
            loan: None,
        })
    }

    /// Every item (retired ones too), by kind and inventory number.
    pub async fn equipment_items(&self) -> Result<Vec<EquipmentItemRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} ORDER BY i.kind, i.inventory_number"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_row).collect()
    }

    /// One item.
    pub async fn equipment_item(&self, id: i64) -> Result<Option<EquipmentItemRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(item_row).transpose()
    }

    /// The reservations that still hold on `today` or later, by first day.
    pub async fn equipment_reservations(
        &self,
        today: Date,
    ) -> Result<Vec<ReservationRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RESERVATION_COLUMNS} FROM equipment_reservations \
             WHERE state = 'reserved' AND last_day >= $1 ORDER BY first_day, id"
        ))
        .bind(day_text(today))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reservation_row).collect()
    }

    /// An item's loans, newest first (its history).
    pub async fn equipment_loans_of_item(&self, item_id: i64) -> Result<Vec<LoanRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LOAN_COLUMNS} FROM equipment_loans WHERE item_id = $1 ORDER BY id DESC"
        ))
        .bind(item_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(loan_row).collect()
    }

    /// Lends the item to `staff_id` from `today` until `due`, if the planner allows it
    /// (`planner::equipment::check_loan`); the borrower's own reservations for those days
    /// are picked up and they leave the waiting list for the item's kind.
    pub async fn lend_equipment(
        &self,
        item_id: i64,
        staff_id: i64,
        today: Date,
        due: Date,
        now_ms: i64,
    ) -> Result<Result<LoanRow, EquipmentError>, StoreError> {
        let mut tx = self.write_tx().await?;
        let item = locked_item(self.backend, &mut tx, item_id).await?;
        let claims = claims_in(&mut tx, &item, today).await?;
        let plan = match check_loan(item.state(), &claims, PersonId(staff_id), today, due) {
            Ok(plan) => plan,
            Err(refused) => return Ok(Err(refused)),
        };
        let row = sqlx::query(
            "INSERT INTO equipment_loans (item_id, staff_id, lent_day, due_day, lent_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(item_id)
        .bind(staff_id)
        .bind(day_text(today))
        .bind(day_text(due))
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await;
        let row = match row {
            Ok(row) => row,
            // The last guard: another open loan of the item (cannot pass the lock above).
            Err(e) if is_unique_violation(&e) => {
                return Ok(Err(EquipmentError::Lent { due, to_you: false }))
            }
            Err(e) => return Err(super::missing(e, "Person", staff_id)),
        };
        for reservation in &plan.consumes {
            sqlx::query(
                "UPDATE equipment_reservations SET state = 'lent', ended_ms = $1 WHERE id = $2",
            )
            .bind(now_ms)
            .bind(reservation)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM equipment_waiting WHERE staff_id = $1 AND kind = $2")
            .bind(staff_id)
            .bind(item.kind.key())
            .execute(&mut *tx)
            .await?;
        let loan = LoanRow {
            id: int(&row, 0)?,
            item_id,
            staff_id,
            lent: today,
            due,
            returned: None,
            reminded: None,
        };
        tx.commit().await?;
        Ok(Ok(loan))
    }

    /// Takes the item back on `today`: its open loan is returned.
    pub async fn return_equipment(
        &self,
        item_id: i64,
        today: Date,
        now_ms: i64,
    ) -> Result<Result<LoanRow, EquipmentError>, StoreError> {
        let mut tx = self.write_tx().await?;
        let item = locked_item(self.backend, &mut tx, item_id).await?;
        let Some(mut loan) = item.loan else {
            return Ok(Err(EquipmentError::NotLent));
        };
        sqlx::query("UPDATE equipment_loans SET returned_day = $1, returned_ms = $2 WHERE id = $3")
            .bind(day_text(today))
            .bind(now_ms)
            .bind(loan.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        loan.returned = Some(today);
        Ok(Ok(loan))
    }

    /// Retires the item (it must not be lent); its reservations are cancelled. Retiring
    /// twice is fine.
    pub async fn retire_equipment(
        &self,
        item_id: i64,
        now_ms: i64,
    ) -> Result<Result<Vec<ReservationRow>, EquipmentError>, StoreError> {
        let mut tx = self.write_tx().await?;
        let item = locked_item(self.backend, &mut tx, item_id).await?;
        if let ItemState::Lent { due, .. } = item.state() {
            return Ok(Err(EquipmentError::Lent { due, to_you: false }));
        }
        let rows = sqlx::query(&format!(
            "SELECT {RESERVATION_COLUMNS} FROM equipment_reservations \
             WHERE item_id = $1 AND state = 'reserved'"
        ))
        .bind(item_id)
        .fetch_all(&mut *tx)
        .await?;
        let cancelled = rows
            .iter()
            .map(reservation_row)
            .collect::<Result<Vec<_>, _>>()?;
        sqlx::query(
            "UPDATE equipment_reservations SET state = 'cancelled', ended_ms = $1 \
             WHERE item_id = $2 AND state = 'reserved'",
        )
        .bind(now_ms)
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE equipment_items SET retired_ms = COALESCE(retired_ms, $1) WHERE id = $2",
        )
        .bind(now_ms)
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(cancelled))
    }

    /// Reserves the item for `staff_id` for `range`, if the planner allows it
    /// (`planner::equipment::check_reservation`).
    pub async fn reserve_equipment(
        &self,
        item_id: i64,
        staff_id: i64,
        range: DateRange,
        today: Date,
        now_ms: i64,
    ) -> Result<Result<ReservationRow, EquipmentError>, StoreError> {
        let mut tx = self.write_tx().await?;
        let item = locked_item(self.backend, &mut tx, item_id).await?;
        let claims = claims_in(&mut tx, &item, today).await?;
        if let Err(refused) = check_reservation(item.state(), &claims, range, today) {
            return Ok(Err(refused));
        }
        let open = sqlx::query(
            "SELECT COUNT(*) FROM equipment_reservations WHERE staff_id = $1 \
             AND state = 'reserved' AND last_day >= $2",
        )
        .bind(staff_id)
        .bind(day_text(today))
        .fetch_one(&mut *tx)
        .await?;
        if int(&open, 0)? as usize >= MAX_OPEN_RESERVATIONS {
            return Ok(Err(EquipmentError::TooMany {
                max: MAX_OPEN_RESERVATIONS,
            }));
        }
        let row = insert_reservation(&mut tx, item_id, staff_id, range, false, now_ms).await?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    /// Cancels `staff_id`'s reservation; `false`: no such reservation of theirs that
    /// still holds.
    pub async fn cancel_equipment_reservation(
        &self,
        id: i64,
        staff_id: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE equipment_reservations SET state = 'cancelled', ended_ms = $1 \
             WHERE id = $2 AND staff_id = $3 AND state = 'reserved'",
        )
        .bind(now_ms)
        .bind(id)
        .bind(staff_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The whole waiting list (every kind).
    pub async fn equipment_waiting(&self) -> Result<Vec<WaitingEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, staff_id, kind, since_ms FROM equipment_waiting ORDER BY since_ms, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WaitingEntry {
                    id: int(row, 0)?,
                    person: PersonId(int(row, 1)?),
                    kind: kind_of(&text(row, 2)?)?,
                    since_ms: int(row, 3)?,
                })
            })
            .collect()
    }

    /// Puts `staff_id` on the waiting list for `kind`, if the planner allows it (not
    /// waiting already, nothing of the kind free today).
    pub async fn join_equipment_waiting(
        &self,
        staff_id: i64,
        kind: Kind,
        today: Date,
        now_ms: i64,
    ) -> Result<Result<WaitingEntry, EquipmentError>, StoreError> {
        let list = self.equipment_waiting().await?;
        let free = self.equipment_free_today(kind, today).await?;
        if let Err(refused) = check_join(&list, PersonId(staff_id), kind, free) {
            return Ok(Err(refused));
        }
        let row = sqlx::query(
            "INSERT INTO equipment_waiting (staff_id, kind, since_ms) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(staff_id)
        .bind(kind.key())
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await;
        match row {
            Ok(row) => Ok(Ok(WaitingEntry {
                id: int(&row, 0)?,
                person: PersonId(staff_id),
                kind,
                since_ms: now_ms,
            })),
            // Two clicks at once: the unique (person, kind) keeps one.
            Err(e) if is_unique_violation(&e) => Ok(Err(EquipmentError::AlreadyWaiting { kind })),
            Err(e) => Err(super::missing(e, "Person", staff_id)),
        }
    }

    /// Takes `staff_id` off the waiting list for `kind`; `false`: they were not on it.
    pub async fn leave_equipment_waiting(
        &self,
        staff_id: i64,
        kind: Kind,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM equipment_waiting WHERE staff_id = $1 AND kind = $2")
            .bind(staff_id)
            .bind(kind.key())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many items of `kind` are free all of `today`.
    pub async fn equipment_free_today(&self, kind: Kind, today: Date) -> Result<usize, StoreError> {
        let items = self.equipment_items().await?;
        let claims: Vec<Claim> = self
            .equipment_reservations(today)
            .await?
            .iter()
            .map(ReservationRow::to_claim)
            .collect();
        let range = DateRange {
            first: today,
            last: today,
        };
        Ok(items
            .iter()
            .filter(|item| item.kind == kind)
            .filter(|item| {
                let own: Vec<Claim> = claims
                    .iter()
                    .filter(|c| c.item == ItemId(item.id))
                    .cloned()
                    .chain(item.loan.iter().map(LoanRow::to_claim))
                    .collect();
                free_for(item.state(), &own, range, today)
            })
            .count())
    }

    /// Keeps every free item for the first person waiting for its kind
    /// (`planner::equipment::offers`): a reservation marked as offered, and their
    /// waiting entry ends; all in one transaction (every item's row locked on
    /// PostgreSQL, in id order, then the list). Returns the offers made, to tell them.
    pub async fn offer_free_equipment(
        &self,
        today: Date,
        now_ms: i64,
    ) -> Result<Vec<Offer>, StoreError> {
        let mut tx = self.write_tx().await?;
        if self.backend == Backend::Postgres {
            sqlx::query(
                "SELECT id FROM equipment_items WHERE retired_ms IS NULL ORDER BY id \
                 FOR NO KEY UPDATE",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query("LOCK TABLE equipment_waiting IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let waiting = sqlx::query("SELECT id, staff_id, kind, since_ms FROM equipment_waiting")
            .fetch_all(&mut *tx)
            .await?;
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let list = waiting
            .iter()
            .map(|row| {
                Ok(WaitingEntry {
                    id: int(row, 0)?,
                    person: PersonId(int(row, 1)?),
                    kind: kind_of(&text(row, 2)?)?,
                    since_ms: int(row, 3)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}"))
            .fetch_all(&mut *tx)
            .await?;
        let mut items = Vec::new();
        let mut claims = Vec::new();
        for row in &rows {
            let item = item_row(row)?;
            claims.extend(claims_in(&mut tx, &item, today).await?);
            items.push((ItemId(item.id), item.kind, item.state()));
        }
        let made = offers(&items, &claims, &list, today);
        for offer in &made {
            insert_reservation(
                &mut tx,
                offer.item.0,
                offer.person.0,
                offer.range,
                true,
                now_ms,
            )
            .await?;
            sqlx::query("DELETE FROM equipment_waiting WHERE id = $1")
                .bind(offer.entry)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Open loans due before `today` (overdue), by due day.
    pub async fn overdue_equipment_loans(&self, today: Date) -> Result<Vec<LoanRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LOAN_COLUMNS} FROM equipment_loans WHERE returned_ms IS NULL \
             AND due_day < $1 ORDER BY due_day, id"
        ))
        .bind(day_text(today))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(loan_row).collect()
    }

    /// Marks the loan as reminded on `today`, unless it was already (or is returned):
    /// `true` means this caller is the one to send today's reminder.
    pub async fn mark_equipment_reminded(
        &self,
        loan_id: i64,
        today: Date,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE equipment_loans SET reminded_day = $1 WHERE id = $2 \
             AND returned_ms IS NULL AND (reminded_day IS NULL OR reminded_day < $1)",
        )
        .bind(day_text(today))
        .bind(loan_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
